"""Recording progress on an occurrence: the one path every view and command takes."""

from django.db import transaction

from obligations.importers import Cause, ImportResult, sync_occurrences
from obligations.models import ObligationChange
from obligations.schedule import Conventions


def record_progress(occurrence, status, *, by=None, note="", **fields):
    """Change the status (with dates, links, notes) and recompute the obligations that count
    from this one ("within 30 days of the completion of the review"), in one transaction."""
    with transaction.atomic():
        occurrence.change_status(status, by=by, note=note, **fields)
        for dependent in occurrence.obligation.dependents.all():
            sync_occurrences(dependent)


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
