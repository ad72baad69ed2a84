"""Which agency answers for an actor: "Secretary of Homeland Security" -> DHS, or None.

The table is data: fixtures/agencies.json names each agency with its abbreviation, the titles of
its heads ("heads": "Secretary of Homeland Security", "Archivist of the United States") and the
short forms orders use ("aliases": "FAR Council", "Bureau of Prisons"). An actor resolves to an
agency when it is one of these (case, "the" and "U.S." aside), a deputy's or an under
secretary's form of a head's title ("Deputy Secretary of Homeland Security"), or any official
"of" a named agency ("Director of the Bureau of Prisons", "Chief Information Officer of the
Department of Defense"). Anything else ("Commission", "Director", "Governor", a body the order
itself creates) is None: the importer keeps the actor's text and flags it for review instead of
inventing an agency (issue 15).
"""

import re
from functools import lru_cache

ALL = "All executive departments and agencies"
# "heads of executive departments and agencies", "each agency", "agencies".
EVERY = re.compile(
    r"(?i)(?:the\s+)?heads?\s+of\b.*\b(?:agenc|departments)|(?:each|every|all)\s+.*agenc|"
    r"^agencies$|heads?\s+of\s+(?:each|every|all|any)\s+(?:executive\s+)?department"
)
# Ranks below a head that answer for the same agency: "Deputy Secretary of X" -> "Secretary of X".
RANK = re.compile(
    r"^(?:(?:acting|deputy|under|assistant|associate|principal|senior|executive|vice|special|"
    r"first|chief)\s+)+"
)
# Words that name an official of an agency when the agency follows: "EPA Administrator".
ROLE = r"(?:director|administrator|commissioner|chair|secretary|head|chief)"
SPELLINGS = [
    (re.compile(r"\bu\.\s?s\.(?=\s|$)"), "united states"),
    (re.compile(r"\bchair(?:man|person|woman)\b"), "chair"),
    (re.compile(r"\badvisor\b"), "adviser"),
    (re.compile(r"\s*&\s*"), " and "),
    (re.compile(r"[’`]"), "'"),
    (re.compile(r"'s\b"), ""),
    (re.compile(r"[^\w\s()/-]"), " "),
    (re.compile(r"\bthe\b"), " "),
    (re.compile(r"^\s*(?:a|an|this|that|such|said)\s+"), ""),
]
# Where an extracted actor runs over a sentence's end ("Purpose. The National Space Council",
# "Secretary of Transportation.Consistent"), or names a component by its department's
# possessive ("Department of Commerce's National Oceanic and Atmospheric Administration").
PIECES = re.compile(r"(?<=[a-z]{2}[.:])\s*(?=[A-Z])|\.?''\s*|['’]s\s+(?=[A-Z])")
# "Secretary of Commerce and the USTR", "Department of State and USAID": each its own agency.
AND_THE = re.compile(r",?\s+and\s+the\s+")
AND = re.compile(r",?\s+and\s+|,\s+")


def normal(text: str) -> str:
    """The key a title is looked up by: lower case, no "the", "U.S." spelled out, no punctuation
    but hyphens: "the Chairman of the Council of Economic Advisers" -> "chair of council of
    economic advisers"."""
    text = text.casefold()
    for pattern, replacement in SPELLINGS:
        text = pattern.sub(replacement, text)
    return " ".join(text.split())


@lru_cache(maxsize=1)
def table() -> tuple[dict, dict]:
    """({key of a name, abbreviation or alias: (name, abbreviation)}, {key of a head's title:
    (name, abbreviation)}), from fixtures/agencies.json."""
    from obligations.hierarchy import known  # it reads the settings

    names, heads = {}, {}
    for entry in known().values():
        agency = (entry["name"], entry["abbreviation"])
        for alias in [entry["name"], entry["abbreviation"], *entry.get("aliases", ())]:
            names.setdefault(normal(alias), agency)
        for title in entry.get("heads", ()):
            heads.setdefault(normal(title), agency)
    return names, heads


def agency_for(actor: str) -> tuple[str, str] | None:
    """(agency name, abbreviation) of the table for an actor's title, or None if it names none."""
    pieces = [actor]
    parts = [part for part in PIECES.split(actor) if part.strip()]
    if len(parts) > 1:
        pieces += parts[::-1]  # the last piece first: what a sentence's end led into
    names, heads = table()
    for piece in pieces:
        for candidate in _forms(normal(piece)):
            found = heads.get(candidate) or names.get(candidate) or _official_of(candidate, names)
            if found:
                return found
    if EVERY.search(actor):
        return ALL, "ALL"
    return None


def each_agency(actor: str, resolve=agency_for) -> list[tuple[str, str]]:
    """The agencies an actor names: one, or, for "X and the Y" where each part names an agency,
    each of them; [] if it (or any part) names none."""
    found = resolve(actor)
    if found:
        return [found]
    for pattern in (AND_THE, AND):
        parts = [part for part in pattern.split(actor) if part.strip()]
        if len(parts) > 1:
            found = [resolve(part) for part in parts]
            return list(dict.fromkeys(found)) if all(found) else []
    return []


def _forms(key):
    """The title as written, without its rank, and without what it is "for" ("Under Secretary
    of Commerce for Oceans and Atmosphere" -> "Under Secretary of Commerce" -> "Secretary of
    Commerce"); the exact forms first, so that a head listed with its "for" wins."""
    seen = set()
    for form in (key, RANK.sub("", key)):
        for cut in (form, re.sub(r"\s+for\s+.*$", "", form)):
            for candidate in (cut, RANK.sub("", cut)):
                if candidate and candidate not in seen:
                    seen.add(candidate)
                    yield candidate


def _official_of(key, names):
    """An official "of" a named agency, the longest name first: "inspector general of
    department of defense" -> DOD; or the agency before a role word: "epa administrator"."""
    for match in re.finditer(r"\s(?:of|for|at|within|in)\s", key):
        found = names.get(key[match.end() :])
        if found:
            return found
    match = re.fullmatch(rf"(.+?)\s+{ROLE}", key)
    return names.get(match.group(1)) if match else None


def resolver(text: str):
    """agency_for for the actors of one order, reading the order for a bare title ("the
    Secretary shall", "the Council shall") that the extractor left as it is:
    - a short form the order defines in a way the extractor does not read, such as the printed
      Federal Register's quotes: "the Secretary of Commerce (``the Secretary'')";
    - else the one agency that every fuller title of that kind in the order names ("the
      Secretary of the Interior" and "the Deputy Secretary of the Interior": DOI). If the order
      names officials or bodies of that kind of two agencies, or one the table does not know (a
      council the order establishes), the bare title stays unresolved, for review."""
    cache: dict[str, tuple[str, str] | None] = {}
    read: dict = {}

    def resolve(actor: str) -> tuple[str, str] | None:
        if actor not in cache:
            cache[actor] = agency_for(actor)
            if cache[actor] is None and not CONNECTOR.search(actor):
                if not read:
                    read.update(_read(text))
                defined = read["defined"].get(" ".join(actor.split()))
                if defined:
                    cache[actor] = agency_for(defined)
                else:
                    cache[actor] = _antecedent(actor, read["titles"])
        return cache[actor]

    return resolve


CONNECTOR = re.compile(r"\s(?:of|for|on|to|in)\s")
# "(``the Secretary'')", "(the "Council")", "(Board)" after a title.
SHORT_FORM = re.compile(
    r"\s*\(\s*(?:the\s+)?(?:``|[\"“'‘])?\s*(?:the\s+)?([A-Z][\w .’'-]{1,60}?)\s*(?:''|[\"”'’])?\s*\)"
)


def _read(text: str) -> dict:
    """Every official's title and named body in the text, as the extractor reads them (with
    those named after the President, "the President's Council on X", which it leaves out), and
    the short forms defined right after one."""
    from obligations.extraction.actors import GROUP, TITLE, tidy

    titles, defined = set(), {}
    for pattern in (TITLE, GROUP):
        for m in pattern.finditer(text):
            full = tidy(m.group(1))
            if ". " in full:  # ran on into the next sentence
                continue
            titles.add(full)
            short = SHORT_FORM.match(text, m.end())
            if short and set(short.group(1).split()) <= set(full.split()):
                defined.setdefault(" ".join(short.group(1).split()), full)
    return {"titles": sorted(titles), "defined": defined}


def _antecedent(actor: str, titles: list[str]) -> tuple[str, str] | None:
    """The one agency every fuller title containing the bare one names, else None. A title
    that only adds a rank ("Deputy Assistant Secretary") says no more than the bare one."""
    actor = " ".join(actor.split())
    word = re.compile(rf"(?<![\w-]){re.escape(actor)}(?![\w-])")
    found = {
        agency_for(title)
        for title in titles
        if word.search(title) and RANK.sub("", normal(title)) != normal(actor)
    }
    return found.pop() if len(found) == 1 and None not in found else None
