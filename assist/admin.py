from django.contrib import admin

from assist.models import ContactReason, TagDescription


@admin.register(TagDescription)
class TagDescriptionAdmin(admin.ModelAdmin):
    """Managers describe each tag in a sentence; the console suggests tags from these."""

    list_display = ("tag", "sentence")
    search_fields = ("tag__name", "sentence")


@admin.register(ContactReason)
class ContactReasonAdmin(admin.ModelAdmin):
    list_display = ("name", "pinned", "renamed", "merged_into", "updated_at")
    list_filter = ("pinned",)
    search_fields = ("name",)
