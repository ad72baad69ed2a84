"""Task functions the django-q2 schedules call: plain functions, state lives in our tables."""

from django.utils import timezone

from obligations import reminders


def send_reminders() -> str:
    """Hourly (schedule "send-due-reminders", made by migration 0005)."""
    return str(reminders.run(timezone.now()))
