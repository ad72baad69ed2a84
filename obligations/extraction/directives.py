"""Directive clauses ("the Secretary shall ...") and the obligations they create."""

import re
from dataclasses import dataclass, field

from obligations.extraction import actors, timing
from obligations.extraction.results import ExtractionError, Found
from obligations.extraction.sentences import sentences
from obligations.extraction.structure import Block
from obligations.schedule import Rule

MODAL = re.compile(
    r"\b(?:shall|will)\b|\b(?:is|are)\s+(?:hereby\s+)?directed\s+to\b|\bI\s+(?:hereby\s+)?direct\b"
)
# "shall be construed", "shall have the meaning", "shall include": provisions, not directives.
NOT_A_DIRECTIVE = re.compile(
    r"\s+(?:not\s+)?(?:be\s+construed|be\s+interpreted|have\s+the\s+meaning|mean|refer\s+to|"
    r"apply|be\s+applied|be\s+deemed|take\s+effect|become\s+effective|be\s+effective|"
    r"remain\s+in\s+effect|be\s+implemented\s+consistent|supersede|be\s+in\s+addition|include|"
    r"be\s+revoked|constitute|be\s+subject\s+to|be\s+consistent|affect|limit|create|continue\s+in)\b"
)
RELATIVE = re.compile(r"\b(?:who|which|that|whom)\s*,?\s*$")
NOT_A_DIRECTIVE_SENTENCE = re.compile(
    r"\W*(?:\(\w{1,4}\)\s*)?(?:Nothing\s+in\s+this|This\s+(?:order|memorandum|proclamation)\b|"
    r"It\s+is\s+(?:hereby\s+)?the\s+policy|The\s+terms\s+of\s+this|[\"“])"
)
CLAUSE_BREAK = re.compile(r"[;,]\s+(?:and\s+|but\s+|or\s+)?|\s+and\s+")
# A lead-in whose list items are each an action: "shall take the following steps ...:", "to:".
LEAD_IN = re.compile(
    r"(?:following\s+(?:steps|actions|measures|tasks|activities)\b[^:]*|\bto|\bshall)\s*:\s*$"
)
# "shall request that foreign governments begin providing it within 50 days": their deadline.
OTHERS_DEADLINE = re.compile(r"\b(?:request|urge|encourage|invite|ask|recommend)\w*\s+that\b")
# "In accordance with existing law, ..., take": the verb comes after the opening phrase.
LEADING_PHRASE = re.compile(
    r"^\s*(?:In|To|Consistent|Subject|Pursuant|As|Upon|Except|Notwithstanding|Under|With|For)\b"
    r"[^,]{0,120},(?:\s*including[^,]{0,120},)?\s*"
)
JOINERS = {"and", "or", "for", "of", "to", "the", "a", "an", "that", "with", "in", "on", "by", "as"}
SKIP_WORDS = {"each", "immediately", "also", "hereby", "promptly", "jointly", "further"}
PARTICIPLES = {
    "submitted": "submit", "issued": "issue", "released": "release", "made": "make",
    "provided": "provide", "completed": "complete", "published": "publish", "sent": "send",
    "delivered": "deliver", "transmitted": "transmit", "prepared": "prepare", "posted": "post",
    "developed": "develop", "conducted": "conduct", "updated": "update", "established": "establish",
}  # fmt: skip


@dataclass
class Clause:
    start: int
    end: int
    modal_start: int
    modal_end: int
    subject: list[tuple[int, str]] = field(default_factory=list)


@dataclass
class Context:
    """What the reading of one order carries from sentence to sentence."""

    defs: dict[str, str]
    default_anchor: str
    recent: list[str] = field(default_factory=list)  # officials named most recently
    lead: tuple[str, list[str]] | None = None  # (designator, actors) of an open list lead-in


def directive_modals(text: str, start: int, end: int) -> list[re.Match]:
    found = []
    for m in MODAL.finditer(text, start, end):
        # "who shall", "that shall": only the words just before the modal matter.
        before = max(start, m.start() - 30)
        if NOT_A_DIRECTIVE.match(text, m.end()) or RELATIVE.search(text, before, m.start()):
            continue
        found.append(m)
    return found


def clauses(text: str, start: int, end: int, modals: list[re.Match]) -> list[Clause]:
    """One clause per directive verb; a clause's subject runs from its start to the verb."""
    result: list[Clause] = []
    for i, m in enumerate(modals):
        begin = start
        if i:
            breaks = list(CLAUSE_BREAK.finditer(text, modals[i - 1].end(), m.start()))
            begin = breaks[-1].end() if breaks else m.start()
            result[-1].end = begin
        result.append(Clause(begin, end, m.start(), m.end()))
    return result


def _who(text: str, clause: Clause, ctx: Context) -> list[tuple[int, str]]:
    if text[clause.modal_start] == "I":  # "I hereby direct the Secretary to ...": the object acts
        named = actors.subject_actors(text, clause.modal_end, clause.end, ctx.defs)
        return named[:1]
    return actors.subject_actors(text, clause.start, clause.modal_start, ctx.defs)


def action(text: str, start: int, end: int, timings: list[timing.Timing], subject: str) -> str:
    """3 to 12 words saying what must be done."""
    chars = list(text[start:end])
    for t in timings:
        for i in range(max(t.start, start), min(t.end, end)):
            chars[i - start] = " "
    body = re.sub(r"^[\s>*-]*(?:\(\w{1,4}\)\s*)?", "", "".join(chars))
    body = LEADING_PHRASE.sub("", body)
    body = re.sub(r",[^,]{0,80}?,", " ", body, count=1)
    words = []
    for word in body.split():
        bare = word.strip(",;:.")
        if not words and (bare.lower() in SKIP_WORDS or bare.startswith("(")):
            continue
        words.append(bare)
        if len(words) >= 12 or (len(words) >= 4 and word[-1] in ",;:."):
            break
    while words and words[-1].lower() in JOINERS:
        words.pop()
    if len(words) >= 2 and words[0] == "be" and words[1] in PARTICIPLES:
        noun = re.sub(r"^(?:the|a|an)\s+", "", subject.strip(), flags=re.IGNORECASE)
        words = [PARTICIPLES[words[1]], *noun.split()[:6], *words[2:]][:12]
    return " ".join(w for w in words if w)


def read_block(text: str, block: Block, ctx: Context, room: int = 10**9) -> list[Found]:
    """The obligations of one block; more than `room` of them means this is no order."""
    found: list[Found] = []
    continuation = ctx.lead and block.designator.startswith(ctx.lead[0] + "(")
    if not continuation:
        ctx.lead = None
    for n, (s, e) in enumerate(sentences(text, block.start, block.end)):
        found += _read_sentence(text, s, e, block, ctx, continuation and n == 0)
        if len(found) > room:
            raise ExtractionError("too many directives: this does not look like an order")
        ctx.recent += [actors.expand(t, ctx.defs) for _, t in actors.mentions(text, s, e)]
    return fold_thereafter(text, found)


def _read_sentence(text, s, e, block, ctx, continues_lead) -> list[Found]:
    if NOT_A_DIRECTIVE_SENTENCE.match(text, s) and not continues_lead:
        return []
    modals = directive_modals(text, s, e)
    parts = clauses(text, s, e, modals)
    if continues_lead:
        first_verb = parts[0].start if parts else e
        marker = re.match(r"[\s>*-]*\(\w{1,4}\)\s*", text[s:e])
        begin = s + (marker.end() if marker else 0)
        parts.insert(0, Clause(s, first_verb, begin, begin))
    if not parts:
        return []  # no directive: its time words (if any) oblige nobody
    timings = timing.find(text, s, e)
    _inherit_anchors(timings, ctx.default_anchor)
    rows: list[Found] = []
    previous: list[str] = []
    for i, clause in enumerate(parts):
        virtual = continues_lead and i == 0
        who = [(clause.start, t) for t in ctx.lead[1]] if virtual else _who(text, clause, ctx)
        if not who:
            names = previous or ctx.recent[-1:]
            who = [(clause.start, t) for t in names]
        if text[clause.modal_start : clause.modal_end] == "will" and not _who(text, clause, ctx):
            continue  # "My Administration will ...": a statement, not a directive
        previous = [t for _, t in who]
        mine = [t for t in timings if clause.start <= t.start < clause.end]
        mine = [t for t in mine if not OTHERS_DEADLINE.search(text, clause.modal_end, t.start)]
        rows += _rows(text, clause, who, mine, block)
    if text[s:e].rstrip().endswith(":") and parts and LEAD_IN.search(text, s, e):
        ctx.lead = (block.designator, previous)
    return rows


def _inherit_anchors(timings: list[timing.Timing], default: str) -> None:
    """A bare "within 180 days" counts from the anchor named before it in the sentence."""
    last = None
    for t in timings:
        if t.kind == "immediate":
            t.anchor = default
        elif t.anchor:
            last = t.anchor
        elif t.on is None:
            t.anchor = last or default


# "Heads of agencies that are unable to adopt it within 180 days shall, at the end of the
# 180-day period, ...": a time inside a relative clause of the subject describes who is meant.
IN_RELATIVE_CLAUSE = re.compile(r"\b(?:that|who|which|whose)\b", re.IGNORECASE)


def _rows(text, clause, who, timings, block) -> list[Found]:
    subject_text = text[clause.start : clause.modal_start]
    if any(t.start >= clause.modal_end for t in timings):
        timings = [
            t for t in timings
            if t.start >= clause.modal_start or not IN_RELATIVE_CLAUSE.search(text, clause.start, t.start)
        ]  # fmt: skip
    act = action(text, clause.modal_end, clause.end, timings, subject_text)
    names = [t for _, t in who]
    if not timings:
        quote = _span(text, clause.start, clause.end)
        return [Found(block.designator, Rule("open"), names, act, *quote)]
    rows = []
    respective = [t for t in timings if t.start < clause.modal_start]
    for i, t in enumerate(timings):
        if len(respective) > 1 and t in respective:
            before = [title for pos, title in who if pos < t.start]
            owners = before[-1:] or names
        else:
            owners = names
        begin = clause.start if i == 0 else timings[i - 1].end
        end = clause.end if len(timings) == 1 else t.end
        rule = Rule(t.kind, offset=t.offset, every=t.every, on=t.on, anchor=t.anchor or "order")
        rows.append(Found(block.designator, rule, owners, act, *_span(text, begin, end)))
    return rows


def _span(text: str, start: int, end: int) -> tuple[str, int, int]:
    """The quote: text[start:end] without leading joiners or trailing punctuation."""
    lead = re.match(r"[\s,;:>*-]*(?:and\s+(?:again\s+)?|or\s+)?", text[start:end])
    start += lead.end()
    while end > start and text[end - 1] in " \t\n,;:":
        end -= 1
    quote = " ".join(text[start:end].split())
    if len(quote) > 300:
        cut = text.rfind(" ", start, start + 300)
        end = cut if cut > start else start + 300
        quote = " ".join(text[start:end].split())
    return quote, start, end


def fold_thereafter(text: str, rows: list[Found]) -> list[Found]:
    """ "Within 90 days ... and every 180 days thereafter" is one series whose first report is
    the deadline before it: fold that deadline into the recurring row."""
    result: list[Found] = []
    base = None  # the last relative deadline so far
    for row in rows:
        if row.kind == "recurring" and row.rule.every and base and _thereafter(row):
            result.remove(base)
            row.rule = Rule("recurring", offset=base.rule.offset, every=row.rule.every,
                            anchor=base.rule.anchor)  # fmt: skip
            row.quote, row.start, row.end = _span(text, base.start, row.end)
            base = None
        result.append(row)
        if row.kind == "deadline" and row.rule.on is None:
            base = row
    return result


def _thereafter(row: Found) -> bool:
    return bool(re.search(r"\b(?:thereafter|after\s+that|afterwards?)\b", row.quote))
