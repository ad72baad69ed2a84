"""Open data: the public record as files anyone may download and build on (CSV, JSON and the
JSON Schema of the JSON), and the text of the public Atom feed's entries.

The fields are listed once, in FIELDS: the CSV header, the JSON rows, the JSON Schema and the
documentation page (/public/data/) all read it, so they cannot disagree. Their names are stable:
a program that reads a file today must read tomorrow's. A new field goes at the end; a name is
never changed, removed or reused (tests/test_opendata.py lists them, so changing one fails).

One row per track: one agency's due date of an obligation (a shared track, one for all or for no
named agency, has none). Only what obligations.public lets out: the order's and obligation's own
fields and public.OCCURRENCE_FIELDS; never notes, versions, database ids, or who changed what.

Values are written as they are stored. A cell that begins with = + - or @ is not given a leading
apostrophe (what the staff export does against spreadsheet formulas): open data is read by
programs first, and an altered value is a wrong value for them. The documentation page says so,
and how to open the CSV in a spreadsheet as text.
"""

import csv
import io
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from itertools import islice
from types import SimpleNamespace
from urllib.parse import quote

from django.db import connection
from django.db.models import F
from django.urls import NoReverseMatch, reverse

from obligations import clock, public, titles
from obligations.models import Agency, Obligation, Occurrence, Order, StatusChange
from obligations.schedule import KINDS
from obligations.versions import STAMPS
from obligations.views.common import existing_on

LICENCE = {
    "name": "Public domain (CC0 1.0 Universal)",
    "url": "https://creativecommons.org/publicdomain/zero/1.0/",
}
SCHEMA_DRAFT = "https://json-schema.org/draft/2020-12/schema"
ROWS_PER_CHUNK = 500  # rows per piece of a streamed file: few writes, little memory
CHUNK = 2000  # tracks read from the database at a time


@dataclass(frozen=True)
class Field:
    name: str
    type: str  # "string", "date" (YYYY-MM-DD) or "url"
    description: str
    nullable: bool = False  # null in JSON (empty in CSV) when there is none
    enum: tuple = ()

    def schema(self) -> dict:
        """This field's JSON Schema (draft 2020-12)."""
        found = {"type": "string", "description": self.description}
        if self.type == "date":
            found["format"] = "date"
        elif self.type == "url":
            found["format"] = "uri"
        if self.enum:
            found["enum"] = [*self.enum, *([None] if self.nullable else [])]
        if self.nullable:
            found["type"] = ["string", "null"]
        return found

    @property
    def label(self) -> str:
        """The type as the documentation page says it."""
        kind = {"date": "date (YYYY-MM-DD)", "url": "URL"}.get(self.type, "text")
        if self.enum:
            kind = "one of " + ", ".join(self.enum)
        return f"{kind}, or empty" if self.nullable else kind


STATUSES = tuple(Occurrence.Status.values)
FIELDS = (
    Field("order", "string", "The order's short name: “EO 13768”; an unnumbered memorandum goes "
          "by the start of its title."),
    Field("order_slug", "string", "The order in the public site's addresses: its kind and number, "
          "“eo-13768” (/public/orders/eo-13768/)."),
    Field("order_title", "string", "The order's title."),
    Field("order_signed", "date", "The day the order was signed.", nullable=True),
    Field("obligation_key", "string", "The obligation's key within its order. Re-imports of the "
          "order's text keep it: order_slug and obligation_key name one obligation for good."),
    Field("section", "string", "The section of the order that creates it: “15”, “9(b)”."),
    Field("citation", "string", "How to cite the obligation: “EO 13768 §15, 82 FR 8799”."),
    Field("title", "string", "A short title (section, action, timing): “Sec. 15: progress "
          "report, 90 days”."),
    Field("action", "string", "What must be done, from the order's words."),
    Field("quote", "string", "The sentence of the order that creates the obligation, verbatim."),
    Field("kind", "string", "The obligation's timing: a deadline, a recurring series, an "
          "immediate action, or open (no time stated).", enum=KINDS),
    Field("agency", "string", "The agency whose track this row is; empty for a shared track (one "
          "deliverable for all its agencies, or no agency named).", nullable=True),
    Field("agency_abbreviation", "string", "The agency's short name: “DHS”.", nullable=True),
    Field("agency_slug", "string", "The agency in the public site's addresses.", nullable=True),
    Field("due", "date", "The due date."),
    Field("period_start", "date", "The first day of the period a recurring report covers, when "
          "the order says.", nullable=True),
    Field("period_end", "date", "The last day of that period.", nullable=True),
    Field("explanation", "string", "How the due date was computed: “2017-01-25 (signed) + 90 "
          "calendar days = 2017-04-25 (Tue)”, and the sentence it comes from."),
    Field("status", "string", "The track's status on the day the file is as of (as_of): open, "
          "in progress, submitted by the agency, verified independently, waived, not required, "
          "or unmet (its order was revoked after the due date had passed).", enum=STATUSES),
    Field("submitted_on", "date", "When the agency submitted what was due.", nullable=True),
    Field("published_on", "date", "When it was published.", nullable=True),
    Field("verified_on", "date", "When it was verified independently (an inspector general, "
          "OMB, an outside monitor).", nullable=True),
    Field("closed_on", "date", "When it was waived, found not required, or became unmet.",
          nullable=True),
    Field("evidence_url", "url", "Where what the agency submitted can be read.", nullable=True),
    Field("verification_url", "url", "The source of the independent verification.",
          nullable=True),
    Field("authority", "string", "The authority cited for a waiver or for finding it not "
          "required.", nullable=True),
    Field("authority_url", "url", "Where that authority can be read.", nullable=True),
    Field("url", "url", "The obligation's page on the public site."),
)  # fmt: skip
NAMES = tuple(f.name for f in FIELDS)

# The columns a row is made from (values, not model instances: they cost more to make than the
# rows). A track's own are public.OCCURRENCE_FIELDS, nothing else; its obligation's and agency's
# come from queries of their own (rows()), not repeated on each of its rows.
TRACK = (*public.OCCURRENCE_FIELDS, "status_then", "agency_id", "obligation_id")
OBLIGATION = (
    "id", "key", "section", "action", "quote", "rule", "order_id", "order__kind",
    "order__number", "order__title", "order__signed", "order__citation",
)  # fmt: skip
DATES = ("submitted_on", "published_on", "verified_on", "closed_on")
# A link goes with its date: as of a past day, what had not happened then is empty.
LINKED = (("evidence_url", "submitted_on"), ("verification_url", "verified_on"),
          ("authority", "closed_on"), ("authority_url", "closed_on"))  # fmt: skip
AT = {name: i for i, name in enumerate(TRACK)}


def public_occurrences():
    """Every public track: of confirmed obligations still in their order's text (withdrawn ones
    have no public page, public.get_obligation)."""
    return Occurrence.objects.filter(
        obligation__review_state=Obligation.Review.CONFIRMED, obligation__withdrawn_by=None
    )


def occurrences(day: date, order=None):
    """The public tracks as they stood on `day` (status_then), of one order or of all, in a
    stable order: by order, the obligation's place in it, due date, agency."""
    rows = public_occurrences().as_of(day)
    if order is not None:
        rows = rows.filter(obligation__order=order)
    rows = existing_on(rows, day)  # orders not signed by then are not there yet
    return rows.order_by(
        F("obligation__order__signed").asc(nulls_last=True), "obligation__order_id",
        "obligation__span_start", "obligation_id", "sequence",
        F("agency__name").asc(nulls_first=True), "id",
    )  # fmt: skip


def obligation_path(slug: str, key: str) -> str:
    """The public page of an obligation. Its view belongs to the public pages; until that is
    there, the address it will have."""
    try:
        return reverse("public_obligation", args=[slug, key])
    except NoReverseMatch:
        return f"/public/orders/{quote(slug)}/obligations/{quote(key)}/"


def rows(day: date, order=None, link=str):
    """The rows of the files, as lists of values in FIELDS' order (None: there is none).
    `link(path)` makes the absolute address.

    The tracks are read in chunks, and for each chunk the obligations (with their orders) it
    needs that the previous chunk did not, in one query: an obligation's part of a row is made
    once for all its tracks, and its long columns (quote, rule) are read and decoded once, not
    per track (that was a third of the time). Memory holds one chunk, however many rows. A
    chunk's own query, rather than a second cursor merged in step, cannot lose its place when
    an obligation changes while a long download runs; one deleted meanwhile loses its rows."""
    past = day < clock.today()
    agencies, orders, known = Agencies(), {}, {}
    status, obligation_id, agency_id = AT["status_then"], AT["obligation_id"], AT["agency_id"]
    due, start, end, explanation = (AT[k] for k in ("due", "period_start", "period_end",
                                                    "explanation"))  # fmt: skip
    dates = [AT[name] for name in DATES]
    links = [(AT[name], AT[date_name]) for name, date_name in LINKED]
    tracks = occurrences(day, order).values_list(*TRACK).iterator(chunk_size=CHUNK)
    while chunk := list(islice(tracks, CHUNK)):
        wanted = {r[obligation_id] for r in chunk}
        known = {pk: common for pk, common in known.items() if pk in wanted}
        found = Obligation.objects.filter(pk__in=wanted - known.keys()).values_list(*OBLIGATION)
        known.update((r[0], _obligation(r, link, orders)) for r in found)
        for r in chunk:
            common = known.get(r[obligation_id])
            if common is None:
                continue  # deleted since the tracks were read
            if past:  # what had not happened by then is empty
                on = [v if (v := r[i]) and v <= day else None for i in dates]
                shown = [r[i] if (v := r[d]) and v <= day else None for i, d in links]
            else:
                on = [r[i] for i in dates]
                shown = [r[i] for i, _ in links]
            yield [
                *common[:-1], *agencies[r[agency_id]], r[due].isoformat(), _iso(r[start]),
                _iso(r[end]), r[explanation], r[status], *map(_iso, on),
                *(v or None for v in shown), common[-1],
            ]  # fmt: skip


def _obligation(r, link, orders: dict) -> list:
    """The values every track of one obligation shares, its address last. Through the model's
    own names (short name, slug, citation, title), without making model instances per row."""
    (_, key, section, action, quote_, rule, order_id, kind, number, title, signed, cite) = r
    if order_id not in orders:  # a few hundred orders: kept for the whole file
        order = Order(pk=order_id, kind=kind, number=number, title=title, citation=cite)
        orders[order_id] = (order, public.order_slug(order), order.short_name)
    order, slug, short_name = orders[order_id]
    obligation = SimpleNamespace(order=order, section=section)
    rule = rule or {}
    return [
        short_name, slug, title, _iso(signed), key, section, public.citation(obligation),
        titles.title(section, action, rule, "" if action else quote_), action, quote_,
        rule.get("kind", "open"), link(obligation_path(slug, key)),
    ]  # fmt: skip


class Agencies(dict):
    """{agency id: (name, short name, slug)}: a few hundred rows, read once; one made while a
    download runs is read when a row names it."""

    def __init__(self):
        super().__init__({None: (None, None, None)})  # a shared track
        for agency in Agency.objects.only("name", "abbreviation"):
            self[agency.pk] = self.values_of(agency)

    def __missing__(self, pk):
        self[pk] = self.values_of(Agency.objects.get(pk=pk))
        return self[pk]

    @staticmethod
    def values_of(agency) -> tuple:
        return agency.name, agency.abbreviation or None, public.agency_slug(agency)


def _iso(day):
    return day.isoformat() if day else None


def csv_chunks(rows):
    """The CSV file in pieces (bytes): a header of the field names, then a line per row; RFC
    4180 (CRLF, quoted where needed), UTF-8, None as an empty cell, values unaltered."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(NAMES)
    yield buffer.getvalue().encode()  # at once: the download starts before the query ends
    buffer.seek(0)
    buffer.truncate()
    for n, row in enumerate(rows, 1):
        writer.writerow(["" if v is None else v for v in row])
        if n % ROWS_PER_CHUNK == 0:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


def head(day: date, schema_url: str, order=None) -> dict:
    """What the JSON file says before its rows."""
    fields = [{"name": f.name, "type": f.label, "description": f.description} for f in FIELDS]
    return {
        "title": "Obligations of federal orders, one row per agency's due date",
        "licence": LICENCE,
        "schema": schema_url,
        "as_of": day.isoformat(),
        "order": public.order_slug(order) if order is not None else None,
        "fields": fields,
    }


def json_chunks(rows, top: dict):
    """The JSON file in pieces (bytes): `top` (head()), then "rows", an array of one object per
    row, written as they come: {..., "rows": [{...},\\n{...}]}."""
    opening = json.dumps(top, ensure_ascii=False)
    yield (opening[:-1] + ', "rows": [').encode()
    parts, separator = [], "\n"
    for row in rows:
        parts.append(separator + json.dumps(dict(zip(NAMES, row, strict=True)), ensure_ascii=False))
        separator = ",\n"
        if len(parts) == ROWS_PER_CHUNK:
            yield "".join(parts).encode()
            parts.clear()
    parts.append("\n]}\n")
    yield "".join(parts).encode()


def schema(schema_url: str) -> dict:
    """The JSON Schema (draft 2020-12) of the JSON files, the whole record's and an order's."""
    text = {"type": "string"}
    return {
        "$schema": SCHEMA_DRAFT,
        "$id": schema_url,
        "title": "Obligations of federal orders: the public record",
        "description": "One row per track: one agency's due date of one obligation. Field "
        "names are stable; new fields are added at the end.",
        "type": "object",
        "required": ["title", "licence", "schema", "as_of", "order", "fields", "rows"],
        "properties": {
            "title": text,
            "licence": {
                "type": "object", "required": ["name", "url"],
                "properties": {"name": text, "url": {"type": "string", "format": "uri"}},
            },
            "schema": {"type": "string", "format": "uri"},
            "as_of": {"type": "string", "format": "date",
                      "description": "The day the statuses and dates are as they stood on."},
            "order": {"type": ["string", "null"],
                      "description": "The order's slug in a file of one order; null in the "
                      "file of every order."},
            "fields": {
                "type": "array",
                "description": "The fields of a row, in order, with their meaning.",
                "items": {
                    "type": "object", "required": ["name", "type", "description"],
                    "properties": {"name": text, "type": text, "description": text},
                },
            },
            "rows": {"type": "array", "items": {"$ref": "#/$defs/row"}},
        },
        "$defs": {
            "row": {
                "type": "object",
                "additionalProperties": False,
                "required": list(NAMES),
                "properties": {f.name: f.schema() for f in FIELDS},
            }
        },
    }  # fmt: skip


def last_change():
    """The latest time anything public was saved (Last-Modified). Deletions leave no stamp:
    the ETag, made from the data version, is what tells them."""
    tables = [(connection.ops.quote_name(m._meta.db_table), c) for m, c in STAMPS[:-1]]
    sql = "SELECT " + ", ".join(f"(SELECT {column} FROM {table})" for table, column in tables)
    with connection.cursor() as cursor:
        cursor.execute(sql)
        found = [_aware(v) for v in cursor.fetchone() if v]
    return max(found, default=datetime(2000, 1, 1, tzinfo=UTC))


def _aware(value):
    if isinstance(value, str):  # SQLite gives the text it stores
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


# The Atom feed of public status changes -------------------------------------------------------
CHANGES = 100  # entries in the feed


def public_changes(limit=CHANGES):
    """The latest moves of a public track's status, newest first. Read with only the columns an
    entry shows: never the change's note, nor who made it."""
    rows = StatusChange.objects.filter(occurrence__in=public_occurrences()).exclude(
        from_status=F("to_status")
    )
    rows = rows.select_related("occurrence__agency", "occurrence__obligation__order")
    return rows.only(
        "at", "from_status", "to_status", "changes", "occurrence__due",
        "occurrence__agency__name", "occurrence__agency__abbreviation",
        "occurrence__obligation__key", "occurrence__obligation__section",
        "occurrence__obligation__action", "occurrence__obligation__quote",
        "occurrence__obligation__rule", "occurrence__obligation__order__kind",
        "occurrence__obligation__order__number", "occurrence__obligation__order__title",
        "occurrence__obligation__order__citation",
    ).order_by("-at", "-id")[:limit]  # fmt: skip


LABELS = {value: str(label).lower() for value, label in Occurrence.Status.choices}
FIELD_LABELS = {
    "submitted_on": "Submitted on", "published_on": "Published on", "verified_on": "Verified on",
    "closed_on": "Closed on", "evidence_url": "Evidence", "verification_url": "Verification",
    "authority": "Authority", "authority_url": "Authority (link)", "due": "Due",
}  # fmt: skip


def change_title(change) -> str:
    """ "EO 13768 §15: DHS progress report, 90 days (due 2017-04-25) — submitted"."""
    occurrence = change.occurrence
    obligation, agency = occurrence.obligation, occurrence.agency
    order = obligation.order
    cite = f"{order.short_name} §{obligation.section}" if obligation.section else order.short_name
    who = f"{agency.abbreviation or agency.name} " if agency else ""
    status = LABELS.get(change.to_status, change.to_status)
    return f"{cite}: {who}{obligation.label} (due {occurrence.due.isoformat()}) — {status}"


def change_summary(change) -> str:
    """What changed, from public fields only: the status and the public fields set with it."""
    old = LABELS.get(change.from_status, change.from_status)
    new = LABELS.get(change.to_status, change.to_status)
    lines = [f"Status: {old} → {new}.", f"Due {change.occurrence.due.isoformat()}."]
    for name, value in (change.changes or {}).items():
        if name in public.OCCURRENCE_FIELDS and name in FIELD_LABELS and value:
            lines.append(f"{FIELD_LABELS[name]}: {value}.")
    lines.append(public.citation(change.occurrence.obligation) + ".")
    return " ".join(lines)


def change_path(change) -> str:
    obligation = change.occurrence.obligation
    return obligation_path(public.order_slug(obligation.order), obligation.key)
