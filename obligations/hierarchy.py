"""Which agencies are components of which (ICE of DHS), and whom a user therefore acts for.

The departments and their components are data (fixtures/agencies.json, loaded by
`manage.py load_agencies`); in the database `Agency.parent` is what counts, so an admin's edit
wins over the file. With settings.AGENCY_PARENTS_ACT_FOR_COMPONENTS a department's staff see and
act on their components' tracks (DHS staff on ICE's), never the other way round.
"""

import json
from functools import lru_cache

from django.conf import settings

FIXTURE = settings.BASE_DIR / "fixtures" / "agencies.json"


@lru_cache(maxsize=1)
def known() -> dict[str, dict]:
    """{name: {"name", "abbreviation", "parent", "heads", "aliases"}}: the file, parents before
    their components (agencies.py resolves actors through the heads and aliases)."""
    with open(FIXTURE, encoding="utf-8") as f:
        return {entry["name"]: entry for entry in json.load(f)}


def parents_act() -> bool:
    return settings.AGENCY_PARENTS_ACT_FOR_COMPONENTS


def parent_map() -> dict[int, int]:
    """{agency id: its parent's id} for every component, in one query (the table is small)."""
    from obligations.models import Agency  # models import this module

    return dict(Agency.objects.exclude(parent=None).values_list("id", "parent_id"))


def ancestors(agency_id: int, parent_of: dict[int, int]) -> set[int]:
    """The agency's parent, its parent's parent, ... (an admin-made cycle stops the walk)."""
    found = set()
    while (agency_id := parent_of.get(agency_id)) is not None and agency_id not in found:
        found.add(agency_id)
    return found


def descendants(agency_ids: set[int], parent_of: dict[int, int]) -> set[int]:
    """The agencies and all their components, their components' components, ..."""
    children: dict[int, set[int]] = {}
    for child, parent in parent_of.items():
        children.setdefault(parent, set()).add(child)
    found, todo = set(agency_ids), list(agency_ids)
    while todo:
        for child in children.get(todo.pop(), ()):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def agencies_acting_for(user) -> set[int]:
    """Ids of the agencies the user acts for: their groups' agencies and, when parents act for
    components, every component below them. Two queries at most, cached on the user object."""
    if not hasattr(user, "_acting_for"):
        user._acting_for = _acting_for(user) if user.is_authenticated else set()
    return user._acting_for


def _acting_for(user) -> set[int]:
    from obligations.models import Agency

    own = set(Agency.objects.filter(group__user=user).values_list("id", flat=True))
    if not own or not parents_act():
        return own
    return descendants(own, parent_map())
