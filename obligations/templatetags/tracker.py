"""Small template helpers of the dashboard."""

from datetime import date

from django import template
from django.conf import settings
from django.urls import reverse
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
    """A USWDS tag coloured by status (app.css); the status is always written in it too."""
    return f"usa-tag status status-{status}"


@register.simple_tag
def status_tag(status: str, due: date | None = None, day: date | None = None, closed=None):
    """The status as a tag; a pending one past its due date is a red "overdue" tag and an unmet
    one a red "unmet" tag, each with how many days late (to `closed` for an unmet one)."""
    late = ""
    if status in ("open", "in_progress") and due and day and due < day:
        status, late = "overdue", days_from(due, day)
    elif status == "unmet" and due and (closed or day):
        end = closed or day
        late = days_from(due, end) if due < end else ""
    words = status.replace("_", " ")
    if late:
        return format_html('<span class="{}">{} · {}</span>', status_class(status), words, late)
    return format_html('<span class="{}">{}</span>', status_class(status), words)


# The primary navigation: (label, url name, keeps "as of", names of the pages of its section).
NAV = [
    ("Obligations", "obligation_list", True, {"obligation_detail", "occurrence_detail"}),
    ("Orders", "order_list", True, {"order_detail", "timeline", "version_detail"}),
    ("Calendar", "calendar", True, set()),
    ("Feeds", "feed_list", False, set()),
    ("Reminders", "reminder_preferences", False, set()),
    ("Proposed changes", "effect_list", False, set()),
    ("Import", "import_order", False, {"import_order"}),
]


@register.simple_tag(takes_context=True)
def nav_items(context) -> list[dict]:
    """The items of the primary navigation for this user, the current section marked:
    aria-current="page" on its own page, "true" on the pages inside it."""
    request = context["request"]
    match = getattr(request, "resolver_match", None)
    here = match.url_name if match else None
    user = context.get("user")
    items = []
    if user is not None and user.is_authenticated:
        as_of = keep_as_of(context)
        for label, name, keeps, inside in NAV:
            if name == "import_order" and not user.has_perm("obligations.add_order"):
                continue
            current = "page" if here == name else "true" if here in inside else ""
            items.append({"label": label, "url": reverse(name) + (as_of if keeps else ""),
                          "current": current})  # fmt: skip
    if settings.PUBLIC_SITE:
        current = "page" if here == "public_home" else "true" if here and here.startswith(
            "public_") else ""  # fmt: skip
        items.append({"label": "Public record", "url": reverse("public_home"), "current": current})
    if user is not None and user.is_staff:
        items.append({"label": "Admin", "url": reverse("admin:index"), "current": ""})
    return items


@register.filter
def alert_type(message) -> str:
    """The USWDS alert variant of a Django message level (debug and info are both "info")."""
    tags = message.level_tag
    return tags if tags in ("success", "warning", "error") else "info"


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


@register.filter
def page_numbers(page) -> list[int | None]:
    """The page numbers a pagination bar offers around `page`: the first and last, the current
    one and its neighbours (Django's elided range); None stands for the pages left out."""
    paginator = page.paginator
    numbers = paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1)
    return [None if n == paginator.ELLIPSIS else n for n in numbers]


# The USWDS class of each kind of form control.
WIDGET_CLASSES = {"select": "usa-select", "selectmultiple": "usa-select usa-select--multiple",
                  "textarea": "usa-textarea", "checkbox": "usa-checkbox__input",
                  # a plain file control: USWDS's usa-file-input script rebuilds it in the page
                  "clearablefile": "file-input", "file": "file-input"}  # fmt: skip


@register.filter
def is_checkbox(field) -> bool:
    return getattr(field.field.widget, "input_type", "") == "checkbox"


@register.filter
def usa_widget(field):
    """A form field's control with its USWDS class, tied to its hint and errors for screen
    readers (aria-describedby), and marked invalid when it has errors."""
    widget = field.field.widget
    kind = type(widget).__name__.lower().removesuffix("input").removesuffix("widget")
    css = WIDGET_CLASSES.get(kind, "usa-input")
    attrs = {"class": " ".join(filter(None, [widget.attrs.get("class"), css]))}
    described = []
    if field.help_text:
        described.append(f"{field.auto_id}-hint")
    if field.errors:
        described.append(f"{field.auto_id}-error")
        attrs["aria-invalid"] = "true"
        attrs["class"] += " usa-input--error" if css == "usa-input" else ""
    if described:
        attrs["aria-describedby"] = " ".join(described)
    return field.as_widget(attrs=attrs)
