"""``manage.py retention``: start the retention chain in the background worker (``--now``: apply
the retention here at once instead)."""

from django.core.management.base import BaseCommand

from privacy.tasks import apply_retention, ensure_retention_scheduled


class Command(BaseCommand):
    help = "Start the retention task chain (or, with --now, apply retention at once)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--now", action="store_true", help="Apply retention in this process now.")

    def handle(self, *args, **options) -> None:
        if options["now"]:
            self.stdout.write(f"{apply_retention()} conversation(s) reduced to stubs.")
            return
        started = ensure_retention_scheduled()
        self.stdout.write("Retention scheduled." if started else "A retention run is already queued.")
