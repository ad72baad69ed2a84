"""Home: the signed-in person's agency first, then the other agencies; what falls due this
week, what has just become overdue, then the overdue backlog.

Every count that links somewhere counts obligations and links to the obligations list filtered
to exactly those obligations (agency, status or due window, order, as-of day): a count of due
dates linking to a list of obligations said "354 open" and showed 42. The due dates per status
are still shown, plainly, as due dates, at the end."""

import re
import uuid
from collections import defaultdict
from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Min, Q, Sum
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_safe

from obligations import clock, reminders, scorecard_parts
from obligations.filters import NEWLY
from obligations.models import Agency, Obligation, Occurrence, OccurrenceCount, Order
from obligations.views.common import as_of, cached_part, existing_on

ROWS = 50  # per list; its heading says how many there are in all, and links to them
WEEK = 7  # "due in the next 7 days": today and the 7 days after, as the list's due=week
ALL = 0  # the scope of every agency (agency ids start at 1)
ID = re.compile(r"[0-9]{1,18}")  # a longer one is no id, and no database's integer


def home(request):
    day = as_of(request)
    order = chosen_order(request)
    mine = list(
        Agency.objects.filter(group__user=request.user)
        .order_by("name")
        .values_list("id", flat=True)
    )
    failed = reminders.failed(request.user).order_by("-created")
    total = failed.count()  # usually 0: then the rows (a join of four tables) are not read
    # The agencies part varies with the person's agencies only (shared by a whole agency's
    # staff); the due dates per status are the same for everyone.
    agencies = cached_part(
        request, "obligations/_home.html", lambda: summary(request, day, order, mine), vary=mine
    )
    counts = cached_part(request, "obligations/_home_counts.html", lambda: overview(day, order))
    return render(request, "obligations/home.html", {
        "day": day, "agencies": agencies, "overview": counts,
        "undelivered": list(failed[:ROWS]) if total else [], "undelivered_total": total,
    })  # fmt: skip


def chosen_order(request) -> Order | None:
    """The order of ?order=<id>, or None (every order); an unknown one is said and left out."""
    raw = request.GET.get("order", "").strip()
    if not raw:
        return None
    found = None
    if ID.fullmatch(raw):  # ("²" is a digit to str.isdigit, and no number to int)
        found = Order.objects.defer("text").filter(pk=int(raw)).first()
    if found is None:
        messages.warning(request, f"“{raw[:40]}” is not a known order: showing every order.")
    return found


# Counting -------------------------------------------------------------------------------------


STATUSES = Occurrence.Status.values
# A group of tracks as tally() reads it: whose, and its due dates per status (n_0, n_1, ...).
COLUMNS = ["obligation_id", "agency_id", "first_week", "first_late", "late_n",
           *(f"n_{i}" for i in range(len(STATUSES)))]  # fmt: skip


class Facts:
    """What one scope (an agency's tracks, or every track) holds of one obligation as of a day:
    due dates per status (in the order of STATUSES), the first pending one in the next WEEK
    days, the oldest overdue one and how many are overdue. Merged from some ten thousand
    groups on a page that missed the cache: kept plain."""

    __slots__ = ("late", "late_n", "statuses", "week")

    def __init__(self):
        self.statuses, self.week, self.late, self.late_n = (0,) * len(STATUSES), None, None, 0

    def add(self, statuses, week, late, late_n):
        self.statuses = tuple(map(sum, zip(self.statuses, statuses, strict=True)))
        if week and (self.week is None or week < self.week):
            self.week = week
        if late and (self.late is None or late < self.late):
            self.late = late
        self.late_n += late_n


def tracks_then(day: date, order: Order | None):
    """Every track (occurrence) with its status as of `day`, of orders signed by then."""
    rows = existing_on(Occurrence.objects.as_of(day), day)
    return rows.filter(obligation__order=order) if order else rows


def groups(day: date, order: Order | None, obligations=None) -> dict[tuple, tuple]:
    """{(obligation id, track agency id): (statuses, first in the week, oldest late, how many
    late)} of the tracks as of `day`, grouped by the database: one pass over the occurrences
    (of `obligations` only, when given), the cost of a page that missed the cache."""
    pending = Q(status_then__in=Occurrence.PENDING)
    late = pending & Q(due__lt=day)
    week = pending & Q(due__gte=day, due__lte=day + timedelta(WEEK))
    per_status = [Count("id", filter=Q(status_then=s)) for s in STATUSES]
    rows = tracks_then(day, order)
    if obligations is not None:
        rows = rows.filter(obligation_id__in=sorted(obligations))
    found = (
        rows.values("obligation_id", "agency_id")
        .annotate(
            first_week=Min("due", filter=week),
            first_late=Min("due", filter=late),
            late_n=Count("id", filter=late),
            **{f"n_{i}": count for i, count in enumerate(per_status)},
        )
        .order_by()
        .values_list(*COLUMNS)  # plain tuples, thousands of them
    )
    return {(o, a): (tuple(statuses), week, late, n) for o, a, week, late, n, *statuses in found}


def tally(day: date, order: Order | None, found: dict | None = None) -> dict[int, dict[int, Facts]]:
    """{scope: {obligation id: Facts}}; a scope is an agency id, or ALL. From the groups (read
    now unless `found` is given) and the obligations' agencies. Counted the way the list's
    filters select (filters.py): an agency's own tracks and the shared ones of obligations
    naming it."""
    found = groups(day, order) if found is None else found
    named = Obligation.agencies.through.objects.values_list("obligation_id", "agency_id")
    agencies_of = defaultdict(set)
    for obligation, agency in named.filter(obligation__order=order) if order else named:
        agencies_of[obligation].add(agency)
    scopes: dict[int, dict[int, Facts]] = defaultdict(lambda: defaultdict(Facts))
    for (obligation, track), facts in found.items():
        scopes[ALL][obligation].add(*facts)
        named_here = agencies_of[obligation]
        for agency in named_here if track is None else {track} & named_here:
            scopes[agency][obligation].add(*facts)
    return scopes


def counts(facts: dict[int, Facts], day: date) -> dict[str, int]:
    """How many obligations are in each state the list can filter by."""
    newly = day - timedelta(NEWLY)
    week = late = new = 0
    per_status = [0] * len(STATUSES)
    for fact in facts.values():
        week += fact.week is not None
        if fact.late is not None:
            late += 1
            new += fact.late >= newly
        for i, n in enumerate(fact.statuses):
            if n:
                per_status[i] += 1
    found = {"week": week, "overdue": late, "new": new, "backlog": late - new}
    return found | dict(zip(STATUSES, per_status, strict=True))


class Links:
    """Links to the obligations list with the page's order and day kept."""

    def __init__(self, request, day, order):
        self.base = {"order": order.pk if order else None}
        if request.GET.get("as_of") and day != clock.today():
            self.base["as_of"] = day.isoformat()

    def __call__(self, scope: int, **filters) -> str:
        params = {**self.base, "agency": scope or None, **filters}
        query = urlencode({k: v for k, v in params.items() if v is not None})
        return f"{reverse('obligation_list')}?{query}"


# The last tally this process made, by what it depends on, with the groups it was made from
# and the stamps they were read at (scorecard_parts): each agency's staff get a part of their
# own, and after a status change only the obligations changed since are grouped again. In the
# process, not the cache: unpickling ten thousand rows costs what counting does.
_last: dict[tuple, dict] = {}


def kept_tally(request, day, order) -> dict[int, dict[int, Facts]]:
    # The cache's epoch too: clearing the cache (a test, an operator) forgets this one as well.
    epoch = cache.get_or_set("home:tally-epoch", lambda: uuid.uuid4().hex, None)
    where = (connection.alias, connection.settings_dict["NAME"])
    key = (*where, day, order.pk if order else None, clock.today(), epoch)
    latest, others = scorecard_parts.stamps()  # read first: a change after it is seen next time
    kept = _last.get(key)
    if kept and kept["latest"] == latest and kept["others"] == others:
        return kept["scopes"]
    changed = scorecard_parts.changed_since(kept, latest, others)
    if changed is None:
        found = groups(day, order)
    else:
        found = {k: v for k, v in kept["groups"].items() if k[0] not in changed}
        found.update(groups(day, order, changed))
    scopes = tally(day, order, found)
    _last.clear()  # (two threads may both count; either result is right)
    _last[key] = {"groups": found, "scopes": scopes, "latest": latest, "others": others}
    return scopes


def summary(request, day, order, mine) -> dict:
    """The parts of the page that read every track once (tally), hence cached."""
    scopes = kept_tally(request, day, order)
    link = Links(request, day, order)
    names = Agency.objects.in_bulk([s for s in scopes if s] + mine)
    others = sorted((s for s in scopes if s and s not in mine), key=lambda s: names[s].name)
    focus = mine[0] if mine else ALL
    orders = existing_on(Order.objects.only("id", "number", "title", "kind", "signed"), day, "")
    return {
        "day": day, "order": order, "orders": orders.order_by("-signed", "number"),
        "mine": [board(a, names[a], scopes.get(a, {}), day, link) for a in mine],
        "others": [board(a, names[a], scopes[a], day, link) for a in others],
        "everyone": board(ALL, None, scopes.get(ALL, {}), day, link),
        "focus": names.get(focus), "sections": sections(scopes.get(focus, {}), focus, day, link),
        "newly": NEWLY,
    }  # fmt: skip


def board(scope, agency, facts, day, link) -> dict:
    """One agency's (or every agency's) counts, each with the link to what it counts."""
    found = counts(facts, day)
    cells = [
        ("week", "due in the next 7 days", found["week"], link(scope, due="week")),
        ("overdue", "overdue", found["overdue"], link(scope, status="overdue")),
    ]
    cells += [(value, label, found[value], link(scope, status=value))
              for value, label in Occurrence.Status.choices]  # fmt: skip
    return {"agency": agency, "cells": cells, "any": bool(facts)}


SECTIONS = [  # (id, title, list filter, sort); the news first, then the old backlog
    ("week", "Due in the next 7 days", {"due": "week"}),
    ("new", f"Newly overdue: 1 to {NEWLY} days late", {"due": "new", "sort": "due"}),
    ("backlog", f"Overdue backlog: more than {NEWLY} days late", {"due": "backlog", "sort": "due"}),
]


def sections(facts: dict[int, Facts], scope: int, day: date, link) -> list[dict]:
    """The three lists, of ROWS obligations each (their earliest due date in the window first),
    read with their orders and agencies in two queries for the three."""
    newly = day - timedelta(NEWLY)
    chosen = {
        "week": [(f.week, pk) for pk, f in facts.items() if f.week],
        "new": [(f.late, pk) for pk, f in facts.items() if f.late and f.late >= newly],
        "backlog": [(f.late, pk) for pk, f in facts.items() if f.late and f.late < newly],
    }
    firsts = {key: sorted(found)[:ROWS] for key, found in chosen.items()}
    ids = {pk for found in firsts.values() for _, pk in found}
    obligations = (
        Obligation.objects.filter(pk__in=ids)
        .select_related("order")
        .defer("order__text")
        .prefetch_related("agencies")
        .in_bulk()
        if ids
        else {}
    )
    return [section(key, title, link(scope, **filters), chosen[key], firsts[key], obligations,
                    facts, day) for key, title, filters in SECTIONS]  # fmt: skip


def section(key, title, url, chosen, first, obligations, facts, day) -> dict:
    rows = [
        {"obligation": obligations[pk], "due": due, "late": due < day, "late_n": facts[pk].late_n}
        for due, pk in first
    ]
    return {"id": key, "title": title, "total": len(chosen), "url": url, "rows": rows}


# Due dates per status (every agency) ------------------------------------------------------------


def overview(day, order=None) -> dict:
    """Due dates (tracks) per status: each agency's track of each due date counts once."""
    counted = {status: n for status, n, _ in status_counts(tracks_then(day, order), day, order)}
    statuses = [(value, label, counted.get(value, 0)) for value, label in Occurrence.Status.choices]
    return {"day": day, "order": order, "statuses": statuses}


def status_counts(rows, day, order=None):
    """(status, how many, how many of them are past due) per status on `day`. From today on,
    for every order, from the counts per status and due date the database keeps
    (OccurrenceCount), a few thousand rows: counting every occurrence took most of the time of
    a home page that missed the cache (issue 16). An earlier day's statuses come from dates,
    and one order's are its own, so those are counted: one pass over the rows gives the count
    per status and how many are past due."""
    if day >= clock.today() and order is None:
        kept = OccurrenceCount.objects.values_list("status").order_by()
        return kept.annotate(all=Sum("n"), past=Sum("n", filter=Q(due__lt=day), default=0))
    return (
        rows.values_list("status_then")
        .annotate(n=Count("id"), past=Count("id", filter=Q(due__lt=day)))
        .order_by()
    )


@login_not_required
@require_safe
def health(request):
    """For load balancers and the benchmarks' baseline: the cheapest page there is."""
    return HttpResponse("ok", content_type="text/plain")
