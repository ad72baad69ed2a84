"""Scorecards: how the due dates of an order, an obligation or an agency stood on a day.

Each due date of each track (one agency's occurrence, or a shared one) falls in exactly one of
these, as of `day` (statuses as OccurrenceQuerySet.as_of gives them on that day, from the dates
things happened, so that a submission after `day` does not count):

- **not yet due**: due after `day`, whatever its status (a report sent early is counted when
  it falls due);
- **met on time**: due on or before `day`, submitted or verified by `day`, and the first of its
  submission and verification dates is on or before the due date;
- **met late**: the same, but that first date is after the due date (how many days after is
  its *days late*; the scorecard gives their median). A track marked submitted with no date
  recorded is counted late, with no days: "on time" is a claim the record must show;
- **waived / not required**: closed by an authority (waived, or found not required) by `day`;
  not counted for or against anyone;
- **unmet**: closed as unmet by `day` (terminal: its order was revoked or the obligation
  withdrawn after the due date had passed);
- **open past due**: still open or in progress on `day`, due before it (late and still open);
- **due today**: still open or in progress, due on `day` itself (not late yet).

"Due so far" is every due date on or before `day`: the last six together. "Required so far"
leaves out the waived and those due today (they cannot be held against anyone yet); the
on-time rate is met on time / required so far. The verified share is the share of the due
dates met so far (on time or late) that were independently verified by `day`.

Everything here is counted by the database, grouped (one query per scorecard), never by
reading every occurrence into Python: the ranking of agencies reads the whole table.
"""

import statistics
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from django.db.models import (
    Case,
    CharField,
    Count,
    DateField,
    DurationField,
    ExpressionWrapper,
    F,
    Q,
    Value,
    When,
)

from obligations.models import Obligation, Occurrence

S = Occurrence.Status
MET = (S.SUBMITTED, S.VERIFIED)
CLOSED = (S.WAIVED, S.NOT_REQUIRED)
# (field of Score, words on the page, what it means): the order the pages show them in.
CATEGORIES = [
    ("on_time", "met on time", "submitted or verified on or before the due date"),
    ("late", "met late", "submitted or verified after the due date"),
    ("unmet", "unmet", "closed as unmet (revoked or withdrawn after it was due)"),
    ("overdue", "open past due", "due before the day and still open"),
    ("due_today", "due today", "due on the day and still open"),
    ("waived", "waived / not required", "closed by an authority: not held against anyone"),
    ("not_yet_due", "not yet due", "due after the day"),
]
FIELDS = [name for name, _, _ in CATEGORIES]
SLOTS = {name: i for i, name in enumerate(FIELDS)}
VERIFIED = len(FIELDS)  # a tally's slot for the verified (see tallies)


@dataclass
class Score:
    """The counts of one scorecard row (an order, an obligation, an agency, all of them)."""

    on_time: int = 0
    late: int = 0
    unmet: int = 0
    overdue: int = 0
    due_today: int = 0
    waived: int = 0
    not_yet_due: int = 0
    verified: int = 0  # of the met (on time or late): verified independently by the day
    days_late: Counter = field(default_factory=Counter)  # days late -> how many met late

    @property
    def due(self) -> int:
        """Due so far: due on or before the day."""
        return self.on_time + self.late + self.unmet + self.overdue + self.due_today + self.waived

    @property
    def total(self) -> int:
        return self.due + self.not_yet_due

    @property
    def met(self) -> int:
        return self.on_time + self.late

    @property
    def required(self) -> int:
        """Due so far, less the waived and those due today: what can be held against anyone."""
        return self.due - self.waived - self.due_today

    @property
    def median_days_late(self) -> float | None:
        """Median days late of the due dates met late (with a date); None when there are none."""
        values = sorted(self.days_late.elements())
        return statistics.median(values) if values else None

    @property
    def on_time_share(self) -> float | None:
        return self.on_time / self.required if self.required else None

    @property
    def verified_share(self) -> float | None:
        return self.verified / self.met if self.met else None

    @classmethod
    def from_tally(cls, tally: list) -> "Score":
        return cls(*tally[: VERIFIED + 1], days_late=Counter(tally[-1] or {}))

    def add(self, other: "Score") -> "Score":
        for name in (*FIELDS, "verified"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.days_late.update(other.days_late)
        return self

    def parts(self) -> list[tuple[str, str, int]]:
        """(field, words, count) of each category, in the pages' order."""
        return [(name, words, getattr(self, name)) for name, words, _ in CATEGORIES]

    def rank_key(self):
        """Best first: the highest on-time rate; among equals, the most met at all (late
        counts here), then the smallest share still open past due or unmet, then the most
        due. Nothing required yet ranks after every rate."""
        if not self.required:
            return (True, 0, 0, 0, -self.total)
        required = self.required
        return (False, -self.on_time / required, -self.met / required,
                (self.overdue + self.unmet) / required, -self.due)  # fmt: skip


def met_on(day: date):
    """The day a track was met, as of `day`: the first of its submission and verification
    dates that are on or before `day` (None when neither is)."""
    submitted = Q(submitted_on__lte=day)
    verified = Q(verified_on__lte=day)
    return Case(
        When(submitted & verified & Q(verified_on__lt=F("submitted_on")), then=F("verified_on")),
        When(submitted, then=F("submitted_on")),
        When(verified, then=F("verified_on")),
        default=None,
        output_field=DateField(),
    )


def category(day: date):
    """The category of each row (see the module's docstring), as a database expression over
    `status_then` (OccurrenceQuerySet.as_of) and `met_on`."""
    return Case(
        When(due__gt=day, then=Value("not_yet_due")),
        When(status_then__in=MET, met_on__lte=F("due"), then=Value("on_time")),
        When(status_then__in=MET, then=Value("late")),
        When(status_then__in=CLOSED, then=Value("waived")),
        When(status_then=S.UNMET, then=Value("unmet")),
        When(due=day, then=Value("due_today")),
        default=Value("overdue"),
        output_field=CharField(),
    )


def categorized(queryset, day: date):
    """`queryset` (of Occurrence) with `status_then`, `met_on`, `category` and `late_by` (the
    days a track was met late, a duration; None otherwise) as of `day`."""
    rows = queryset.as_of(day).annotate(met_on=met_on(day)).annotate(category=category(day))
    late = ExpressionWrapper(F("met_on") - F("due"), output_field=DurationField())
    return rows.annotate(
        late_by=Case(When(category="late", met_on__isnull=False, then=late), default=None)
    )


def tallies(queryset, day: date, *keys, **expressions) -> dict:
    """The counts per value of `keys` (field names) and `expressions` (name: expression), from
    one grouped query, as tallies: compact lists (the categories in FIELDS' order, then the
    verified, then {days late: how many} or None) that add up fast (add_tally). The dictionary's
    keys are tuples of the keys' values, in that order."""
    names = [*keys, *expressions]
    rows = (
        categorized(queryset, day)
        .annotate(**expressions)
        .values_list(*names, "category", "late_by")
        .annotate(n=Count("id"), verified=Count("id", filter=Q(status_then=S.VERIFIED)))
        .order_by()
    )
    found: dict[tuple, list] = {}
    width = len(names)
    for row in rows:
        key, (category, late_by, n, verified) = row[:width], row[width:]
        tally = found.get(key) or found.setdefault(key, new_tally())
        tally[SLOTS[category]] += n
        if category in ("on_time", "late"):
            tally[VERIFIED] += verified
        if late_by is not None:
            tally[-1] = tally[-1] or {}
            days = whole_days(late_by)
            tally[-1][days] = tally[-1].get(days, 0) + n
    return found


def new_tally() -> list:
    return [0] * (VERIFIED + 1) + [None]


def add_tally(into: list, tally: list, sign: int = 1) -> list:
    """`tally` added to `into` (subtracted, with sign -1: what was added before), in place."""
    for i in range(VERIFIED + 1):
        into[i] += sign * tally[i]
    if tally[-1]:
        into[-1] = dict(into[-1] or {})  # never the dictionary of the tally it was copied from
        for days, n in tally[-1].items():
            into[-1][days] = into[-1].get(days, 0) + sign * n
            if not into[-1][days]:
                del into[-1][days]
        into[-1] = into[-1] or None
    return into


def scores(queryset, day: date, *keys, **expressions) -> dict:
    """A Score per value of `keys` and `expressions` (see tallies)."""
    found = tallies(queryset, day, *keys, **expressions)
    return {key: Score.from_tally(tally) for key, tally in found.items()}


def score(queryset, day: date) -> Score:
    """The Score of every row of `queryset` together."""
    total = new_tally()
    for tally in tallies(queryset, day).values():
        add_tally(total, tally)
    return Score.from_tally(total)


def by_agency(queryset, day: date) -> tuple[Score, dict]:
    """The Score of every row of `queryset` together, and {agency id: Score} of every agency
    with a track in it. An agency's own tracks count for it; a shared track (a joint
    deliverable, no agency of its own) counts for each agency of its obligation (so the
    agencies' rows may add up to more than the whole); a shared track of an obligation with no
    agency counts under None ("no agency named")."""
    found = tallies(queryset, day, "obligation_id", "agency_id")
    owners = agencies_of({obligation for obligation, agency in found if agency is None})
    total, per_agency = combine(found, owners)
    return Score.from_tally(total), {k: Score.from_tally(t) for k, t in per_agency.items()}


def combine(found: dict, owners: dict) -> tuple[list, dict]:
    """Tallies per (obligation, track agency) added up: the whole, and per agency (see
    by_agency)."""
    total, per_agency = new_tally(), {}
    for (obligation, agency), tally in found.items():
        add_tally(total, tally)
        for owner in owners.get(obligation, (None,)) if agency is None else (agency,):
            add_tally(per_agency.get(owner) or per_agency.setdefault(owner, new_tally()), tally)
    return total, per_agency


def for_agency(queryset, agency):
    """The tracks an agency answers for: its own, and the shared tracks of its obligations."""
    shared = Obligation.objects.filter(agencies=agency).values("pk")
    return queryset.filter(Q(agency=agency) | Q(agency=None, obligation__in=shared))


def agencies_of(obligations: set) -> dict:
    """{obligation id: [agency ids]} of these obligations (every obligation's, when many)."""
    links = Obligation.agencies.through.objects.values_list("obligation_id", "agency_id")
    ids = sorted(obligations)
    owners: dict = {}
    if len(ids) > 2000:  # most of the table: one read of it all beats many lists of ids
        chunks = [links.order_by()]
    else:  # below any database's limit of parameters
        chunks = [links.filter(obligation_id__in=ids[i : i + 500]) for i in range(0, len(ids), 500)]
    for chunk in chunks:
        for obligation, agency in chunk:
            owners.setdefault(obligation, []).append(agency)
    return owners


def whole_days(value) -> int:
    # A duration from PostgreSQL and SQLite alike; a database that gives a number gives days.
    return value.days if isinstance(value, timedelta) else int(value)


# Over time ------------------------------------------------------------------------------------


@dataclass
class Period:
    start: date
    end: date  # inclusive
    label: str
    due: int = 0  # falling due in the period
    met: int = 0  # met in the period (first submission or verification date)
    due_total: int = 0  # cumulative, at the period's end
    met_total: int = 0


def over_time(queryset, day: date, start: date) -> list[Period]:
    """Cumulative due dates and due dates met, period by period from `start` to `day`: months,
    or quarters or years when there would be more than 24 of them. "Met" counts a track on the
    first of its submission and verification dates, as of `day` (a track met early is met when
    it was; one reopened since, or submitted after `day`, is not)."""
    if start > day:
        return []
    rows = queryset.as_of(day).annotate(met_on=met_on(day))
    # One grouped read, filtered here: a filter on the status would lead the database to its
    # (status, due) index, over every order's rows, instead of this order's.
    due, met = Counter(), Counter()
    grouped = rows.values_list("due", "status_then", "met_on").annotate(n=Count("id")).order_by()
    for when, status, met_when, n in grouped:
        if when <= day:
            due[when] += n
        if status in MET and met_when is not None:
            met[met_when] += n
    earlier_due = sum(n for when, n in due.items() if when < start)
    earlier_met = sum(n for when, n in met.items() if when < start)
    periods = _periods(start, day)
    due_total, met_total = earlier_due, earlier_met
    for period in periods:
        period.due = sum(n for when, n in due.items() if period.start <= when <= period.end)
        period.met = sum(n for when, n in met.items() if period.start <= when <= period.end)
        due_total, met_total = due_total + period.due, met_total + period.met
        period.due_total, period.met_total = due_total, met_total
    return periods


def _periods(start: date, day: date) -> list[Period]:
    months = (day.year - start.year) * 12 + day.month - start.month + 1
    step, kind = (1, "month") if months <= 24 else (3, "quarter") if months <= 72 else (12, "year")
    first = start.replace(day=1)
    if kind == "quarter":
        first = first.replace(month=(first.month - 1) // 3 * 3 + 1)
    elif kind == "year":
        first = first.replace(month=1)
    periods = []
    while first <= day:
        after = first + relativedelta(months=step)
        begin, end = max(first, start), min(after - timedelta(days=1), day)
        label = {"month": f"{first:%b %Y}", "quarter": f"Q{(first.month - 1) // 3 + 1} {first.year}",
                 "year": str(first.year)}[kind]  # fmt: skip
        periods.append(Period(begin, end, label))
        first = after
    return periods
