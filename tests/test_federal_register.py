"""The Federal Register as a source: notes, JSON+XML to text, manage.py import_fr (one file, a
folder, the API against a local server), network errors, notes-vs-text warnings.

The documents in tests/fr/ are recorded ones (see its README); no test uses the internet.
"""

import json
import shutil
import threading
import urllib.parse
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from obligations import federal_register as fr
from obligations.extraction import extract
from obligations.extraction.source import split_header
from obligations.models import Order, OrderEffect

FR = Path(__file__).parent / "fr"
pytestmark = pytest.mark.django_db


def meta(number):
    return json.loads((FR / f"EO_{number}.json").read_text())


def xml(number):
    return (FR / f"EO_{number}.xml").read_text()


def run(*args):
    out, err = StringIO(), StringIO()
    call_command("import_fr", *map(str, args), stdout=out, stderr=err)
    return out.getvalue()


def folder_of(tmp_path, *numbers):
    folder = tmp_path / "docs"
    folder.mkdir()
    for number in numbers:
        for suffix in (".json", ".xml"):
            shutil.copy(FR / f"EO_{number}{suffix}", folder)
    return folder


# Notes -----------------------------------------------------------------------------------------


def test_notes_revoked_by_with_its_date():
    notes = fr.parse_notes("Revoked by: EO 13993, January 20, 2021")
    assert notes.revoked_by == [("13993", date(2021, 1, 20))]
    assert notes.revokes == [] and bool(notes)


def test_notes_several_clauses_and_separators():
    # The API's own shapes: ";;\n ;" between clauses (2000s), "\n" (2010s), "; Label:" inline.
    text = (
        "Amends:  EO 12863, September 13, 1993; EO 13070, December 15, 1997;;\n ;  "
        "Revoked by: EO 13562, December 27, 2010\nSee: EO 13514, October 5, 2009; "
        "Superseded by: EO 13476, October 9, 2008"
    )
    notes = fr.parse_notes(text)
    assert notes.amends == [("12863", date(1993, 9, 13)), ("13070", date(1997, 12, 15))]
    assert notes.revoked_by == [("13562", date(2010, 12, 27))]
    assert notes.see == [("13514", date(2009, 10, 5))]
    assert notes.superseded_by == [("13476", date(2008, 10, 9))]


def test_notes_in_part_and_odd_spellings():
    text = (
        "Revokes: EO 12088, October 13, 1978 (in part); EO 12843, April 21, 1993\n"
        "Revoked (in part) by: EO 13316, September 17, 2003\n"
        "Revokes in part: EO 12748, February 1, 1991\nRevokes : EO 13495, January 30, 2009\n"
        "Amend by: EO 13741, September 29, 2016\nSupersedes: 4601, March 1, 1927"
    )
    notes = fr.parse_notes(text)
    assert notes.numbers("revokes") == ["12088", "12843", "12748", "13495"]
    assert notes.partly == {"12088", "13316", "12748"}
    assert notes.revoked_by == [("13316", date(2003, 9, 17))]
    assert notes.amended_by == [("13741", date(2016, 9, 29))]
    assert notes.supersedes == [("4601", date(1927, 3, 1))]


def test_notes_leave_out_what_is_not_an_executive_order():
    text = (
        "Revokes: EO 13250, December 28, 2001; Memorandum of March 19, 2002\n"
        "See: Proc. 7308, May 15, 2000 (65 FR 31783); Notice of July 30, 2008; "
        "EO 13412, October 13, 2006 EO 13761 of January 13, 2017; EO 7059-A, June 4, 1935\n"
        "Note: This Executive order amends EO 11478.\n"
        "Federal Register correction page and date: 74 FR 57241, November 5, 2009"
    )
    notes = fr.parse_notes(text)
    assert notes.revokes == [("13250", date(2001, 12, 28))]
    assert notes.numbers("see") == ["13412", "13761", "7059-A"]
    assert notes.amends == []  # a "Note:" is prose, not a relation


def test_notes_without_a_label_and_without_a_date():
    assert fr.parse_notes("EO 13808, August 24, 2017").see == [("13808", date(2017, 8, 24))]
    assert fr.parse_notes("Amends: EO 12866").amends == [("12866", None)]
    assert not fr.parse_notes(None) and not fr.parse_notes("")


def test_notes_of_joins_both_fields_once():
    document = {"executive_order_notes": "Revokes: EO 1", "disposition_notes": "Revokes: EO 1"}
    assert fr.notes_of(document) == "Revokes: EO 1"
    document["disposition_notes"] = "See: EO 2"
    assert fr.notes_of(document) == "Revokes: EO 1\nSee: EO 2"


def test_every_recorded_note_names_its_orders():
    """Each "EO N" in the recorded notes lands in some relation (nothing silently dropped)."""
    import re

    for path in sorted(FR.glob("*.json")):
        text = fr.notes_of(json.loads(path.read_text()))
        notes = fr.parse_notes(text)
        found = {n for name in fr.RELATIONS.values() for n in notes.numbers(name)}
        assert set(re.findall(r"\bEO (\d{4,5})\b", text)) <= found, path.name


# JSON + XML -> text --------------------------------------------------------------------------


def test_order_text_header_comes_from_the_json():
    text = fr.order_text(meta(13505), xml(13505))
    header, start = split_header(text)
    assert header == {
        "number": "13505",
        "title": "Removing Barriers to Responsible Scientific Research Involving Human Stem Cells",
        "signed": "2009-03-09",
        "published": "2009-03-11",
        "citation": "74 FR 10667",
        "source": meta(13505)["html_url"],
    }
    assert text[start:].startswith("Executive Order 13505 of March 9, 2009\n\nRemoving Barriers")
    assert "\n\nBy the authority vested in me as President" in text
    assert "is revoked" in text and "<P>" not in text


def test_a_signing_date_after_publication_gives_way_to_the_heading():
    # The API has EO 13526 (published 2010-01-05) signed 2010-12-29; its heading says 2009.
    document = meta(13505) | {"signing_date": "2010-03-09"}
    header, _ = split_header(fr.order_text(document, xml(13505)))
    assert header["signed"] == "2009-03-09"
    later = meta(13505) | {"signing_date": "2009-03-10"}  # possible: the JSON still wins
    assert split_header(fr.order_text(later, xml(13505)))[0]["signed"] == "2009-03-10"


def test_a_title_longer_than_what_is_kept_is_cut_at_a_word():
    # EO 13003's title in the API runs on into its first paragraph (905 characters).
    document = meta(13505) | {"title": "Establishing a Board " + "to investigate disputes " * 40}
    header, _ = split_header(fr.order_text(document, xml(13505)))
    assert len(header["title"]) <= 500 and header["title"].endswith("investigate…")


def test_the_json_wins_over_the_xml():
    document = meta(13505) | {"signing_date": "2009-03-10", "title": "Edited title"}
    info = extract(fr.order_text(document, xml(13505))).order
    assert (info.signed, info.title, info.published) == (
        date(2009, 3, 10), "Edited title", date(2009, 3, 11)
    )  # fmt: skip
    assert info.revokes == ["13435"]


def test_without_json_values_the_xml_fills_in():
    text = fr.order_text({"document_number": "E9-5441"}, xml(13505))
    header, _ = split_header(text)
    assert (header["number"], header["signed"], header["source"]) == (
        "13505", "2009-03-09", "E9-5441"
    )  # fmt: skip


# Notes versus text ---------------------------------------------------------------------------


def test_disagreements_in_each_direction():
    notes = fr.parse_notes("Revokes: EO 1001; EO 1002; EO 1003 (in part)\nAmends: EO 2001")
    warnings = fr.disagreements("9", notes, revokes=["1001", "3001"], amends=["1002", "1003"])
    assert warnings == [
        (
            "the Federal Register says EO 9 revokes EO 1002; the text only amends it "
            "(or revokes part of it)"
        ),
        "the Federal Register says EO 9 amends EO 2001; the text does not say so",
        "the text of EO 9 revokes EO 3001; the Federal Register's notes do not say so",
    ]  # 1003 is revoked in part: the text's "amends" is the same thing


def test_agreement_gives_no_warning():
    notes = fr.parse_notes("Revokes: EO 13435, June 20, 2007")
    assert fr.disagreements("13505", notes, revokes=["13435"], amends=[]) == []
    superseded = fr.parse_notes("Supersedes: EO 13641, April 5, 2013")
    assert fr.disagreements("1", superseded, revokes=["13641"], amends=[]) == []
    missing = fr.disagreements("13505", notes, revokes=[], amends=[])
    assert missing == [
        "the Federal Register says EO 13505 revokes EO 13435; the text does not say so"
    ]


def test_the_command_prints_the_warnings(tmp_path):
    # EO 13780 says "Executive Order 13769 ... is revoked"; its notes only say "See: EO 13769".
    out = run(FR / "EO_13780.json")
    assert (
        "  warning: the text of EO 13780 revokes EO 13769; the Federal Register's notes do not "
        "say so" in out
    )
    assert "warning" not in run(FR / "EO_13505.json")


# One file ------------------------------------------------------------------------------------


def test_import_one_file_then_again_unchanged():
    out = run(FR / "EO_13505.json")
    assert out.startswith("EO 13505: Removing Barriers") and " created: " in out
    order = Order.objects.get(number="13505")
    assert (order.document_number, order.fr_notes) == (
        "E9-5441",
        "Revokes: EO 13435, June 20, 2007",
    )
    assert (order.signed, order.published, order.citation) == (
        date(2009, 3, 9), date(2009, 3, 11), "74 FR 10667"
    )  # fmt: skip
    assert order.source == meta(13505)["html_url"]
    stamp = order.updated
    again = run(FR / "EO_13505.json")
    assert "already imported, nothing changed" in again
    assert Order.objects.get(number="13505").updated == stamp  # nothing written


def test_import_one_file_with_its_xml_named(tmp_path):
    shutil.copy(FR / "EO_13435.json", tmp_path / "meta.json")
    shutil.copy(FR / "EO_13435.xml", tmp_path / "text.xml")
    run(tmp_path / "meta.json", tmp_path / "text.xml")
    order = Order.objects.get(number="13435")
    assert order.fr_notes == "Revoked by: EO 13505, March 9, 2009"
    assert order.document_number == "07-3112"


def test_one_file_refused_is_a_command_error(tmp_path):
    (tmp_path / "EO_1.json").write_text(json.dumps({"document_number": "X-1"}))
    (tmp_path / "EO_1.xml").write_text("<EXECORD><FP>unclosed")
    with pytest.raises(CommandError, match=r"^EO_1.json: the Federal Register XML could not be"):
        run(tmp_path / "EO_1.json")
    assert not Order.objects.exists()


def test_a_new_text_of_a_known_order_waits(tmp_path):
    run(FR / "EO_13505.json")
    folder = folder_of(tmp_path, 13505)
    changed = xml(13505).replace("is revoked.", "is revoked. The Secretary shall report.")
    (folder / "EO_13505.xml").write_text(changed)
    out = run(folder)
    assert "1 documents: 0 imported, 0 updated, 0 unchanged, 1 new version pending" in out
    assert "EO_13505.json: EO 13505" in out and "waits for review" in out


# A folder ------------------------------------------------------------------------------------


def test_folder_summary_refusals_and_second_run(tmp_path):
    folder = folder_of(tmp_path, 13505, 13435, 13208, 13497)
    (folder / "notes.json").write_text('["not", "a", "document"]')
    (folder / "broken.json").write_text("{")
    (folder / "EO_1.json").write_text(
        json.dumps({"document_number": "X", "full_text_xml_url": None})
    )
    out = run(folder)
    lines = out.splitlines()
    assert (
        "7 documents: 4 imported, 0 updated, 0 unchanged, 0 new version pending, 3 refused" in lines
    )
    assert "refused: EO_1.json: the Federal Register has no full text (XML or raw) for X" in lines
    assert any(line.startswith("refused: broken.json: not JSON (") for line in lines)
    assert "refused: notes.json: not a Federal Register document (no document_number)" in lines
    assert Order.objects.count() == 4
    again = run(folder).splitlines()
    assert (
        "7 documents: 0 imported, 0 updated, 4 unchanged, 0 new version pending, 3 refused" in again
    )


def test_folder_progress_on_stderr(tmp_path):
    err = StringIO()
    call_command("import_fr", str(folder_of(tmp_path, 13505, 13435)), stdout=StringIO(), stderr=err)
    assert "[2/2] EO_13505.json" in err.getvalue()


def test_folder_proposes_the_revocation(tmp_path):
    run(folder_of(tmp_path, 13435, 13505))
    effect = OrderEffect.objects.get()
    assert (effect.source.number, effect.target.number, effect.on) == (
        "13505", "13435", date(2009, 3, 9)
    )  # fmt: skip


FIXTURES = sorted(p.stem for p in FR.glob("*.json"))


@pytest.mark.parametrize("stem", FIXTURES)
def test_every_recorded_order_imports(stem):
    """Every real order imports (zero obligations is an answer), with no refusal."""
    out = run(FR / f"{stem}.json")
    assert " created: " in out, out
    order = Order.objects.get(number=stem.removeprefix("EO_"))
    assert order.document_number == meta(order.number)["document_number"]


# The API, against a local server -------------------------------------------------------------


class Recorded(BaseHTTPRequestHandler):
    """documents.json searches over tests/fr/*.json (number, signing dates, fields[],
    per_page, next_page_url), the XML at /xml/EO_N.xml and the raw text at /text/EO_N.htm, as
    the Federal Register does."""

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        self.server.requests.append(self.path)
        if url.path == "/api/v1/documents.json":
            return self._send(json.dumps(self._search(urllib.parse.parse_qs(url.query))).encode())
        for prefix in ("/xml/", "/text/"):
            if url.path.startswith(prefix) and (FR / url.path[len(prefix) :]).is_file():
                return self._send((FR / url.path[len(prefix) :]).read_bytes())
        self.send_error(404)

    def _search(self, query):
        one = lambda key: query.get(key, [None])[0]
        found = []
        for path in sorted(FR.glob("*.json")):
            document = json.loads(path.read_text())
            number = one("conditions[executive_order_number]")
            if number and document["executive_order_number"] != number:
                continue
            if not (one("conditions[signing_date][gte]") or "") <= document["signing_date"]:
                continue
            if not document["signing_date"] <= (one("conditions[signing_date][lte]") or "9999"):
                continue
            # Orders published before 2000 have no XML, only the raw (printed) text.
            has_xml = path.with_suffix(".xml").is_file()
            document["full_text_xml_url"] = has_xml and f"{self.server.base}/xml/{path.stem}.xml"
            document["raw_text_url"] = f"{self.server.base}/text/{path.stem}.htm"
            found.append({key: document.get(key) for key in query["fields[]"]})
        page, size = int(one("page") or 1), int(one("per_page"))
        result = {"count": len(found), "results": found[(page - 1) * size : page * size]}
        if page * size < len(found):
            query = {**query, "page": [str(page + 1)]}
            result["next_page_url"] = (
                f"{self.server.base}/api/v1/documents.json?{urllib.parse.urlencode(query, True)}"
            )
        return result

    def _send(self, body):
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def fr_api(settings):
    server = ThreadingHTTPServer(("127.0.0.1", 0), Recorded)
    server.base = f"http://127.0.0.1:{server.server_port}"
    server.requests = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.FEDERAL_REGISTER_API = f"{server.base}/api/v1"
    yield server
    server.shutdown()
    server.server_close()


def test_api_by_number(fr_api):
    out = run("--number", "13505")
    assert out.startswith("1 documents: 1 imported")
    order = Order.objects.get(number="13505")
    assert (order.document_number, order.fr_notes) == (
        "E9-5441",
        "Revokes: EO 13435, June 20, 2007",
    )
    search = urllib.parse.parse_qs(urllib.parse.urlsplit(fr_api.requests[0]).query)
    assert search["conditions[executive_order_number]"] == ["13505"]
    assert search["conditions[presidential_document_type]"] == ["executive_order"]
    assert "executive_order_notes" in search["fields[]"]
    assert fr_api.requests[1] == "/xml/EO_13505.xml"


def test_api_signed_range_follows_pages_and_saves(fr_api, monkeypatch, tmp_path):
    monkeypatch.setattr(fr, "PER_PAGE", 2)
    out = run("--signed-from", "2009-01-01", "--signed-to", "2009-03-31", "--save", tmp_path)
    in_range = ["13489", "13491", "13496", "13497", "13502", "13505"]
    assert "\n6 documents: 6 imported, 0 updated, 0 unchanged" in out
    assert sorted(Order.objects.values_list("number", flat=True)) == in_range
    pages = [r for r in fr_api.requests if r.startswith("/api/v1/documents.json")]
    assert len(pages) == 3 and "page=3" in pages[-1]
    assert sorted(p.name for p in tmp_path.glob("*.xml")) == [f"EO_{n}.xml" for n in in_range]
    assert "\n6 documents: 0 imported, 0 updated, 6 unchanged" in run(tmp_path)


def test_an_order_with_only_the_raw_text_imports_from_a_folder(tmp_path):
    # Orders published before 2000 (and a few later) have no full-text XML: the printed text the
    # GPO serves (raw_text_url, HTML with <pre>) beside the JSON is read instead.
    folder = tmp_path / "docs"
    folder.mkdir()
    for suffix in (".json", ".htm"):
        shutil.copy(FR / f"EO_13109{suffix}", folder)
    assert run(folder).startswith("1 documents: 1 imported")
    order = Order.objects.get(number="13109")
    assert (order.signed, order.document_number) == (date(1998, 12, 17), "98-34034")
    assert order.title.startswith("Half-Day Closing of Executive Departments")
    assert order.text.count("Sec. ") >= 3 and "<pre>" not in order.text


def test_api_falls_back_to_the_raw_text(fr_api, tmp_path):
    out = run("--number", "13109", "--save", tmp_path)
    assert out.startswith("1 documents: 1 imported")
    assert fr_api.requests[-1] == "/text/EO_13109.htm"
    assert [p.name for p in sorted(tmp_path.iterdir())] == ["EO_13109.json", "EO_13109.txt"]
    assert Order.objects.get(number="13109").obligations.count() >= 1


def test_api_nothing_found(fr_api):
    with pytest.raises(CommandError, match="no executive order matching that"):
        run("--number", "99999")


def closed_port():
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_network_down_is_one_clear_line(settings):
    settings.FEDERAL_REGISTER_API = f"http://127.0.0.1:{closed_port()}/api/v1"
    with pytest.raises(CommandError) as error:
        run("--number", "13505")
    message = str(error.value)
    assert message.startswith("the Federal Register could not be reached (http://127.0.0.1:")
    assert message.endswith("; is the network up?") and "\n" not in message


def test_a_missing_xml_with_the_network_down_is_refused(settings, tmp_path):
    base = f"http://127.0.0.1:{closed_port()}"
    settings.FEDERAL_REGISTER_API = f"{base}/api/v1"
    folder = folder_of(tmp_path, 13435)
    document = meta(13505) | {"full_text_xml_url": f"{base}/xml/EO_13505.xml"}
    (folder / "EO_13505.json").write_text(json.dumps(document))
    out = run(folder)
    assert (
        "2 documents: 1 imported, 0 updated, 0 unchanged, 0 new version pending, 1 refused" in out
    )
    assert f"refused: EO_13505.json: the Federal Register could not be reached ({base}/xml/" in out


def test_urls_elsewhere_are_not_fetched(tmp_path):
    for url in ("file:///etc/passwd", "http://169.254.169.254/latest/meta-data"):
        with pytest.raises(fr.FederalRegisterError, match="not a Federal Register address"):
            fr.fetch_text({"full_text_xml_url": url})


def test_answers_over_the_size_cap_are_refused(fr_api, monkeypatch):
    monkeypatch.setattr(fr, "MAX_BYTES", 1000)
    with pytest.raises(fr.FederalRegisterError, match="larger than 1,000 bytes"):
        fr.fetch_text({"full_text_xml_url": f"{fr_api.base}/xml/EO_13505.xml"})


def test_server_errors_are_one_line(fr_api):
    with pytest.raises(fr.FederalRegisterError, match=r"/xml/EO_1.xml: the server answered 404"):
        fr.fetch_text({"full_text_xml_url": f"{fr_api.base}/xml/EO_1.xml"})


@pytest.mark.parametrize("first", ["revoked", "revoking"])
def test_a_revocation_only_the_notes_record_is_proposed_saying_so(first):
    from obligations.federal_register import import_document

    revoked = {**meta("13435"), "executive_order_notes": "Revoked by: EO 13505, March 9, 2009"}
    revoking = {**meta("13505"), "executive_order_notes": ""}
    # The revoking text says nothing readable: only the notes record the revocation.
    body = xml("13505").replace("revoked", "set aside").replace("Revoked", "Set aside")
    documents = [(revoked, xml("13435")), (revoking, body)]
    for document in documents if first == "revoked" else documents[::-1]:
        import_document(*document)
    effect = OrderEffect.objects.get()
    assert (effect.source.number, effect.target.number, effect.on) == (
        "13505", "13435", date(2009, 3, 9))  # fmt: skip
    assert effect.state == "pending" and "Federal Register's notes" in effect.note


def test_the_order_page_shows_the_notes(client, people):
    run(FR / "EO_13435.json")
    order = Order.objects.get(number="13435")
    client.force_login(people["reader"])
    page = client.get(order.get_absolute_url()).content.decode()
    assert "Federal Register notes" in page and "13505" in page
    assert f"Federal Register document {order.document_number}" in page
