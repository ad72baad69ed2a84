"""The home page's counts per status come from OccurrenceCount, which the database keeps with
triggers (issue 16): after every kind of write they equal a direct count of the occurrences.
Runs on SQLite and, with DB_ENGINE=postgres, on PostgreSQL (the triggers differ)."""

from datetime import date

import pytest
from django.db.models import Count, Q

from obligations import clock, effects
from obligations.importers import import_text, sync_occurrences
from obligations.models import Obligation, Occurrence, OccurrenceCount
from obligations.tracking import change_conventions, change_series, record_progress
from obligations.views.home import overview, status_counts
from tests.test_import_bulk import large_order

pytestmark = pytest.mark.django_db


def direct() -> dict:
    """(count, past due) per status, counted over every occurrence."""
    today = clock.today()
    rows = Occurrence.objects.values_list("status").order_by()
    rows = rows.annotate(n=Count("id"), past=Count("id", filter=Q(due__lt=today)))
    return {status: (n, past) for status, n, past in rows}


def kept() -> dict:
    """The same, as the home page reads it (zeros left out)."""
    rows = status_counts(Occurrence.objects.all(), clock.today())
    return {status: (n, past) for status, n, past in rows if n}


def check():
    assert kept() == direct()
    shown = {value: n for value, _, n in overview(clock.today())["statuses"] if n}
    assert shown == {status: n for status, (n, _) in direct().items()}


def test_the_counts_follow_every_write(people, import_fixture, eo_13768):
    check()  # an import
    import_text(large_order())  # a bulk one
    check()
    admin = people["admin"]
    mine = Occurrence.objects.filter(obligation__order=eo_13768).order_by("due", "pk")
    first, second = mine[0], mine[1]
    record_progress(first, Occurrence.Status.IN_PROGRESS, by=admin)
    record_progress(second, Occurrence.Status.SUBMITTED, by=admin, submitted_on=second.due)
    check()  # status changes
    record_progress(second, Occurrence.Status.OPEN, by=admin)
    check()  # and back
    weekly = Obligation.objects.filter(order=eo_13768, rule__kind="recurring").first()
    moved = change_conventions(weekly, {**weekly.conventions, "day_count": "roll"}, by=admin)
    assert moved
    check()  # due dates moved
    series = {"action": "suspend", "on": date(2018, 1, 1), "authority": "a test"}
    assert change_series(weekly, series, by=admin)
    check()  # a series suspended: its later dates not required
    import_fixture("eo-13993.txt")  # proposes revoking EO 13768
    effect = eo_13768.effects_received.get()
    effects.apply(effect, by=admin)
    assert Occurrence.objects.filter(status=Occurrence.Status.UNMET).exists()
    check()  # a revocation: unmet and not required
    effects.undo(effect, by=admin)
    check()  # undone: reopened
    Obligation.objects.filter(occurrences__history=None).exclude(occurrences=None).first().delete()
    check()  # a cascade
    obligation = Obligation.objects.filter(order=eo_13768).first()
    Occurrence.objects.filter(obligation=obligation).update(due=date(2030, 1, 1))
    Occurrence.objects.bulk_create([Occurrence(obligation=obligation, sequence=900,
                                               due=date(2031, 1, 1), explanation="x")])  # fmt: skip
    check()  # raw updates and bulk inserts (make_bench_data, the admin)
    sync_occurrences(obligation)
    check()


def test_no_row_is_left_for_what_no_longer_exists_in_the_sum():
    """A status and day nothing has any more keeps a row of 0; the sums stay right."""
    import_text(large_order())
    Occurrence.objects.all().delete()
    assert not kept() and not direct()
    assert set(OccurrenceCount.objects.values_list("n", flat=True)) == {0}


def test_emptying_the_counts_first_leaves_no_negative_count():
    """A test database is flushed table by table in any order: a deletion never makes a row."""
    import_text(large_order())
    OccurrenceCount.objects.all().delete()
    Occurrence.objects.all().delete()
    assert not OccurrenceCount.objects.exists()
