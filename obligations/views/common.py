"""What every dashboard page shares: the "as of" date and the occurrence rows."""

from datetime import date

from django.contrib import messages

from obligations import clock
from obligations.models import Occurrence


def as_of(request) -> date:
    """The day the pages show things as they stood on (?as_of=YYYY-MM-DD); default today."""
    raw = request.GET.get("as_of", "").strip()
    if not raw:
        return clock.today()
    try:
        return date.fromisoformat(raw)
    except ValueError:
        messages.warning(request, f"“{raw[:40]}” is not a date (YYYY-MM-DD); showing today.")
        return clock.today()


def occurrence_rows(day: date):
    """Occurrences with what a row shows (order, section, action, actors), status as of `day`."""
    return (
        Occurrence.objects.as_of(day)
        .select_related("obligation__order")
        .defer("obligation__order__text", "obligation__quote", "explanation")
    )
