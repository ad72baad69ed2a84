"""Scorecards over the whole table, kept between page views and brought up to date by
re-counting only the obligations that changed.

The ranking of agencies and an agency's scorecard read every occurrence (half a million in the
benchmark's data set): one grouped count of them takes over a second on SQLite, while a change
usually touches a handful. So the counts are kept, as tallies per obligation and
track agency (scorecards.tallies), as of a day, with the stamps they were counted at:

- nothing changed since (the same stamps): they are used as they are;
- only occurrences changed (a status recorded, the usual write): the obligations of the
  occurrences stamped since (less a margin, for a transaction that stamped its rows before an
  earlier one committed) are counted again and replace theirs;
- anything else changed (an order, an obligation, a deletion), or too much: all are counted
  again.

The stamps are those of the data version (obligations/versions.py): every write path moves
them, so what the pages show is never older than the data version they are cached under.

They are kept in the process's memory, not in the shared cache: unpickling ten thousand tallies
from the cache on every view cost about as much as the counting it saved. Each process counts
in full once a day (the day is in the key) and after a change other than to occurrences.
"""

from datetime import UTC, timedelta

from django.db import connection
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from obligations import clock, scorecards
from obligations.models import DeletionCount, Obligation, Occurrence, Order
from obligations.views.common import existing_on

# Stamps are set by the web process's clock just before its transaction commits: this covers
# that transaction's length and the clocks of several hosts disagreeing by a little.
MARGIN = timedelta(seconds=30)
MOST = 500  # obligations changed at once above which everything is counted again
KEEP = 4  # days kept per process (today, and a few "as of" days people are looking at)
_kept: dict = {}  # key: the parts (replaced whole, never changed in place: threads read them)


def stamps():
    """(latest occurrence change, the other stamps) in one query."""
    tables = [(Occurrence, "MAX(updated_at)"), (Obligation, "MAX(updated)"),
              (Order, "MAX(updated)"), (DeletionCount, "MAX(count)")]  # fmt: skip
    sql = "SELECT " + ", ".join(
        f"(SELECT {column} FROM {connection.ops.quote_name(model._meta.db_table)})"
        for model, column in tables
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        occurrences, *others = cursor.fetchone()
    if isinstance(occurrences, str):  # SQLite: the stored text, in UTC
        occurrences = parse_datetime(occurrences)
        if timezone.is_naive(occurrences):
            occurrences = occurrences.replace(tzinfo=UTC)
    return occurrences, tuple(str(stamp) for stamp in others)


def changed_since(kept, latest, others) -> set | None:
    """The obligations whose occurrences changed since `kept` was counted (at its stamps), or
    None when all must be counted again: nothing kept, another table changed, or too much."""
    if not (kept and kept["others"] == others and kept["latest"] and latest):
        return None
    since = Occurrence.objects.filter(updated_at__gt=kept["latest"] - MARGIN)
    changed = set(since.values_list("obligation_id", flat=True).distinct()[: MOST + 1])
    return changed if len(changed) <= MOST else None


def _count(day, obligations=None) -> dict:
    rows = existing_on(Occurrence.objects.all(), day)
    if obligations is not None:
        rows = rows.filter(obligation_id__in=sorted(obligations))
    return scorecards.tallies(rows, day, "obligation_id", "agency_id")


def parts(day) -> dict:
    """{"tallies": {(obligation id, track agency id): tally}, "owners": {obligation id:
    [agency ids]}, "orders": {obligation id: order id}, and their sums: "total", "per_agency"
    {agency id: tally}, "per_agency_order" {(agency id, order id): tally}} as of `day`, up to
    date."""
    key = (connection.alias, connection.settings_dict["NAME"], day, clock.today())
    latest, others = stamps()  # read before counting: a change after it is seen next time
    kept = _kept.get(key)
    if kept and kept["others"] == others and kept["latest"] == latest:
        return kept
    changed = changed_since(kept, latest, others)
    if changed is not None:
        return _keep(key, _recount(kept, day, changed, latest))
    orders = dict(Obligation.objects.values_list("pk", "order_id").order_by())
    kept = {
        "tallies": {}, "latest": latest, "others": others, "orders": orders,
        "owners": scorecards.agencies_of(set(orders)),  # any obligation's: a track may be new
        "total": scorecards.new_tally(), "per_agency": {}, "per_agency_order": {},
    }  # fmt: skip
    return _keep(key, _recount(kept, day, None, latest))


def _recount(kept, day, changed, latest) -> dict:
    """New parts: `kept` with the obligations `changed` (None: all) counted again, and the sums
    moved by the difference (the old parts stay as they are: another thread may be reading
    them)."""
    if changed is None:
        old, tallies = {}, {}
    else:
        old = {k: t for k, t in kept["tallies"].items() if k[0] in changed}
        tallies = {k: t for k, t in kept["tallies"].items() if k[0] not in changed}
    new = _count(day, changed)
    tallies.update(new)
    sums = {name: dict(kept[name]) for name in ("per_agency", "per_agency_order")}
    total, copied = list(kept["total"]), set()
    owners, orders = kept["owners"], kept["orders"]
    for sign, entries in ((-1, old), (1, new)):
        for (obligation, agency), tally in entries.items():
            scorecards.add_tally(total, tally, sign)
            for owner in owners.get(obligation, (None,)) if agency is None else (agency,):
                for name, key in (("per_agency", owner),
                                  ("per_agency_order", (owner, orders.get(obligation)))):  # fmt: skip
                    if (name, key) not in copied:  # copied before it changes, once
                        sums[name][key] = list(sums[name].get(key) or scorecards.new_tally())
                        copied.add((name, key))
                    scorecards.add_tally(sums[name][key], tally, sign)
    for name, key in copied:  # what has nothing left is not listed, as in a full count
        if not any(sums[name][key][: scorecards.VERIFIED + 1]):
            del sums[name][key]
    return {**kept, **sums, "tallies": tallies, "latest": latest, "total": total}


def _keep(key, kept) -> dict:
    _kept.pop(key, None)
    while len(_kept) >= KEEP:
        _kept.pop(next(iter(_kept)), None)  # the oldest
    _kept[key] = kept
    return kept


def ranking(day) -> tuple[scorecards.Score, dict]:
    """As scorecards.by_agency over every occurrence (of the orders there were on `day`)."""
    kept = parts(day)
    return scorecards.Score.from_tally(kept["total"]), {
        pk: scorecards.Score.from_tally(t) for pk, t in kept["per_agency"].items()
    }


def agency_orders(day, agency_id) -> dict:
    """{order id: Score} of the tracks an agency answers for (its own, and the shared tracks
    of its obligations), as scorecards.for_agency counts them."""
    sums = parts(day)["per_agency_order"]
    return {order: scorecards.Score.from_tally(tally)
            for (agency, order), tally in sums.items() if agency == agency_id}  # fmt: skip
