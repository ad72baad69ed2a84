"""The public record (PUBLIC_SITE): orders, obligations, due dates, what each agency reported
beside what was independently verified, and the history of the public fields. No sign-in.

Every row and field comes through obligations.public, the one gate: tracks, files and history
reach the templates as plain values built from its OCCURRENCE_FIELDS, never as model rows that
a template could ask for a note or a person. "As of" (?as_of=YYYY-MM-DD) works as it does
inside: statuses from the dates things happened, history up to that day."""

import logging
from collections import Counter

from django.core.paginator import Paginator
from django.db.models import Count, Max, Min, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from obligations import clock, tracks
from obligations.models import Agency, Evidence, Obligation, Occurrence, Order
from obligations.public import (
    agency_slug,
    citation,
    get_agency,
    get_obligation,
    get_order,
    order_slug,
    public_obligation_changes,
    public_site,
    public_tracks,
    safe_url,
)
from obligations.views.common import as_of, existing_on
from obligations.views.evidence import file_response

logger = logging.getLogger(__name__)
DUES_PER_PAGE = 12  # due dates of one obligation per page: a weekly series has hundreds
TRACKS_PER_PAGE = 50  # an agency's tracks per page
# Met is the agency's doing (submitted, verified); a waived or not required due date is held
# against no one, and unmet is counted apart (as the scorecards count them).
MET = ("submitted", "verified")
EXCUSED = ("waived", "not_required")


def _orders_on(day):
    """The orders that existed on `day` (signed by then; unsigned: imported by then)."""
    return existing_on(Order.objects.defer("text", "fr_notes"), day, order="")


def _tally(occurrences, day, key) -> dict:
    """{key value: counts} of occurrences annotated with status_then, counted by the database
    (one grouped query, however many due dates): how many due dates (tracks) in all, met,
    unmet, waived or not required (excused), open and overdue on `day`."""
    rows = (
        occurrences.order_by()
        .values(key, "status_then")
        .annotate(n=Count("pk"), late=Count("pk", filter=Q(due__lt=day)))
    )
    grouped = {}
    for row in rows:
        counts = grouped.setdefault(row[key], Counter())
        counts["total"] += row["n"]
        if row["status_then"] in MET:
            counts["met"] += row["n"]
        elif row["status_then"] in EXCUSED:
            counts["excused"] += row["n"]
        elif row["status_then"] == "unmet":
            counts["unmet"] += row["n"]
        elif row["status_then"] in Occurrence.PENDING:
            counts["open"] += row["n"]
            counts["overdue"] += row["late"]
    return grouped


def _render(request, template, context):
    """A public page; `past` says it shows a day before today (the banner of page.html)."""
    context["past"] = context["day"] < clock.today()
    return render(request, template, context)


def _sum(grouped: dict) -> Counter:
    return sum(grouped.values(), Counter())


@public_site
@require_GET
def public_home(request):
    day = as_of(request)
    orders = list(_orders_on(day).select_related("revoked_by"))
    occurrences = Occurrence.objects.as_of(day).filter(obligation__withdrawn_by=None)
    counts = _tally(occurrences, day, "obligation__order_id")
    obligations = Counter(
        Obligation.objects.filter(withdrawn_by=None).values_list("order_id", flat=True)
    )
    # Those with an obligation in force (a bare `obligations__withdrawn_by=None` would also
    # match every agency with no obligation at all: the join's empty side is null too).
    current = Obligation.objects.filter(withdrawn_by=None, order__in=[o.pk for o in orders])
    agencies = Agency.objects.filter(obligations__in=current).distinct()
    return _render(request, "public/home.html", {
        "day": day,
        "orders": [_order_row(o, obligations[o.pk], counts.get(o.pk, {}), day) for o in orders],
        "agencies": [{"name": a.name, "abbreviation": a.abbreviation, "slug": agency_slug(a)}
                     for a in agencies.only("pk", "name", "abbreviation")],
    })  # fmt: skip


def _order_row(order, obligations, counts, day) -> dict:
    return {
        "order": order, "slug": order_slug(order), "obligations": obligations,
        "counts": counts, "revoked": order.revoked_on and order.revoked_on <= day,
    }  # fmt: skip


@public_site
@require_GET
def public_order(request, slug):
    day = as_of(request)
    order = get_order(slug)
    obligations = list(
        order.obligations.filter(withdrawn_by=None).prefetch_related("agencies")
        .order_by("span_start")
    )  # fmt: skip
    occurrences = Occurrence.objects.as_of(day).filter(obligation__in=obligations)
    counts = _tally(occurrences, day, "obligation_id")
    upcoming = _next_dues(obligations, day)
    return _render(request, "public/order.html", {
        "day": day, "order": order, "slug": slug, "citation": order.citation,
        "signed_then": _signed_by(order, day),
        "revoked": order.revoked_on and order.revoked_on <= day,
        "revoked_slug": order_slug(order.revoked_by) if order.revoked_by_id else "",
        "counts": _sum(counts),
        "obligations": [{
            "obligation": o, "citation": citation(o), "timing": o.get_rule().describe(),
            "counts": counts.get(o.pk, {}), "next": upcoming.get(o.pk),
            "agencies": [{"name": a.name, "slug": agency_slug(a)} for a in o.agencies.all()],
        } for o in obligations],
    })  # fmt: skip


def _signed_by(order, day) -> bool:
    return order.signed is None or order.signed <= day


def _next_dues(obligations, day) -> dict:
    """{obligation id: {"next_due": its first due date on or after `day`, "count": how many due
    dates, "first" and "last": the first and last of them}}, in one grouped query."""
    rows = (
        Occurrence.objects.filter(obligation__in=obligations).order_by().values("obligation_id")
        .annotate(next_due=Min("due", filter=Q(due__gte=day)), first=Min("due"),
                  last=Max("due"), count=Count("sequence", distinct=True))
    )  # fmt: skip
    return {row["obligation_id"]: row for row in rows}


@public_site
@require_GET
def public_obligation(request, slug, key):
    day = as_of(request)
    order = get_order(slug)
    obligation = get_obligation(order, key)
    rows = obligation.occurrences.as_of(day).select_related("agency")
    sequences = rows.order_by("sequence").values_list("sequence", flat=True).distinct()
    page = Paginator(list(sequences), DUES_PER_PAGE).get_page(request.GET.get("page"))
    shown = rows.filter(sequence__in=list(page.object_list)).order_by("sequence", "agency__name")
    dues = {}
    for track in public_tracks(shown, day):
        dues.setdefault(track["sequence"], []).append(track)
    return _render(request, "public/obligation.html", {
        "day": day, "order": order, "slug": slug, "obligation": obligation,
        "citation": citation(obligation), "rule": obligation.get_rule().describe(),
        "conventions": obligation.get_conventions().describe(obligation.kind == "recurring"),
        "agencies": [{"name": a.name, "slug": agency_slug(a)} for a in obligation.agencies.all()],
        "depends_on": _public_obligation_link(obligation.depends_on),
        "series": _series(obligation, day),
        "counting": public_obligation_changes(obligation, day),
        "page": page,
        "dues": [{"sequence": seq, "due": items[0]["due"], "tracks": items,
                  "explanation": items[0]["explanation"],
                  "summary": tracks.summary(t["status"] for t in items)}
                 for seq, items in dues.items()],
    })  # fmt: skip


def _public_obligation_link(obligation):
    if obligation is None or obligation.withdrawn_by_id:
        return None
    return {"title": obligation.title, "slug": order_slug(obligation.order), "key": obligation.key,
            "citation": citation(obligation)}  # fmt: skip


SERIES_FIELDS = ("action", "on", "every", "authority", "authority_url")


def _series(obligation, day) -> list[dict]:
    """How a recurring series was run (suspended, resumed, re-cadenced) up to `day`: the cited
    authority only (the change's note is internal)."""
    if obligation.kind != "recurring":
        return []
    return [
        {**{name: change.get(name) for name in SERIES_FIELDS},
         "authority_url": safe_url(change.get("authority_url"))}
        for change in obligation.series_changes()
        if str(change.get("on", "")) <= day.isoformat()
    ]  # fmt: skip


@public_site
@require_GET
def public_agency(request, slug):
    day = as_of(request)
    agency = get_agency(slug)
    obligations = list(
        existing_on(agency.obligations.filter(withdrawn_by=None), day, order="order__")
        .select_related("order").defer("order__text").order_by("order__signed", "span_start")
    )  # fmt: skip
    rows = (
        existing_on(
            Occurrence.objects.as_of(day)
            .filter(obligation__withdrawn_by=None)
            # Its own tracks, and the shared tracks of its obligations (a subquery: a join on the
            # obligation's agencies would repeat a track once per co-responsible agency).
            .filter(Q(agency=agency) | Q(agency=None, obligation__in=agency.obligations.all())),
            day,
        )
        .select_related("agency", "obligation__order")
        .defer("obligation__order__text")
    )
    counts = _tally(rows, day, "agency_id")
    page = Paginator(rows.order_by("due", "obligation_id", "pk"), TRACKS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    tracks_shown = public_tracks(page.object_list, day)
    for track, occurrence in zip(tracks_shown, page.object_list, strict=True):
        track["obligation"] = _public_obligation_link(occurrence.obligation)
    return _render(request, "public/agency.html", {
        "day": day, "agency": agency, "slug": slug,
        "parent": {"name": agency.parent.name, "slug": agency_slug(agency.parent)}
        if agency.parent_id else None,
        "obligations": [{"obligation": o, "citation": citation(o), "slug": order_slug(o.order)}
                        for o in obligations],
        "counts": _sum(counts),
        "page": page, "tracks": tracks_shown,
    })  # fmt: skip


@public_site
@require_GET
def public_evidence(request, pk, name):
    """A file marked public, to anyone; any other file is not there (404), as with a wrong name."""
    evidence = get_object_or_404(Evidence, pk=pk, public=True)
    if name != evidence.name:
        raise Http404("No such file.")
    return file_response(request, evidence)
