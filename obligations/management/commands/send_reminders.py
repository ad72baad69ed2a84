"""`manage.py send_reminders [--dry-run] [--as-of DATE]`: the hourly task, run by hand."""

from datetime import date

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from obligations import reminders
from obligations.models import Reminder


class Command(BaseCommand):
    help = "Plan and send due reminder e-mails (what the hourly schedule runs)."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="show what would be sent")
        parser.add_argument("--as-of", help="run as on this date (YYYY-MM-DD) at the send hour")

    def handle(self, dry_run=False, as_of=None, **options):
        now = self._now(as_of)
        if dry_run:
            with transaction.atomic():
                planned = reminders.plan(now)
                due = Reminder.objects.filter(state=Reminder.State.PENDING, send_after__lte=now)
                for r in due.select_related("user", "occurrence__obligation__order").defer(
                    "occurrence__obligation__order__text"
                ):
                    self.stdout.write(f"{r.user.email}: {r.kind} {r.occurrence}")
                self.stdout.write(f"{planned} would be planned, {due.count()} would be sent")
                transaction.set_rollback(True)  # a dry run writes nothing
            return
        result = reminders.run(now)
        self.stdout.write(str(result))
        if result.left:
            self.stdout.write(
                f"{result.left} due reminders left for the next run: the time budget "
                f"(REMINDER_RUN_SECONDS, {settings.REMINDER_RUN_SECONDS} s) ran out"
            )

    def _now(self, as_of):
        if not as_of:
            return timezone.now()
        try:
            day = date.fromisoformat(as_of)
        except ValueError:
            raise CommandError(f"--as-of must be a date as YYYY-MM-DD, not {as_of!r}") from None
        return reminders.send_time(day)
