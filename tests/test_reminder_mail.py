"""What a person's reminder mail looks like over a real SMTP conversation (aiosmtpd), with
"today" pinned: one digest however many items, grouped, with a preview line and why each item
reaches them; overdue reminders once a week on business days; list headers and a real Date."""

import os
import shutil
import stat
import subprocess
from collections import defaultdict
from datetime import date, timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.mail import get_connection
from django.core.management import call_command

from obligations import reminders
from obligations.models import Follow, Occurrence, OrderVersion, Reminder, ReminderPreference
from tests.conftest import make_obligation, make_occurrence, make_order
from tests.smtp import Inbox, smtp_server

MONDAY = date(2017, 5, 1)  # a Monday, a business day
BASE = Path(__file__).resolve().parent.parent


def smtp(port):
    return get_connection(
        "django.core.mail.backends.smtp.EmailBackend", host="127.0.0.1", port=port, timeout=5
    )


def run_on(day, inbox, time_machine):
    """The hourly run at the send hour of `day`, the clock pinned there (the Date header)."""
    now = reminders.send_time(day)
    time_machine.move_to(now, tick=False)
    with smtp_server(inbox) as port:
        return reminders.run(now, connection=smtp(port))


def watcher(username="watcher", digest=True):
    user = User.objects.create_user(username, email=f"{username}@example.gov")
    ReminderPreference.objects.create(user=user, digest=digest)
    return user


def follow(user, order, dues, first_section=1):
    """An obligation of `order` per due date, each with one open track, followed by `user`."""
    tracks = []
    for n, due in enumerate(dues, start=first_section):
        obligation = make_obligation(order, section=str(n), action=f"report number {n}")
        tracks.append(make_occurrence(obligation, due=due))
        Follow.objects.create(user=user, obligation=obligation)
    return tracks


def to(inbox, user):
    return [m for m in inbox.messages if m["To"] == user.email]


def text(message):
    return message.get_body(("plain",)).get_content()


def html(message):
    return message.get_body(("html",)).get_content()


# The daily digest ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_digest_is_one_message_however_many_items_grouped(time_machine):
    """311 items on one day were two messages ("200 obligations to watch" and "111 ...").
    Now one: due this week, then newly overdue, then the backlog counted with a link."""
    user = watcher()
    order = make_order()
    week = [MONDAY + timedelta(days=d) for d in range(5)]  # due today .. Friday
    new = [MONDAY - timedelta(days=d) for d in range(2, 8)]  # 2 to 7 days late
    backlog = [date(2017, 3, 1) + timedelta(days=d % 20) for d in range(300)]  # weeks late
    follow(user, order, week + new + backlog)
    inbox = Inbox()
    run_on(MONDAY, inbox, time_machine)
    (message,) = to(inbox, user)
    assert str(message["Subject"]).strip() == (
        "5 due this week, 6 newly overdue, 300 overdue (2017-05-01)"
    )
    rows = Reminder.objects.filter(user=user)
    assert rows.count() == 311 and set(rows.values_list("state", flat=True)) == {"sent"}
    assert sorted(map(int, message["X-Reminder-IDs"].split(","))) == sorted(
        rows.values_list("pk", flat=True)
    )  # each row in it, once
    body = text(message)
    preview = "5 due this week, 6 newly overdue, 300 overdue. First: Due today: EO 99999 Sec. 1"
    assert body.splitlines()[0].startswith(preview)  # the preview line
    assert body.index("Due this week (5)") < body.index("Newly overdue (6)")
    assert body.index("Newly overdue (6)") < body.index("Overdue backlog: 300 still open")
    assert "(EO 99999: 300)" in body
    assert "http://127.0.0.1:8000/obligations/?status=overdue" in body
    assert body.count("\n* ") == 11  # the backlog is counted, not listed
    assert "Sec. 12:" not in body and "Sec. 11:" in body
    page = html(message)
    hidden = page.split("<body", 1)[1].split("<p>", 1)[0]  # before the greeting
    assert 'style="display: none;' in hidden and preview in hidden  # the hidden preheader
    assert page.index("Due this week (5)") < page.index("Newly overdue (6)")
    assert page.index("Newly overdue (6)") < page.index("Overdue backlog (300)")


@pytest.mark.django_db
def test_a_daily_digest_is_one_message_a_day(time_machine):
    """Followed after the morning's digest went out: in tomorrow's digest, not a second one
    today. A person with one e-mail per due date still hears at once."""
    user, single = watcher(), watcher("single", digest=False)
    order = make_order()
    follow(user, order, [MONDAY + timedelta(days=3)])
    inbox = Inbox()
    run_on(MONDAY, inbox, time_machine)
    assert len(to(inbox, user)) == 1
    follow(user, order, [MONDAY + timedelta(days=4)], first_section=2)
    follow(single, order, [MONDAY + timedelta(days=4)], first_section=3)
    later = reminders.send_time(MONDAY) + timedelta(hours=3)
    time_machine.move_to(later, tick=False)
    with smtp_server(inbox) as port:
        reminders.run(later, connection=smtp(port))
    assert len(to(inbox, user)) == 1 and len(to(inbox, single)) == 1
    run_on(MONDAY + timedelta(days=1), inbox, time_machine)
    _, second = to(inbox, user)
    assert str(second["Subject"]).strip() == "Due in 3 days: EO 99999 §2: report number 2, 90 days"
    assert second["Date"].datetime.date() == MONDAY + timedelta(days=1)
    assert set(Reminder.objects.values_list("state", flat=True)) == {"sent"}


@pytest.mark.django_db
def test_each_item_says_why_it_is_sent_and_its_state(people, eo_13768, time_machine):
    """DHS staff hear of DHS's tracks because of their agency, of a followed obligation because
    they follow it; each item shows its current state."""
    dhs = people["dhs"]
    dhs.email = "dhs@example.gov"
    dhs.save()
    (_followed,) = follow(dhs, make_order(), [date(2017, 4, 26)])
    report = Occurrence.objects.get(
        obligation__order=eo_13768, obligation__section="15", due=date(2017, 4, 25),
        agency__abbreviation="DHS",
    )  # fmt: skip
    report.change_status(Occurrence.Status.IN_PROGRESS)
    inbox = Inbox()
    run_on(date(2017, 4, 24), inbox, time_machine)  # the day before the 90-day reports
    (message,) = to(inbox, dhs)
    body = text(message)
    items = body.split("\n* ")[1:]
    mine = next(i for i in items if i.startswith("Due in 1 day: EO 13768 Sec. 15"))
    assert "Now: in progress. Why you get this: it is your agency's (DHS)." in mine
    component = next(i for i in items if i.startswith("Due in 1 day: EO 13768 Sec. 13"))
    assert "Why you get this: it is ICE's, and your agency (DHS) acts for it." in component
    theirs = next(i for i in items if "report number 1" in i)
    assert "Now: open. Why you get this: you follow this obligation." in theirs
    assert "Why you get this: you follow this obligation." in html(message)


@pytest.mark.django_db
def test_one_email_per_due_date_past_the_cap_is_still_one_more_message(settings, time_machine):
    """Digests off: the cap in messages of their own, then one message with all the rest, not
    one per OVERFLOW_DIGEST rows."""
    settings.REMINDER_MAX_PER_PERSON = 3
    user = watcher(digest=False)
    follow(user, make_order(), [MONDAY + timedelta(days=1 + d % 7) for d in range(1100)])
    inbox = Inbox()
    run_on(MONDAY, inbox, time_machine)
    mine = to(inbox, user)
    assert [len(m["X-Reminder-IDs"].split(",")) for m in mine] == [1, 1, 1, 1097]
    assert str(mine[-1]["Subject"]).strip() == "1097 due this week (2017-05-01)"


# Overdue reminders: weekly, on business days ----------------------------------------------------


def overdue_days(inbox, user):
    """{day: number of overdue items in the messages of that day}."""
    days = defaultdict(int)
    for message in to(inbox, user):
        sent = message["Date"].datetime.date()
        days[sent] += text(message).count("* Overdue by")
        days[sent] += sum(int(n) for n in _backlog_counts(text(message)))
    return {day: n for day, n in days.items() if n}


def _backlog_counts(body):
    return [line.split(": ")[1].split()[0] for line in body.splitlines()
            if line.startswith("Overdue backlog: ")]  # fmt: skip


@pytest.mark.django_db
def test_overdue_reminders_come_once_a_week_on_one_weekday(time_machine):
    """Four items long overdue, each with its own weekly anniversary: one message a week, on
    Monday, with all four; on the Tuesday after Memorial Day (2017-05-29); never on a weekend."""
    user = watcher()
    # due on a Monday, a Wednesday, a Thursday and a Saturday
    follow(user, make_order(), [date(2017, 4, 3), date(2017, 4, 5), date(2017, 4, 6),
                                date(2017, 4, 8)])  # fmt: skip
    inbox = Inbox()
    day = date(2017, 4, 24)  # a Monday: all four are more than two weeks late
    while day <= date(2017, 6, 4):
        run_on(day, inbox, time_machine)
        day += timedelta(days=1)
    assert overdue_days(inbox, user) == {
        date(2017, 4, 24): 4, date(2017, 5, 1): 4, date(2017, 5, 8): 4, date(2017, 5, 15): 4, date(2017, 5, 22): 4,
        date(2017, 5, 30): 4,
    }  # fmt: skip


@pytest.mark.django_db
def test_the_weekday_is_a_setting(settings, time_machine):
    settings.REMINDER_OVERDUE_WEEKDAY = 3  # Thursday
    user = watcher()
    follow(user, make_order(), [date(2017, 4, 3), date(2017, 4, 5)])
    inbox = Inbox()
    for offset in range(14):
        run_on(date(2017, 4, 27) + timedelta(days=offset), inbox, time_machine)
    assert overdue_days(inbox, user) == {date(2017, 4, 27): 2, date(2017, 5, 4): 2}


@pytest.mark.django_db
def test_newly_overdue_once_on_the_next_business_day_then_weekly(time_machine):
    """Due on Friday 2017-05-26: Monday is Memorial Day, so the first overdue notice is on
    Tuesday, which is also that week's weekly day. Due on Wednesday 2017-05-31: one notice on
    Thursday. Then both on the Monday after."""
    user = watcher()
    follow(user, make_order(), [date(2017, 5, 26), date(2017, 5, 31)])
    inbox = Inbox()
    for offset in range(12):
        run_on(date(2017, 5, 27) + timedelta(days=offset), inbox, time_machine)
    assert overdue_days(inbox, user) == {
        date(2017, 5, 30): 1, date(2017, 6, 1): 1, date(2017, 6, 5): 2,
    }  # fmt: skip
    kinds = set(Reminder.objects.filter(state="sent").values_list("kind", flat=True))
    assert kinds == {"overdue-2017-05-30", "overdue-new", "overdue-2017-06-05", "due", "lead-1",
                     "lead-7"}  # fmt: skip


@pytest.mark.django_db
def test_overdue_reminders_stop_when_met_unmet_withdrawn_or_not_required(time_machine):
    user = watcher()
    order = make_order()
    met, unmet, withdrawn, not_required, _still = follow(user, order, [date(2017, 4, 3)] * 5)
    inbox = Inbox()
    run_on(MONDAY, inbox, time_machine)
    assert overdue_days(inbox, user) == {MONDAY: 5}
    met.change_status(Occurrence.Status.SUBMITTED)
    Occurrence.objects.filter(pk=unmet.pk).update(status=Occurrence.Status.UNMET)
    Occurrence.objects.filter(pk=not_required.pk).update(status=Occurrence.Status.NOT_REQUIRED)
    version = OrderVersion.objects.create(order=order, number=2, text="x", text_sha256="0" * 64)
    withdrawn.obligation.__class__.objects.filter(pk=withdrawn.obligation_id).update(
        withdrawn_by=version, withdrawn_on=MONDAY
    )  # its track not yet closed: the reminders stop all the same
    inbox.messages.clear()
    run_on(MONDAY + timedelta(days=7), inbox, time_machine)
    (message,) = to(inbox, user)
    assert (
        str(message["Subject"]).strip().startswith("Overdue by 35 days: EO 99999 §5")
    )  # `still` only
    assert set(Reminder.objects.filter(occurrence=withdrawn).values_list("kind", flat=True)) == {
        "overdue-2017-05-01"
    }


# Headers and the demo ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_list_headers_and_a_date_with_its_offset(time_machine, settings):
    user = watcher()
    follow(user, make_order(), [MONDAY + timedelta(days=7)])
    inbox = Inbox()
    run_on(MONDAY, inbox, time_machine)
    (message,) = to(inbox, user)
    assert message["List-Id"] == "Obligation tracker reminders <reminders.127.0.0.1>"
    assert message["Precedence"] == "bulk"
    assert message["X-Auto-Response-Suppress"] == "All"
    assert message["Auto-Submitted"] == "auto-generated"
    date_header = str(message["Date"])
    assert not date_header.endswith("-0000")
    sent = message["Date"].datetime
    assert sent.utcoffset() == timedelta(hours=-4)  # New York in May
    assert sent == reminders.send_time(MONDAY)


@pytest.mark.django_db
def test_demo_users_have_email_addresses_and_get_reminders(time_machine):
    call_command("load_demo", stdout=StringIO())
    users = User.objects.filter(username__in=["demo", "dhs", "reader", "ig", "omb"])
    assert all(u.email.endswith("@example.gov") for u in users) and users.count() == 5
    call_command("load_demo", stdout=StringIO())  # still idempotent
    inbox = Inbox()
    run_on(date(2017, 4, 18), inbox, time_machine)
    assert any(m["To"] == "dhs@example.gov" for m in inbox.messages)


@pytest.mark.skipif(not shutil.which("setsid"), reason="needs setsid")
def test_demo_site_url_follows_its_port(tmp_path):
    """bin/demo with stand-ins for setup and python: every manage.py it runs sees the SITE_URL
    of the port it serves on."""
    (tmp_path / "bin").mkdir()
    shutil.copy(BASE / "bin" / "demo", tmp_path / "bin" / "demo")
    (tmp_path / "bin" / "setup").write_text("true\n")
    python = tmp_path / ".venv" / "bin" / "python"
    python.parent.mkdir(parents=True)
    log = tmp_path / "log"
    # runserver prints its banner, then answers (the marker file), then waits a second: the
    # backgrounded qcluster has written its line by then. The stand-in for the wait for the server
    # (not manage.py) returns once it answers, as the real one does, however loaded the machine.
    ready = tmp_path / "answers"
    python.write_text(
        f'#!/bin/sh\nif [ "$1" != manage.py ]; then\n'
        f"  for _ in $(seq 300); do [ -e {ready} ] && exit 0; sleep 0.1; done; exit 0\nfi\n"
        f'echo "$2 $SITE_URL" >> {log}\n'
        f'[ "$2" != runserver ] || {{ echo "Starting development server"; touch {ready}; sleep 1; }}\n'
    )
    python.chmod(python.stat().st_mode | stat.S_IXUSR)
    env = {k: v for k, v in os.environ.items() if k != "SITE_URL"} | {"PORT": "8123"}
    shown = subprocess.run(["bash", str(tmp_path / "bin" / "demo")], env=env, timeout=30,
                           check=True, capture_output=True, text=True).stdout  # fmt: skip
    site = "http://127.0.0.1:8123"
    assert sorted(log.read_text().splitlines()) == [
        f"{command} {site}" for command in ("load_demo", "migrate", "qcluster", "runserver")
    ]
    # The address (opening on a meaningful day) and the logins come after the server's lines.
    assert shown.index("Starting development server") < shown.index(f"runs at {site}/?as_of=")
    assert shown.rstrip().splitlines()[-1].startswith("Reminder e-mails")
