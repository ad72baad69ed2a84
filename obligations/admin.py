from django.contrib import admin
from django.db import models
from django.db.models import Count, Q

from obligations.models import (
    Agency,
    ApiToken,
    Feed,
    Follow,
    Obligation,
    ObligationChange,
    Occurrence,
    Order,
    OrderVersion,
    Reminder,
    ReminderPreference,
    StatusChange,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """For rows only the application writes: visible, never edited here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["name", "abbreviation", "parent", "group"]
    list_filter = [("parent", admin.RelatedOnlyFieldListFilter)]  # departments with components
    search_fields = ["name", "abbreviation"]
    autocomplete_fields = ["parent"]
    list_select_related = ["parent", "group"]


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = ["number", "title", "kind", "signed", "effective", "revoked_on"]
    list_filter = ["kind"]
    search_fields = ["number", "title", "citation"]
    # A new text is a new version (revisions.py), reviewed and applied, never edited in place.
    readonly_fields = ["text", "text_sha256", "imported_at", "revoked_by", "implements_numbers"]


class UnresolvedFilter(admin.SimpleListFilter):
    """Obligations with an actor that names no agency of the table (issue 15), for review."""

    title = "actors"
    parameter_name = "unresolved"

    def lookups(self, request, model_admin):
        return [("yes", "naming no known agency"), ("no", "all resolved")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.unresolved()
        if self.value() == "no":
            return queryset.filter(unresolved_actors=[])
        return queryset


@admin.register(Obligation)
class ObligationAdmin(admin.ModelAdmin):
    list_display = ["order", "section", "kind", "action", "actor_list", "review_state"]
    list_filter = ["order", "review_state", UnresolvedFilter, "agencies"]
    search_fields = ["section", "action", "quote"]
    list_select_related = ["order"]
    # The conventions change only through the dashboard's form, which keeps the history and
    # records what the change closes or reopens; the rule comes from the order's text.
    # Its text's version, withdrawal and corrections come from applying texts (revisions.py).
    readonly_fields = [
        "key", "span_start", "span_end", "rule", "conventions", "created", "updated", "version",
        "source_key", "corrections", "withdrawn_by", "withdrawn_on", "cites", "unresolved_actors",
    ]  # fmt: skip

    @admin.display(description="actors")
    def actor_list(self, obj):
        return "; ".join(obj.actors)


class HistoryInline(admin.TabularInline):
    model = StatusChange
    extra = 0
    can_delete = False
    readonly_fields = ["at", "by", "from_status", "to_status", "note"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Occurrence)
class OccurrenceAdmin(admin.ModelAdmin):
    list_display = ["obligation", "due", "status", "submitted_on", "verified_on"]
    list_filter = ["status", "obligation__order"]
    date_hierarchy = "due"
    search_fields = ["obligation__action", "obligation__section", "explanation"]
    list_select_related = ["obligation__order"]
    # Due dates come from the schedule, statuses and their dates from the dashboard's forms
    # (waiving cites an authority there): each change goes through a path that writes history.
    readonly_fields = [
        "obligation", "agency", "sequence", "due", "period_start", "period_end", "status",
        "version", "explanation", "updated_at", *Occurrence.TRACKED,
    ]  # fmt: skip
    inlines = [HistoryInline]

    def has_add_permission(self, request):
        return False  # occurrences come from the schedule (importers.sync_occurrences)

    def has_delete_permission(self, request, obj=None):
        return False  # an occurrence is closed as waived or not required, never deleted


@admin.register(OrderVersion)
class OrderVersionAdmin(ReadOnlyAdmin):
    """Every text an order was imported from: decided on the dashboard (revisions.py)."""

    list_display = ["order", "number", "state", "imported_at", "imported_by", "caused_by"]
    list_filter = ["state"]
    list_select_related = ["order", "imported_by", "caused_by"]


@admin.register(StatusChange)
class StatusChangeAdmin(ReadOnlyAdmin):
    """The audit history: read-only, append-only."""

    list_display = ["occurrence", "at", "by", "from_status", "to_status"]
    list_select_related = ["occurrence__obligation", "by"]


@admin.register(ObligationChange)
class ObligationChangeAdmin(ReadOnlyAdmin):
    """Changes to how an obligation's dates are counted: append-only."""

    list_display = ["obligation", "field", "at", "by"]
    list_select_related = ["obligation", "by"]


@admin.register(Reminder)
class ReminderAdmin(ReadOnlyAdmin):
    """What was sent, what waits, what failed: written only by obligations.reminders."""

    list_display = ["occurrence", "user", "kind", "state", "attempts", "send_after", "sent_at"]
    list_filter = ["state", "kind"]
    list_select_related = ["occurrence__obligation", "user"]
    search_fields = ["user__email", "last_error"]


@admin.register(Feed)
class FeedAdmin(admin.ModelAdmin):
    """Feeds are made by their users (the token is shown to them once); admins may revoke."""

    list_display = ["name", "user", "created", "revoked_at"]
    list_filter = ["revoked_at"]
    readonly_fields = ["user", "token_hash", "created", "updated"]

    def has_add_permission(self, request):
        return False


admin.site.register(ReminderPreference)
admin.site.register(Follow)


# Imported here, not above, so that this block merges cleanly with concurrent edits of the
# classes above; fold it into the import list at the top once they have landed.
from obligations.models import Evidence


@admin.register(Evidence)
class EvidenceAdmin(ReadOnlyAdmin):
    """Attached files: written only by obligations.evidence.attach, never replaced or deleted."""

    list_display = ["name", "occurrence", "purpose", "size", "short_sha256", "by", "at", "public"]
    list_filter = ["purpose", "public"]
    list_select_related = ["occurrence__obligation__order", "by"]
    search_fields = ["name", "sha256", "note"]

    @admin.display(description="SHA-256")
    def short_sha256(self, obj):
        return obj.sha256[:12]


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    """Who has API tokens and when they were used; the hash is never shown (nor the token,
    which is not stored). A person revokes their own on the API tokens page."""

    list_display = ["name", "user", "prefix", "created", "last_used_at", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["name", "user__username", "prefix"]
    list_select_related = ["user"]
    fields = ["name", "user", "prefix", "created", "last_used_at", "revoked_at"]


# Outgoing webhooks (obligations/webhooks.py). Imported here, like Evidence above, so that this
# block merges cleanly with concurrent edits of the import list.
from obligations import webhook_delivery, webhooks
from obligations.models import Webhook, WebhookDelivery, new_webhook_secret


@admin.register(Webhook)
class WebhookAdmin(admin.ModelAdmin):
    """The secret is made with the webhook and shown here, for the admin to give the receiver;
    "new secret" replaces it (the receiver must then take the new one)."""

    list_display = ["url", "agency", "order", "active", "created", "pending", "failed"]
    list_filter = ["active", ("agency", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["url"]
    autocomplete_fields = ["agency", "order"]
    list_select_related = ["agency", "order"]
    readonly_fields = ["secret", "created"]
    actions = ["send_test_event", "new_secret"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}  # a bare host: https

    def get_queryset(self, request):
        waiting = Count("deliveries", filter=Q(deliveries__next_attempt_at__isnull=False))
        given_up = Count(
            "deliveries", filter=Q(deliveries__next_attempt_at=None, deliveries__delivered_at=None)
        )
        return super().get_queryset(request).annotate(n_waiting=waiting, n_given_up=given_up)

    @admin.display(description="waiting", ordering="n_waiting")
    def pending(self, obj):
        return obj.n_waiting

    @admin.display(description="given up", ordering="n_given_up")
    def failed(self, obj):
        return obj.n_given_up

    @admin.action(description="Send a test event (ping)", permissions=["change"])
    def send_test_event(self, request, queryset):
        for hook in queryset:
            webhooks.ping(hook)
        self.message_user(request, f"{queryset.count()} test event(s) queued; see the log.")

    @admin.action(
        description="Make a new secret (the receiver must take it)", permissions=["change"]
    )
    def new_secret(self, request, queryset):
        for hook in queryset:
            hook.secret = new_webhook_secret()
            hook.save(update_fields=["secret"])
        self.message_user(request, "New secrets made: open each webhook to read its secret.")


class DeliveryStateFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("pending", "waiting"), ("delivered", "delivered"), ("failed", "given up")]

    def queryset(self, request, queryset):
        if self.value() == "pending":
            return queryset.exclude(next_attempt_at=None)
        if self.value() == "delivered":
            return queryset.filter(next_attempt_at=None).exclude(delivered_at=None)
        if self.value() == "failed":
            return queryset.filter(next_attempt_at=None, delivered_at=None)
        return queryset


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdmin):
    """The delivery log: written only by obligations/webhook_delivery.py. "Send again" makes the
    chosen deliveries due now (one more attempt for those given up), same delivery id."""

    list_display = ["delivery_id", "webhook", "event", "state", "attempts", "last_status_code",
                    "last_error", "next_attempt_at", "delivered_at", "created"]  # fmt: skip
    list_filter = [DeliveryStateFilter, "event", ("webhook", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["webhook__agency", "webhook__order"]
    search_fields = ["delivery_id", "last_error"]
    date_hierarchy = "created"
    actions = ["send_again"]

    @admin.display(description="state")
    def state(self, obj):
        return obj.state

    def has_send_permission(self, request):
        return request.user.has_perm("obligations.change_webhook")

    @admin.action(description="Send again", permissions=["send"])
    def send_again(self, request, queryset):
        n = webhook_delivery.send_again(queryset)
        self.message_user(request, f"{n} deliver{'y' if n == 1 else 'ies'} due again now.")
