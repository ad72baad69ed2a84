"""A large order is written in bulk (issue 16): every occurrence exactly as the due dates say,
and an import that fails midway leaves nothing."""

from datetime import date

import pytest
from django.db import connection

from obligations import importers
from obligations.importers import import_text, sync_occurrences, tracks_of
from obligations.models import Agency, Obligation, Occurrence, Order, OrderVersion, StatusChange
from obligations.versions import data_version

pytestmark = pytest.mark.django_db
WEEKLY = 60


def large_order(number="99060") -> str:
    """60 weekly series (one shared track each, or one per agency), a deadline and an open one."""
    lines = [f"number: {number}", "title: Weekly Statistics", "signed: 2023-01-02", "",
             "By the authority vested in me as President, I hereby order as follows:", ""]  # fmt: skip
    for i in range(1, WEEKLY + 1):
        actors = "The Secretary of Homeland Security"
        if i % 3 == 0:
            actors += " and the Attorney General shall each"  # two tracks
        elif i % 3 == 1:
            actors += " and the Attorney General shall jointly"  # one shared track
        else:
            actors += " shall"
        sentence = f"{actors} publish the statistics of program {i} on a weekly basis."
        lines += [f"Sec. {i}. Statistics {i}. {sentence}", ""]
    report = "The Attorney General shall submit a report within 90 days of the date of this order."
    policy = "The Secretary of Homeland Security shall review the program."
    lines += [f"Sec. {WEEKLY + 1}. Report. {report}", "", f"Sec. {WEEKLY + 2}. Policy. {policy}"]
    return "\n".join(lines)


def expected(obligation) -> list[tuple]:
    """What the import wrote before it wrote in bulk: an occurrence per due date and track."""
    return [
        (obligation.key, agency.pk if agency else None, due.sequence, due.date,
         obligation.explain(due.explanation), due.period_start, due.period_end)
        for due in obligation.due_dates() for agency in tracks_of(obligation)
    ]  # fmt: skip


def stored(obligation) -> list[tuple]:
    rows = obligation.occurrences.order_by("sequence", "agency_id").values_list(
        "obligation__key", "agency_id", "sequence", "due", "explanation", "period_start",
        "period_end",
    )  # fmt: skip
    return list(rows)


def test_a_large_import_writes_every_occurrence_exactly():
    version = data_version()
    result = import_text(large_order())
    obligations = Obligation.objects.filter(order=result.order).prefetch_related("agencies")
    assert obligations.count() == WEEKLY + 2
    total = 0
    for obligation in obligations:
        want = sorted(expected(obligation), key=lambda row: (row[2], row[1] or 0))
        assert stored(obligation) == want, obligation.section
        total += len(want)
    weekly = obligations.filter(rule__kind="recurring")
    assert {len(o.due_dates()) for o in weekly} == {208}  # four years of weeks
    tracks = sum(len(tracks_of(o)) for o in weekly)
    assert tracks == WEEKLY + WEEKLY // 3  # each third has two tracks
    assert total == 208 * tracks + 1  # and the 90-day report; nothing for the open one
    assert result.counts["occurrences_created"] == total == Occurrence.objects.count()
    # Each row as a new occurrence made through the ORM would be: open, version 0, no dates.
    made = Occurrence(obligation=obligations[0], sequence=1, due=date(2023, 1, 9))
    defaults = {name: getattr(made, name) for name in ("status", "version", *Occurrence.TRACKED)}
    assert set(Occurrence.objects.values_list(*defaults)) == {tuple(defaults.values())}
    assert StatusChange.objects.count() == 0
    assert data_version() != version  # every page shows it on the next request
    # Syncing again (what a change of conventions does) finds nothing to add or change.
    again = importers.ImportResult(result.order)
    for obligation in obligations:
        sync_occurrences(obligation, again)
    assert again.counts["occurrences_created"] == again.counts["occurrences_updated"] == 0


def counts():
    models = (Order, OrderVersion, Obligation, Occurrence, StatusChange, Agency)
    return {model.__name__: model.objects.count() for model in models}


def test_a_failure_while_writing_occurrences_leaves_nothing(monkeypatch):
    before = counts()
    insert = importers.insert_occurrences

    def half_then_fail(rows):
        insert(rows[: len(rows) // 2])  # written, then the import fails
        raise RuntimeError("disk full")

    monkeypatch.setattr(importers, "insert_occurrences", half_then_fail)
    with pytest.raises(RuntimeError, match="disk full"):
        import_text(large_order())
    assert counts() == before
    monkeypatch.setattr(importers, "insert_occurrences", insert)
    assert import_text(large_order()).counts["occurrences_created"] > 0  # nothing was left


def test_a_failure_between_obligations_leaves_nothing(monkeypatch):
    import_text(large_order("99061"))  # an order already there stays as it was
    before = counts()
    create, made = importers.create_obligation, []

    def fail_at_30(*args, **kwargs):
        if len(made) == 30:
            raise RuntimeError("interrupted")
        made.append(create(*args, **kwargs))
        return made[-1]

    monkeypatch.setattr(importers, "create_obligation", fail_at_30)
    with pytest.raises(RuntimeError, match="interrupted"):
        import_text(large_order())
    assert counts() == before


def test_the_rows_take_the_databases_date_type():
    """A date goes in as the backend stores it (SQLite text, PostgreSQL date) and comes out
    as a date."""
    result = import_text(large_order())
    occurrence = Occurrence.objects.filter(obligation__order=result.order).first()
    assert isinstance(occurrence.due, date) and isinstance(occurrence.period_start, date)
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM obligations_occurrence WHERE due >= %s",
                       [date(2023, 1, 9)])  # fmt: skip
        assert cursor.fetchone()[0] == Occurrence.objects.count()
