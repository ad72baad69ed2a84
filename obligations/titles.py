"""An obligation's title: its section, a short action and its timing, so that the obligations of
one order read apart on lists, pages, feeds and e-mails ("Sec. 15: progress report, 90 days" and
"Sec. 15: progress report, 180 days"; "Sec. 16: quarterly reports").

Built from the obligation's own fields (section, action, rule), so a list, a feed or an e-mail
needs no other row to show it, and a person's correction of the action shows in it. Pure Python.
"""

import re

from obligations.schedule import Period

WORDS = 6  # of the action's words, at most, when it is not a report ("a", "an", "the" are free)
REPORT_VERBS = r"submit|provide|issue|deliver|send|transmit|prepare|produce|complete|furnish"
REPORT = re.compile(
    rf"^(?:[\w-]+\s+){{0,3}}?(?:and\s+)?(?:{REPORT_VERBS})\s+"
    r"(?:to\s+the\s+(?:President|Congress|[A-Z]\w+(?:\s+of\s+[A-Z]\w+)?)\s+)?"
    r"(?:an?\s+|the\s+|its\s+|their\s+)?"
    r"(?P<adj>(?:(?:initial|second|third|final|joint|consolidated|interim|annual|detailed|"
    r"comprehensive|written|further|subsequent|periodic)\s+)*)"
    r"(?P<noun>reports?)\b"
    r"(?:\s+(?:on|of|regarding|about)\s+(?:the\s+)?(?P<topic>progress|results|status|"
    r"implementation|findings)\b)?",
    re.IGNORECASE,
)
# A series' cadence says what these would: "quarterly reports", not "further quarterly reports".
SERIES_ADJECTIVES = {"further", "subsequent", "periodic", "initial", "annual"}
BOILERPLATE = re.compile(
    r"^take\s+(?:all\s+)?(?:(?:appropriate|necessary|lawful|available)\s+)?"
    r"(?:and\s+(?:lawful|appropriate|necessary)\s+)?(?:actions?|steps|measures)"
    r"(?:\s+and\s+allocate\s+[^,]{0,60}?)?\s+(?:as\s+may\s+be\s+necessary\s+)?to\s+(?=\w)",
    re.IGNORECASE,
)
TRAILING = {
    "of", "the", "to", "and", "or", "a", "an", "in", "for", "by", "with", "that", "such", "any",
    "on", "at", "from", "into", "as", "its", "their", "this", "these", "those", "is", "are",
    "be", "under", "within", "whether", "all", "each", "other", "per", "than",
}  # fmt: skip
CADENCES = {
    (1, "days"): "daily", (1, "weeks"): "weekly", (1, "months"): "monthly",
    (3, "months"): "quarterly", (1, "years"): "annually", (6, "months"): "semiannually",
}  # fmt: skip
ADJECTIVES = {"daily": "daily", "weekly": "weekly", "monthly": "monthly",
              "quarterly": "quarterly", "annually": "annual", "semiannually": "semiannual"}  # fmt: skip


def title(section: str, action: str, rule: dict, quote: str = "") -> str:
    """ "Sec. 15: progress report, 90 days"; without a section, the rest alone."""
    rest = label(action, rule or {}, quote)
    return f"Sec. {section}: {rest}" if section else rest


def label(action: str, rule: dict, quote: str = "") -> str:
    """The short action with its timing: "progress report, 90 days", "quarterly reports". With
    no action (the extractor found none), the quote's first words say whose it is."""
    kind = rule.get("kind", "open")
    action = " ".join((action or "").split())
    if not action:
        action = re.sub(r"^\(\w{1,4}\)\s*|\s+(?:shall|will|must)\b.*$", "", " ".join(quote.split()))
    cadence = _cadence(rule) if kind == "recurring" else ""
    report = REPORT.match(action)
    if report and (kind == "recurring" or report.group("adj") or report.group("topic")):
        adjectives = report.group("adj").lower().split()
        topic = (report.group("topic") or "").lower()
        if kind == "recurring":
            adjectives = [a for a in adjectives if a not in SERIES_ADJECTIVES]
        noun = "reports" if kind == "recurring" else report.group("noun").lower()
        what = " ".join([*adjectives, *([topic] if topic == "progress" else []), noun])
        if topic and topic != "progress":
            what += f" on the {topic}"
        if cadence in ADJECTIVES:
            return f"{ADJECTIVES[cadence]} {what}"
        if cadence:
            return f"{what} {cadence}"  # "reports every 180 days"
        timing = _timing(rule, cadence)
        return f"{what}, {timing}" if timing else what
    what = _short(action)
    timing = _timing(rule, cadence)
    return f"{what}, {timing}" if timing and what else what or timing


def _short(action: str) -> str:
    """The action's first words, without "take all appropriate action to" before its verb."""
    action = BOILERPLATE.sub("", action).strip(" ,;:")
    words, counted = [], 0
    for word in action.split():
        counted += word.lower() not in ("a", "an", "the")
        if counted > WORDS:
            break
        words.append(word)
    while len(words) > 1 and (words[-1].lower().strip(",;:") in TRAILING or words[-1] in "-–—"):
        words.pop()
    return " ".join(words).rstrip(",;:")


def _cadence(rule: dict) -> str:
    try:
        every = Period.parse(rule["every"])
    except (KeyError, TypeError, ValueError):
        return ""
    return CADENCES.get((every.n, every.unit), f"every {every.label()}")


def _timing(rule: dict, cadence: str) -> str:
    kind = rule.get("kind", "open")
    if kind == "immediate":
        return "immediately"
    if kind == "recurring":
        return cadence
    if kind != "deadline":
        return ""
    if rule.get("on"):
        return f"by {rule['on']}"
    if not rule.get("offset"):
        return ""
    anchor = rule.get("anchor") or "order"
    if anchor in ("order", "effective"):
        return str(rule["offset"])
    return f"{rule['offset']} after {' '.join(anchor.split()[:6])}"
