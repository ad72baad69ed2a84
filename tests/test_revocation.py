"""A revoked order's due dates: those already passed and never met are unmet (terminal, with a
history row, no more reminders); those after the revocation are not required."""

from datetime import date, timedelta

import pytest
from django.core import mail
from django.urls import reverse

from obligations import reminders
from obligations.importers import sync_occurrences
from obligations.models import Occurrence, Order, Reminder
from tests.conftest import make_order

pytestmark = pytest.mark.django_db
REVOKED = date(2021, 1, 20)


def revoke(order):
    """What an applied revocation leaves: the order revoked, then its occurrences synced."""
    revoker = make_order(number="13993", signed=REVOKED, title="Revoker")
    Order.objects.filter(pk=order.pk).update(revoked_on=REVOKED, revoked_by=revoker)
    order.refresh_from_db()
    for obligation in order.obligations.all():
        sync_occurrences(obligation)
    return order


@pytest.fixture
def revoked(eo_13768):
    return revoke(eo_13768)


def test_due_dates_passed_and_never_met_become_unmet(eo_13768):
    met = Occurrence.objects.filter(obligation__order=eo_13768, due__lt=REVOKED).first()
    met.change_status(Occurrence.Status.SUBMITTED, submitted_on=met.due)
    revoke(eo_13768)
    mine = Occurrence.objects.filter(obligation__order=eo_13768)
    past = mine.filter(due__lte=REVOKED).exclude(pk=met.pk)
    assert past.count() > 100 and set(past.values_list("status", flat=True)) == {"unmet"}
    assert set(past.values_list("closed_on", flat=True)) == {REVOKED}
    note = past.first().history.first().note
    assert "EO 13993" in note and "2021-01-20" in note
    met.refresh_from_db()
    assert met.status == "submitted"
    later = mine.filter(due__gt=REVOKED)
    assert set(later.values_list("status", flat=True)) == {"not_required"}


def test_unmet_is_terminal_a_second_sync_changes_nothing(revoked):
    history = [o.history.count() for o in Occurrence.objects.filter(obligation__order=revoked)]
    for obligation in revoked.obligations.all():
        sync_occurrences(obligation)
    assert [
        o.history.count() for o in Occurrence.objects.filter(obligation__order=revoked)
    ] == history


def test_no_reminders_for_a_revoked_order(people, eo_13768):
    people["dhs"].email = "dhs@example.gov"
    people["dhs"].save()
    report = Occurrence.objects.filter(obligation__order=eo_13768, due__lt=REVOKED).first()
    waiting = Reminder.objects.create(
        occurrence=report, user=people["dhs"], kind="overdue-9",
        send_after=reminders.send_time(date(2021, 3, 1)) - timedelta(days=1),
    )  # fmt: skip
    revoke(eo_13768)
    result = reminders.run(reminders.send_time(date(2021, 3, 1)))
    assert (result.planned, result.sent, len(mail.outbox)) == (0, 0, 0)
    waiting.refresh_from_db()
    assert waiting.state == "cancelled"


def test_the_home_page_counts_them_unmet(client, people, revoked):
    client.force_login(people["reader"])
    statuses = client.get(reverse("home")).context["statuses"]
    unmet = Occurrence.objects.filter(obligation__order=revoked, due__lte=REVOKED).count()
    assert ("unmet", "Unmet", unmet) in statuses
    assert unmet > 100
