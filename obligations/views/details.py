"""One obligation, one occurrence, one order: what they say, how their dates were computed, and
(for permitted users) the forms that change them."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.html import escape
from django.utils.safestring import mark_safe

from obligations import effects
from obligations.extraction.source import split_header
from obligations.forms import ConventionsForm, ProgressForm
from obligations.models import Obligation, Occurrence, Order
from obligations.permissions import can_change, require_change
from obligations.tracking import change_conventions, record_progress
from obligations.views.common import as_of, cached_part


def obligation_detail(request, pk):
    day = as_of(request)
    obligation = get_object_or_404(
        Obligation.objects.select_related("order", "depends_on").defer("order__text"), pk=pk
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
            return redirect(obligation)
    occurrences = obligation.occurrences.as_of(day)
    return render(request, "obligations/obligation_detail.html", {
        "day": day, "obligation": obligation, "rule": obligation.get_rule(),
        "conventions": obligation.get_conventions(), "form": form, "can_change": allowed,
        "occurrences": occurrences, "changes": obligation.changes.select_related("by"),
        "agencies": obligation.agencies.all(), "dependents": obligation.dependents.all(),
        "following": obligation.followers.filter(user=request.user).exists(),
    })  # fmt: skip


def occurrence_detail(request, pk):
    day = as_of(request)
    occurrence = get_object_or_404(
        Occurrence.objects.select_related("obligation__order").defer("obligation__order__text"),
        pk=pk,
    )
    obligation = occurrence.obligation
    allowed = can_change(request.user, obligation)
    form = ProgressForm(instance=occurrence)
    if request.method == "POST":
        require_change(request.user, obligation)
        form = ProgressForm(request.POST, instance=Occurrence.objects.get(pk=pk))
        if form.is_valid():
            record_progress(
                occurrence, form.cleaned_data["status"], by=request.user,
                note=form.cleaned_data["note"], **form.tracked_fields(),
            )  # fmt: skip
            messages.success(request, f"Saved: {occurrence.get_status_display()}.")
            return redirect("occurrence_detail", pk=pk)
    then = Occurrence.objects.as_of(day).values_list("status_then", flat=True).get(pk=pk)
    return render(request, "obligations/occurrence_detail.html", {
        "day": day, "occurrence": occurrence, "obligation": obligation, "status_then": then,
        "form": form, "can_change": allowed, "history": occurrence.history.select_related("by"),
    })  # fmt: skip


def order_detail(request, pk):
    day = as_of(request)
    order = get_object_or_404(Order.objects.defer("text"), pk=pk)
    body = cached_part(request, "obligations/_order.html", lambda: _order_body(pk, day))
    # Outside the cached part: deciding on a proposal does not move the data version.
    return render(request, "obligations/order_detail.html", {
        "day": day, "order": order, "body": body, "proposals": effects.pending_for(order),
    })  # fmt: skip


def _order_body(pk, day) -> dict:
    order = Order.objects.select_related("revoked_by").get(pk=pk)
    obligations = list(order.obligations.order_by("span_start"))
    revokes = Order.objects.defer("text").filter(number__in=order.revokes + order.amends)
    return {
        "day": day, "order": order, "obligations": obligations,
        "text": highlighted(order, obligations), "changed_orders": revokes,
        "revoked_orders": order.revoked_orders.defer("text").filter(revoked_on__lte=day),
    }  # fmt: skip


def highlighted(order, obligations) -> str:
    """The order's text, escaped, with each obligation's sentence marked and linked in place.
    Spans that overlap an earlier one are left unmarked (the earlier link covers them)."""
    text, out = order.text, []
    pos = split_header(text)[1]  # the header block is our metadata, not the order's words
    for obligation in obligations:
        start, end = obligation.span_start, obligation.span_end
        if start < pos or end > len(text) or start >= end:
            continue
        out.append(escape(text[pos:start]))
        out.append(
            f'<a href="{obligation.get_absolute_url()}" class="obligation-mark kind-{obligation.kind}"'
            f' id="obligation-{obligation.pk}" title="Sec. {escape(obligation.section)}: '
            f'{escape(obligation.get_rule().describe())}"><mark>{escape(text[start:end])}</mark></a>'
        )
        pos = end
    out.append(escape(text[pos:]))
    return mark_safe("".join(out))  # every piece of the text above went through escape()
