"""A month of due dates, and an order's timeline (server-rendered SVG: no script needed)."""

import calendar
from collections import defaultdict
from datetime import date

from dateutil.relativedelta import relativedelta
from django import forms
from django.contrib import messages
from django.db.models import Q
from django.shortcuts import get_object_or_404, render

from obligations import clock
from obligations.models import Agency, Obligation, Occurrence, Order
from obligations.schedule import out_of_range
from obligations.views.common import as_of, existing_on, occurrence_rows

WIDTH, ROW, LEFT, TOP = 900, 22, 90, 30  # timeline geometry in SVG units
LABEL = 34  # room a year label takes, in SVG units: a label closer to the edge ends there
DENSE = 24  # a row with more due dates than this is drawn as a band with its count
BIN = 16  # a banded row keeps one mark per this many SVG units (the most pressing state)

# What each state looks like besides its colour (never colour alone), and says in words.
STATES = {
    "overdue": ("!", "overdue", "due date passed, not submitted"),
    "open": ("○", "open", "not yet due"),
    "in_progress": ("◔", "in progress", "being worked on"),
    "submitted": ("↑", "submitted", "the agency reported it"),
    "verified": ("✓", "verified", "checked independently"),
    "waived": ("–", "waived", "waived by an authority"),
    "not_required": ("–", "not required", "no longer required"),
    "unmet": ("✕", "unmet", "its order was revoked after it was due"),
}
# Most pressing first: the mark a thinned row keeps for a stretch of due dates.
URGENCY = ["overdue", "unmet", "in_progress", "open", "submitted", "verified", "waived",
           "not_required"]  # fmt: skip


def state_then(occurrence, day: date) -> str:
    """The status as of `day`, with a pending one past its due date called "overdue"."""
    state = occurrence.status_then
    return "overdue" if state in Occurrence.PENDING and occurrence.due < day else state


class CalendarFilter(forms.Form):
    """Which due dates the month shows; the "as of" date and the month ride along hidden."""

    order = forms.ChoiceField(required=False, label="Order")
    agency = forms.ChoiceField(required=False, label="Agency")
    status = forms.ChoiceField(
        required=False, label="Status",
        choices=[("", "any status")] + [(key, words) for key, (_, words, _) in STATES.items()],
    )  # fmt: skip

    def __init__(self, *args, day: date, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the orders there were on the "as of" date: a later one is not named yet
        orders = existing_on(Order.objects.only("id", "number", "title", "kind"), day, order="")
        orders = orders.order_by("signed", "number")
        self.fields["order"].choices = [("", "every order")] + [(str(o.pk), str(o)) for o in orders]
        self.fields["agency"].choices = [("", "every agency")] + [
            (str(a.pk), str(a)) for a in Agency.objects.order_by("name")
        ]

    def apply(self, request, rows, day: date):
        """`rows` narrowed by what is valid; each value left out is said in a warning."""
        self.is_valid()
        for name in self.errors:
            raw = self.data.get(name, "")[:20]
            label = self.fields[name].label.lower()
            messages.warning(request, f"“{raw}” is not a known {label}: that filter was left out.")
        data = getattr(self, "cleaned_data", {})
        if data.get("order"):
            rows = rows.filter(obligation__order_id=int(data["order"]))
        if data.get("agency"):  # its own tracks, and the shared ones of its obligations
            agency = int(data["agency"])
            shared = Obligation.objects.filter(agencies=agency).values("pk")
            rows = rows.filter(Q(agency_id=agency) | Q(agency=None, obligation__in=shared))
        status = data.get("status")
        if status == "overdue":
            rows = rows.filter(status_then__in=Occurrence.PENDING, due__lt=day)
        elif status in Occurrence.PENDING:  # as the entries say it: not yet late
            rows = rows.filter(status_then=status, due__gte=day)
        elif status:
            rows = rows.filter(status_then=status)
        return rows


def month_calendar(request):
    day = as_of(request)
    first = _month(request, day)
    weeks = calendar.Calendar(firstweekday=6).monthdatescalendar(first.year, first.month)
    rows = occurrence_rows(day).filter(due__range=(weeks[0][0], weeks[-1][-1]))
    form = CalendarFilter(request.GET, day=day)
    rows = form.apply(request, rows, day)
    by_day = defaultdict(list)
    for occurrence in rows.order_by("due", "obligation__order__signed", "obligation__span_start"):
        occurrence.state = state_then(occurrence, day)
        occurrence.mark, occurrence.state_words, _ = STATES.get(occurrence.state, ("·", "", ""))
        by_day[occurrence.due].append(occurrence)
    previous = date(first.year - (first.month == 1), (first.month - 2) % 12 + 1, 1)
    following = date(first.year + (first.month == 12), first.month % 12 + 1, 1)
    return render(request, "obligations/calendar.html", {
        "day": day, "first": first, "previous": previous, "following": following,
        "weeks": [[(d, by_day.get(d, []), d.month == first.month) for d in w] for w in weeks],
        "weekdays": [(name[:3], name) for name in ("Sunday", "Monday", "Tuesday", "Wednesday",
                                                    "Thursday", "Friday", "Saturday")],
        "form": form, "states": [{"key": key, "mark": mark, "words": words, "meaning": meaning}
                                 for key, (mark, words, meaning) in STATES.items()],
        "shown": sum(len(items) for items in by_day.values()),
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


def timeline(request, pk):
    """One row per timed obligation, one dot per occurrence, coloured by its status then."""
    day = as_of(request)
    order = get_object_or_404(Order.objects.defer("text"), pk=pk)
    occurrences = list(
        existing_on(Occurrence.objects.as_of(day).filter(obligation__order=order), day)
        .select_related("obligation", "agency").defer("obligation__quote", "explanation")
        .order_by("obligation__span_start", "due")
    )  # fmt: skip
    start = order.signed or (occurrences[0].due if occurrences else day)
    end = max([o.due for o in occurrences] + [day, start])
    span = max((end - start).days, 1)

    def x(when):
        return LEFT + (WIDTH - LEFT - 10) * (when - start).days / span

    lanes: dict[int, dict] = {}
    counts: dict[str, int] = defaultdict(int)
    for occurrence in occurrences:
        lane = lanes.setdefault(occurrence.obligation_id, {
            "obligation": occurrence.obligation, "y": TOP + ROW * len(lanes), "dots": []})  # fmt: skip
        occurrence.state = state_then(occurrence, day)
        occurrence.state_words = STATES.get(occurrence.state, ("", occurrence.state, ""))[1]
        counts[occurrence.state] += 1
        lane["dots"].append(
            {"x": round(x(occurrence.due), 1), "o": occurrence, "state": occurrence.state}
        )
    for lane in lanes.values():
        dots = lane["dots"]
        lane["count"] = len(dots)
        if len(dots) > DENSE:  # a weekly series: one band with its count, marks thinned
            lane["band"] = {"x": dots[0]["x"], "width": max(dots[-1]["x"] - dots[0]["x"], 1)}
            kept: dict[int, dict] = {}
            for dot in dots:
                bin_ = int(dot["x"] // BIN)
                if bin_ not in kept or _urgency(dot) < _urgency(kept[bin_]):
                    kept[bin_] = dot
            lane["marks"] = list(kept.values())
        else:
            lane["marks"] = dots
    return render(request, "obligations/timeline.html", {
        "day": day, "order": order, "lanes": list(lanes.values()),
        "height": TOP + ROW * len(lanes) + 10, "width": WIDTH, "left": LEFT, "dense": DENSE,
        "today_x": round(x(day), 1) if start <= day <= end else None,
        "ticks": _year_ticks(start, end, x),
        "summary": _summary(order, start, end, len(lanes), len(occurrences), counts, day),
    })  # fmt: skip


def _urgency(dot) -> int:
    return URGENCY.index(dot["state"]) if dot["state"] in URGENCY else len(URGENCY)


def _year_ticks(start: date, end: date, x) -> list[dict]:
    """A line at 1 January of each year after the start, labelled; the start labelled with its
    year too. A label near the right edge ends at its line instead of running past the edge (it
    was clipped); one too close to the label before is left out."""
    ticks = [{"x": round(x(start), 1), "year": start.year, "line": False, "label": True,
              "end": False}]  # fmt: skip
    labelled = ticks[0]["x"]
    for year in range(start.year + 1, end.year + 1):
        at = round(x(date(year, 1, 1)), 1)
        end_anchored = at > WIDTH - LABEL
        label = at - labelled >= LABEL * (2 if end_anchored else 1)
        ticks.append({"x": at, "year": year, "line": True, "label": label, "end": end_anchored})
        labelled = at if label else labelled
    return ticks


def _summary(order, start, end, lanes, total, counts, day) -> str:
    """The image's text alternative: what the chart shows, in one sentence."""
    parts = ", ".join(
        f"{counts[state]} {STATES[state][1]}" for state in STATES if counts.get(state)
    )
    return (
        f"Timeline of {order.short_name}, {start:%Y-%m-%d} to {end:%Y-%m-%d}: {total} due dates"
        f" of {lanes} obligation{'s' if lanes != 1 else ''}, as of {day:%Y-%m-%d}"
        f"{': ' + parts if parts else ''}. Each is listed under the chart."
    )
