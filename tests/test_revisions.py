"""New texts of a stored order: the same text writes nothing; a changed text waits as a pending
version with a change list; applying it adds, changes and withdraws, keeps people's corrections,
and points every quote into the text it belongs to."""

from datetime import date

import pytest

from obligations import revisions
from obligations.extraction import read_file
from obligations.importers import import_text
from obligations.models import (
    Obligation,
    ObligationChange,
    Occurrence,
    OrderVersion,
    StatusChange,
)
from obligations.revisions import RevisionError
from obligations.tracking import change_conventions
from tests.conftest import ORDERS

pytestmark = pytest.mark.django_db

ORIGINAL = read_file(ORDERS / "eo-13768.txt")
SEC_13 = next(line for line in ORIGINAL.splitlines() if line.startswith("Sec. 13."))
# Sec. 15's first report moves from 90 to 60 days; Sec. 13 (quarterly reports) is deleted.
EDITED = ORIGINAL.replace("within 90 days of the date of this order and again", "within 60 days "
                          "of the date of this order and again").replace(SEC_13 + "\n", "")  # fmt: skip


def snapshot():
    return (
        list(Obligation.objects.values_list("id", "key", "span_start", "withdrawn_by")),
        list(Occurrence.objects.values_list("id", "status", "due", "version")),
        StatusChange.objects.count(), OrderVersion.objects.count(),
    )  # fmt: skip


@pytest.fixture
def stored():
    return import_text(ORIGINAL, source="first").order


def test_the_same_text_again_writes_nothing(stored):
    before = snapshot()
    result = import_text(ORIGINAL)
    assert result.outcome == "unchanged"
    assert "already imported, nothing changed" in result.summary()
    assert snapshot() == before


def test_a_new_text_waits_and_changes_nothing(stored):
    before = snapshot()
    result = import_text(EDITED, source="second")
    assert result.outcome == "pending" and result.version.number == 2
    assert result.version.state == "pending"
    assert snapshot()[:3] == before[:3]  # only the version was written
    changes = result.changes
    assert (len(changes.added), len(changes.changed), len(changes.retired)) == (0, 1, 2)
    (changed,) = changes.changed
    assert changed.section == "15" and "quote" in changed.fields
    assert changed.old_dues[0] == date(2017, 4, 25) and changed.new_dues[0] == date(2017, 3, 26)
    assert {e.section for e in changes.retired} == {"13"}
    assert "0 added, 1 changed, 2 retired" in result.summary()
    assert import_text(EDITED).outcome == "unchanged"  # the pending text is known too


def test_applying_withdraws_changes_and_reanchors(stored, people):
    version = import_text(EDITED).version
    sec13 = stored.obligations.get(section="13", rule__kind="recurring")
    open_before = sec13.occurrences.pending().count()
    assert open_before > 10
    revisions.apply(version, by=people["admin"])
    stored.refresh_from_db()
    assert stored.text == EDITED and revisions.current(stored) == version
    assert stored.versions.get(number=1).state == "superseded"
    # Withdrawn, never deleted: its open due dates are closed, with history naming the version.
    sec13.refresh_from_db()
    assert sec13.withdrawn_by == version and sec13.withdrawn_on is None
    assert sec13.occurrences.pending().count() == 0
    closed = sec13.occurrences.filter(status="not_required")
    assert closed.count() == open_before
    row = closed.first().history.first()
    assert row.by == people["admin"] and "text 2" in row.note and row.obligation_change
    assert ObligationChange.objects.get(obligation=sec13, field="withdrawn").by == people["admin"]
    # One obligation per directive; every quote is found where its spans say, in its text.
    report = stored.obligations.filter(section="15").order_by("span_start").first()
    first = report.occurrences.order_by("due").first()
    assert first.due == date(2017, 3, 26)
    assert report.changes.get(field="text").new["quote"].count("60 days") == 1
    for obligation in Obligation.objects.select_related("version"):
        text = obligation.version.text
        quote = text[obligation.span_start : obligation.span_end]
        assert " ".join(quote.split()) == " ".join(obligation.quote.split())
    active = stored.obligations.filter(withdrawn_by=None)
    assert all(o.version == version for o in active)
    assert sec13.version.number == 1  # its highlight stays in the text it was in


def test_a_status_people_set_survives(stored, people):
    occurrence = Occurrence.objects.filter(obligation__section="15").order_by("due").first()
    occurrence.change_status("submitted", submitted_on=date(2017, 7, 20))
    revisions.apply(import_text(EDITED).version, by=None)
    occurrence.refresh_from_db()
    assert occurrence.status == "submitted"


def test_conventions_people_chose_are_kept_unless_dropped(stored, people):
    series = stored.obligations.get(section="16")
    change_conventions(series, {**series.conventions, "day_count": "roll"})
    edited = EDITED.replace("provide quarterly reports on the following", "provide quarterly "
                            "reports on the following items")  # fmt: skip
    version = import_text(edited).version
    revisions.apply(version, by=None)
    series.refresh_from_db()
    assert series.conventions["day_count"] == "roll"

    again = import_text(edited.replace("items", "matters")).version
    revisions.apply(again, by=None, keep_corrections=False)
    series.refresh_from_db()
    assert series.conventions["day_count"] == "calendar"


def test_a_version_is_decided_once(stored, people):
    version = import_text(EDITED).version
    revisions.reject(version, by=people["admin"])
    with pytest.raises(RevisionError, match="rejected"):
        revisions.apply(version, by=people["admin"])
    stored.refresh_from_db()
    assert stored.text == ORIGINAL


TEXT = """number: 99002
title: Testing Imports
signed: 2020-03-02

Sec. 1. Reports. (a) The Secretary of Energy shall submit a report on grid security to the President within 60 days of the date of this order.

(b) The Secretary of Energy shall publish a summary annually.

(c) The Secretary of Energy shall brief the Congress within 30 days of the date of this order.
"""


def test_corrections_made_at_import_survive_a_new_text(client, people):
    from obligations import drafts
    from obligations.extraction import extract
    from obligations.importers import store

    extraction = extract(TEXT)
    rows = drafts.initial_rows(extraction)
    rows[0]["action"] = "grid security report"
    rows[1]["keep"] = False  # a draft the person left out
    store(drafts.apply_corrections(extraction, rows))
    report = Obligation.objects.get(section="1(a)")
    assert report.corrections == {"action": "grid security report"}

    result = import_text(TEXT.replace("within 60 days", "within 45 days"))
    changes = result.changes
    assert len(changes.added) == 0, "the left-out draft stays out"
    (changed,) = changes.changed
    assert changed.kept == ["action"]
    revisions.apply(result.version, by=None)
    report.refresh_from_db()
    assert report.action == "grid security report"
    assert report.occurrences.get().due == date(2020, 4, 16)
    assert Obligation.objects.filter(withdrawn_by=None).count() == 2


def test_the_import_page_says_already_imported_and_makes_a_pending_text(admin_client):
    from django.urls import reverse

    from tests.test_import_view import confirm_data, preview

    response = preview(admin_client, text=TEXT)
    admin_client.post(reverse("import_order"), confirm_data(response))
    before = snapshot()
    again = admin_client.post(reverse("import_order"), {"step": "preview", "text": TEXT},
                              follow=True)  # fmt: skip
    assert "already imported, nothing changed" in again.content.decode()
    assert snapshot() == before

    edited = TEXT.replace("within 60 days", "within 45 days")
    response = preview(admin_client, text=edited)
    assert "is stored already with another text" in response.content.decode()
    saved = admin_client.post(reverse("import_order"), confirm_data(response), follow=True)
    version = OrderVersion.objects.get(number=2)
    assert saved.redirect_chain[-1][0] == version.get_absolute_url()
    page = saved.content.decode()
    assert "0 added, 1 changed, 0 retired, 2 unchanged" in page
    assert "2020-05-01 → due 2020-04-16" in page
    assert Obligation.objects.get(section="1(a)").occurrences.get().due == date(2020, 5, 1)
    applied = admin_client.post(reverse("version_apply", args=[version.pk]),
                                {"keep_corrections": "on"}, follow=True)  # fmt: skip
    assert "Applied: text 2" in applied.content.decode()
    assert Obligation.objects.get(section="1(a)").occurrences.get().due == date(2020, 4, 16)


def test_only_who_may_import_decides(client, people):
    from django.urls import reverse

    import_text(TEXT)
    version = import_text(TEXT.replace("within 60 days", "within 45 days")).version
    client.force_login(people["dhs"])
    page = client.get(version.get_absolute_url()).content.decode()
    assert "Only someone allowed to import orders" in page and "Apply text 2" not in page
    assert client.post(reverse("version_apply", args=[version.pk])).status_code == 403
    version.refresh_from_db()
    assert version.state == "pending"


def test_the_command_shows_the_change_list_and_applies_on_request(tmp_path, stored):
    from io import StringIO

    from django.core.management import call_command

    path = tmp_path / "eo-13768-edited.txt"
    path.write_text(EDITED)
    out = StringIO()
    call_command("import_order", str(path), stdout=out)
    text = out.getvalue()
    assert "waits for review" in text and "changed: Sec. 15" in text
    assert "due 2017-04-25 → due 2017-03-26" in text and text.count("retired: Sec. 13") == 2
    stored.refresh_from_db()
    assert stored.text == ORIGINAL
    out = StringIO()
    call_command("import_order", str(path), stdout=out)
    assert "already imported, nothing changed" in out.getvalue()

    call_command("import_order", str(path), "--apply", stdout=StringIO())  # the waiting text
    stored.refresh_from_db()
    assert stored.text == EDITED


def test_pending_texts_are_listed_for_review_and_on_the_order_page(client, people, stored):
    from django.urls import reverse

    version = import_text(EDITED).version
    client.force_login(people["reader"])
    listed = client.get(reverse("effect_list")).content.decode()
    assert version.get_absolute_url() in listed
    page = client.get(stored.get_absolute_url()).content.decode()
    assert "text 2</a> (pending)" in page
    revisions.apply(version, by=None)
    page = client.get(stored.get_absolute_url()).content.decode()
    assert "Withdrawn" in page and "text 1</a> (superseded" in page
    sec13 = stored.obligations.get(section="13", rule__kind="recurring")
    assert f'id="obligation-{sec13.pk}"' not in page  # not highlighted in a text it is not in
    assert "Withdrawn:" in client.get(sec13.get_absolute_url()).content.decode()
