"""Directive clauses ("the Secretary shall ...") and the obligations they create."""

import re
from dataclasses import dataclass, field

from obligations.extraction import actors, timing
from obligations.extraction.results import ExtractionError, Found
from obligations.extraction.sentences import sentences
from obligations.extraction.structure import Block
from obligations.schedule import Rule

MODAL = re.compile(
    r"\b(?:shall|will|must)\b|\b(?:is|are)\s+(?:hereby\s+)?directed\s+to\b|\bI\s+(?:hereby\s+)?direct\b"
)
# "shall be construed", "shall have the meaning", "shall include": provisions, not directives.
NOT_A_DIRECTIVE = re.compile(
    r"\s+(?:not\s+)?(?:be\s+construed|be\s+interpreted|have\s+the\s+meaning|mean|refer\s+to|"
    r"apply|be\s+applied|be\s+deemed|take\s+effect|become\s+effective|be\s+effective|"
    r"remain\s+in\s+effect|be\s+implemented\s+consistent|supersede|be\s+in\s+addition|"
    r"include(?!\s+in\b)|"
    r"be\s+revoked|constitute|be\s+subject\s+to|be\s+consistent|continue\s+in)\b|"
    # "shall not affect", "shall not create any right": but "shall create procedures" directs.
    r"\s+not\s+(?:affect|limit|create|impair)\b|\s+(?:affect|limit|create|impair)\s+(?:any|the\s+authority)\b"
)
RELATIVE = re.compile(r"\b(?:who|which|that|whom)\s*,?\s*$")
# "the time periods within which contractors must report": "must" in a relative clause.
RELATIVE_MUST = re.compile(r"\b(?:who|which|that|whom|whose)\b(?:\s+[\w.’'-]+){0,4}\s*$")
# "The Council shall terminate 2 years after ...": a body's term ends; nobody must act.
TERM_ENDS = re.compile(
    r"\s+(?:terminate|expire|sunset|cease\s+to\s+exist)\b(?!\s+(?:the|all|any|its|their|each|such)\b)"
)
NOT_A_DIRECTIVE_SENTENCE = re.compile(
    r"\W*(?:\(\w{1,4}\)\s*)?(?:Nothing\s+in\s+this|This\s+(?:order|memorandum|proclamation)\b|"
    r"It\s+is\s+(?:hereby\s+|further\s+|also\s+)?the\s+policy|The\s+terms\s+of\s+this|[\"“])"
)
CLAUSE_BREAK = re.compile(r"[;,]\s+(?:and\s+|but\s+|or\s+)?|\s+and\s+")
# A lead-in whose list items are each an action: "shall take the following steps ...:", "to:".
LEAD_IN = re.compile(
    r"(?:following\s+(?:steps|actions|measures|tasks|activities)\b[^:]*|\bto|"
    r"\bshall(?:\s*,[^,:;]{0,80},?)?|"
    r"\bresponsib(?:le|ility)\s+for)\s*:\s*$"
)
# "shall request that foreign governments begin providing it within 50 days": their deadline.
OTHERS_DEADLINE = re.compile(r"\b(?:request|urge|encourage|invite|ask|recommend)\w*\s+that\b")
# How an item that continues a directive's sentence starts when it adds to the duty ("(i) to
# the President, twice each year"), unlike an item that lists contents ("(D) the time periods").
COMPLEMENT = re.compile(
    r"\s*(?:to|in|on|by|for|with|at|through|within|no\s+later|not\s+later|before|after|upon|"
    r"annually|quarterly|monthly|weekly|every|each)\b|\s*[a-z]+ing\b",
    re.IGNORECASE,
)
# "The United States will immediately begin ...": the Government as a whole acts.
NATION = re.compile(r"[\s>*-]*(?:\(\w{1,4}\)\s*)?(?:the\s+)?(United\s+States|Federal\s+Government)\s*",
                    re.IGNORECASE)  # fmt: skip
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
    # The sentences read so far in this section (officials are looked up in them only when a
    # clause names none: reading every sentence's names would cost a third of the time), and
    # every sentence of the order, for what the order revokes and amends.
    seen: list[tuple[int, int]] = field(default_factory=list)
    sentences: list[tuple[int, int]] = field(default_factory=list)

    looked_up: tuple = ()  # (the sentences seen when recent() last looked, what it found)

    def recent(self, text: str) -> list[str]:
        """The official named last in this section, as [full title], or []: looked up once
        for all the clauses of a sentence."""
        if self.looked_up and self.looked_up[0] == (len(self.seen), self.seen[-1:]):
            return self.looked_up[1]
        found = []
        for s, e in reversed(self.seen[-20:]):  # a section's last 20 sentences: linear time
            named = actors.mentions(text, s, e)
            if named:
                found = [actors.expand(named[-1][1], self.defs)]
                break
        self.looked_up = ((len(self.seen), self.seen[-1:]), found)
        return found

    # (designator, actors) of the open list lead-ins, outermost first: "shall:" opens one, and
    # an item of it that ends with ":" opens another inside it.
    leads: list[tuple[str, list[str], bool]] = field(default_factory=list)  # bool: a list of duties

    @property
    def lead(self) -> tuple[str, list[str], bool] | None:
        return self.leads[-1] if self.leads else None

    def enter(self, designator: str) -> bool:
        """Keep the lead-ins `designator` lies inside; True if it is an item right under the
        innermost one (a sub-item "(v)(1)" of an item is not)."""
        while self.leads and not designator.startswith(self.leads[-1][0] + "("):
            self.leads.pop()
        return bool(self.leads) and bool(
            re.fullmatch(re.escape(self.leads[-1][0]) + r"\(\w{1,4}\)", designator)
        )


def directive_modals(text: str, start: int, end: int) -> list[re.Match]:
    found = []
    for m in MODAL.finditer(text, start, end):
        # "who shall", "that shall": only the words just before the modal matter.
        before = max(start, m.start() - 30)
        if NOT_A_DIRECTIVE.match(text, m.end()) or RELATIVE.search(text, before, m.start()):
            continue
        if TERM_ENDS.match(text, m.end()):
            continue
        if m.group() == "must" and RELATIVE_MUST.search(
            text, max(start, m.start() - 60), m.start()
        ):
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
        initials = re.fullmatch(r"(?:[A-Z]\.)+", word)  # "U.S." is a name, not a sentence's end
        bare = word if initials else word.strip(",;:.")
        if not bare or (not words and (bare.lower() in SKIP_WORDS or bare.startswith("("))):
            continue
        words.append(bare)
        ends = word[-1] in ",;:." and not initials
        if len(words) >= 12 or (len(words) >= 4 and ends):
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
    # The items right under a lead-in ("shall:" then "(a) ...", "(b) ..."), not their sub-items.
    continuation = ctx.enter(block.designator)
    for n, (s, e) in enumerate(sentences(text, block.start, block.end)):
        found += _read_sentence(text, s, e, block, ctx, continuation and n == 0, room - len(found))
        if len(found) > room:
            raise ExtractionError(TOO_MANY)
        ctx.seen.append((s, e))
        ctx.sentences.append((s, e))
    return fold_thereafter(text, found)


TOO_MANY = "too many directives: this does not look like an order"


def _read_sentence(text, s, e, block, ctx, continues_lead, room=10**9) -> list[Found]:
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
    if len(parts) > room:  # "shall shall shall ...": stop before reading each one
        raise ExtractionError(TOO_MANY)
    for i, clause in enumerate(parts):
        virtual = continues_lead and i == 0
        who = [(clause.start, t) for t in ctx.lead[1]] if virtual else _who(text, clause, ctx)
        if not who:
            names = previous or ctx.recent(text)
            who = [(clause.start, t) for t in names]
        if text[clause.modal_start : clause.modal_end] == "will" and not _who(text, clause, ctx):
            nation = NATION.fullmatch(text, clause.start, clause.modal_start)
            if not nation:
                continue  # "My Administration will ...": a statement, not a directive
            who = [(clause.start, nation.group(1))]  # "The United States will withdraw ..."
        previous = [t for _, t in who]
        mine = [t for t in timings if clause.start <= t.start < clause.end]
        mine = [t for t in mine if not OTHERS_DEADLINE.search(text, clause.modal_end, t.start)]
        mine = _what_not_when(text, mine, clause)
        if not virtual and _a_thing_acts(text, clause, mine, ctx):
            # "records shall be declassified 25 years from the date of origin": a rule about
            # things, counted from their own events, is no one's deadline.
            mine = [t for t in mine if t.on or t.anchor in ("order", "effective")]
        if virtual and not ctx.lead[2] and not (mine and COMPLEMENT.match(text, clause.modal_end)):
            continue  # an item that continues a sentence ("(i) to the President, annually")
        rows += _rows(text, clause, who, mine, block)
    if text[s:e].rstrip().endswith(":") and parts and (rows or LEAD_IN.search(text, s, e)):
        # "shall take the following steps:" opens a list of duties; any other directive that
        # ends with ":" ("(a) ... and report the results of such reviews:", "or shall, when
        # directed by the President:") opens items that continue its sentence. An item that was
        # no duty itself ("(iii) reducing the use of fossil fuels by:") lists contents.
        ctx.leads.append((block.designator, previous, bool(LEAD_IN.search(text, s, e))))
    return rows


CONTENTS = re.compile(r",\s+(?:including|such\s+as|containing|describing)\b")
MAKES = re.compile(
    r"\b(?:submit(?:s|ted|ting)?|prepar(?:e|es|ed|ing)|publish(?:es|ed|ing)?|issu(?:e|es|ed|ing)|"
    r"report(?:s|ed|ing)?|provid(?:e|es|ed|ing)|produc(?:e|es|ed|ing)|develop(?:s|ed|ing)?|"
    r"conduct(?:s|ed|ing)?|hold(?:s|ing)?|held|conven(?:e|es|ed|ing)|transmit(?:s|ted|ting)?|"
    r"deliver(?:s|ed|ing)?|post(?:s|ed|ing)?|updat(?:e|es|ed|ing)|releas(?:e|es|ed|ing)|"
    r"includ(?:e|es|ed|ing)|incorporat(?:e|es|ed|ing)|mak(?:e|es|ing)|made|send(?:s|ing)?|sent|"
    r"present(?:s|ed|ing)?|compil(?:e|es|ed|ing)|complet(?:e|es|ed|ing)|fil(?:e|es|ed|ing)|"
    r"perform(?:s|ed|ing)?|undertak(?:e|es|ing)|collect(?:s|ed|ing)?|brief(?:s|ed|ing)?|"
    r"establish(?:es|ed|ing)?|meet(?:s|ing)?|certif(?:y|ies|ied|ying))\b(?:\W+\w+){0,5}?\W+$|"
    r"\bas\s+part\s+of\s+(?:the|its|their|each|an?)\s+$",
    re.IGNORECASE,
)


def _a_thing_acts(text, clause: Clause, timings, ctx) -> bool:
    """The clause's subject names no official or body but something else ("information",
    "File series exemptions", "integral file blocks")."""
    if text[clause.modal_start] == "I" or _who(text, clause, ctx):
        return False
    subject = list(text[clause.start : clause.modal_start])
    for t in timings:
        for i in range(max(t.start, clause.start), min(t.end, clause.modal_start)):
            subject[i - clause.start] = " "
    words = re.sub(r"^[\s>*-]*(?:\(\w{1,4}\)\s*)*", "", "".join(subject))
    words = re.sub(r"\b(?:and|or|but|also|then|thereafter|however)\b|[,;:]", " ", words)
    return bool(re.search(r"[A-Za-z]{3,}", words))


def _what_not_when(text, timings: list[timing.Timing], clause: Clause) -> list[timing.Timing]:
    """ "Using the information in their annual reports, the Attorney General shall ...": an
    adjective in the subject names a thing, not the duty's timing. "shall submit two further
    annual reports, by June 1, 2007, and June 1, 2008": the dates are the series."""
    kept = [t for t in timings if not (t.adjective and t.end <= clause.modal_start)]
    # "review annual agency budget submissions": the annual thing is someone else's; "submit an
    # annual report", "collecting annual performance data": the duty makes it every year.
    kept = [t for t in kept if not t.adjective or MAKES.search(text, clause.modal_end, t.start)]
    if sum(1 for t in kept if t.kind == "deadline" and t.on) >= 2:
        kept = [t for t in kept if not t.adjective]
    # "submit, within 180 days, a list of actions, including a proposal for initiating each
    # within 1 year": a time inside what the deliverable contains is not the duty's.
    return [
        t for i, t in enumerate(kept)
        if not (i and CONTENTS.search(text, kept[i - 1].end, t.start))
    ]  # fmt: skip


def _inherit_anchors(timings: list[timing.Timing], default: str) -> None:
    """A bare "within 180 days" counts from the anchor named before it in the sentence."""
    last = None
    for t in timings:
        if t.kind == "immediate":
            t.anchor = t.anchor or default
        elif t.anchor:
            last = t.anchor
        elif t.on is None:
            t.anchor = last or default


# "Heads of agencies that are unable to adopt it within 180 days shall, at the end of the
# 180-day period, ...": a time inside a relative clause of the subject describes who is meant.
IN_RELATIVE_CLAUSE = re.compile(r"\b(?:that|who|which|whose)\b", re.IGNORECASE)


def _rows(text, clause, who, timings, block) -> list[Found]:
    subject_text = text[clause.start : clause.modal_start]
    if timings:  # "Authorities who do not receive training once a year shall have ... suspended"
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
        if rows and rows[-1].rule == rule and rows[-1].actors == owners:
            # "(i) 3 percent annually through the end of fiscal year 2015, or (ii) 30 percent by
            # the end of fiscal year 2015": one date, one duty.
            rows[-1].quote, _, rows[-1].end = _span(text, rows[-1].start, t.end)
            continue
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


FIRST_OF_SERIES = re.compile(r"^(?:\(\w{1,4}\)\s*)?The\s+(?:first|initial)\b", re.IGNORECASE)


def fold_thereafter(text: str, rows: list[Found]) -> list[Found]:
    """ "Within 90 days ... and every 180 days thereafter" is one series whose first report is
    the deadline before it: fold that deadline into the recurring row. "(e) issue an annual
    report ... The first annual report shall be issued no later than 1 year from the date of
    this order": the deadline after it sets when the series starts."""
    result: list[Found] = []
    base = None  # the last relative deadline so far
    for row in rows:
        timed = [r for r in result if r.kind != "open"]
        series = timed[-1] if timed else None
        if (
            row.kind == "deadline" and series and series.kind == "recurring"
            and not (series.rule.offset or series.rule.on)
            and FIRST_OF_SERIES.match(_sentence_start(text, row.start))
            and _deliverable(row.quote) in ("", _deliverable(series.quote))
        ):  # fmt: skip
            series.rule = Rule("recurring", offset=row.rule.offset, on=row.rule.on,
                               every=series.rule.every, anchor=row.rule.anchor)  # fmt: skip
            series.quote, series.start, series.end = _span(text, series.start, row.end)
            continue
        if row.kind == "recurring" and row.rule.every and base and _thereafter(row, base):
            result.remove(base)
            row.rule = Rule("recurring", offset=base.rule.offset, on=base.rule.on,
                            every=row.rule.every, anchor=base.rule.anchor)  # fmt: skip
            row.quote, row.start, row.end = _span(text, base.start, row.end)
            base = None
        result.append(row)
        if row.kind == "deadline":  # "within 90 days" or "by September 30, 2005"
            base = row
    return result


def _sentence_start(text: str, pos: int) -> str:
    """The sentence `pos` is in, from its start: "The first report shall cover fiscal year
    2019 and shall be published by June 30, 2020" for the clause "shall be published ..."."""
    begin = max(text.rfind(". ", 0, pos), text.rfind("\n", 0, pos)) + 1
    return text[begin : pos + 1].lstrip() + text[pos + 1 : pos + 40]


def _thereafter(row: Found, base: Found) -> bool:
    """ "within 90 days and every 180 days thereafter" continues the deadline's deliverable, and
    so does "Subsequent reports shall be issued every 180 days thereafter"; "an implementation
    plan, and annually thereafter shall submit a status report" is a deliverable of its own."""
    if not re.search(r"\b(?:thereafter|after\s+that|afterwards?)\b", row.quote):
        return False
    if not MODAL.search(row.quote):
        return True
    mine, theirs = _deliverable(row.quote), _deliverable(base.quote)
    return not (mine and theirs and mine != theirs)


def _deliverable(quote: str) -> str:
    """The first thing to deliver a quote names ("reports" -> "report"), or ""."""
    match = re.search(timing.DELIVERABLE_NOUN, quote, re.IGNORECASE)
    return match.group(1).lower().rstrip("s") if match else ""
