from django.urls import path

from privacy import api

urlpatterns = [
    path("widget/<str:inbox_key>/my-data/export/", api.WidgetDataExportView.as_view(), name="api-widget-my-data"),
    path("widget/<str:inbox_key>/my-data/erase/", api.WidgetDataEraseView.as_view(), name="api-widget-erase"),
    path("widget/<str:inbox_key>/consent/", api.WidgetConsentView.as_view(), name="api-widget-consent"),
    path("contacts/<str:public_id>/export/", api.ContactExportView.as_view(), name="api-contact-export"),
    path("contacts/<str:public_id>/erase/", api.ContactEraseView.as_view(), name="api-contact-erase"),
]
