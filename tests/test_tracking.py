"""Progress on an occurrence, and obligations that count from another one's completion."""

from datetime import date

import pytest

from obligations.importers import import_text
from obligations.models import Occurrence, StatusChange
from obligations.tracking import record_progress

pytestmark = pytest.mark.django_db

ORDER = """number: 99001
title: Reviewing Things
signed: 2020-03-02

By the authority vested in me as President, I hereby order as follows:

Sec. 2. Review. (a) The Secretary of Energy shall complete a review of grid security within 60 days of the date of this order.

(b) Within 30 days of the completion of the review, the Secretary of Energy shall submit a report to the President.
"""


def test_a_dependent_deadline_follows_the_completion_of_the_other():
    order = import_text(ORDER).order
    review = order.obligations.get(section="2(a)")
    report = order.obligations.get(section="2(b)")
    assert report.depends_on == review
    assert report.get_rule().anchor == "completion of the review"
    assert not report.occurrences.exists()  # no date until the review is done

    (done,) = review.occurrences.all()
    assert done.due == date(2020, 5, 1)
    record_progress(done, Occurrence.Status.SUBMITTED, submitted_on=date(2020, 4, 20))

    (follow,) = report.occurrences.all()
    assert follow.due == date(2020, 5, 20)
    assert follow.explanation.startswith("2020-04-20 (completion of the review) + 30 calendar days")


def test_progress_records_its_fields_in_the_history():
    order = import_text(ORDER).order
    (occurrence,) = order.obligations.get(section="2(a)").occurrences.all()
    record_progress(
        occurrence,
        Occurrence.Status.SUBMITTED,
        note="sent",
        submitted_on=date(2020, 4, 20),
        evidence_url="https://example.gov/report.pdf",
    )
    change = StatusChange.objects.get(occurrence=occurrence)
    assert change.changes == {
        "submitted_on": "2020-04-20",
        "evidence_url": "https://example.gov/report.pdf",
    }
    occurrence.refresh_from_db()
    assert (occurrence.status, occurrence.submitted_on) == ("submitted", date(2020, 4, 20))


def test_an_untracked_field_is_refused_and_nothing_changes():
    order = import_text(ORDER).order
    (occurrence,) = order.obligations.get(section="2(a)").occurrences.all()
    with pytest.raises(ValueError, match="not a tracked field"):
        record_progress(occurrence, Occurrence.Status.SUBMITTED, due=date(2030, 1, 1))
    occurrence.refresh_from_db()
    assert occurrence.status == "open" and not occurrence.history.exists()
