"""Recording progress on an occurrence: the one path every view and command takes."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from obligations import clock, permissions, series
from obligations.importers import Cause, ImportResult, sync_occurrences
from obligations.models import Conflict, ObligationChange, Occurrence
from obligations.schedule import Conventions


def record_progress(occurrence, status, *, by=None, note="", expected_version=None, **fields):
    """The one path a person's status change takes (pages, commands): on the row locked as it
    is now, check who may make it and that its dates can be true, apply it with its history
    row, and recompute the obligations that count from this one ("within 30 days of the
    completion of the review"), in one transaction. Raises Conflict (changed since
    `expected_version`), PermissionDenied or ValidationError, and then writes nothing."""
    Occurrence.check_fields(fields)
    with transaction.atomic():
        current = Occurrence.objects.select_for_update().select_related("obligation__order")
        current = current.defer("obligation__order__text").get(pk=occurrence.pk)
        if expected_version is not None and current.version != expected_version:
            raise Conflict(current, expected_version)
        if by is not None:
            _check_duties(by, current, status, fields)
        check_progress(current, status, fields, clock.today())
        occurrence.change_status(status, by=by, note=note, **fields)
        for dependent in occurrence.obligation.dependents.all():
            sync_occurrences(dependent)


def _check_duties(user, occurrence, status, fields):
    held = permissions.duties(user, occurrence)
    if not permissions.may_set_status(held, occurrence.status, status):
        raise PermissionDenied(
            f"You may not change this track from {occurrence.get_status_display()} to "
            f"{Occurrence.Status(status).label}."
        )
    # Only the fields a person sets count: a status below clears the dates above by itself.
    changed = {name for name, value in fields.items() if value != getattr(occurrence, name)}
    refused = changed - permissions.editable_fields(held) - {"notes"}
    if refused:
        raise PermissionDenied(f"You may not set {', '.join(sorted(refused))} on this track.")


DATE_LABELS = {
    "submitted_on": "submitted", "published_on": "published", "verified_on": "verified",
    "closed_on": "closed",
}  # fmt: skip


def check_progress(occurrence, status, fields, today):
    """The dates a status change may carry: not before the order was signed, not after today,
    verified after submitted; and what each status needs (a date; for verified a source, for
    a waiver the authority cited). Raises ValidationError by field."""
    value = {name: fields.get(name, getattr(occurrence, name)) for name in Occurrence.TRACKED}
    errors = {}
    signed = occurrence.obligation.order.signed
    for name, label in DATE_LABELS.items():
        day = value[name]
        if day and signed and day < signed:
            errors[name] = f"It cannot be {label} before the order was signed ({signed})."
        elif day and day > today:
            errors[name] = f"It cannot be {label} after today ({today})."
    for name, message in _missing(occurrence, status, value):
        errors.setdefault(name, message)
    submitted = value["submitted_on"]
    for name in ("verified_on", "published_on"):
        if value[name] and submitted and value[name] < submitted and status != "open":
            label = DATE_LABELS[name]
            errors.setdefault(name, f"It cannot be {label} before it was submitted ({submitted}).")
    if errors:
        raise ValidationError(errors)


def _missing(occurrence, status, value):
    S = Occurrence.Status
    if status in (S.SUBMITTED, S.VERIFIED) and not value["submitted_on"]:
        yield "submitted_on", "Give the date it was submitted."
    if status == S.VERIFIED:
        if not value["verified_on"]:
            yield "verified_on", "Give the date it was verified."
        if not value["verification_url"] and not _has_file(occurrence, "verification"):
            yield "verification_url", "Cite the source of the verification (a link or a file)."
    if status in (S.WAIVED, S.NOT_REQUIRED):
        if not value["closed_on"]:
            yield "closed_on", "Give the date of the decision."
        if not value["authority"].strip():
            yield "authority", "Cite the authority for it."
        if not value["authority_url"] and not _has_file(occurrence, "authority"):
            yield "authority_url", "Link to the authority or attach it as a file."


def _has_file(occurrence, purpose) -> bool:
    return occurrence.evidence.filter(purpose=purpose).exists()


def change_conventions(obligation, conventions: dict, *, by=None, note="", effect=None) -> int:
    """Save how the obligation's dates are counted, keep the change in its history, and
    recompute its pending occurrences. Returns how many due dates moved or appeared.

    The occurrences it closes or reopens name `by` and the change (and `effect`, the order
    effect that made it, if any): a later change that brings their due dates back reopens
    them."""
    new = Conventions.from_dict(conventions).to_dict()
    old = obligation.get_conventions().to_dict()
    if new == old:
        return 0
    with transaction.atomic():
        change = ObligationChange.objects.create(
            obligation=obligation, by=by, field="conventions", old=old, new=new, note=note
        )
        obligation.conventions = new
        obligation.save(update_fields=["conventions", "updated"])
        result = ImportResult(obligation.order)
        why = f"(Cause: the conventions changed{': ' + note if note else ''}.)"
        cause = Cause(by=by, obligation_change=change, effect=effect, note=why)
        sync_occurrences(obligation, result, cause=cause)
    return result.counts["occurrences_updated"] + result.counts["occurrences_created"]


def change_series(obligation, change: dict, *, by=None, note="") -> int:
    """Suspend, resume or re-cadence a series from a date, on a cited authority (series.py):
    kept in the obligation's history; the due dates from that day follow the change, each
    occurrence it closes or reopens naming it. Raises SeriesError, and then writes nothing."""
    with transaction.atomic():
        obligation = type(obligation).objects.select_for_update().get(pk=obligation.pk)
        if obligation.kind != "recurring":
            raise series.SeriesError("only a recurring series can be suspended or re-cadenced")
        series.check(change, obligation.series_changes(), obligation.order.signed)
        stored = {k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in change.items()}
        record = ObligationChange.objects.create(
            obligation=obligation, by=by, field="series", old=None, new=stored, note=note
        )
        obligation.save(update_fields=["updated"])  # the data version moves (versions.py)
        result = ImportResult(obligation.order)
        why = f"(Cause: series {change['action']} from {stored['on']}: {change['authority']}.)"
        cause = Cause(by=by, obligation_change=record, note=why, closed_on=change["on"])
        sync_occurrences(obligation, result, cause=cause)
    counts = result.counts
    return (
        counts["occurrences_created"]
        + counts["occurrences_updated"]
        + counts["marked_not_required"]
    )
