"""The record tells the truth: a track per agency, separated duties, dates that can be true,
and a form posted from a stale page refused with what changed."""

from datetime import date
from itertools import pairwise

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from obligations.importers import import_text
from obligations.models import Conflict, Occurrence, StatusChange
from obligations.tracking import record_progress

pytestmark = pytest.mark.django_db
SUBMITTED = date(2017, 4, 24)

EACH = """number: 99020
title: Two Reports
signed: 2020-03-02

Sec. 1. Reports. (a) The Secretary of Energy and the Attorney General shall each submit a report to the President within 90 days of the date of this order.

(b) Within 30 days of the completion of the report, the Secretary of Energy shall publish a summary.

Sec. 2. Plan. The Secretary of Energy and the Attorney General shall jointly submit a plan within 60 days of the date of this order.
"""


def tracks_of(obligation, sequence=1):
    return {o.agency.name.split()[-1] if o.agency else None: o
            for o in obligation.occurrences.filter(sequence=sequence).select_related("agency")}  # fmt: skip


def report_track(order, agency="DHS"):
    return Occurrence.objects.get(
        obligation__order=order,
        obligation__section="15",
        due=date(2017, 4, 25),
        agency__abbreviation=agency,
    )


# --- one obligation, several agencies ------------------------------------------------------


def test_each_agency_gets_its_own_track_and_the_due_date_waits_for_both():
    order = import_text(EACH).order
    report, summary = order.obligations.get(section="1(a)"), order.obligations.get(section="1(b)")
    tracks = tracks_of(report)
    assert set(tracks) == {"Energy", "Justice"}
    assert summary.depends_on == report
    record_progress(tracks["Energy"], "submitted", submitted_on=date(2020, 5, 1))
    assert tracks_of(report)["Justice"].status == "open"  # DOE's submission does not close DOJ's
    assert not summary.occurrences.exists()  # the report is not complete until both are in
    record_progress(tracks["Justice"], "submitted", submitted_on=date(2020, 5, 20))
    (follow,) = summary.occurrences.all()
    assert follow.due == date(2020, 6, 19)  # 30 days from the last agency's submission


def test_a_joint_deliverable_has_one_shared_track():
    order = import_text(EACH).order
    assert set(tracks_of(order.obligations.get(section="2"))) == {None}


def test_the_page_says_how_many_agencies_submitted(client, people, eo_13768):
    dhs = report_track(eo_13768)
    record_progress(dhs, "submitted", submitted_on=SUBMITTED)
    client.force_login(people["reader"])
    page = client.get(reverse("occurrence_detail", args=[dhs.pk])).content.decode()
    assert "1 of 2 agencies submitted" in page
    assert report_track(eo_13768, "DOJ").status == "open"


# --- separation of duties ------------------------------------------------------------------


def submitted(order):
    track = report_track(order)
    record_progress(track, "submitted", submitted_on=SUBMITTED)
    return track


VERIFY = {"verified_on": date(2017, 5, 2), "verification_url": "https://oig.example.gov/r"}


def test_an_agency_cannot_verify_its_own_submission(people, eo_13768):
    track = submitted(eo_13768)
    with pytest.raises(PermissionDenied):
        record_progress(track, "verified", by=people["dhs"], **VERIFY)
    track.refresh_from_db()
    assert track.status == "submitted" and track.verified_on is None


def test_a_verifier_verifies_with_a_date_and_a_source(people, eo_13768):
    track = submitted(eo_13768)
    with pytest.raises(ValidationError) as refused:
        record_progress(track, "verified", by=people["verifier"], verified_on=date(2017, 5, 2))
    assert "verification_url" in refused.value.message_dict
    record_progress(track, "verified", by=people["verifier"], **VERIFY)
    track.refresh_from_db()
    assert (track.status, track.verified_on) == ("verified", date(2017, 5, 2))
    assert track.history.first().by == people["verifier"]
    with pytest.raises(PermissionDenied):  # the agency cannot undo an independent verification
        record_progress(track, "submitted", by=people["dhs"])


def test_a_verifier_never_verifies_an_agency_they_act_for(people, eo_13768):
    track = submitted(eo_13768)
    people["verifier"].groups.add(track.agency.group)
    with pytest.raises(PermissionDenied):
        record_progress(track, "verified", by=people["verifier"], **VERIFY)


def test_a_waiver_needs_its_permission_and_a_cited_authority(people, eo_13768):
    track = report_track(eo_13768)
    cited = {"closed_on": date(2017, 3, 1), "authority": "OMB memo M-17-01",
             "authority_url": "https://omb.example.gov/m-17-01"}  # fmt: skip
    with pytest.raises(PermissionDenied):
        record_progress(track, "waived", by=people["dhs"], **cited)
    with pytest.raises(ValidationError) as refused:
        record_progress(track, "waived", by=people["closer"], closed_on=date(2017, 3, 1))
    assert {"authority", "authority_url"} <= set(refused.value.message_dict)
    record_progress(track, "waived", by=people["closer"], **cited)
    track.refresh_from_db()
    assert (track.status, track.authority) == ("waived", "OMB memo M-17-01")


def test_the_form_offers_only_the_moves_a_person_may_make(client, people, eo_13768):
    track = report_track(eo_13768)
    client.force_login(people["dhs"])
    form = client.get(reverse("occurrence_detail", args=[track.pk])).context["form"]
    assert [c for c, _ in form.fields["status"].choices] == ["open", "in_progress", "submitted"]
    assert form.fields["verified_on"].disabled and not form.fields["submitted_on"].disabled
    response = client.post(reverse("occurrence_detail", args=[track.pk]), {
        "status": "verified", "version": 0, "submitted_on": "2017-04-24", **VERIFY,
    })  # fmt: skip
    assert response.status_code == 400
    track.refresh_from_db()
    assert track.status == "open" and not track.history.exists()


# --- dates that cannot be true -------------------------------------------------------------


@pytest.mark.parametrize(("fields", "field", "message"), [
    ({"submitted_on": date(2017, 1, 24)}, "submitted_on", "before the order was signed"),
    ({"submitted_on": date(2017, 7, 25)}, "submitted_on", "after today"),
    ({}, "submitted_on", "Give the date it was submitted"),
    ({"submitted_on": SUBMITTED, "published_on": date(2017, 4, 1)}, "published_on",
     "before it was submitted"),
])  # fmt: skip
def test_dates_that_cannot_be_true_are_refused(people, eo_13768, pinned_today, fields, field,
                                               message):  # fmt: skip
    track = report_track(eo_13768)
    with pytest.raises(ValidationError) as refused:
        record_progress(track, "submitted", by=people["dhs"], **fields)
    assert message in " ".join(refused.value.message_dict[field])
    track.refresh_from_db()
    assert track.status == "open" and not track.history.exists()


def test_submitted_with_no_date_while_viewing_the_past_stores_nothing(
    client, people, eo_13768, pinned_today
):
    """It used to store today's date as the submission date of a page "as of 2017-04-28"."""
    track = report_track(eo_13768)
    client.force_login(people["dhs"])
    url = reverse("occurrence_detail", args=[track.pk]) + "?as_of=2017-04-28"
    response = client.post(url, {"status": "submitted", "version": 0})
    assert response.status_code == 400
    assert "Give the date it was submitted" in response.content.decode()
    track.refresh_from_db()
    assert track.status == "open" and track.submitted_on is None


# --- a form posted from a stale page -------------------------------------------------------


def test_a_stale_form_gets_409_with_what_changed_and_the_input_kept(client, people, eo_13768):
    track = report_track(eo_13768)
    record_progress(track, "in_progress", by=people["admin"], note="drafting")  # version 1
    client.force_login(people["dhs"])
    response = client.post(reverse("occurrence_detail", args=[track.pk]), {
        "status": "submitted", "submitted_on": "2017-04-24", "version": 0,
        "note": "my careful note",
    })  # fmt: skip
    assert response.status_code == 409
    page = response.content.decode()
    assert "changed after you opened it" in page and "drafting" in page and "boss" in page
    assert "my careful note" in page  # the input is kept
    assert response.context["form"]["version"].value() == 1  # resubmitting applies it
    track.refresh_from_db()
    assert (track.status, track.version, track.history.count()) == ("in_progress", 1, 1)


def test_a_stale_version_raises_conflict_and_writes_nothing(eo_13768):
    track = report_track(eo_13768)
    record_progress(track, "in_progress")
    with pytest.raises(Conflict):
        record_progress(track, "submitted", submitted_on=SUBMITTED, expected_version=0)
    assert StatusChange.objects.filter(occurrence=track).count() == 1


def test_version_counts_applied_changes_and_history_chains(eo_13768):
    track = report_track(eo_13768)
    moves = ["in_progress", "submitted", "in_progress", "open", "open"]
    for status in moves:
        record_progress(track, status, **({"submitted_on": SUBMITTED} if status == "submitted"
                                          else {}))  # fmt: skip
    rows = list(track.history.order_by("at", "id"))
    assert len(rows) == 4  # the last "open -> open" changed nothing and wrote nothing
    assert [r.version for r in rows] == [1, 2, 3, 4]
    assert all(a.to_status == b.from_status for a, b in pairwise(rows))
    track.refresh_from_db()
    assert track.version == 4


def test_an_unmet_track_offers_its_agency_no_form(client, people, eo_13768):
    track = report_track(eo_13768)
    track.change_status(Occurrence.Status.UNMET, closed_on=date(2021, 1, 20))
    client.force_login(people["dhs"])
    response = client.get(reverse("occurrence_detail", args=[track.pk]))
    assert "Unmet is final" in response.content.decode()
    assert not response.context["can_change"]
    client.force_login(people["admin"])
    response = client.get(reverse("occurrence_detail", args=[track.pk]))
    assert response.context["can_change"]  # an admin may reopen it
