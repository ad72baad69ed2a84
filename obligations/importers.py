"""Writing an extraction to the database: one transaction, idempotent. What an order does to
other orders (a revocation) is only proposed here; a permitted person applies it (effects.py)."""

import hashlib
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from obligations.agencies import agency_for
from obligations.extraction import extract
from obligations.models import Agency, Obligation, Occurrence, Order, OrderEffect
from obligations.schedule import Conventions
from obligations.tracks import track_agencies


@dataclass
class ImportResult:
    order: Order
    counts: dict = field(default_factory=lambda: dict.fromkeys(
        ("order_created", "obligations_created", "obligations_updated", "occurrences_created",
         "occurrences_updated", "marked_not_required", "marked_unmet", "effects_proposed"),
        0))  # fmt: skip

    def summary(self) -> str:
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
        return text


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
    """Write an extraction (perhaps corrected by a person) in one transaction. `by`, the
    importing user, is named as the proposer of the order's effects on other orders."""
    with transaction.atomic():
        order, created = _upsert_order(extraction, source)
        result = ImportResult(order)
        result.counts["order_created"] = int(created)
        for found in extraction.obligations:
            _upsert_obligation(order, found, result)
        _link_dependencies(order)
        result.counts["effects_proposed"] = _apply_revocations(order, by)
        for obligation in order.obligations.all():
            sync_occurrences(obligation, result)
    return result


def _upsert_order(extraction, source):
    info, text = extraction.order, extraction.text  # plain text: offsets point into it
    sha = hashlib.sha256(text.encode()).hexdigest()
    order = Order.objects.filter(text_sha256=sha).first()
    if order is None and info.number:
        order = Order.objects.filter(number=info.number, kind=_kind(info.kind)).first()
    values = {
        "number": info.number or "", "title": info.title or "", "kind": _kind(info.kind),
        "signed": info.signed, "effective": info.effective, "published": info.published,
        "revokes": info.revokes, "amends": info.amends, "text": text, "text_sha256": sha,
        "citation": info.citation or "", "source": source or info.source or "",
    }  # fmt: skip
    if order is None:
        return Order.objects.create(**values), True
    changed = {k: v for k, v in values.items() if getattr(order, k) != v}
    if changed:
        now = timezone.now()  # update() skips auto_now: `updated` is set by hand
        Order.objects.filter(pk=order.pk).update(**changed, imported_at=now, updated=now)
        order.refresh_from_db()
    return order, False


def _kind(kind):
    kind = (kind or "").lower()
    if kind.startswith("memo"):
        return Order.Kind.MEMORANDUM
    return kind if kind in Order.Kind.values else Order.Kind.EXECUTIVE_ORDER


def default_conventions() -> dict:
    return Conventions.from_dict(settings.OBLIGATION_DEFAULTS).to_dict()


def _upsert_obligation(order, found, result):
    rule = found.rule.to_dict()
    key = Obligation.make_key(found.section, found.quote, rule)
    values = {
        "section": found.section, "actors": found.actors, "action": found.action[:300],
        "quote": found.quote, "span_start": found.start, "span_end": found.end, "rule": rule,
        "anchor_text": found.anchor_text[:300],
    }  # fmt: skip
    obligation = order.obligations.filter(key=key).first()
    if obligation is None:
        obligation = Obligation.objects.create(
            order=order, key=key, conventions=default_conventions(), **values
        )
        result.counts["obligations_created"] += 1
    elif any(getattr(obligation, k) != v for k, v in values.items()):
        for k, v in values.items():
            setattr(obligation, k, v)
        obligation.save()
        result.counts["obligations_updated"] += 1
    agencies = [Agency.named(*agency_for(actor)) for actor in found.actors]
    if set(obligation.agencies.all()) != set(agencies):
        obligation.agencies.set(agencies)
        obligation.save(update_fields=["updated"])  # the data version moves (versions.py)
    return obligation


def _link_dependencies(order):
    """ "Within 30 days of the completion of the review": count from the obligation that
    orders that review, when the order has exactly one such obligation."""
    for obligation in order.obligations.exclude(rule__anchor__in=["order", "effective"]):
        words = obligation.get_rule().anchor.lower().split()
        nouns = [w for w in words if w not in {"of", "the", "a", "an", "completion", "submission",
                                               "publication", "issuance", "receipt", "release"}]  # fmt: skip
        matches = [
            other for other in order.obligations.exclude(pk=obligation.pk)
            if nouns and all(n in other.action.lower() for n in nouns[-1:])
        ]  # fmt: skip
        target = matches[0] if len(matches) == 1 else None
        if obligation.depends_on_id != (target.pk if target else None):
            Obligation.objects.filter(pk=obligation.pk).update(
                depends_on=target, updated=timezone.now()
            )


def _apply_revocations(order, by) -> int:
    """Propose, never apply, the revocations between this order and those stored: what it
    revokes, and what revokes it (whichever is imported first). Returns how many are new."""
    pairs = [(order, revoked) for revoked in Order.objects.filter(number__in=order.revokes)
             .exclude(pk=order.pk)]  # fmt: skip
    if order.number:
        pairs += [(other, order) for other in Order.objects.exclude(pk=order.pk).exclude(revokes=[])
                  if order.number in other.revokes]  # fmt: skip
    return sum(_propose(source, target, by) for source, target in pairs)


def _propose(source, target, by) -> bool:
    on = source.effective or source.signed
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


def sync_occurrences(obligation, result=None, *, cause=SYSTEM):
    """Make the occurrences match the computed due dates, one per due date and track (each
    responsible agency's, or one shared), never overwriting a status people set. The history
    rows it writes name `cause` (the user, and the change or effect behind them)."""
    counts = result.counts if result else {}
    tracks = track_agencies(list(obligation.agencies.order_by("id")), obligation.quote)
    existing = {(o.agency_id, o.sequence): o for o in obligation.occurrences.all()}
    dues = obligation.due_dates()
    current = set()
    for due in dues:
        text = obligation.explain(due.explanation)
        for agency in tracks:
            agency_id = agency.pk if agency else None
            current.add((agency_id, due.sequence))
            occurrence = existing.get((agency_id, due.sequence))
            if occurrence is None:
                Occurrence.objects.create(
                    obligation=obligation, agency=agency, sequence=due.sequence, due=due.date,
                    explanation=text, period_start=due.period_start, period_end=due.period_end,
                )  # fmt: skip
                counts["occurrences_created"] = counts.get("occurrences_created", 0) + 1
                continue
            _reopen_if_due(occurrence, due.date, cause)
            if _move(occurrence, due, text):
                counts["occurrences_updated"] = counts.get("occurrences_updated", 0) + 1
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
    order = obligation.order
    for occurrence in obligation.occurrences.pending():
        in_series = (occurrence.agency_id, occurrence.sequence) in current
        closing = _closing(order, occurrence.due, in_series)
        if closing:
            status, note, closed_on = closing
            cause.record(occurrence, status, note, closed_on=closed_on)
            key = "marked_unmet" if status == Occurrence.Status.UNMET else "marked_not_required"
            counts[key] = counts.get(key, 0) + 1


def _closing(order, due, in_series):
    """(status, note, closed on) for an occurrence due on `due` that should not be pending."""
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


BULK_CLOSED = (Occurrence.Status.NOT_REQUIRED, Occurrence.Status.UNMET)


def _reopen_if_due(occurrence, due, cause):
    """A due date back in the series reopens an occurrence a bulk effect (a conventions change,
    an order effect) closed, unless a person changed it since."""
    if occurrence.status not in BULK_CLOSED or _closing(occurrence.obligation.order, due, True):
        return
    last = occurrence.history.first()
    bulk = last and (last.obligation_change_id or last.effect_id)
    if bulk and last.to_status == occurrence.status:
        reopen(occurrence, last, cause)


def reopen(occurrence, closing, cause):
    """Back to the status it had before `closing` (a history row) closed it."""
    cause.record(occurrence, closing.from_status, f"Reopened: closed on {closing.at:%Y-%m-%d} "
                 "by a bulk effect, due again.")  # fmt: skip
