"""The API's endpoints. Reads: anyone signed in (a token, or a session) reads everything, as on
the pages (obligations/permissions.py), each list with the pages' filters and cursor pagination.
Progress: a token only, through tracking.record_progress (the page's one path)."""

from datetime import date

from django.core.exceptions import PermissionDenied
from django.db.models import F
from django.shortcuts import get_object_or_404
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response

from obligations import clock
from obligations.api import schema  # noqa: F401  (registers the token scheme in the schema)
from obligations.api.filters import ObligationApiFilter, OccurrenceFilter
from obligations.api.serializers import (
    ObligationDetailSerializer,
    ObligationSerializer,
    OccurrenceDetailSerializer,
    OccurrenceSerializer,
    OrderSerializer,
    ProgressSerializer,
)
from obligations.api.tokens import BearerTokenAuthentication
from obligations.filters import listed
from obligations.models import Occurrence, Order
from obligations.permissions import duties
from obligations.schedule import out_of_range
from obligations.tracking import record_progress
from obligations.views.common import existing_on

AS_OF = OpenApiParameter(
    "as_of", OpenApiTypes.DATE, description="Show things as they stood on this day (default today)."
)


class Cursor(CursorPagination):
    """Opaque `next` / `previous` links; by id, which never changes, so a walk through the rows
    sees each once even while rows are added."""

    ordering = "id"
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 500


class PageFilters(DjangoFilterBackend):
    """django-filter as DRF runs it (an invalid value: 400 naming the filter), given the day and
    the person the pages' FilterSets take."""

    def get_filterset_kwargs(self, request, queryset, view):
        return {**super().get_filterset_kwargs(request, queryset, view),
                "day": view.day(), "user": request.user}  # fmt: skip


class AsOf:
    """The `as_of` day of a read: today by default; a day that is not one is a 400 (the pages
    fall back to today with a warning, which an API client would not see)."""

    def day(self) -> date:
        if not hasattr(self, "_day"):
            self._day = parse_day(self.request.query_params.get("as_of", ""))
        return self._day

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "day": self.day()}


def parse_day(raw: str) -> date:
    today = clock.today()
    if not raw.strip():
        return today
    try:
        day = date.fromisoformat(raw.strip())
    except ValueError:
        raise ValidationError({"as_of": [f"“{raw[:40]}” is not a date (YYYY-MM-DD)."]}) from None
    reason = out_of_range(day, today)
    if reason:
        raise ValidationError({"as_of": [f"{reason}."]})
    return day


class ReadView(AsOf):
    throttle_scope = "api_read"


def orders(day):
    return existing_on(Order.objects.defer("text"), day, order="")


@extend_schema(parameters=[AS_OF])
class OrderList(ReadView, generics.ListAPIView):
    """Orders signed (or imported) by the day."""

    serializer_class = OrderSerializer
    pagination_class = Cursor

    def get_queryset(self):
        return orders(self.day())


@extend_schema(parameters=[AS_OF])
class OrderDetail(ReadView, generics.RetrieveAPIView):
    serializer_class = OrderSerializer

    def get_queryset(self):
        return orders(self.day())


@extend_schema(parameters=[AS_OF])
class ObligationList(ReadView, generics.ListAPIView):
    """Obligations with the obligation list page's filters, their next due date and whether
    one is overdue as of the day."""

    serializer_class = ObligationSerializer
    pagination_class = Cursor
    filter_backends = [PageFilters]
    filterset_class = ObligationApiFilter

    def get_queryset(self):
        return listed(self.day()).defer("quote")


@extend_schema(parameters=[AS_OF])
class ObligationDetail(ReadView, generics.RetrieveAPIView):
    serializer_class = ObligationDetailSerializer

    def get_queryset(self):
        return listed(self.day())


def tracks(day):
    # The order's id through the join; not the obligation's row, whose JSON fields cost more to
    # read than the rest of a page together.
    rows = Occurrence.objects.as_of(day).select_related("agency")
    return existing_on(rows.annotate(order_id=F("obligation__order_id")), day)


@extend_schema(parameters=[AS_OF])
class OccurrenceList(ReadView, generics.ListAPIView):
    """Tracks: one per agency and due date (a shared track has no agency), with the status as
    of the day."""

    serializer_class = OccurrenceSerializer
    pagination_class = Cursor
    filter_backends = [PageFilters]
    filterset_class = OccurrenceFilter

    def get_queryset(self):
        return tracks(self.day())


@extend_schema(parameters=[AS_OF])
class OccurrenceDetail(ReadView, generics.RetrieveAPIView):
    """One track, with its history (newest first)."""

    serializer_class = OccurrenceDetailSerializer

    def get_queryset(self):
        return tracks(self.day())


class Progress(generics.GenericAPIView):
    """Record progress on a track exactly as its page does: the same checks of who may make the
    move and set each field, of the dates, and the same history row, by the token's person."""

    authentication_classes = [BearerTokenAuthentication]  # never a session: no CSRF to forge
    serializer_class = ProgressSerializer
    throttle_scope = "api_write"
    queryset = Occurrence.objects.all()

    @extend_schema(
        request=ProgressSerializer,
        responses={
            200: OccurrenceDetailSerializer,
            400: OpenApiResponse(description="Field messages; nothing was changed."),
            401: OpenApiResponse(description="No token, or not a live one."),
            403: OpenApiResponse(description="The person's duties do not cover this change."),
            404: OpenApiResponse(description="No such track."),
            409: OpenApiResponse(description="The track moved past `expected_version`."),
        },
    )
    def post(self, request, pk):
        occurrence = get_object_or_404(
            Occurrence.objects.select_related("obligation__order", "agency").defer(
                "obligation__order__text"
            ),
            pk=pk,
        )
        if not duties(request.user, occurrence):  # before reading the body, as the page does
            raise PermissionDenied("Your agency does not answer for this track.")
        change = ProgressSerializer(data=request.data)
        change.is_valid(raise_exception=True)
        data = change.validated_data
        record_progress(
            occurrence, data["status"], by=request.user, note=data["note"],
            expected_version=data["expected_version"], **change.tracked_fields(occurrence),
        )  # fmt: skip
        today = clock.today()
        row = tracks(today).get(pk=pk)
        return Response(OccurrenceDetailSerializer(row, context={"request": request,
                                                                 "day": today}).data)  # fmt: skip
