from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "integrations"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Integrations"

    def ready(self) -> None:
        from integrations import authentication  # noqa: F401  (registers the OpenAPI security scheme)
        from integrations.webhooks import erasure, outbox  # noqa: F401  (connect to chat's signals)
