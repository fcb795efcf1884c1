"""The privacy app's tables: each inbox's privacy settings, the placeholder that holds what an
erasure keeps for the reports, the pseudonymous record of each erasure, and consent given.

Settings live in a one-to-one table of this app rather than on ``chat.Inbox``: privacy is a
capability of its own (DESIGN.md), and a missing row means the defaults (cards redacted,
nothing else; no retention; addresses and browsers stored).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AddressMode(models.TextChoices):
    KEEP = "keep", _("Store the address")
    TRUNCATE = "truncate", _("Store it truncated (IPv4 /24, IPv6 /48)")
    DROP = "drop", _("Do not store it")


class InboxPrivacy(models.Model):
    """An inbox's privacy settings (docs/privacy.md)."""

    inbox = models.OneToOneField("chat.Inbox", on_delete=models.CASCADE, primary_key=True, related_name="privacy")
    # Redaction before storing (privacy/redaction.py).
    redact_cards = models.BooleanField(
        _("redact payment card numbers"), default=True, help_text=_("Luhn-checked; the last four digits are kept.")
    )
    redact_emails = models.BooleanField(_("redact e-mail addresses"), default=False)
    redact_phones = models.BooleanField(_("redact phone numbers"), default=False)
    phone_region = models.CharField(
        _("phone region"),
        max_length=2,
        blank=True,
        default="",
        help_text=_("Two-letter country for numbers written without +, e.g. CN or DE (empty: only +numbers)."),
    )
    redact_cn_ids = models.BooleanField(_("redact mainland China resident ID numbers"), default=False)
    redact_ibans = models.BooleanField(_("redact IBANs"), default=False)
    custom_patterns = models.JSONField(
        _("custom patterns"),
        default=list,
        blank=True,
        help_text=_("A list of regular expressions whose matches are redacted. Each runs with a timeout."),
    )
    # Retention (privacy/retention.py).
    retention_days = models.PositiveIntegerField(
        _("retention in days"),
        null=True,
        blank=True,
        help_text=_("Delete resolved conversations this many days after resolution (empty: keep them)."),
    )
    # Consent and minimisation.
    consent_notice = models.TextField(
        _("consent notice"), blank=True, default="", help_text=_("Shown in the widget before chatting (empty: none).")
    )
    consent_version = models.PositiveIntegerField(
        _("consent version"), default=1, help_text=_("Raise it when the notice changes: visitors are asked again.")
    )
    address_mode = models.CharField(
        _("visitor IP addresses"), max_length=8, choices=AddressMode.choices, default=AddressMode.KEEP
    )
    store_user_agent = models.BooleanField(_("store the visitor's browser (User-Agent)"), default=True)

    class Meta:
        verbose_name = _("privacy settings")
        verbose_name_plural = _("privacy settings")

    def __str__(self) -> str:
        return f"{self.inbox}"

    def clean(self) -> None:
        from privacy.redaction import check_patterns

        try:
            check_patterns(self.custom_patterns)
        except ValueError as exc:
            raise ValidationError({"custom_patterns": str(exc)}) from exc


class PlaceholderContact(models.Model):
    """The one anonymous contact per inbox that holds the conversations an erasure or retention
    reduced to their aggregate stub (times, status, team, agent, rating score), so that the
    reports' totals stay right while nothing personal is left."""

    inbox = models.OneToOneField("chat.Inbox", on_delete=models.CASCADE, related_name="+")
    contact = models.OneToOneField("chat.Contact", on_delete=models.CASCADE, related_name="+")

    def __str__(self) -> str:
        return f"placeholder of {self.inbox}"


class ErasureKind(models.TextChoices):
    CONTACT = "contact", _("A contact and all its conversations")
    CONVERSATION = "conversation", _("One conversation")
    RETENTION = "retention", _("Conversations past the retention period")


class ErasureActor(models.TextChoices):
    STAFF = "staff", _("Staff member")
    VISITOR = "visitor", _("The visitor")
    SYSTEM = "system", _("Retention task")


class ErasureRecord(models.Model):
    """The pseudonymous audit record of one erasure: who erased what kind of data, when, and how
    much. ``subject`` is a keyed hash of the erased contact's id, so that a later request about
    the same person can be matched, while the record holds no content."""

    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    kind = models.CharField(max_length=16, choices=ErasureKind.choices)
    actor_kind = models.CharField(max_length=8, choices=ErasureActor.choices)
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    inbox = models.ForeignKey("chat.Inbox", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    subject = models.CharField(max_length=64, blank=True, help_text=_("Keyed hash of the contact's id."))
    counts = models.JSONField(default=dict, help_text=_("How many rows and files of each kind went."))

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.created_at:%Y-%m-%d %H:%M}"


class Consent(models.Model):
    """A visitor's acceptance of one version of the inbox's consent notice."""

    contact = models.ForeignKey("chat.Contact", on_delete=models.CASCADE, related_name="consents")
    version = models.PositiveIntegerField()
    accepted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["contact", "version"], name="consent_once_per_version")]

    def __str__(self) -> str:
        return f"version {self.version} at {self.accepted_at:%Y-%m-%d}"
