"""A reminder run has a time budget inside django-q2's timeout: it stops beginning messages when
the budget is spent, so the timeout never cuts it off between the server taking a message and
the row being marked sent (which, after the lease, would send that message again)."""

import asyncio
import sqlite3
import time
from collections import Counter
from contextlib import closing
from datetime import date
from io import StringIO

import pytest
from django.core import mail
from django.core.mail.backends import locmem
from django.core.management import call_command

from obligations import reminders, tasks
from obligations.models import Reminder
from tests.smtp import Inbox, smtp_server
from tests.test_cluster import kill, manage, seeded, start_cluster

DAY = date(2017, 4, 18)  # 7 days before EO 13768's 90-day reports


def test_the_budget_the_timeout_the_retry_and_the_lease_fit_together(settings):
    q = settings.Q_CLUSTER
    last_message = settings.SMTP_WAITS_PER_MESSAGE * settings.EMAIL_TIMEOUT
    run = settings.REMINDER_RUN_SECONDS + last_message + settings.REMINDER_MARK_SECONDS
    assert run <= q["timeout"]  # the last message begun in the budget is marked in time
    assert settings.REMINDER_MARK_SECONDS > 0
    assert q["timeout"] < q["retry"]  # no second worker takes a task while it still runs
    assert settings.REMINDER_LEASE_MINUTES * 60 > q["timeout"]  # nor the claims of a live run
    assert (settings.REMINDER_RUN_SECONDS, q["timeout"], q["retry"]) == (180, 300, 360)


# With a fake clock ------------------------------------------------------------------------------


class FakeClock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


class SlowBackend(locmem.EmailBackend):
    """locmem, where each message takes a second on the fake clock, as on a slow server."""

    clock: FakeClock

    def send_messages(self, messages):
        self.clock.now += len(messages)
        return super().send_messages(messages)


@pytest.fixture
def fake_clock(monkeypatch, settings):
    clock = FakeClock()
    monkeypatch.setattr("obligations.clock.monotonic", clock)
    monkeypatch.setattr(SlowBackend, "clock", clock, raising=False)
    settings.EMAIL_BACKEND = "tests.test_reminder_budget.SlowBackend"
    return clock


def sent_ids() -> list[str]:
    return [
        i
        for m in mail.outbox
        for i in m.extra_headers["X-Reminder-IDs"].replace(" ", "").split(",")
    ]


@pytest.mark.django_db
def test_a_run_stops_at_its_budget_and_the_next_sends_the_rest(recipients, fake_clock):
    now = reminders.send_time(DAY)
    first = reminders.run(now, deadline=fake_clock.now + 3.5)  # room for 4 messages
    total = Reminder.objects.count()
    assert first.sent == len(mail.outbox) == 4 and total > 4 + 3  # cut mid-way through a person
    assert first.left == total - 4
    assert Counter(Reminder.objects.values_list("state", flat=True)) == {
        "sent": 4, "pending": total - 4,
    }  # fmt: skip
    # what was claimed and not tried is as it was: due now, no attempt counted, no claim held
    waiting = Reminder.objects.filter(state="pending")
    assert all(r.attempts == 0 and r.send_after <= now and r.claim == "" for r in waiting)

    second = reminders.run(now, deadline=fake_clock.now + 100)
    assert (second.sent, second.left) == (total - 4, 0)
    ids = sent_ids()
    assert len(ids) == len(set(ids)) == total  # 0 duplicates, 0 lost
    assert set(Reminder.objects.values_list("state", flat=True)) == {"sent"}


@pytest.mark.django_db
def test_a_spent_budget_claims_nothing(recipients, fake_clock):
    result = reminders.run(reminders.send_time(DAY), deadline=fake_clock.now)
    assert result.planned == result.left > 0 and result.sent == 0 and not mail.outbox
    assert not Reminder.objects.exclude(state="pending").exists()


@pytest.mark.django_db
def test_the_budget_comes_from_the_settings(recipients, fake_clock, settings):
    settings.REMINDER_RUN_SECONDS = 1.5
    result = reminders.run(reminders.send_time(DAY))
    assert result.sent == 2 and result.left == Reminder.objects.count() - 2


@pytest.mark.django_db
def test_the_command_says_how_many_are_left(recipients, fake_clock, settings):
    settings.REMINDER_RUN_SECONDS = 0
    out = StringIO()
    call_command("send_reminders", "--as-of", DAY.isoformat(), stdout=out)
    left = Reminder.objects.count()
    assert f"left {left}" in out.getvalue()
    assert f"{left} due reminders left for the next run" in out.getvalue()


@pytest.mark.django_db
def test_the_task_queues_a_follow_up_only_after_progress(recipients, fake_clock, settings,
                                                          monkeypatch, time_machine):  # fmt: skip
    queued = []
    monkeypatch.setattr(tasks, "async_task", lambda *args: queued.append(args))
    time_machine.move_to(reminders.send_time(DAY), tick=False)
    settings.REMINDER_RUN_SECONDS = 0
    tasks.send_reminders()
    assert queued == []  # nothing sent: no chain of runs while the server stalls
    settings.REMINDER_RUN_SECONDS = 1.5
    assert "left" in tasks.send_reminders()
    assert queued == [("obligations.tasks.send_reminders",)]


# With a real qcluster and a slow SMTP server -----------------------------------------------------

DELAY = 0.5  # seconds the server takes to answer each message
REMINDERS = 40  # 20 s of sending: longer than the task timeout below
# A budget of 2 s; EMAIL_TIMEOUT 2 s (4 times the delay, so no reply times out); marking 1 s:
# django-q2's timeout becomes 2 + 5 * 2 + 1 = 13 s.
BUDGET = {"REMINDER_RUN_SECONDS": "2", "EMAIL_TIMEOUT": "2", "REMINDER_MARK_SECONDS": "1"}


class SlowInbox(Inbox):
    """Takes each message at once and answers after DELAY, as a server that queues a message
    before it replies: a client cut off while it waits has delivered it all the same."""

    async def handle_DATA(self, server, session, envelope):
        reply = await super().handle_DATA(server, session, envelope)
        await asyncio.sleep(DELAY)
        return reply


def marked_sent(env) -> int:
    with closing(sqlite3.connect(env["DB_NAME"], timeout=20)) as db:
        query = "SELECT count(*) FROM obligations_reminder WHERE state = 'sent'"
        return db.execute(query).fetchone()[0]


def wait_until_done(inbox, env, quiet=5, limit=120):
    """Until every row is marked sent (not merely every message received: the server has the
    last one half a second before the run hears so), or no message came for `quiet` seconds
    (the runs are over, or dead)."""
    last, quiet_since, give_up = -1, time.monotonic(), time.monotonic() + limit
    while time.monotonic() < give_up and marked_sent(env) < REMINDERS:
        if len(inbox.messages) != last:
            last, quiet_since = len(inbox.messages), time.monotonic()
        elif time.monotonic() - quiet_since > quiet:
            return
        time.sleep(0.2)


START = (
    # the hourly schedule out of the way: one chain of runs, started here
    "from datetime import timedelta; from django.utils import timezone; "
    "from django_q.models import Schedule; from django_q.tasks import async_task; "
    "Schedule.objects.update(next_run=timezone.now() + timedelta(days=1)); "
    "async_task('obligations.tasks.send_reminders')"
)
REPORT = "from django_q.models import Task; print([t.success for t in Task.objects.all()])"


@pytest.mark.slow
@pytest.mark.own_databases
def test_a_slow_server_past_the_timeout_gets_each_reminder_once(tmp_path):
    inbox = SlowInbox()
    with smtp_server(inbox) as port:
        env = seeded(tmp_path, port, REMINDERS) | BUDGET | {"Q_WORKERS": "1"}
        assert "'timeout': 13" in manage(env, "shell", "-c", "from django.conf import settings; "
                                         "print(settings.Q_CLUSTER)")  # fmt: skip
        manage(env, "shell", "-c", START)
        cluster = start_cluster(env)
        try:
            wait_until_done(inbox, env)
        finally:
            kill(cluster)
        # The lease expires (0 minutes), and a run with time enough sends whatever is left.
        manage(env | {"REMINDER_LEASE_MINUTES": "0", "REMINDER_RUN_SECONDS": "600"},
               "send_reminders")  # fmt: skip
        tasks_ok = manage(env, "shell", "-c", REPORT).strip().splitlines()[-1]
    ids = Counter(inbox.reminder_ids())
    assert [i for i, n in ids.items() if n > 1] == []  # 0 duplicates
    assert len(ids) == REMINDERS and marked_sent(env) == REMINDERS  # 0 lost
    # no run was cut off by the timeout, and the budget made it take more than one
    assert "False" not in tasks_ok and tasks_ok.count("True") > 1
