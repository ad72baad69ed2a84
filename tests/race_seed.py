"""Seed due dates for the reminder race test, in the database the environment names.

python tests/race_seed.py RUN COUNT DAY: COUNT reminders (10 people x COUNT/10 due dates) that
are due to go out on DAY (7 days before the due dates). Run by tests/test_reminder_race.py.
"""

import os
import sys
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")

import django

django.setup()

from django.contrib.auth.models import User

from obligations.models import (
    Agency,
    Obligation,
    Occurrence,
    Order,
    ReminderPreference,
)

PEOPLE = 10


def seed(run: int, count: int, day: date) -> None:
    agency = Agency.named("Department of Racing", "DOR")
    for i in range(PEOPLE):
        user, _ = User.objects.get_or_create(
            username=f"racer{i}", defaults={"email": f"racer{i}@example.gov"}
        )
        user.groups.add(agency.group)
        ReminderPreference.objects.get_or_create(user=user, defaults={"digest": False})
    order = Order.objects.create(
        number=f"8{run:04d}", title=f"Race {run}", signed=day, text=f"race {run}",
        text_sha256=f"{run:064d}",
    )  # fmt: skip
    obligation = Obligation.objects.create(
        order=order, key=f"race-{run}", section="1", action="report", quote="shall report",
        span_start=0, span_end=5, rule={"kind": "deadline", "offset": "7 days", "anchor": "order"},
    )  # fmt: skip
    obligation.agencies.add(agency)
    Occurrence.objects.bulk_create(
        Occurrence(
            obligation=obligation, sequence=i + 1, due=day + timedelta(days=7), explanation="test"
        )
        for i in range(count // PEOPLE)
    )


if __name__ == "__main__":
    seed(int(sys.argv[1]), int(sys.argv[2]), date.fromisoformat(sys.argv[3]))
