from django.urls import path

from assist import views

urlpatterns = [
    path(
        "api/assist/conversations/<str:public_id>/suggestions/",
        views.suggestions_view,
        name="assist-suggestions",
    ),
    path("api/assist/suggestions/<str:public_id>/", views.suggestion_event_view, name="assist-suggestion-event"),
    path("reports/reasons/<int:reason_id>/", views.reason_change_view, name="assist-reason"),
    path("reports/reasons/<int:reason_id>/draft/<str:kind>/", views.reason_draft_view, name="assist-reason-draft"),
]
