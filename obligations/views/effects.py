"""Effects of one order on another (revocations): the list to review, and apply, reject and
undo for the people allowed to change the obligations they affect."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from obligations import effects
from obligations.models import OrderEffect, OrderVersion

DECIDED_ROWS = 50


def effect_list(request):
    rows = OrderEffect.objects.select_related("source", "target", "proposed_by", "decided_by")
    rows = rows.defer("source__text", "target__text")
    pending = rows.filter(state=OrderEffect.State.PENDING)
    decided = rows.exclude(state=OrderEffect.State.PENDING).order_by("-decided_at")
    texts = OrderVersion.objects.filter(state=OrderVersion.State.PENDING)
    texts = texts.select_related("order", "caused_by", "imported_by").defer("text", "order__text")
    return render(request, "obligations/effects.html", {
        "texts": texts, "pending": _with_rights(request.user, pending),
        "decided": _with_rights(request.user, decided[:DECIDED_ROWS]),
    })  # fmt: skip


def _with_rights(user, rows):
    """(effect, whether the user may decide on it) for each row."""
    return [(effect, effects.can_apply(user, effect)) for effect in rows]


@require_POST
def effect_apply(request, pk):
    return _decide(request, pk, effects.apply, "Applied")


@require_POST
def effect_reject(request, pk):
    return _decide(request, pk, effects.reject, "Rejected", note=request.POST.get("note", ""))


@require_POST
def effect_undo(request, pk):
    return _decide(request, pk, effects.undo, "Undone", note=request.POST.get("note", ""))


def _decide(request, pk, action, done, **kwargs):
    effect = get_object_or_404(OrderEffect.objects.select_related("source", "target"), pk=pk)
    if not effects.can_apply(request.user, effect):
        raise PermissionDenied("You may not change every obligation this affects.")
    try:
        action(effect, by=request.user, **kwargs)
    except effects.EffectError as error:
        messages.error(request, f"{error}.")
    else:
        messages.success(request, f"{done}: {effects.label(effect)}.")
    return redirect("effect_list")
