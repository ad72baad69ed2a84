"""Which obligation a deadline counts from: "within 60 days of receipt of the reports described
in subsection (c)(ii)" counts from the obligation of 3(c)(ii); "within 30 days of the completion
of the review" from the one obligation that orders a review. Pure Python over plain values."""

import re

# "subsection (c)(ii)", "section 3(b) of this order", "paragraph (a)"
CITED = re.compile(
    r"\b(?:sub)?(?:section|paragraph)s?\s+(\d+(?:\.\d+)*)?((?:\s*\(\w{1,4}\))*)", re.IGNORECASE
)
# Where the anchor's noun phrase ends: "the reports described in subsection (a)".
QUALIFIER = re.compile(
    r"\s+(?:described|referenced|referred|required|called\s+for|issued|submitted|developed|"
    r"prepared|under|in|pursuant|set\s+forth|specified|identified)\b.*",
    re.IGNORECASE,
)
EVENT_WORDS = {
    "of", "the", "a", "an", "completion", "completing", "submission", "submitting",
    "publication", "publishing", "issuance", "issuing", "receipt", "receiving", "release",
    "date", "their", "its", "his", "her", "such", "final", "this", "that",
}  # fmt: skip


def top_section(designator: str) -> str:
    match = re.match(r"\d+(?:\.\d+)*", designator)
    return match.group() if match else designator


def cited_designator(anchor: str, section: str) -> str | None:
    """The designator an anchor cites ("subsection (c)(ii)" inside section 3 -> "3(c)(ii)")."""
    match = CITED.search(anchor)
    if not match or not (match.group(1) or match.group(2)):
        return None
    top = match.group(1) or top_section(section)
    return top + re.sub(r"\s+", "", match.group(2) or "")


def noun(anchor: str) -> str:
    """The thing whose completion is the event: "receipt of the reports described in ..." ->
    "report" (singular, to match "submit a report")."""
    words = [w for w in QUALIFIER.sub("", anchor).lower().split() if w not in EVENT_WORDS]
    last = words[-1] if words else ""
    return last[:-1] if last.endswith("s") and not last.endswith("ss") else last


def target(anchor: str, section: str, others: list[tuple[int, str, str]]) -> int | None:
    """The id of the obligation counted from, among `others` (id, section, action), or None when
    the order names none or more than one."""
    cited = cited_designator(anchor, section)
    if cited:
        inside = [o for o in others if o[1] == cited or o[1].startswith(cited + "(")]
        if len(inside) > 1:  # several directives in the cited paragraph: the one that makes it
            thing = noun(anchor)
            inside = [o for o in inside if thing and thing in o[2].lower()] or inside[:1]
        return inside[0][0] if inside else None
    thing = noun(anchor)
    matches = [o for o in others if thing and thing in o[2].lower()]
    return matches[0][0] if len(matches) == 1 else None
