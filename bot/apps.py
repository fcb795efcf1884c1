from django.apps import AppConfig


class BotConfig(AppConfig):
    name = "bot"
    verbose_name = "Bot"

    def ready(self) -> None:
        from bot import live  # noqa: F401  (answers chat's bot_turn and bot_feedback signals)
