"""Request checks that hold for every view, the Django admin's and the packages' included."""

from urllib.parse import unquote_plus

from django.conf import settings
from django.http import HttpResponseBadRequest


def refuse_nul(get_response):
    """400 for an address with a NUL character (`%00`) in its path or query. No address of the
    site has one, and PostgreSQL refuses NUL in text: an admin page keyed by text (django-q2's
    tasks, `/admin/django_q/success/%00/change/`) answered 500 with it."""

    def middleware(request):
        query = request.META.get("QUERY_STRING", "")
        if "\x00" in request.path or "\x00" in unquote_plus(query):
            return HttpResponseBadRequest(
                "An address may not contain a NUL character (%00).", content_type="text/plain"
            )
        return get_response(request)

    return middleware


def part_cache_header(get_response):
    """With PART_CACHE_HEADER (benchmarks), `X-Part-Cache: hit` or `miss` on each page built
    from cached parts (views.common.cached_part): how often a view had to read the large
    tables. Off by default: it would tell a reader when the data last changed."""
    if not settings.PART_CACHE_HEADER:
        return get_response

    def middleware(request):
        response = get_response(request)
        if getattr(request, "part_cache", None):
            response["X-Part-Cache"] = ",".join(request.part_cache)
        return response

    return middleware
