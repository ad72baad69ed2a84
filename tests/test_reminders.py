"""Reminder e-mails with Django's locmem backend: content, recipients, preferences, catch-up."""

from datetime import date, timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from obligations import reminders
from obligations.models import Follow, Occurrence, Reminder, ReminderPreference

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(people):
    """The DHS user and the DOS user with e-mail addresses."""
    for key in ("dhs", "dos", "reader"):
        people[key].email = f"{key}@example.gov"
        people[key].save()
    ReminderPreference.objects.create(user=people["dhs"], digest=False)
    return people


def at(day):
    return reminders.send_time(day)


def outbox_for(address):
    return [m for m in mail.outbox if m.to == [address]]


def report_due(order, due=date(2017, 4, 25)):
    return Occurrence.objects.filter(
        obligation__order=order, obligation__section="15", due=due
    ).first()


def test_seven_days_before_the_agency_is_reminded(staff, eo_13768):
    result = reminders.run(at(date(2017, 4, 18)))
    assert result.sent > 0 and result.failed == 0
    report = next(m for m in outbox_for("dhs@example.gov") if "§15" in m.subject)
    assert report.subject.startswith("Due in 7 days: EO 13768 §15")
    text = report.body
    assert "Due Tuesday, 2017-04-25. 2017-01-25 (signed) + 90 calendar days" in text
    assert "/occurrences/" in text and "/reminders/unsubscribe/" in text
    html = report.alternatives[0].content
    assert '<a href="http://127.0.0.1:8000/occurrences/' in html
    assert report.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert not outbox_for("dos@example.gov")  # not their agency
    assert not outbox_for("reader@example.gov")  # no agency, follows nothing


def test_a_second_run_sends_nothing(staff, eo_13768):
    reminders.run(at(date(2017, 4, 18)))
    count = len(mail.outbox)
    again = reminders.run(at(date(2017, 4, 18)) + timedelta(hours=1))
    assert (again.planned, again.sent, len(mail.outbox)) == (0, 0, count)


def test_nothing_before_the_send_hour(staff, eo_13768, settings):
    settings.REMINDER_HOUR = 9
    early = reminders.send_time(date(2017, 4, 18)) - timedelta(hours=2)
    result = reminders.run(early)
    assert result.planned > 0 and result.sent == 0 and not mail.outbox


def test_followers_get_reminders_too(staff, eo_13768):
    Follow.objects.create(user=staff["reader"], obligation=report_due(eo_13768).obligation)
    reminders.run(at(date(2017, 4, 24)))
    (message,) = outbox_for("reader@example.gov")
    # a follower hears of every track: DHS's and DOJ's report, in one digest
    assert message.subject == "2 due this week (2017-04-24)"
    assert message.body.count("* Due in 1 day: EO 13768 Sec. 15") == 2
    assert "Sec. 15 (DHS's track)" in message.body and "Sec. 15 (DOJ's track)" in message.body


def test_catch_up_sends_only_what_is_still_relevant(staff, eo_13768):
    """The worker was down from 30 days before until 3 days before: the 7-day reminder goes
    out, not the 30-day one as well."""
    reminders.run(at(date(2017, 4, 22)))
    kinds = set(
        Reminder.objects.filter(occurrence=report_due(eo_13768), user=staff["dhs"]).values_list(
            "kind", flat=True
        )
    )
    assert kinds == {"lead-7"}


def test_one_overdue_notice_not_ten(staff, eo_13768):
    """Down for ten weeks after the due date: one notice for the current week, and none on a
    federal holiday: July 4."""
    rows = Reminder.objects.filter(occurrence=report_due(eo_13768), user=staff["dhs"])
    reminders.run(at(date(2017, 7, 4)))  # 70 days late, a holiday
    assert not rows.exists()
    reminders.run(at(date(2017, 7, 5)))
    assert list(rows.values_list("kind", "state")) == [("overdue-2017-07-03", "sent")]
    (weekly,) = [m for m in outbox_for("dhs@example.gov") if "overdue" in m.subject]
    assert "Overdue backlog: " in weekly.body  # long overdue: counted, with a link


def test_weekly_while_overdue_and_stops_when_done(staff, eo_13768):
    occurrence = report_due(eo_13768)
    for day in (date(2017, 4, 26), date(2017, 5, 1), date(2017, 5, 3)):
        reminders.run(at(day))
    kinds = list(
        Reminder.objects.filter(occurrence=occurrence, user=staff["dhs"]).values_list(
            "kind", flat=True
        )
    )
    # the day after: newly overdue; Monday: the weekly one; Wednesday: nothing more
    assert sorted(kinds) == ["overdue-2017-05-01", "overdue-new"]
    occurrence.change_status(Occurrence.Status.SUBMITTED)
    reminders.run(at(date(2017, 5, 8)))
    assert not Reminder.objects.filter(occurrence=occurrence, kind="overdue-2017-05-08").exists()


def test_preferences_lead_times_digest_pause(staff, eo_13768):
    pref = ReminderPreference.objects.get(user=staff["dhs"])
    pref.lead_days, pref.digest = [14], True
    pref.save()
    reminders.run(at(date(2017, 4, 11)))  # 14 days before the 90-day reports
    (digest,) = outbox_for("dhs@example.gov")
    assert digest.subject.endswith(" coming up, 11 overdue (2017-04-11)")
    # DHS's §15 and §16 reports together, and ICE's §13 (ICE is a component of DHS)
    assert digest.body.count("Due in 14 days") == 3
    pref.paused = True
    pref.save()
    mail.outbox.clear()
    reminders.run(at(date(2017, 4, 25)))
    assert not outbox_for("dhs@example.gov")


def test_preferences_limit_to_orders(staff, eo_13768, import_fixture):
    other = import_fixture("eo-13767.txt").order
    pref = ReminderPreference.objects.get(user=staff["dhs"])
    pref.orders.set([other])
    reminders.run(at(date(2017, 4, 18)))
    assert not any("EO 13768" in m.subject for m in outbox_for("dhs@example.gov"))


def test_unsubscribe_link_pauses_everything(client, staff, eo_13768):
    reminders.run(at(date(2017, 4, 18)))
    body = outbox_for("dhs@example.gov")[0].body
    path = body.split("Stop all reminders: http://127.0.0.1:8000")[1].split()[0]
    assert client.get(path).status_code == 200  # a page with a button: link scanners change nothing
    assert not ReminderPreference.objects.get(user=staff["dhs"]).paused
    assert client.post(path).status_code == 200  # what a mail client's one-click POST does
    assert ReminderPreference.objects.get(user=staff["dhs"]).paused
    assert client.post(path[:-6] + "XXXXX/").status_code == 404  # a forged token


def test_follow_button_and_preferences_page(client, staff, eo_13768):
    obligation = report_due(eo_13768).obligation
    client.force_login(staff["reader"])
    client.post(reverse("follow", args=[obligation.pk]))
    assert Follow.objects.filter(user=staff["reader"], obligation=obligation).exists()
    response = client.post(reverse("reminder_preferences"), {
        "lead_days": "10, 2", "on_due_day": "on", "overdue": "on", "digest": "on"})  # fmt: skip
    assert response.status_code == 302
    assert ReminderPreference.objects.get(user=staff["reader"]).lead_days == [10, 2]
    bad = client.post(reverse("reminder_preferences"), {"lead_days": "soon"})
    assert "Give whole numbers of days" in bad.content.decode()


def test_command_dry_run_writes_nothing(staff, eo_13768):
    out = StringIO()
    call_command("send_reminders", "--dry-run", "--as-of", "2017-04-18", stdout=out)
    assert "would be sent" in out.getvalue() and "dhs@example.gov: lead-7" in out.getvalue()
    assert not Reminder.objects.exists() and not mail.outbox
    call_command("send_reminders", "--as-of", "2017-04-18", stdout=StringIO())
    assert Reminder.objects.filter(state="sent").exists() and mail.outbox


def test_the_schedule_exists_after_migrate():
    from django_q.models import Schedule

    schedule = Schedule.objects.get(name="send-due-reminders")
    assert (schedule.func, schedule.schedule_type, schedule.repeats) == (
        "obligations.tasks.send_reminders", Schedule.HOURLY, -1,
    )  # fmt: skip


def test_q_cluster_settings_keep_tasks_single(settings):
    q = settings.Q_CLUSTER
    assert q["timeout"] < q["retry"] and q["catch_up"] is False and q["max_attempts"] > 0
    assert settings.REMINDER_LEASE_MINUTES * 60 > q["timeout"]  # a live claim is never swept


def test_one_run_drains_more_than_one_batch_per_person(staff, eo_13768, monkeypatch):
    monkeypatch.setattr(reminders, "DIGEST_MAX", 2)
    result = reminders.run(at(date(2017, 7, 5)))
    assert result.sent == Reminder.objects.count() > 2 * 2
    assert not Reminder.objects.exclude(state="sent").exists()


def planned_rows():
    return set(Reminder.objects.values_list("occurrence", "user", "kind", "send_after"))


def test_planning_in_chunks_gives_the_same_rows(staff, eo_13768, monkeypatch):
    """Obligations read one per query and rows inserted one per statement plan exactly what
    one big chunk plans; a second plan adds nothing."""
    Follow.objects.create(user=staff["reader"], obligation=report_due(eo_13768).obligation)
    now = at(date(2017, 4, 18))
    whole = reminders.plan(now)
    expected = planned_rows()
    assert whole == len(expected) > 2
    Reminder.objects.all().delete()
    monkeypatch.setattr(reminders, "PLAN_CHUNK", 1)
    assert reminders.plan(now) == whole
    assert planned_rows() == expected
    assert reminders.plan(now) == 0  # idempotent: the unique constraint, ignore_conflicts


def test_planning_skips_done_and_far_off_due_dates(staff, eo_13768):
    occurrence = report_due(eo_13768)
    occurrence.change_status(Occurrence.Status.SUBMITTED)
    reminders.plan(at(date(2017, 4, 18)))
    assert not Reminder.objects.filter(occurrence=occurrence).exists()  # done
    far = Occurrence.objects.filter(due__gt=date(2017, 4, 18) + timedelta(days=90))
    assert far.exists() and not Reminder.objects.filter(occurrence__in=far).exists()


def test_each_message_is_marked_sent_before_the_next_goes(staff, eo_13768):
    """The crash window is one message: when a message leaves, every earlier one is marked."""
    from django.core.mail.backends.locmem import EmailBackend

    marked_before, in_message = [], []

    class Watching(EmailBackend):
        def send_messages(self, messages):
            marked_before.append(Reminder.objects.filter(state="sent").count())
            in_message.append(len(messages[0].extra_headers["X-Reminder-IDs"].split(",")))
            return super().send_messages(messages)

    now = at(date(2017, 4, 18))
    result = reminders.run(now, connection=Watching())
    assert result.sent == sum(in_message) and len(in_message) > 2
    assert marked_before == [sum(in_message[:i]) for i in range(len(in_message))]
    sent = Reminder.objects.filter(state="sent")
    assert set(sent.values_list("sent_at", "claim")) == {(now, "")}  # as the ORM writes them


def test_sending_costs_one_update_per_message(staff, eo_13768, django_assert_max_num_queries):
    """Per person a fixed number of queries (claim, load, preferences), per message one UPDATE:
    nothing the messages read is loaded lazily, row by row."""
    now = at(date(2017, 4, 18))
    reminders.plan(now)
    due = Reminder.objects.count()
    people = Reminder.objects.values("user").distinct().count()
    with django_assert_max_num_queries(due + 8 * people + 2):
        result = reminders.RunResult()
        reminders.send_due(now, result)
    assert result.sent == due
