"""A reporting series as it is run, not only as the order wrote it: suspended, resumed, or given
a new cadence from a date, each on a cited authority. Pure Python, like schedule.py.

A change is a dict (kept in the obligation's history as an ObligationChange of field "series"):
{"action": "suspend" | "resume" | "cadence", "on": "2017-04-01", "every": "quarter",
 "authority": "DHS statement of 2017-04-10", "authority_url": "...", "document": "EO 13993"}.

Due dates before the first change are the order's; each change decides the ones from its date
on. Sequence numbers of the dates kept stay what they were (each occurrence keeps its number);
a new cadence's dates continue the numbering after the last date of the old one.
"""

from dataclasses import replace
from datetime import date

from obligations.schedule import Period, Rule, due_dates

ACTIONS = ("suspend", "resume", "cadence")


class SeriesError(ValueError):
    """A change that cannot be made (resume what is not suspended, a cadence with no period)."""


def check(change: dict, previous: list[dict], signed: date | None) -> None:
    """Refuse what makes no sense, with a one-line reason."""
    action, on = change.get("action"), change.get("on")
    if action not in ACTIONS:
        raise SeriesError(f"not a change of a series: {action!r}")
    if not isinstance(on, date):
        raise SeriesError("give the date it takes effect")
    if signed and on < signed:
        raise SeriesError(f"it cannot take effect before the order was signed ({signed})")
    if not (change.get("authority") or "").strip():
        raise SeriesError("cite the authority for it")
    last = previous[-1] if previous else None
    if last and on < _day(last["on"]):
        raise SeriesError(f"it cannot take effect before the last change ({last['on']})")
    suspended = bool(last) and last["action"] == "suspend"
    if action == "resume" and not suspended:
        raise SeriesError("the series is not suspended")
    if action == "suspend" and suspended:
        raise SeriesError("the series is already suspended")
    if action == "cadence":
        try:
            Period.parse(change.get("every") or "")
        except ValueError as error:
            raise SeriesError(f"give the new cadence: {error}") from None


def follow(rule: Rule, anchor: date | None, conventions, anchor_name: str, changes: list[dict]):
    """The due dates of a series under its changes (oldest first)."""
    dues = due_dates(rule, anchor, conventions, anchor_name)
    if not changes or rule.kind != "recurring":
        return dues
    kept = [d for d in dues if d.date < _day(changes[0]["on"])]
    current, current_anchor, current_name = rule, anchor, anchor_name
    for i, change in enumerate(changes):
        start = _day(change["on"])
        stop = _day(changes[i + 1]["on"]) if i + 1 < len(changes) else None
        if change["action"] == "cadence":
            every = Period.parse(change["every"])
            current = Rule(kind="recurring", every=every, anchor="order")
            current_anchor, current_name = start, f"cadence changed on {start.isoformat()}"
        if change["action"] == "suspend":
            continue
        dates = due_dates(current, current_anchor, conventions, current_name)
        since = [d for d in dates if d.date >= start and (stop is None or d.date < stop)]
        if change["action"] == "cadence" or current is not rule:
            why = f"; {change['action']} from {start.isoformat()} ({change['authority']})"
            since = [replace(d, explanation=d.explanation + why) for d in since]
            since = _renumber(since, kept)
        kept += since
    return kept


def _renumber(dues, kept):
    after = max((d.sequence for d in kept), default=0)
    return [replace(d, sequence=after + i) for i, d in enumerate(dues, 1)]


def _day(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)
