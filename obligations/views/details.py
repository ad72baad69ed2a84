"""One obligation, one occurrence, one order: what they say, how their dates were computed, and
(for permitted users) the forms that change them."""

import re

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from obligations import clock, effects, reading
from obligations.extraction.source import split_header
from obligations.forms import ConventionsForm, ProgressForm, SeriesForm
from obligations.importers import implements
from obligations.models import Conflict, Obligation, Occurrence, Order, OrderVersion
from obligations.permissions import can_change, duties, require_change
from obligations.series import SeriesError
from obligations.tracking import change_conventions, change_series, record_progress
from obligations.views.common import as_of, cached_part
from obligations.views.evidence import evidence_context


def obligation_detail(request, pk):
    day = as_of(request)
    obligation = get_object_or_404(
        Obligation.objects.select_related("order", "depends_on", "withdrawn_by__caused_by").defer(
            "order__text"
        ),
        pk=pk,
    )
    allowed = can_change(request.user, obligation)
    form = ConventionsForm(initial=obligation.get_conventions().to_dict())
    if request.method == "POST":
        require_change(request.user, obligation)
        form = ConventionsForm(request.POST)
        if form.is_valid():
            data = dict(form.cleaned_data)
            note = data.pop("note")
            moved = change_conventions(obligation, data, by=request.user, note=note)
            messages.success(request, f"Conventions saved; {moved} due dates recomputed.")
            return redirect(request.get_full_path())  # keeps the "as of" date
    return _obligation_page(request, obligation, day, form, allowed)


def _obligation_page(request, obligation, day, form, allowed, series_form=None, status=200):
    occurrences = obligation.occurrences.as_of(day).select_related("agency")
    occurrences = occurrences.order_by("sequence", "agency__name")
    return render(request, "obligations/obligation_detail.html", {
        "day": day, "obligation": obligation, "rule": obligation.get_rule(),
        "conventions": obligation.get_conventions(), "form": form, "can_change": allowed,
        "conventions_text": obligation.get_conventions().describe(obligation.kind == "recurring"),
        "occurrences": occurrences, "changes": obligation.changes.select_related("by"),
        "agencies": obligation.agencies.all(), "dependents": obligation.dependents.all(),
        "following": obligation.followers.filter(user=request.user).exists(),
        "series_form": series_form or SeriesForm(),
        "series": obligation.series_changes() if obligation.kind == "recurring" else [],
    }, status=status)  # fmt: skip


@require_POST
def series_change(request, pk):
    """Suspend, resume or re-cadence the series (tracking.change_series)."""
    obligation = get_object_or_404(Obligation.objects.select_related("order"), pk=pk)
    require_change(request.user, obligation)
    form = SeriesForm(request.POST)
    if form.is_valid():
        data = dict(form.cleaned_data)
        note = data.pop("note")
        try:
            moved = change_series(obligation, data, by=request.user, note=note)
        except SeriesError as error:
            form.add_error(None, f"{error}.")
        else:
            messages.success(request, f"Series {data['action']} from {data['on']}: {moved} "
                             "due dates changed.")  # fmt: skip
            return redirect(obligation)
    conventions = ConventionsForm(initial=obligation.get_conventions().to_dict())
    return _obligation_page(request, obligation, as_of(request), conventions, True, form, 400)


def occurrence_detail(request, pk):
    day = as_of(request)
    occurrence = get_object_or_404(
        Occurrence.objects.select_related("obligation__order", "agency").defer(
            "obligation__order__text"
        ),
        pk=pk,
    )
    held = duties(request.user, occurrence)
    form = ProgressForm(instance=occurrence, duties=held, today=clock.today())
    if request.method == "POST":
        if not held:
            raise PermissionDenied("Your agency does not answer for this track.")
        form = ProgressForm(request.POST, instance=Occurrence.objects.get(pk=pk), duties=held,
                            today=clock.today())  # fmt: skip
        if form.is_valid():
            try:
                _record(request, occurrence, form)
            except Conflict as conflict:
                return _conflict(request, occurrence, form, conflict)
            except ValidationError as error:  # a change made meanwhile made the dates untrue
                form.add_error(None, error.messages)
            else:
                messages.success(request, f"Saved: {occurrence.get_status_display()}.")
                return redirect(request.get_full_path())  # keeps the "as of" date
    return render(request, "obligations/occurrence_detail.html", {
        **_occurrence_context(occurrence, day), **evidence_context(request, occurrence),
        "form": form, "can_change": bool(form.fields["status"].choices),
    }, status=400 if form.errors else 200)  # fmt: skip


def _record(request, occurrence, form):
    data = form.cleaned_data
    record_progress(
        occurrence, data["status"], by=request.user, note=data["note"],
        expected_version=data["version"], **form.tracked_fields(),
    )  # fmt: skip


def _occurrence_context(occurrence, day) -> dict:
    then = Occurrence.objects.as_of(day).values_list("status_then", flat=True).get(pk=occurrence.pk)
    tracks = occurrence.obligation.occurrences.filter(sequence=occurrence.sequence)
    return {
        "day": day, "occurrence": occurrence, "obligation": occurrence.obligation,
        "status_then": then, "history": occurrence.history.select_related("by"),
        "tracks": tracks.select_related("agency").order_by("agency__name"),
    }  # fmt: skip


def _conflict(request, occurrence, form, conflict):
    """409: the track changed after the page the person posted from. Show what changed, by
    whom and when, and their input again, now against the current version."""
    data = request.POST.copy()
    data["version"] = conflict.current.version
    occurrence.refresh_from_db()
    again = ProgressForm(data, instance=occurrence, duties=duties(request.user, occurrence),
                         today=clock.today())  # fmt: skip
    return render(request, "obligations/occurrence_conflict.html", {
        **_occurrence_context(occurrence, as_of(request)), **evidence_context(request, occurrence),
        "form": again,
        "changes": conflict.changes_since(), "seen_version": conflict.expected_version,
        "can_change": True, "conflict": True,
    }, status=409)  # fmt: skip


def order_detail(request, pk):
    day = as_of(request)
    order = get_object_or_404(Order.objects.defer("text"), pk=pk)
    body = cached_part(request, "obligations/_order.html", lambda: _order_body(pk, day))
    return render(request, "obligations/order_detail.html", {
        "day": day, "order": order, "body": body,
    })  # fmt: skip


def _order_body(pk, day) -> dict:
    order = Order.objects.select_related("revoked_by").get(pk=pk)
    every = list(order.obligations.select_related("withdrawn_by").order_by("span_start"))
    obligations = [o for o in every if o.withdrawn_by_id is None]
    withdrawn = [o for o in every if o.withdrawn_by_id is not None]
    revokes = Order.objects.defer("text").filter(number__in=order.revokes + order.amends)
    return {
        "day": day, "order": order, "obligations": obligations, "withdrawn": withdrawn,
        **_texts(order), **_implementation(order),
        "text": highlighted(order, obligations), "changed_orders": revokes,
        "revoked_orders": order.revoked_orders.defer("text").filter(revoked_on__lte=day),
        "proposals": effects.pending_for(order),
    }  # fmt: skip


def _implementation(order) -> dict:
    """The documents that implement the order, and per section the directives that cite it."""
    implementers = list(order.implemented_by.defer("text"))
    cited = Obligation.objects.filter(order__in=implementers, withdrawn_by=None).exclude(cites=[])
    by_section = {}
    for obligation in cited.select_related("order").defer("order__text"):
        refs = obligation.order.implements_numbers
        for cite in obligation.cites:
            ref = cite["order"] or (refs[0] if len(refs) == 1 else None)
            if ref and implements([ref], order):
                by_section.setdefault(cite["section"], []).append(obligation)
    return {
        "implemented_by": implementers, "implements": list(order.implements.defer("text")),
        "by_section": sorted(by_section.items(), key=lambda item: _section_key(item[0])),
    }  # fmt: skip


def _section_key(section):
    return [int(p) if p.isdigit() else p for p in re.findall(r"\d+|[a-z]+", section)]


def _texts(order) -> dict:
    """Its own texts, and the texts of other orders its amendments made (one query)."""
    rows = OrderVersion.objects.filter(Q(order=order) | Q(caused_by=order)).order_by("number")
    rows = list(rows.select_related("order", "caused_by").defer("text", "extraction",
                                                                  "order__text"))  # fmt: skip
    return {
        "texts": [v for v in rows if v.order_id == order.pk],
        "amended": [v for v in rows if v.caused_by_id == order.pk and v.order_id != order.pk],
    }


def highlighted(order, obligations) -> str:
    """The order's text as people read it (reading.py: no page markers, link syntax or running
    heads; sections as headings), each obligation's sentence marked and linked in place. Spans
    that overlap an earlier one are left unmarked (the earlier link covers them)."""
    text, marks = order.text, []
    pos = split_header(text)[1]  # the header block is our metadata, not the order's words
    for obligation in obligations:
        start, end = obligation.span_start, obligation.span_end
        if start < pos or end > len(text) or start >= end:
            continue
        marks.append(reading.Mark(start, end, (
            f'href="{obligation.get_absolute_url()}" class="obligation-mark kind-{obligation.kind}"'
            f' id="obligation-{obligation.pk}" data-obligation="{obligation.pk}"'
            f' title="{escape(obligation.title)}: {escape(obligation.get_rule().describe())}"'
        )))  # fmt: skip
        pos = end
    return mark_safe(reading.render(text, marks))  # reading.render escapes every piece of text
