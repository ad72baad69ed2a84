"""Time expressions: "within 90 days of the date of this order", "quarterly", "immediately".

`find(text, start, end)` returns every time expression in a span, as `Timing` objects that say
what kind of timing it is and the rule's parts. Whether a time expression makes an obligation is
the caller's business; this module only reads the words.
"""

import re
from dataclasses import dataclass
from datetime import date

from obligations.extraction.source import DATE, MONTHS, parse_date
from obligations.schedule import Period

SMALL = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20,
    "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
}  # fmt: skip
# Number words; "a" and "an" only alone ("a year"). At most five words ("one hundred and
# twenty-five"): an unbounded repeat backtracks quadratically on text like "a a a a ...".
NUMBER_WORD = "|".join(sorted((w for w in SMALL if w not in ("a", "an")), key=len, reverse=True))
WORD = rf"(?:{NUMBER_WORD}|hundred|thousand)"
# "90", "ninety", "one hundred twenty", "forty-five", "ninety (90)", "a"
NUM = rf"(?:\d{{1,4}}|an?\b|{WORD}(?:(?:[ -]|\s+and\s+){WORD}){{0,4}})(?:\s*\(\d{{1,4}}\))?"
UNIT = r"(?:calendar\s+|business\s+|working\s+)?(day|week|month|year)s?"

ORDER_ANCHOR = re.compile(
    r"(?:the\s+)?(?:date\s+of\s+|issuance\s+of\s+|signing\s+of\s+)?"
    r"(?:this\s+(?:order|memorandum|proclamation|directive)\b|the\s+order\s*$)|the\s+date\s+hereof",
    re.IGNORECASE,
)
EFFECTIVE_ANCHOR = re.compile(
    r"the\s+effective\s+date\s+of\s+(?:this|the)\s+(?:order|memorandum|proclamation)",
    re.IGNORECASE,
)
# What follows "of/after/from": an anchor phrase, up to the end of the noun phrase.
ANCHOR_TAIL = re.compile(
    r"(?:\s*,?\s+(?:as\s+)?(?:measured|counted|calculated|computed)\s+from|"
    r"\s+(?:of|after|from|following|upon))\s+((?:the\s+)?(?:[^,;.:()]|\(\w{1,4}\)){2,120}?)"
    r"(?=\s*(?:[,;.:)]|\((?!\w{1,4}\))|$|\s+(?:and|or|shall|that|which|to|the\s+\w+\s+shall)\b))",
    re.IGNORECASE,
)

DEADLINE = re.compile(
    rf"\b(?:within|(?:by\s+)?no\s+later\s+than|(?:by\s+)?not\s+later\s+than|no\s+more\s+than|"
    rf"not\s+more\s+than|before\s+the\s+end\s+of|by\s+the\s+end\s+of)\s+(?:the\s+)?({NUM})\s+{UNIT}",
    re.IGNORECASE,
)
BARE_AFTER = re.compile(rf"\b({NUM})\s+{UNIT}\s+(?=(?:after|following|from)\s)", re.IGNORECASE)
PERIOD = re.compile(
    rf"\b(?:during|within|by\s+the\s+end\s+of|at\s+the\s+end\s+of)\s+the\s+({NUM})-{UNIT}\s+period",
    re.IGNORECASE,
)
FIXED = re.compile(
    rf"\b(?:by|on\s+or\s+before|(?:by\s+)?no\s+later\s+than|(?:by\s+)?not\s+later\s+than|before)"
    rf"\s+({DATE})",
    re.IGNORECASE,
)
MORE_DATES = re.compile(rf",?\s+(?:and\s+|or\s+)?({DATE})")
# "by the end of fiscal year 2027", "by FY 2025", "by 2030": the last day of that fiscal year
# (Sep 30) or calendar year. A bare year needs "by": "in 2030" says when, not by when.
YEAR_END = re.compile(
    r"\b(?:by|before|no\s+later\s+than|not\s+later\s+than|(?:through|as\s+of)(?=\s+the\s+end))\s+"
    r"(?:the\s+end\s+of\s+)?(?:(fiscal|calendar)\s+year\s*|(FY)\s*)?((?:19|20)\d{2})\b"
    r"(?![-–/]|\s+(?:levels?|baseline))",
    re.IGNORECASE,
)
# "with a goal of ... by 2030", "a target of": a goal for the Government, not a deadline.
GOAL = re.compile(
    r"(?:\b(?:goals?|targets?|aims?|aspirations?|ambitions?)\s+(?:of|to|for|is|that|by)\b|"
    r"\bwith\s+(?:a|the)\s+goal\b)[^.;]*$",
    re.IGNORECASE,
)
IMMEDIATE = re.compile(
    r"\b(?:effective\s+immediately|immediately|forthwith)\b"
    r"(?!\s+(?:adjacent|preceding|prior|before|after|following|succeeding|upon|apparent|"
    r"available|visible|identifiable|recognizable|evident|obvious|accessible|clear)\b)",
    re.IGNORECASE,
)

# "immediately upon receipt of the report": immediate, counted from that event.
IMMEDIATE_UPON = re.compile(
    r"\b(?:immediately|forthwith)\s+(?=(?:upon|after|following)\s)", re.IGNORECASE
)

ADVERBS = {
    "daily": "day", "weekly": "week", "biweekly": "2 weeks", "monthly": "month",
    "bimonthly": "2 months", "quarterly": "quarter", "annually": "year", "annual": "year",
    "yearly": "year", "semiannually": "6 months", "semi-annually": "6 months",
    "semiannual": "6 months", "semi-annual": "6 months", "biannually": "6 months",
    "biennially": "2 years", "biennial": "2 years", "triennially": "3 years", "triennial": "3 years",
}  # fmt: skip
FREQ = "|".join(sorted(map(re.escape, ADVERBS), key=len, reverse=True))
# "on a quarterly basis", "on at least an annual basis", "on a regular monthly basis"
ON_BASIS = re.compile(
    rf"\bon\s+(?:at\s+least\s+)?an?\s+(?:regular\s+)?({FREQ})\s+basis\b", re.IGNORECASE
)
DELIVERABLE = (
    r"(?:(?:progress|status|public|written|summary|joint|detailed)\s+)?"
    r"(?:reports?|updates?|reviews?|briefings?|assessments?|summar(?:y|ies)|lists?|"
    r"certifications?|publications?|plans?|meetings?|evaluations?|audits?|reporting|"
    r"scorecards?|inventor(?:y|ies)|surveys?|statements?|estimates?|notices?|submissions?|"
    r"memorand(?:um|a)|agendas?|strateg(?:y|ies)|conferences?|forums?|trainings?|exercises?|"
    r"inspections?|hearings?|sessions?)"
)
# "an annual public performance scorecard": up to three words between the adjective and the noun.
DELIVERABLE_NOUN = (
    r"\b(reports?|updates?|reviews?|briefings?|assessments?|summar(?:y|ies)|lists?|plans?|"
    r"strateg(?:y|ies)|guidance|recommendations?|inventor(?:y|ies)|scorecards?|certifications?)\b"
)
ADJECTIVE = re.compile(rf"\b({FREQ})(?=(?:\s+[\w/-]+){{0,4}}?\s+{DELIVERABLE}\b)", re.IGNORECASE)
# "annual", "biennial" are adjectives only: alone ("the annual budget process") they are no timing.
ADVERB_FREQ = "|".join(
    sorted(
        (re.escape(w) for w in ADVERBS if not re.search(r"(?:ial|ual)$", w)), key=len, reverse=True
    )
)
ADVERB = re.compile(
    rf"(?<![\w-])({ADVERB_FREQ})(?![\w-])(?!\s+(?:basis|{DELIVERABLE}))", re.IGNORECASE
)
# "explain in the annual report", "descriptions in the agency's annual FOIA report": where the
# words go, not when; but "shall include in its annual report" adds to every one of them.
IN_THE = re.compile(
    r"(?<!\binclude)(?<!\bincluded)(?<!\bincorporate)(?<!\bincorporated)\s+in(?:\s+both)?(?:\s+(?:the|its|their|his|her|each|an?))?"
    r"(?:\s+[\w.]+['’]s)?\s+$",
    re.IGNORECASE,
)
# "with quarterly updates as appropriate": an option, not a schedule.
OPTIONAL = re.compile(r"(?:\s+[\w-]+){0,2}\s+(?:as|if|when)\s+(?:appropriate|needed|warranted)\b")
# "by 2 percent annually", "compensated annually": a rate or a pay period, not a duty's timing.
NOT_A_SCHEDULE = re.compile(
    r"(?:percent|%|compensated|paid|payable|reimbursed|measured|calculated|computed|averaged)\s+$",
    re.IGNORECASE,
)
# "the Annual Industrial Capabilities Report", "Quarterly Financial Report": a title, not timing.
IN_A_NAME = re.compile(r"[A-Z][\w-]*\s+(?:(?:of|and|the|for)\s+)?[A-Z]")
# "for each of the following 4 years, identify two additional areas": a yearly duty.
FOR_EACH = re.compile(
    rf"\bfor\s+each\s+of\s+the\s+(?:following|next|subsequent|succeeding)\s+(?:{NUM})\s+"
    rf"(?:fiscal\s+|calendar\s+)?(week|month|quarter|year)s\b",
    re.IGNORECASE,
)
ORDINALS = {"other": 2, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6}
EVERY = re.compile(
    rf"\b(?:(?:at\s+least|no\s+less\s+than|not\s+less\s+than)\s+)?(?:once\s+)?"
    rf"(?:every|each)\s+(?:({NUM}|{'|'.join(ORDINALS)})\s+)?(?:fiscal\s+|calendar\s+)?"
    rf"(day|week|month|quarter|year)s?\b",
    re.IGNORECASE,
)
ONCE_PER = re.compile(
    rf"\b(?:at\s+least\s+)?(once|twice|{NUM}\s+times)\s+(?:a|per|each)\s+(?:fiscal\s+|calendar\s+)?"
    rf"(week|month|quarter|year)\b",
    re.IGNORECASE,
)
STARTS_AFTER = re.compile(r"\s+(?:after|following|from)\s", re.IGNORECASE)
THEREAFTER = re.compile(r"\s*,?\s*(?:thereafter|after\s+that|afterwards?)\b", re.IGNORECASE)
# A period inside a deliverable ("aid provided annually over the past five years") is no timing.
# Only over several periods: "annually, for the preceding fiscal year" says what each report covers.
LOOKBACK = re.compile(
    r"[^.;]{0,40}?\b(?:over|for|during|in|covering)\s+(?:each\s+of\s+)?(?:the\s+)?"
    r"(?:past|prior|previous|preceding|last)\s+(?:[\w-]+\s+){0,2}?(?:years|months|quarters|weeks|days)\b",
    re.IGNORECASE,
)
# "30 days before the start of each fiscal year": counted back from an event, not from the order.
RELATIVE_BEFORE = re.compile(r"\s+(?:before|prior\s+to)\b", re.IGNORECASE)
# Words that make a following "90 days" a length of time, not a deadline: "for 90 days".
DURATION_BEFORE = re.compile(
    r"\b(?:for|of|the|than|least|most|period\s+of|first|next|initial|"
    r"until(?:\s+the\s+date\s+that\s+is)?)\s*$",
    re.IGNORECASE,
)
# "within 90 days of the end of each fiscal year": the lag inside a series, not a deadline.
EACH_PERIOD = re.compile(
    r"(?:the\s+)?(?:end|close)\s+of\s+(?:each|every|the\s+(?:preceding|previous|prior))\s+"
    r"(?:(\w+)-)?(?:fiscal\s+|calendar\s+|reporting\s+)?(day|week|month|quarter|year)",
    re.IGNORECASE,
)


@dataclass
class Timing:
    kind: str  # deadline | recurring | immediate
    start: int
    end: int
    offset: Period | None = None
    every: Period | None = None
    on: date | None = None
    anchor: str | None = None  # "order", "effective", an event's words, or None if unstated
    thereafter: bool = False
    adjective: bool = False  # "annual report": says what the thing is, maybe not when


def number(text: str) -> int:
    """ "90" -> 90, "ninety (90)" -> 90, "one hundred twenty" -> 120, "a" -> 1."""
    digits = re.search(r"\d+", text)
    if digits:
        return int(digits.group())
    total, current = 0, 0
    for word in re.split(r"[\s-]+", text.lower()):
        if word in SMALL:
            current += SMALL[word]
        elif word == "hundred":
            current = max(current, 1) * 100
        elif word == "thousand":
            total, current = total + max(current, 1) * 1000, 0
    return total + current


def anchor_after(text: str, pos: int) -> tuple[str | None, int]:
    """The anchor named right after a period ("of the date of this order") and where it ends."""
    match = ANCHOR_TAIL.match(text, pos)
    if not match:
        return None, pos
    phrase = " ".join(match.group(1).split())
    if EFFECTIVE_ANCHOR.fullmatch(phrase) or EFFECTIVE_ANCHOR.match(phrase):
        return "effective", match.end()
    if ORDER_ANCHOR.fullmatch(phrase) or ORDER_ANCHOR.match(phrase):
        return "order", match.end()
    return re.sub(r"^the\s+", "", phrase, flags=re.IGNORECASE), match.end()


def _period(count: str | None, unit: str) -> Period:
    unit = unit.lower()
    n = ORDINALS.get(count.lower()) or number(count) if count else 1
    if unit == "quarter":
        return Period(3 * n, "months")
    return Period(n, unit + "s")


def _deadlines(text: str, start: int, end: int) -> list[Timing]:
    found = []
    for m in DEADLINE.finditer(text, start, end):
        anchor, stop = anchor_after(text, m.end())
        found.append(Timing("deadline", m.start(), stop, offset=_period(m.group(1), m.group(2)),
                            anchor=anchor))  # fmt: skip
    for m in BARE_AFTER.finditer(text, start, end):
        if DURATION_BEFORE.search(text[max(start, m.start() - 30) : m.start()]):
            continue
        anchor, stop = anchor_after(text, m.end() - 1)
        if anchor:
            found.append(Timing("deadline", m.start(), stop, offset=_period(m.group(1), m.group(2)),
                                anchor=anchor))  # fmt: skip
    for m in PERIOD.finditer(text, start, end):
        found.append(Timing("deadline", m.start(), m.end(), offset=_period(m.group(1), m.group(2))))
    for m in FIXED.finditer(text, start, end):
        found.append(Timing("deadline", m.start(), m.end(), on=parse_date(m.group(1))))
        # "by June 1, 2007, and June 1, 2008": a deadline for each date of the list
        for more in MORE_DATES.finditer(text, m.end(), end):
            if more.start() != found[-1].end:
                break
            found.append(Timing("deadline", more.start(), more.end(), on=parse_date(more.group(1))))
    for m in YEAR_END.finditer(text, start, end):
        if GOAL.search(text, max(start, m.start() - 150), m.start()):
            continue
        year = int(m.group(3))
        fiscal = (m.group(1) or m.group(2) or "").lower() in ("fiscal", "fy")
        on = date(year, 9, 30) if fiscal else date(year, 12, 31)  # federal fiscal years end Sep 30
        found.append(Timing("deadline", m.start(), m.end(), on=on))
    return [t for t in found if not RELATIVE_BEFORE.match(text, t.end, end)]


def _recurring(text: str, start: int, end: int) -> list[Timing]:
    found = []
    for pattern in (ON_BASIS, ADJECTIVE, ADVERB):
        for m in pattern.finditer(text, start, end):
            if pattern is not ON_BASIS and IN_A_NAME.match(text, m.start()):
                continue
            if pattern is ADJECTIVE and IN_THE.search(text, max(start, m.start() - 60), m.start()):
                continue
            if NOT_A_SCHEDULE.search(text, max(start, m.start() - 15), m.start()):
                continue
            if OPTIONAL.match(text, m.end(), end):
                continue
            adjective = pattern is ADJECTIVE and not m.group(1).lower().endswith("ally")
            found.append(Timing("recurring", m.start(), m.end(), adjective=adjective,
                                every=Period.parse(ADVERBS[m.group(1).lower()])))  # fmt: skip
    for m in EVERY.finditer(text, start, end):
        if NOT_A_SCHEDULE.search(text, max(start, m.start() - 15), m.start()):
            continue  # "paid time, measured each fiscal year"
        every = _period(m.group(1), m.group(2))
        # "every 60 days after the date of this order": the first one is due 60 days after it.
        anchor, stop = (
            anchor_after(text, m.end()) if STARTS_AFTER.match(text, m.end()) else (None, 0)
        )
        if anchor:
            found.append(Timing("recurring", m.start(), stop, every=every, offset=every,
                                anchor=anchor))  # fmt: skip
        else:
            found.append(Timing("recurring", m.start(), m.end(), every=every))
    for m in FOR_EACH.finditer(text, start, end):
        found.append(Timing("recurring", m.start(), m.end(), every=_period(None, m.group(1))))
    for m in ONCE_PER.finditer(text, start, end):
        times = {"once": 1, "twice": 2}.get(m.group(1).lower()) or number(m.group(1))
        months = {"week": 0, "month": 1, "quarter": 3, "year": 12}[m.group(2).lower()]
        if months and 12 % times == 0 and months * 1 >= times:
            every = Period(months // times, "months") if months % times == 0 else None
        else:
            every = Period(7 // times, "days") if not months and 7 % times == 0 else None
        if every:
            found.append(Timing("recurring", m.start(), m.end(), every=every))
    kept = []
    for t in found:
        if LOOKBACK.match(text, t.end, end):
            continue
        after = THEREAFTER.match(text, t.end, end)
        if after:
            t.thereafter, t.end = True, after.end()
        kept.append(t)
    return kept


def _each_period(deadlines: list[Timing], recurring: list[Timing]) -> list[Timing]:
    """ "within 90 days of the end of each fiscal year" is a yearly series; beside another
    recurrence ("annually within 90 days of the end of the preceding year") it is that series'
    lag, and no row of its own."""
    kept = []
    for t in deadlines:
        each = EACH_PERIOD.match(t.anchor or "")
        if not each:
            kept.append(t)
        elif not recurring:
            kept.append(Timing("recurring", t.start, t.end, every=_period(each.group(1),
                                                                            each.group(2))))  # fmt: skip
    return kept


# Words without which a kind of timing cannot be there: most sentences have none, and the
# patterns are costly to try at every position.
MAY_RECUR = re.compile(rf"{FREQ}|\b(?:every|each|once|twice|times)\b", re.IGNORECASE)
MAY_DEADLINE = re.compile(
    rf"\b(?:day|week|month|year|FY|(?:19|20)\d\d)|\b(?:{MONTHS})\b",
    re.IGNORECASE,
)


def find(text: str, start: int, end: int) -> list[Timing]:
    """All time expressions in text[start:end], in order, without overlaps."""
    recurring = _recurring(text, start, end) if MAY_RECUR.search(text, start, end) else []
    deadlines = _deadlines(text, start, end) if MAY_DEADLINE.search(text, start, end) else []
    found = _each_period(deadlines, recurring) + recurring
    dated = bool(found)
    for m in IMMEDIATE_UPON.finditer(text, start, end):
        anchor, stop = anchor_after(text, m.end() - 1)
        if anchor and anchor not in ("order", "effective"):
            found.append(Timing("immediate", m.start(), stop, anchor=anchor))
    for m in IMMEDIATE.finditer(text, start, end):
        # "within 60 days, establish procedures ... to immediately share": with a date of its
        # own, the clause's "to immediately" says how the thing ordered must work, not when.
        if not (dated and text[max(start, m.start() - 3) : m.start()].lower() == "to "):
            found.append(Timing("immediate", m.start(), m.end()))
    found.sort(key=lambda t: (t.start, -(t.end - t.start)))
    result: list[Timing] = []
    for t in found:
        if result and t.start < result[-1].end:
            continue  # "no later than one year" also contains "one year": keep the longest
        result.append(t)
    return result
