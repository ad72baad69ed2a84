from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from obligations import effects
from obligations.extraction import ExtractionError
from obligations.importers import import_text
from obligations.models import Obligation, Occurrence, Order, OrderEffect, StatusChange

pytestmark = pytest.mark.django_db
REVOKED = date(2021, 1, 20)


def counts():
    return [m.objects.count() for m in (Order, Obligation, Occurrence, StatusChange)]


def test_eo_13768_end_to_end(import_fixture):
    import_fixture("eo-13768.txt")
    order = Order.objects.get(number="13768")
    reports = Occurrence.objects.filter(
        obligation__order=order, obligation__section="15", due=date(2017, 4, 25)
    )
    # "the Secretary and the Attorney General shall each submit": a track for each agency
    assert sorted(reports.values_list("agency__abbreviation", flat=True)) == ["DHS", "DOJ"]
    report = reports.first()
    assert report.explanation.startswith(
        "2017-01-25 (signed) + 90 calendar days = 2017-04-25 (Tue); Sec. 15:"
    )
    agencies = {a.abbreviation for a in report.obligation.agencies.all()}
    assert agencies == {"DHS", "DOJ"}
    fines = Occurrence.objects.get(obligation__order=order, obligation__section="6", due__year=2018)
    assert fines.due == date(2018, 1, 25)


def test_reimport_changes_nothing(import_fixture):
    import_fixture("eo-13768.txt")
    before = counts()
    stamps = list(Occurrence.objects.order_by("pk").values_list("updated_at", flat=True))
    result = import_fixture("eo-13768.txt")
    assert counts() == before
    assert list(Occurrence.objects.order_by("pk").values_list("updated_at", flat=True)) == stamps
    assert result.counts["obligations_created"] == result.counts["occurrences_created"] == 0


@pytest.mark.parametrize("first", ["eo-13768.txt", "eo-13993.txt"])
def test_revocation_ends_the_series(import_fixture, first):
    second = "eo-13993.txt" if first == "eo-13768.txt" else "eo-13768.txt"
    import_fixture(first)
    import_fixture(second)
    effects.apply(OrderEffect.objects.get(), by=None)
    order = Order.objects.get(number="13768")
    assert order.revoked_on == REVOKED
    assert order.revoked_by.number == "13993"
    weekly = Occurrence.objects.filter(obligation__order=order, obligation__section="9(b)")
    dues = list(weekly.values_list("due", flat=True))
    assert (dues[0], dues[-1], len(dues)) == (date(2017, 2, 1), REVOKED, 208)
    quarterly = Occurrence.objects.filter(obligation__order=order, obligation__section="16")
    assert quarterly.order_by("due").first().due == date(2017, 4, 25)
    assert not quarterly.pending().filter(due__gt=REVOKED).exists()
    for occurrence in Occurrence.objects.filter(obligation__order=order, due__gt=REVOKED):
        assert occurrence.status == "not_required"
        assert "13993" in occurrence.history.get().note


def test_an_error_mid_import_leaves_nothing(monkeypatch, import_fixture):
    from obligations import importers

    def broken(*args, **kwargs):
        raise RuntimeError("lost the database connection")

    monkeypatch.setattr(importers, "propose_effects", broken)
    with pytest.raises(RuntimeError):
        import_fixture("eo-13768.txt")
    assert counts() == [0, 0, 0, 0]


def test_statuses_people_set_survive_a_reimport(import_fixture):
    import_fixture("eo-13768.txt")
    occurrence = Occurrence.objects.filter(obligation__section="15").first()
    occurrence.change_status(Occurrence.Status.SUBMITTED)
    import_fixture("eo-13768.txt")
    occurrence.refresh_from_db()
    assert occurrence.status == "submitted"


def test_not_an_order_writes_nothing():
    with pytest.raises(ExtractionError):
        import_text("A shopping list: apples, pears and bread.")
    assert counts() == [0, 0, 0, 0]


def test_memo_with_a_signing_date():
    text = "Sec. 1. The Director of ICE shall expand the program within 60 days of this memorandum."
    result = import_text(text, signed=date(2017, 2, 20), kind="memo")
    assert result.order.kind == "memorandum"
    occurrence = Occurrence.objects.get()
    assert occurrence.due == date(2017, 4, 21)
    assert occurrence.obligation.actors == ["Director of U.S. Immigration and Customs Enforcement"]


def test_import_command(tmp_path):
    out = StringIO()
    call_command("import_order", "fixtures/orders/eo-13768.txt", stdout=out)
    assert "EO 13768" in out.getvalue() and "created" in out.getvalue()


@pytest.mark.parametrize(
    ("content", "args", "message"),
    [
        (None, [], "no such file"),
        (b"Sec. 1. The Secretary shall act.", ["--signed", "2017-13-01"], "YYYY-MM-DD"),
        (b"Sec. 1. Caf\xe9 shall", [], "not UTF-8"),
        (b"", [], "empty"),
        (b"signed: 2017-02-30\n\nSec. 1. The Secretary of State shall act.", [],
         "the header's signed date '2017-02-30' is not a date"),
        (b"number: " + b"9" * 35 + b"\n\nSec. 1. The Secretary of State shall act.", [],
         "the header's number is 35 characters long; at most 20"),
    ],
)  # fmt: skip
def test_import_command_refuses_bad_input(tmp_path, content, args, message):
    path = tmp_path / "order.txt"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(CommandError, match=message):
        call_command("import_order", str(path), *args, stdout=StringIO())
    assert counts() == [0, 0, 0, 0]


def test_extract_command_json_contract():
    out = StringIO()
    call_command("extract_obligations", "fixtures/orders/eo-13768.txt", "--json", stdout=out)
    import json

    rows = json.loads(out.getvalue())
    keys = {"section", "kind", "due", "every", "first_due", "anchor", "actors", "action", "quote",
            "start", "end"}  # fmt: skip
    assert all(set(row) == keys for row in rows)
    assert {"section": "9(b)", "kind": "recurring", "every": "week"}.items() <= next(
        r for r in rows if r["section"] == "9(b)"
    ).items()


def test_evaluate_command(capsys):
    out = StringIO()
    call_command(
        "evaluate_extraction", "--texts", "fixtures/orders", "--gold", "tests/gold", stdout=out
    )
    assert "total: precision 1.000 recall 1.000 F1 1.000 (gold 38" in out.getvalue()


def test_make_bench_data_builds_a_consistent_set():
    out = StringIO()
    call_command("make_bench_data", "--orders", "3", "--obligations", "30", "--occurrences",
                 "6000", stdout=out)  # fmt: skip
    assert Order.objects.filter(number__startswith="B").count() == 3
    big = Order.objects.get(number="B00000")
    assert Occurrence.objects.filter(obligation__order=big).count() == 5000
    assert Obligation.objects.count() >= 30
    with pytest.raises(CommandError, match="already here"):
        call_command("make_bench_data", "--orders", "1", "--obligations", "1", stdout=out)
