"""The API's filters: the obligation list page's own FilterSet (obligations/filters.py) with a
due-date range, and the tracks' filters, whose agency and order mean what the calendar's do."""

import django_filters
from django.db.models import Q

from obligations.filters import ObligationFilter
from obligations.models import Agency, Obligation, Occurrence, Order

YES_NO = [("true", "true"), ("false", "false")]


class ObligationApiFilter(ObligationFilter):
    """The list page's filters (q, order, agency, kind, section, status, mine) and the next due
    date, as of the `as_of` day, on or after / on or before a date."""

    due_after = django_filters.DateFilter(
        field_name="next_due", lookup_expr="gte", label="Next due on or after (YYYY-MM-DD)"
    )
    due_before = django_filters.DateFilter(
        field_name="next_due", lookup_expr="lte", label="Next due on or before (YYYY-MM-DD)"
    )

    class Meta(ObligationFilter.Meta):
        fields = [*ObligationFilter.Meta.fields, "mine", "due_after", "due_before"]


class OccurrenceFilter(django_filters.FilterSet):
    """Tracks (one per agency and due date), their status as of the `as_of` day."""

    obligation = django_filters.ModelChoiceFilter(queryset=Obligation.objects.only("id"))
    order = django_filters.ModelChoiceFilter(
        field_name="obligation__order", queryset=Order.objects.only("id"), label="Order"
    )
    agency = django_filters.ModelChoiceFilter(
        queryset=Agency.objects.all(), method="for_agency",
        label="Agency: its own tracks and the shared tracks of its obligations",
    )  # fmt: skip
    status = django_filters.ChoiceFilter(
        choices=Occurrence.Status.choices, method="with_status", label="Status as of the day"
    )
    due_after = django_filters.DateFilter(
        field_name="due", lookup_expr="gte", label="Due on or after (YYYY-MM-DD)"
    )
    due_before = django_filters.DateFilter(
        field_name="due", lookup_expr="lte", label="Due on or before (YYYY-MM-DD)"
    )
    overdue = django_filters.ChoiceFilter(
        choices=YES_NO, method="late", label="Overdue as of the day: still pending after its due"
    )

    class Meta:
        model = Occurrence
        fields = ["obligation", "order", "agency", "status", "due_after", "due_before", "overdue"]

    def __init__(self, *args, day, user=None, **kwargs):
        self.day, self.user = day, user
        super().__init__(*args, **kwargs)

    def for_agency(self, queryset, name, agency):
        shared = Obligation.objects.filter(agencies=agency).values("pk")
        return queryset.filter(Q(agency=agency) | Q(agency=None, obligation__in=shared))

    def with_status(self, queryset, name, value):
        return queryset.filter(status_then=value)

    def late(self, queryset, name, value):
        overdue = Q(status_then__in=Occurrence.PENDING, due__lt=self.day)
        return queryset.filter(overdue) if value == "true" else queryset.exclude(overdue)
