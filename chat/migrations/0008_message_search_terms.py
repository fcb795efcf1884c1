"""Chinese transcript search: each message with Chinese keeps its segmented words (chat.segmentation),
with a PostgreSQL full-text index over them beside migration 0006's index over the text itself.

Existing messages with Han characters are segmented here, in batches.
"""

import re

from django.db import migrations, models

INDEX = "message_terms_search"
HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
BATCH = 2000


def segment_existing(apps, schema_editor) -> None:
    from chat.segmentation import message_search_terms

    Message = apps.get_model("chat", "Message")
    last = 0
    while True:
        batch = list(Message.objects.filter(pk__gt=last).order_by("pk").only("pk", "text")[:BATCH])
        if not batch:
            return
        changed = []
        for message in batch:
            if HAN.search(message.text or ""):
                message.search_terms = message_search_terms(message.text)
                changed.append(message)
        Message.objects.bulk_update(changed, ["search_terms"])
        last = batch[-1].pk


def create_index(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON chat_message "
            "USING gin (to_tsvector('simple'::regconfig, COALESCE(search_terms, ''::text))) WHERE search_terms <> ''"
        )


def drop_index(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("chat", "0007_contact_edited_event")]

    operations = [
        migrations.AddField(
            model_name="message",
            name="search_terms",
            field=models.TextField(blank=True, default="", editable=False),
        ),
        migrations.RunPython(segment_existing, migrations.RunPython.noop),
        migrations.RunPython(create_index, drop_index),
    ]
