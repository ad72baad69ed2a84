"""/api/v1/: mounted by tracker/urls.py under the "api" namespace. Every endpoint is exempt from
the sign-in redirect (it answers 401 in JSON instead; DRF's views say so themselves, and
`api()` says it here too) except the docs page, a page for people."""

from django.contrib.auth.decorators import login_not_required, login_required
from django.urls import path
from drf_spectacular.views import SpectacularJSONAPIView, SpectacularSwaggerSplitView

from obligations.api import views

app_name = "api"


def api(view):
    return login_not_required(view.as_view())


urlpatterns = [
    path("orders/", api(views.OrderList), name="order-list"),
    path("orders/<int:pk>/", api(views.OrderDetail), name="order-detail"),
    path("obligations/", api(views.ObligationList), name="obligation-list"),
    path("obligations/<int:pk>/", api(views.ObligationDetail), name="obligation-detail"),
    path("occurrences/", api(views.OccurrenceList), name="occurrence-list"),
    path("occurrences/<int:pk>/", api(views.OccurrenceDetail), name="occurrence-detail"),
    path("occurrences/<int:pk>/progress", api(views.Progress), name="occurrence-progress"),
    path("schema/", api(SpectacularJSONAPIView), name="schema"),
    # Swagger UI from the sidecar's files; its start-up script is a file too (?script), and the
    # page has no inline style: it runs under the strict CSP as every other page. A page for
    # people: the sign-in page first (DRF's views are otherwise exempt from it).
    path(
        "docs/",
        login_required(
            SpectacularSwaggerSplitView.as_view(
                url_name="api:schema", template_name="obligations/api_docs.html"
            )
        ),
        name="docs",
    ),
]
