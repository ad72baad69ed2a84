"""Calendar subscriptions: the secret .ics URL (no session, no login) and the page where a user
makes, rotates and revokes their feeds."""

import re
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.http import http_date, quote_etag
from django.utils.text import compress_string
from django.views.decorators.http import require_POST, require_safe

from obligations import feeds
from obligations.forms import FeedForm
from obligations.models import Feed, RetiredFeedToken

# What GZipMiddleware reads from Accept-Encoding.
ACCEPTS_GZIP = re.compile(r"\bgzip\b")


@login_not_required
@require_safe
def feed_ics(request, token):
    """GET or HEAD /calendar/<token>.ics. A token that opened a feed before, now revoked or
    replaced by a new URL, gets a calendar that says so (feeds.retired_calendar: what clears the
    subscriber's stale events); any other token that is not a live feed's gets a bare 404.

    Gzipped when the client accepts it (about 300 KB become 18 KB), as a second representation:
    `Vary: Accept-Encoding`, and a weak ETag (W/"…") of the same value, which If-None-Match
    compares weakly, so a 304 answers either representation's tag."""
    feed = feeds.feed_for(token)
    if feed is None:
        return _retired(request, token)
    etag, changed = feeds.version(feed)
    changed = feeds.record_fetch(feed, etag, changed)
    accepted = request.headers.get("Accept-Encoding", "")
    gzipped = settings.FEED_GZIP and bool(ACCEPTS_GZIP.search(accepted))
    tag = ("W/" if gzipped else "") + quote_etag(etag)
    headers = {
        "ETag": tag,
        "Last-Modified": http_date(changed.timestamp()),
        "Cache-Control": "private, max-age=300",
        "Vary": "Accept-Encoding",
        "Referrer-Policy": "no-referrer",
        "X-Content-Type-Options": "nosniff",
    }
    # A 304 costs one aggregate query; clients poll often.
    not_modified = get_conditional_response(
        request, etag=tag, last_modified=int(changed.timestamp())
    )
    if not_modified is not None:
        for name, value in headers.items():
            not_modified[name] = value
        return not_modified
    # The bytes depend only on the data (the ETag) and the host in the links: cache them, so
    # clients that poll without If-None-Match cost one aggregate query too.
    key = f"feed:{feed.pk}:{etag}:{request.get_host()}:{'gzip' if gzipped else 'identity'}"
    body = cache.get(key)
    if body is None:
        body = feeds.render(feed, request.build_absolute_uri)
        if gzipped:
            body = compress_string(body)  # mtime 0: the same bytes for the same data
        cache.set(key, body, timeout=3600)
    if gzipped:
        headers["Content-Encoding"] = "gzip"
    return calendar_response(request, body, headers)


def _retired(request, token):
    found = feeds.retired_feed_for(token)
    if found is None:
        raise Http404()
    body = feeds.retired_calendar(*found, request.build_absolute_uri)
    return calendar_response(request, body, {
        "Cache-Control": "private, max-age=3600",
        "Referrer-Policy": "no-referrer",
        "X-Content-Type-Options": "nosniff",
    })  # fmt: skip


def calendar_response(request, body, headers):
    response = HttpResponse(
        b"" if request.method == "HEAD" else body,
        content_type="text/calendar; charset=utf-8",
        headers=headers,
    )
    response["Content-Length"] = str(len(body))
    return response


def feed_list(request):
    """The user's feeds, and a form for a new one. A new or rotated URL is shown once."""
    form = FeedForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        feed = form.save(commit=False)
        token, feed.token_hash = feeds.new_token()
        feed.user = request.user
        feed.save()
        return _show_once(request, feed, token, "Feed made.")
    mine = Feed.objects.filter(user=request.user, revoked_at=None).select_related("order", "agency")
    return render(request, "obligations/feeds.html", {"form": form, "feeds": mine})


@require_POST
@transaction.atomic
def feed_rotate(request, pk):
    feed = get_object_or_404(Feed, pk=pk, user=request.user, revoked_at=None)
    # The old address then answers "this feed has a new address" (feed_ics), not a 404.
    RetiredFeedToken.objects.create(feed=feed, token_hash=feed.token_hash)
    token, feed.token_hash = feeds.new_token()
    feed.save(update_fields=["token_hash", "updated"])
    return _show_once(request, feed, token, "New URL made; the old one no longer works.")


@require_POST
def feed_revoke(request, pk):
    feed = get_object_or_404(Feed, pk=pk, user=request.user, revoked_at=None)
    feed.revoked_at = timezone.now()
    feed.save(update_fields=["revoked_at", "updated"])
    messages.success(request, f"Feed “{feed.name}” revoked; its URL no longer works.")
    return redirect("feed_list")


def subscribe_links(feed, url: str, webcal: str) -> list[tuple[str, str]]:
    """One-click subscriptions where the calendar service takes a feed address in a link:
    Google by `cid` (its webcal form), Outlook.com and Microsoft 365 by `url` and `name`."""
    outlook = urlencode({"url": url, "name": feed.name})
    return [
        ("Add to Google Calendar", "https://calendar.google.com/calendar/render?"
         + urlencode({"cid": webcal})),
        ("Add to Outlook.com", f"https://outlook.live.com/calendar/0/addfromweb?{outlook}"),
        ("Add to Outlook (Microsoft 365)",
         f"https://outlook.office.com/calendar/0/addfromweb?{outlook}"),
    ]  # fmt: skip


def _show_once(request, feed, token, message):
    url = request.build_absolute_uri(reverse("feed_ics", args=[token]))
    webcal = "webcal://" + url.split("://", 1)[1]
    messages.success(request, message)
    response = render(request, "obligations/feed_made.html", {
        "feed": feed, "url": url, "webcal": webcal, "subscribe": subscribe_links(feed, url, webcal),
    })  # fmt: skip
    response["Cache-Control"] = "no-store"  # the page holds the secret URL
    response["Referrer-Policy"] = "no-referrer"
    return response
