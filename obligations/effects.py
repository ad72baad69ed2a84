"""What one order does to another (a revocation): proposed when either order is imported
(importers.py), then applied, rejected or undone here by a person allowed to change the
obligations it affects. Each is one transaction. Every history row it writes names the person
and the effect, so undoing the effect reopens exactly what applying it closed."""

from django.db import transaction
from django.db.models import F, OuterRef, Q, Subquery
from django.utils import timezone

from obligations import amending, revisions
from obligations.extraction import ExtractionError
from obligations.extraction.amendments import AmendmentError
from obligations.importers import Cause, EffectError, check_revocation, reopen, sync_occurrences
from obligations.models import (
    Obligation,
    ObligationChange,
    Occurrence,
    Order,
    OrderEffect,
    StatusChange,
)
from obligations.permissions import acts_for, can_change, can_import
from obligations.tracking import change_conventions

__all__ = ["EffectError", "apply", "can_apply", "pending_for", "reject", "undo"]
State = OrderEffect.State
AMEND = OrderEffect.Kind.AMEND
CLOSED = (Occurrence.Status.NOT_REQUIRED, Occurrence.Status.UNMET)


def label(effect) -> str:
    """ "EO 13993 revokes EO 13768 as of 2021-01-20 (proposed change 4)": also the start of the
    note of each conventions change it makes, which is how undo finds them."""
    source, target = effect.source.short_name, effect.target.short_name
    verb = "amends" if effect.kind == AMEND else "revokes"
    return f"{source} {verb} {target} as of {effect.on or 'no date'} (proposed change {effect.pk})"


def pending_for(order):
    """The pending effects an order causes or receives."""
    effects = OrderEffect.objects.filter(Q(source=order) | Q(target=order), state=State.PENDING)
    return effects.select_related("source", "target").defer("source__text", "target__text")


def affected(effect):
    """The tracks it changes: those still open, and those it closed (what undoing reopens)."""
    touched = Q(status__in=Occurrence.PENDING) | Q(history__effect=effect)
    return Occurrence.objects.filter(obligation__order=effect.target).filter(touched).distinct()


def can_apply(user, effect) -> bool:
    """An admin, or a user who acts for every track it affects: DHS staff may not end DOJ's
    track of a report both owe (when it affects none, only an admin: nobody else answers for
    what it does)."""
    if user.is_superuser:
        return True
    if effect.kind == AMEND:  # a new text of the target: who may import decides (revisions.py)
        return can_import(user)
    tracks = affected(effect).order_by()
    agencies = set(tracks.exclude(agency=None).values_list("agency_id", flat=True))
    shared = Obligation.objects.filter(occurrences__in=tracks.filter(agency=None)).distinct()
    if not agencies and not shared.exists():
        return False
    return all(acts_for(user, {agency}) for agency in agencies) and all(
        can_change(user, obligation) for obligation in shared
    )


def apply(effect, *, by, note=""):
    """Revoke the target as of the effect's date: its series end there, the due dates passed and
    never met are unmet, the later ones not required. `note` says how it was applied."""
    with transaction.atomic():
        effect = _locked(effect, State.PENDING, "applied")
        if effect.kind == AMEND:
            return _amend(effect, by, note)
        target, on = effect.target, effect.on
        if on is None:
            raise EffectError(f"{label(effect)} has no date: import the order with its date")
        check_revocation(effect.source, target, on)
        if target.revoked_on:
            raise EffectError(f"{target.short_name} is already revoked ({target.revoked_on})")
        _revoke(target, on, effect.source)
        why = f"{label(effect)}{'; ' + note if note else ''}"
        cause = Cause(by=by, effect=effect, note=f"({why}.)")
        for obligation in target.obligations.all():
            _end_series(obligation, on, by, effect, why)
            sync_occurrences(obligation, cause=cause)
        _decide(effect, State.APPLIED, by)


def reject(effect, *, by, note=""):
    with transaction.atomic():
        effect = _locked(effect, State.PENDING, "rejected")
        if effect.version_id:
            revisions.reject(effect.version, by=by, note=note)  # decides the effect too
        else:
            _decide(effect, State.REJECTED, by, note)


def _amend(effect, by, note):
    """Apply the target's text as the amendment makes it (revisions.apply decides the effect)."""
    if not effect.version_id:
        raise EffectError(f"{label(effect)} has no text to apply: {effect.note or 'not made'}")
    try:
        version = amending.rebase(effect)
    except (AmendmentError, ExtractionError) as error:
        raise EffectError(
            f"{label(effect)} cannot be carried out on the current text: {error}"
        ) from None
    why = label(effect) + (f"; {note}" if note else "")
    revisions.apply(version, by=by, note=why)


def undo(effect, *, by, note=""):
    """Clear the revocation and reopen exactly the due dates it closed that nobody changed
    since, each back to the status it had; series it ended run again."""
    with transaction.atomic():
        effect = _locked(effect, State.APPLIED, "undone")
        if effect.kind == AMEND:
            raise EffectError(f"{label(effect)} changed the text: a later text changes it back")
        target = effect.target
        _revoke(target, None, None)
        why = f"Undone: {label(effect)}{'; ' + note if note else ''}"
        cause = Cause(by=by, effect=effect, note=f"({why}.)")
        for closing in _closings(effect):
            reopen(closing.occurrence, closing, cause)
        for change in ObligationChange.objects.filter(
            obligation__order=target, note__startswith=label(effect)
        ).select_related("obligation"):
            _restore_end(change, by, effect, why)
        for obligation in target.obligations.all():
            sync_occurrences(obligation, cause=cause)
        _decide(effect, State.UNDONE, by, note)


def _locked(effect, state, verb):
    """The effect, locked until the transaction ends, if it is (still) in `state`."""
    effect = OrderEffect.objects.select_for_update().get(pk=effect.pk)
    if effect.state != state:
        raise EffectError(f"{label(effect)} is {effect.state}: only a {state} one can be {verb}")
    return effect


def _decide(effect, state, by, note=""):
    effect.state, effect.decided_by, effect.decided_at = state, by, timezone.now()
    effect.note = note or effect.note
    effect.save(update_fields=["state", "decided_by", "decided_at", "note"])


def _revoke(target, on, source):
    """Set (or clear) the revocation, on the row and on the instance its obligations read."""
    Order.objects.filter(pk=target.pk).update(
        revoked_on=on, revoked_by=source, updated=timezone.now()
    )  # update() skips auto_now: the data version moves by hand
    target.revoked_on, target.revoked_by = on, source


def _end_series(obligation, on, by, effect, why):
    """A recurring series ends at the revocation, through its conventions (kept in their
    history), unless it already ends earlier."""
    conventions = obligation.get_conventions()
    if obligation.kind != "recurring" or (conventions.end and conventions.end <= on):
        return
    new = {**conventions.to_dict(), "end": on.isoformat()}
    change_conventions(obligation, new, by=by, note=why, effect=effect)


def _restore_end(change, by, effect, why):
    """Give a series back the end it had before `change` (the effect's), unless its
    conventions changed since: a person's later decision stands."""
    obligation = change.obligation
    conventions = obligation.get_conventions().to_dict()
    if conventions.get("end") != change.new.get("end"):
        return
    old = {**conventions, "end": change.old.get("end")}
    change_conventions(obligation, old, by=by, note=why, effect=effect)


def _closings(effect):
    """The history rows with which the effect closed occurrences, where nothing came after."""
    latest = StatusChange.objects.filter(occurrence=OuterRef("occurrence")).order_by("-at", "-id")
    return (
        StatusChange.objects.filter(effect=effect, to_status__in=CLOSED)
        .annotate(latest=Subquery(latest.values("id")[:1]))
        .filter(id=F("latest"))
        .select_related("occurrence__obligation__order")
    )
