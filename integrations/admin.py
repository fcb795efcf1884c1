"""The admin of tokens and webhooks. Writes go through the services (rule 1): creating an
endpoint mints its secret and checks its address; the actions send a test event, rotate the
secret, enable, and redeliver."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from chat.errors import ServiceError
from integrations import tokens
from integrations.models import ApiToken, DeliveryAttempt, WebhookDelivery, WebhookEndpoint
from integrations.webhooks import services as webhook_services


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "scope", "prefix", "created_at", "expires_at", "last_used_at", "revoked_at")
    list_filter = ("scope",)
    readonly_fields = ("user", "name", "scope", "prefix", "created_at", "expires_at", "last_used_at", "revoked_at")
    exclude = ("secret_hash",)
    actions = ["revoke"]

    def has_add_permission(self, request) -> bool:
        return False  # tokens are created through the API (POST /api/tokens/), which shows the secret once

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request, queryset) -> None:
        for token in queryset:
            tokens.token_revoke(token=token)
        self.message_user(request, _("Revoked."))


class EndpointForm(forms.ModelForm):
    url = forms.URLField(max_length=500, assume_scheme="https")
    events = forms.MultipleChoiceField(
        choices=[(e, e) for e in webhook_services.SUBSCRIBABLE],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = WebhookEndpoint
        fields = ("name", "url", "inbox", "role", "events", "is_active")

    def clean_url(self) -> str:
        url = self.cleaned_data["url"]
        try:
            webhook_services.check_url(url)
        except ServiceError as exc:
            raise forms.ValidationError(exc.message) from exc
        return url


class AttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    fk_name = "endpoint"
    extra = 0
    max_num = 0
    can_delete = False
    fields = ("at", "response_status", "error", "duration_ms", "request_body", "response_body")
    readonly_fields = fields
    ordering = ("-id",)

    def get_queryset(self, request):
        return super().get_queryset(request).order_by("-id")


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    form = EndpointForm
    list_display = ("name", "url", "inbox", "role", "is_active", "disabled_reason")
    readonly_fields = ("secret", "disabled_reason")
    inlines = [AttemptInline]
    actions = ["send_test_event", "rotate_secret", "enable"]

    def save_model(self, request, obj, form, change) -> None:
        if not change:
            created = webhook_services.endpoint_create(
                name=obj.name, url=obj.url, events=obj.events, inbox=obj.inbox, role=obj.role
            )
            obj.pk, obj.secret = created.pk, created.secret
            return
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Send a test event"))
    def send_test_event(self, request, queryset) -> None:
        for endpoint in queryset:
            webhook_services.endpoint_send_test(endpoint=endpoint)
        self.message_user(request, _("Test events queued."))

    @admin.action(description=_("Rotate the signing secret (the old one signs too for 24 hours)"))
    def rotate_secret(self, request, queryset) -> None:
        for endpoint in queryset:
            webhook_services.endpoint_rotate_secret(endpoint=endpoint)
        self.message_user(request, _("Secrets rotated."), messages.WARNING)

    @admin.action(description=_("Enable again"))
    def enable(self, request, queryset) -> None:
        for endpoint in queryset:
            webhook_services.endpoint_enable(endpoint=endpoint)


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ("event", "endpoint", "status", "attempts", "next_attempt_at", "delivered_at")
    list_filter = ("status", "endpoint")
    readonly_fields = ("event", "endpoint", "status", "attempts", "next_attempt_at", "delivered_at")
    actions = ["redeliver"]

    def has_add_permission(self, request) -> bool:
        return False

    @admin.action(description=_("Redeliver"))
    def redeliver(self, request, queryset) -> None:
        for delivery in queryset:
            webhook_services.delivery_redeliver(delivery=delivery)
        self.message_user(request, _("Queued for delivery."))
