"""Public scorecards: agencies ranked, an order over time, an agency's orders, and a printable
report of an order as of a date. No sign-in; not there unless PUBLIC_SITE is on.

The counting (obligations/scorecards.py) reads every occurrence, so each page's body is a part
cached under the data version (views/common.cached_part): a page nothing changed since is one
query for the version (and one for the order or agency its address names)."""

import re

from django.db.models import Min
from django.shortcuts import render
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_safe

from obligations import scorecard_parts, scorecards, svg
from obligations.models import Agency, Evidence, Obligation, Occurrence, Order
from obligations.public import agency_slug, citation, get_agency, get_order, order_slug, public_site
from obligations.scorecards import CATEGORIES
from obligations.views.common import as_of, cached_part, existing_on

# What a row of the report reads (plain values, not model instances: thousands of rows).
TRACK_FIELDS = ("pk", "obligation_id", "due", "agency__abbreviation", "agency__name", "category",
                "late_by", "met_on", "verified_on", "status_then", "evidence_url",
                "verification_url", "authority_url")  # fmt: skip
FEDERAL_REGISTER = "https://www.federalregister.gov/d/{}"
FR_CITATION = re.compile(r"^(\d+) FR (\d+)$")  # "82 FR 8799": the page that cites it


def _page(request, template, part_template, build, **context):
    day = as_of(request)
    part = cached_part(request, part_template, lambda: {"day": day, **build(day)})
    return render(request, template, {"day": day, "part": part, **context})


@public_site
@require_safe
def ranking(request):
    """/public/scorecards/: every agency with a due date, best on-time rate first."""
    return _page(request, "public/scorecard_ranking.html", "public/scorecard_ranking_part.html",
                 _ranking)  # fmt: skip


@public_site
@require_safe
def order_scorecard(request, slug):
    order = get_order(slug)
    return _page(request, "public/scorecard_order.html", "public/scorecard_order_part.html",
                 lambda day: _order(order, day), order=order)  # fmt: skip


@public_site
@require_safe
def agency_scorecard(request, slug):
    agency = get_agency(slug)
    return _page(request, "public/scorecard_agency.html", "public/scorecard_agency_part.html",
                 lambda day: _agency(agency, day), agency=agency)  # fmt: skip


@public_site
@require_safe
def order_report(request, slug):
    order = get_order(slug)
    return _page(request, "public/report.html", "public/report_part.html",
                 lambda day: _report(order, day), order=order)  # fmt: skip


def definitions() -> list[dict]:
    return [{"key": key, "words": words, "meaning": meaning, "colour": svg.COLOURS.get(key)}
            for key, words, meaning in CATEGORIES]  # fmt: skip


def legend() -> list[dict]:
    """The bar charts' key: the categories they draw, in their order."""
    return [d for d in definitions() if d["colour"]]


def _ranking(day) -> dict:
    total, found = scorecard_parts.ranking(day)  # scorecards.by_agency, kept up to date
    agencies = Agency.objects.in_bulk([pk for pk in found if pk])
    entries = [{"agency": agencies[pk], "slug": agency_slug(agencies[pk]), "score": score, "id": pk}
               for pk, score in found.items() if pk and score.total]  # fmt: skip
    entries.sort(key=lambda e: (e["score"].rank_key(), e["agency"].name))
    for rank, entry in enumerate(entries, start=1):
        entry["rank"] = rank
    unnamed = found.get(None)
    chart = svg.stacked_bars(
        [{"label": f"{e['rank']}. {_short(e['agency'])}: {_rate(e['score'])}",
          "parts": [(k, n) for k, _, n in e["score"].parts()]} for e in entries],
        title=f"Agencies ranked by due dates met on time, as of {day:%B %-d, %Y}",
        desc=_bars_desc(entries, lambda e: _short(e["agency"])), ident="ranking",
    )  # fmt: skip
    return {"total": total, "entries": entries, "unnamed": unnamed, "chart": chart,
            "definitions": definitions(), "legend": legend()}  # fmt: skip


def _order(order, day) -> dict:
    rows = existing_on(Occurrence.objects.filter(obligation__order=order), day)
    # One count, per obligation and track agency, gives the rows per obligation and per agency
    found = scorecards.tallies(rows, day, "obligation_id", "agency_id")
    per_obligation: dict = {}
    for (obligation, _), tally in found.items():
        scorecards.add_tally(per_obligation.setdefault(obligation, scorecards.new_tally()), tally)
    owners = scorecards.agencies_of({obligation for obligation, agency in found if agency is None})
    total, per_agency = scorecards.combine(found, owners)
    total = scorecards.Score.from_tally(total)
    found = {pk: scorecards.Score.from_tally(t) for pk, t in per_agency.items()}
    obligations = Obligation.objects.filter(pk__in=list(per_obligation))
    obligations = obligations.defer("quote", "order__text")
    lines = sorted(
        ({"obligation": o, "score": scorecards.Score.from_tally(per_obligation[o.pk]),
          "citation": citation(o)} for o in obligations.select_related("order")),
        key=lambda e: e["obligation"].span_start,
    )  # fmt: skip
    agencies = Agency.objects.in_bulk([pk for pk in found if pk])
    by_agency = sorted(
        ({"agency": agencies.get(pk), "slug": agency_slug(agencies[pk]) if pk else None,
          "score": score, "id": pk or "none"} for pk, score in found.items()),
        key=lambda e: (e["agency"] is None, e["score"].rank_key(), str(e["agency"] or "")),
    )  # fmt: skip
    start = order.signed or rows.aggregate(first=Min("due"))["first"] or day
    periods = scorecards.over_time(rows, day, start)
    chart = None
    if periods:
        last = periods[-1]
        chart = svg.line_chart(
            periods, start=start, ident="over-time",
            title=f"{order.short_name}: due dates due so far and met, {start:%Y-%m-%d} to {day:%Y-%m-%d}",
            desc=f"By {last.end:%B %-d, %Y}, {last.due_total} due dates had fallen due and "
                 f"{last.met_total} had been met (submitted or verified). The table beside the "
                 f"chart gives both per {_unit(periods)}.",
        )  # fmt: skip
    bars = svg.stacked_bars(
        [{"label": f"{_short(e['agency']) if e['agency'] else 'no agency named'}: "
                   f"{_rate(e['score'])}", "parts": [(k, n) for k, _, n in e["score"].parts()]}
         for e in by_agency],
        title=f"{order.short_name}: due dates so far per agency, as of {day:%B %-d, %Y}",
        desc=_bars_desc(by_agency, lambda e: _short(e["agency"]) if e["agency"] else "no agency"),
        ident="order-agencies",
    )  # fmt: skip
    return {"order": order, "slug": order_slug(order), "total": total, "lines": lines,
            "agencies": by_agency, "periods": periods, "chart": chart, "bars": bars,
            "unit": _unit(periods), "definitions": definitions(), "legend": legend(), "start": start}  # fmt: skip


def _agency(agency, day) -> dict:
    by_order = scorecard_parts.agency_orders(day, agency.pk)  # as scorecards.for_agency
    total = scorecards.Score()
    for part in by_order.values():
        total.add(part)
    orders = Order.objects.defer("text").in_bulk(list(by_order))
    entries = sorted(
        ({"order": orders[pk], "slug": order_slug(orders[pk]), "score": by_order[pk]}
         for pk in orders),
        key=lambda e: (e["order"].signed is None, e["order"].signed, e["order"].number),
    )  # fmt: skip
    chart = svg.stacked_bars(
        [{"label": f"{e['order'].short_name}: {_rate(e['score'])}",
          "parts": [(k, n) for k, _, n in e["score"].parts()]} for e in entries],
        title=f"{agency.name}: due dates so far per order, as of {day:%B %-d, %Y}",
        desc=_bars_desc(entries, lambda e: e["order"].short_name), ident="agency-orders",
    )  # fmt: skip
    return {"agency": agency, "agency_slug": agency_slug(agency), "total": total,
            "entries": entries, "chart": chart, "definitions": definitions(), "legend": legend()}  # fmt: skip


def _report(order, day) -> dict:
    """The order's due dates so far, one row per track, grouped by obligation."""
    rows = existing_on(Occurrence.objects.filter(obligation__order=order), day)
    total = scorecards.score(rows, day)
    words = {key: text for key, text, _ in CATEGORIES}
    tracks = (
        scorecards.categorized(rows.filter(due__lte=day), day)
        .order_by("obligation__span_start", "due", "agency__name")
        .values(*TRACK_FIELDS)
    )  # plain rows: a long series has thousands
    # Files shown only where marked public (the gate of obligations/public.py)
    files: dict = {}
    for item in Evidence.objects.filter(occurrence__in=tracks.values("pk"), public=True):
        files.setdefault(item.occurrence_id, []).append(item)
    groups: dict = {}
    for track in tracks:
        track["words"] = words[track["category"]]
        groups.setdefault(track["obligation_id"], []).append(_track_row(track, day, files))
    obligations = Obligation.objects.filter(order=order).order_by("span_start")
    obligations = obligations.select_related("order").defer("order__text")
    sections = [{"obligation": o, "citation": citation(o), "rows": groups.get(o.pk, [])}
                for o in obligations if o.pk in groups]  # fmt: skip
    cited = FR_CITATION.match(order.citation)
    where = f"https://www.federalregister.gov/citation/{cited[1]}-FR-{cited[2]}" if cited else None
    sources = [("Text of the order", order.citation or order.short_name, where)]
    if order.document_number:
        sources.append(("Federal Register", order.document_number,
                        FEDERAL_REGISTER.format(order.document_number)))  # fmt: skip
    if order.source.startswith(("https://", "http://")):
        sources.append(("Source of the text", order.source, order.source))
    elif order.source:
        sources.append(("Source of the text", order.source, None))
    return {"order": order, "slug": order_slug(order), "total": total, "sections": sections,
            "sources": sources, "definitions": definitions(), "legend": legend()}  # fmt: skip


def _track_row(track: dict, day, files) -> SafeString:
    """One row of the report's table, made here rather than in the template (a long series has
    thousands of rows: a template's tags, or format_html, cost a fraction of a millisecond
    each). Every value from the database passes through escape()."""
    late = scorecards.whole_days(track["late_by"]) if track["late_by"] is not None else None
    state = track["words"] + (f", {late} day{'s' if late != 1 else ''} late" if late else "")
    verified = track["status_then"] == Occurrence.Status.VERIFIED
    links = [(track["evidence_url"], "report"),
             (verified and track["verification_url"], "verification"),
             (track["category"] == "waived" and track["authority_url"], "authority")]  # fmt: skip
    sources = " ".join(f'<a href="{escape(url)}">{words}</a>' for url, words in links if url)
    for item in files.get(track["pk"], ()):
        sources += f' <span class="report-file">{escape(item.name)} (SHA-256 {escape(item.sha256[:12])}…)</span>'
    agency = escape(track["agency__abbreviation"] or track["agency__name"] or "shared")
    met, checked = track["met_on"], verified and track["verified_on"]
    # Every value is escaped above, or is a date, a number or one of our own words
    return mark_safe(
        f'<tr><th scope="row" data-label="Due">{track["due"]:%Y-%m-%d}</th>'
        f'<td data-label="Agency">{agency}</td><td data-label="As of {day:%Y-%m-%d}">{state}</td>'
        f'<td data-label="Met on">{f"{met:%Y-%m-%d}" if met else "–"}</td>'
        f'<td data-label="Verified on">{f"{checked:%Y-%m-%d}" if checked else "–"}</td>'
        f'<td data-label="Sources">{sources}</td></tr>'
    )


def _short(agency) -> str:
    return agency.abbreviation or agency.name


def _rate(score) -> str:
    share = score.on_time_share
    if share is None:
        return "nothing required yet"
    return f"{score.on_time} of {score.required} on time ({share:.0%})"


def _unit(periods) -> str:
    if len(periods) > 1 and periods[0].label[:1] == "Q":
        return "quarter"
    return "year" if periods and periods[0].label.isdigit() else "month"


def _bars_desc(entries, name) -> str:
    """The text alternative of a bar chart: each bar in words, in order."""
    if not entries:
        return "No due dates."
    parts = []
    for entry in entries:
        score = entry["score"]
        counts = ", ".join(f"{n} {words}" for _, words, n in score.parts()[:-1] if n)
        parts.append(f"{name(entry)}: {score.due} due so far" + (f" ({counts})" if counts else ""))
    return "Each bar is 100% of the due dates so far. " + "; ".join(parts) + "."
