"""Due dates from a timing rule, an anchor date and explicit conventions. Pure Python.

Every date explains itself in one line, e.g.
"2017-01-25 (signed) + 90 calendar days = 2017-04-25 (Tue)".
"""

import re
from dataclasses import asdict, dataclass, fields
from datetime import date, timedelta
from functools import lru_cache

import holidays
from dateutil.relativedelta import relativedelta

UNITS = ("days", "weeks", "months", "years")
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
KINDS = ("deadline", "recurring", "immediate", "open")
WORDS = {"day": (1, "days"), "week": (1, "weeks"), "month": (1, "months"),
         "quarter": (3, "months"), "year": (1, "years")}  # fmt: skip
# The days an order may be anchored on and the dashboard shown as of: from the year the
# Constitution took effect to fifty years ahead. Outside them there is nothing to track, and
# date arithmetic runs off the calendar (a 10-year horizon from 9999-12-31 is year 10009).
FIRST_DAY = date(1789, 1, 1)
YEARS_AHEAD = 50


def out_of_range(d: date, today: date) -> str:
    """The empty string for a date the tracker handles; else a one-line reason."""
    last = today + relativedelta(years=YEARS_AHEAD)
    if FIRST_DAY <= d <= last:
        return ""
    return (
        f"{d.isoformat()} is outside the dates the tracker handles "
        f"({FIRST_DAY.isoformat()} to {last.isoformat()})"
    )


def day(d: date) -> str:
    return f"{d.isoformat()} ({WEEKDAYS[d.weekday()]})"


@dataclass(frozen=True)
class Period:
    n: int
    unit: str

    def __post_init__(self):
        if self.unit not in UNITS or not isinstance(self.n, int) or self.n < 1:
            raise ValueError(f"not a period: {self.n} {self.unit}")

    @classmethod
    def parse(cls, text: str) -> "Period":
        text = " ".join(str(text).lower().split())
        if text in WORDS:
            return cls(*WORDS[text])
        match = re.fullmatch(r"(\d{1,5}) (day|week|month|year)s?", text)
        if not match:
            raise ValueError(f"not a period: {text!r}")
        return cls(int(match.group(1)), match.group(2) + "s")

    def label(self) -> str:
        return f"{self.n} {self.unit[:-1] if self.n == 1 else self.unit}"

    def every_label(self) -> str:
        named = {(1, "weeks"): "week", (1, "months"): "month", (3, "months"): "quarter",
                 (1, "years"): "year", (1, "days"): "day"}  # fmt: skip
        return named.get((self.n, self.unit), f"{self.n} {self.unit}")

    def add_to(self, d: date, times: int = 1) -> date:
        """d + n*times units, computed from d itself so month ends clamp without drift."""
        return d + relativedelta(**{self.unit: self.n * times})


@dataclass(frozen=True)
class Rule:
    kind: str
    offset: Period | None = None
    every: Period | None = None
    on: date | None = None
    anchor: str = "order"

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"not a timing kind: {self.kind!r}")
        if self.kind == "recurring" and self.every is None:
            raise ValueError("a recurring rule needs a period")

    def to_dict(self) -> dict:
        return {
            "kind": self.kind,
            "offset": self.offset.label() if self.offset else None,
            "every": self.every.label() if self.every else None,
            "on": self.on.isoformat() if self.on else None,
            "anchor": self.anchor,
        }

    @classmethod
    def from_dict(cls, data: dict) -> "Rule":
        return cls(
            kind=data["kind"],
            offset=Period.parse(data["offset"]) if data.get("offset") else None,
            every=Period.parse(data["every"]) if data.get("every") else None,
            on=date.fromisoformat(data["on"]) if data.get("on") else None,
            anchor=data.get("anchor") or "order",
        )

    def anchor_words(self) -> str:
        return {"order": "the order", "effective": "the effective date"}.get(
            self.anchor, self.anchor
        )

    def describe(self) -> str:
        if self.kind == "open":
            return "no time stated"
        if self.kind == "immediate":
            return "immediately"
        if self.kind == "deadline":
            if self.on:
                return f"by {self.on.isoformat()}"
            return f"within {self.offset.label()} of {self.anchor_words()}"
        text = f"every {self.every.label()}"
        if self.on:
            text += f", first by {self.on.isoformat()}"
        elif self.offset:
            text += f", first within {self.offset.label()} of {self.anchor_words()}"
        return text


@dataclass(frozen=True)
class Conventions:
    day_count: str = "calendar"
    periods: str = "anchor"
    weekday: int | None = None
    end: date | None = None
    horizon_years: int = 4

    def __post_init__(self):
        if self.day_count not in ("calendar", "roll"):
            raise ValueError(f"day_count must be calendar or roll, not {self.day_count!r}")
        if self.periods not in ("anchor", "calendar", "fiscal"):
            raise ValueError(f"periods must be anchor, calendar or fiscal, not {self.periods!r}")
        if self.weekday is not None and self.weekday not in range(7):
            raise ValueError("weekday must be 0 (Monday) to 6 (Sunday)")
        if not 1 <= self.horizon_years <= 50:
            raise ValueError("horizon_years must be 1 to 50")

    def to_dict(self) -> dict:
        data = asdict(self)
        data["end"] = self.end.isoformat() if self.end else None
        return data

    @classmethod
    def from_dict(cls, data: dict) -> "Conventions":
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in (data or {}).items() if k in known and v is not None}
        if isinstance(values.get("end"), str):
            values["end"] = date.fromisoformat(values["end"])
        for key in ("weekday", "horizon_years"):
            if key in values:
                values[key] = int(values[key])
        return cls(**values)

    def describe(self, recurring: bool = True) -> str:
        """In words; a one-off due date has no periods, weekday or series end to speak of."""
        if not recurring:
            return (
                "calendar days" if self.day_count == "calendar" else
                "weekends and US federal holidays roll forward to the next business day"
            )  # fmt: skip
        parts = [
            "calendar days" if self.day_count == "calendar" else
            "weekends and US federal holidays roll forward to the next business day",
            {"anchor": "periods from the anchor", "calendar": "calendar periods",
             "fiscal": "federal fiscal periods"}[self.periods],
        ]  # fmt: skip
        if self.weekday is not None:
            parts.append(f"weekly on {DAY_NAMES[self.weekday]}s")
        parts.append(f"series to {self.end.isoformat()}" if self.end else
                     f"series for {self.horizon_years} years")  # fmt: skip
        return "; ".join(parts)


@dataclass(frozen=True)
class Due:
    date: date
    sequence: int
    period_start: date | None
    period_end: date | None
    explanation: str


@lru_cache(maxsize=256)
def _holidays(year: int):
    return holidays.country_holidays("US", years=year, observed=True)


def roll_forward(d: date) -> tuple[date, str | None]:
    """The first business day on or after d, and why d was not one (None if it was)."""
    reason = None
    while d.weekday() >= 5 or d in _holidays(d.year):
        reason = reason or _holidays(d.year).get(d) or WEEKDAYS[d.weekday()]
        d += timedelta(days=1)
    return d, reason


def fiscal_quarter(d: date) -> tuple[int, int]:
    """(federal fiscal year, quarter); the fiscal year starts on October 1."""
    return (d.year + 1 if d.month >= 10 else d.year), ((d.month - 10) % 12) // 3 + 1


def _adjust(d: date, conventions: Conventions, text: str) -> tuple[date, str]:
    if conventions.day_count != "roll":
        return d, text
    rolled, reason = roll_forward(d)
    if rolled == d:
        return d, text
    return rolled, (
        f"{text}, not a business day ({reason}): rolled forward to {day(rolled)} "
        f"[US federal holidays, holidays {holidays.__version__}]"
    )


def _offset_text(anchor: date, anchor_name: str, period: Period, result: date) -> str:
    amount = f"{period.n} calendar days" if period.unit == "days" else period.label()
    if period.unit == "days" and period.n == 1:
        amount = "1 calendar day"
    return f"{anchor.isoformat()} ({anchor_name}) + {amount} = {day(result)}"


def due_dates(
    rule: Rule,
    anchor_date: date | None,
    conventions: Conventions = Conventions(),
    anchor_name: str = "signed",
) -> list[Due]:
    """Every due date of a rule: [] for open rules and for unknown anchors."""
    if rule.kind == "open":
        return []
    if rule.kind == "deadline" and rule.on:
        d, text = _adjust(rule.on, conventions, f"fixed date stated in the order: {day(rule.on)}")
        return [Due(d, 1, None, None, text)]
    if rule.kind == "recurring" and rule.on:  # "by September 30, 2005, and every third year"
        return _series(rule, anchor_date or rule.on, conventions, anchor_name)
    if anchor_date is None:
        return []
    if rule.kind == "immediate":
        text = f"immediately: {day(anchor_date)}, the anchor date ({anchor_name})"
        return [Due(anchor_date, 1, None, None, text)]
    if rule.kind == "deadline":
        try:
            raw = rule.offset.add_to(anchor_date)
        except (OverflowError, ValueError):  # past year 9999: no date to give
            return []
        d, text = _adjust(
            raw, conventions, _offset_text(anchor_date, anchor_name, rule.offset, raw)
        )
        return [Due(d, 1, None, None, text)]
    return _series(rule, anchor_date, conventions, anchor_name)


def first_due(
    rule: Rule,
    anchor_date: date | None,
    conventions: Conventions = Conventions(),
    anchor_name: str = "signed",
) -> Due | None:
    """The first due date of a rule (None for open rules and unknown anchors), without making
    a whole series."""
    if rule.kind != "recurring":
        dues = due_dates(rule, anchor_date, conventions, anchor_name)
        return dues[0] if dues else None
    anchor = anchor_date or rule.on
    if anchor is None:
        return None
    first = next(_raw_series(rule, anchor, conventions, anchor_name), None)
    if first is None:  # a series that would start past the calendar's end
        return None
    raw, text = first
    d, text = _adjust(raw, conventions, f"#1 {text}")
    return Due(d, 1, anchor, raw, text)


def _series(rule: Rule, anchor: date, conventions: Conventions, anchor_name: str) -> list[Due]:
    try:
        last = conventions.end or anchor + relativedelta(years=conventions.horizon_years)
    except ValueError:  # the horizon is past year 9999
        last = date.max
    result: list[Due] = []
    start = anchor  # of the period the next due date closes
    # The importer and the dashboard refuse anchors outside 1789 .. today + 50 years; an anchor
    # that got in anyway (year 1, year 9999) ends its series where the calendar ends rather
    # than raising from the date arithmetic.
    try:
        for sequence, (raw, text) in enumerate(
            _raw_series(rule, anchor, conventions, anchor_name), 1
        ):
            if raw > last or sequence > 10_000:
                break
            d, text = _adjust(raw, conventions, f"#{sequence} {text}")
            if result and d <= result[-1].date:
                continue  # two dates rolled onto one business day: keep one
            result.append(Due(d, len(result) + 1, start, raw, text))
            start = raw + timedelta(days=1)
    except (OverflowError, ValueError):  # a date before year 1 or after year 9999
        pass
    return result


def _raw_series(rule: Rule, anchor: date, conventions: Conventions, anchor_name: str):
    """Yield (date, explanation) for the series, before any rolling."""
    every = rule.every
    if rule.offset or rule.on:
        if rule.on:
            first = rule.on
            yield first, f"first due on the fixed date stated in the order: {day(first)}"
        else:
            first = rule.offset.add_to(anchor)
            yield first, "first due " + _offset_text(anchor, anchor_name, rule.offset, first)
        for i in range(1, 10_001):
            d = every.add_to(first, i)
            yield (
                d,
                f"first due {first.isoformat()} + {Period(every.n * i, every.unit).label()} = {day(d)}",
            )
        return
    if every.unit == "weeks" and conventions.weekday is not None:
        first = anchor + timedelta(days=(conventions.weekday - anchor.weekday() - 1) % 7 + 1)
        for i in range(10_000):
            d = first + timedelta(weeks=every.n * i)
            yield (
                d,
                f"every {every.label()} on {DAY_NAMES[conventions.weekday]}s after {anchor.isoformat()} ({anchor_name}): {day(d)}",
            )
        return
    if every.unit in ("months", "years") and conventions.periods != "anchor":
        yield from _period_ends(every, anchor, conventions.periods)
        return
    for i in range(1, 10_001):
        d = every.add_to(anchor, i)
        step = Period(every.n * i, every.unit).label()
        yield (
            d,
            f"every {every.label()} from {anchor.isoformat()} ({anchor_name}): {anchor.isoformat()} + {step} = {day(d)}",
        )


def _period_ends(every: Period, anchor: date, mode: str):
    """Ends of calendar or federal fiscal months, quarters or years after the anchor."""
    months = every.n * (12 if every.unit == "years" else 1)
    # Calendar periods end in December (years) or with the month; fiscal years end in September.
    end_month = 9 if mode == "fiscal" and months % 12 == 0 else 12
    d = date(anchor.year, 1, 1)
    candidates = []
    while len(candidates) < 10_000 and d.year < anchor.year + 200:
        month_end = d + relativedelta(day=31)
        if (month_end.month - end_month) % months == 0 and month_end > anchor:
            candidates.append(month_end)
        if len(candidates) > 2000 or d.replace(day=1) == date.max.replace(day=1):
            break  # enough, or December 9999: the calendar ends
        d = d + relativedelta(months=1)
    name = {1: "monthly", 3: "quarterly", 12: "annual"}.get(months, f"every {every.label()}")
    style = "federal fiscal" if mode == "fiscal" else "calendar"
    for end in candidates:
        yield end, f"{name}, {style} periods: {_period_name(end, months, mode)} ends {day(end)}"


def _period_name(end: date, months: int, mode: str) -> str:
    if mode == "fiscal":
        fy, quarter = fiscal_quarter(end)
        return (
            f"FY{fy}"
            if months % 12 == 0
            else f"FY{fy} Q{quarter}"
            if months == 3
            else f"FY{fy} {end:%b}"
        )
    if months % 12 == 0:
        return str(end.year)
    return f"{end.year} Q{(end.month - 1) // 3 + 1}" if months == 3 else f"{end:%Y-%m}"
