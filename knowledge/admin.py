"""Articles in the admin; every save, delete and bulk action goes through knowledge.services."""

from __future__ import annotations

from django.contrib import admin, messages

from chat.errors import ServiceError
from knowledge import services
from knowledge.choices import ArticleStatus
from knowledge.models import Article

FIELDS = ("slug", "locale", "title", "body", "category", "status")


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ("title", "slug", "locale", "category", "status", "helpful_count", "not_helpful_count", "updated_at")
    list_filter = ("status", "locale", "category")
    search_fields = ("title", "slug", "body")
    fields = (*FIELDS, "helpful_count", "not_helpful_count", "source_conversation", "created_at", "updated_at")
    readonly_fields = ("helpful_count", "not_helpful_count", "source_conversation", "created_at", "updated_at")
    actions = ["publish", "unpublish"]

    def save_model(self, request, obj: Article, form, change: bool) -> None:
        values = {name: form.cleaned_data[name] for name in FIELDS if name in form.cleaned_data}
        try:
            if change:
                fresh = Article.objects.get(pk=obj.pk)
                saved = services.article_update(article=fresh, author=request.user, **values)
            else:
                saved = services.article_create(**values, author=request.user)
        except ServiceError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return
        obj.pk, obj.public_id = saved.pk, saved.public_id

    def delete_model(self, request, obj: Article) -> None:
        services.article_delete(article=obj)

    def delete_queryset(self, request, queryset) -> None:
        for article in queryset:
            services.article_delete(article=article)

    def _set_status(self, request, queryset, status: str) -> None:
        for article in queryset:
            services.article_update(article=article, author=request.user, status=status)
        self.message_user(request, f"{queryset.count()} article(s) updated.")

    @admin.action(description="Publish the selected articles")
    def publish(self, request, queryset) -> None:
        self._set_status(request, queryset, ArticleStatus.PUBLISHED)

    @admin.action(description="Unpublish (back to draft)")
    def unpublish(self, request, queryset) -> None:
        self._set_status(request, queryset, ArticleStatus.DRAFT)
