"""Privacy: redaction before storing, retention, export and erasure of a person's data, consent.

An app of its own (DESIGN.md): it reaches the conversation domain only through ``chat``'s
services, selectors and the ``chat.scrub`` seam, and owns its settings, its audit record and its
tasks.
"""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "privacy"
    verbose_name = _("Privacy")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from chat import scrub
        from privacy import policy

        scrub.install(
            text=policy.scrub,
            context=policy.minimise_context,
            address=policy.minimise_address,
            consent=policy.consent_state,
        )
