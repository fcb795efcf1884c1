"""Satisfaction and performance reports for managers.

Its own app because it is a read-only room of its own: aggregations over the conversation domain,
their pages, charts and exports. It writes nothing to the domain (it has no models).
"""

from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "Reports"
