from django.apps import AppConfig


class AgentsConfig(AppConfig):
    name = "agents"
    verbose_name = "Agents"

    def ready(self) -> None:
        from agents import access, receivers  # noqa: F401  (the router on chat's signals; access on auth's)
