"""An order's stored text as people read it: headings, paragraphs and sub-paragraphs, without the
residue of the source it was printed in (page markers, link syntax, running heads, citation
lines, a publisher's footer).

The stored text is the record and is never changed. A block of the reading text is a list of
pieces, (start, end) offsets into the stored text; what is left out lies between the pieces.
A highlight given in stored offsets (an obligation's span) therefore lands on the same words,
and residue inside it is simply not shown: the highlight stays one element within a block.
Pure Python (Django's escape only), like the extraction it builds on.
"""

import re
from dataclasses import dataclass, field

from django.utils.html import escape

from obligations.extraction.source import noise_spans, split_header

# Residue the extraction reads past but a reader should not see, beyond source.noise_spans
# (page markers, running heads, "[" and "](url)" around a link's words).
RESIDUE_LINES = re.compile(
    r"(?mi)^[ \t]*(?:"
    r"Exec\.\s+Order\s+No\.\s*\d[^\n]*?(?:FR|WL)[^\n]*"  # Westlaw's citation line
    r"|End\s+of\s+Document"
    r"|(?:©|\(c\)|Copyright)\s*\d{4}\s+Thomson\s+Reuters[^\n]*"
    r"|\[(?:FR\s+Doc|Federal\s+Register|Presidential\s+Documents|DOCID)[^\]\n]*\]"
    r"|Billing\s+code\s+[\w-]+"
    r"|Federal\s+Register\s*/\s*Vol\.[^\n]*|Presidential\s+Documents"
    r")[ \t]*$"
)
BULLET = re.compile(r"(?m)^[ \t]*(?:[-*•]|#{1,6})[ \t]+")  # markdown list items and headings
INLINE = re.compile(r"\[Page \d{1,6}\]")

# A sub-paragraph's designator at the start of a block: (a), (ii), (B), (1), 1., a.
ITEM = re.compile(r"\(([a-z]{1,4}|[A-Z]{1,3}|\d{1,3})\)\s|(\d{1,3})\.\s(?!\d)")
ROMAN = re.compile(r"(?=[ivxl])l?x{0,3}(?:ix|iv|v?i{0,3})")
# "Sec. 2. Policy." / "Section 1." / "Sec. 4.1." at the start of a paragraph, and its caption.
HEADING = re.compile(r"(?:Section|Sec\.)\s*\d{1,3}[A-Za-z]?(?:\.\d{1,3})*\.(?=\s|$)")
# A caption ends at its first full stop; "U.S." and initials do not end it.
CAPTION = re.compile(r"\s+([A-Z](?:[^.\n]|(?<=\b[A-Z])\.){0,200}?(?<!\b[A-Z])\.)(?=\s|$)")
SENTENCE_END = '.;:!?"”’)]'


@dataclass
class Block:
    kind: str  # "heading", "paragraph" or "item"
    pieces: list[tuple[int, int]] = field(default_factory=list)
    level: int = 0  # items: 1 for (a) and 1., 2 for (i), 3 for (A), 4 for (1)


@dataclass(frozen=True)
class Mark:
    """A highlight: stored offsets and the attributes of its link (already escaped)."""

    start: int
    end: int
    attrs: str


def residue(text: str, start: int = 0) -> list[tuple[int, int]]:
    """What is left out of the reading text, as (start, end) spans of the stored text."""
    spans = noise_spans(text, start)
    for pattern in (RESIDUE_LINES, BULLET, INLINE):
        spans += [m.span() for m in pattern.finditer(text, start)]
    return spans


def blocks(text: str) -> list[Block]:
    """The reading text's blocks, in order. The header block (our metadata) is left out."""
    begin = split_header(text)[1]
    shown = bytearray(len(text))  # 1 where a character is shown
    shown[begin:] = b"\x01" * (len(text) - begin)
    for start, end in residue(text, begin):
        shown[start:end] = bytes(end - start)
    paragraphs, current = [], []
    pos = begin
    for line in text[begin:].splitlines(keepends=True):
        pieces = _runs(shown, pos, pos + len(line.rstrip("\r\n")))
        pos += len(line)
        words = "".join(text[s:e] for s, e in pieces)
        if words.strip():
            current.append(pieces)
        elif current and not _only_residue(text, shown, pos - len(line), pos):
            paragraphs.append(current)  # a blank line ends a paragraph; a line of residue not
            current = []
    if current:
        paragraphs.append(current)
    out: list[Block] = []
    last = {"letter": ""}  # the last (a), (b) ... seen in the section: is "(i)" a letter?
    for lines in _join_broken(text, paragraphs):
        out += _split(text, lines, last)
    return out


def render(text: str, marks: list[Mark]) -> str:
    """The reading text as HTML, each mark's words wrapped in <a attrs><mark>...</mark></a> in
    every block they are in ("continued" after the first). Marks must not overlap."""
    marks = sorted(marks, key=lambda m: m.start)
    out, at = [], 0  # at: the first mark that may still cover what comes
    for block in blocks(text):
        runs: list[tuple[Mark | None, int, str]] = []  # (mark, where it starts, words)
        last = None
        for start, end in block.pieces:
            if last is not None and any(c.isspace() for c in text[last:start]):
                # a line break or a space the residue sat in reads as one space, inside the
                # mark when the mark goes on across it
                runs.append((_covering(marks, at, last - 1, start), start, " "))
            last = end
            while start < end:
                while at < len(marks) and marks[at].end <= start:
                    at += 1
                mark = marks[at] if at < len(marks) and marks[at].start <= start else None
                stop = end if mark is None else min(end, marks[at].end)
                if mark is None and at < len(marks):
                    stop = min(stop, max(marks[at].start, start + 1))
                runs.append((mark, start, text[start:stop]))
                start = stop
        tag, attrs = _tag(block)
        out.append(f"<{tag}{attrs}>{_html(runs)}</{tag}>\n")
    return "".join(out)


def _covering(marks, at, before, after):
    """The mark that covers both sides of a gap, if any."""
    for mark in marks[at : at + 2]:
        if mark.start <= before and after < mark.end:
            return mark
    return None


def _html(runs) -> str:
    out, i = [], 0
    while i < len(runs):
        mark, start, words = runs[i]
        j = i + 1
        while j < len(runs) and runs[j][0] is mark:
            words += runs[j][2]
            j += 1
        if mark is None:
            out.append(escape(words))
        elif start <= mark.start:
            out.append(f"<a {mark.attrs}><mark>{escape(words)}</mark></a>")
        else:
            attrs = re.sub(r'\s*\bid="[^"]*"', "", mark.attrs)
            out.append(f'<a {attrs}><mark class="continued">{escape(words)}</mark></a>')
        i = j
    return "".join(out)


def _tag(block: Block) -> tuple[str, str]:
    if block.kind == "heading":
        return "h2", ' class="order-heading"'
    if block.kind == "item":
        return "p", f' class="order-item level-{block.level}"'
    return "p", ""


def _runs(shown: bytearray, start: int, end: int) -> list[tuple[int, int]]:
    """Maximal runs of shown characters in [start, end)."""
    runs, i = [], start
    while i < end:
        if not shown[i]:
            i += 1
            continue
        j = shown.find(0, i, end)
        j = end if j < 0 else j
        runs.append((i, j))
        i = j
    return runs


def _only_residue(text, shown, start, end) -> bool:
    """A line with nothing shown but residue on it (not a truly blank line)."""
    return bool(text[start:end].strip()) and not any(shown[start:end])


def _join_broken(text, paragraphs):
    """A paragraph the source broke at a page (it ends mid-sentence and the next one goes on in
    lower case) reads as one."""
    out = []
    for lines in paragraphs:
        if out:
            last = "".join(text[s:e] for s, e in out[-1][-1]).rstrip()
            first = "".join(text[s:e] for s, e in lines[0]).lstrip()
            if last and last[-1] not in SENTENCE_END and first[:1].islower():
                out[-1] = out[-1] + lines
                continue
        out.append(lines)
    return out


def _split(text, lines, last: dict) -> list[Block]:
    """A paragraph's blocks: its heading, then a block per sub-paragraph (a line that starts with
    a designator starts one; other lines go on the block before)."""
    out: list[Block] = []
    for pieces in lines:
        pieces = _trim(text, pieces)
        words = "".join(text[s:e] for s, e in pieces)
        if not out or ITEM.match(words):
            out.append(Block("paragraph", []))
        out[-1].pieces += pieces
    result: list[Block] = []
    for block in out:
        if not result:
            head, block = _heading(text, block)
            if head:
                result.append(head)
                last["letter"] = ""
            if block is None:
                continue
        words = "".join(text[s:e] for s, e in block.pieces)
        match = ITEM.match(words)
        if match:
            block.kind = "item"
            block.level, last["letter"] = _level(match, last["letter"])
        result.append(block)
    return [b for b in result if b.pieces]


def _trim(text, pieces):
    """The pieces without white space at either end."""
    pieces = [p for p in pieces if text[p[0] : p[1]].strip()]
    if not pieces:
        return []
    (s0, e0), (sn, en) = pieces[0], pieces[-1]
    s0 += len(text[s0:e0]) - len(text[s0:e0].lstrip())
    pieces[0] = (s0, e0)
    sn, en = pieces[-1]
    en -= len(text[sn:en]) - len(text[sn:en].rstrip())
    pieces[-1] = (sn, en)
    return pieces


def _heading(text, block: Block) -> tuple[Block | None, Block | None]:
    """Split "Sec. 2. Policy." off the start of a paragraph: (the heading, the rest)."""
    words = "".join(text[s:e] for s, e in block.pieces)
    match = HEADING.match(words)
    if not match:
        return None, block
    cut = match.end()
    caption = CAPTION.match(words, cut)
    if caption and _is_caption(caption.group(1)):
        cut = caption.end()
    head, rest, seen = [], [], 0
    for s, e in block.pieces:
        if seen + (e - s) <= cut:
            head.append((s, e))
        elif seen >= cut:
            rest.append((s, e))
        else:
            head.append((s, s + cut - seen))
            rest.append((s + cut - seen, e))
        seen += e - s
    rest = _trim(text, rest)
    return Block("heading", _trim(text, head)), (Block("paragraph", rest) if rest else None)


def _is_caption(words: str) -> bool:
    """ "Policy." and "Enforcement of the Immigration Laws in the Interior of the United States."
    are captions; "The heads of executive departments may determine ..." is the section's text."""
    long = [w for w in re.findall(r"[A-Za-z][\w'’-]*", words) if len(w) > 4]
    return not ITEM.match(words + " ") and all(w[0].isupper() for w in long)


def _level(match, previous_letter: str) -> tuple[int, str]:
    """(the item's level, the last level-1 letter). (i) after (h) is a letter, else a roman
    numeral; likewise (v) after (u) and (x) after (w)."""
    if match.group(2):  # "1." numbers a list of its own
        return 1, previous_letter
    mark = match.group(1)
    if mark.isdigit():
        return 4, previous_letter
    if mark.isupper():
        return 3, previous_letter
    follows = len(mark) == len(previous_letter) == 1 and ord(mark) == ord(previous_letter) + 1
    if ROMAN.fullmatch(mark) and not follows:
        return 2, previous_letter
    return 1, mark
