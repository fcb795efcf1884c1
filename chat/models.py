"""The conversation domain's tables. Writes happen only in ``chat.services``."""

from __future__ import annotations

import uuid
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from chat import notices
from chat.choices import (
    ActorKind,
    ConversationStatus,
    CsatScale,
    EventType,
    Owner,
    Priority,
    RoutingPolicy,
    SenderKind,
)
from chat.tokens import mint_public_key, mint_secret


class Inbox(models.Model):
    """One website (or channel) that receives chats."""

    name = models.CharField(max_length=120)
    public_key = models.CharField(max_length=32, unique=True, default=mint_public_key, editable=False)
    allowed_origins = models.JSONField(
        default=list,
        blank=True,
        help_text='Origins allowed to open the widget socket, e.g. ["https://example.com"].',
    )
    greeting = models.CharField(max_length=300, blank=True, default="Hi! How can we help?")
    agents = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="inboxes", blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    # Routing (carried out by the agents app; stored here because it is the inbox's setting).
    routing_policy = models.CharField(max_length=16, choices=RoutingPolicy.choices, default=RoutingPolicy.MANUAL)
    teams = models.ManyToManyField(
        "agents.Team", related_name="offered_by", blank=True, help_text="Teams a visitor may choose before chatting."
    )
    default_team = models.ForeignKey(
        "agents.Team", on_delete=models.SET_NULL, null=True, blank=True, related_name="default_for"
    )
    fallback_team = models.ForeignKey(
        "agents.Team", on_delete=models.SET_NULL, null=True, blank=True, related_name="fallback_for"
    )
    fallback_after_seconds = models.PositiveIntegerField(
        default=300, help_text="Move a team's waiting conversation to the fallback team after this wait."
    )
    accept_timeout_seconds = models.PositiveIntegerField(
        default=120, help_text="An auto-assigned agent who neither accepts nor replies loses it after this."
    )
    offline_grace_seconds = models.PositiveIntegerField(
        default=120, help_text="An offline or disconnected agent's unanswered chats return to the queue after this."
    )
    inactivity_reminder_seconds = models.PositiveIntegerField(
        default=0, help_text="Remind a silent visitor after this (0: never)."
    )
    inactivity_close_seconds = models.PositiveIntegerField(
        default=0, help_text="Resolve this long after the reminder if the visitor stays silent (0: never)."
    )
    timezone = models.CharField(max_length=64, default="UTC", help_text="IANA name, e.g. Europe/Berlin.")

    # The satisfaction survey the widget shows when a conversation is resolved.
    csat_scale = models.CharField(max_length=8, choices=CsatScale.choices, default=CsatScale.EMOJI)
    csat_question = models.CharField(max_length=200, default="How would you rate this conversation?")
    csat_comment = models.BooleanField(default=True, help_text="Offer an optional comment with the rating.")
    csat_edit_seconds = models.PositiveIntegerField(
        default=86400, help_text="How long after answering a visitor may change the rating."
    )

    # The widget (docs/widget.md): pre-chat form, away message, identity verification.
    away_message = models.CharField(
        max_length=300,
        blank=True,
        default="We are away right now. Leave your question and email, and we will answer by email.",
        help_text="Shown above the offline form (outside business hours or with no agent online).",
    )
    prechat_fields = models.JSONField(
        default=list,
        blank=True,
        help_text=(
            'Pre-chat form, e.g. [{"key": "name", "label": "Name", "required": true}, '
            '{"key": "email", "label": "Email", "type": "email", "required": true}, '
            '{"key": "order", "label": "Order number", "required": false}]. "name" and "email" fill the '
            "contact; other keys become contact attributes. Types: text, email, tel, select (with "
            '"options"). Empty: no form.'
        ),
    )
    # The built-in bot (docs/bot.md): first responder of new conversations until it hands off.
    bot_enabled = models.BooleanField(
        default=False, help_text="New conversations start with the bot, which answers from the knowledge base."
    )
    bot_name = models.CharField(max_length=60, default="Assistant", help_text="The name the bot's messages carry.")
    bot_close_after_seconds = models.PositiveIntegerField(
        default=1800,
        help_text="Resolve a conversation the bot holds after this long without a word from the visitor (0: never).",
    )
    identity_secret = models.CharField(
        max_length=64,
        default=mint_secret,
        help_text="Signs identified users: the widget's setUser hash is HMAC-SHA256(secret, user id) in hex. "
        "Keep it on your server; anyone with it can claim any identity.",
    )

    class Meta:
        verbose_name_plural = "inboxes"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.timezone not in zoneinfo.available_timezones():
            raise ValidationError({"timezone": "Unknown time zone; use an IANA name such as Europe/Berlin."})
        from chat.prechat import check_config

        try:
            check_config(self.prechat_fields)
        except ValueError as exc:
            raise ValidationError({"prechat_fields": str(exc)}) from exc

    def allows_origin(self, origin: str | None) -> bool:
        if not origin:
            return False
        return origin.rstrip("/").lower() in {o.rstrip("/").lower() for o in self.allowed_origins}


class BusinessHours(models.Model):
    """One open interval of an inbox on a weekday, in the inbox's time zone."""

    inbox = models.ForeignKey(Inbox, on_delete=models.CASCADE, related_name="business_hours")
    weekday = models.PositiveSmallIntegerField(
        choices=[
            (0, "Monday"),
            (1, "Tuesday"),
            (2, "Wednesday"),
            (3, "Thursday"),
            (4, "Friday"),
            (5, "Saturday"),
            (6, "Sunday"),
        ]
    )
    opens = models.TimeField()
    closes = models.TimeField(help_text="00:00 means midnight at the end of the day.")

    class Meta:
        ordering = ["inbox", "weekday", "opens"]
        verbose_name_plural = "business hours"

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}-{self.closes:%H:%M}"

    def clean(self) -> None:
        midnight = self.closes.hour == self.closes.minute == self.closes.second == 0
        if not midnight and self.closes <= self.opens:
            raise ValidationError("An interval must close after it opens (use 00:00 for midnight).")


class Holiday(models.Model):
    """A local date on which the inbox is closed all day."""

    inbox = models.ForeignKey(Inbox, on_delete=models.CASCADE, related_name="holidays")
    date = models.DateField()
    name = models.CharField(max_length=80, blank=True)

    class Meta:
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["inbox", "date"], name="holiday_unique_date")]

    def __str__(self) -> str:
        return f"{self.date} {self.name}".strip()


class SlaPolicy(models.Model):
    """Response and resolution targets for an inbox's conversations of one priority (or any)."""

    inbox = models.ForeignKey(Inbox, on_delete=models.CASCADE, related_name="sla_policies")
    priority = models.PositiveSmallIntegerField(
        choices=Priority.choices, null=True, blank=True, help_text="Empty: any priority without its own policy."
    )
    first_response_seconds = models.PositiveIntegerField(null=True, blank=True)
    next_response_seconds = models.PositiveIntegerField(null=True, blank=True)
    resolution_seconds = models.PositiveIntegerField(null=True, blank=True)
    business_hours_only = models.BooleanField(default=True, help_text="Count only the inbox's open hours.")
    warn_before_seconds = models.PositiveIntegerField(default=300)

    class Meta:
        verbose_name = "SLA policy"
        verbose_name_plural = "SLA policies"
        constraints = [models.UniqueConstraint(fields=["inbox", "priority"], name="sla_policy_unique_priority")]

    def __str__(self) -> str:
        return f"{self.inbox}: {self.get_priority_display() if self.priority is not None else 'any priority'}"


class Contact(models.Model):
    """A person who writes in; authenticates with a server-minted secret stored as a hash."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    inbox = models.ForeignKey(Inbox, on_delete=models.CASCADE, related_name="contacts")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    name = models.CharField(max_length=120, blank=True)
    email = models.EmailField(blank=True)
    attributes = models.JSONField(default=dict, blank=True)
    # Set only by a verified identity (HMAC of the id with the inbox's identity secret).
    external_id = models.CharField(max_length=128, blank=True, default="", db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_seen_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.name or self.email or f"Visitor {str(self.public_id)[:8]}"


class Tag(models.Model):
    """A label agents put on conversations (``refund``, ``vip``); admins keep the list."""

    name = models.SlugField(max_length=40, unique=True, allow_unicode=True)
    color = models.CharField(max_length=7, default="#5b6477", help_text="A CSS hex colour, e.g. #2d55e6.")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Conversation(models.Model):
    """The ticket: one support case; its messages are its transcript."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    number = models.PositiveIntegerField(unique=True, null=True, editable=False)
    inbox = models.ForeignKey(Inbox, on_delete=models.PROTECT, related_name="conversations")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="conversations")
    status = models.CharField(max_length=16, choices=ConversationStatus.choices, default=ConversationStatus.WAITING)
    # Who answers: the bot (status open, no assignee, never in the queue) until it hands off.
    owner = models.CharField(max_length=8, choices=Owner.choices, default=Owner.HUMAN)
    priority = models.PositiveSmallIntegerField(choices=Priority.choices, default=Priority.NORMAL)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_conversations",
    )
    # A string reference: chat never imports agents, but a conversation can be routed to a team.
    team = models.ForeignKey(
        "agents.Team", on_delete=models.SET_NULL, null=True, blank=True, related_name="conversations"
    )
    # Two dense counters: ``last_seq`` numbers every transcript entry (the agents' stream);
    # ``last_public_seq`` numbers only what the contact may see (its stream), so a contact can
    # detect a gap without learning that private notes exist. Read marks count public entries.
    last_seq = models.PositiveIntegerField(default=0, editable=False)
    last_public_seq = models.PositiveIntegerField(default=0, editable=False)
    contact_last_read_seq = models.PositiveIntegerField(default=0, editable=False)
    agent_last_read_seq = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    waiting_since = models.DateTimeField(null=True, blank=True)
    assigned_at = models.DateTimeField(null=True, blank=True)
    first_response_at = models.DateTimeField(null=True, blank=True)
    last_message_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    first_assigned_at = models.DateTimeField(null=True, blank=True, help_text="End of the first wait in the queue.")
    # Routing and timers.
    context = models.JSONField(default=dict, blank=True, help_text="Page URL, referrer, language at the start.")
    auto_assigned = models.BooleanField(default=False, help_text="Given by the router (so it may time out).")
    accepted_at = models.DateTimeField(null=True, blank=True)
    last_agent_message_at = models.DateTimeField(null=True, blank=True)
    last_contact_message_at = models.DateTimeField(null=True, blank=True)
    team_fallback_done = models.BooleanField(default=False)
    inactivity_reminded_at = models.DateTimeField(null=True, blank=True)
    # SLA: due times fixed at the start; flags raised by the timer sweep.
    sla_first_response_due_at = models.DateTimeField(null=True, blank=True)
    sla_resolution_due_at = models.DateTimeField(null=True, blank=True)
    sla_warnings = models.JSONField(default=list, blank=True, help_text="Targets warned about.")
    sla_breaches = models.JSONField(default=list, blank=True, help_text="Targets breached.")
    sla_breached = models.BooleanField(default=False)
    # The bot's side: its last reply (the watchdog compares it with the visitor's last message),
    # the unhelpful answers in a row, and the handoff {reason, articles, at} agents are shown.
    bot_replied_at = models.DateTimeField(null=True, blank=True)
    bot_unhelpful = models.PositiveSmallIntegerField(default=0)
    handoff = models.JSONField(null=True, blank=True)
    # Left through the widget's offline form: agents' replies are also emailed to the contact.
    offline = models.BooleanField(default=False)
    tags = models.ManyToManyField(Tag, related_name="conversations", blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["inbox", "status", "-priority", "waiting_since"], name="conv_queue"),
            models.Index(fields=["assignee", "status"], name="conv_assignee"),
            models.Index(fields=["contact", "-created_at"], name="conv_contact"),
            models.Index(fields=["status", "assigned_at"], name="conv_status_assigned"),
            models.Index(fields=["created_at"], name="conv_created"),  # report ranges
            models.Index(fields=["owner", "status"], name="conv_owner", condition=Q(owner="bot")),
        ]
        permissions = [("view_all_conversations", "Can see every inbox's conversations (manager)")]

    def __str__(self) -> str:
        return f"#{self.number}" if self.number else str(self.public_id)


class Message(models.Model):
    """One transcript entry, numbered by ``seq`` within its conversation."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="messages")
    seq = models.PositiveIntegerField(help_text="Position among all entries (agents' stream).")
    public_seq = models.PositiveIntegerField(
        null=True, blank=True, help_text="Position among public entries (the contact's stream); none for notes."
    )
    client_id = models.CharField(max_length=64, null=True, blank=True)
    sender_kind = models.CharField(max_length=16, choices=SenderKind.choices)
    sender_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    sender_name = models.CharField(max_length=120, blank=True)
    text = models.TextField(help_text="As written; for a system message, its English rendering (search, old clients).")
    # The text's words for search when it has Chinese (chat.segmentation): PostgreSQL's ``simple``
    # configuration cannot split a script written without spaces. Empty for other texts.
    search_terms = models.TextField(blank=True, default="", editable=False)
    code = models.CharField(
        max_length=40, blank=True, default="", help_text="A system message's code (chat.notices); empty otherwise."
    )
    params = models.JSONField(default=dict, blank=True, help_text="The parameters of a system message's code.")
    is_private = models.BooleanField(default=False)
    created_at = models.DateTimeField()
    # A bot's answer: the article it answers with {slug, title, url, locale} and the visitor's
    # "Did that help?" (``helpful``: null until answered).
    bot_answer = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["conversation", "seq"]
        indexes = [
            # Agent replies per conversation, for the reports' split credit (an index-only scan).
            models.Index(
                fields=["conversation", "sender_user"],
                condition=Q(sender_kind="agent", is_private=False),
                name="message_agent_replies",
            )
        ]
        constraints = [
            models.UniqueConstraint(fields=["conversation", "seq"], name="message_seq_unique"),
            models.UniqueConstraint(
                fields=["conversation", "public_seq"],
                condition=Q(public_seq__isnull=False),
                name="message_public_seq_unique",
            ),
            models.UniqueConstraint(
                fields=["conversation", "client_id"],
                condition=Q(client_id__isnull=False),
                name="message_client_id_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.conversation_id}:{self.seq}"

    @property
    def display_text(self) -> str:
        """What a person reads: a system message rendered in the active language, else the text."""
        return notices.render(self.code, self.params, fallback=self.text) if self.code else self.text


class ConversationEvent(models.Model):
    """The audit trail: every change of state, who made it, and its details."""

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="events")
    type = models.CharField(max_length=32, choices=EventType.choices)
    actor_kind = models.CharField(max_length=16, choices=ActorKind.choices)
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    payload = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["type", "conversation"], name="event_type_conversation")]

    def __str__(self) -> str:
        return f"{self.type} on {self.conversation_id}"


class SatisfactionRating(models.Model):
    """The contact's CSAT answer, credited to the agent who held the conversation."""

    conversation = models.OneToOneField(Conversation, on_delete=models.CASCADE, related_name="rating")
    score = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(5)])
    comment = models.TextField(blank=True, max_length=2000)
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="ratings"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["-updated_at"], name="rating_updated")]
        constraints = [models.CheckConstraint(condition=Q(score__gte=1, score__lte=5), name="rating_score_1_5")]

    def __str__(self) -> str:
        return f"{self.score}/5 for {self.conversation}"


def attachment_path(instance: Attachment, filename: str) -> str:
    """A stored name owes nothing to the uploaded one: date folders, a random name, a known extension."""
    now = timezone.now()
    extension = filename[filename.rfind(".") :] if "." in filename else ""
    return f"attachments/{now:%Y/%m}/{uuid.uuid4().hex}{extension}"


class Attachment(models.Model):
    """A file sent in a conversation: uploaded first, then carried by one message.

    Stored through Django's storage under MEDIA_ROOT and never served as a public URL: it is
    downloaded through views that check who asks (chat.api.attachments).
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="attachments")
    message = models.ForeignKey(Message, on_delete=models.SET_NULL, null=True, blank=True, related_name="attachments")
    uploaded_by_contact = models.ForeignKey(
        Contact, on_delete=models.SET_NULL, null=True, blank=True, related_name="attachments"
    )
    uploaded_by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    file = models.FileField(upload_to=attachment_path, max_length=200)
    name = models.CharField(max_length=120, help_text="The display name: the uploaded name made safe.")
    content_type = models.CharField(max_length=100, help_text="Decided from the file's content.")
    size = models.PositiveIntegerField()
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")
