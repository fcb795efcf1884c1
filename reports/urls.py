from django.urls import path

from reports import views

urlpatterns = [
    path("reports/", views.reports_page, name="reports"),
    path("reports/conversations/<str:metric>/", views.drilldown_page, name="reports-drilldown"),
    path("reports/export/conversations.csv", views.export_conversations, name="reports-export"),
    path("reports/export/agents.csv", views.export_agents, name="reports-export-agents"),
]
