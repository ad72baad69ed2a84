"""Bulk effects of a conventions change name their user and cause, and a later change that
brings the due dates back reopens what the first one closed. The admin changes no due date or
status behind the history's back."""

from datetime import date

import pytest
from django.contrib import admin
from django.urls import reverse

from obligations.models import Obligation, ObligationChange, Occurrence, StatusChange
from obligations.tracking import change_conventions

pytestmark = pytest.mark.django_db
EARLY_END = date(2017, 6, 1)


def end_at(obligation, end, by):
    conventions = {**obligation.get_conventions().to_dict(), "end": end}
    change_conventions(obligation, conventions, by=by, note=f"series ends {end}")
    return ObligationChange.objects.filter(obligation=obligation).first()


@pytest.fixture
def weekly(eo_13768):
    return eo_13768.obligations.get(section="9(b)")


def test_closing_through_the_conventions_names_the_user_and_the_change(people, weekly):
    change = end_at(weekly, EARLY_END.isoformat(), people["dhs"])
    rows = StatusChange.objects.filter(occurrence__obligation=weekly)
    assert rows.count() > 150
    assert {(r.by, r.obligation_change, r.to_status) for r in rows} == {
        (people["dhs"], change, "not_required")
    }


def test_moving_the_end_back_reopens_what_the_change_closed(people, weekly):
    end_at(weekly, EARLY_END.isoformat(), people["dhs"])
    waived = weekly.occurrences.filter(status="not_required").first()
    waived.change_status(Occurrence.Status.WAIVED, by=people["dhs"], note="a person decided")
    closed = set(weekly.occurrences.filter(status="not_required").values_list("pk", flat=True))

    change = end_at(weekly, None, people["admin"])
    assert not weekly.occurrences.filter(status="not_required").exists()
    reopened = StatusChange.objects.filter(obligation_change=change, to_status="open")
    assert set(reopened.values_list("occurrence", flat=True)) == closed
    assert all(r.by == people["admin"] and "Reopened" in r.note for r in reopened)
    waived.refresh_from_db()
    assert waived.status == "waived"  # a person's decision, not the bulk effect's


def test_the_admin_leaves_due_dates_and_statuses_to_the_tracked_paths():
    occurrences = admin.site._registry[Occurrence]
    fields = occurrences.get_readonly_fields(None)
    assert {"due", "agency", "status", "closed_on"} <= set(fields)
    assert "mark_waived" not in (occurrences.actions or [])
    obligations = admin.site._registry[Obligation]
    assert {"rule", "conventions"} <= set(obligations.get_readonly_fields(None))


def test_the_admin_change_form_cannot_move_a_due_date(client, people, weekly):
    occurrence = weekly.occurrences.get(sequence=1)
    client.force_login(people["admin"])
    url = reverse("admin:obligations_occurrence_change", args=[occurrence.pk])
    client.post(url, {
        "obligation": weekly.pk, "sequence": 1, "due": "2030-01-01", "status": "waived",
        "explanation": "x", "history-TOTAL_FORMS": 0, "history-INITIAL_FORMS": 0,
    })  # fmt: skip
    occurrence.refresh_from_db()
    assert occurrence.due != date(2030, 1, 1) and occurrence.status == "open"
    response = client.post(reverse("admin:obligations_occurrence_changelist"), {
        "action": "mark_waived", "_selected_action": [occurrence.pk]})  # fmt: skip
    occurrence.refresh_from_db()
    assert occurrence.status == "open" and not occurrence.history.exists()
    assert response.status_code in (200, 302)
