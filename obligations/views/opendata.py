"""Open data on the public site (no sign-in; 404 unless PUBLIC_SITE is on): the downloads (CSV,
JSON and its JSON Schema, of every order or one), an order's calendar of due dates, the Atom
feed of status changes, and the page that documents them (/public/data/).

The downloads stream: rows are read from the database in chunks and written as they come, so a
download of every track holds a few thousand rows in memory, not all of them. Each answer has
an ETag from the data version (obligations/versions.py): a client that sends it back gets a 304
while nothing changed."""

import hashlib
import json
from datetime import date

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.core.cache import cache
from django.db.models import Exists, OuterRef
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import get_conditional_response
from django.utils.feedgenerator import Atom1Feed
from django.utils.http import http_date, quote_etag
from django.utils.text import compress_sequence, compress_string
from django.views.decorators.http import require_safe

from obligations import clock, feeds, opendata
from obligations.models import Obligation, Order
from obligations.public import get_order, order_slug, public_site
from obligations.schedule import out_of_range
from obligations.versions import data_version
from obligations.views.feeds import ACCEPTS_GZIP, calendar_response

MAX_AGE = 300  # seconds a cache may keep a file without asking again
KINDS = {"csv": "text/csv; charset=utf-8; header=present", "json": "application/json"}


@public_site
@require_safe
def data(request):
    """The documentation of the files: each file, each field with its type and meaning."""
    public = Obligation.objects.filter(
        order=OuterRef("pk"), review_state=Obligation.Review.CONFIRMED, withdrawn_by=None
    )
    orders = Order.objects.filter(Exists(public)).defer("text").order_by("-signed", "number")
    listed = [(order, order_slug(order)) for order in orders]
    return render(request, "public/data.html", {
        "fields": opendata.FIELDS, "licence": opendata.LICENCE, "orders": listed,
        "changes": opendata.CHANGES,
    })  # fmt: skip


@public_site
@require_safe
def data_csv(request):
    return _download(request, "csv")


@public_site
@require_safe
def data_json(request):
    return _download(request, "json")


@public_site
@require_safe
def order_csv(request, slug):
    return _download(request, "csv", get_order(slug))


@public_site
@require_safe
def order_json(request, slug):
    return _download(request, "json", get_order(slug))


@public_site
@require_safe
def schema(request):
    url = request.build_absolute_uri(reverse("public_schema"))
    response = HttpResponse(
        json.dumps(opendata.schema(url), indent=2, ensure_ascii=False),
        content_type="application/schema+json",
    )
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = f"public, max-age={MAX_AGE}"
    return response


def _as_of(request) -> date | str:
    """The day asked for (?as_of=YYYY-MM-DD, default today), or why it is not one."""
    raw = request.GET.get("as_of", "").strip()
    today = clock.today()
    if not raw:
        return today
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        return f"as_of must be a date, YYYY-MM-DD: “{raw[:40]}” is not one."
    return out_of_range(day, today) or day


def _download(request, kind, order=None):
    """A CSV or JSON file, streamed; gzipped for clients that accept it (the whole record's JSON
    is some 550 MB at 500,000 tracks), as a second representation under a weak ETag of the same
    value, as the calendar feeds are."""
    day = _as_of(request)
    if isinstance(day, str):
        return HttpResponse(day + "\n", status=400, content_type="text/plain; charset=utf-8")
    slug = order_slug(order) if order is not None else None
    gzipped = _accepts_gzip(request)
    etag = ("W/" if gzipped else "") + _etag(request, kind, slug, day)
    headers = {
        "ETag": etag,
        "Last-Modified": http_date(opendata.last_change().timestamp()),
        "Cache-Control": f"public, max-age={MAX_AGE}",
        "Vary": "Accept-Encoding",
        "Access-Control-Allow-Origin": "*",  # anyone's page may read it: no cookie is used
        "Content-Disposition": f'attachment; filename="{slug or "obligations"}-{day}.{kind}"',
    }
    answer = _not_modified(request, etag, headers)
    if answer is not None:
        return answer
    if gzipped:
        headers["Content-Encoding"] = "gzip"
    if request.method == "HEAD":
        return HttpResponse(content_type=KINDS[kind], headers=headers)
    rows = opendata.rows(day, order, request.build_absolute_uri)
    if kind == "csv":
        chunks = opendata.csv_chunks(rows)
    else:
        url = request.build_absolute_uri(reverse("public_schema"))
        chunks = opendata.json_chunks(rows, opendata.head(day, url, order))
    if gzipped:
        chunks = compress_sequence(chunks)
    return StreamingHttpResponse(chunks, content_type=KINDS[kind], headers=headers)


def _accepts_gzip(request) -> bool:
    return settings.FEED_GZIP and bool(
        ACCEPTS_GZIP.search(request.headers.get("Accept-Encoding", ""))
    )


def _etag(request, *parts) -> str:
    """From the data version and what else the bytes depend on (the host is in the links)."""
    key = "|".join(map(str, [data_version(), request.get_host(), *parts]))
    return quote_etag(hashlib.sha256(key.encode()).hexdigest()[:32])


def _not_modified(request, etag, headers):
    answer = get_conditional_response(request, etag=etag)
    if answer is not None:
        for name, value in headers.items():
            answer[name] = value
    return answer


@public_site
@require_safe
def order_ics(request, slug):
    """An order's due dates as a calendar anyone may subscribe to: no token, since everything
    in it is public. The events are the private feeds' (feeds.render_rows), linked to the
    public pages. Gzipped for clients that accept it, as the private feeds are."""
    order = get_order(slug)
    gzipped = _accepts_gzip(request)
    etag = _etag(request, "ics", slug, feeds.uid_domain())
    tag = ("W/" if gzipped else "") + etag  # the same value for either representation
    headers = {
        "ETag": tag,
        "Last-Modified": http_date(opendata.last_change().timestamp()),
        "Cache-Control": f"public, max-age={MAX_AGE}",
        "Vary": "Accept-Encoding",
        "Access-Control-Allow-Origin": "*",
    }
    answer = _not_modified(request, tag, headers)
    if answer is not None:
        return answer
    key = f"public-ics:{etag}:{'gzip' if gzipped else 'identity'}"
    body = cache.get(key)
    if body is None:
        body = _calendar(request, order, slug)
        if gzipped:
            body = compress_string(body)
        cache.set(key, body, timeout=3600)
    if gzipped:
        headers["Content-Encoding"] = "gzip"
    return calendar_response(request, body, headers)


def _calendar(request, order, slug) -> bytes:
    link = request.build_absolute_uri

    def url(tracks):
        return link(opendata.obligation_path(slug, tracks[0]["obligation__key"]))

    rows = opendata.public_occurrences().filter(obligation__order=order)
    return feeds.render_rows(f"{order.short_name}: due dates", rows, link, url=url)


class ChangesFeed(Feed):
    """The latest moves of public tracks' statuses, newest first (opendata.public_changes):
    each entry from public fields only, never the change's note or the person."""

    feed_type = Atom1Feed
    title = "Obligations: status changes"
    subtitle = "Each change of status of an obligation's track: submitted, verified, waived ..."
    author_name = "Obligation tracker"  # the site: the people who made changes are not named

    def link(self):
        return reverse("public_data")

    def feed_guid(self):
        return f"tag:{feeds.uid_domain()},2026:public-changes"

    def items(self):
        return opendata.public_changes()

    def item_title(self, item):
        return opendata.change_title(item)

    def item_description(self, item):
        return opendata.change_summary(item)

    def item_link(self, item):
        return opendata.change_path(item)

    def item_guid(self, item):
        # A tag URI (RFC 4151): the change's day and its row are fixed once it is written.
        return f"tag:{feeds.uid_domain()},{item.at:%Y-%m-%d}:status-change/{item.pk}"

    def item_updateddate(self, item):
        return item.at

    def item_pubdate(self, item):
        return item.at


@public_site
@require_safe
def changes_atom(request):
    etag = _etag(request, "atom")
    headers = {"ETag": etag, "Cache-Control": f"public, max-age={MAX_AGE}",
               "Access-Control-Allow-Origin": "*"}  # fmt: skip
    answer = _not_modified(request, etag, headers)
    if answer is not None:
        return answer
    response = ChangesFeed()(request)
    for name, value in headers.items():
        response[name] = value
    return response
