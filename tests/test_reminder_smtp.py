"""Reminders through a real SMTP conversation (aiosmtpd): headers, a server that says "try
later" mid-batch and then goes away, a permanent refusal."""

from collections import Counter
from datetime import date, timedelta

import pytest
from django.core.mail import get_connection
from django.urls import reverse

from obligations import reminders
from obligations.models import Reminder
from tests.smtp import Inbox, free_port, smtp_server

pytestmark = pytest.mark.django_db
DAY = date(2017, 4, 18)  # 7 days before EO 13768's 90-day reports


def smtp(port):
    return get_connection(
        "django.core.mail.backends.smtp.EmailBackend", host="127.0.0.1", port=port, timeout=5
    )


def states():
    return Counter(Reminder.objects.values_list("state", flat=True))


def test_messages_arrive_with_the_right_headers(recipients, settings):
    inbox = Inbox()
    with smtp_server(inbox) as port:
        result = reminders.run(reminders.send_time(DAY), connection=smtp(port))
    assert result.sent == len(inbox.reminder_ids()) > 0 and inbox.messages
    message = next(m for m in inbox.messages if "§15" in m["Subject"])
    assert message["From"] == settings.DEFAULT_FROM_EMAIL
    assert message["To"].endswith("@example.gov")
    assert message["Subject"].strip().startswith("Due in 7 days: EO 13768 §15")
    assert (
        message["List-Unsubscribe"]
        .strip()
        .startswith("<http://127.0.0.1:8000/reminders/unsubscribe/")
    )
    assert message["Auto-Submitted"] == "auto-generated"
    assert message.is_multipart()
    assert {p.get_content_type() for p in message.walk()} >= {"text/plain", "text/html"}


def test_server_says_try_later_then_goes_away_nothing_lost_nothing_doubled(recipients):
    now = reminders.send_time(DAY)
    inbox = Inbox(accept=3)
    port = free_port()
    with smtp_server(inbox, port):
        first = reminders.run(now, connection=smtp(port))
    total = Reminder.objects.count()
    assert first.sent == 3 and total > 3
    assert states() == {"sent": 3, "pending": total - 3}
    waiting = Reminder.objects.filter(state="pending")
    assert all(r.attempts == 1 and r.send_after > now for r in waiting)

    down = reminders.run(now + timedelta(minutes=10), connection=smtp(port))  # nobody listens
    assert down.sent == 0 and states() == {"sent": 3, "pending": total - 3}

    inbox.accept = None
    with smtp_server(inbox, port):
        later = reminders.run(now + timedelta(hours=1), connection=smtp(port))
    assert later.sent == total - 3
    assert states() == {"sent": total}
    ids = inbox.reminder_ids()
    assert len(ids) == len(set(ids)) == total  # 0 lost, 0 duplicates


def test_a_permanent_refusal_fails_once_and_shows_on_the_dashboard(client, recipients, people):
    refused = recipients[0]
    refused.email = "refused@example.gov"
    refused.save()
    inbox = Inbox()
    with smtp_server(inbox) as port:
        reminders.run(reminders.send_time(DAY), connection=smtp(port))
    failed = Reminder.objects.filter(user=refused)
    assert failed.exists() and all(r.state == "failed" and r.attempts == 1 for r in failed)
    assert "550" in failed.first().last_error
    assert all(m["To"] != "refused@example.gov" for m in inbox.messages)
    client.force_login(people["admin"])
    page = client.get(reverse("home")).content.decode()
    assert "Reminders that could not be sent" in page and "refused@example.gov" in page


def test_an_expired_claim_is_sent_again_after_the_lease(recipients, settings):
    """The documented window: a worker that claimed and died. After the lease, another run
    sends what it held."""
    now = reminders.send_time(DAY)
    reminders.plan(now)
    held = Reminder.objects.filter(user=recipients[0])
    held.update(state="claimed", claim="dead-worker", claimed_at=now)
    inbox = Inbox()
    with smtp_server(inbox) as port:
        soon = reminders.run(now + timedelta(minutes=1), connection=smtp(port))
        assert all(r.state == "claimed" for r in held.all())  # still within the lease
        lease = timedelta(minutes=settings.REMINDER_LEASE_MINUTES + 1)
        late = reminders.run(now + lease, connection=smtp(port))
    assert soon.swept == 0 and late.swept == held.count()
    assert states() == {"sent": Reminder.objects.count()}


def test_subject_and_text_are_plain_text_and_only_the_html_is_escaped(recipients, eo_13768):
    """An `&` or `'` in a title reaches the Subject header as itself, not as `&amp;` or `&#x27;`."""
    title = "review O'Neill & Smith's <findings>"
    eo_13768.obligations.filter(section="15").update(action=title)
    inbox = Inbox()
    with smtp_server(inbox) as port:
        reminders.run(reminders.send_time(DAY), connection=smtp(port))
    message = next(m for m in inbox.messages if "§15" in m["Subject"])
    subject = str(message["Subject"]).strip()
    assert subject.startswith("Due in 7 days: EO 13768 §15 (DHS): review O'Neill & Smith's <find")
    assert "&amp;" not in subject and "&#x27;" not in subject and "&lt;" not in subject
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert title in text and "&amp;" not in text
    assert "review O&#x27;Neill &amp; Smith&#x27;s &lt;findings&gt;" in html and title not in html


def test_one_run_sends_a_person_at_most_the_cap_and_a_digest_of_the_rest(people, settings):
    """Someone following 100 due dates with digests off: the cap in messages of their own, one
    digest of the rest, and each reminder row sent exactly once."""
    from django.contrib.auth.models import User

    from obligations.models import Follow, ReminderPreference
    from tests.conftest import make_obligation, make_occurrence, make_order

    settings.REMINDER_MAX_PER_PERSON = 20
    watcher = User.objects.create_user("watcher", email="watcher@example.gov")
    ReminderPreference.objects.create(user=watcher, digest=False)
    order = make_order()
    for i in range(100):
        obligation = make_obligation(order, section=str(i + 1))
        make_occurrence(obligation, due=DAY + timedelta(days=i % 30))  # 30 days out at most
        Follow.objects.create(user=watcher, obligation=obligation)
    inbox = Inbox()
    with smtp_server(inbox) as port:
        result = reminders.run(reminders.send_time(DAY), connection=smtp(port))
        later = reminders.send_time(DAY) + timedelta(hours=1)
        again = reminders.run(later, connection=smtp(port))
    assert again.sent == 0  # nothing left, nothing twice
    rows = Reminder.objects.filter(user=watcher)
    assert rows.count() == 100 and result.sent == 100
    mine = [m for m in inbox.messages if m["To"] == "watcher@example.gov"]
    assert len(mine) == 21  # 20 of their own, then one digest
    assert [len(m["X-Reminder-IDs"].split(",")) for m in mine] == [1] * 20 + [80]
    assert str(mine[-1]["Subject"]).strip() == "12 due this week, 68 coming up (2017-04-18)"
    ids = [i for m in mine for i in m["X-Reminder-IDs"].replace(" ", "").split(",")]
    assert sorted(map(int, ids)) == sorted(rows.values_list("pk", flat=True))  # each once
    assert set(rows.values_list("state", flat=True)) == {"sent"}
    singles = Reminder.objects.filter(pk__in=[int(m["X-Reminder-IDs"]) for m in mine[:20]])
    digest = rows.exclude(pk__in=singles)
    assert max(r.occurrence.due for r in singles) <= min(r.occurrence.due for r in digest)
