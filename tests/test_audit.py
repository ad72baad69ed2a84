"""Audit trail: every path that changes a status writes exactly one history row, in the same
transaction; history rows cannot be changed or deleted (and on PostgreSQL not even in SQL)."""

from datetime import date

import pytest
from django.db import connection, transaction
from django.urls import reverse

from obligations import effects
from obligations.models import Occurrence, OrderEffect, StatusChange

pytestmark = pytest.mark.django_db


def pick(order, n=1):
    return list(Occurrence.objects.filter(obligation__order=order, status="open")[:n])


def test_dashboard_form_writes_one_row(client, people, eo_13768):
    (occurrence,) = pick(eo_13768.obligations.get(section="9(b)").order)
    client.force_login(people["dhs"])
    client.post(
        reverse("occurrence_detail", args=[occurrence.pk]), {"status": "in_progress", "version": 0}
    )
    (row,) = StatusChange.objects.filter(occurrence=occurrence)
    assert (row.by, row.from_status, row.to_status) == (people["dhs"], "open", "in_progress")
    assert row.at is not None


def test_applying_a_revocation_writes_one_row_each(people, import_fixture, eo_13768):
    import_fixture("eo-13993.txt")
    effect = OrderEffect.objects.get()
    effects.apply(effect, by=people["admin"])
    retired = Occurrence.objects.filter(obligation__order=eo_13768).exclude(status="open")
    assert retired.exists()
    for occurrence in retired:
        (row,) = StatusChange.objects.filter(occurrence=occurrence)
        assert (row.by, row.effect, row.to_status) == (people["admin"], effect, occurrence.status)
        assert "EO 13993" in row.note and occurrence.closed_on == date(2021, 1, 20)


def test_a_failed_history_write_leaves_the_status_unchanged(eo_13768, monkeypatch):
    (occurrence,) = pick(eo_13768)

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(StatusChange.objects, "create", broken)
    with pytest.raises(RuntimeError):
        occurrence.change_status(Occurrence.Status.SUBMITTED)
    occurrence.refresh_from_db()
    assert occurrence.status == "open" and not StatusChange.objects.exists()


def test_history_cannot_be_changed_through_the_orm(eo_13768):
    (occurrence,) = pick(eo_13768)
    occurrence.change_status(Occurrence.Status.SUBMITTED)
    row = StatusChange.objects.get()
    for attempt in (row.save, row.delete, StatusChange.objects.all().delete,
                    lambda: StatusChange.objects.update(note="x")):  # fmt: skip
        with pytest.raises(PermissionError):
            attempt()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
def test_postgres_refuses_raw_updates_and_deletes(eo_13768):
    from django.db import DatabaseError

    (occurrence,) = pick(eo_13768)
    occurrence.change_status(Occurrence.Status.SUBMITTED)
    for sql in ("UPDATE obligations_statuschange SET note = 'x'",
                "DELETE FROM obligations_statuschange"):  # fmt: skip
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            connection.cursor().execute(sql)
    assert StatusChange.objects.count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
def test_postgres_refuses_raw_changes_to_evidence(world, tmp_path, settings):
    from django.db import DatabaseError

    from obligations.models import Evidence

    assert Evidence.objects.count() == 1  # the world attaches one file
    for sql in ("UPDATE obligations_evidence SET sha256 = 'x'",
                "DELETE FROM obligations_evidence"):  # fmt: skip
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            connection.cursor().execute(sql)
    assert Evidence.objects.count() == 1
