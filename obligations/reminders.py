"""Reminder e-mails, each sent exactly once.

`run(now)` is what the hourly django-q2 schedule and `manage.py send_reminders` call:

1. sweep: claims older than the lease go back to pending (their worker died);
2. plan: for each open due date and each person who should hear of it, the one reminder that is
   relevant today (catch-up: after days of downtime, the latest lead time, one overdue notice);
   inserted under a unique constraint, so a second run or a second worker adds nothing;
3. send: a worker claims a person's due rows with a conditional UPDATE (only rows still pending
   change; the rows it changed are its own), sends, then marks them sent. "Try later" (4xx, a
   dropped connection) puts them back with a backoff; "never" (5xx) marks them failed.

A person's due rows are claimed together (up to DIGEST_MAX), so that a digest is one message
however many items it has. A person gets at most REMINDER_MAX_PER_PERSON messages from one run
(per worker): someone who follows everything with digests off would otherwise get hundreds.
Past the cap, everything else due to them goes in one digest, marked like any other batch, so
each row is still sent once. The weekly overdue reminders of someone who asked for one e-mail per
due date also go in that one message: "still overdue" is a weekly summary, not one e-mail each.

Overdue reminders: one notice on the first business day after the due date ("overdue-new"),
then one a week for all of a person's overdue items, on REMINDER_OVERDUE_WEEKDAY (Monday) or the
next business day when that is a federal holiday ("overdue-2017-05-01": the day it is for).
Never on a weekend or a holiday; they stop when the due date is met, unmet, waived or not
required, and when the obligation is withdrawn.

The only duplicate possible is a crash after the server accepted a message and before the row is
marked sent (a few milliseconds); the sweep then sends it again after the lease. django-q2 ending
a run at its timeout would be such a crash, so a run has a time budget (REMINDER_RUN_SECONDS) well
inside that timeout: once it is spent no message is begun, the rows claimed but not tried go back
to pending untouched, and the next run sends them (tracker/settings.py has the arithmetic).
"""

import logging
import smtplib
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from enum import Enum
from functools import lru_cache
from itertools import islice

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import get_connection
from django.db import connection as db  # `connection` here is the mail server's
from django.db.models import Count, F, OuterRef, Q, Subquery
from django.utils import dateformat, timezone, translation

from obligations import clock, emails, hierarchy, schedule
from obligations.agencies import ALL
from obligations.models import (
    Agency,
    Follow,
    Obligation,
    Occurrence,
    Reminder,
    ReminderPreference,
)

log = logging.getLogger(__name__)
MAX_LEAD_DAYS = 90
# Reminders one person's claim takes: all that is due to them, so that a digest is one message.
# The bound keeps each statement's list of ids inside what SQLite and PostgreSQL accept.
DIGEST_MAX = 5000
PLAN_CHUNK = 500  # obligations read, and reminders inserted, per query when planning


@dataclass
class RunResult:
    swept: int = 0
    planned: int = 0
    sent: int = 0
    retry: int = 0
    failed: int = 0
    cancelled: int = 0
    left: int = 0  # due but not tried: the time budget ran out (the next run sends them)

    def __str__(self):
        return ", ".join(f"{k} {v}" for k, v in vars(self).items())


def local_today(now: datetime):
    return timezone.localtime(now).date()


def send_time(day) -> datetime:
    """Reminders for a day go out at settings.REMINDER_HOUR, local time."""
    hour = time(settings.REMINDER_HOUR)
    return timezone.make_aware(datetime.combine(day, hour), timezone.get_current_timezone())


def current_kind(due, today, pref) -> str | None:
    """The one reminder relevant on `today` for a due date, or None.

    30, 7 and 1 days before: from 30 days out "lead-30", from 7 "lead-7", ...; on the day "due";
    afterwards overdue_kind(). A run after days of downtime therefore sends only what is
    relevant now."""
    days_left = (due - today).days
    if days_left < 0:
        return overdue_kind(due, today) if pref.overdue else None
    if days_left == 0 and pref.on_due_day:
        return "due"
    leads = [lead for lead in pref.lead_days if lead >= days_left]
    return f"lead-{min(leads)}" if leads else None


def business_day(day) -> bool:
    """Not a weekend, not a US federal holiday (the set schedule.roll_forward uses)."""
    return schedule.roll_forward(day)[0] == day


def weekly_overdue_day(today):
    """The latest day on or before `today` that the weekly overdue reminders are for:
    REMINDER_OVERDUE_WEEKDAY of this week (or last), rolled forward past a holiday."""
    monday = today - timedelta(days=today.weekday())
    for week in (monday, monday - timedelta(days=7)):
        day = schedule.roll_forward(week + timedelta(days=settings.REMINDER_OVERDUE_WEEKDAY))[0]
        if day <= today:
            return day
    raise AssertionError("a rolled weekday more than a week late")  # pragma: no cover


def overdue_kind(due, today) -> str | None:
    """Overdue: "overdue-new" from the first business day after the due date until the weekly
    overdue day, then "overdue-<that day>" for each week; nothing on a day off. One kind per
    week, whatever day the due date fell on: a person hears of all their overdue items at once,
    once a week, and a run after downtime sends the current week's notice only."""
    if not business_day(today):
        return None
    first = schedule.roll_forward(due + timedelta(days=1))[0]
    if today < first:
        return None
    weekly = weekly_overdue_day(today)
    return f"overdue-{weekly.isoformat()}" if weekly >= first else "overdue-new"


def is_weekly_overdue(kind: str) -> bool:
    return kind.startswith("overdue-") and kind != "overdue-new"


def run(now: datetime, *, connection=None, deadline: float | None = None) -> RunResult:
    """deadline: a clock.monotonic() reading after which no message is begun; by default the
    budget counts from here, as django-q2's timeout counts from the start of the task."""
    deadline = budget_deadline() if deadline is None else deadline
    result = RunResult()
    result.swept = sweep(now)
    result.planned = plan(now)
    send_due(now, result, connection=connection, deadline=deadline)
    log.info("reminders at %s: %s", now.isoformat(), result)
    return result


def budget_deadline() -> float:
    return clock.monotonic() + settings.REMINDER_RUN_SECONDS


def sweep(now: datetime) -> int:
    lease = timedelta(minutes=settings.REMINDER_LEASE_MINUTES)
    return Reminder.objects.filter(state=Reminder.State.CLAIMED, claimed_at__lt=now - lease).update(
        state=Reminder.State.PENDING, claim="", last_error="claim expired (worker died?)"
    )


# Planning ---------------------------------------------------------------------------------------


def plan(now: datetime) -> int:
    """Insert today's relevant reminders; existing ones are left alone (unique constraint).

    Who hears of which obligation is worked out first (small tables); then only the due dates
    of obligations someone hears of are read, PLAN_CHUNK obligations per query, and rows are
    inserted PLAN_CHUNK at a time. Memory stays flat however many due dates there are."""
    today = local_today(now)
    # A withdrawn obligation owes nothing more, even before its open tracks are closed.
    audience = Audience.load(Obligation.objects.filter(review_state="confirmed", withdrawn_by=None))
    rows = _reminders(audience, today)
    before = Reminder.objects.count()
    while batch := list(islice(rows, PLAN_CHUNK)):
        Reminder.objects.bulk_create(batch, ignore_conflicts=True)
    return Reminder.objects.count() - before


def _reminders(audience, today):
    """The relevant reminder of each (open track of a due date, person), made lazily."""
    send_after, horizon = send_time(today), today + timedelta(days=MAX_LEAD_DAYS)
    obligation_ids = iter(sorted(audience.order_of))
    while chunk := list(islice(obligation_ids, PLAN_CHUNK)):
        # Who hears of an obligation's shared track is everyone who may hear of any of its
        # tracks: only those obligations' due dates are read.
        wanting = {(o, None): people for o in chunk if (people := audience.wanting(o))}
        tracks = Occurrence.objects.pending().filter(
            obligation_id__in=[o for o, _ in wanting], due__lte=horizon
        )
        for occurrence_id, obligation_id, agency_id, due in tracks.order_by("id").values_list(
            "id", "obligation", "agency", "due"
        ):
            # who hears of each track, worked out once for all its due dates
            key = (obligation_id, agency_id)
            if key not in wanting:
                wanting[key] = audience.wanting(*key)
            for user_id, pref in wanting[key]:
                if kind := current_kind(due, today, pref):
                    yield Reminder(
                        occurrence_id=occurrence_id, user_id=user_id, kind=kind,
                        send_after=send_after,
                    )  # fmt: skip


class Audience:
    """Who hears about which track: the users of its agency (of every agency of the obligation
    for a shared track), and of their parent agencies when parents act for components; and
    anyone who follows the obligation, of all its tracks. Each filtered by their preferences.
    Loaded in a fixed number of queries."""

    def __init__(self):
        self.by_agency: dict[int, set[int]] = defaultdict(set)
        self.followers: dict[int, set[int]] = defaultdict(set)
        self.agencies_of: dict[int, set[int]] = defaultdict(set)
        self.order_of: dict[int, int] = {}
        self.prefs: dict[int, ReminderPreference] = {}
        self.default_pref = ReminderPreference()  # the field defaults, for users without a row
        self.pref_agencies: dict[int, set[int]] = defaultdict(set)
        self.pref_orders: dict[int, set[int]] = defaultdict(set)
        self.all_agency: int | None = None
        self.anyone_with_agency: set[int] = set()
        self.parent_of: dict[int, int] = {}  # empty when parents do not act for components
        self.lines: dict[int, frozenset[int]] = {}  # an agency and its ancestors, made once

    @classmethod
    def load(cls, obligations):
        """obligations: a queryset of the obligations to remind of."""
        self = cls()
        active = get_user_model().objects.filter(is_active=True).exclude(email="").values("id")
        for agency_id, user_id in Agency.objects.filter(group__user__in=active).values_list(
            "id", "group__user"
        ):
            self.by_agency[agency_id].add(user_id)
            self.anyone_with_agency.add(user_id)
        self.all_agency = Agency.objects.filter(name=ALL).values_list("id", flat=True).first()
        if hierarchy.parents_act():
            self.parent_of = hierarchy.parent_map()
        self.order_of = dict(obligations.values_list("id", "order_id"))
        # Whole tables (a row or two per obligation), filtered here: no list of ids to send.
        through = Agency.obligations.through.objects.values_list("obligation_id", "agency_id")
        for obligation_id, agency_id in through:
            if obligation_id in self.order_of:
                self.agencies_of[obligation_id].add(agency_id)
        follows = Follow.objects.filter(user_id__in=active).values_list("obligation_id", "user_id")
        for obligation_id, user_id in follows:
            if obligation_id in self.order_of:
                self.followers[obligation_id].add(user_id)
        for pref in ReminderPreference.objects.filter(user_id__in=active):
            self.prefs[pref.user_id] = pref
        through = ReminderPreference.agencies.through.objects.all()
        for pref_user, agency_id in through.values_list("reminderpreference__user_id", "agency_id"):
            self.pref_agencies[pref_user].add(agency_id)
        through = ReminderPreference.orders.through.objects.all()
        for pref_user, order_id in through.values_list("reminderpreference__user_id", "order_id"):
            self.pref_orders[pref_user].add(order_id)
        return self

    def wanting(self, obligation_id, agency_id=None) -> list[tuple[int, ReminderPreference]]:
        """(user id, preferences) of everyone to remind of this track (agency_id None: the
        shared one), by user id."""
        return [
            (user_id, self.pref(user_id))
            for user_id in sorted(self.recipients(obligation_id, agency_id))
            if self.wants(user_id, obligation_id, agency_id)
        ]

    def scope(self, obligation_id, agency_id=None) -> set[int]:
        """The agencies whose staff hear of a track: its own agency, or all the obligation's
        for a shared track; and the agencies above them."""
        own = self.agencies_of[obligation_id] if agency_id is None else (agency_id,)
        return set().union(*(self.line(a) for a in own))

    def line(self, agency_id) -> frozenset[int]:
        if agency_id not in self.lines:
            above = hierarchy.ancestors(agency_id, self.parent_of)
            self.lines[agency_id] = frozenset({agency_id, *above})
        return self.lines[agency_id]

    def recipients(self, obligation_id, agency_id=None) -> set[int]:
        agencies = self.scope(obligation_id, agency_id)
        users = set().union(*(self.by_agency[a] for a in agencies))
        if self.all_agency in agencies:
            users |= self.anyone_with_agency  # "all agencies": every agency's staff
        return users | self.followers[obligation_id]

    def pref(self, user_id) -> ReminderPreference:
        return self.prefs.get(user_id) or self.default_pref

    def wants(self, user_id, obligation_id, agency_id=None) -> bool:
        pref = self.pref(user_id)
        if pref.paused:
            return False
        if user_id in self.followers[obligation_id]:
            return True  # following is asking for it
        chosen_agencies, chosen_orders = self.pref_agencies[user_id], self.pref_orders[user_id]
        if chosen_orders and self.order_of.get(obligation_id) not in chosen_orders:
            return False
        return not chosen_agencies or bool(chosen_agencies & self.scope(obligation_id, agency_id))


# Sending ----------------------------------------------------------------------------------------


class Step(Enum):
    """What _send_to did, and so what the loop over people does next."""

    MORE = "a batch went out"  # the person may have another batch waiting
    DONE = "nothing left to claim"  # for this person, or another worker got it first
    DOWN = "the server is gone"  # the rest waits for the next run
    LATE = "the time budget is spent"  # likewise, and result.left says how many


def due(now):
    return Reminder.objects.filter(state=Reminder.State.PENDING, send_after__lte=now)


def send_due(now: datetime, result: RunResult, *, connection=None, deadline=None) -> None:
    """Claim and send, one person at a time, until nothing due is left, the server is down or
    the time budget is spent."""
    deadline = budget_deadline() if deadline is None else deadline
    connection = connection or get_connection()
    users = list(due(now).values_list("user_id", flat=True).distinct().order_by("user_id"))
    try:
        connection.open()
    except (OSError, smtplib.SMTPException) as error:
        log.warning("mail server unreachable: %s", error)
        return
    try:
        _send_all(users, now, connection, result, deadline)
    finally:
        try:
            connection.close()
        except (OSError, smtplib.SMTPException):
            pass


@dataclass
class PersonRun:
    """One person's part of a run: their preferences, read once, and the messages begun to
    them, which REMINDER_MAX_PER_PERSON caps."""

    pref: ReminderPreference | None = None
    messages: int = 0


def _send_all(users, now, connection, result, deadline) -> None:
    for user_id in users:
        person = PersonRun()
        while (step := _send_to(user_id, now, connection, result, deadline, person)) is Step.MORE:
            pass  # a person may have more than one batch waiting
        if step is Step.DOWN:
            return
        if step is Step.LATE:
            result.left = due(now).count()
            log.warning("reminder run out of time; %d due reminders left", result.left)
            return


def _claim(user_id, now, limit=DIGEST_MAX) -> tuple[str, list[int]] | None:
    """(token, the ids tried): the rows among them that now hold the token are this run's."""
    # Nearest due dates first: past a person's cap, the later ones are what goes in the digest.
    mine = due(now).filter(user_id=user_id).order_by("occurrence__due", "id")
    ids = list(mine.values_list("id", flat=True)[:limit])
    token = uuid.uuid4().hex
    still_pending = due(now).filter(pk__in=ids)  # the conditional UPDATE
    claimed = still_pending.update(state=Reminder.State.CLAIMED, claim=token, claimed_at=now)
    return (token, ids) if claimed else None


def _send_to(user_id, now, connection, result, deadline, person=None) -> Step:
    """Claim all of a person's due reminders and send them: one digest, or (one e-mail per due
    date) a message each while the cap leaves room, then one message with the rest and the
    weekly overdue reminders."""
    if clock.monotonic() >= deadline:
        return Step.LATE  # checked before claiming: a claim not sent only delays the rows
    person = PersonRun() if person is None else person
    if person.pref is None:  # their preferences decide what is stale and how it is sent
        mine = ReminderPreference.objects.filter(user_id=user_id).first()
        person.pref = mine or ReminderPreference()
    pref = person.pref
    room = settings.REMINDER_MAX_PER_PERSON - person.messages
    if pref.digest and person.messages == 0 and _digest_sent_today(user_id, now):
        _postpone(user_id, now)
        return Step.DONE
    claim = _claim(user_id, now)
    if claim is None:
        return Step.DONE
    token, ids = claim
    mine = list(
        # by primary key: there is no index on `claim`, and the table only grows
        Reminder.objects.filter(pk__in=ids, claim=token, state=Reminder.State.CLAIMED)
        .select_related(*MESSAGE_RELATED)
        .only(*MESSAGE_FIELDS)
        .annotate(tracks=TRACKS)
        .order_by("occurrence__due", "id")
    )
    live = _drop_stale(mine, pref, now, result)
    if not live:
        return Step.MORE
    if pref.digest or room <= 0:
        batches = [live]
    else:
        singles = [r for r in live if not is_weekly_overdue(r.kind)][:room]
        alone = {r.pk for r in singles}
        rest = [r for r in live if r.pk not in alone]
        batches = [[r] for r in singles] + ([rest] if rest else [])
    return _send_batches(connection, batches, token, now, result, deadline, person)


def _digest_sent_today(user_id, now) -> bool:
    return Reminder.objects.filter(
        user_id=user_id, state=Reminder.State.SENT, sent_at__gte=send_time(local_today(now))
    ).exists()


def _postpone(user_id, now) -> None:
    """A daily digest is one message a day: what became due to a person after today's went out
    (a new follow, a new order) waits for tomorrow's. Tomorrow's run cancels what is no longer
    relevant then and plans what is (a reminder for today's due date becomes "newly overdue").
    A conditional update of pending rows only: a claim another worker holds is left alone."""
    tomorrow = send_time(local_today(now) + timedelta(days=1))
    due(now).filter(user_id=user_id).update(send_after=tomorrow)


def _send_batches(connection, batches, token, now, result, deadline, person) -> Step:
    """Send one person's claimed messages in turn, each only while the budget lasts: a claim
    can hold hundreds of messages, far more than the budget leaves room for on a slow server."""
    user = batches[0][0].user
    links = emails.reminder_links(user)  # the same in each of this person's messages
    why = _why(user.pk, [r for batch in batches for r in batch])
    for i, batch in enumerate(batches):
        if clock.monotonic() >= deadline:
            _release([r for rest in batches[i:] for r in rest], token)
            return Step.LATE
        outcome = _deliver(connection, user, batch, now, links, why)
        person.messages += 1
        _record(batch, token, outcome, now, result)
        if outcome.down:
            for rest in batches[i + 1 :]:
                _record(rest, token, outcome, now, result, attempted=False)
            return Step.DOWN
    return Step.MORE


def _why(user_id, rows) -> dict[int, str]:
    """Why the person hears of each reminded track (by reminder id): they follow the obligation,
    or it is their agency's (or an agency their agency acts for). Two queries a person."""
    follows = set(Follow.objects.filter(user_id=user_id).values_list("obligation_id", flat=True))
    rows_of_mine = Agency.objects.filter(group__user=user_id)
    agencies = {
        pk: short or name
        for pk, short, name in rows_of_mine.values_list("id", "abbreviation", "name")
    }
    yours = ", ".join(sorted(agencies.values())) or "your agency"
    why = {}
    for row in rows:
        occurrence = row.occurrence
        if occurrence.obligation_id in follows:
            why[row.pk] = "you follow this obligation"
        elif occurrence.agency_id in agencies:
            why[row.pk] = f"it is your agency's ({agencies[occurrence.agency_id]})"
        elif occurrence.agency_id:  # a component's track (ICE's, to DHS staff)
            track = occurrence.agency.abbreviation or occurrence.agency.name
            why[row.pk] = f"it is {track}'s, and your agency ({yours}) acts for it"
        else:  # a shared track, or every agency's
            why[row.pk] = f"your agency ({yours}) answers for it"
    return why


def _release(rows, token) -> None:
    """Claimed rows never tried go back to pending as they were: due now, no attempt counted,
    so the next run (or another worker right away) sends them."""
    Reminder.objects.filter(pk__in=[r.pk for r in rows], claim=token).update(
        state=Reminder.State.PENDING, claim=""
    )


def _drop_stale(rows, pref, now, result) -> list[Reminder]:
    """Cancel what is no longer relevant: done meanwhile, or replaced by a later reminder."""
    today = local_today(now)
    live, stale = [], []
    for row in rows:
        current = current_kind(row.occurrence.due, today, pref)
        obligation = row.occurrence.obligation
        done = row.occurrence.status not in Occurrence.PENDING or obligation.withdrawn_by_id
        (stale if done or pref.paused or current != row.kind else live).append(row)
    if stale:
        result.cancelled += Reminder.objects.filter(pk__in=[r.pk for r in stale]).update(
            state=Reminder.State.CANCELLED, claim="", last_error="no longer relevant"
        )
    return live


@dataclass
class Outcome:
    sent: bool = False
    permanent: bool = False
    down: bool = False
    error: str = ""


def _deliver(connection, user, batch, now, links, why) -> Outcome:
    today = local_today(now)
    items = [_item(r, today, why.get(r.pk, "")) for r in batch]
    message = emails.reminder(user, items, today, links)
    try:
        connection.send_messages([message])  # what message.send() does, given the connection
    except smtplib.SMTPRecipientsRefused as error:
        codes = [code for code, _ in error.recipients.values()]
        return Outcome(permanent=all(c >= 500 for c in codes), error=str(error.recipients)[:500])
    except smtplib.SMTPResponseException as error:
        permanent = error.smtp_code >= 500
        return Outcome(permanent=permanent, error=f"{error.smtp_code} {error.smtp_error!r}"[:500])
    except (OSError, smtplib.SMTPException) as error:  # connection refused, dropped, timed out
        return Outcome(down=True, error=repr(error)[:500])
    return Outcome(sent=True)


def _record(batch, token, outcome, now, result, attempted=True) -> None:
    """Mark the claimed rows after the server answered; only rows this run holds change. One
    UPDATE statement, atomic by itself: no transaction around it to pay for per message."""
    ids = [r.pk for r in batch]
    if outcome.sent:
        result.sent += _mark_sent(ids, token, now)
        return
    rows = Reminder.objects.filter(pk__in=ids, claim=token)
    if outcome.permanent:
        result.failed += rows.update(
            state=Reminder.State.FAILED, attempts=F("attempts") + 1,
            last_error=outcome.error, claim="",
        )  # fmt: skip
    else:
        attempts = max(r.attempts for r in batch) + int(attempted)
        result.retry += rows.update(
            state=Reminder.State.PENDING, attempts=F("attempts") + int(attempted), claim="",
            send_after=now + backoff(attempts), last_error=outcome.error or "not tried",
        )  # fmt: skip


def _mark_sent(ids, token, now) -> int:
    """What rows.update(state=SENT, sent_at=now, claim="") does, in plain SQL: this runs once
    per message, and building the query with the ORM cost five times as much as running it."""
    table = db.ops.quote_name(Reminder._meta.db_table)
    marks = ", ".join(["%s"] * len(ids))
    sql = (
        f"UPDATE {table} SET state = %s, sent_at = %s, claim = '' "
        f"WHERE claim = %s AND id IN ({marks})"
    )
    sent_at = db.ops.adapt_datetimefield_value(now)
    with db.cursor() as cursor:
        cursor.execute(sql, [Reminder.State.SENT.value, sent_at, token, *ids])
        return cursor.rowcount


def backoff(attempts: int) -> timedelta:
    """5 minutes, 10, 20, ... at most 6 hours."""
    return min(timedelta(minutes=5 * 2 ** max(attempts - 1, 0)), timedelta(hours=6))


# What _send_to loads per reminder: what _drop_stale, _record and _item read, no more.
MESSAGE_RELATED = ("user", "occurrence__agency", "occurrence__obligation__order")
MESSAGE_FIELDS = (
    "kind", "attempts", "user__username", "user__first_name", "user__last_name", "user__email",
    "occurrence__due", "occurrence__status", "occurrence__explanation",
    "occurrence__agency__abbreviation", "occurrence__agency__name",
    "occurrence__obligation__section", "occurrence__obligation__action",
    "occurrence__obligation__rule", "occurrence__obligation__quote",
    "occurrence__obligation__actors", "occurrence__obligation__withdrawn_by",
    "occurrence__obligation__order__kind",
    "occurrence__obligation__order__number", "occurrence__obligation__order__title",
)  # fmt: skip


# How many tracks the reminded due date has, read with the message rows: a message names the
# track's agency only when there are several (DHS's and DOJ's reports of one due date).
TRACKS = Subquery(
    Occurrence.objects.filter(
        obligation=OuterRef("occurrence__obligation"), sequence=OuterRef("occurrence__sequence")
    )
    .order_by()
    .values("obligation")
    .annotate(n=Count("id"))
    .values("n")
)


def _item(reminder, today, why="") -> dict:
    occurrence = reminder.occurrence
    obligation = occurrence.obligation
    agency = occurrence.agency if reminder.tracks > 1 else None
    return {
        "reminder": reminder,
        "group": _group(occurrence.due, today),
        "why": why,
        "state": occurrence.get_status_display().lower(),
        "agency": (agency.abbreviation or agency.name) if agency else "",
        "when": _when(reminder.kind, occurrence.due, today),
        "order": obligation.order.short_name,
        "section": obligation.section,
        "action": obligation.action,
        "label": obligation.label,
        "actors": "; ".join(obligation.actors),
        "due": occurrence.due,
        "due_label": _due_label(occurrence.due, translation.get_language()),
        "explanation": occurrence.explanation.split("; Sec.")[0],
        "url": emails.absolute(occurrence.get_absolute_url()),
    }


@lru_cache(maxsize=1024)
def _due_label(due, language) -> str:
    """ "Tuesday, 2017-04-25". The template's date filter cost about a fifth of building a
    message, and a run has few distinct due dates: each is formatted once (per language)."""
    return dateformat.format(due, "l, Y-m-d")


def _group(due, today) -> str:
    """Where an item goes in a digest: emails.GROUPS."""
    days = (due - today).days
    if days >= 0:
        return "week" if days <= 7 else "later"
    return "new" if days >= -7 else "backlog"


def _when(kind, due, today) -> str:
    days = (due - today).days
    if kind.startswith("overdue"):
        return f"Overdue by {-days} day{'s' if -days != 1 else ''}"
    if days == 0:
        return "Due today"
    return f"Due in {days} day{'s' if days != 1 else ''}"


def failed(user=None):
    """Reminders that could not be sent, for the dashboard."""
    rows = Reminder.objects.filter(state=Reminder.State.FAILED)
    if user is not None and not user.is_superuser:
        rows = rows.filter(Q(user=user))
    return rows.select_related("user", "occurrence__obligation__order").defer(
        "occurrence__obligation__order__text"
    )
