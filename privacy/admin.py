"""The admin's side of privacy: each inbox's privacy settings, the erasure records, and the delete
of a contact or conversation, which goes through the erasure service (with a preview of what
will go) instead of the ORM's cascade, which the read-only transcript admins refused.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _

from chat.admin import ContactAdmin, ConversationAdmin
from chat.models import Contact, Conversation
from privacy import erasure
from privacy.export import contact_export_zip
from privacy.models import ErasureRecord, InboxPrivacy, PlaceholderContact


@admin.register(InboxPrivacy)
class InboxPrivacyAdmin(admin.ModelAdmin):
    list_display = ("inbox", "redact_cards", "redact_emails", "redact_phones", "retention_days", "address_mode")
    fieldsets = (
        (None, {"fields": ("inbox",)}),
        (
            _("Redaction before storing"),
            {
                "fields": (
                    "redact_cards",
                    "redact_emails",
                    "redact_phones",
                    "phone_region",
                    "redact_cn_ids",
                    "redact_ibans",
                    "custom_patterns",
                )
            },
        ),
        (_("Retention"), {"fields": ("retention_days",)}),
        (
            _("Consent and minimisation"),
            {"fields": ("consent_notice", "consent_version", "address_mode", "store_user_agent")},
        ),
    )


@admin.register(ErasureRecord)
class ErasureRecordAdmin(admin.ModelAdmin):
    """Read-only: the pseudonymous trail of erasures."""

    list_display = ("created_at", "kind", "actor_kind", "actor_user", "inbox", "counts")
    list_filter = ("kind", "actor_kind", "created_at")
    search_fields = ("subject",)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


def _preview_lines(counts: dict[str, int]) -> list[str]:
    labels = {
        "contacts": _("contacts"),
        "conversations": _("conversations (kept only as anonymous stubs for the reports)"),
        "messages": _("messages (their text)"),
        "private_notes": _("private notes"),
        "attachments": _("attachments and their files"),
        "events": _("audit events (their personal values)"),
        "ratings": _("ratings (their comments)"),
    }
    return [f"{counts[key]} {label}" for key, label in labels.items() if counts.get(key)]


class ErasingDelete:
    """Delete through ``privacy.erasure``; the confirmation page lists what will go."""

    def has_delete_permission(self, request, obj=None) -> bool:
        return request.user.has_perm(f"{self.opts.app_label}.delete_{self.opts.model_name}")

    def get_deleted_objects(self, objs, request):
        counts = self.preview(list(objs))
        return _preview_lines(counts), {}, set(), []

    def log_deletions(self, request, queryset) -> None:
        pass  # the erasure record is the log; the admin's log would keep the name

    def log_deletion(self, request, obj, object_repr) -> None:
        pass


class ErasingContactAdmin(ErasingDelete, ContactAdmin):
    actions = ["export_selected"]

    def has_delete_permission(self, request, obj=None) -> bool:
        if obj is not None and PlaceholderContact.objects.filter(contact_id=obj.pk).exists():
            return False  # it holds the anonymous stubs the reports count
        return super().has_delete_permission(request, obj)

    def preview(self, objs):
        return erasure.erasure_preview(contacts=objs)

    def delete_model(self, request, obj: Contact) -> None:
        erasure.contact_erase(contact=obj, actor=request.user)

    def delete_queryset(self, request, queryset) -> None:
        placeholders = PlaceholderContact.objects.values("contact_id")
        for contact in list(queryset.exclude(pk__in=placeholders)):
            erasure.contact_erase(contact=contact, actor=request.user)

    @admin.action(description=_("Export the selected contact's data (zip)"))
    def export_selected(self, request, queryset):
        contacts = list(queryset[:2])
        if len(contacts) != 1:
            self.message_user(request, _("Select exactly one contact to export."), messages.WARNING)
            return None
        contact = contacts[0]
        response = HttpResponse(contact_export_zip(contact=contact), content_type="application/zip")
        response["Content-Disposition"] = f'attachment; filename="contact-{contact.public_id}.zip"'
        return response


class ErasingConversationAdmin(ErasingDelete, ConversationAdmin):
    def preview(self, objs):
        return erasure.erasure_preview(conversations=objs)

    def delete_model(self, request, obj: Conversation) -> None:
        erasure.conversations_erase(conversations=[obj], actor=request.user)

    def delete_queryset(self, request, queryset) -> None:
        erasure.conversations_erase(conversations=list(queryset), actor=request.user)


admin.site.unregister(Contact)
admin.site.register(Contact, ErasingContactAdmin)
admin.site.unregister(Conversation)
admin.site.register(Conversation, ErasingConversationAdmin)
