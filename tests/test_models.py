from datetime import date, timedelta

import pytest

from obligations.models import Occurrence, StatusChange
from tests.conftest import make_occurrence

pytestmark = pytest.mark.django_db
DUE = date(2017, 4, 25)


@pytest.mark.parametrize(
    ("today", "state"),
    [
        (DUE - timedelta(days=8), "upcoming"),
        (DUE - timedelta(days=7), "due_soon"),
        (DUE, "due_soon"),
        (DUE + timedelta(days=1), "overdue"),
    ],
)
def test_state_agrees_with_the_queryset(today, state):
    occurrence = make_occurrence(due=DUE)
    assert occurrence.state(today) == state
    assert Occurrence.objects.overdue(today).exists() == (state == "overdue")
    assert Occurrence.objects.due_within(7, today).exists() == (state == "due_soon")


def test_a_done_occurrence_is_never_overdue():
    occurrence = make_occurrence(due=DUE, status=Occurrence.Status.SUBMITTED)
    later = DUE + timedelta(days=30)
    assert occurrence.state(later) == "done"
    assert not Occurrence.objects.overdue(later).exists()
    assert list(Occurrence.objects.done()) == [occurrence]


def test_change_status_writes_one_history_row_and_bumps_version():
    occurrence = make_occurrence()
    occurrence.change_status(Occurrence.Status.SUBMITTED, note="sent to the President")
    (change,) = occurrence.history.all()
    assert (change.from_status, change.to_status, change.note) == (
        "open",
        "submitted",
        "sent to the President",
    )
    assert occurrence.version == 1


def test_failed_status_save_leaves_no_history(monkeypatch):
    occurrence = make_occurrence()

    def fail(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(StatusChange, "save", fail)
    with pytest.raises(RuntimeError):
        occurrence.change_status(Occurrence.Status.SUBMITTED)
    occurrence.refresh_from_db()
    assert occurrence.status == "open"
    assert occurrence.version == 0


def test_history_is_append_only():
    occurrence = make_occurrence()
    occurrence.change_status(Occurrence.Status.WAIVED)
    change = occurrence.history.get()
    with pytest.raises(PermissionError):
        change.save()
    with pytest.raises(PermissionError):
        change.delete()
    with pytest.raises(PermissionError):
        StatusChange.objects.update(note="edited")
    with pytest.raises(PermissionError):
        StatusChange.objects.all().delete()
    assert StatusChange.objects.get().note == ""
