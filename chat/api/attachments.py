"""Attachments and the visitor's transcript over REST: uploads, safe downloads, transcript mail.

Uploads are multipart (a socket frame is no place for a file); the stored file is then sent in
a message by listing its id in ``message.send``'s ``attachments``. Downloads never come from a
public URL: each request is checked against the contact's token or the agent's session through
``chat.selectors``, and answered as a download that a browser will neither sniff nor run.
"""

from __future__ import annotations

from django.conf import settings
from django.http import FileResponse, HttpResponse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from chat import selectors, services
from chat.api import schemas
from chat.api.parsers import StrictJSONParser
from chat.api.views import AgentAPIView, WidgetAPIView
from chat.errors import ServiceError
from chat.models import Attachment
from chat.payloads import attachment_payload
from chat.transcripts import transcript_text

MULTIPART_SLACK = 64 * 1024
# A downloaded file may not run anything, load anything, or be framed.
DOWNLOAD_CSP = "default-src 'none'; sandbox; frame-ancestors 'none'"


class UploadInput(serializers.Serializer):
    file = serializers.FileField(allow_empty_file=True, help_text="One file, at most HELPDESK MAX_ATTACHMENT_BYTES.")


class TranscriptEmailInput(serializers.Serializer):
    email = serializers.EmailField(required=False, allow_blank=True, help_text="Defaults to the contact's email.")


class TranscriptEmailSchema(serializers.Serializer):
    email = serializers.EmailField(help_text="Where the transcript goes.")


def download(attachment: Attachment) -> FileResponse:
    """The file as a download, typed by what its content was found to be."""
    response = FileResponse(
        attachment.file.open("rb"), as_attachment=True, filename=attachment.name, content_type=attachment.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = DOWNLOAD_CSP
    response["Cache-Control"] = "private, max-age=3600"
    response["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response


def store(request: Request, conversation, uploader) -> Response:
    # Refuse an oversized body before reading it (the multipart envelope adds a little).
    limit = settings.HELPDESK["MAX_ATTACHMENT_BYTES"]
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > limit + MULTIPART_SLACK:
        raise ServiceError("file_too_large", f"Files are limited to {limit // (1024 * 1024)} MB.", status=413)
    data = UploadInput(data=request.data)
    data.is_valid(raise_exception=True)
    attachment = services.attachment_upload(
        conversation=conversation, uploader=uploader, upload=data.validated_data["file"]
    )
    return Response(attachment_payload(attachment), status=status.HTTP_201_CREATED)


UPLOAD_SCHEMA = {
    "request": {"multipart/form-data": UploadInput},
    "responses": {
        201: schemas.AttachmentSchema,
        400: schemas.ErrorSchema,
        404: schemas.ErrorSchema,
        413: schemas.ErrorSchema,
        415: schemas.ErrorSchema,
    },
}
DOWNLOAD_SCHEMA = {"responses": {(200, "application/octet-stream"): OpenApiResponse(description="The file.")}}


# --- the contact (widget) ------------------------------------------------------------------------


class WidgetAttachmentUploadView(WidgetAPIView):
    parser_classes = [MultiPartParser]

    @extend_schema(summary="Upload a file to one of the contact's conversations", **UPLOAD_SCHEMA)
    def post(self, request: Request, inbox_key: str, public_id: str) -> Response:
        conversation = selectors.conversation_for_contact(contact=self.contact, public_id=public_id)
        return store(request, conversation, self.contact)


class WidgetAttachmentView(WidgetAPIView):
    @extend_schema(summary="Download a file of the contact's conversations", **DOWNLOAD_SCHEMA)
    def get(self, request: Request, inbox_key: str, public_id: str) -> FileResponse:
        return download(selectors.attachment_for_contact(contact=self.contact, public_id=public_id))


class WidgetTranscriptTextView(WidgetAPIView):
    @extend_schema(responses={(200, "text/plain"): str, 404: schemas.ErrorSchema})
    def get(self, request: Request, inbox_key: str, public_id: str) -> HttpResponse:
        """The conversation's public transcript as a plain-text download (never private notes)."""
        conversation = selectors.conversation_for_contact(contact=self.contact, public_id=public_id)
        messages = selectors.public_transcript(conversation=conversation)
        response = HttpResponse(transcript_text(conversation, messages), content_type="text/plain; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="conversation-{conversation.number}.txt"'
        response["X-Content-Type-Options"] = "nosniff"
        response["Content-Security-Policy"] = DOWNLOAD_CSP
        return response


class WidgetTranscriptEmailView(WidgetAPIView):
    parser_classes = [StrictJSONParser]

    @extend_schema(
        request=TranscriptEmailInput,
        responses={202: TranscriptEmailSchema, 400: schemas.ErrorSchema, 429: schemas.ErrorSchema},
        summary="Email the conversation's transcript to the contact",
    )
    def post(self, request: Request, inbox_key: str, public_id: str) -> Response:
        conversation = selectors.conversation_for_contact(contact=self.contact, public_id=public_id)
        data = TranscriptEmailInput(data=request.data)
        data.is_valid(raise_exception=True)
        address = services.transcript_email_request(
            conversation=conversation, contact=self.contact, email=data.validated_data.get("email") or None
        )
        return Response({"email": address}, status=status.HTTP_202_ACCEPTED)


# --- agents (session) ------------------------------------------------------------------------------


class AgentAttachmentUploadView(AgentAPIView):
    parser_classes = [MultiPartParser]

    @extend_schema(summary="Upload a file to a conversation the agent may see", **UPLOAD_SCHEMA)
    def post(self, request: Request, public_id: str) -> Response:
        conversation = selectors.conversation_for_agent(user=request.user, public_id=public_id)
        return store(request, conversation, request.user)


class AgentAttachmentView(AgentAPIView):
    @extend_schema(summary="Download a file of a conversation the agent may see", **DOWNLOAD_SCHEMA)
    def get(self, request: Request, public_id: str) -> FileResponse:
        return download(selectors.attachment_for_agent(user=request.user, public_id=public_id))
