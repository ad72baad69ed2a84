"""The django-q2 schedule that sends reminders every hour: made here, idempotently, so every
database that is migrated has it (never by hand in the admin)."""

from django.db import migrations
from django.utils import timezone

NAME = "send-due-reminders"


def create(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    Schedule.objects.update_or_create(
        name=NAME,
        defaults={
            "func": "obligations.tasks.send_reminders",
            "schedule_type": "H",  # hourly; the task itself waits for settings.REMINDER_HOUR
            "repeats": -1,
            "next_run": timezone.now(),
        },
    )


def remove(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("obligations", "0004_reminders"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(create, remove)]
