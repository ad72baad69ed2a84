"""The obligations list's exports carry each agency's track of the next due date."""

import csv
import io
import json
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from obligations.models import Occurrence

pytestmark = pytest.mark.django_db


def export(client, kind, **query):
    response = client.get(reverse("obligation_list"), {"format": kind, **query})
    assert response.status_code == 200
    if kind == "json":
        return json.loads(response.content)["obligations"]
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def by_section(rows, section):
    return [r for r in rows if r["section"] == section]


def test_exports_name_each_tracks_state(client, people, eo_13768, pinned_today):
    client.force_login(people["reader"])
    report = Occurrence.objects.get(
        obligation__order=eo_13768, obligation__section="15", due=date(2017, 4, 25),
        agency__abbreviation="DHS",
    )  # fmt: skip
    report.change_status(Occurrence.Status.SUBMITTED, submitted_on=date(2017, 4, 20))
    for kind in ("csv", "json"):
        rows = export(client, kind, order=eo_13768.pk, as_of="2017-04-24")
        first = next(r for r in by_section(rows, "15") if r["next_due"] == "2017-04-25")
        assert first["tracks"] == "DHS: submitted; DOJ: open"
        (weekly,) = by_section(rows, "9(b)")
        assert weekly["tracks"] == "DHS: open"  # one agency: one track
    before = export(client, "csv", order=eo_13768.pk, as_of="2017-04-19")
    first = next(r for r in by_section(before, "15") if r["next_due"] == "2017-04-25")
    assert first["tracks"] == "DHS: open; DOJ: open"  # as it stood: not submitted yet


def test_the_column_is_in_the_csv_header(client, people, eo_13768):
    client.force_login(people["reader"])
    body = client.get(reverse("obligation_list"), {"format": "csv"}).content.decode()
    assert body.splitlines()[0].startswith("order,section,kind,timing,next_due,tracks,overdue")


def test_as_many_queries_for_many_rows_as_for_few(client, people, eo_13768, import_fixture):
    client.force_login(people["reader"])
    export(client, "json")  # the session, once

    def queries():
        with CaptureQueriesContext(connection) as captured:
            rows = export(client, "json")
        return len(rows), len(captured)

    few, few_queries = queries()
    import_fixture("eo-13780.txt")
    many, many_queries = queries()
    assert many > few and many_queries == few_queries
