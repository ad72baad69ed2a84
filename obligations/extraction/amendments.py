"""What an order does to the text of other orders. Pure Python.

find_amendments(text) reads instructions such as
  "Section 5 of Executive Order 13768 of January 25, 2017 (...) is amended by striking
   'within 90 days' and inserting 'within 120 days'",
  "... is amended by inserting 'X' after 'Y'", "... by deleting 'X'",
  "Section 2 of Executive Order N is amended to read as follows: ...",
  "Executive Order N is amended by adding at the end the following new section: ...",
  "Sections 3 and 5 of Executive Order N are hereby revoked",
  "Executive Order N is amended as follows: (a) Section 2 is amended by striking ...; (b) ...",
  "Executive Order N of <date> is hereby revoked [as of the effective date of this order]";
apply_amendments(target_text, amendments) carries them out on the amended order's text.
"""

import re
from dataclasses import asdict, dataclass
from datetime import date

from obligations.extraction import source, structure
from obligations.extraction.results import ExtractionError

OPEN_QUOTE, CLOSE_QUOTE = "\"“'‘", "\"”'’"
QUOTED = r"[\"“'‘](?P<{}>(?:(?![\"”]).)+?)[\"”'’](?=[\s,.;:)]|$)"
# "Section 5", "Sections 3 and 5", "section 3(b)", "subsection (c) of section 2"
PART = (
    r"(?P<part>(?:sub)?(?:sections?|paragraphs?)\s+(?:\([a-z0-9]+\)\s+of\s+section\s+)?"
    r"[\dA-Za-z().]+(?:(?:,\s*|\s+and\s+|,\s+and\s+)[\dA-Za-z().]+)*)"
)
ORDER = (
    r"Executive\s+Orders?\s+(?:No\.\s*)?(?P<num>\d{4,5})(?:\s+of\s+(?:[A-Z][a-z]+\s+\d{1,2},\s*\d{4}))?"
    r"(?:,?\s*\((?:[^()]|\([^()]*\))*\))?,?(?:\s+as\s+amended,?)?"
)
TARGET = re.compile(
    rf"(?:\b{PART}\s+of\s+)?\b{ORDER}\s+(?:is|are)\s+(?:hereby\s+)?(?:further\s+)?(?P<verb>amended|revoked|rescinded)",
    re.IGNORECASE,
)
# Inside "Executive Order N is amended as follows: (a) Section 2 is amended ...".
INNER = re.compile(
    rf"\b{PART}\s+(?:of\s+(?:such|that|the)\s+order\s+)?(?:is|are)\s+(?:hereby\s+)?"
    r"(?P<verb>amended|revoked|rescinded)",
    re.IGNORECASE,
)
STRIKE = re.compile(
    r"\s*by\s+(?:striking|deleting)(?:\s+out)?\s+" + QUOTED.format("old")
    + r"(?:\s+and\s+inserting(?:\s+in\s+lieu\s+thereof)?\s+" + QUOTED.format("new") + ")?",
    re.IGNORECASE | re.DOTALL,
)  # fmt: skip
INSERT = re.compile(
    r"\s*by\s+inserting\s+" + QUOTED.format("new") + r"\s+(?:after|following)\s+"
    + QUOTED.format("after"),
    re.IGNORECASE | re.DOTALL,
)  # fmt: skip
READ = re.compile(r"\s*to\s+read\s+as\s+follows\s*:", re.IGNORECASE)
ADD = re.compile(
    r"\s*by\s+(?:adding|inserting)\s+(?:at\s+the\s+end\s+(?:thereof\s+)?)?(?:the\s+following\s+)?"
    r"(?:a\s+)?new\s+(?:section|subsection|paragraph)(?:\s+(?P<label>\d{1,3}[A-Za-z]?))?"
    r"(?:\s+(?:after|following)\s+section\s+(?P<after>\d{1,3}[A-Za-z]?))?"
    r"(?:\s+(?:at\s+the\s+end|to\s+read\s+as\s+follows))?\s*[:,]?",
    re.IGNORECASE,
)
AS_FOLLOWS = re.compile(r"\s*as\s+follows\s*:", re.IGNORECASE)
AS_OF = re.compile(
    r"[^.;]{0,40}?\b(?:as\s+of|effective(?:\s+on)?|upon)\s+(?:the\s+)?"
    r"(?P<what>effective\s+date\s+of\s+this\s+order|date\s+of\s+this\s+order|" + source.DATE + ")",
    re.IGNORECASE,
)  # fmt: skip
REVOKED_TEXT = "[Revoked.]"


class AmendmentError(ExtractionError):
    """An instruction the amended text cannot take (no such section, no such words)."""


@dataclass(frozen=True)
class Amendment:
    target: str  # the amended order's number
    section: str | None  # "5", "3(b)"; None: the whole order
    op: str  # strike (with new: replace the words), insert, replace, add, revoke
    old: str = ""
    new: str = ""
    after: str | None = None  # insert: the words it follows; add: the section it follows
    quote: str = ""  # the instruction as the amending order says it
    start: int = 0
    end: int = 0
    as_of: str = "signed"  # signed, effective, or an ISO date

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "Amendment":
        return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})


def find_amendments(text: str) -> list[Amendment]:
    """Every instruction of the order on other orders' texts, in the order they are given."""
    _, body_start = source.split_header(text)
    cleaned = source.clean(text, body_start)
    begin, end = source.body_bounds(cleaned, body_start)
    stops = [h[0] for h in structure.headings(cleaned, begin, end)] + [end]
    found = []
    for match in TARGET.finditer(cleaned, begin, end):
        stop = min(s for s in stops if s > match.start())
        found += _instructions(cleaned, match, match.group("num"), stop, TARGET)
    return found


def _instructions(text, match, number, stop, pattern):
    sections = _sections(match.group("part")) if match.group("part") else [None]
    verb = match.group("verb").lower()
    at = match.end()
    if verb != "amended":
        tail = AS_OF.match(text, at)
        as_of = _as_of(tail.group("what")) if tail else "signed"
        end = tail.end() if tail else at
        return [_make(number, s, "revoke", text, match.start(), end, as_of=as_of) for s in sections]
    rest = []
    if found := STRIKE.match(text, at):
        op = "strike"
        fields = {"old": found.group("old"), "new": found.group("new") or ""}
    elif found := INSERT.match(text, at):
        op, fields = "insert", {"new": found.group("new"), "after": found.group("after")}
    elif found := READ.match(text, at):
        body, body_end = _passage(text, found.end(), stop)
        return [_make(number, sections[0], "replace", text, match.start(), body_end, new=body)]
    elif found := ADD.match(text, at):
        body, body_end = _passage(text, found.end(), stop)
        after = found.group("after") or sections[0]
        label = found.group("label")
        if label and not structure.HEADING.match(body):
            body = f"Sec. {label}. {body}"
        return [_make(number, None, "add", text, match.start(), body_end, new=body, after=after)]
    elif pattern is TARGET and (found := AS_FOLLOWS.match(text, at)):
        for inner in INNER.finditer(text, found.end(), stop):
            rest += _instructions(text, inner, number, stop, INNER)
        return rest
    else:
        return []
    return [_make(number, s, op, text, match.start(), found.end(), **fields) for s in sections]


def _make(number, section, op, text, start, end, **fields):
    quote = " ".join(text[start:end].split())
    return Amendment(number, section, op, quote=quote, start=start, end=end, **fields)


def _sections(part: str) -> list[str]:
    """ "Sections 3 and 5" -> ["3", "5"]; "subsection (c) of section 2" -> ["2(c)"]."""
    part = " ".join(part.split())
    nested = re.match(
        r"(?i)(?:sub)?(?:section|paragraph)s?\s+(\([a-z0-9]+\))\s+of\s+section\s+(\S+)", part
    )
    if nested:
        return [nested.group(2).rstrip(".,") + nested.group(1)]
    labels = re.sub(r"(?i)^(?:sub)?(?:sections?|paragraphs?)\s+", "", part)
    return [s.strip().rstrip(".,") for s in re.split(r",\s*and\s+|,\s*|\s+and\s+", labels) if s]


def _passage(text: str, start: int, stop: int) -> tuple[str, int]:
    """The new text an instruction gives: a quoted passage, else up to the next heading."""
    body = text[start:stop]
    stripped = body.lstrip()
    offset = start + len(body) - len(stripped)
    if stripped[:1] in OPEN_QUOTE:
        closing = max(stripped.rfind(q) for q in CLOSE_QUOTE)
        if closing > 0:
            return stripped[1:closing].strip(), offset + closing + 1
    return stripped.strip(), stop


def _as_of(what: str) -> str:
    what = " ".join(what.lower().split())
    if what.startswith("effective date"):
        return "effective"
    if what.startswith("date of this order"):
        return "signed"
    day = source.parse_date(what)
    return day.isoformat() if isinstance(day, date) else "signed"


# --- carrying them out ------------------------------------------------------------------------


def apply_amendments(text: str, amendments) -> str:
    for amendment in amendments:
        text = apply_amendment(text, amendment)
    return text


def apply_amendment(text: str, a: Amendment) -> str:
    """The target order's text with one instruction carried out; AmendmentError if it cannot
    be (the section or the words are not there): never a silent no-op."""
    if a.op == "add":
        at = _section_span(text, a.after)[1] if a.after else _body_end(text)
        return text[:at].rstrip() + "\n\n" + a.new.strip() + "\n\n" + text[at:].lstrip("\n")
    if a.section is None:
        raise AmendmentError(f"no section named to {a.op} in Executive Order {a.target}")
    start, end = _span(text, a.section)
    part = text[start:end]
    if a.op == "strike":
        words = _find(part, a.old, a)
        new = part[: words.start()] + a.new + part[words.end() :]
    elif a.op == "insert":
        words = _find(part, a.after, a)
        new = part[: words.end()] + " " + a.new.strip() + part[words.end() :]
    elif a.op in ("replace", "revoke"):
        label = re.match(r"\s*(?:(?:Section|Sec\.)\s*\d{1,3}[A-Za-z]?\.?|\([a-z0-9]+\))", part)
        keep = label.group(0) if label else ""
        body = REVOKED_TEXT if a.op == "revoke" else a.new.strip()
        if structure.HEADING.match(body) or re.match(r"\([a-z0-9]+\)", body):
            keep = ""  # the new text restates the heading
        tail = "\n\n" if part.endswith("\n\n") else "\n" if part.endswith("\n") else ""
        new = (keep + " " + body).strip() + tail
    else:
        raise AmendmentError(f"not an amendment: {a.op}")
    return text[:start] + new + text[end:]


def _find(part, words, a):
    pattern = r"\s+".join(re.escape(w) for w in words.split())
    found = re.search(pattern, part)
    if not found:
        raise AmendmentError(f"the words {words!r} are not in section {a.section} of "
                             f"Executive Order {a.target}")  # fmt: skip
    return found


def _body_end(text: str) -> int:
    _, start = source.split_header(text)
    return source.body_bounds(source.clean(text, start), start)[1]


def _section_span(text: str, section: str) -> tuple[int, int]:
    _, start = source.split_header(text)
    cleaned = source.clean(text, start)
    begin, end = source.body_bounds(cleaned, start)
    heads = [h for h in structure.headings(cleaned, begin, end) if "." not in h[2]]
    for i, (pos, _, label) in enumerate(heads):
        if label.lower() == section.lower():
            stop = heads[i + 1][0] if i + 1 < len(heads) else end
            return pos, stop
    raise AmendmentError(f"there is no section {section} to amend")


def _span(text: str, designator: str) -> tuple[int, int]:
    """Where "5", "3(b)" or "5(a)(ii)" is in the text: the section, then each paragraph marker."""
    top = designator.split("(")[0]
    labels = re.findall(r"\(([^)]+)\)", designator)
    start, end = _section_span(text, top)
    for label in labels:
        marker = re.compile(rf"(?:(?<=[\s.:;])|^)\({re.escape(label)}\)\s")
        found = marker.search(text, start, end)
        if not found:
            raise AmendmentError(f"there is no paragraph ({label}) in section {top} to amend")
        start = found.start()
        following = re.compile(r"(?:(?m:^)[ \t]*|(?<=[.:;])[ \t]+)\(([a-z]{1,4}|\d{1,3})\)\s")
        siblings = [m for m in following.finditer(text, found.end(), end)
                    if _same_level(m.group(1), label)]  # fmt: skip
        end = siblings[0].start() if siblings else end
    return start, end


def _same_level(label: str, other: str) -> bool:
    kinds = [("digit" if x.isdigit() else "roman" if set(x) <= set("ivxlc") and len(x) > 1 else
              "lower") for x in (label, other)]  # fmt: skip
    return kinds[0] == kinds[1]
