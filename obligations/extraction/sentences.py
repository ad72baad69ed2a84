"""Sentence boundaries that survive legal abbreviations ("8 U.S.C. 1373", "Sec. 3", "No. 13768")."""

import re

ABBREVIATIONS = {
    "u.s", "u.s.c", "sec", "secs", "no", "nos", "mr", "mrs", "ms", "dr", "st", "seq", "e.g", "i.e",
    "pub", "l", "stat", "c.f.r", "cfr", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sept",
    "sep", "oct", "nov", "dec", "v", "vs", "inc", "co", "corp", "gen", "gov", "art", "cl", "par",
    "para", "fed", "reg", "exec", "ord", "a.m", "p.m", "etc", "approx", "dept", "div", "ch", "pt",
}  # fmt: skip
# Abbreviations that usually continue a name ("U.S. Immigration", "Sec. 3", "No. 13768"): their
# period never ends a sentence, so the pattern skips them without a Python call each.
NAMES = {"u.s", "st", "mr", "mrs", "ms", "dr", "gen", "no", "nos", "sec", "secs", "pub", "exec"}
NOT_A_NAME = "".join(rf"(?<!(?i:\b{re.escape(n)}\.))" for n in sorted(NAMES))
END = re.compile(rf"[.!?]{NOT_A_NAME}(?=[\"”’)]*(?:\s|$))|:(?=\s*\n)|\n\s*\n")
# No real sentence of an order is this long; cutting longer runs keeps the cost linear.
MAX_SENTENCE = 2000  # the longest in the eight labelled orders has 815 characters


def _token_before(text: str, dot: int) -> str:
    word = re.search(r"([\w.]+)$", text[max(0, dot - 20) : dot])
    return word.group(1).lower() if word else ""


def _is_end(text: str, dot: int) -> bool:
    """Does the period at `dot` end a sentence?"""
    token = _token_before(text, dot)
    initials = len(token) == 1 or bool(re.fullmatch(r"(?:[a-z]\.)+[a-z]", token))
    if token not in ABBREVIATIONS and not initials:
        return True
    following = text[dot + 1 : dot + 4].lstrip()
    if not following[:1].isupper():
        return False  # "8 U.S.C. 1373", "et seq. (INA)"
    return token not in NAMES and not initials


def sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """(start, end) of each sentence in text[start:end], white space trimmed."""
    spans, begin = [], start
    for m in END.finditer(text, start, end):
        if text[m.start()] == "." and not _is_end(text, m.start()):
            continue
        spans.append((begin, m.end()))
        begin = m.end()
    spans.append((begin, end))
    return [_trim(text, s, e) for s, e in _cut_long(text, spans) if text[s:e].strip()]


def _cut_long(text: str, spans):
    for start, end in spans:
        while end - start > MAX_SENTENCE:
            cut = text.rfind(" ", start + MAX_SENTENCE // 2, start + MAX_SENTENCE)
            cut = cut if cut > start else start + MAX_SENTENCE
            yield start, cut
            start = cut
        yield start, end


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end
