"""Writing an extraction to the database: one transaction, idempotent. What an order does to
other orders (a revocation) is only proposed here; a permitted person applies it (effects.py)."""

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from obligations import dependencies, drafts
from obligations.agencies import agency_for, each_agency, resolver
from obligations.extraction import extract
from obligations.extraction.citations import citations
from obligations.models import (
    Agency,
    Obligation,
    Occurrence,
    OccurrenceCount,
    Order,
    OrderEffect,
    OrderVersion,
)
from obligations.schedule import Conventions
from obligations.tracks import track_agencies


@dataclass
class ImportResult:
    order: Order
    # created: a new order; unchanged: this very text is stored already (nothing written);
    # pending: a new text of a stored order, waiting for review as `version`.
    outcome: str = "created"
    version: object = None
    changes: object = None  # the pending version's change list (changesets.ChangeSet)
    # (section, actor) of each actor that names no known agency: kept as text, for review.
    flagged: list = field(default_factory=list)
    counts: dict = field(default_factory=lambda: dict.fromkeys(
        ("order_created", "obligations_created", "obligations_updated", "occurrences_created",
         "occurrences_updated", "marked_not_required", "marked_unmet", "effects_proposed"),
        0))  # fmt: skip

    def summary(self) -> str:
        if self.outcome == "unchanged":
            return (f"{self.order}: already imported, nothing changed (the same text as its "
                    f"text {self.version.number}, {self.version.state}).")  # fmt: skip
        if self.outcome == "pending":
            return (f"{self.order}: a new text (text {self.version.number}) waits for review; "
                    f"nothing changes until it is applied: {self.changes.summary()}.")  # fmt: skip
        c = self.counts
        verb = "created" if c["order_created"] else "updated"
        text = (
            f"{self.order} {verb}: obligations {c['obligations_created']} new, "
            f"{c['obligations_updated']} changed; occurrences {c['occurrences_created']} new, "
            f"{c['occurrences_updated']} changed; {c['marked_not_required']} marked not required"
        )
        if c["marked_unmet"]:
            text += f", {c['marked_unmet']} unmet"
        if c["effects_proposed"]:
            n = c["effects_proposed"]
            text += f"; {n} change{'s' * (n > 1)} to other orders proposed for review"
        if self.unresolved:
            n = len(self.unresolved)
            text += (f"; {n} actor{'s' * (n > 1)} name{'s' * (n == 1)} no known agency "
                     "(kept as text, for review)")  # fmt: skip
        return text

    @property
    def unresolved(self) -> list[str]:
        """The actors, each once, that name no known agency."""
        return list(dict.fromkeys(actor for _, actor in self.flagged))

    def review_lines(self) -> list[str]:
        """One line per actor that names no known agency (what the import commands print)."""
        return [f"for review: Sec. {section}: {actor} (names no known agency)"
                for section, actor in self.flagged]  # fmt: skip


class EffectError(ValueError):
    """An effect on another order that cannot be (or not now): refused, nothing written."""


@dataclass(frozen=True)
class Cause:
    """What the history rows of a bulk change name: who (None: the system), and the conventions
    change or order effect behind it, so that undoing the cause can find what it closed."""

    by: object = None
    obligation_change: object = None
    effect: object = None
    note: str = ""  # appended to each row's own note
    closed_on: object = None  # the day what it closes stopped being due (a series suspended)

    def record(self, occurrence, status, note, **fields):
        occurrence.change_status(
            status, by=self.by, note=f"{note} {self.note}".strip(), effect=self.effect,
            obligation_change=self.obligation_change, **fields,
        )  # fmt: skip


SYSTEM = Cause()


def import_text(text, *, signed=None, kind=None, source="", by=None) -> ImportResult:
    """Extract and store an order. Any error leaves the database as it was."""
    return store(extract(text, signed=signed, kind=kind), source=source, by=by)


def store(extraction, *, source="", by=None) -> ImportResult:
    """Write an extraction (perhaps corrected by a person) in one transaction: a new order with
    its text as version 1, or, for an order already stored, its new text as a pending version
    (revisions.py applies it); the same text again writes nothing. `by`, the importing user, is
    named as the importer and as the proposer of the order's effects on other orders."""
    data = as_json(extraction)
    sha = hashlib.sha256(extraction.text.encode()).hexdigest()
    # A new order's due dates are worked out before the transaction: on SQLite it holds the
    # write lock, and every other write waits for it (issue 16).
    plan = None if stored_order(data["order"]) else plan_occurrences(data)
    with transaction.atomic():
        known = known_text(extraction)
        if known:
            return ImportResult(known.order, outcome="unchanged", version=known)
        order = stored_order(data["order"])
        if order:
            from obligations import revisions  # revisions builds on this module

            version = revisions.propose(order, extraction.text, data, source=source, by=by)
            return ImportResult(order, "pending", version, revisions.changes(version))
        return _create(extraction.text, data, sha, source, by, plan)


def known_text(extraction):
    """The stored version (of any order) with exactly this text, if any."""
    sha = hashlib.sha256(extraction.text.encode()).hexdigest()
    return OrderVersion.objects.filter(text_sha256=sha).select_related("order").first()


def as_json(extraction) -> dict:
    """An extraction as a version keeps it: the order's facts and the obligations found."""
    info = extraction.order
    day = lambda d: d.isoformat() if d else None
    order = {
        "number": info.number or "", "title": info.title or "", "kind": kind_of(info.kind),
        "signed": day(info.signed), "effective": day(info.effective),
        "published": day(info.published), "revokes": info.revokes, "amends": info.amends,
        "citation": info.citation or "", "source": info.source or "",
        "implements": info.implements,
    }  # fmt: skip
    default = info.implements[0] if len(info.implements) == 1 else None
    rows = [_row(found, default) for found in extraction.obligations]
    return {"order": order, "obligations": rows, "dropped": list(extraction.dropped)}


def _row(found, default=None) -> dict:
    return {
        "cites": citations(found.quote, default),
        "source_key": drafts.source_key(found), "section": found.section,
        "actors": list(found.actors), "action": found.action[:300], "quote": found.quote,
        "start": found.start, "end": found.end, "rule": found.rule.to_dict(),
        "anchor_text": found.anchor_text[:300], "corrections": dict(found.corrections),
    }  # fmt: skip


def stored_order(info):
    """The stored order a new text belongs to: the same number (and kind), or for an unnumbered
    document the same title and signing date."""
    orders = Order.objects.defer("text").filter(kind=info["kind"])
    if info["number"]:
        return orders.filter(number=info["number"]).first()
    if info["title"] and info["signed"]:
        return orders.filter(number="", title=info["title"], signed=info["signed"]).first()
    return None


def order_fields(info) -> dict:
    """The Order columns of a version's facts."""
    day = lambda d: date.fromisoformat(d) if d else None
    return {
        "number": info["number"], "title": info["title"], "kind": info["kind"],
        "signed": day(info["signed"]), "effective": day(info["effective"]),
        "published": day(info["published"]), "revokes": info["revokes"],
        "amends": info["amends"], "citation": info["citation"],
        "implements_numbers": info.get("implements", []),
    }  # fmt: skip


def _create(text, data, sha, source, by, plan=None):
    fields = order_fields(data["order"])
    order = Order.objects.create(
        **fields, text=text, text_sha256=sha, source=source or data["order"]["source"]
    )
    version = OrderVersion.objects.create(
        order=order, number=1, text=text, text_sha256=sha, source=order.source, imported_by=by,
        state=OrderVersion.State.APPLIED, extraction=data, decided_at=order.imported_at,
        decided_by=by,
    )  # fmt: skip
    result = ImportResult(order)
    result.counts["order_created"] = 1
    keys, agencies = set(), {}  # what this import has made so far: no query per row for them
    resolve = resolver(text)  # reads the order's titles once, if a bare one needs them
    plan = plan_occurrences(data) if plan is None else plan
    dues = {}
    for row, planned in zip(data["obligations"], plan, strict=True):
        obligation = create_obligation(
            order, version, row, keys=keys, agencies=agencies, resolve=resolve
        )
        dues[obligation.pk] = planned
        result.flagged += [(obligation.section, actor) for actor in obligation.unresolved_actors]
        result.counts["obligations_created"] += 1
    link_dependencies(order)
    link_implementations(order)
    result.counts["effects_proposed"] = propose_effects(order, by)
    rows = []  # in the order sync_occurrences made them: by obligation, due date, track
    for obligation in order.obligations.prefetch_related("agencies"):
        tracks = [agency.pk if agency else None for agency in tracks_of(obligation)]
        rows += [(obligation.pk, track, *due) for due in dues[obligation.pk] for track in tracks]
    result.counts["occurrences_created"] = insert_occurrences(rows)
    return result


def plan_occurrences(data) -> list[list[tuple]]:
    """The due dates of each obligation of a new order's extraction (importers.as_json), in its
    order: (sequence, due, explanation, period start, period end), dates ready for the database.
    Pure computation, made before the import's transaction: a new obligation has no series
    changes and counts only from its order's dates (one counted from another obligation's
    completion has no date yet), so this is what sync_occurrences would compute."""
    order = Order(**order_fields(data["order"]))
    conventions = default_conventions()
    day = _day_adapter()
    plan = []
    for row in data["obligations"]:
        obligation = Obligation(order=order, conventions=conventions, **obligation_fields(row))
        plan.append([_due_values(obligation, due, day) for due in obligation.due_dates()])
    return plan


def _day_adapter():
    """Date -> the database's value for a DateField, each distinct date adapted once."""
    adapt, seen = connection.ops.adapt_datefield_value, {}

    def day(value):
        if value not in seen:
            seen[value] = adapt(value)
        return seen[value]

    return day


def _due_values(obligation, due, day) -> tuple:
    """(sequence, due, explanation, period start, period end) as insert_occurrences takes them."""
    text = obligation.explain(due.explanation)
    return (due.sequence, day(due.date), text, day(due.period_start), day(due.period_end))


# The columns insert_occurrences is given per row; the others take their defaults.
NEW_OCCURRENCE = ("obligation", "agency", "sequence", "due", "explanation", "period_start",
                  "period_end")  # fmt: skip
INSERT_BATCH = 5000


def insert_occurrences(rows) -> int:
    """Write new occurrences (open, version 0, no history): `rows` of (obligation id, agency id
    or None, sequence, due, explanation, period start, period end), dates as the database takes
    them (_day_adapter). One prepared INSERT run over the rows in batches: the ORM's
    bulk_create prepares every value of every row in Python, which took 3.5 s of the 8 s an
    order of 190 weekly obligations (39,520 occurrences) held SQLite's write lock, and this
    takes a third of it (bench/import_lock.py). Returns how many were written."""
    if not rows:
        return 0
    meta, quote = Occurrence._meta, connection.ops.quote_name
    given = [meta.get_field(name) for name in NEW_OCCURRENCE]
    rest = [f for f in meta.concrete_fields if not f.primary_key and f not in given]
    stamp = {"updated_at": timezone.now()}  # one change stamp for the import (versions.py)
    defaults = tuple(f.get_db_prep_save(stamp.get(f.name, f.get_default()), connection)
                     for f in rest)  # fmt: skip
    columns = ", ".join(quote(f.column) for f in [*given, *rest])
    sql = (f"INSERT INTO {quote(meta.db_table)} ({columns}) "
           f"VALUES ({', '.join(['%s'] * (len(given) + len(rest)))})")  # fmt: skip
    status = meta.get_field("status").get_default()
    with transaction.atomic(), connection.cursor() as cursor:
        for start in range(0, len(rows), INSERT_BATCH):
            cursor.executemany(
                sql, [(*row, *defaults) for row in rows[start : start + INSERT_BATCH]]
            )
        OccurrenceCount.add(Counter((status, row[3]) for row in rows))
    return len(rows)


def tracks_of(obligation) -> list:
    """The agency of each track of the obligation's due dates (None: one shared track)."""
    agencies = sorted(obligation.agencies.all(), key=lambda a: a.pk)  # a prefetch serves it
    return track_agencies(agencies, obligation.quote)


def kind_of(kind):
    kind = (kind or "").lower()
    if kind.startswith("memo"):
        return Order.Kind.MEMORANDUM
    return kind if kind in Order.Kind.values else Order.Kind.EXECUTIVE_ORDER


def default_conventions() -> dict:
    return Conventions.from_dict(settings.OBLIGATION_DEFAULTS).to_dict()


def create_obligation(order, version, row, *, keys=None, agencies=None, resolve=None):
    """A new obligation from a version's row, pointing into that version's text. A new order's
    import passes `keys` (the keys it has used) and `agencies` (name: Agency) to save queries."""
    key = base = Obligation.make_key(row["section"], row["quote"], row["rule"])
    taken = keys if keys is not None else set(
        order.obligations.filter(key__startswith=base).values_list("key", flat=True)
    )  # fmt: skip
    n = 1
    while key in taken:  # the same sentence again (a section repeats it, or a withdrawn one)
        n += 1
        key = f"{base}-{n}"
    taken.add(key)
    resolve = resolve or resolver(version.text if version else order.text)
    known = {} if agencies is None else agencies
    found = {actor: _agencies(actor, known, resolve) for actor in row["actors"]}
    obligation = Obligation.objects.create(
        order=order, version=version, key=key, conventions=default_conventions(),
        unresolved_actors=[actor for actor, each in found.items() if not each],
        **obligation_fields(row),
    )  # fmt: skip
    obligation.agencies.add(*{agency for each in found.values() for agency in each})
    return obligation


def _agencies(actor, known, resolve=agency_for):
    """The Agencies of the table the actor names (each made the first time), or []: an actor
    that names no known agency never makes one (issue 15). `resolve`: agency_for, or an order's
    resolver (agencies.resolver), which also reads the order's bare short forms."""
    found = []
    for name, abbreviation in each_agency(actor, resolve):
        if name not in known:
            known[name] = Agency.named(name, abbreviation)
        found.append(known[name])
    return found


def _flag(obligation, unresolved):
    """Keep the actors that name no known agency on the obligation, for review."""
    unresolved = list(dict.fromkeys(unresolved))
    if obligation.unresolved_actors != unresolved:
        obligation.unresolved_actors = unresolved
        obligation.save(update_fields=["unresolved_actors", "updated"])


def obligation_fields(row) -> dict:
    return {
        "section": row["section"], "actors": row["actors"], "action": row["action"][:300],
        "quote": row["quote"], "span_start": row["start"], "span_end": row["end"],
        "rule": row["rule"], "anchor_text": row["anchor_text"][:300],
        "source_key": row["source_key"], "corrections": row.get("corrections") or {},
        "cites": row.get("cites", []),
    }  # fmt: skip


def set_agencies(obligation, actors):
    """The agencies the actors name; those that name none are flagged on the obligation."""
    version = obligation.version
    resolve = resolver(version.text if version else obligation.order.text)
    found = {actor: _agencies(actor, {}, resolve) for actor in actors}
    agencies = {agency for each in found.values() for agency in each}
    if set(obligation.agencies.all()) != agencies:
        obligation.agencies.set(agencies)
        obligation.save(update_fields=["updated"])  # the data version moves (versions.py)
    _flag(obligation, [actor for actor, each in found.items() if not each])


def link_dependencies(order):
    """ "Within 30 days of the completion of the review", "of receipt of the reports described in
    subsection (c)": count from the obligation the order names (dependencies.target)."""
    active = order.obligations.filter(withdrawn_by=None)
    rows = list(active.values_list("pk", "section", "action"))
    for obligation in active.exclude(rule__anchor__in=["order", "effective"]):
        others = [row for row in rows if row[0] != obligation.pk]
        target = dependencies.target(obligation.get_rule().anchor, obligation.section, others)
        if obligation.depends_on_id != target:
            Obligation.objects.filter(pk=obligation.pk).update(
                depends_on_id=target, updated=timezone.now()
            )


def link_implementations(order):
    """Link the documents that implement an order and the orders they implement (by number, or
    by title when a memo names the order only by title), whichever is imported first."""
    refs = order.implements_numbers
    if refs:
        targets = [
            o for o in Order.objects.exclude(pk=order.pk).defer("text") if implements(refs, o)
        ]
        order.implements.add(*targets)
    for memo in Order.objects.exclude(pk=order.pk).exclude(implements_numbers=[]).defer("text"):
        if implements(memo.implements_numbers, order):
            memo.implements.add(order)


def implements(refs, order) -> bool:
    """Whether one of `refs` (citations.cited_orders) names `order`."""
    names = {order.number} if order.number else set()
    names.add(f"title:{order.title}".casefold())
    return any(ref.casefold() in names or ref in names for ref in refs)


def propose_effects(order, by) -> int:
    """Propose, never apply, the revocations and amendments between this order and those
    stored: what it revokes or amends, and what revokes or amends it (whichever is imported
    first). Returns how many are new."""
    pairs = [(order, revoked) for revoked in Order.objects.filter(number__in=order.revokes)
             .exclude(pk=order.pk)]  # fmt: skip
    if order.number:
        pairs += [(other, order) for other in Order.objects.exclude(pk=order.pk).exclude(revokes=[])
                  if order.number in other.revokes]  # fmt: skip
    from obligations.amending import propose_amendments  # it builds on this module

    return sum(_propose(s, t, by) for s, t in pairs) + propose_amendments(order, by)


def _propose(source, target, by) -> bool:
    from obligations.amending import revocation_date

    on = revocation_date(source, target)
    check_revocation(source, target, on)
    _, created = OrderEffect.objects.get_or_create(
        source=source, target=target, kind=OrderEffect.Kind.REVOKE,
        defaults={"on": on, "proposed_by": by},
    )  # fmt: skip
    return created


def check_revocation(source, target, on):
    """Refuse a revocation dated before the revoked order was signed: it cannot have ended
    anything then (two orders revoking each other would otherwise both end up revoked)."""
    if on and target.signed and on < target.signed:
        raise EffectError(
            f"{source.short_name} cannot revoke {target.short_name} as of {on}: that is before "
            f"it was signed ({target.signed})"
        )


def sync_occurrences(obligation, result=None, *, cause=SYSTEM, made=None):
    """Make the occurrences match the computed due dates, one per due date and track (each
    responsible agency's, or one shared), never overwriting a status people set. The history
    rows it writes name `cause` (the user, and the change or effect behind them). `made`: a
    list to add the new occurrences' rows to, for the caller to write them all at once
    (insert_occurrences); without it they are written here."""
    counts = result.counts if result else {}
    dues = [] if obligation.withdrawn_by_id else obligation.due_dates()
    tracks = tracks_of(obligation)
    existing = {(o.agency_id, o.sequence): o for o in obligation.occurrences.all()}
    current, new, day = set(), [], _day_adapter()
    for due in dues:
        text = obligation.explain(due.explanation)
        for agency in tracks:
            agency_id = agency.pk if agency else None
            current.add((agency_id, due.sequence))
            occurrence = existing.get((agency_id, due.sequence))
            if occurrence is None:
                dates = day(due.date), text, day(due.period_start), day(due.period_end)
                new.append((obligation.pk, agency_id, due.sequence, *dates))
                continue
            _reopen_if_due(occurrence, due.date, cause)
            if _move(occurrence, due, text):
                counts["occurrences_updated"] = counts.get("occurrences_updated", 0) + 1
    if made is None:
        insert_occurrences(new)
    else:
        made += new
    counts["occurrences_created"] = counts.get("occurrences_created", 0) + len(new)
    _retire(obligation, current, counts, cause)


def _move(occurrence, due, text) -> bool:
    """Give a pending occurrence its newly computed due date; True if anything changed."""
    new = (due.date, text, due.period_start, due.period_end)
    old = (occurrence.due, occurrence.explanation, occurrence.period_start, occurrence.period_end)
    if occurrence.status not in Occurrence.PENDING or new == old:
        return False
    moved = occurrence.due != due.date
    occurrence.due, occurrence.explanation = due.date, text
    occurrence.period_start, occurrence.period_end = due.period_start, due.period_end
    occurrence.version += int(moved)
    occurrence.updated_at = timezone.now()
    occurrence.save()
    return True


def _retire(obligation, current, counts, cause):
    """Close the pending occurrences that are no longer due: past a revocation or out of the
    series (not required), or passed unmet when the order was revoked."""
    for occurrence in obligation.occurrences.pending():
        in_series = (occurrence.agency_id, occurrence.sequence) in current
        closing = _closing(obligation, occurrence.due, in_series)
        if closing:
            status, note, closed_on = closing
            cause.record(occurrence, status, note, closed_on=closed_on or cause.closed_on)
            key = "marked_unmet" if status == Occurrence.Status.UNMET else "marked_not_required"
            counts[key] = counts.get(key, 0) + 1


def _closing(obligation, due, in_series):
    """(status, note, closed on) for an occurrence due on `due` that should not be pending."""
    if obligation.withdrawn_by_id:
        return _withdrawn(obligation, due)
    order = obligation.order
    revoked, revoker = order.revoked_on, order.revoked_by if order.revoked_on else None
    if revoked and due > revoked:
        note = f"Not required: {order} was revoked on {revoked} by {revoker}."
        return Occurrence.Status.NOT_REQUIRED, note, revoked
    if not in_series:
        note = "Not required: no longer a due date (or agency track) of this obligation."
        return Occurrence.Status.NOT_REQUIRED, note, None
    if revoked:
        note = f"Unmet: due {due}, never met, when {order} was revoked on {revoked} by {revoker}."
        return Occurrence.Status.UNMET, note, revoked
    return None


def _withdrawn(obligation, due):
    """A withdrawn obligation owes nothing more: from the start when its text was corrected
    (no date), or from the date an amendment took effect (what was due before is unmet)."""
    version, on = obligation.withdrawn_by, obligation.withdrawn_on
    why = f"no longer in the text of {obligation.order.short_name} (text {version.number}"
    why += f", by {version.caused_by.short_name})" if version.caused_by_id else ")"
    if on and due <= on:
        return Occurrence.Status.UNMET, f"Unmet: due {due}, never met; {why} as of {on}.", on
    return Occurrence.Status.NOT_REQUIRED, f"Not required: withdrawn, {why}.", on


BULK_CLOSED = (Occurrence.Status.NOT_REQUIRED, Occurrence.Status.UNMET)


def _reopen_if_due(occurrence, due, cause):
    """A due date back in the series reopens an occurrence a bulk effect (a conventions change,
    an order effect) closed, unless a person changed it since."""
    if occurrence.status not in BULK_CLOSED or _closing(occurrence.obligation, due, True):
        return
    last = occurrence.history.first()
    bulk = last and (last.obligation_change_id or last.effect_id)
    if bulk and last.to_status == occurrence.status:
        reopen(occurrence, last, cause)


def reopen(occurrence, closing, cause):
    """Back to the status it had before `closing` (a history row) closed it."""
    cause.record(occurrence, closing.from_status, f"Reopened: closed on {closing.at:%Y-%m-%d} "
                 "by a bulk effect, due again.")  # fmt: skip
