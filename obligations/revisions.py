"""New texts of a stored order: proposed as a pending version, shown as a change list
(changesets.py), applied or rejected by a permitted person, each in one transaction.

Applying adds what the new text adds, changes what it rewords (keeping the corrections people
made, unless they choose to drop them), withdraws what it no longer says (never deleted: their
open due dates stop, with history), and points every quote into the text it belongs to."""

import hashlib

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from obligations import series
from obligations.changesets import diff
from obligations.importers import (
    Cause,
    EffectError,
    create_obligation,
    default_conventions,
    insert_occurrences,
    link_dependencies,
    link_implementations,
    obligation_fields,
    order_fields,
    propose_effects,
    set_agencies,
    sync_occurrences,
)
from obligations.models import Obligation, ObligationChange, Order, OrderEffect, OrderVersion
from obligations.permissions import can_import
from obligations.schedule import Conventions, Rule

State = OrderVersion.State
ANCHORING = ("span_start", "span_end", "source_key")  # where a quote is, not what it says


class RevisionError(EffectError):
    """A version that cannot be applied or rejected (or not now): nothing written."""


def propose(order, text, data, *, source="", by=None, caused_by=None, effective_on=None):
    """A pending version of `order` with this text and extraction (importers.as_json)."""
    last = order.versions.aggregate(n=Max("number"))["n"] or 0
    Order.objects.filter(pk=order.pk).update(updated=timezone.now())  # its page shows it
    return OrderVersion.objects.create(
        order=order, number=last + 1, text=text, text_sha256=sha256(text), source=source,
        imported_by=by, extraction=data, caused_by=caused_by, effective_on=effective_on,
    )  # fmt: skip


def sha256(text) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def current(order):
    return order.versions.filter(state=State.APPLIED).order_by("-number").first()


def dropped(order) -> set:
    """Keys of drafts a person left out of an applied text of the order."""
    keys = set()
    for extraction in order.versions.filter(state=State.APPLIED).values_list(
        "extraction", flat=True
    ):
        keys.update((extraction or {}).get("dropped", []))
    return keys


def changes(version, keep_corrections=True):
    """The change list of a version against the order as it stands."""
    order = version.order
    info = version.extraction["order"]
    active = order.obligations.filter(withdrawn_by=None).select_related("depends_on")
    return diff(
        list(active), version.extraction["obligations"], old_dues=_old_dues,
        new_dues=_new_dues(info, keep_corrections), keep_corrections=keep_corrections,
        dropped=dropped(order),
    )  # fmt: skip


def _old_dues(obligation):
    return [d.date for d in obligation.due_dates()]


def _new_dues(info, keep_corrections):
    fields = order_fields(info)
    anchors = {"order": fields["signed"], "effective": fields["effective"] or fields["signed"]}

    def dues(rule_dict, obligation):
        rule = Rule.from_dict(rule_dict)
        conventions = Conventions.from_dict(default_conventions())
        if obligation is not None and keep_corrections:
            conventions = obligation.get_conventions()
        anchor = anchors.get(rule.anchor)
        if rule.anchor not in anchors and obligation is not None and obligation.depends_on_id:
            anchor = obligation.depends_on.completed_on()
        name = {"order": "signed"}.get(rule.anchor, rule.anchor)
        changes = obligation.series_changes() if obligation is not None else []
        return [d.date for d in series.follow(rule, anchor, conventions, name, changes)]

    return dues


def can_decide(user, version) -> bool:
    """Who may import orders may apply or reject a new text of one."""
    return can_import(user)


def apply(version, *, by, keep_corrections=True, note=""):
    """Carry out the version's change list and make its text the order's current text."""
    with transaction.atomic():
        version = _locked(version, "applied")
        order = Order.objects.select_for_update().get(pk=version.order_id)
        version.order = order
        changeset = changes(version, keep_corrections)
        why = f"Text {version.number} of {order.short_name} applied"
        why += f" ({version.caused_by.short_name})" if version.caused_by_id else ""
        why += f"; {note}" if note else ""
        for entry in changeset.entries:
            _carry_out(entry, order, version, by, why, keep_corrections)
        _make_current(order, version, by, note)
        link_dependencies(order)
        link_implementations(order)
        propose_effects(order, by)
        applied = {}  # each obligation's latest change of this application, if any
        for change in ObligationChange.objects.filter(obligation__order=order, note=why):
            applied.setdefault(change.obligation_id, change)
        obligations = order.obligations.select_related("withdrawn_by__caused_by", "order")
        made = []  # the new occurrences of every obligation, written at once
        for obligation in obligations.prefetch_related("agencies"):
            change = applied.get(obligation.pk)
            cause = Cause(by=by, obligation_change=change, note=f"({why}.)")
            sync_occurrences(obligation, cause=cause, made=made)
        insert_occurrences(made)
    return changeset


def reject(version, *, by, note=""):
    with transaction.atomic():
        version = _locked(version, "rejected")
        _decide(version, State.REJECTED, by, note)


def _locked(version, verb):
    version = OrderVersion.objects.select_for_update().get(pk=version.pk)
    if version.state != State.PENDING:
        raise RevisionError(
            f"text {version.number} is {version.state}: only a pending text can be {verb}"
        )
    return version


def _decide(version, state, by, note=""):
    version.state, version.decided_by, version.decided_at = state, by, timezone.now()
    version.note = note or version.note
    version.save(update_fields=["state", "decided_by", "decided_at", "note"])
    Order.objects.filter(pk=version.order_id).update(updated=timezone.now())  # data version
    # The amendment that made it (amending.py) is decided with it, whichever page was used.
    effect = OrderEffect.objects.filter(version=version, state=OrderEffect.State.PENDING)
    effect.update(state=state, decided_by=by, decided_at=version.decided_at)


def _carry_out(entry, order, version, by, why, keep_corrections):
    if entry.kind == "added":
        create_obligation(order, version, entry.new)
    elif entry.kind == "retired":
        _withdraw(entry.obligation, version, by, why)
    else:
        _rewrite(entry, version, by, why, keep_corrections)


def _rewrite(entry, version, by, why, keep_corrections):
    """An obligation the new text still has: its fields as the text (and the kept corrections)
    say, its quote pointing into the new text; a change of what people read is kept in its
    history."""
    obligation, fields = entry.obligation, obligation_fields(entry.new)
    if not keep_corrections:
        fields["conventions"] = default_conventions()
    old = {name: _jsonable(getattr(obligation, name)) for name in fields}
    moved = {k for k in fields if old[k] != _jsonable(fields[k])} - set(ANCHORING)
    if entry.kind == "changed" or moved:  # not when only the offsets move (re-anchoring)
        ObligationChange.objects.create(
            obligation=obligation, by=by, field="text", note=why,
            old={k: old[k] for k in moved}, new={k: _jsonable(fields[k]) for k in moved},
        )  # fmt: skip
    Obligation.objects.filter(pk=obligation.pk).update(
        **fields, version=version, updated=timezone.now()
    )
    obligation.refresh_from_db()
    set_agencies(obligation, fields["actors"])


def _withdraw(obligation, version, by, why):
    """Out of the text: withdrawn for good, from the amendment's date (or from the start when the
    text was corrected); its open due dates are closed when the occurrences are synced."""
    ObligationChange.objects.create(
        obligation=obligation, by=by, field="withdrawn", note=why, old=None,
        new={"text": version.number, "on": _iso(version.effective_on)},
    )  # fmt: skip
    Obligation.objects.filter(pk=obligation.pk).update(
        withdrawn_by=version, withdrawn_on=version.effective_on, updated=timezone.now()
    )


def _make_current(order, version, by, note):
    fields = order_fields(version.extraction["order"])
    if version.caused_by_id:  # an amendment changes the text, not what the order is
        fields = {}
    previous = order.versions.filter(state=State.APPLIED)
    previous.update(state=State.SUPERSEDED)
    Order.objects.filter(pk=order.pk).update(
        **fields, text=version.text, text_sha256=version.text_sha256, updated=timezone.now()
    )
    order.refresh_from_db()
    _decide(version, State.APPLIED, by, note)


def _jsonable(value):
    if isinstance(value, list | dict | str | int | type(None)):
        return value
    return str(value)


def _iso(day):
    return day.isoformat() if day else None
