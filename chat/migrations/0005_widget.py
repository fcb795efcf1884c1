"""The widget's schema (issue 3): pre-chat form, away message and identity secret of an inbox,
a contact's verified identity, offline conversations, and attachments."""

import uuid

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

import chat.models
import chat.tokens


class Migration(migrations.Migration):
    dependencies = [
        ("chat", "0004_report_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="contact",
            name="external_id",
            field=models.CharField(blank=True, db_index=True, default="", max_length=128),
        ),
        migrations.AddField(
            model_name="conversation",
            name="offline",
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name="inbox",
            name="away_message",
            field=models.CharField(
                blank=True,
                default="We are away right now. Leave your question and email, and we will answer by email.",
                help_text="Shown above the offline form (outside business hours or with no agent online).",
                max_length=300,
            ),
        ),
        migrations.AddField(
            model_name="inbox",
            name="identity_secret",
            field=models.CharField(
                default=chat.tokens.mint_secret,
                help_text="Signs identified users: the widget's setUser hash is HMAC-SHA256(secret, user id) in hex. "
                "Keep it on your server; anyone with it can claim any identity.",
                max_length=64,
            ),
        ),
        migrations.AddField(
            model_name="inbox",
            name="prechat_fields",
            field=models.JSONField(
                blank=True,
                default=list,
                help_text='Pre-chat form, e.g. [{"key": "name", "label": "Name", "required": true}, {"key": "email", '
                '"label": "Email", "type": "email", "required": true}, {"key": "order", "label": "Order number", '
                '"required": false}]. "name" and "email" fill the contact; other keys become contact attributes. '
                'Types: text, email, tel, select (with "options"). Empty: no form.',
            ),
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
                ],
                max_length=32,
            ),
        ),
        migrations.CreateModel(
            name="Attachment",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("public_id", models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                ("file", models.FileField(max_length=200, upload_to=chat.models.attachment_path)),
                ("name", models.CharField(help_text="The display name: the uploaded name made safe.", max_length=120)),
                ("content_type", models.CharField(help_text="Decided from the file's content.", max_length=100)),
                ("size", models.PositiveIntegerField()),
                ("width", models.PositiveIntegerField(blank=True, null=True)),
                ("height", models.PositiveIntegerField(blank=True, null=True)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "conversation",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="attachments", to="chat.conversation"
                    ),
                ),
                (
                    "message",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="attachments",
                        to="chat.message",
                    ),
                ),
                (
                    "uploaded_by_contact",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="attachments",
                        to="chat.contact",
                    ),
                ),
                (
                    "uploaded_by_user",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={"ordering": ["created_at", "id"]},
        ),
    ]
