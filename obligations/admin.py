from django.contrib import admin
from django.utils import timezone

from obligations.models import (
    Agency,
    Feed,
    Follow,
    Obligation,
    ObligationChange,
    Occurrence,
    Order,
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
    readonly_fields = ["text_sha256", "imported_at", "revoked_by"]


@admin.register(Obligation)
class ObligationAdmin(admin.ModelAdmin):
    list_display = ["order", "section", "kind", "action", "actor_list", "review_state"]
    list_filter = ["order", "review_state", "agencies"]
    search_fields = ["section", "action", "quote"]
    list_select_related = ["order"]
    readonly_fields = ["key", "span_start", "span_end", "created", "updated"]

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
    # Status and its dates change only through tracked paths (the dashboard's form, the action
    # below), each of which writes one history row.
    readonly_fields = ["status", "version", "explanation", "updated_at", *Occurrence.TRACKED]
    inlines = [HistoryInline]
    actions = ["mark_waived"]

    def has_delete_permission(self, request, obj=None):
        return False  # an occurrence is closed as waived or not required, never deleted

    def save_model(self, request, obj, form, change):
        """A due date moved here is a change feeds and cached pages must see."""
        if change and form.changed_data:
            obj.version += int("due" in form.changed_data)
            obj.updated_at = timezone.now()
        super().save_model(request, obj, form, change)

    @admin.action(description="Mark selected occurrences waived")
    def mark_waived(self, request, queryset):
        for occurrence in queryset:
            occurrence.change_status(Occurrence.Status.WAIVED, by=request.user, note="admin action")


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
