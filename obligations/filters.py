"""Filters of the obligations list (django-filter); the exports use the very same ones."""

from datetime import timedelta

import django_filters
from django import forms
from django.db import connection
from django.db.models import Exists, F, OuterRef, Q, Subquery

from obligations.models import Agency, Obligation, Occurrence, Order
from obligations.views.common import existing_on

KINDS = [("deadline", "deadline"), ("recurring", "recurring"), ("immediate", "immediate"),
         ("open", "open-ended")]  # fmt: skip
STATUSES = [("overdue", "overdue"), *Occurrence.Status.choices]
# Windows of still-pending due dates (the home page's sections link here with them). "new" and
# "backlog" split the overdue by their oldest missed due date, so an obligation is in one only.
NEWLY = 7  # days late that still count as news
WINDOWS = [
    ("week", "due in the next 7 days"),
    ("new", f"newly overdue (1 to {NEWLY} days late)"),
    ("backlog", f"overdue for more than {NEWLY} days"),
]
SORTS = {
    "order": ("order__signed", "order__number", "span_start"),
    "section": ("section", "order__signed"),
    "due": ("next_due", "order__signed", "span_start"),
    "kind": ("rule__kind", "order__signed", "span_start"),
}


class ObligationFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Search orders and obligations")
    order = django_filters.ModelChoiceFilter(
        queryset=Order.objects.only("id", "number", "title", "kind")
    )
    agency = django_filters.ModelChoiceFilter(field_name="agencies", queryset=Agency.objects.all())
    kind = django_filters.ChoiceFilter(field_name="rule__kind", choices=KINDS, label="Kind")
    section = django_filters.CharFilter(method="in_section", label="Section")
    status = django_filters.ChoiceFilter(choices=STATUSES, method="with_status", label="Status")
    due = django_filters.ChoiceFilter(choices=WINDOWS, method="due_in", label="Due")
    mine = django_filters.BooleanFilter(
        method="my_agency", label="My agency only", widget=forms.CheckboxInput
    )

    class Meta:
        model = Obligation
        fields = ["q", "order", "agency", "kind", "section", "status", "due"]

    def __init__(self, *args, day, user, **kwargs):
        self.day, self.user = day, user
        super().__init__(*args, **kwargs)

    def search(self, queryset, name, value):
        """Words in an obligation's quote, action or actors, or in its order's title or number:
        PostgreSQL's full-text search (stems, "websearch" syntax: "quarterly report" -ice),
        else every word as a substring."""
        if connection.vendor == "postgresql":
            from django.contrib.postgres.search import SearchQuery, SearchVector

            vector = SearchVector("quote", "action", "order__title", "order__number",
                                  config="english")  # fmt: skip
            query = SearchQuery(value[:200], search_type="websearch", config="english")
            return queryset.annotate(found=vector).filter(found=query)
        words = Q()
        for word in value.split()[:8]:
            words &= (
                Q(action__icontains=word) | Q(quote__icontains=word) | Q(actors__icontains=word)
                | Q(order__title__icontains=word) | Q(order__number=word)
            )  # fmt: skip
        return queryset.filter(words)

    def ignored(self) -> list[str]:
        """What the filters could not use, said in words ("“bogus” is not a kind"): an unknown
        value is dropped from the filtering, never silently."""
        if not self.is_bound:
            return []
        self.form.is_valid()
        return [
            f"“{self.data.get(name, '')[:60]}” is not a known {self.filters[name].label.lower()}:"
            " that filter was left out."
            for name in self.form.errors if name in self.filters
        ]  # fmt: skip

    def in_section(self, queryset, name, value):
        """ "9" matches 9, 9(a), 9(b)(i); "4.1" matches 4.1 and 4.1(a), not 4.10."""
        value = value.strip()
        return queryset.filter(Q(section=value) | Q(section__startswith=value + "("))

    def tracks(self):
        """The tracks the status and due filters look at, as of the day: with an agency chosen,
        that agency's own tracks and the shared ones, so that "DHS, open" lists what DHS has
        open, not what DOJ has open on an obligation DHS shares (the home page counts so)."""
        then = Occurrence.objects.as_of(self.day).filter(obligation=OuterRef("pk"))
        agency = self.form.cleaned_data.get("agency")  # (an unknown one was left out)
        if agency:
            then = then.filter(Q(agency=agency) | Q(agency=None))
        return then

    def with_status(self, queryset, name, value):
        then = self.tracks()
        if value == "overdue":
            then = then.pending_then().filter(due__lt=self.day)
        else:
            then = then.filter(status_then=value)
        return queryset.filter(Exists(then))

    def due_in(self, queryset, name, value):
        """A still-pending due date in the window; "new": overdue, but none overdue for more
        than NEWLY days (it became overdue this week); "backlog": one overdue for longer."""
        pending, day = self.tracks().pending_then(), self.day
        if value == "week":
            return queryset.filter(
                Exists(pending.filter(due__gte=day, due__lte=day + timedelta(days=7)))
            )
        old = Exists(pending.filter(due__lt=day - timedelta(days=NEWLY)))
        if value == "backlog":
            return queryset.filter(old)
        return queryset.filter(Exists(pending.filter(due__lt=day)), ~old)

    def my_agency(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(agencies__group__user=self.user).distinct()


def listed(day):
    """Obligations with what the list shows: the next due date as of `day`, and overdue count."""
    pending = (
        Occurrence.objects.as_of(day)
        .pending_then()
        .filter(obligation=OuterRef("pk"))
        .order_by("due")
    )
    overdue = pending.filter(due__lt=day)
    obligations = existing_on(Obligation.objects.all(), day, order="order__")
    return (
        obligations.select_related("order")
        .defer("order__text")
        .prefetch_related("agencies")
        .annotate(next_due=Subquery(pending.values("due")[:1]), late=Exists(overdue))
    )


def sort(queryset, key: str):
    """Order by a column of the list; rows without a date go last either way."""
    descending = key.startswith("-")
    fields = SORTS.get(key.lstrip("-"), SORTS["order"])
    terms = [F(f).desc(nulls_last=True) if descending else F(f).asc(nulls_last=True)
             for f in fields]  # fmt: skip
    return queryset.order_by(*terms)
