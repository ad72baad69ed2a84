"""Small template helpers of the dashboard."""

from datetime import date

from django import template
from django.utils.http import urlencode

from obligations import tracks

register = template.Library()


@register.filter
def days_from(due: date, day: date) -> str:
    """'3 days late', 'due today', '12 days left' as seen on `day`."""
    if not due or not day:
        return ""
    delta = (due - day).days
    if delta == 0:
        return "due today"
    unit = "day" if abs(delta) == 1 else "days"
    return f"{-delta} {unit} late" if delta < 0 else f"{delta} {unit} left"


@register.simple_tag(takes_context=True)
def with_params(context, **changes) -> str:
    """The current query string with some parameters changed (None removes one)."""
    params = context["request"].GET.copy()
    for key, value in changes.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = value
    return "?" + urlencode(sorted(params.lists()), doseq=True) if params else "?"


@register.simple_tag(takes_context=True)
def keep_as_of(context) -> str:
    """'?as_of=...' to carry the chosen date onto links to other pages."""
    raw = context["request"].GET.get("as_of")
    return "?" + urlencode({"as_of": raw}) if raw else ""


@register.filter
def status_class(status: str) -> str:
    return f"status status-{status}"


@register.filter
def tracks_summary(occurrences) -> str:
    """ "1 of 2 agencies submitted" for the tracks of one due date."""
    return tracks.summary(o.status for o in occurrences)


@register.filter
def track_label(occurrence) -> str:
    """Whose track an occurrence is: "DHS", or "shared" when its agencies deliver together."""
    agency = occurrence.agency
    return (agency.abbreviation or agency.name) if agency else "shared"
