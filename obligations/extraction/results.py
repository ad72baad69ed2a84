"""What the extractor returns: plain dataclasses, no Django."""

from dataclasses import dataclass, field
from datetime import date

from obligations.schedule import Rule


@dataclass
class OrderInfo:
    """Facts about the document, from its header block or found in its text."""

    number: str | None = None
    title: str | None = None
    kind: str = "executive order"
    signed: date | None = None
    published: date | None = None
    effective: date | None = None
    citation: str | None = None
    source: str | None = None
    revokes: list[str] = field(default_factory=list)  # numbers of orders this one revokes
    amends: list[str] = field(default_factory=list)  # numbers of orders this one amends
    implements: list[str] = field(default_factory=list)  # orders it implements (citations.py)


@dataclass
class Found:
    """One obligation: a directive clause, its actors and its timing."""

    section: str  # compact designator as printed: "9(b)", "15", "4.1(a)(i)"
    rule: Rule
    actors: list[str]
    action: str
    quote: str  # verbatim source sentence or clause (white space folded)
    start: int  # character offsets of the quote in the input text
    end: int
    due: date | None = None  # first due date under default conventions (deadline, immediate)
    first_due: date | None = None  # recurring with an explicit start
    anchor_text: str = "order"  # "order", "effective date of this order (2017-03-16)", or the event
    source_key: str = ""  # set at import: the key of the row as extracted, before corrections
    corrections: dict = field(default_factory=dict)  # what a person corrected in the preview

    @property
    def kind(self) -> str:
        return self.rule.kind

    @property
    def every(self) -> str | None:
        return self.rule.every.every_label() if self.rule.every else None

    def as_json(self) -> dict:
        """The fixed output contract of `extract_obligations --json`."""
        return {
            "section": self.section,
            "kind": self.kind,
            "due": self.due.isoformat() if self.due else None,
            "every": self.every,
            "first_due": self.first_due.isoformat() if self.first_due else None,
            "anchor": self.anchor_text,
            "actors": self.actors,
            "action": self.action,
            "quote": self.quote,
            "start": self.start,
            "end": self.end,
        }


@dataclass
class Extraction:
    order: OrderInfo
    text: str  # the input as plain text (markup converted); offsets point into it
    obligations: list[Found]
    dropped: list[str] = field(default_factory=list)  # keys of drafts a person left out

    @property
    def timed(self) -> list[Found]:
        return [o for o in self.obligations if o.kind != "open"]


class ExtractionError(ValueError):
    """The input is not an order we can read; the message is one line for the user."""
