"""A month of due dates, and an order's timeline (server-rendered SVG: no script needed)."""

import calendar
from collections import defaultdict
from datetime import date

from dateutil.relativedelta import relativedelta
from django.contrib import messages
from django.shortcuts import get_object_or_404, render

from obligations import clock
from obligations.models import Occurrence, Order
from obligations.schedule import out_of_range
from obligations.views.common import as_of, existing_on, occurrence_rows

WIDTH, ROW, LEFT, TOP = 900, 22, 90, 30  # timeline geometry in SVG units
MAX_ID_DIGITS = 18  # a primary key is a 64-bit integer: more digits overflow the database's


def month_calendar(request):
    day = as_of(request)
    first = _month(request, day)
    weeks = calendar.Calendar(firstweekday=6).monthdatescalendar(first.year, first.month)
    rows = occurrence_rows(day).filter(due__range=(weeks[0][0], weeks[-1][-1]))
    order = _order_id(request)
    if order is not None:
        rows = rows.filter(obligation__order_id=order)
    by_day = defaultdict(list)
    for occurrence in rows.order_by("due", "obligation__order__signed", "obligation__span_start"):
        by_day[occurrence.due].append(occurrence)
    previous = date(first.year - (first.month == 1), (first.month - 2) % 12 + 1, 1)
    following = date(first.year + (first.month == 12), first.month % 12 + 1, 1)
    return render(request, "obligations/calendar.html", {
        "day": day, "first": first, "previous": previous, "following": following,
        "weeks": [[(d, by_day.get(d, []), d.month == first.month) for d in w] for w in weeks],
        "weekdays": ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"],
    })  # fmt: skip


def _month(request, day: date) -> date:
    raw = request.GET.get("month", "")
    if raw:
        try:
            year, month = (int(part) for part in raw.split("-"))
            first = date(year, month, 1)
        except ValueError:
            messages.warning(request, f"“{raw[:20]}” is not a month (YYYY-MM).")
        else:
            # The weeks around it and the next month's link must be dates too (not year 10000)
            reason = out_of_range(first, clock.today()) or out_of_range(
                first + relativedelta(months=1, days=-1), clock.today()
            )
            if not reason:
                return first
            messages.warning(request, f"{reason}; showing {day:%B %Y}.")
    return day.replace(day=1)


def _order_id(request) -> int | None:
    """The order whose due dates to show (?order=N), or None for all of them."""
    raw = request.GET.get("order", "")
    if not raw:
        return None
    if raw.isascii() and raw.isdigit() and len(raw) <= MAX_ID_DIGITS:
        return int(raw)
    messages.warning(request, f"“{raw[:20]}” is not an order; showing every order.")
    return None


def timeline(request, pk):
    """One row per timed obligation, one dot per occurrence, coloured by its status then."""
    day = as_of(request)
    order = get_object_or_404(Order.objects.defer("text"), pk=pk)
    occurrences = list(
        existing_on(Occurrence.objects.as_of(day).filter(obligation__order=order), day)
        .select_related("obligation").defer("obligation__quote", "explanation")
        .order_by("obligation__span_start", "due")
    )  # fmt: skip
    start = order.signed or (occurrences[0].due if occurrences else day)
    end = max([o.due for o in occurrences] + [day, start])
    span = max((end - start).days, 1)

    def x(when):
        return LEFT + (WIDTH - LEFT - 10) * (when - start).days / span

    lanes: dict[int, dict] = {}
    for occurrence in occurrences:
        lane = lanes.setdefault(occurrence.obligation_id, {
            "obligation": occurrence.obligation, "y": TOP + ROW * len(lanes), "dots": []})  # fmt: skip
        state = occurrence.status_then
        if state in Occurrence.PENDING and occurrence.due < day:
            state = "overdue"
        lane["dots"].append({"x": round(x(occurrence.due), 1), "o": occurrence, "state": state})
    years = [date(y, 1, 1) for y in range(start.year + 1, end.year + 1)]
    return render(request, "obligations/timeline.html", {
        "day": day, "order": order, "lanes": list(lanes.values()),
        "height": TOP + ROW * len(lanes) + 10, "width": WIDTH, "left": LEFT,
        "today_x": round(x(day), 1) if start <= day <= end else None,
        "ticks": [(round(x(y), 1), y.year) for y in years],
    })  # fmt: skip
