"""iCalendar feeds: secret tokens, the occurrences a feed shows, and the calendar it serves.

One event per due date (obligation and sequence), whatever number of tracks (one per agency) it
has: calendar clients key events by UID, so the UID stays `...-{sequence}@...`, and the event
carries every shown track's state.

Output is byte-stable: every stamp comes from the data (the occurrence's last change), never from
"now", so the same data gives the same bytes and ETag and 304 responses work. Last-Modified is
the exception: it is stored per feed and moved whenever the ETag served changes (record_fetch),
since events can leave a feed without any remaining row changing.

No METHOD: METHOD:PUBLISH makes a calendar an iTIP message, and libical's iTIP check then wants an
ORGANIZER on every event; a subscription is not a message (RFC 5545 §3.7.2), and without METHOD
DTSTAMP is the event's last change (§3.8.7.2), which is what it holds here.

A revoked feed, or an address replaced by a new one, answers 200 with a calendar of one event
saying so (retired_calendar). What the clients did, run here (vdirsyncer 0.21 http storage into
a vdir, read by khal 0.14; calcurse 4.7 importing what curl got):
- 410 Gone: vdirsyncer stops with "Unknown error occurred for feed: Gone" and keeps every stale
  event; khal goes on showing them. calcurse gets nothing to import.
- an empty calendar: vdirsyncer refuses ("Storage ... was completely emptied ... use
  `vdirsyncer sync --force-delete`") and keeps every stale event.
- a calendar with one notice event: vdirsyncer deletes every stale event and adds the notice;
  khal shows the notice only. calcurse adds the notice; its imports never remove anything
  (it has no UIDs: importing a feed twice doubles it), so no answer clears calcurse.
"""

import hashlib
import hmac
import secrets
import unicodedata
from datetime import UTC, datetime, timedelta
from itertools import groupby
from operator import itemgetter
from urllib.parse import urlsplit

from django.conf import settings
from django.db.models import Count, Exists, Max, OuterRef, Q, Sum
from django.urls import reverse
from django.utils import timezone
from icalendar import (
    Alarm,
    Calendar,
    Event,
    vCategory,
    vDate,
    vDatetime,
    vDuration,
    vInt,
    vText,
    vUri,
)

from obligations import clock
from obligations.hierarchy import agencies_acting_for
from obligations.models import (
    Feed,
    Obligation,
    ObligationChange,
    Occurrence,
    Order,
    RetiredFeedToken,
)
from obligations.titles import label

REFRESH = timedelta(hours=6)
CLOSED = {Occurrence.Status.WAIVED, Occurrence.Status.NOT_REQUIRED, Occurrence.Status.UNMET}
TOKEN_PATTERN = r"[A-Za-z0-9_-]{43}"  # secrets.token_urlsafe(32): 256 bits
FETCH_EVERY = timedelta(minutes=1)  # how stale "last fetched" may be: not a write per poll
LEGACY_UID_DOMAIN = "obligation-tracker"  # what every deployment served before FEED_UID_DOMAIN
BIDI = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")  # embeddings, overrides


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


def retired_feed_for(token: str) -> tuple[Feed, datetime] | None:
    """(feed, when) for a token that opened a feed before: the feed was revoked, or a new URL
    replaced this one. None for any other token, and for a user who is gone."""
    wanted = hash_token(token)
    feed = Feed.objects.select_related("user").filter(token_hash=wanted).first()
    when = feed and feed.revoked_at
    if feed is None:
        retired = RetiredFeedToken.objects.select_related("feed__user").filter(token_hash=wanted)
        retired = retired.first()
        feed, when = (retired.feed, retired.retired_at) if retired else (None, None)
        when = feed and (feed.revoked_at or when)  # revoked since: say that
    if when is None or not feed.user.is_active:
        return None
    return feed, when


def uid_domain() -> str:
    """The domain in every event's UID: settings.FEED_UID_DOMAIN, or the host of SITE_URL when
    that is empty. The default is what every deployment served before the setting: a changed
    domain is a new UID for every event, so subscribers would see each one twice (README)."""
    domain = getattr(settings, "FEED_UID_DOMAIN", LEGACY_UID_DOMAIN)
    return domain or urlsplit(settings.SITE_URL).hostname or LEGACY_UID_DOMAIN


def window_start(feed: Feed, today=None):
    """The first due date a feed with a date window shows, or None (it shows all)."""
    if feed.window_days is None:
        return None
    return (today or clock.today()) - timedelta(days=feed.window_days)


def occurrences(feed: Feed, today=None):
    """The tracks the feed shows. Everyone signed in may read every obligation in the
    dashboard, so a feed shows no more than its owner could see there.

    The agency filters go through subqueries, not joins: a join over the many-to-many table
    would repeat an occurrence once per matching agency and need a DISTINCT."""
    rows = Occurrence.objects.filter(obligation__review_state="confirmed")
    if feed.order_id:
        rows = rows.filter(obligation__order_id=feed.order_id)
    if feed.agency_id:
        rows = rows.filter(_tracks_of([feed.agency_id]))
    if feed.kind:
        rows = rows.filter(obligation__rule__kind=feed.kind)
    if feed.mine:
        rows = rows.filter(_tracks_of(agencies_acting_for(feed.user)))
    if feed.pending_only:
        # Due dates with a shown track still open, with all their shown tracks: a submitted
        # track stays in its event ("DHS submitted; DOJ open"), so SEQUENCE never goes down.
        pending = rows.filter(status__in=Occurrence.PENDING)
        rows = rows.filter(
            Exists(pending.filter(obligation=OuterRef("obligation"), sequence=OuterRef("sequence")))
        )
    start = window_start(feed, today)
    if start is not None:
        # Whole due dates, as above: one of them whose tracks' dates differ is in or out whole.
        recent = rows.filter(due__gte=start)
        rows = rows.filter(
            Exists(recent.filter(obligation=OuterRef("obligation"), sequence=OuterRef("sequence")))
        )
    return rows


def _tracks_of(agency_ids):
    """The tracks of these agencies: their own, and the shared tracks of the obligations they
    answer for."""
    answering = Obligation.agencies.through.objects.filter(agency_id__in=agency_ids)
    shared = Q(agency=None, obligation_id__in=answering.values("obligation_id"))
    return Q(agency_id__in=agency_ids) | shared


def version(feed: Feed) -> tuple[str, object]:
    """(ETag, Last-Modified) from one aggregate query: what a 304 needs, without rendering.
    It reads all that an event is made of: the tracks (how many, their versions and last
    change), the obligations' text and the tracks' agencies (their names are in SUMMARY)."""
    stats = (
        occurrences(feed)
        .order_by()
        .aggregate(
            n=Count("id"), versions=Sum("version"), changed=Max("updated_at"),
            text=Max("obligation__updated"), agency=Max("agency__updated"),
        )
    )  # fmt: skip
    last = max(filter(None, [stats["changed"], stats["text"], feed.updated]))
    parts = [stats[k] for k in ("n", "versions", "changed", "text", "agency")]
    # The UID domain too: the bytes of a changed one must not come from the cache.
    key = [feed.pk, feed.updated.isoformat(), *parts, window_start(feed), uid_domain()]
    key = "|".join(map(str, key))
    return hashlib.sha256(key.encode()).hexdigest()[:32], last


def record_fetch(feed: Feed, etag: str, changed) -> datetime:
    """Last-Modified for the feed served with `etag`, and "last fetched" noted.

    The data's latest change (`changed`) is not enough: when events leave a feed (a track of an
    "open only" feed submitted, a date out of the window) no remaining row changed, and a client
    asking If-Modified-Since would get a 304 and keep them. So the feed keeps the ETag it last
    served and moves Last-Modified to now, a second at least past the last one (HTTP dates have
    whole seconds), whenever that ETag changes. Written with update(), not save(): `updated` is
    part of the ETag."""
    now = timezone.now()
    fields = {}
    if feed.etag != etag:
        moved = [changed.replace(microsecond=0)]
        if feed.etag:  # served before: something changed since, now
            moved.append(now.replace(microsecond=0))
        if feed.changed_at:
            moved.append(feed.changed_at + timedelta(seconds=1))
        fields.update(etag=etag, changed_at=max(moved))
    if fields or feed.fetched_at is None or now - feed.fetched_at >= FETCH_EVERY:
        fields["fetched_at"] = now
        Feed.objects.filter(pk=feed.pk).update(**fields)
        for name, value in fields.items():
            setattr(feed, name, value)
    return feed.changed_at


def control_characters(text: str) -> list[str]:
    """The characters of `text` that have no place in a one-line name: control characters
    (line breaks, tabs, NUL, DEL, C1), line and paragraph separators, bidirectional overrides."""
    return [c for c in text if unicodedata.category(c) in ("Cc", "Zl", "Zp") or c in BIDI]


def one_line(text: str) -> str:
    """`text` with what control_characters() finds made spaces: a name saved before the feed
    form refused them must not break the calendar (icalendar refuses a line break in NAME)."""
    bad = set(control_characters(text))
    return " ".join("".join(" " if c in bad else c for c in text).split())


def calendar(name: str) -> Calendar:
    """The calendar's own properties, no events."""
    cal = Calendar()  # built by hand: Calendar.new() adds a calendar-level UID (ECOSYSTEM §0.6)
    cal.add("PRODID", "-//Obligation tracker//Obligations//EN")
    cal.add("VERSION", "2.0")
    cal.add("CALSCALE", "GREGORIAN")
    # Text values, escaped: add() writes NAME and X-WR-CALNAME as they are, and a reader then
    # takes "EO 13768; only" for "EO 13768" (";" and "," separate values).
    cal["NAME"] = cal["X-WR-CALNAME"] = vText(one_line(name))
    cal.add("REFRESH-INTERVAL", REFRESH, parameters={"VALUE": "DURATION"})
    cal.add("X-PUBLISHED-TTL", vDuration(REFRESH))
    return cal


def render(feed: Feed, link) -> bytes:
    """The calendar: one all-day VEVENT per occurrence. `link(path)` makes absolute URLs."""
    return render_rows(feed.name, occurrences(feed), link, alarms=feed.alarms)


def render_rows(name: str, rows, link, *, alarms=False, url=None) -> bytes:
    """The calendar named `name` of the occurrences `rows` (a queryset): one all-day VEVENT per
    due date. `url(tracks)`, if given, is an event's address (the public site's); by default the
    dashboard's track or obligation page."""
    cal = calendar(name)
    events = Events(rows, link, alarms=alarms, url=url)
    for tracks in due_dates(event_rows(rows)):
        cal.add_component(events.event(tracks))
    return cal.to_ical()


def retired_calendar(feed: Feed, when: datetime, link) -> bytes:
    """What a revoked feed, or an address a new one replaced, answers: a calendar of one event
    that says so, on the day it happened. Not a 410 nor an empty calendar: with those, clients
    keep the stale events (vdirsyncer does, module docstring); with this one they drop them."""
    revoked = feed.revoked_at is not None
    what = "was revoked" if revoked else "has a new address"
    cal = calendar(f"{feed.name} ({'revoked' if revoked else 'moved'})")
    ev = Event()
    ev["SUMMARY"] = vText(f"The calendar feed “{one_line(feed.name)}” {what}")
    day = timezone.localdate(when)
    ev["DTSTART"] = vDate(day, {"VALUE": "DATE"})
    ev["DTEND"] = vDate(day + timedelta(days=1), {"VALUE": "DATE"})
    stamp = vDatetime(when.astimezone(UTC).replace(microsecond=0))
    ev["DTSTAMP"] = stamp
    ev["UID"] = vText(f"feed-retired@{uid_domain()}")
    ev["SEQUENCE"] = vInt(0)
    page = link(reverse("feed_list"))
    ev["DESCRIPTION"] = vText(
        "Its due dates are no longer published at this address. "
        + ("Its owner revoked it." if revoked else "Its owner made a new one.")
        + f" Make or find your feeds at {page} and subscribe to the new address."
    )
    ev["LAST-MODIFIED"] = stamp
    ev["TRANSP"] = vText("TRANSPARENT")
    ev["URL"] = vUri(page)
    cal.add_component(ev)
    return cal.to_ical()


ROW = (
    "id", "obligation_id", "sequence", "due", "status", "explanation", "version", "updated_at",
    "agency__abbreviation", "agency__name",
    "obligation__key", "obligation__section", "obligation__action", "obligation__quote",
    "obligation__rule", "obligation__order__kind", "obligation__order__number",
    "obligation__order__title", "obligation__order__text_sha256",
)  # fmt: skip


def event_rows(rows):
    """The tracks of `rows` (a feed's occurrences) as plain dicts of the columns an event needs (model instances cost
    more to make than the events themselves), each due date's tracks next to each other.

    By obligation and sequence, not by date: the tracks of one due date can have different
    dates (a pending track moves when the conventions change, a submitted one keeps its date),
    and rows of one due date apart would make two events with one UID."""
    ordered = rows.order_by("obligation_id", "sequence", "agency__name", "id")
    return ordered.values(*ROW).iterator(chunk_size=2000)


def due_dates(rows):
    """The rows of each due date (obligation, sequence) together, as lists."""
    for _, tracks in groupby(rows, key=itemgetter("obligation_id", "sequence")):
        yield list(tracks)


def agencies(rows) -> dict[int, list[str]]:
    """{obligation id: its agencies' short names}, for every obligation of the occurrences
    `rows`, in one query; by agency name, as `obligation.agencies.all()` orders them."""
    shown = rows.values("obligation_id")
    links = Obligation.agencies.through.objects.filter(obligation_id__in=shown)
    found = {}
    for obligation, abbreviation, name in links.order_by("agency__name").values_list(
        "obligation_id", "agency__abbreviation", "agency__name"
    ):
        found.setdefault(obligation, []).append(abbreviation or name)
    return found


def text_changes(rows) -> dict[int, tuple]:
    """{obligation id: (how many changes its history holds, the latest one's time)}, for the
    obligations of the occurrences `rows` with any. The obligation's text is in SUMMARY and DESCRIPTION: each
    change raises the SEQUENCE of its events (the history is append-only: the count only grows)
    and moves their stamps. Not `Obligation.updated`: a new text of the order moves it on every
    obligation, even those whose own text did not change."""
    shown = rows.values("obligation_id")
    changes = ObligationChange.objects.filter(obligation_id__in=shown).order_by()
    changes = changes.values("obligation_id").annotate(n=Count("id"), last=Max("at"))
    return {row["obligation_id"]: (row["n"], row["last"]) for row in changes}


class Events:
    """Makes the VEVENTs of one render, cheaply. Properties are set already typed
    (`ev["SUMMARY"] = vText(...)`): `ev.add()` infers a type for every value, which cost more
    than serializing it. Values that repeat (days, stamps, what an obligation's occurrences
    share) are made once and shared between events: serializing only reads them."""

    def __init__(self, rows, link, *, alarms=False, url=None):
        self.alarms = alarms
        self.agencies = agencies(rows)
        self.changes = text_changes(rows)
        self.url_for = url
        self.urls = {name: _url_parts(link, name) for name in ("occurrence_detail",
                                                               "obligation_detail")}  # fmt: skip
        self.domain = uid_domain()
        self.labels = dict(Occurrence.Status.choices)
        self.shared = {}
        self.confirmed, self.cancelled = vText("CONFIRMED"), vText("CANCELLED")
        self.transparent, self.display = vText("TRANSPARENT"), vText("DISPLAY")
        self.day_before = vDuration(timedelta(days=-1))

    def once(self, key, make):
        """The shared value for `key`, made by `make()` the first time."""
        value = self.shared.get(key)
        if value is None:
            value = self.shared[key] = make()
        return value

    def event(self, tracks) -> Event:
        """The VEVENT of one due date from the rows of its tracks."""
        once, row = self.once, tracks[0]
        pending = [t for t in tracks if t["status"] in Occurrence.PENDING]
        # The date that is still to be met: the earliest open track's (tracks may differ).
        lead = min(pending or tracks, key=itemgetter("due"))
        due = lead["due"]
        # Each track's version only grows, and so does the obligation's count of changes.
        edits, edited = self.changes.get(row["obligation_id"], (0, None))
        changed = max(filter(None, [edited, *(t["updated_at"] for t in tracks)]))
        sequence = sum(t["version"] for t in tracks) + edits
        common = once(("obligation", row["obligation_id"]), lambda: self.obligation(row))
        stamp = once(("stamp", changed), lambda: vDatetime(changed.astimezone(UTC)))
        url = self.url(tracks)
        how = lead["explanation"].split("; Sec. ")[0]  # the quote follows it: said once above
        end = due + timedelta(days=1)  # all-day: DTEND is exclusive
        ev = Event()
        ev["SUMMARY"] = vText(common["summary"] + self.state(tracks))
        # What add() would make: a DATE with VALUE=DATE, a UTC DATE-TIME (…Z) for the stamps.
        ev["DTSTART"] = once(("day", due), lambda: vDate(due, {"VALUE": "DATE"}))
        ev["DTEND"] = once(("day", end), lambda: vDate(end, {"VALUE": "DATE"}))
        ev["DTSTAMP"] = stamp
        ev["UID"] = vText(f"{common['uid']}-{row['sequence']}@{self.domain}")
        ev["SEQUENCE"] = once(("sequence", sequence), lambda: vInt(sequence))
        ev["CATEGORIES"] = common["categories"]
        ev["DESCRIPTION"] = vText(f"{common['quote']}\n\nDue date: {how}\n\n{url}")
        ev["LAST-MODIFIED"] = stamp
        closed = all(t["status"] in CLOSED for t in tracks)
        ev["STATUS"] = self.cancelled if closed else self.confirmed
        ev["TRANSP"] = self.transparent
        ev["URL"] = vUri(url)
        if self.alarms and pending:
            ev.add_component(self.alarm(common))
        return ev

    def state(self, tracks) -> str:
        """ " [submitted]" for one track once done; " [DHS submitted; DOJ open]" for several."""
        if len(tracks) == 1:
            status = tracks[0]["status"]
            return "" if status in Occurrence.PENDING else f" [{self.labels.get(status, status)}]"
        states = "; ".join(
            f"{t['agency__abbreviation'] or t['agency__name'] or 'shared'} "
            f"{self.labels.get(t['status'], t['status']).lower()}"
            for t in tracks
        )
        return f" [{states}]"

    def url(self, tracks) -> str:
        """The track's page, or the obligation's when the due date has several tracks."""
        if self.url_for is not None:
            return self.url_for(tracks)
        if len(tracks) == 1:
            head, tail = self.urls["occurrence_detail"]
            return f"{head}{tracks[0]['id']}{tail}"
        head, tail = self.urls["obligation_detail"]
        return f"{head}{tracks[0]['obligation_id']}{tail}"

    def obligation(self, row) -> dict:
        """What every occurrence of one obligation shows alike."""
        order = Order(kind=row["obligation__order__kind"], number=row["obligation__order__number"],
                      title=row["obligation__order__title"])  # fmt: skip
        short, section = order.short_name, row["obligation__section"]
        rule = row["obligation__rule"] or {}
        kind = Obligation(rule=rule).kind
        # The UID is stable across renders and re-imports: the order, the obligation's natural
        # key, the position in its series. Never a token, an email or a database id.
        number = row["obligation__order__number"]
        name = (
            f"{order.kind.replace(' ', '-')}-{number}"
            if number
            else row["obligation__order__text_sha256"][:16]
        )
        return {
            "summary": f"{short} §{section}: {label(row['obligation__action'], rule, row['obligation__quote'])}",
            "uid": f"{name}-{row['obligation__key']}",
            "quote": f"“{row['obligation__quote']}”",
            "categories": vCategory([short, *self.agencies.get(row["obligation_id"], []), kind]),
            "alarm": vText(f"Due tomorrow: {short} §{section}"),
        }

    def alarm(self, common) -> Alarm:
        alarm = Alarm()
        alarm["ACTION"] = self.display
        alarm["DESCRIPTION"] = common["alarm"]
        alarm["TRIGGER"] = self.day_before
        return alarm


def _url_parts(link, name) -> tuple[str, str]:
    """(head, tail) of the absolute URL of `name`: one reverse() and one absolute URL for all
    events, since the pk is the only part that changes."""
    marker = "2147483647"
    head, _, tail = link(reverse(name, args=[int(marker)])).rpartition(marker)
    return head, tail
