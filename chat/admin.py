"""The admin for the conversation domain. Transcripts are read-only: a conversation's history
is changed only through services (rule 1), so inlines show it and never edit it.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.utils.html import format_html

from chat import services
from chat.errors import ServiceError
from chat.models import (
    Attachment,
    BusinessHours,
    Contact,
    Conversation,
    ConversationEvent,
    Holiday,
    Inbox,
    Message,
    SatisfactionRating,
    SlaPolicy,
    Tag,
)


class BusinessHoursInline(admin.TabularInline):
    model = BusinessHours
    extra = 0


class HolidayInline(admin.TabularInline):
    model = Holiday
    extra = 0


class SlaPolicyInline(admin.TabularInline):
    model = SlaPolicy
    extra = 0


@admin.register(Inbox)
class InboxAdmin(admin.ModelAdmin):
    list_display = ("name", "public_key", "routing_policy", "timezone", "is_active", "created_at")
    list_filter = ("is_active", "routing_policy")
    search_fields = ("name", "public_key")
    readonly_fields = ("public_key", "embed_snippet", "created_at")
    filter_horizontal = ("agents", "teams")
    inlines = [BusinessHoursInline, HolidayInline, SlaPolicyInline]
    fieldsets = (
        (None, {"fields": ("name", "is_active", "public_key", "embed_snippet", "allowed_origins", "greeting")}),
        (
            "Widget",
            {
                "fields": ("away_message", "prechat_fields", "identity_secret"),
                "description": "The pre-chat form, the offline form's away message, and the secret that signs "
                "identified users (docs/widget.md).",
            },
        ),
        (
            "Bot",
            {
                "fields": ("bot_enabled", "bot_name", "bot_close_after_seconds"),
                "description": "The built-in bot answers new conversations from the knowledge base and hands off "
                "to the queue when it cannot help (docs/bot.md).",
            },
        ),
        ("Agents and teams", {"fields": ("agents", "teams", "default_team", "fallback_team")}),
        (
            "Routing and timers",
            {
                "fields": (
                    "routing_policy",
                    "accept_timeout_seconds",
                    "fallback_after_seconds",
                    "offline_grace_seconds",
                    "inactivity_reminder_seconds",
                    "inactivity_close_seconds",
                    "timezone",
                )
            },
        ),
    )

    @admin.display(description="Embed code")
    def embed_snippet(self, obj: Inbox) -> str:
        if not obj.pk:
            return "Save the inbox to get its embed code."
        # The loader's URL is stable (never hashed), so a site can embed it once and for all.
        static_url = settings.STATIC_URL
        if "://" not in static_url:  # a path on this server, not a CDN of its own
            static_url = settings.HELPDESK["PUBLIC_URL"].rstrip("/") + "/" + static_url.lstrip("/")
        loader = static_url.rstrip("/") + "/widget/loader.js"
        return format_html(
            '<code>&lt;script async src="{}" data-inbox="{}"&gt;&lt;/script&gt;</code>',
            loader,
            obj.public_key,
        )


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class MessageInline(ReadOnlyInline):
    model = Message
    fields = ("seq", "public_seq", "created_at", "sender_kind", "sender_name", "is_private", "text")
    readonly_fields = fields
    ordering = ("seq",)


class AttachmentInline(ReadOnlyInline):
    model = Attachment
    fields = ("created_at", "name", "content_type", "size", "message", "uploaded_by_contact", "uploaded_by_user")
    readonly_fields = fields


class EventInline(ReadOnlyInline):
    model = ConversationEvent
    fields = ("created_at", "type", "actor_kind", "actor_user", "payload")
    readonly_fields = fields


@admin.register(Conversation)
class ConversationAdmin(admin.ModelAdmin):
    list_display = (
        "__str__",
        "inbox",
        "contact",
        "status",
        "priority",
        "assignee",
        "team",
        "created_at",
        "last_message_at",
    )
    list_filter = (
        "status",
        "owner",
        "priority",
        "sla_breached",
        "inbox",
        "team",
        ("assignee", admin.RelatedOnlyFieldListFilter),
        "tags",
        "created_at",
    )
    search_fields = ("number", "public_id", "contact__name", "contact__email", "messages__text")
    list_select_related = ("inbox", "contact", "assignee", "team")
    date_hierarchy = "created_at"
    inlines = [MessageInline, AttachmentInline, EventInline]
    actions = ["resolve_selected"]

    def get_readonly_fields(self, request, obj=None):
        """Every field: a conversation changes only through services (the console, actions)."""
        return [f.name for f in Conversation._meta.fields] + ["tags"]

    def has_add_permission(self, request) -> bool:
        return False  # conversations start from the widget

    def get_search_results(self, request, queryset, search_term):
        queryset, _ = super().get_search_results(request, queryset, search_term)
        return queryset.distinct(), False

    @admin.action(description="Resolve the selected conversations")
    def resolve_selected(self, request, queryset) -> None:
        done = 0
        for conversation in queryset.select_related("contact"):
            try:
                services.conversation_resolve(conversation=conversation, actor=request.user)
                done += 1
            except ServiceError as error:
                self.message_user(request, f"{conversation}: {error.message}", messages.WARNING)
        self.message_user(request, f"Resolved {done} conversation(s).")


class ContactForm(forms.ModelForm):
    """Checks an edit with the service's own rules, so that a refusal shows on the form."""

    EDITABLE = ("name", "email", "attributes", "external_id")

    def clean(self) -> dict:
        cleaned = super().clean()
        changes = {f: cleaned[f] for f in self.EDITABLE if f in cleaned and f in self.changed_data}
        try:
            services.check_contact_edit(changes=changes)
        except ServiceError as error:
            raise forms.ValidationError(error.message) from error
        return cleaned


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    """Edits go through ``services.contact_edit``, which audits them on the contact's
    conversations (a changed ``external_id`` changes who the contact is verified to be)."""

    form = ContactForm
    list_display = ("__str__", "email", "inbox", "created_at", "last_seen_at")
    list_filter = ("inbox", "created_at")
    search_fields = ("name", "email", "public_id")
    readonly_fields = ("public_id", "inbox", "created_at", "last_seen_at")
    exclude = ("token_hash",)

    def has_add_permission(self, request) -> bool:
        return False  # contacts are minted by the widget with their secret token

    def save_model(self, request, obj: Contact, form: ContactForm, change: bool) -> None:
        changes = {f: getattr(obj, f) for f in ContactForm.EDITABLE if f in form.changed_data}
        services.contact_edit(contact=obj, actor=request.user, changes=changes)


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ("conversation", "seq", "sender_kind", "sender_name", "is_private", "created_at")
    list_filter = ("sender_kind", "is_private", "created_at")
    search_fields = ("text", "conversation__number")
    list_select_related = ("conversation",)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ConversationEvent)
class ConversationEventAdmin(MessageAdmin):
    list_display = ("conversation", "type", "actor_kind", "actor_user", "created_at")
    list_filter = ("type", "actor_kind", "created_at")
    search_fields = ("conversation__number",)
    list_select_related = ("conversation", "actor_user")


@admin.register(SatisfactionRating)
class SatisfactionRatingAdmin(admin.ModelAdmin):
    list_display = ("conversation", "score", "agent", "created_at")
    list_filter = ("score", ("agent", admin.RelatedOnlyFieldListFilter), "created_at")
    search_fields = ("comment", "conversation__number")
    list_select_related = ("conversation", "agent")
    readonly_fields = ("conversation", "score", "comment", "agent", "created_at", "updated_at")

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    """Admins keep the list of tags; agents put them on conversations from the console."""

    list_display = ("name", "color")
    search_fields = ("name",)
