"""Reading an order's source text: the header block, noise, the signing line, the dates.

Cleaning never changes the length of the text: noise (page markers, running heads, markup) is
overwritten with spaces, so every offset into the cleaned text is also an offset into the input.
"""

import re
from datetime import date, datetime

HEADER_KEYS = {
    "number", "title", "signed", "published", "citation", "source", "complete", "note",
    "effective", "kind", "url", "president", "document_number", "type", "implements",
}  # fmt: skip
HEADER_LINE = re.compile(r"([a-z_]+):[ \t]*(.*)")
MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
DATE = rf"(?:{MONTHS})\s+\d{{1,2}},\s*\d{{4}}"

# Noise that print sources put into the running text.
PAGE_MARKER = re.compile(r"\*{1,3}\d{3,6}\*{0,3}|\[\[Page \d{1,6}\]\]")
RUNNING_HEAD = re.compile(r"(?m)^[ \t]*[^\n]{3,250}?,\s*\d{1,3}\s+FR\s+\d{1,6}[ \t]*$")
MARKDOWN_LINK = re.compile(r"\[([^\]\n]{1,300})\]\((?:[^)\s]{0,500})\)")
SIGNING = re.compile(rf"THE\s+WHITE\s+HOUSE,?\s*\n?\s*({DATE})", re.IGNORECASE)
EFFECTIVE = re.compile(
    rf"\bThis\s+(?:order|memorandum|proclamation)\s+(?:is|shall\s+be|shall\s+become|becomes)\s+"
    rf"effective\b((?:[^.]|\b[ap]\.m\.){{0,120}}?)(?:\bon\s+|\bas\s+of\s+)?({DATE})",
    re.IGNORECASE,
)
EFFECTIVE_AFTER = re.compile(
    r"\bThis\s+(?:order|memorandum|proclamation)\s+(?:is|shall\s+be|shall\s+become|becomes)\s+"
    r"effective\s+((?:\d{1,4}|[a-z]+(?:[\s-][a-z]+)?)(?:\s*\(\d{1,4}\))?)\s+(days?|months?|years?)\s+"
    r"(?:after|from|following)\s+(?:the\s+date\s+of\s+)?(?:this|its)\s+(?:order|memorandum|signing|issuance)",
    re.IGNORECASE,
)
EFFECTIVE_NOW = re.compile(
    r"\bThis\s+(?:order|memorandum|proclamation)\s+(?:is|shall\s+be)\s+effective\s+immediately",
    re.IGNORECASE,
)
NUMBER = re.compile(r"\b(?:Executive\s+Order|Exec\.\s+Order)\s+(?:No\.\s*)?(\d{4,6})\b")
BODY_START = re.compile(
    r"(?m)^[ \t]*(?:By\s+the\s+authority\s+vested|(?:Section|Sec\.)\s*1\b|MEMORANDUM\s+FOR)"
)


def parse_date(text: str) -> date | None:
    text = " ".join(text.replace(",", ", ").split()).replace(" ,", ",")
    for fmt in ("%B %d, %Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def split_header(text: str) -> tuple[dict[str, str], int]:
    """The `key: value` lines before the first blank line, and where the order text starts."""
    header: dict[str, str] = {}
    pos = 0
    for line in text.splitlines(keepends=True):
        stripped = line.strip()
        if not stripped:
            if header:
                return header, pos + len(line)
            return {}, 0
        match = HEADER_LINE.fullmatch(stripped)
        if not match or match.group(1) not in HEADER_KEYS:
            return {}, 0
        header[match.group(1)] = match.group(2).strip()
        pos += len(line)
    return {}, 0  # only header-like lines and no text: not a header block


def blank(text: str, spans) -> str:
    """Overwrite each (start, end) span with spaces, keeping newlines so lines stay lines."""
    chars = list(text)
    for start, end in spans:
        for i in range(start, end):
            if chars[i] != "\n":
                chars[i] = " "
    return "".join(chars)


def noise_spans(text: str, start: int) -> list[tuple[int, int]]:
    spans = [m.span() for m in PAGE_MARKER.finditer(text, start)]
    spans += [m.span() for m in RUNNING_HEAD.finditer(text, start)]
    for m in MARKDOWN_LINK.finditer(text, start):
        spans.append((m.start(), m.start() + 1))  # "[" before the link text
        spans.append((m.end(1), m.end()))  # "](target)" after it
    return spans


def clean(text: str, start: int = 0) -> str:
    """The text with noise blanked out; same length as the input."""
    return blank(text, noise_spans(text, start))


def body_bounds(cleaned: str, start: int) -> tuple[int, int]:
    """Where the order's own words begin and end (the preamble or Sec. 1 .. the signing line)."""
    match = BODY_START.search(cleaned, start)
    begin = match.start() if match else start
    signing = SIGNING.search(cleaned, begin)
    return begin, signing.start() if signing else len(cleaned)


def find_signed(cleaned: str) -> date | None:
    match = SIGNING.search(cleaned)
    return parse_date(match.group(1)) if match else None


def find_effective(cleaned: str, signed: date | None) -> date | None:
    match = EFFECTIVE.search(cleaned)
    if match:
        return parse_date(match.group(2))
    later = EFFECTIVE_AFTER.search(cleaned)
    if later and signed:  # "This order shall be effective 60 days after the date of this order."
        from obligations.extraction.timing import number  # timing reads this module
        from obligations.schedule import Period

        return Period(number(later.group(1)), later.group(2).lower().rstrip("s") + "s").add_to(
            signed
        )
    return signed if EFFECTIVE_NOW.search(cleaned) else None


def find_number(cleaned: str, limit: int) -> str | None:
    """The order's own number, named before its text begins (print sources put it on top)."""
    match = NUMBER.search(cleaned, 0, limit)
    return match.group(1) if match else None


def find_title(cleaned: str, limit: int) -> str | None:
    """The first plain line before the text: print sources put the title there."""
    for line in cleaned[:limit].splitlines():
        line = line.strip().strip("#").strip()
        if 8 <= len(line) <= 250 and not re.search(r"\d{4}|Order No|\.pdf|^\W", line):
            return line
    return None


def normalize_newlines(text: str) -> str:
    """CRLF and CR line ends as LF: one text, one digest, whichever system or browser sent it."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def read_file(path, limit: int = 2_000_000) -> str:
    """An order file's text, or ExtractionError with a one-line reason."""
    from pathlib import Path

    from obligations.extraction.results import ExtractionError

    path = Path(path)
    if not path.is_file():
        raise ExtractionError(f"{path}: no such file")
    data = path.read_bytes()
    if len(data) > limit * 4:
        raise ExtractionError(f"{path}: too large ({len(data):,} bytes)")
    try:
        return normalize_newlines(data.decode("utf-8-sig"))
    except UnicodeDecodeError as error:
        raise ExtractionError(f"{path}: not UTF-8 text (byte {error.start})") from None
