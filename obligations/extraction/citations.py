"""What an implementing document (an agency memo) says it implements. Pure Python.

cited_orders(text): the orders it names as implemented ("This memorandum implements Executive
Order 13768 ...", "... the Executive Order entitled 'Enhancing Public Safety ...'"), as order
numbers or, when it names one by title only, "title:<the title>".
citations(sentence, default): the sections of orders one of its directives cites ("Section 8(a)
of the Executive Order", "section 5 of Executive Order 13768", "EO 13767, Section 11(c)").
"""

import re

# Any character but the end of a sentence: a full stop just inside a closing quote (a title
# quoted at the end of a sentence, American style) does not end it.
WORD = r"""(?:[^.]|\.(?=["”’']))"""
IMPLEMENTS = re.compile(
    r"\b(?:implement(?:s|ing|ation\s+of)?|carr(?:y|ies|ying)\s+out|pursuant\s+to)\b(?P<what>"
    + WORD
    + "{0,400})",
    re.IGNORECASE,
)
NUMBER = re.compile(
    r"\b(?:Executive\s+Orders?|E\.?O\.?)\s+(?:No\.\s*)?(\d{5})((?:\s*(?:,|and)\s*(?:No\.\s*)?\d{5})*)"
)
TITLE = re.compile(
    r"\b(?:Executive\s+Order|Order)\s*,?\s+(?:entitled|titled)\s*,?\s*[\"“‘']\s*(?P<title>[^\"”’]{8,200}?)[,.]?\s*[\"”’']"
)
SECTION = re.compile(
    r"\b[Ss]ec(?:tion|\.)s?\s+(?P<sections>\d{1,3}(?:\([a-z0-9]{1,4}\))*(?:\s*(?:,|and|or)\s*\d{1,3}(?:\([a-z0-9]{1,4}\))*)*)"
    r"\s+of\s+(?:the\s+|this\s+|his\s+|President's\s+)*(?:(?:Executive\s+Order|E\.?O\.?)\s+(?:No\.\s*)?(?P<num>\d{5})|(?:Executive\s+)?Orders?\b)"
)
AFTER_NUMBER = re.compile(
    r"\b(?:Executive\s+Order|E\.?O\.?)\s+(?P<num>\d{5}),?\s+[Ss]ec(?:tion|\.)\s+(?P<sections>\d{1,3}(?:\([a-z0-9]{1,4}\))*)"
)


def cited_orders(text: str) -> list[str]:
    """The orders the document says it implements, first named first."""
    found: list[str] = []
    for match in IMPLEMENTS.finditer(text):
        what = match.group("what")
        for number in NUMBER.finditer(what):
            found += [number.group(1), *re.findall(r"\d{5}", number.group(2))]
        found += [f"title:{' '.join(t.group('title').split())}" for t in TITLE.finditer(what)]
    return list(dict.fromkeys(found))


def citations(sentence: str, default: str | None = None) -> list[dict]:
    """[{"order": "13768", "section": "8(a)"}] for each section the sentence cites; an order not
    named by number is `default` (the one order the document implements), or None."""
    rows = []
    for match in [*SECTION.finditer(sentence), *AFTER_NUMBER.finditer(sentence)]:
        order = match.group("num") or default
        for section in re.findall(r"\d{1,3}(?:\([a-z0-9]{1,4}\))*", match.group("sections")):
            rows.append({"order": order, "section": section})
    return [dict(t) for t in dict.fromkeys(tuple(r.items()) for r in rows)]
