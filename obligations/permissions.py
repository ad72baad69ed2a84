"""Who may change what. Everyone signed in may read. Duties are separated:

- the responsible agency's staff (and a parent department's, see obligations.hierarchy) report
  on their own tracks: in progress, submitted, with the dates and evidence of it;
- a verifier (permission `verify_occurrence`: an inspector general, OMB, an outside monitor)
  records independent verification, never on a track of an agency they act for;
- a waiver official (permission `close_occurrence`) waives a track or finds it not required,
  citing the authority;
- admins do everything; "unmet" (set when an order is revoked after the due date) is final.
"""

from django.core.exceptions import PermissionDenied

from obligations.agencies import ALL
from obligations.hierarchy import agencies_acting_for
from obligations.models import Agency, Occurrence

S = Occurrence.Status
AGENCY = "agency"
VERIFIER = "verifier"
CLOSER = "closer"
EVERY_DUTY = frozenset({AGENCY, VERIFIER, CLOSER})
REPORTING = (S.OPEN, S.IN_PROGRESS, S.SUBMITTED)
CLOSED = (S.WAIVED, S.NOT_REQUIRED)
# The moves (from, to) each duty may make; staying in a status is how its fields are edited.
MOVES = {
    AGENCY: {(a, b) for a in REPORTING for b in REPORTING},
    VERIFIER: {(S.SUBMITTED, S.VERIFIED), (S.VERIFIED, S.VERIFIED), (S.VERIFIED, S.SUBMITTED)},
    CLOSER: {(a, b) for a in (*REPORTING, *CLOSED) for b in CLOSED} | {(b, S.OPEN) for b in CLOSED},
}
# The duty that may set each tracked field (the notes go with any change).
DUTY_OF_FIELD = {
    "submitted_on": AGENCY, "published_on": AGENCY, "evidence_url": AGENCY,
    "verified_on": VERIFIER, "verification_url": VERIFIER,
    "closed_on": CLOSER, "authority": CLOSER, "authority_url": CLOSER,
}  # fmt: skip


def user_agencies(user) -> set[int]:
    """Ids of the agencies the user acts for: their groups' agencies and, where the setting
    allows, those agencies' components (obligations.hierarchy)."""
    return agencies_acting_for(user)


def acts_for(user, agency_ids) -> bool:
    """Whether the user acts for one of these agencies ("all agencies": any agency's staff)."""
    mine = user_agencies(user)
    if mine & set(agency_ids):
        return True
    return bool(mine) and Agency.objects.filter(pk__in=agency_ids, name=ALL).exists()


def track_agency_ids(occurrence) -> set[int]:
    """The agencies a track belongs to: its own, or (a shared track) the obligation's."""
    if occurrence.agency_id:
        return {occurrence.agency_id}
    return set(occurrence.obligation.agencies.values_list("id", flat=True))


def can_change(user, obligation) -> bool:
    """Whether the user reports for some track of the obligation (or its conventions)."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return acts_for(user, obligation.agencies.values_list("id", flat=True))


def require_change(user, obligation) -> None:
    if not can_change(user, obligation):
        raise PermissionDenied("Your agency does not answer for this obligation.")


def duties(user, occurrence) -> set[str]:
    """What the user may do on this track."""
    if not user.is_authenticated or not user.is_active:
        return set()
    if user.is_superuser:
        return set(EVERY_DUTY)
    found = set()
    own = acts_for(user, track_agency_ids(occurrence))
    if own:
        found.add(AGENCY)
    if user.has_perm("obligations.verify_occurrence") and not own:
        found.add(VERIFIER)  # independent: never for the agency's own track
    if user.has_perm("obligations.close_occurrence"):
        found.add(CLOSER)
    return found


def can_verify(user, occurrence) -> bool:
    return VERIFIER in duties(user, occurrence)


def may_set_status(user_duties, current, new) -> bool:
    """Whether these duties allow the move; an admin holds every duty and may make any move
    (reopening an unmet track included)."""
    if EVERY_DUTY <= user_duties:
        return True
    return any((current, new) in MOVES[duty] for duty in user_duties)


def allowed_statuses(user_duties, current) -> list[str]:
    return [s for s in S.values if may_set_status(user_duties, current, s)]


def editable_fields(user_duties) -> set[str]:
    return {name for name, duty in DUTY_OF_FIELD.items() if duty in user_duties}


def can_import(user) -> bool:
    return user.is_authenticated and user.has_perm("obligations.add_order")
