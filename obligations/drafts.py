"""The import preview: extracted obligations shown as drafts, corrected by a person, then stored.

Nothing is written before the person confirms. The confirming request carries the text back,
with a signed digest of the text and of the number of drafts: the corrections must line up with
the very extraction the person saw.
"""

import dataclasses
import hashlib

from django.core import signing

from obligations.schedule import Rule

SALT = "obligations.drafts"


def digest(text: str, count: int) -> str:
    sha = hashlib.sha256(text.encode()).hexdigest()
    return signing.dumps({"sha": sha, "count": count}, salt=SALT)


def digest_matches(token: str, text: str, count: int) -> bool:
    try:
        value = signing.loads(token, salt=SALT, max_age=24 * 3600)
    except signing.BadSignature:
        return False
    return value == {"sha": hashlib.sha256(text.encode()).hexdigest(), "count": count}


def initial_rows(extraction) -> list[dict]:
    return [
        {
            "keep": True,
            "section": found.section,
            "actors": "; ".join(found.actors),
            "action": found.action,
            "due": found.due,
        }
        for found in extraction.obligations
    ]


def apply_corrections(extraction, rows: list[dict]):
    """The extraction with each draft kept or dropped and corrected as the person said.
    A corrected due date becomes a fixed-date deadline (the explanation will say so)."""
    kept = []
    for found, row in zip(extraction.obligations, rows, strict=True):
        if not row["keep"]:
            continue
        actors = [a.strip() for a in row["actors"].split(";") if a.strip()]
        changed = dataclasses.replace(
            found, section=row["section"].strip(), actors=actors, action=row["action"].strip()
        )
        if row.get("due") and row["due"] != found.due and found.kind != "recurring":
            changed.rule = Rule(kind="deadline", on=row["due"], anchor="order")
            changed.due = row["due"]
            changed.anchor_text = "fixed date (corrected at import)"
        kept.append(changed)
    return dataclasses.replace(extraction, obligations=kept)
