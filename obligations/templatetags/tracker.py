"""Small template helpers of the dashboard."""

from datetime import date

from django import template
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.safestring import mark_safe

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


@register.filter
def shorten(text: str, limit: int = 160) -> str:
    """At most `limit` characters, cut at a word with "…" (never mid-word, never silently)."""
    text = " ".join(str(text or "").split())
    if len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:") + "…"


@register.simple_tag(takes_context=True)
def sort_link(context, key: str, label: str):
    """A column's sort link: ascending first, then descending; the current one says which."""
    current = context["request"].GET.get("sort", "order")
    descending = current == key
    href = with_params(context, sort=f"-{key}" if descending else key, page=None)
    arrow = " ↑" if current == key else " ↓" if current == f"-{key}" else ""
    name = f"{label}, {'descending' if descending else 'ascending'}"
    aria = ' aria-current="true"' if arrow else ""
    return format_html('<a href="{}" aria-label="Sort by {}"{}>{}{}</a>', href, name,
                       mark_safe(aria), label, arrow)  # fmt: skip
