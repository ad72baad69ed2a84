"""What every dashboard page shares: the "as of" date, the occurrence rows, cached parts."""

import hashlib
from datetime import date

from django.contrib import messages
from django.core.cache import cache
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from obligations import clock
from obligations.models import Occurrence
from obligations.schedule import out_of_range
from obligations.versions import data_version

PART_SECONDS = 600  # bounds the memory a part holds; the data version, not time, keeps it fresh


def as_of(request) -> date:
    """The day the pages show things as they stood on (?as_of=YYYY-MM-DD); default today."""
    raw = request.GET.get("as_of", "").strip()
    if not raw:
        return clock.today()
    today = clock.today()
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        messages.warning(request, f"“{raw[:40]}” is not a date (YYYY-MM-DD); showing today.")
        return today
    reason = out_of_range(day, today)
    if reason:  # 9999-12-31 + 30 days is no date: the pages' arithmetic would fail
        messages.warning(request, f"{reason}; showing today.")
        return today
    return day


def existing_on(queryset, day: date, order="obligation__order__"):
    """Leave out what belongs to orders not signed by `day` (an order without a signing date:
    not imported by then). From today on nothing is left out, as in OccurrenceQuerySet.as_of:
    the default view stays a plain read of the indexes."""
    if day >= clock.today():
        return queryset
    signed = Q(**{f"{order}signed__lte": day})
    imported = Q(**{f"{order}signed": None, f"{order}imported_at__date__lte": day})
    return queryset.filter(signed | imported)


def occurrence_rows(day: date):
    """Occurrences with what a row shows (order, section, action, actors), status as of `day`."""
    return existing_on(
        Occurrence.objects.as_of(day)
        .select_related("obligation__order", "agency")
        .defer("obligation__order__text", "obligation__quote", "explanation"),
        day,
    )


def cached_part(request, template: str, build, *, per_person=False, vary=()) -> str:
    """The HTML of a costly part of a page, rendered once per data version.

    The key holds all the part depends on: the URL with its query (filters, page, as-of date),
    today, the data version, and the person when the part depends on who asks (`per_person`),
    or what of the person it depends on (`vary`: the home page's agencies, which a change of
    groups moves without moving the data version).
    `build()` makes the part's context and runs only when the part is not cached. The part is
    rendered without context processors, so it holds nothing of the session (no CSRF token, no
    messages, no user): only `request`, for its links."""
    person = request.user.pk if per_person else None
    if not hasattr(request, "data_version"):  # read once per request, however many parts
        request.data_version = data_version()
    key = (template, request.get_full_path(), person, tuple(vary), clock.today(),
           request.data_version)  # fmt: skip
    key = repr(key)
    key = "part:" + hashlib.sha256(key.encode()).hexdigest()
    html = cache.get(key)
    request.part_cache = [*getattr(request, "part_cache", []), "miss" if html is None else "hit"]
    if html is None:
        html = render_to_string(template, {"request": request, **build()})
        cache.set(key, html, PART_SECONDS)
    return mark_safe(html)  # rendered by our templates, which escape what they show
