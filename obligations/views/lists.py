"""The obligations list: filters, sorting, and CSV / JSON export of the same rows."""

import csv
import json

from django.core.paginator import Paginator
from django.db.models import Count, OuterRef, Subquery
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render

from obligations.filters import ObligationFilter, listed, sort
from obligations.models import Occurrence, Order
from obligations.views.common import as_of, cached_part, existing_on

PAGE = 100
# "title" last: the columns before it keep their places for readers of earlier exports.
COLUMNS = ["order", "section", "kind", "timing", "next_due", "tracks", "overdue", "actors",
           "agencies", "action", "title"]  # fmt: skip


def obligation_list(request):
    day = as_of(request)
    export = request.GET.get("format")
    if export in ("csv", "json"):
        return _export(export, _export_rows(list(_filtered(request, day)[1]), day), day)
    body = cached_part(  # "my agency only" makes the rows depend on who asks
        request, "obligations/_obligation_list.html", lambda: _page(request, day), per_person=True
    )
    return render(request, "obligations/obligation_list.html", {"day": day, "body": body})


def _filtered(request, day):
    """(the filters with their form, the rows they let through in the chosen order)"""
    filters = ObligationFilter(request.GET, queryset=listed(day), day=day, user=request.user)
    return filters, sort(filters.qs, request.GET.get("sort", "order"))


def _page(request, day) -> dict:
    filters, rows = _filtered(request, day)
    # The page's ids first, then its rows: the next-due and overdue subqueries then run for the
    # 100 rows shown, not for every row the filters let through (unless the sort needs them).
    page = Paginator(rows.values_list("pk", flat=True), PAGE).get_page(request.GET.get("page"))
    found = rows.in_bulk(list(page))
    return {
        "day": day, "filter": filters, "page": page, "ignored": filters.ignored(),
        "rows": [(found[pk], _row(found[pk])) for pk in page],
        "sorts": [("order", "Order"), ("section", "Section"), ("due", "Next due"), ("kind", "Kind")],
    }  # fmt: skip


def _row(obligation) -> dict:
    """One obligation as the list shows it and the exports write it."""
    return {
        "order": obligation.order.short_name,
        "section": obligation.section,
        "kind": obligation.kind,
        "timing": obligation.get_rule().describe(),
        "next_due": obligation.next_due.isoformat() if obligation.next_due else "",
        "overdue": obligation.late,
        "actors": "; ".join(obligation.actors),
        "agencies": "; ".join(a.abbreviation or a.name for a in obligation.agencies.all()),
        "action": obligation.action,
        "title": obligation.title,
    }


def _export_rows(obligations, day) -> list[dict]:
    """The rows with the state of each agency's track of their next due date."""
    tracks = next_due_tracks([o.pk for o in obligations], day)
    return [{**_row(o), "tracks": tracks.get(o.pk, "")} for o in obligations]


def next_due_tracks(obligation_ids, day) -> dict[int, str]:
    """{obligation id: "DHS: submitted; DOJ: open"}: each track of the next due date as of
    `day` (the first still pending then, as the list's next_due). One query for all rows."""
    then = Occurrence.objects.as_of(day)
    first = (
        then.pending_then().filter(obligation=OuterRef("obligation")).order_by("due", "sequence")
    )
    rows = (
        then.filter(obligation_id__in=obligation_ids)
        .filter(sequence=Subquery(first.values("sequence")[:1]))
        .order_by("obligation_id", "agency__name")
        .values_list("obligation_id", "agency__abbreviation", "agency__name", "status_then")
    )
    labels = dict(Occurrence.Status.choices)
    found: dict[int, list[str]] = {}
    for obligation_id, abbreviation, name, status in rows:
        label = labels.get(status, status).lower()
        agency = abbreviation or name
        found.setdefault(obligation_id, []).append(f"{agency}: {label}" if agency else label)
    return {obligation_id: "; ".join(states) for obligation_id, states in found.items()}


def _export(kind, rows, day):
    name = f"obligations-as-of-{day.isoformat()}.{kind}"
    if kind == "json":
        response = JsonResponse({"as_of": day.isoformat(), "obligations": rows})
    else:
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        writer = csv.DictWriter(response, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows({k: _cell(v) for k, v in row.items()} for row in rows)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _cell(value):
    """Spreadsheet-safe: a cell starting with = + - @ is text, not a formula (CSV injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return json.dumps(value) if isinstance(value, bool) else value


def order_list(request):
    day = as_of(request)
    orders = (
        existing_on(Order.objects.defer("text"), day, order="")
        .select_related("revoked_by").annotate(n=Count("obligations")).order_by("-signed")
    )  # fmt: skip
    return render(request, "obligations/order_list.html", {"day": day, "orders": orders})
