"""Writing an extraction to the database: one transaction, idempotent, revocations applied."""

import hashlib
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from obligations.agencies import agency_for
from obligations.extraction import extract
from obligations.models import Agency, Obligation, Occurrence, Order
from obligations.schedule import Conventions
from obligations.tracks import track_agencies


@dataclass
class ImportResult:
    order: Order
    counts: dict = field(default_factory=lambda: dict.fromkeys(
        ("order_created", "obligations_created", "obligations_updated", "occurrences_created",
         "occurrences_updated", "marked_not_required"), 0))  # fmt: skip

    def summary(self) -> str:
        c = self.counts
        verb = "created" if c["order_created"] else "updated"
        return (
            f"{self.order} {verb}: obligations {c['obligations_created']} new, "
            f"{c['obligations_updated']} changed; occurrences {c['occurrences_created']} new, "
            f"{c['occurrences_updated']} changed; {c['marked_not_required']} marked not required"
        )


def import_text(text, *, signed=None, kind=None, source="") -> ImportResult:
    """Extract and store an order. Any error leaves the database as it was."""
    return store(extract(text, signed=signed, kind=kind), source=source)


def store(extraction, *, source="") -> ImportResult:
    """Write an extraction (perhaps corrected by a person) in one transaction."""
    with transaction.atomic():
        order, created = _upsert_order(extraction, source)
        result = ImportResult(order)
        result.counts["order_created"] = int(created)
        for found in extraction.obligations:
            _upsert_obligation(order, found, result)
        _link_dependencies(order)
        _apply_revocations(order)
        for touched in _orders_to_sync(order):
            for obligation in touched.obligations.all():
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


def _apply_revocations(order):
    """This order revokes others, or an order already stored revokes this one."""
    for number in order.revokes:
        for revoked in Order.objects.filter(number=number).exclude(pk=order.pk):
            _revoke(revoked, order)
    if order.number:
        for other in Order.objects.exclude(pk=order.pk).exclude(revokes=[]):
            if order.number in other.revokes:
                _revoke(order, other)


def _revoke(revoked, by):
    when = by.effective or by.signed
    if (revoked.revoked_on, revoked.revoked_by_id) != (when, by.pk):
        Order.objects.filter(pk=revoked.pk).update(
            revoked_on=when, revoked_by=by, updated=timezone.now()
        )
    for obligation in revoked.obligations.filter(rule__kind="recurring"):
        end = when.isoformat() if when else None
        if obligation.conventions.get("end") != end:
            obligation.conventions = {**obligation.conventions, "end": end}
            obligation.save(update_fields=["conventions", "updated"])


def _orders_to_sync(order):
    return Order.objects.filter(pk=order.pk) | Order.objects.filter(revoked_by=order)


def sync_occurrences(obligation, result=None):
    """Make the occurrences match the computed due dates, one per due date and track (each
    responsible agency's, or one shared), never overwriting a status people set."""
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
            elif _move(occurrence, due, text):
                counts["occurrences_updated"] = counts.get("occurrences_updated", 0) + 1
    _retire(obligation, current, counts)


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


def _retire(obligation, current, counts):
    """Occurrences past a revocation, or no longer in the series, are not required."""
    order = obligation.order
    for occurrence in obligation.occurrences.pending():
        if order.revoked_on and occurrence.due > order.revoked_on:
            revoker = order.revoked_by
            note = f"Not required: {order} was revoked on {order.revoked_on} by {revoker}."
        elif (occurrence.agency_id, occurrence.sequence) not in current:
            note = "Not required: no longer a due date (or agency track) of this obligation."
        else:
            continue
        closed_on = (
            order.revoked_on if order.revoked_on and occurrence.due > order.revoked_on else None
        )
        occurrence.change_status(Occurrence.Status.NOT_REQUIRED, note=note, closed_on=closed_on)
        counts["marked_not_required"] = counts.get("marked_not_required", 0) + 1
