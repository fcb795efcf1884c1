"""`manage.py timers`: start the timer sweep chain, or run one sweep now (`--once`)."""

from django.core.management.base import BaseCommand

from agents.tasks import ensure_sweep_scheduled
from agents.timers import sweep


class Command(BaseCommand):
    help = "Schedule the background timer sweep (run `manage.py db_worker` to execute it)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--once", action="store_true", help="Run one sweep in this process and print it.")

    def handle(self, *args, once: bool, **options) -> None:
        if once:
            done = sweep()
            self.stdout.write(", ".join(f"{k}={v}" for k, v in sorted(done.items())) or "nothing due")
            return
        started = ensure_sweep_scheduled()
        self.stdout.write("Timer sweep scheduled." if started else "Timer sweep already running.")
