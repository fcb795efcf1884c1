"""Response shapes of the knowledge API, for the OpenAPI schema (the payloads are in knowledge.payloads)."""

from __future__ import annotations

from rest_framework import serializers

from knowledge.choices import ArticleStatus, Locale


class ArticleHitSchema(serializers.Serializer):
    slug = serializers.CharField()
    locale = serializers.ChoiceField(choices=Locale.values)
    title = serializers.CharField()
    category = serializers.CharField()
    snippet = serializers.CharField(help_text="Plain text: the article's opening.")
    url = serializers.CharField()
    score = serializers.FloatField()


class ArticleSearchResultsSchema(serializers.Serializer):
    query = serializers.CharField()
    results = ArticleHitSchema(many=True)


class ArticleSchema(serializers.Serializer):
    id = serializers.UUIDField()
    slug = serializers.CharField()
    locale = serializers.ChoiceField(choices=Locale.values)
    title = serializers.CharField()
    body = serializers.CharField()
    category = serializers.CharField()
    status = serializers.ChoiceField(choices=ArticleStatus.choices)
    helpful_count = serializers.IntegerField()
    not_helpful_count = serializers.IntegerField()
    source_conversation = serializers.UUIDField(allow_null=True)
    url = serializers.CharField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class ArticleListSchema(serializers.Serializer):
    results = ArticleSchema(many=True)


class ArticleInput(serializers.Serializer):
    slug = serializers.CharField(max_length=100)
    locale = serializers.ChoiceField(choices=Locale.values, default=Locale.EN)
    title = serializers.CharField(max_length=200)
    body = serializers.CharField(trim_whitespace=False)
    category = serializers.CharField(max_length=80, required=False, allow_blank=True, default="")
    status = serializers.ChoiceField(choices=ArticleStatus.choices, default=ArticleStatus.DRAFT)


class ArticlePatch(serializers.Serializer):
    slug = serializers.CharField(max_length=100, required=False)
    locale = serializers.ChoiceField(choices=Locale.values, required=False)
    title = serializers.CharField(max_length=200, required=False)
    body = serializers.CharField(trim_whitespace=False, required=False)
    category = serializers.CharField(max_length=80, required=False, allow_blank=True)
    status = serializers.ChoiceField(choices=ArticleStatus.choices, required=False)


class DraftInput(serializers.Serializer):
    message_id = serializers.UUIDField(required=False, help_text="The agent reply to use; default: the last one.")
    title = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    locale = serializers.ChoiceField(choices=Locale.values, required=False)
    category = serializers.CharField(max_length=80, required=False, allow_blank=True, default="")
