"""Sections and sub-paragraphs: "Sec. 9." then "(b)" gives the designator "9(b)"."""

import re
from bisect import bisect_right
from dataclasses import dataclass
from itertools import pairwise

# A heading starts a line: "Section 1.", "Sec. 2.", "Sec.203." (print sources drop the space).
# "Sec. 1.3." (orders numbered by part and section) is a heading of its own: section "1.3".
HEADING = re.compile(
    r"(?m)^[ \t>*#-]*(?:Section|Sec\.?|SEC\.?|SECTION)[ \t]*(\d{1,3}(?:\.\d{1,3})*[A-Za-z]?)\b\.?"
)
# Decimal sub-sections of long orders: "4.1." at the start of a line inside Sec. 4.
# ... and "4-402." in orders numbered by section and subsection (the 1990s style).
DECIMAL = re.compile(r"(?m)^[ \t>*#-]*(\d{1,3}(?:\.\d{1,3})+|\d{1,3}-\d{3})\.?[ \t]+(?=[A-Z(])")
# A paragraph marker starts a line (after a list bullet) or follows the end of a sentence.
MARKER = re.compile(
    r"(?:(?m:^)[ \t>*-]*|(?<=[.:;])[ \t]+)\(([a-z]{1,4}|[A-Z]{1,3}|\d{1,3})\)(?=[ \t]+\S)"
)
ROMAN = set("ivxlc")


@dataclass
class Block:
    """A run of text that belongs to one designator."""

    designator: str  # "9(b)"; "" for the preamble
    section: str  # top-level section: "9", "4.1" counts as "4.1"
    start: int
    end: int


def marker_kind(label: str, stack: list[tuple[str, str]]) -> str:
    """Which list level a label belongs to; "(i)" after "(h)" is a letter, not a roman one."""
    if label.isdigit():
        return "digit"
    if label.isupper():
        return "upper"
    if set(label) <= ROMAN:
        letters = [lab for kind, lab in stack if kind == "lower"]
        follows_letter = letters and len(label) == 1 and ord(label) == ord(letters[-1][-1]) + 1
        return "lower" if follows_letter else "roman"
    return "lower"


def designator(section: str, stack: list[tuple[str, str]]) -> str:
    return section + "".join(f"({label})" for _, label in stack)


def headings(text: str, start: int, end: int) -> list[tuple[int, int, str]]:
    """(position, end of the heading number, section) for every heading, in order."""
    found = [(m.start(), m.end(), m.group(1)) for m in HEADING.finditer(text, start, end)]
    starts, sections = [pos for pos, _, _ in found], [section for _, _, section in found]
    for m in DECIMAL.finditer(text, start, end):
        # "4.2." counts inside "Sec. 4." only: the last "Sec." heading before it, not the last
        # decimal one ("4.1."), decides (a numbered list item "2.1" elsewhere is no heading).
        last = bisect_right(starts, m.start()) - 1
        if last >= 0 and sections[last] == re.split(r"[.-]", m.group(1))[0]:
            found.append((m.start(), m.end(), m.group(1)))
    return sorted(found)


def blocks(text: str, start: int, end: int) -> list[Block]:
    """Split text[start:end] into blocks, each with its designator."""
    result: list[Block] = []
    cuts = headings(text, start, end)
    bounds = [(start, start, "")] + cuts + [(end, end, None)]
    for (pos, body, section), (nxt, _, _) in pairwise(bounds):
        if section is None:
            continue
        result.extend(_paragraphs(text, pos, body, nxt, section))
    return [b for b in result if text[b.start : b.end].strip()]


def _paragraphs(text: str, pos: int, body: int, end: int, section: str) -> list[Block]:
    stack: list[tuple[str, str]] = []
    out = [Block(section, section, pos, end)]
    for m in MARKER.finditer(text, body, end):
        label = m.group(1)
        kind = marker_kind(label, stack)
        levels = [k for k, _ in stack]
        if kind in levels:
            del stack[levels.index(kind) :]
        stack.append((kind, label))
        out[-1].end = m.start()
        out.append(Block(designator(section, stack), section, m.start(), end))
    return out
