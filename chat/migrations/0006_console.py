"""The console's schema (issue 4): tags on conversations, the new event types, and the
full-text index of message texts.

The index is PostgreSQL's (a GIN index over ``to_tsvector('simple', text)``, the expression
``chat.selectors.search_for_agent`` filters on); other databases search with a plain scan.
"""

from django.db import migrations, models

INDEX = "message_text_search"


def create_search_index(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON chat_message "
        "USING gin (to_tsvector('simple'::regconfig, COALESCE(text, ''::text)))"
    )


def drop_search_index(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("chat", "0005_widget")]

    operations = [
        migrations.CreateModel(
            name="Tag",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.SlugField(allow_unicode=True, max_length=40, unique=True)),
                (
                    "color",
                    models.CharField(default="#5b6477", help_text="A CSS hex colour, e.g. #2d55e6.", max_length=7),
                ),
            ],
            options={"ordering": ["name"]},
        ),
        migrations.AddField(
            model_name="conversation",
            name="tags",
            field=models.ManyToManyField(blank=True, related_name="conversations", to="chat.tag"),
        ),
        migrations.AlterField(
            model_name="conversationevent",
            name="type",
            field=models.CharField(
                choices=[
                    ("created", "Created"),
                    ("claimed", "Claimed"),
                    ("assigned", "Assigned"),
                    ("transferred", "Transferred"),
                    ("resolved", "Resolved"),
                    ("reopened", "Reopened"),
                    ("rated", "Rated"),
                    ("priority_changed", "Priority changed"),
                    ("note_added", "Private note added"),
                    ("accepted", "Accepted"),
                    ("missed", "Missed (not answered in time)"),
                    ("requeued", "Returned to the queue"),
                    ("team_fallback", "Moved to the fallback team"),
                    ("sla_warning", "SLA breach ahead"),
                    ("sla_breached", "SLA breached"),
                    ("inactivity_reminder", "Inactivity reminder sent"),
                    ("inactivity_resolved", "Resolved for inactivity"),
                    ("identified", "Contact identity verified"),
                    ("context_updated", "Visitor moved to another page"),
                    ("transcript_emailed", "Transcript emailed to the contact"),
                    ("pending", "Set pending (waiting on the customer)"),
                    ("pending_ended", "Back to open from pending"),
                    ("tags_changed", "Tags changed"),
                    ("mentioned", "Agent mentioned in a private note"),
                ],
                max_length=32,
            ),
        ),
        migrations.RunPython(create_search_index, drop_search_index, elidable=False),
    ]
