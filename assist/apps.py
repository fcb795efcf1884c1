from django.apps import AppConfig


class AssistConfig(AppConfig):
    """Learning from the transcripts: suggested replies for agents, contact reasons for managers.

    Its own app because it reads every other app (chat's transcripts, agents' canned responses,
    knowledge's retrieval) and none of them needs it.
    """

    default_auto_field = "django.db.models.BigAutoField"
    name = "assist"
    verbose_name = "Assist"
