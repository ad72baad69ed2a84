"""What the API returns, and the progress it takes. Field names are the models' own; a link to
the page a person would open goes with each row (`page`)."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from obligations.models import Agency, Obligation, Occurrence, Order, StatusChange


@extend_schema_field(OpenApiTypes.URI)
class PageLink(serializers.Field):
    """The row's page on the dashboard, as an absolute URL when there is a request."""

    def __init__(self, **kwargs):
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, obj):
        request = self.context.get("request")
        url = obj.get_absolute_url()
        return request.build_absolute_uri(url) if request else url


class AgencySerializer(serializers.ModelSerializer):
    class Meta:
        model = Agency
        fields = ["id", "name", "abbreviation"]


class OrderSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="short_name", read_only=True, help_text="EO 13768")
    page = PageLink()

    class Meta:
        model = Order
        fields = [
            "id", "name", "number", "title", "kind", "signed", "effective", "published",
            "revoked_on", "revoked_by", "revokes", "amends", "citation", "source",
            "document_number", "implements_numbers", "imported_at", "page",
        ]  # fmt: skip


class ObligationSerializer(serializers.ModelSerializer):
    title = serializers.CharField(read_only=True)
    kind = serializers.CharField(read_only=True)
    timing = serializers.SerializerMethodField(help_text="The timing rule in words.")
    agencies = AgencySerializer(many=True, read_only=True)
    next_due = serializers.DateField(
        read_only=True, allow_null=True, help_text="First due date still pending as of the day."
    )
    overdue = serializers.BooleanField(
        source="late", read_only=True, help_text="A due date passed and pending as of the day."
    )
    page = PageLink()

    class Meta:
        model = Obligation
        fields = [
            "id", "order", "key", "section", "title", "kind", "timing", "action", "actors",
            "agencies", "unresolved_actors", "rule", "conventions", "anchor_text", "depends_on",
            "review_state", "withdrawn_on", "next_due", "overdue", "page",
        ]  # fmt: skip

    def get_timing(self, obligation) -> str:
        return obligation.get_rule().describe()


class ObligationDetailSerializer(ObligationSerializer):
    class Meta(ObligationSerializer.Meta):
        fields = [*ObligationSerializer.Meta.fields, "quote", "cites"]


class OccurrenceSerializer(serializers.ModelSerializer):
    order = serializers.IntegerField(source="order_id", read_only=True)
    agency = AgencySerializer(read_only=True, allow_null=True, help_text="Empty: a shared track.")
    status_then = serializers.CharField(read_only=True, help_text="The status as of the day.")
    overdue = serializers.SerializerMethodField(help_text="Pending as of the day, past its due.")
    page = PageLink()

    class Meta:
        model = Occurrence
        fields = [
            "id", "obligation", "order", "agency", "sequence", "due", "period_start",
            "period_end", "explanation", "status", "status_then", "overdue", "submitted_on",
            "published_on", "evidence_url", "verified_on", "verification_url", "closed_on",
            "authority", "authority_url", "version", "updated_at", "page",
        ]  # fmt: skip

    def get_overdue(self, occurrence) -> bool:
        day = self.context["day"]
        return occurrence.status_then in Occurrence.PENDING and occurrence.due < day


class HistorySerializer(serializers.ModelSerializer):
    """A row of the track's history as its page shows it: who (empty: the system), the move,
    the fields set with it, the note."""

    by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = StatusChange
        fields = ["at", "by", "from_status", "to_status", "changes", "note", "version"]


class OccurrenceDetailSerializer(OccurrenceSerializer):
    history = serializers.SerializerMethodField(help_text="Newest first.")

    class Meta(OccurrenceSerializer.Meta):
        fields = [*OccurrenceSerializer.Meta.fields, "history"]

    def get_history(self, occurrence) -> list[dict]:
        rows = occurrence.history.select_related("by")
        return HistorySerializer(rows, many=True).data


class ProgressSerializer(serializers.Serializer):
    """A status change with its dates and links, as the track's page takes it. A field left out
    keeps its value; one the person's duties do not cover may not be changed (403). Dates and
    what each status needs are checked by tracking.check_progress, as on the page."""

    status = serializers.ChoiceField(choices=Occurrence.Status.choices)
    submitted_on = serializers.DateField(required=False, allow_null=True)
    published_on = serializers.DateField(required=False, allow_null=True)
    evidence_url = serializers.URLField(required=False, allow_blank=True, max_length=500)
    verified_on = serializers.DateField(required=False, allow_null=True)
    verification_url = serializers.URLField(required=False, allow_blank=True, max_length=500)
    closed_on = serializers.DateField(required=False, allow_null=True)
    authority = serializers.CharField(required=False, allow_blank=True, max_length=10_000)
    authority_url = serializers.URLField(required=False, allow_blank=True, max_length=500)
    note = serializers.CharField(required=False, allow_blank=True, max_length=10_000, default="")
    expected_version = serializers.IntegerField(
        min_value=0, help_text="The track's `version` the change was made from (409 if it moved)."
    )

    TRACKED = ["submitted_on", "published_on", "evidence_url", "verified_on", "verification_url",
               "closed_on", "authority", "authority_url"]  # fmt: skip

    def validate(self, data):
        unknown = sorted(set(self.initial_data) - set(self.fields))
        if unknown:  # a misspelt field would otherwise be dropped in silence
            raise serializers.ValidationError({name: ["Not a field of a change."]
                                               for name in unknown})  # fmt: skip
        return data

    def tracked_fields(self, occurrence) -> dict:
        """Every field the page's form posts: what was sent, else the track's current value."""
        data = self.validated_data
        return {name: data.get(name, getattr(occurrence, name)) for name in self.TRACKED}
