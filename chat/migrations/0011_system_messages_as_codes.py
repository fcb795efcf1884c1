"""Existing system messages, stored as English sentences, get their code and parameters.

The sentences are frozen here as they were written before codes existed (a migration must not
follow later edits of chat.notices). A system message that matches none stays plain text.
"""

import re

from django.db import migrations

# code -> the English sentence it replaces, with (?P<param>...) for its parameters.
KNOWN = [
    ("transferred_to_team", r"Transferred to the (?P<team>.+) team\."),  # before the agent's, which also matches
    ("transferred_to_agent", r"Transferred to (?P<name>.+)\."),
    ("joined", r"(?P<name>.+) joined the conversation\."),
    ("resolved", r"The conversation was resolved\."),
    ("reopened", r"The conversation was reopened\."),
    ("requeued", r"We are connecting you with another agent\."),
    ("inactivity_reminder", r"Are you still there\? This chat will close soon if we don't hear from you\."),
    (
        "inactivity_closed",
        r"This chat was closed because we didn't hear back\. Write again any time to reopen it\.",
    ),
]
PATTERNS = [(code, re.compile(pattern, re.S)) for code, pattern in KNOWN]
BATCH = 1000


def match(text):
    for code, pattern in PATTERNS:
        found = pattern.fullmatch(text)
        if found:
            return code, found.groupdict()
    return None


def forwards(apps, schema_editor):
    Message = apps.get_model("chat", "Message")
    rows = Message.objects.filter(sender_kind="system", code="").only("pk", "text").order_by("pk")
    changed = []
    for message in rows.iterator(chunk_size=BATCH):
        found = match(message.text)
        if found:
            message.code, message.params = found
            changed.append(message)
        if len(changed) >= BATCH:
            Message.objects.bulk_update(changed, ["code", "params"])
            changed = []
    if changed:
        Message.objects.bulk_update(changed, ["code", "params"])


def backwards(apps, schema_editor):
    """Nothing to undo: ``text`` kept the English sentence throughout."""


class Migration(migrations.Migration):
    dependencies = [("chat", "0010_message_code_params")]

    operations = [migrations.RunPython(forwards, backwards)]
