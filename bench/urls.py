"""The project's URLs plus the benchmarks' baseline: a trivial view behind the same sign-in
and middleware as every dashboard page, so a ratio to it measures the page's own work."""

from django.http import HttpResponse
from django.urls import include, path


def trivial(request):
    return HttpResponse(f"ok {request.user.pk}", content_type="text/plain")


urlpatterns = [path("bench/trivial", trivial), path("", include("tracker.urls"))]
