"""Texts of an order: a pending text's change list, applied or rejected by who may import."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from obligations import revisions
from obligations.models import OrderVersion


def version_detail(request, pk):
    version = get_object_or_404(
        OrderVersion.objects.select_related("order", "caused_by", "imported_by", "decided_by"),
        pk=pk,
    )
    pending = version.state == OrderVersion.State.PENDING
    return render(request, "obligations/version_detail.html", {
        "version": version, "order": version.order, "pending": pending,
        "changes": revisions.changes(version) if pending else None,
        "may_decide": pending and revisions.can_decide(request.user, version),
        "texts": version.order.versions.select_related("caused_by").defer("text"),
    })  # fmt: skip


@require_POST
def version_apply(request, pk):
    keep = request.POST.get("keep_corrections", "") == "on"
    return _decide(request, pk, revisions.apply, "Applied", keep_corrections=keep)


@require_POST
def version_reject(request, pk):
    return _decide(request, pk, revisions.reject, "Rejected", note=request.POST.get("note", ""))


def _decide(request, pk, action, done, **kwargs):
    version = get_object_or_404(OrderVersion.objects.select_related("order"), pk=pk)
    if not revisions.can_decide(request.user, version):
        raise PermissionDenied("You may not decide on new texts of orders.")
    try:
        action(version, by=request.user, **kwargs)
    except revisions.RevisionError as error:
        messages.error(request, f"This cannot be done: {error}.")
        return redirect(version)
    messages.success(request, f"{done}: text {version.number} of {version.order.short_name}.")
    return redirect(version.order if done == "Applied" else version)
