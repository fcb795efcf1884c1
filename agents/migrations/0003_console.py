"""The console's agent-side schema (issue 4): canned responses."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("agents", "0002_timerschedule_agentprofile_disconnected_at_and_more"),
        ("chat", "0006_console"),
    ]

    operations = [
        migrations.CreateModel(
            name="CannedResponse",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "short_code",
                    models.SlugField(help_text="Typed as /short_code in the composer.", max_length=32, unique=True),
                ),
                ("title", models.CharField(blank=True, max_length=120)),
                ("text", models.TextField(max_length=5000)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "inbox",
                    models.ForeignKey(
                        blank=True,
                        help_text="Empty: offered in every inbox.",
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="canned_responses",
                        to="chat.inbox",
                    ),
                ),
            ],
            options={
                "ordering": ["short_code"],
            },
        ),
    ]
