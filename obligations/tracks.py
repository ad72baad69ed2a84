"""Which tracks a due date has: one per responsible agency, each with its own status, dates,
evidence and history, unless the agencies deliver one thing together.

"The Secretary and the Attorney General shall each submit a report" gives DHS and DOJ a track
each; "shall jointly submit a report" gives one shared track. A due date is met only when
every one of its tracks is.
"""

import re

# Words that make several agencies' directive one deliverable.
JOINT = re.compile(r"(?i)\b(?:joint(?:ly)?|together|a single|one (?:combined|consolidated))\b")


def track_agencies(agencies: list, quote: str) -> list:
    """The agency of each track of a due date (None: one shared track with no agency)."""
    if not agencies:
        return [None]
    if len(agencies) > 1 and JOINT.search(quote or ""):
        return [None]
    return list(agencies)


def met(statuses) -> bool:
    """A due date is met when every track is done (no track still open or in progress)."""
    from obligations.models import Occurrence  # models import this module

    statuses = list(statuses)
    return bool(statuses) and all(s not in Occurrence.PENDING for s in statuses)


def summary(statuses) -> str:
    """ "1 of 2 agencies submitted": what the tracks of one due date have done."""
    statuses = list(statuses)
    done = sum(s in ("submitted", "verified") for s in statuses)
    if len(statuses) < 2:
        return ""
    return f"{done} of {len(statuses)} agencies submitted"
