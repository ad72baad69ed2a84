"""Open data: the CSV and JSON downloads (and their schema), the public calendar of an order and
the Atom feed of status changes. Public fields only, stable names, the database's rows."""

import csv
import gzip
import io
import json
import xml.etree.ElementTree as ET
from datetime import date

import pytest
from django.urls import reverse
from icalendar import Calendar

from obligations import opendata
from obligations.models import Occurrence
from obligations.tracking import record_progress

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"
CANARY_NOTE = "CANARY-note-7f3a"  # a status change's note: internal
CANARY_NOTES = "CANARY-notes-9b1c"  # the track's notes field: internal
SLUG = "eo-13768"

# The published names, in order. Readers' programs depend on them: a name is never changed,
# removed or reused; a new field is added at the end (and here).
STABLE_NAMES = [
    "order", "order_slug", "order_title", "order_signed", "obligation_key", "section",
    "citation", "title", "action", "quote", "kind", "agency", "agency_abbreviation",
    "agency_slug", "due", "period_start", "period_end", "explanation", "status",
    "submitted_on", "published_on", "verified_on", "closed_on", "evidence_url",
    "verification_url", "authority", "authority_url", "url",
]  # fmt: skip


@pytest.fixture
def site(settings):
    settings.PUBLIC_SITE = True
    return settings


@pytest.fixture
def record(site, pinned_today, eo_13768):
    """EO 13768 with one DHS track submitted on 2017-04-20 (with an internal note) and one
    shared or other track verified."""
    tracks = Occurrence.objects.filter(obligation__order=eo_13768).order_by("due", "id")
    first = tracks.exclude(agency=None).first()
    record_progress(
        first, "submitted", note=CANARY_NOTE, submitted_on=date(2017, 4, 20),
        evidence_url="https://www.dhs.gov/report-90", notes=CANARY_NOTES,
    )  # fmt: skip
    return eo_13768, first


def get(client, name, *args, **params):
    response = client.get(reverse(name, args=args), params)
    assert response.status_code == 200, response
    return response


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def csv_rows(response):
    return list(csv.DictReader(io.StringIO(body(response).decode())))


def json_file(response):
    return json.loads(body(response))


def test_field_names_are_stable():
    assert list(opendata.NAMES) == STABLE_NAMES
    assert len(set(opendata.NAMES)) == len(opendata.NAMES)
    assert all(f.description for f in opendata.FIELDS)


def test_csv_and_json_have_the_database_rows(client, record):
    order, _ = record
    response = get(client, "public_data_csv")
    assert response.streaming
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="obligations-2017-07-24.csv"' in response["Content-Disposition"]
    rows = csv_rows(response)
    tracks = Occurrence.objects.filter(obligation__order=order).select_related("agency")
    expected = sorted(
        (t.obligation.key, t.agency.name if t.agency else "", t.due.isoformat(), t.status)
        for t in tracks
    )
    assert len(rows) == tracks.count() > 20
    assert sorted((r["obligation_key"], r["agency"], r["due"], r["status"]) for r in rows) == (
        expected
    )
    data = json_file(get(client, "public_data_json"))
    assert [f["name"] for f in data["fields"]] == STABLE_NAMES
    assert data["as_of"] == "2017-07-24" and data["order"] is None
    as_text = [{k: "" if v is None else v for k, v in row.items()} for row in data["rows"]]
    assert as_text == rows  # the same rows, in the same order
    row = next(r for r in data["rows"] if r["submitted_on"])
    assert row["status"] == "submitted" and row["submitted_on"] == "2017-04-20"
    assert row["evidence_url"] == "https://www.dhs.gov/report-90"
    assert row["order"] == "EO 13768" and row["order_slug"] == SLUG
    assert row["citation"].startswith(f"EO 13768 §{row['section']}")
    path = f"/public/orders/{SLUG}/obligations/{row['obligation_key']}/"
    assert row["url"] == "http://testserver" + path
    assert row["agency_slug"] == "department-of-homeland-security"


def test_an_orders_files_hold_its_rows_only(client, record, import_fixture):
    import_fixture("eo-13767.txt")
    everything = csv_rows(get(client, "public_data_csv"))
    assert {r["order_slug"] for r in everything} == {SLUG, "eo-13767"}
    one = csv_rows(get(client, "public_order_csv", SLUG))
    assert one == [r for r in everything if r["order_slug"] == SLUG]
    data = json_file(get(client, "public_order_json", SLUG))
    assert data["order"] == SLUG and len(data["rows"]) == len(one)
    assert client.get(reverse("public_order_csv", args=["eo-1"])).status_code == 404


def test_the_json_validates_against_the_published_schema(client, record):
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(get(client, "public_schema").content)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    for name, args in (("public_data_json", []), ("public_order_json", [SLUG])):
        data = json_file(get(client, name, *args))
        assert not list(validator.iter_errors(data))
    data["rows"][0]["due"] = "25 April 2017"  # the schema can fail
    data["rows"][1]["surprise"] = 1
    assert len(list(validator.iter_errors(data))) == 2


def test_as_of_gives_statuses_as_they_stood(client, record):
    _, track = record

    def row(**params):
        rows = json_file(get(client, "public_data_json", **params))["rows"]
        found = [r for r in rows if r["due"] == track.due.isoformat()]
        return next(r for r in found if r["agency"] == track.agency.name)

    before = row(as_of="2017-04-19")
    assert before["status"] == "open"
    assert before["submitted_on"] is None and before["evidence_url"] is None
    after = row(as_of="2017-04-20")
    assert after["status"] == "submitted" and after["submitted_on"] == "2017-04-20"
    assert row()["status"] == "submitted"
    early = json_file(get(client, "public_data_json", as_of="2017-01-24"))
    assert early["as_of"] == "2017-01-24" and early["rows"] == []  # not signed yet
    response = client.get(reverse("public_data_csv"), {"as_of": "2017-02-30"})
    assert response.status_code == 400
    assert "YYYY-MM-DD" in response.content.decode()


def test_nothing_public_without_the_public_site(client, settings, record):
    settings.PUBLIC_SITE = False
    for name, args in NAMES_AND_ARGS:
        response = client.get(reverse(name, args=args))
        assert response.status_code == 404, name
        assert b"Enhancing Public Safety" not in response.content


NAMES_AND_ARGS = [
    ("public_data", []), ("public_data_csv", []), ("public_data_json", []),
    ("public_schema", []), ("public_order_csv", [SLUG]), ("public_order_json", [SLUG]),
    ("public_order_ics", [SLUG]), ("public_changes_atom", []),
]  # fmt: skip


def test_no_note_reaches_any_file_or_feed(client, record):
    _, track = record
    record_progress(track, "in_progress", note=CANARY_NOTE + " second")
    for name, args in NAMES_AND_ARGS:
        for encoding in ("identity", "gzip"):
            response = client.get(reverse(name, args=args), headers={"accept-encoding": encoding})
            assert response.status_code == 200, name
            content = body(response)
            if response.get("Content-Encoding") == "gzip":
                content = gzip.decompress(content)
            assert b"CANARY" not in content, name


def test_the_public_calendar_has_one_event_per_due_date(client, record):
    order, _ = record
    response = get(client, "public_order_ics", SLUG)
    assert response["Content-Type"].startswith("text/calendar")
    assert response["Cache-Control"].startswith("public")
    calendar = Calendar.from_ical(response.content)
    events = calendar.walk("VEVENT")
    due_dates = set(
        Occurrence.objects.filter(obligation__order=order).values_list("obligation", "sequence")
    )
    assert len(events) == len(due_dates) > 20
    assert len({str(e["UID"]) for e in events}) == len(events)
    assert all(f"/public/orders/{SLUG}/obligations/" in str(e["URL"]) for e in events)
    assert str(calendar["X-WR-CALNAME"]) == "EO 13768: due dates"
    # The same calendar gzipped, under the same ETag value; a 304 for either.
    zipped = client.get(
        reverse("public_order_ics", args=[SLUG]), headers={"accept-encoding": "gzip"}
    )
    assert zipped["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.content) == response.content
    assert zipped["ETag"] == "W/" + response["ETag"]
    again = client.get(
        reverse("public_order_ics", args=[SLUG]), headers={"if-none-match": zipped["ETag"]}
    )
    assert again.status_code == 304


def test_the_atom_feed_has_the_status_changes(client, record):
    order, track = record
    other = Occurrence.objects.filter(obligation__order=order).exclude(pk=track.pk).first()
    record_progress(other, "in_progress", note=CANARY_NOTE)
    record_progress(other, "in_progress", note="only a note: no change of status")
    response = get(client, "public_changes_atom")
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)
    assert feed.tag == f"{ATOM}feed"
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == 2  # the two moves of status; a note alone is not one
    newest, first = entries
    assert newest.findtext(f"{ATOM}title").endswith("— in progress")
    title = first.findtext(f"{ATOM}title")
    section = track.obligation.section
    assert title.startswith(f"EO 13768 §{section}: DHS ")
    assert title.endswith(f"(due {track.due.isoformat()}) — submitted")
    assert first.findtext(f"{ATOM}id").startswith("tag:obligation-tracker,")
    link = first.find(f"{ATOM}link").get("href")
    assert link == f"http://testserver/public/orders/{SLUG}/obligations/{track.obligation.key}/"
    summary = first.findtext(f"{ATOM}summary")
    assert "open → submitted" in summary and "2017-04-20" in summary
    assert first.findtext(f"{ATOM}updated")
    ids = [e.findtext(f"{ATOM}id") for e in entries]
    assert ids == [e.findtext(f"{ATOM}id") for e in _entries(client)]  # stable


def _entries(client):
    return ET.fromstring(get(client, "public_changes_atom").content).findall(f"{ATOM}entry")


def test_etag_gives_304_until_something_changes(client, record):
    _, track = record
    first = get(client, "public_data_csv")
    etag = first["ETag"]
    assert first["Last-Modified"]
    url = reverse("public_data_csv")
    assert client.get(url, headers={"if-none-match": etag}).status_code == 304
    other_day = client.get(url, {"as_of": "2017-05-01"}, headers={"if-none-match": etag})
    assert other_day.status_code == 200
    record_progress(track, "verified", verified_on=date(2017, 5, 2),
                    verification_url="https://oig.dhs.gov/r")  # fmt: skip
    assert client.get(url, headers={"if-none-match": etag}).status_code == 200
    head = client.head(url)
    assert head.status_code == 200 and head.content == b""


def test_the_documentation_page_names_every_field(client, record):
    response = get(client, "public_data")
    page = response.content.decode()
    for field in opendata.FIELDS:
        assert f"<code>{field.name}</code>" in page
    assert reverse("public_schema") in page and "public domain" in page.lower()
    assert reverse("public_order_ics", args=[SLUG]) in page


def test_values_are_written_as_recorded(client, record):
    """Open data is read by programs: a cell that begins with = is not altered (the page says
    to import the CSV as text into a spreadsheet)."""
    order, _ = record
    other = Occurrence.objects.filter(obligation__order=order, status="open").last()
    authority = '=HYPERLINK("https://omb.example.gov"), OMB M-17-01'
    record_progress(other, "waived", closed_on=date(2017, 6, 1), authority=authority,
                    authority_url="https://omb.example.gov/m-17-01")  # fmt: skip
    rows = csv_rows(get(client, "public_order_csv", SLUG))
    waived = [r for r in rows if r["status"] == "waived"]
    assert [r["authority"] for r in waived] == [authority]
    assert waived[0]["closed_on"] == "2017-06-01"
    before = csv_rows(get(client, "public_order_csv", SLUG, as_of="2017-05-31"))
    assert not any(r["authority"] for r in before)  # not yet cited then


def test_downloads_are_gzipped_for_clients_that_accept_it(client, record):
    plain = get(client, "public_data_json")
    url = reverse("public_data_json")
    zipped = client.get(url, headers={"accept-encoding": "gzip, deflate"})
    assert zipped["Content-Encoding"] == "gzip" and zipped["Vary"].count("Accept-Encoding")
    assert gzip.decompress(body(zipped)) == body(plain)
    assert zipped["ETag"] == "W/" + plain["ETag"]
    assert client.get(url, headers={"if-none-match": zipped["ETag"]}).status_code == 304
