"""Create the demo inbox, agents, a manager and an admin for trying the helpdesk locally.

Idempotent: running it again resets the demo passwords and keeps everything else.
Refuses to run in production, where these well-known passwords would be a hole.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.management.base import BaseCommand, CommandError

from agents.models import AgentProfile, CannedResponse, Team
from chat.models import Inbox, SlaPolicy, Tag

DEMO_KB = Path(__file__).resolve().parents[3] / "knowledge" / "fixtures" / "demo_kb.jsonl"
DEMO_TAGS = [("billing", "#2d55e6"), ("bug", "#b3182c"), ("refund", "#c27c0e"), ("vip", "#7a3fd1")]
DEMO_CANNED = [
    # short code, title, text
    ("hello", "Greeting", "Hi {{contact.name|there}}, this is {{agent.name}}. How can I help you today?"),
    ("thanks", "Thanks and close", "Thanks for writing in, {{contact.name|friend}}! Is there anything else I can do?"),
    ("refund", "Refund started", "I have started the refund for you; it takes 3 to 5 business days to arrive."),
]

DEMO_USERS = [
    # username, password, first name, last name, is_superuser, is_manager, team
    ("admin", "helpdesk-admin", "Ada", "Admin", True, True, None),
    ("alice", "helpdesk-alice", "Alice", "Agent", False, False, "Support"),
    ("bob", "helpdesk-bob", "Bob", "Agent", False, False, "Billing"),
    ("maria", "helpdesk-maria", "Maria", "Manager", False, True, "Support"),
]


class Command(BaseCommand):
    help = "Create the demo inbox and demo logins (development only)."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--origin",
            action="append",
            default=[],
            help="An extra origin allowed to embed the demo widget (repeatable).",
        )
        parser.add_argument("--quiet", action="store_true", help="Print nothing.")

    def handle(self, *args, origin: list[str], quiet: bool, **options) -> None:
        if settings.PRODUCTION:
            raise CommandError("seed_demo refuses to run with HELPDESK_ENV=production.")
        origins = ["http://127.0.0.1:8000", "http://localhost:8000", *origin]
        # The demo shop answers with its bot first (docs/bot.md); an existing inbox keeps its choice.
        inbox, _ = Inbox.objects.get_or_create(name="Demo website", defaults={"bot_enabled": True})
        inbox.allowed_origins = sorted(set(inbox.allowed_origins) | set(origins))
        inbox.save(update_fields=["allowed_origins"])
        # An SLA so the console shows its warnings: first reply in 5 minutes, any time of day.
        SlaPolicy.objects.get_or_create(
            inbox=inbox,
            priority=None,
            defaults={
                "first_response_seconds": 300,
                "next_response_seconds": 600,
                "business_hours_only": False,
                "warn_before_seconds": 120,
            },
        )
        view_all = Permission.objects.get(codename="view_all_conversations", content_type__app_label="chat")
        User = get_user_model()
        for username, password, first, last, superuser, manager, team_name in DEMO_USERS:
            user, _ = User.objects.get_or_create(username=username)
            user.first_name, user.last_name = first, last
            user.email = f"{username}@example.com"
            user.is_staff = True
            user.is_superuser = superuser
            user.set_password(password)
            user.save()
            if manager:
                user.user_permissions.add(view_all)
            AgentProfile.objects.get_or_create(user=user)
            inbox.agents.add(user)
            if team_name:
                Team.objects.get_or_create(name=team_name)[0].members.add(user)
        # Tags and canned responses, so the console's tagging and "/" shortcuts have something to offer.
        for name, color in DEMO_TAGS:
            Tag.objects.get_or_create(name=name, defaults={"color": color})
        for code, title, text in DEMO_CANNED:
            CannedResponse.objects.get_or_create(short_code=code, defaults={"title": title, "text": text})
        # The demo shop's knowledge base (help centre, widget search, bot): a copy of the evaluation set.
        from knowledge.services import articles_import

        articles_import(lines=DEMO_KB.read_text(encoding="utf-8").splitlines())
        if not quiet:
            self.stdout.write(self.style.SUCCESS("Demo data ready."))
            self.stdout.write(f"  Demo inbox key: {inbox.public_key}")
            self.stdout.write("  Logins (username / password):")
            for username, password, _first, _last, superuser, manager, _team in DEMO_USERS:
                role = "admin" if superuser else ("manager" if manager else "agent")
                self.stdout.write(f"    {role:8} {username} / {password}")
