"""Which agency answers for an actor: "Secretary of Homeland Security" -> DHS. Pure Python."""

import re

from obligations.extraction.actors import COMMON

KNOWN = {
    "Attorney General": ("Department of Justice", "DOJ"),
    "Director of National Intelligence": (
        "Office of the Director of National Intelligence",
        "ODNI",
    ),
    "United States Trade Representative": (
        "Office of the United States Trade Representative",
        "USTR",
    ),
    # Titles that name the agency's subject, not the agency (fixtures/agencies.json names them).
    "Administrator of General Services": ("General Services Administration", "GSA"),
    "Commissioner of Social Security": ("Social Security Administration", "SSA"),
    "Commissioner of Internal Revenue": ("Internal Revenue Service", "IRS"),
    "Commissioner of Food and Drugs": ("Food and Drug Administration", "FDA"),
    "Commandant of the Coast Guard": ("United States Coast Guard", "USCG"),
    "Chief of the Forest Service": ("Forest Service", "USFS"),
}
# One table of federal acronyms, shared with the extractor (which expands "Director of OMB").
ABBREVIATIONS = {name: short for short, name in COMMON.items()} | {
    "Department of State": "DOS", "Department of Defense": "DOD",
    "Department of the Treasury": "USDT", "Department of Health and Human Services": "HHS",
}  # fmt: skip
ALL = "All executive departments and agencies"


def agency_for(actor: str) -> tuple[str, str]:
    """(agency name, abbreviation) for an actor's full title."""
    actor = " ".join(actor.split())
    if actor in KNOWN:
        return KNOWN[actor]
    if re.match(r"(?i)(?:the\s+)?heads?\s+of\b|(?:each|every|all)\s+.*agenc|agencies$", actor):
        return ALL, "ALL"
    match = re.match(r"(?:Deputy |Under |Assistant |Acting )*Secretary of (?:the )?(.+)", actor)
    if match:
        body = match.group(1)
        name = f"Department of the {body}" if body in ("Treasury", "Interior", "Army", "Navy",
                                                       "Air Force") else f"Department of {body}"  # fmt: skip
        return name, abbreviation(name)
    match = re.match(
        r"(?:Director|Administrator|Commissioner|Chair(?:man|person)?|Head) of (?:the )?(.+)", actor
    )
    if match:
        return match.group(1), abbreviation(match.group(1))
    return actor, abbreviation(actor)


def abbreviation(name: str) -> str:
    if name in ABBREVIATIONS:
        return ABBREVIATIONS[name]
    return "".join(w[0] for w in re.findall(r"[A-Z][\w.]*", name) if w not in {"U.S."}) or name[:8]
