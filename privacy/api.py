"""The REST side of privacy (docs/privacy.md):

- the visitor, with its own token: download its data (a zip), delete its data (confirmed), and
  accept the inbox's consent notice;
- staff with the admin's permissions on contacts: export a contact's data, preview and run its
  erasure.
"""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from chat.api.schemas import ErrorSchema
from chat.api.views import AgentAPIView, WidgetAPIView
from chat.models import Contact
from chat.selectors import parse_uuid
from privacy import erasure, policy
from privacy.export import contact_export_zip
from privacy.models import Consent


def zip_response(data: bytes, contact: Contact) -> HttpResponse:
    response = HttpResponse(data, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="my-data-{str(contact.public_id)[:8]}.zip"'
    response["Cache-Control"] = "no-store"
    return response


class WidgetDataExportView(WidgetAPIView):
    @extend_schema(
        responses={200: OpenApiResponse(description="A zip: data.json and the files")},
        summary="The visitor's own data, as a zip",
        operation_id="widget_my_data_export",
    )
    def get(self, request: Request, inbox_key: str) -> HttpResponse:
        return zip_response(contact_export_zip(contact=self.contact, for_contact=True), self.contact)


class WidgetDataEraseView(WidgetAPIView):
    @extend_schema(
        request={"application/json": {"type": "object", "properties": {"confirm": {"type": "boolean"}}}},
        responses={200: OpenApiResponse(description="Erased: the token no longer works")},
        summary='The visitor\'s "Delete my data"',
        operation_id="widget_my_data_erase",
    )
    def post(self, request: Request, inbox_key: str) -> Response:
        if not isinstance(request.data, dict) or request.data.get("confirm") is not True:
            raise ValidationError({"confirm": 'Send {"confirm": true} to delete your data for good.'})
        erasure.contact_erase(contact=self.contact, by_visitor=True)
        return Response({"erased": True})


class WidgetConsentView(WidgetAPIView):
    @extend_schema(
        request={"application/json": {"type": "object", "properties": {"version": {"type": "integer"}}}},
        responses={200: OpenApiResponse(description="Stored")},
        summary="The visitor accepts the consent notice",
        operation_id="widget_consent",
    )
    def post(self, request: Request, inbox_key: str) -> Response:
        current = policy.settings_or_default(self.inbox.pk)
        version = request.data.get("version") if isinstance(request.data, dict) else None
        if not current.consent_notice or version != current.consent_version:
            raise ValidationError({"version": "Accept the notice's current version."})
        Consent.objects.get_or_create(contact=self.contact, version=version)
        return Response({"version": version})


class StaffContactView(AgentAPIView):
    """A contact by its public id, for staff holding the admin's ``permission`` on contacts."""

    permission = "chat.view_contact"

    def contact(self, request: Request, public_id: str) -> Contact:
        if not request.user.is_authenticated:
            from rest_framework.exceptions import NotAuthenticated

            raise NotAuthenticated()
        if not request.user.has_perm(self.permission):
            raise PermissionDenied("You may not handle contacts' personal data.")
        contact = Contact.objects.filter(public_id=parse_uuid(public_id)).first() if parse_uuid(public_id) else None
        if contact is None:
            raise NotFound("No such contact.")
        return contact


# What the staff endpoints answer besides success, in the one error shape (docs/protocol.md).
STAFF_ERRORS = {code: ErrorSchema for code in (401, 403, 404, 429)}


class ContactExportView(StaffContactView):
    @extend_schema(
        responses={200: OpenApiResponse(description="A zip: data.json and the files"), **STAFF_ERRORS},
        summary="Export one contact's data (admin)",
        operation_id="contact_export",
    )
    def get(self, request: Request, public_id: str) -> HttpResponse:
        contact = self.contact(request, public_id)
        return zip_response(contact_export_zip(contact=contact), contact)


class ContactEraseView(StaffContactView):
    permission = "chat.delete_contact"

    @extend_schema(
        responses={200: OpenApiResponse(description="Counts of what would go, by kind"), **STAFF_ERRORS},
        summary="What erasing this contact would remove (admin)",
        operation_id="contact_erase_preview",
    )
    def get(self, request: Request, public_id: str) -> Response:
        return Response({"preview": erasure.erasure_preview(contacts=[self.contact(request, public_id)])})

    @extend_schema(
        request=None,
        responses={200: OpenApiResponse(description="Counts of what went, by kind"), **STAFF_ERRORS},
        summary="Erase this contact (admin)",
        operation_id="contact_erase",
    )
    def post(self, request: Request, public_id: str) -> Response:
        record = erasure.contact_erase(contact=self.contact(request, public_id), actor=request.user)
        return Response({"erased": record.counts})
