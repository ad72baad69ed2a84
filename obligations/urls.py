from django.urls import path, re_path

from obligations.api import pages as api_pages
from obligations.feeds import TOKEN_PATTERN
from obligations.views import (
    calendar,
    details,
    effects,
    evidence,
    feeds,
    home,
    imports,
    lists,
    opendata,
    public,
    reminders,
    revisions,
    scorecards,
)

urlpatterns = [
    path("", home.home, name="home"),
    path("healthz", home.health, name="health"),
    path("obligations/", lists.obligation_list, name="obligation_list"),
    path("obligations/<int:pk>/", details.obligation_detail, name="obligation_detail"),
    path("occurrences/<int:pk>/", details.occurrence_detail, name="occurrence_detail"),
    path("occurrences/<int:pk>/evidence/", evidence.evidence_upload, name="evidence_upload"),
    # The file's name ends the address so a saved download keeps it; it must match the row's.
    path("evidence/<int:pk>/<str:name>", evidence.evidence_download, name="evidence_download"),
    path("orders/", lists.order_list, name="order_list"),
    path("orders/<int:pk>/", details.order_detail, name="order_detail"),
    path("orders/<int:pk>/timeline/", calendar.timeline, name="timeline"),
    path("calendar/", calendar.month_calendar, name="calendar"),
    path("import/", imports.import_order, name="import_order"),
    path("effects/", effects.effect_list, name="effect_list"),
    path("effects/<int:pk>/apply/", effects.effect_apply, name="effect_apply"),
    path("effects/<int:pk>/reject/", effects.effect_reject, name="effect_reject"),
    path("effects/<int:pk>/undo/", effects.effect_undo, name="effect_undo"),
    path("versions/<int:pk>/", revisions.version_detail, name="version_detail"),
    path("versions/<int:pk>/apply/", revisions.version_apply, name="version_apply"),
    path("versions/<int:pk>/reject/", revisions.version_reject, name="version_reject"),
    path("obligations/<int:pk>/series/", details.series_change, name="series_change"),
    path("obligations/<int:pk>/follow/", reminders.follow, name="follow"),
    path("reminders/", reminders.preferences, name="reminder_preferences"),
    path("reminders/unsubscribe/<str:token>/", reminders.unsubscribe, name="unsubscribe"),
    path("feeds/", feeds.feed_list, name="feed_list"),
    path("feeds/<int:pk>/rotate/", feeds.feed_rotate, name="feed_rotate"),
    path("feeds/<int:pk>/revoke/", feeds.feed_revoke, name="feed_revoke"),
    # Personal tokens for the JSON API (/api/v1/, tracker/urls.py): made, listed, revoked.
    path("api-tokens/", api_pages.api_tokens, name="api_tokens"),
    path("api-tokens/<int:pk>/revoke/", api_pages.api_token_revoke, name="api_token_revoke"),
    # The public record's scorecards (no sign-in; 404 unless PUBLIC_SITE is on).
    path("public/scorecards/", scorecards.ranking, name="public_scorecards"),
    path(
        "public/orders/<str:slug>/scorecard/",
        scorecards.order_scorecard,
        name="public_order_scorecard",
    ),
    path(
        "public/agencies/<str:slug>/scorecard/",
        scorecards.agency_scorecard,
        name="public_agency_scorecard",
    ),
    path("public/orders/<str:slug>/report/", scorecards.order_report, name="public_order_report"),
    # The token is the only credential: anything but 43 URL-safe characters is not a route.
    re_path(rf"^calendar/(?P<token>{TOKEN_PATTERN})\.ics$", feeds.feed_ics, name="feed_ics"),
    # The public record (settings.PUBLIC_SITE; 404 when off): citable addresses, by the order's
    # kind and number and the obligation's key, which re-imports keep (obligations/public.py).
    path("public/", public.public_home, name="public_home"),
    path("public/orders/<str:slug>/", public.public_order, name="public_order"),
    path(
        "public/orders/<str:slug>/obligations/<str:key>/",
        public.public_obligation,
        name="public_obligation",
    ),
    path("public/agencies/<str:slug>/", public.public_agency, name="public_agency"),
    path("public/evidence/<int:pk>/<str:name>", public.public_evidence, name="public_evidence"),
    # Open data (public, no sign-in; 404 unless PUBLIC_SITE): documented at /public/data/.
    path("public/data/", opendata.data, name="public_data"),
    path("public/data/obligations.csv", opendata.data_csv, name="public_data_csv"),
    path("public/data/obligations.json", opendata.data_json, name="public_data_json"),
    path("public/data/schema.json", opendata.schema, name="public_schema"),
    path("public/orders/<str:slug>/obligations.csv", opendata.order_csv, name="public_order_csv"),
    path(
        "public/orders/<str:slug>/obligations.json", opendata.order_json, name="public_order_json"
    ),
    path("public/orders/<str:slug>/calendar.ics", opendata.order_ics, name="public_order_ics"),
    path("public/changes.atom", opendata.changes_atom, name="public_changes_atom"),
]
