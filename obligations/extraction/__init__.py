"""From an order's text to its obligations. Pure Python: no Django, no database.

extraction = extract(text, signed=date(2017, 1, 25))
for found in extraction.obligations: ...
"""

import re
from datetime import date

from obligations.extraction import actors, citations, formats, source, structure
from obligations.extraction.directives import Context, read_block
from obligations.extraction.results import Extraction, ExtractionError, Found, OrderInfo
from obligations.extraction.source import read_file
from obligations.schedule import Conventions, first_due, out_of_range

__all__ = ["Extraction", "ExtractionError", "Found", "OrderInfo", "extract", "read_file"]

MAX_OBLIGATIONS = 3000  # EO 14110, among the longest orders, has about 150
MAX_CHARS = 1_000_000  # seven times the longest order (EO 14110, 135 KB)
REVOKED = re.compile(
    r"\b(?:is|are)\s+(?:hereby\s+)?(?:revoked|rescinded)\b(?P<list>\s*:)?", re.IGNORECASE
)
AMENDED = re.compile(
    r"\b(?:is|are)\s+(?:hereby\s+)?(?:further\s+)?(?:amended|superseded)\b(?P<list>\s*:)?",
    re.IGNORECASE,
)
# What says a text is a presidential order even with no "Sec." headings and nothing directed:
# short orders that only revoke, amend or designate (zero obligations is then the answer).
ORDER_WORDS = re.compile(
    r"(?i)\bby the authority vested in me\b|\bit is hereby ordered\b"
    r"|\bI hereby (?:order|direct|revoke|designate|amend)\b"
)
ORDER_NUMBER = re.compile(r"\bExecutive\s+Orders?\s+((?:\d{5}|,|and|\s|of\s+[^,()]{3,40}?,)+)")


def extract(text: str, signed: date | None = None, kind: str | None = None) -> Extraction:
    """Read an order. Raises ExtractionError with a one-line reason for input that is not one."""
    _check_readable(text)
    text = formats.to_text(text)
    header, body_start = source.split_header(text)
    cleaned = source.clean(text, body_start)
    begin, end = source.body_bounds(cleaned, body_start)
    info = _order_info(header, cleaned, begin, end, signed, kind)
    anchor = "effective" if info.effective and info.effective != info.signed else "order"
    ctx = Context(defs=actors.definitions(cleaned[begin:end]), default_anchor=anchor)
    found: list[Found] = []
    section = None
    for block in structure.blocks(cleaned, begin, end):
        if block.section != section:
            section, ctx.seen = block.section, []
        found += read_block(cleaned, block, ctx, room=MAX_OBLIGATIONS - len(found))
    if not found and not _looks_like_an_order(cleaned, begin, end, info):
        raise ExtractionError("this does not look like an order: no sections and no directives")
    for row in found:
        _date(row, info)
    info.revokes, info.amends = _changes(cleaned, ctx.sentences)
    named = re.findall(r"\d{4,6}", header.get("implements", ""))
    info.implements = list(dict.fromkeys(named + citations.cited_orders(cleaned[begin:end])))
    return Extraction(order=info, text=text, obligations=found)


def _looks_like_an_order(text, begin, end, info) -> bool:
    """Headings, an order number (a header or the Federal Register's), or an order's words."""
    if info.number or structure.headings(text, begin, end):
        return True
    return bool(ORDER_WORDS.search(text, begin, end))


def _check_readable(text: str) -> None:
    if not isinstance(text, str):
        raise ExtractionError("the input must be text")
    if not text.strip():
        raise ExtractionError("the input is empty")
    if len(text) > MAX_CHARS:
        raise ExtractionError(
            f"the input is too long ({len(text):,} characters; at most {MAX_CHARS:,})"
        )
    controls = sum(1 for c in text[:20000] if ord(c) < 32 and c not in "\n\r\t\f")
    if "\x00" in text or controls > len(text[:20000]) / 100:
        raise ExtractionError("the input looks binary, not text")
    if not re.search(r"[A-Za-z]{3,}", text):
        raise ExtractionError("the input has no words")


# What the database keeps of a header's values (obligations.models.Order uses these limits).
HEADER_LIMITS = {"number": 20, "title": 500, "citation": 200, "source": 500}
HEADER_DATES = ("signed", "effective", "published")


def _check_header(header: dict) -> None:
    """A header value that is not what it says ("signed: 2017-02-30") or longer than what is kept
    is refused with its name, never dropped or cut in silence."""
    for name in HEADER_DATES:
        value = (header.get(name) or "").strip()
        if value and not source.parse_date(value):
            raise ExtractionError(
                f"the header's {name} date {value[:40]!r} is not a date (write it as 2017-01-25 "
                "or January 25, 2017)"
            )
    for name, limit in HEADER_LIMITS.items():
        value = header.get(name) or ""
        if len(value) > limit:
            raise ExtractionError(
                f"the header's {name} is {len(value):,} characters long; at most {limit:,}"
            )


def _order_info(header, cleaned, begin, end, signed, kind) -> OrderInfo:
    _check_header(header)
    signed = signed or source.parse_date(header.get("signed", "")) or source.find_signed(cleaned)
    _check_date("signing", signed)
    try:
        effective = source.parse_date(header.get("effective", "")) or source.find_effective(
            cleaned[begin:end], signed
        )
    except (OverflowError, ValueError):  # "effective 0 days after", "9000 years after"
        raise ExtractionError("the effective date it states is not a date") from None
    _check_date("effective", effective)
    _check_date("publication", source.parse_date(header.get("published", "")))
    return OrderInfo(
        number=header.get("number") or source.find_number(cleaned, begin),
        title=header.get("title") or source.find_title(cleaned, begin),
        kind=kind or header.get("kind") or "executive order",
        signed=signed,
        published=source.parse_date(header.get("published", "")),
        effective=effective,
        citation=header.get("citation"),
        source=header.get("source"),
    )


def _check_date(name: str, day: date | None) -> None:
    """Refuse a date no order has (9999-12-31, year 1): its due dates would run off the
    calendar."""
    reason = out_of_range(day, date.today()) if day else ""
    if reason:
        raise ExtractionError(f"the {name} date {reason}")


def _date(row: Found, info: OrderInfo) -> None:
    """Fill the due date (default conventions) and the anchor's words for the output contract."""
    anchor = row.rule.anchor
    dates = {"order": info.signed, "effective": info.effective or info.signed}
    if anchor == "effective":
        when = info.effective.isoformat() if info.effective else "unknown"
        row.anchor_text = f"effective date of this order ({when})"
    else:
        row.anchor_text = anchor
    if row.rule.on:
        row.anchor_text = "fixed date"
    due = first_due(row.rule, dates.get(anchor), Conventions(), anchor_name=anchor)
    if not due:
        return
    if row.kind == "recurring":
        row.first_due = due.date if row.rule.offset or row.rule.on else None
    else:
        row.due = due.date


def _changes(cleaned: str, spans: list[tuple[int, int]]) -> tuple[list[str], list[str]]:
    """Numbers of the orders this one revokes and amends ("Executive Order 13768 ... is hereby
    revoked"). Revoking only some sections of an order amends it."""
    revokes, amends = [], []
    for s, e in spans:
        sentence = cleaned[s:e]
        for pattern, target in ((REVOKED, revokes), (AMENDED, amends)):
            verb = pattern.search(sentence)
            if not verb:
                continue
            head = sentence[: verb.start()]
            if verb.group("list"):  # "The following orders are revoked: Executive Order ..."
                head = sentence[verb.end() :]
            numbers = [
                n for m in ORDER_NUMBER.finditer(head) for n in re.findall(r"\d{5}", m.group(1))
            ]
            partial = re.search(
                r"\b(?:sections?|subsections?|paragraphs?)\s+\d", head, re.IGNORECASE
            )
            bucket = amends if target is revokes and partial else target
            bucket += [n for n in numbers if n not in bucket]
    return revokes, amends
