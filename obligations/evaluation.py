"""Scoring the extractor against labelled orders (gold JSONL rows as in GUIDELINE.md).

Rows match by top-level section ("4.1" of "4.1(a)(i)", "9" of "9(b)"), kind, and due date
(deadline, immediate) or recurrence unit (recurring), counted as multisets.
"""

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from obligations.extraction.actors import expand
from obligations.schedule import Period


def top_section(designator: str) -> str:
    """ "9(b)" -> "9", "4.1(a)(i)" -> "4.1", "Sec. 15" -> "15"."""
    match = re.search(r"\d+(?:\.\d+)*", designator or "")
    return match.group() if match else ""


def row_key(row: dict) -> tuple:
    when = row.get("every") if row.get("kind") == "recurring" else row.get("due")
    if row.get("kind") == "recurring" and when:
        when = same_period(when)
    return (top_section(row.get("section", "")), row.get("kind"), when)


def same_period(every: str) -> str:
    """One name for one schedule: "3 months" is "quarter", "12 months" and "1 year" are
    "year", "7 days" is "week" (the guideline allows either spelling)."""
    try:
        period = Period.parse(every)
    except ValueError:
        return every
    if period.unit == "years":
        period = Period(period.n * 12, "months")
    elif period.unit == "weeks":
        period = Period(period.n * 7, "days")
    if period.unit == "months" and period.n % 12 == 0:
        period = Period(period.n // 12, "years")
    elif period.unit == "days" and period.n % 7 == 0:
        period = Period(period.n // 7, "weeks")
    return period.every_label()


@dataclass
class Score:
    name: str
    expected: Counter = field(default_factory=Counter)
    got: Counter = field(default_factory=Counter)
    actors_agree: int = 0  # matched rows whose actors are the gold's (not part of P/R)

    @property
    def matched(self) -> int:
        return sum((self.expected & self.got).values())

    @property
    def precision(self) -> float:
        total = sum(self.got.values())
        return self.matched / total if total else 1.0

    @property
    def recall(self) -> float:
        total = sum(self.expected.values())
        return self.matched / total if total else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def missed(self) -> list[tuple]:
        return sorted((self.expected - self.got).elements(), key=str)

    @property
    def added(self) -> list[tuple]:
        return sorted((self.got - self.expected).elements(), key=str)

    def __add__(self, other: "Score") -> "Score":
        """The total: rows match only within their own order, so keys carry the order's name
        (else a row of one order would "match" a gold row of another)."""
        return Score(
            "total", self._tagged("expected") + other._tagged("expected"),
            self._tagged("got") + other._tagged("got"), self.actors_agree + other.actors_agree,
        )  # fmt: skip

    def _tagged(self, which: str) -> Counter:
        counter = getattr(self, which)
        if self.name == "total":
            return counter
        return Counter({(self.name, *key): n for key, n in counter.items()})

    def line(self) -> str:
        return (
            f"{self.name}: precision {self.precision:.3f} recall {self.recall:.3f} "
            f"F1 {self.f1:.3f} (gold {sum(self.expected.values())}, "
            f"extracted {sum(self.got.values())}, matched {self.matched}; "
            f"actors agree on {self.actors_agree} of {self.matched})"
        )


def score(name: str, gold_rows: list[dict], extracted_rows: list[dict]) -> Score:
    """Compare timed rows only: open directives are not in the gold files."""
    timed = [r for r in extracted_rows if r.get("kind") != "open"]
    result = Score(name, Counter(map(row_key, gold_rows)), Counter(map(row_key, timed)))
    result.actors_agree = _actors_agree(gold_rows, timed)
    return result


def _actor_set(row: dict) -> frozenset:
    """Actors compared without case, a leading "the", or the common acronyms ("of OMB")."""
    names = (expand(a.strip(), {}) for a in row.get("actors") or [])
    return frozenset(re.sub(r"^the\s+", "", name.lower()) for name in names)


def _actors_agree(gold_rows: list[dict], rows: list[dict]) -> int:
    """Rows with the same key are paired in document order; count pairs with the same actors."""
    by_key: dict[tuple, list[dict]] = {}
    for row in rows:
        by_key.setdefault(row_key(row), []).append(row)
    agree = 0
    for row in gold_rows:
        candidates = by_key.get(row_key(row))
        if candidates:
            agree += _actor_set(candidates.pop(0)) == _actor_set(row)
    return agree


def read_gold(path: Path) -> list[dict]:
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as error:
                raise ValueError(f"{path.name} line {number}: not JSON ({error.msg})") from None
    return rows
