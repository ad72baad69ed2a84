"""One order amending another: "Section 5 of Executive Order 13768 is amended by striking
'within 90 days' and inserting 'within 120 days'", "... is amended to read as follows", "...
by adding a new section", "Section 3 of Executive Order N is revoked".

Whichever of the two is imported first, the amendment is proposed when both are stored: an
effect (kind amend) linking them both ways, carrying the instructions read from the amending
text and the target's text as they make it, as a pending version (revisions.py) dated by the
amending order. The same change list and review as any new text; nothing changes until a
permitted person applies it."""

from datetime import date

from obligations import revisions
from obligations.extraction import ExtractionError, extract
from obligations.extraction.amendments import (
    Amendment,
    AmendmentError,
    apply_amendments,
    find_amendments,
)
from obligations.importers import as_json
from obligations.models import Order, OrderEffect, OrderVersion

AMEND = OrderEffect.Kind.AMEND


def propose_amendments(order, by) -> int:
    """Propose the amendments between this order and those stored. Returns how many are new."""
    pairs = [(order, target) for target in Order.objects.filter(number__in=order.amends)
             .exclude(pk=order.pk)]  # fmt: skip
    if order.number:
        others = Order.objects.exclude(pk=order.pk).exclude(amends=[]).only("amends")
        pairs += [(Order.objects.get(pk=o.pk), order) for o in others if order.number in o.amends]
    return sum(_propose(source, target, by) for source, target in pairs)


def instructions(source, target) -> list[Amendment]:
    """What `source` does to the text of `target` (a whole revocation is an effect of its own)."""
    return [
        a for a in find_amendments(source.text)
        if a.target == target.number and not (a.op == "revoke" and a.section is None)
    ]  # fmt: skip


def _propose(source, target, by) -> bool:
    if OrderEffect.objects.filter(source=source, target=target, kind=AMEND).exists():
        return False
    found = instructions(source, target)
    if not found:
        return False
    effect = OrderEffect(
        source=source, target=target, kind=AMEND, on=_date(found[0].as_of, source),
        proposed_by=by, instructions=[a.to_dict() for a in found],
    )  # fmt: skip
    try:
        effect.version = build(effect, by)
    except (AmendmentError, ExtractionError) as error:
        effect.note = f"It could not be carried out on the text of {target.short_name}: {error}."
    effect.save()
    return True


def build(effect, by=None):
    """The target's current text as the effect's instructions make it, as a pending version."""
    target = effect.target
    amendments = [Amendment.from_dict(data) for data in effect.instructions]
    text = apply_amendments(target.text, amendments)
    data = as_json(extract(text))
    data["base"] = target.text_sha256  # the text it was made from (see rebase)
    return revisions.propose(
        target, text, data, source=f"as amended by {effect.source.short_name}", by=by,
        caused_by=effect.source, effective_on=effect.on,
    )  # fmt: skip


def rebase(effect):
    """A pending amendment made from an older text of its target is made again from the current
    one, so that applying it does not undo a text applied meanwhile."""
    version, target = effect.version, effect.target
    if version.extraction.get("base") == target.text_sha256:
        return version
    amendments = [Amendment.from_dict(data) for data in effect.instructions]
    text = apply_amendments(target.text, amendments)
    data = {**as_json(extract(text)), "base": target.text_sha256}
    OrderVersion.objects.filter(pk=version.pk).update(
        text=text, text_sha256=revisions.sha256(text), extraction=data
    )
    version.refresh_from_db()
    return version


def revocation_date(source, target):
    """The day `source` revokes the whole of `target`: a date its text names ("is revoked
    effective June 1, 2018"), else the day it takes effect."""
    for a in find_amendments(source.text):
        if a.target == target.number and a.op == "revoke" and a.section is None:
            return _date(a.as_of, source)
    return source.effective or source.signed


def _date(as_of, source):
    """The day an amendment takes effect: a date the amending order names, else the day the
    amending order takes effect (its effective date, or its signing: "as of the effective date
    of this order" says the same)."""
    if isinstance(as_of, date):
        return as_of
    if isinstance(as_of, str) and as_of not in ("", "signed", "effective"):
        return date.fromisoformat(as_of)
    return source.effective or source.signed
