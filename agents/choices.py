"""States of the agent side (rule 9)."""

from django.db import models


class Availability(models.TextChoices):
    ONLINE = "online", "Online"
    AWAY = "away", "Away"
    OFFLINE = "offline", "Offline"
