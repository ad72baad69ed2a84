"""Who may change what. Everyone signed in may read; a user changes the occurrences of the
obligations their agency answers for; admins change everything."""

from django.core.exceptions import PermissionDenied

from obligations.agencies import ALL
from obligations.models import Agency


def user_agencies(user) -> set[int]:
    """Ids of the agencies whose groups the user belongs to (cached on the user object)."""
    if not hasattr(user, "_agency_ids"):
        user._agency_ids = set(
            Agency.objects.filter(group__user=user).values_list("id", flat=True)
        ) if user.is_authenticated else set()  # fmt: skip
    return user._agency_ids


def can_change(user, obligation) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    mine = user_agencies(user)
    responsible = {a.id: a.name for a in obligation.agencies.all()}
    # An obligation of "all agencies" is every agency's to report on.
    return bool(mine & responsible.keys()) or (bool(mine) and ALL in responsible.values())


def require_change(user, obligation) -> None:
    if not can_change(user, obligation):
        raise PermissionDenied("Your agency does not answer for this obligation.")


def can_import(user) -> bool:
    return user.is_authenticated and user.has_perm("obligations.add_order")
