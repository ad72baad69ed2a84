"""Recording progress on an occurrence: the one path every view and command takes."""

from django.db import transaction

from obligations.importers import sync_occurrences


def record_progress(occurrence, status, *, by=None, note="", **fields):
    """Change the status (with dates, links, notes) and recompute the obligations that count
    from this one ("within 30 days of the completion of the review"), in one transaction."""
    with transaction.atomic():
        occurrence.change_status(status, by=by, note=note, **fields)
        for dependent in occurrence.obligation.dependents.all():
            sync_occurrences(dependent)
