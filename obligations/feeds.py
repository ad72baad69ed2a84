"""iCalendar feeds: secret tokens, the occurrences a feed shows, and the calendar it serves.

Output is byte-stable: every stamp comes from the data (the occurrence's last change), never from
"now", so the same data gives the same bytes and ETag and 304 responses work.
"""

import hashlib
import hmac
import secrets
from datetime import UTC, timedelta

from django.conf import settings
from django.db.models import Count, Max
from icalendar import Alarm, Calendar, Event, vDuration

from obligations.models import Feed, Occurrence

REFRESH = timedelta(hours=6)
CLOSED = {Occurrence.Status.WAIVED, Occurrence.Status.NOT_REQUIRED}
TOKEN_PATTERN = r"[A-Za-z0-9_-]{43}"  # secrets.token_urlsafe(32): 256 bits


def new_token() -> tuple[str, str]:
    """(token, its hash). The token goes to the user once; only the hash is stored."""
    token = secrets.token_urlsafe(32)
    return token, hash_token(token)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def feed_for(token: str) -> Feed | None:
    """The live feed behind a token, or None (unknown, revoked, or its user is gone)."""
    wanted = hash_token(token)
    feed = Feed.objects.select_related("user").filter(token_hash=wanted, revoked_at=None).first()
    # The lookup is by an index; the compare in constant time keeps timing from telling more.
    if feed is None or not hmac.compare_digest(feed.token_hash, wanted):
        return None
    return feed if feed.user.is_active else None


def occurrences(feed: Feed):
    """What the feed shows. Everyone signed in may read every obligation in the dashboard, so
    a feed shows no more than its owner could see there."""
    rows = Occurrence.objects.filter(obligation__review_state="confirmed")
    if feed.order_id:
        rows = rows.filter(obligation__order_id=feed.order_id)
    if feed.agency_id:
        rows = rows.filter(obligation__agencies=feed.agency_id)
    if feed.kind:
        rows = rows.filter(obligation__rule__kind=feed.kind)
    if feed.pending_only:
        rows = rows.filter(status__in=Occurrence.PENDING)
    if feed.mine:
        rows = rows.filter(obligation__agencies__group__user=feed.user_id)
    return rows.distinct()


def version(feed: Feed) -> tuple[str, object]:
    """(ETag, Last-Modified) from one aggregate query: what a 304 needs, without rendering."""
    rows = occurrences(feed).order_by()
    stats = rows.aggregate(
        n=Count("id", distinct=True), changed=Max("updated_at"), text=Max("obligation__updated")
    )
    last = max(filter(None, [stats["changed"], stats["text"], feed.updated]))
    key = f"{feed.pk}|{feed.updated.isoformat()}|{stats['n']}|{stats['changed']}|{stats['text']}"
    return hashlib.sha256(key.encode()).hexdigest()[:32], last


def render(feed: Feed, link) -> bytes:
    """The calendar: one all-day VEVENT per occurrence. `link(path)` makes absolute URLs."""
    cal = Calendar()  # built by hand: Calendar.new() adds a calendar-level UID (ECOSYSTEM §0.6)
    cal.add("PRODID", "-//Obligation tracker//Obligations//EN")
    cal.add("VERSION", "2.0")
    cal.add("CALSCALE", "GREGORIAN")
    cal.add("METHOD", "PUBLISH")
    cal.add("NAME", feed.name)
    cal.add("X-WR-CALNAME", feed.name)
    cal.add("REFRESH-INTERVAL", REFRESH, parameters={"VALUE": "DURATION"})
    cal.add("X-PUBLISHED-TTL", vDuration(REFRESH))
    rows = (
        occurrences(feed)
        .select_related("obligation__order")
        .prefetch_related("obligation__agencies")
        .defer("obligation__order__text")
        .order_by("due", "obligation_id", "sequence")
    )
    for occurrence in rows.iterator(chunk_size=2000):
        cal.add_component(event(occurrence, link, feed.alarms))
    return cal.to_ical()


def uid(occurrence) -> str:
    """Stable across renders and re-imports: the order, the obligation's natural key, the
    position in its series. Never a token, an email or a database id."""
    order = occurrence.obligation.order
    name = (
        f"{order.kind.replace(' ', '-')}-{order.number}" if order.number else order.text_sha256[:16]
    )
    domain = getattr(settings, "FEED_UID_DOMAIN", "obligation-tracker")
    return f"{name}-{occurrence.obligation.key}-{occurrence.sequence}@{domain}"


def event(occurrence, link, alarms: bool) -> Event:
    obligation, order = occurrence.obligation, occurrence.obligation.order
    stamp = occurrence.updated_at.astimezone(UTC)
    url = link(occurrence.get_absolute_url())
    ev = Event()
    ev.add("UID", uid(occurrence))
    ev.add("DTSTAMP", stamp)
    ev.add("LAST-MODIFIED", stamp)
    ev.add("SEQUENCE", occurrence.version)
    ev.add("DTSTART", occurrence.due)
    ev.add("DTEND", occurrence.due + timedelta(days=1))  # all-day: DTEND is exclusive
    done = (
        "" if occurrence.status in Occurrence.PENDING else f" [{occurrence.get_status_display()}]"
    )
    ev.add("SUMMARY", f"{order.short_name} §{obligation.section}: {obligation.action}{done}")
    how = occurrence.explanation.split("; Sec. ")[0]  # the quote follows it: said once above
    ev.add("DESCRIPTION", f"“{obligation.quote}”\n\nDue date: {how}\n\n{url}")
    ev.add("URL", url)
    categories = [order.short_name, *(a.abbreviation or a.name for a in obligation.agencies.all())]
    ev.add("CATEGORIES", [*categories, obligation.kind])
    ev.add("STATUS", "CANCELLED" if occurrence.status in CLOSED else "CONFIRMED")
    ev.add("TRANSP", "TRANSPARENT")
    if alarms and occurrence.status in Occurrence.PENDING:
        alarm = Alarm()
        alarm.add("ACTION", "DISPLAY")
        alarm.add("DESCRIPTION", f"Due tomorrow: {order.short_name} §{obligation.section}")
        alarm.add("TRIGGER", timedelta(days=-1))
        ev.add_component(alarm)
    return ev
