"""The import preview: extracted obligations shown as drafts, corrected by a person, then stored.

Nothing is written before the person confirms. The confirming request carries the text back,
with a signed digest of the text and of the number of drafts: the corrections must line up with
the very extraction the person saw.
"""

import dataclasses
import hashlib

from django.core import signing

from obligations.models import Obligation
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
    A corrected due date becomes a fixed-date deadline (the explanation will say so). Each row
    keeps its key as extracted and what was corrected, so that a later text of the order keeps
    the corrections (changesets.py); dropped drafts stay out of later texts too."""
    kept, dropped = [], []
    for found, row in zip(extraction.obligations, rows, strict=True):
        key = source_key(found)
        if not row["keep"]:
            dropped.append(key)
            continue
        actors = [a.strip() for a in row["actors"].split(";") if a.strip()]
        changed = dataclasses.replace(
            found, section=row["section"].strip(), actors=actors, action=row["action"].strip(),
            source_key=key,
        )  # fmt: skip
        if row.get("due") and row["due"] != found.due and found.kind != "recurring":
            changed.rule = Rule(kind="deadline", on=row["due"], anchor="order")
            changed.due = row["due"]
            changed.anchor_text = "fixed date (corrected at import)"
        changed.corrections = _corrections(found, changed)
        kept.append(changed)
    return dataclasses.replace(extraction, obligations=kept, dropped=dropped)


def source_key(found) -> str:
    return found.source_key or Obligation.make_key(found.section, found.quote, found.rule.to_dict())


def _corrections(found, changed) -> dict:
    values = {
        "section": lambda f: f.section, "actors": lambda f: list(f.actors),
        "action": lambda f: f.action, "rule": lambda f: f.rule.to_dict(),
        "anchor_text": lambda f: f.anchor_text,
    }  # fmt: skip
    return {name: get(changed) for name, get in values.items() if get(changed) != get(found)}
