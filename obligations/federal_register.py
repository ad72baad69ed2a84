"""The Federal Register as a source of orders: its API JSON and full-text XML, and its notes.

- order_text(meta, xml): the text the importer reads, with a header from the JSON (the Federal
  Register's metadata is authoritative; the XML's own heading lines are only a fallback).
- parse_notes(text): "Revoked by: EO 13993, January 20, 2021; See: ..." as a Notes dataclass.
- disagreements(number, notes, revokes, amends): where the notes and the order's text differ.
- documents_by_number / documents_signed / fetch_text: the API, with timeouts, a size cap and a
  one-line FederalRegisterError (never a traceback) when the network or the server fails.
"""

import http.client
import json
import re
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field, fields
from datetime import date

from django.conf import settings

from obligations.extraction import HEADER_LIMITS, formats
from obligations.extraction.source import parse_date, split_header

TIMEOUT = 30  # seconds per request: the API answers in well under one
MAX_BYTES = 10 * 1024 * 1024  # the longest order's XML is ~200 KB; a page of 100 results ~1 MB
MAX_PAGES = 50  # 5,000 documents: more than all executive orders since 1994
PER_PAGE = 100
USER_AGENT = "obligation-tracker (+https://www.federalregister.gov/reader-aids/developer-resources)"
API_FIELDS = (
    "executive_order_number", "signing_date", "publication_date", "citation", "title",
    "document_number", "disposition_notes", "executive_order_notes", "full_text_xml_url",
    "raw_text_url", "html_url", "subtype",
)  # fmt: skip
# Hosts a URL found inside a document (next_page_url, full_text_xml_url) may point at, besides
# the configured API's own host: a metadata file must not make us fetch from anywhere else.
FR_HOSTS = ("federalregister.gov", "www.federalregister.gov", "www.govinfo.gov", "govinfo.gov")


class FederalRegisterError(Exception):
    """A document could not be fetched or read; the message is one line for a person."""


# The order's text ------------------------------------------------------------------------------


def order_text(meta: dict, xml: str) -> str:
    """The text the importer reads: a header block from the JSON, then the order's text from the
    full-text XML (or the raw text, an HTML page with the printed text in <pre>).

    formats.to_text already reads the XML (and gives a header from its EXECORDR/HD/DATE lines);
    we keep its body and its `kind`, and replace the rest of the header with the JSON's values,
    which are the Federal Register's edited metadata rather than what the typesetting says."""
    text = formats.to_text(xml)
    header, start = split_header(text)
    body = text[start:] if header else text
    fields = {
        "number": _number(meta),
        "title": meta.get("title") or header.get("title", ""),
        "kind": header.get("kind", ""),
        "signed": signing_date(meta, header),
        "published": meta.get("publication_date") or "",
        "citation": meta.get("citation") or "",
        "source": source_of(meta),
    }
    if not fields["number"]:
        fields["number"] = header.get("number", "")
    for name, limit in HEADER_LIMITS.items():
        fields[name] = _fit(fields[name], limit)
    return formats.with_header(fields, body)


def _fit(value: str, limit: int) -> str:
    """The API's value, cut at a word with "…" when it runs past what is kept (EO 13003's title
    runs on into its first paragraph: 905 characters)."""
    if len(value) <= limit:
        return value
    return value[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def signing_date(meta: dict, header: dict) -> str:
    """The JSON's signing date, unless it is impossible: an order is signed before it is
    published (the API gives EO 13526, published 2010-01-05, as signed 2010-12-29; its heading
    says "of December 29, 2009"). Then the text's own heading decides."""
    stated = meta.get("signing_date") or ""
    printed = _iso(header.get("signed", ""))
    published = meta.get("publication_date") or ""
    if stated and published and stated > published and printed and printed <= published:
        return printed
    return stated or printed


def source_of(meta: dict) -> str:
    """Where the order came from: its page on federalregister.gov, else its document number."""
    return meta.get("html_url") or meta.get("document_number") or ""


def notes_of(meta: dict) -> str:
    """Both note fields, once each: the API often repeats one in the other, word for word."""
    parts = []
    for key in ("executive_order_notes", "disposition_notes"):
        value = (meta.get(key) or "").strip()
        if value and value not in parts:
            parts.append(value)
    return "\n".join(parts)


def _number(meta: dict) -> str:
    # The API gives the number as a string ("13768"); older dumps sometimes as an integer.
    value = meta.get("executive_order_number") or meta.get("presidential_document_number")
    return str(value).strip() if value not in (None, "") else ""


def _iso(text: str) -> str:
    day = parse_date(text)
    return day.isoformat() if day else ""


# Notes ---------------------------------------------------------------------------------------

Ref = tuple[str, date | None]  # ("13993", date(2021, 1, 20)); the date is None when unstated


@dataclass
class Notes:
    """What the Federal Register's notes say of an order's relations to other executive orders.
    Each list holds (number, date or None), in the notes' order, without repeats. `partly` has
    the numbers named "(in part)" or under "Revokes in part": those revocations amend."""

    revokes: list[Ref] = field(default_factory=list)
    revoked_by: list[Ref] = field(default_factory=list)
    amends: list[Ref] = field(default_factory=list)
    amended_by: list[Ref] = field(default_factory=list)
    supersedes: list[Ref] = field(default_factory=list)
    superseded_by: list[Ref] = field(default_factory=list)
    continues: list[Ref] = field(default_factory=list)
    continued_by: list[Ref] = field(default_factory=list)
    terminates: list[Ref] = field(default_factory=list)
    terminated_by: list[Ref] = field(default_factory=list)
    see: list[Ref] = field(default_factory=list)
    partly: set[str] = field(default_factory=set)

    def numbers(self, relation: str) -> list[str]:
        return [number for number, _ in getattr(self, relation)]

    def __bool__(self):
        return any(getattr(self, f.name) for f in fields(self))


# A label is a few words and a colon at the start of a line or after ";": "Revoked by:",
# "Revoked (in part) by:", "Revokes in part:", "Revokes :". Labels we do not know ("Note:",
# "Federal Register page and date:") end the previous clause but add nothing.
LABEL = re.compile(r"(?:^|(?<=[;\n]))\s*([A-Z][A-Za-z]*(?:[ ]+(?:\(in part\)|[A-Za-z]+)){0,6})\s*:")
RELATIONS = {
    "revokes": "revokes", "revoked by": "revoked_by", "amends": "amends",
    "amended by": "amended_by", "supersedes": "supersedes", "superseded by": "superseded_by",
    "continues": "continues", "continued by": "continued_by", "terminates": "terminates",
    "terminated by": "terminated_by", "see": "see", "see also": "see",
    "amend by": "amended_by",  # a typo in EO 13467's notes
}  # fmt: skip
MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
# One executive order named in a clause: "EO 13768, January 25, 2017", "EO 13761 of January
# 13, 2017", "EO 13652 , September 30, 2013", "EO 7059-A, June 4, 1935", "E.O. 12866 (in part)",
# or a bare number opening an item ("Supersedes: 4601, March 1, 1927"). Items are usually split
# by ";", but not always ("EO 13412, October 13, 2006 EO 13761 of ..."), so we find each order
# rather than split. Proclamations ("Proc. 7308"), memoranda and notices are not executive
# orders: left out.
EO_REF = re.compile(
    rf"(?:\bE\.?\s?O\.?\s*(?:No\.\s*)?|^\s*|(?<=;)\s*)(\d{{3,6}}(?:-[A-Z])?)\b"
    rf"(?:\s*(?:,|\bof\b)\s*((?:{MONTHS})\s+\d{{1,2}}\s*,\s*\d{{4}}))?"
    rf"(\s*\(in part\))?"
)


def parse_notes(text: str | None) -> Notes:
    """Notes from one or both note fields (join them with a newline)."""
    notes = Notes()
    text = text or ""
    labels = list(LABEL.finditer(text))
    # Text before the first label ("EO 13808, August 24, 2017" alone) is a plain reference.
    clauses = [("see", text[: labels[0].start() if labels else len(text)])]
    for i, label in enumerate(labels):
        end = labels[i + 1].start() if i + 1 < len(labels) else len(text)
        clauses.append((label.group(1), text[label.end() : end]))
    for name, clause in clauses:
        _add_clause(notes, name, clause)
    return notes


def _add_clause(notes: Notes, name: str, clause: str) -> None:
    words = " ".join(name.lower().split())
    in_part = "in part" in words
    words = " ".join(words.replace("(in part)", " ").replace("in part", " ").split())
    relation = RELATIONS.get(words)
    if relation is None:
        return
    target = getattr(notes, relation)
    for match in EO_REF.finditer(clause):
        number, day = match.group(1), _date(match.group(2))
        if in_part or match.group(3):
            notes.partly.add(number)
        if all(number != known for known, _ in target):
            target.append((number, day))


def _date(text: str | None) -> date | None:
    # "September 30, 3015" is a typo in the notes of one order; parse_date takes it as written.
    return parse_date(text) if text else None


# Notes versus text ---------------------------------------------------------------------------


def disagreements(number: str, notes: Notes, revokes, amends) -> list[str]:
    """Where the notes and what the text says (the extraction's `revokes` and `amends`, lists
    of order numbers) disagree, as sentences for a person. The notes count a partial
    revocation as a revocation and the text reader counts it as an amendment, and "Supersedes"
    is said in texts both ways ("is superseded", "is revoked"): those are not disagreements."""
    this = f"EO {number}" if number else "this order"
    revokes, amends = set(revokes or ()), set(amends or ())
    said = revokes | amends
    warnings = []
    for other in notes.numbers("revokes"):
        if other not in said:
            warnings.append(
                f"the Federal Register says {this} revokes EO {other}; the text does not say so"
            )
        elif other not in revokes and other not in notes.partly:
            warnings.append(
                f"the Federal Register says {this} revokes EO {other}; the text only amends it "
                f"(or revokes part of it)"
            )
    for other in notes.numbers("amends"):
        if other not in said:
            warnings.append(
                f"the Federal Register says {this} amends EO {other}; the text does not say so"
            )
    ends = set(notes.numbers("revokes") + notes.numbers("supersedes") + notes.numbers("terminates"))
    changes = ends | set(notes.numbers("amends"))
    for other in sorted(revokes - ends):
        where = "say it only amends it" if other in changes else "do not say so"
        warnings.append(
            f"the text of {this} revokes EO {other}; the Federal Register's notes {where}"
        )
    for other in sorted(amends - changes):
        warnings.append(
            f"the text of {this} amends EO {other}; the Federal Register's notes do not say so"
        )
    return warnings


# The API -------------------------------------------------------------------------------------


def api_base() -> str:
    return settings.FEDERAL_REGISTER_API.rstrip("/")


def search_url(conditions: dict[str, str]) -> str:
    """documents.json for executive orders matching `conditions`, with only the fields we use."""
    query = [
        ("conditions[type][]", "PRESDOCU"),
        ("conditions[presidential_document_type]", "executive_order"),
        # "signing_date[gte]" -> "conditions[signing_date][gte]"
        *(
            (re.sub(r"^[^\[]+", r"conditions[\g<0>]", key), value)
            for key, value in conditions.items()
        ),
        *(("fields[]", name) for name in API_FIELDS),
        ("per_page", str(PER_PAGE)),
        ("order", "oldest"),
    ]
    return f"{api_base()}/documents.json?{urllib.parse.urlencode(query)}"


def documents_by_number(number: str | int) -> list[dict]:
    return list(_pages(search_url({"executive_order_number": str(number)})))


def documents_signed(start: date, end: date) -> list[dict]:
    """Executive orders signed from `start` to `end`, both included."""
    conditions = {"signing_date[gte]": start.isoformat(), "signing_date[lte]": end.isoformat()}
    return list(_pages(search_url(conditions)))


def _pages(url: str):
    """Every result, page after page (next_page_url), at most MAX_PAGES pages."""
    for _ in range(MAX_PAGES):
        page = get_json(url)
        yield from page.get("results") or []
        url = page.get("next_page_url")
        if not url:
            return
    raise FederalRegisterError(f"more than {MAX_PAGES} pages of results: narrow the search")


def fetch_text(meta: dict) -> tuple[str, str]:
    """The document's full text and its kind ("xml" or "txt"): the full-text XML, else the raw
    text (the GPO's printed text in <pre>), which is all the Federal Register has of orders
    published before 2000 and of a few later ones."""
    for key, kind in (("full_text_xml_url", "xml"), ("raw_text_url", "txt")):
        url = meta.get(key)
        if url:
            try:
                return get(url).decode("utf-8"), kind
            except UnicodeDecodeError as error:
                raise FederalRegisterError(f"{url}: not UTF-8 text (byte {error.start})") from None
    number = _number(meta) or meta.get("document_number") or "this document"
    raise FederalRegisterError(f"the Federal Register has no full text (XML or raw) for {number}")


def get_json(url: str) -> dict:
    try:
        data = json.loads(get(url))
    except ValueError:
        raise FederalRegisterError(f"{url}: the answer is not JSON") from None
    if not isinstance(data, dict):
        raise FederalRegisterError(f"{url}: the answer is not a JSON object")
    return data


def get(url: str) -> bytes:
    """The body of a GET, or FederalRegisterError with one line saying what went wrong."""
    _check_url(url)
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            body = response.read(MAX_BYTES + 1)
    except urllib.error.HTTPError as error:
        raise FederalRegisterError(
            f"{url}: the server answered {error.code} {error.reason}"
        ) from None
    except (OSError, http.client.HTTPException) as error:  # URLError, timeouts, resets
        reason = getattr(error, "reason", error)
        raise FederalRegisterError(
            f"the Federal Register could not be reached ({url}): {reason}; is the network up?"
        ) from None
    if len(body) > MAX_BYTES:
        raise FederalRegisterError(f"{url}: the answer is larger than {MAX_BYTES:,} bytes")
    return body


def _check_url(url: str) -> None:
    """Only http(s), and only the API's host or the Federal Register's own: URLs come from
    documents (next_page_url, full_text_xml_url), and urllib would also open file:// ones."""
    parts = urllib.parse.urlsplit(url)
    allowed = {urllib.parse.urlsplit(api_base()).hostname, *FR_HOSTS}
    if parts.scheme not in ("http", "https") or parts.hostname not in allowed:
        raise FederalRegisterError(f"{url}: not a Federal Register address; not fetched")


# Storing -------------------------------------------------------------------------------------


@dataclass
class Imported:
    result: object  # importers.ImportResult
    warnings: list[str]

    @property
    def outcome(self) -> str:
        return self.result.outcome


def import_document(meta: dict, xml: str, by=None) -> Imported:
    """Store one Federal Register document (its JSON and XML) in one transaction, with its
    document number and notes on the order; what the notes and the text disagree on comes back
    as warnings. Raises ExtractionError or EffectError (nothing written) for a refusal."""
    from django.db import transaction
    from django.utils import timezone

    from obligations.importers import import_text
    from obligations.models import Order

    text = order_text(meta, xml)
    notes = notes_of(meta)
    document = (meta.get("document_number") or "")[:40]
    with transaction.atomic():
        result = import_text(text, source=source_of(meta), by=by)
        # Only when they differ: a document imported again unchanged writes nothing.
        Order.objects.filter(pk=result.order.pk).exclude(
            document_number=document, fr_notes=notes
        ).update(document_number=document, fr_notes=notes, updated=timezone.now())
        proposed = link_from_notes(Order.objects.get(pk=result.order.pk), by)
    revokes, amends = _text_changes(result)
    warnings = disagreements(result.order.number, parse_notes(notes), revokes, amends)
    return Imported(result, warnings + proposed)


def link_from_notes(order, by=None) -> list[str]:
    """Revocations the Federal Register's notes record and the texts do not (or not readably):
    proposed for review like any other, whichever of the two orders is stored first, saying
    they come from the notes. What the notes say revoked "in part" is left to the texts."""
    from obligations.importers import EffectError, check_revocation
    from obligations.models import Order, OrderEffect

    pairs = []  # (revoking, revoked, date from the notes)
    notes = parse_notes(order.fr_notes)
    for relation, mine in (("revoked_by", False), ("revokes", True)):
        for number, day in getattr(notes, relation):
            if number in notes.partly:
                continue
            other = Order.objects.filter(number=number).exclude(pk=order.pk).first()
            if other:
                pairs.append((order, other, day) if mine else (other, order, day))
    if order.number:  # stored orders whose notes name this one
        for other in Order.objects.filter(fr_notes__contains=order.number).exclude(pk=order.pk):
            theirs = parse_notes(other.fr_notes)
            for number, day in theirs.revoked_by:
                if number == order.number and number not in theirs.partly:
                    pairs.append((order, other, day))
            for number, day in theirs.revokes:
                if number == order.number and number not in theirs.partly:
                    pairs.append((other, order, day))
    messages = []
    for source, target, day in pairs:
        if OrderEffect.objects.filter(source=source, target=target, kind="revoke").exists():
            continue
        # The notes' date is the revoking order's (often its signing): its own dates come first.
        on = source.effective or source.signed or day
        try:
            check_revocation(source, target, on)
        except EffectError as error:
            messages.append(f"the notes' revocation was not proposed: {error}")
            continue
        OrderEffect.objects.create(
            source=source, target=target, kind="revoke", on=on, proposed_by=by,
            note=f"From the Federal Register's notes ({target.short_name}: revoked by "
            f"{source.short_name}); its text does not say so in words the reader knows.",
        )  # fmt: skip
        messages.append(f"proposed from the notes: {source.short_name} revokes {target.short_name}")
    return messages


def _text_changes(result) -> tuple[list[str], list[str]]:
    """What this text revokes and amends: a pending text's own extraction (the stored order
    still shows the text before it), else the order's."""
    data = getattr(getattr(result, "version", None), "extraction", None)
    if isinstance(data, dict) and isinstance(data.get("order"), dict):
        return data["order"].get("revokes") or [], data["order"].get("amends") or []
    return result.order.revokes or [], result.order.amends or []
