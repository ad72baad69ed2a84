"""Task functions the django-q2 schedules call: plain functions, state lives in our tables."""

from django.utils import timezone
from django_q.tasks import async_task

from obligations import reminders, webhook_delivery


def send_reminders() -> str:
    """Hourly (schedule "send-due-reminders", made by migration 0005).

    A run whose time budget ran out queues the next one at once: a backlog (the first morning
    after an outage, a slow server) then drains run after run, each inside django-q2's timeout,
    instead of one budget's worth an hour. Only after progress: a run that sent nothing would
    otherwise chain runs back to back for as long as the server stalls."""
    result = reminders.run(timezone.now())
    if result.left and result.sent:
        async_task("obligations.tasks.send_reminders")
    return str(result)


def deliver_webhooks() -> str:
    """Every minute (schedule "deliver-due-webhooks", made by migration 0018), and queued after
    each commit that made deliveries (obligations/webhooks.py)."""
    return str(webhook_delivery.run())
