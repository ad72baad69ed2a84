"""Home: what is overdue, what is due soon, what was done lately; counts per status."""

from datetime import timedelta
from itertools import chain

from django.contrib.auth.decorators import login_not_required
from django.db.models import Count, Q, Sum
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from obligations import clock, reminders
from obligations.models import Occurrence, OccurrenceCount
from obligations.views.common import as_of, cached_part, occurrence_rows

ROWS = 50  # per list; the counts say how many there are in all


def home(request):
    day = as_of(request)
    failed = reminders.failed(request.user).order_by("-created")
    total = failed.count()  # usually 0: then the rows (a join of four tables) are not read
    return render(request, "obligations/home.html", {
        "day": day, "overview": cached_part(request, "obligations/_home.html", lambda: overview(day)),
        "undelivered": list(failed[:ROWS]) if total else [], "undelivered_total": total,
    })  # fmt: skip


def overview(day) -> dict:
    """Counts per status and the four lists: reads over every occurrence, hence cached."""
    rows = occurrence_rows(day)
    pending = rows.pending_then()
    overdue = pending.filter(due__lt=day)
    week = pending.filter(due__gte=day, due__lte=day + timedelta(days=7))
    month = pending.filter(due__gt=day + timedelta(days=7), due__lte=day + timedelta(days=30))
    recent = rows.filter(
        Q(submitted_on__range=(day - timedelta(days=30), day))
        | Q(verified_on__range=(day - timedelta(days=30), day))
    ).exclude(status_then__in=Occurrence.PENDING)
    counts, late = {}, 0
    for status, n, past in status_counts(rows, day):
        counts[status] = n
        late += past if status in Occurrence.PENDING else 0
    lists = [
        ("Overdue", "overdue", overdue, late),
        ("Due in the next 7 days", "week", week, None),
        ("Due in 8 to 30 days", "month", month, None),
        ("Completed in the last 30 days", "recent", recent.order_by("-submitted_on", "-due"), None),
    ]
    sections = [
        {"title": t, "id": i, "total": qs.count() if n is None else n, "rows": earliest(qs, i)}
        for t, i, qs, n in lists
    ]
    statuses = [(value, label, counts.get(value, 0)) for value, label in Occurrence.Status.choices]
    return {"day": day, "sections": sections, "statuses": statuses}


def status_counts(rows, day):
    """(status, how many, how many of them are past due) per status on `day`. From today on,
    from the counts per status and due date the database keeps (OccurrenceCount), a few
    thousand rows: counting every occurrence took most of the time of a home page that missed
    the cache (issue 16). An earlier day's statuses come from dates, so those are counted:
    one pass over every occurrence gives the count per status and how many are past due."""
    if day >= clock.today():
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


def earliest(rows, section: str) -> list:
    """The first ROWS rows of a list. Pending lists are read once per pending status, each in
    the (status, due) index's order, and merged: one query over both statuses would sort every
    overdue row before LIMIT could stop it."""
    if section == "recent":
        return list(rows[:ROWS])
    parts = [rows.filter(status_then=s).order_by("due", "obligation_id")[:ROWS]
             for s in Occurrence.PENDING]  # fmt: skip
    return sorted(chain(*parts), key=lambda o: (o.due, o.obligation_id))[:ROWS]
