"""Who must act: officials' titles, resolved to full titles with the order's own definitions."""

import re

HEAD = (
    r"(?:(?:Deputy|Under|Assistant|Acting|Associate|Principal\s+Deputy)\s+)*"
    r"(?:Secretary|Attorney\s+General|Director|Administrator|Commissioner|Chair(?:man|person)?|"
    r"Assistant\s+to\s+the\s+President|Counsel\s+to\s+the\s+President|Chief|Inspector\s+General|"
    r"Postmaster\s+General|Surgeon\s+General|Solicitor\s+General|Archivist|Comptroller|"
    r"Commandant|Librarian|United\s+States\s+Trade\s+Representative|Advis[oe]r|Coordinator|"
    r"Special\s+Envoy|Ambassador|Governor|Representative)"
)
# After the head: "of Homeland Security", "of the Office of Management and Budget",
# "of U.S. Immigration and Customs Enforcement". Stop before another title ("and the Secretary").
TAIL_WORD = r"(?:[A-Z][\w.&'’-]*|of|and|the|for|on|to|in)"
NOT_TITLE = rf"(?!(?:the\s+)?{HEAD}\b)"
TITLE_BODY = (
    rf"{HEAD}(?:\s+(?:of|for|to|on)\s+{NOT_TITLE}{TAIL_WORD}(?:\s+{NOT_TITLE}{TAIL_WORD})*)?"
)
TITLE = re.compile(rf"\b(?:the\s+)?({TITLE_BODY})")
GROUP = re.compile(
    r"\b(?:the\s+)?((?:heads?|Heads?)\s+of\s+(?:each|all|every|the|any|other|relevant|\s)*"
    r"(?:relevant\s+)?(?:executive\s+)?(?:[A-Z][A-Z\w-]+\s+)?(?:[Dd]epartments?|[Aa]genc(?:y|ies))"
    r"(?:\s+(?:and|or)\s+(?:agenc(?:y|ies)|departments?))?|"
    r"(?:[Ee]ach|[Ee]very|[Aa]ll)\s+(?:(?:executive|[Ff]ederal|relevant|appropriate|covered|other)\s+)*"
    r"(?:departments?\s+(?:and|or)\s+)?agenc(?:y|ies)"
    r"(?:\s+heads?)?|(?:the\s+|relevant\s+)?[Aa]gency\s+heads?|"
    r"(?<![a-z]\s)Agencies|agencies(?=\s*(?:$|shall\b))|"
    # An agency by its acronym as the subject: "the EPA shall", "GSA, in consultation with
    # DOE, must".
    r"(?<![\w(])[A-Z][A-Z&]{1,7}(?=\s*(?:,[^,]{0,80},\s*)?(?:shall|will|must)\b)|"
    # Named bodies: "the FAR Council", "the Cyber Safety Review Board", "the Committee on
    # National Security Systems", "the Task Force".
    r"(?:[A-Z][\w.&'’-]*\s+){0,5}(?:Council|Board|Committee|Commission|Task\s+Force|"
    r"Working\s+Group)(?:\s+(?:on|for)\s+[A-Z][\w.&'’-]*(?:\s+(?:[A-Z][\w.&'’-]*|and|of))*)?|"
    r"(?:the\s+)?(?:Office|Department|Bureau|Agency|Council|Board|Commission)\s+of\s+"
    r"[A-Z][\w.&'’-]*(?:\s+(?:[A-Z][\w.&'’-]*|and|of|the))*)"
)
TRAILING = re.compile(r"(?:\s+(?:of|and|the|for|on|to|in))+$")
# "the Secretary of Homeland Security (Secretary)": the order's own short form.
DEFINED = re.compile(r"\s*\(\s*(?:the\s+)?[\"“]?([A-Z][\w .’'-]{1,60}?)[\"”]?\s*\)")
DEFINED_AS = re.compile(
    rf"[\"“](?:the\s+)?([A-Z][\w ]{{1,40}}?)[\"”]\s+shall\s+(?:refer\s+to|mean)\s+the\s+({TITLE_BODY})",
    re.IGNORECASE,
)
# Parentheticals that name helpers, not the responsible official.
# Parentheticals that name helpers, not the responsible official: "in consultation with the
# Secretary of Defense, the Attorney General, and the Director of National Intelligence," runs on
# through each further name in the list (a segment that starts with "the" or a capital).
HELPERS = re.compile(
    r",?\s*\b(?:[Ii]n\s+(?:consultation|coordination|conjunction|cooperation|collaboration)\s+with|"
    r"[Tt]hrough|[Ww]ith\s+(?:the\s+)?(?:appropriate\s+)?(?:assistance|support|concurrence)\s+(?:of|from)|"
    r"[Aa]s\s+appropriate|[Ii]n\s+(?:his|her|their)\s+discretion)\b[^,]*"
    r"(?:,\s*(?:and\s+|or\s+)?(?:the\s+|other\s+)?(?=[A-Z])[^,]*)*(?:,|$)",
)
COMMON = {
    "OMB": "Office of Management and Budget", "OPM": "Office of Personnel Management",
    "ICE": "U.S. Immigration and Customs Enforcement", "CBP": "U.S. Customs and Border Protection",
    "USCIS": "U.S. Citizenship and Immigration Services", "DHS": "Department of Homeland Security",
    "DOJ": "Department of Justice", "FBI": "Federal Bureau of Investigation",
    "OSTP": "Office of Science and Technology Policy", "GSA": "General Services Administration",
    "EPA": "Environmental Protection Agency", "NIST": "National Institute of Standards and Technology",
}  # fmt: skip
NON_ACTORS = {"President", "Secretary of State's", "Chief Justice"}


def tidy(title: str) -> str:
    title = " ".join(title.split())
    title = TRAILING.sub("", re.sub(r"(?<=[a-z]{2})\.$", "", title))
    return re.sub(r"^(?:the|The)\s+", "", title)


# Where a short form may be defined: a parenthesis that opens on a capital ("(Secretary)").
OPENS_SHORT_FORM = re.compile(r"\(\s*(?:the\s+)?[\"“]?[A-Z]")


def definitions(text: str) -> dict[str, str]:
    """Short forms the order defines: {"Secretary": "Secretary of Homeland Security"}.
    Titles are looked for only just before a parenthesis that may define one: scanning the
    whole text with the title patterns costs more than the rest of the reading."""
    found: dict[str, str] = {}
    for paren in OPENS_SHORT_FORM.finditer(text):
        window = max(0, paren.start() - 250)
        for pattern, defines in ((TITLE, _defines_title), (GROUP, _defines_group)):
            for m in pattern.finditer(text, window, paren.start()):
                if text[m.end() : paren.start()].strip():
                    continue
                d = DEFINED.match(text, m.end())
                full = tidy(m.group(1))
                if d and defines(full, d.group(1).strip()):
                    found.setdefault(d.group(1).strip(), full)
    for m in DEFINED_AS.finditer(text):
        found[m.group(1).strip()] = tidy(m.group(2))
    return found


def _defines_title(full: str, short: str) -> bool:
    return " of " in full and short.split()[0] == full.split()[0]


def _defines_group(full: str, short: str) -> bool:  # "the Cyber Safety Review Board (Board)"
    return short == full.split()[-1] and len(full.split()) > 1


def expand(title: str, defs: dict[str, str]) -> str:
    if title in defs:
        return defs[title]
    words = title.split()
    for i, word in enumerate(words):
        if word in COMMON and words[i - 1 : i] == ["of"]:
            name = COMMON[word]
            article = "" if name.startswith(("U.S.", "Federal", "National")) else "the "
            return " ".join(words[:i]) + f" {article}{name}" + " ".join([""] + words[i + 1 :])
    return title


def mentions(text: str, start: int, end: int) -> list[tuple[int, str]]:
    """(position, title) of every official or body named in text[start:end]."""
    found = []
    for pattern in (TITLE, GROUP):
        for m in pattern.finditer(text, start, end):
            title = tidy(m.group(1))
            if title and title not in NON_ACTORS and not title.startswith("President"):
                found.append((m.start(1), title))
    found.sort()
    result = []
    for pos, title in found:  # "Office of X" inside "Director of the Office of X": keep the outer
        if result and pos < result[-1][0] + len(result[-1][1]):
            continue
        result.append((pos, title))
    return result


def subject_actors(text: str, start: int, end: int, defs: dict[str, str]) -> list[tuple[int, str]]:
    """Actors named in a clause's subject, leaving out helpers ("in consultation with ...")."""
    region = text[start:end]
    masked = HELPERS.sub(lambda m: " " * len(m.group()), region)
    kept = []
    for pos, title in mentions(masked, 0, len(masked)):
        full = expand(title, defs)
        if full not in [t for _, t in kept]:
            kept.append((start + pos, full))
    return kept
