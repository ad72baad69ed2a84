"""Personal API tokens: made and revoked by their person (pages.py), stored as a SHA-256 only,
sent as `Authorization: Bearer <token>`. A token acts as its person, with the rights they have
at each request (obligations.permissions), never more."""

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.utils import timezone
from rest_framework import authentication, exceptions

from obligations.models import ApiToken

USED_EVERY = timedelta(minutes=1)  # how stale "last used" may be: not a write per request
TOKEN_BYTES = 32  # 256 bits: 43 URL-safe characters


def new_token(user, name: str) -> tuple[ApiToken, str]:
    """(the stored row, the token). The token goes to the person once; only its hash is kept."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    row = ApiToken.objects.create(user=user, name=name, token_hash=hash_token(token),
                                  prefix=token[:8])  # fmt: skip
    return row, token


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_for(token: str) -> ApiToken | None:
    """The live token row, or None (unknown, revoked, or its person is no longer active)."""
    wanted = hash_token(token)
    row = ApiToken.objects.select_related("user").filter(token_hash=wanted, revoked_at=None)
    row = row.first()
    # Found through the unique index; the constant-time compare keeps timing from telling more.
    if row is None or not hmac.compare_digest(row.token_hash, wanted):
        return None
    return row if row.user.is_active else None


def mark_used(row: ApiToken) -> None:
    """Keep "last used" to the minute: a write at most once a minute per token, not per request.
    The conditional update lets one of several concurrent requests write it."""
    now = timezone.now()
    if row.last_used_at is not None and now - row.last_used_at < USED_EVERY:
        return
    stale = ApiToken.objects.filter(pk=row.pk, last_used_at=row.last_used_at)
    if stale.update(last_used_at=now):
        row.last_used_at = now


class BearerTokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Bearer <token>`. No header: not this scheme (None). A header that names
    the scheme with a token that is not live: 401, even with a session."""

    def authenticate(self, request):
        parts = authentication.get_authorization_header(request).split()
        if not parts or parts[0].lower() != b"bearer":
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                "Send the token as: Authorization: Bearer <token>."
            )
        try:
            token = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed("That is not a token of this tracker.") from None
        row = token_for(token)
        if row is None:
            raise exceptions.AuthenticationFailed("That token is unknown or revoked.")
        mark_used(row)
        return row.user, row

    def authenticate_header(self, request):
        return 'Bearer realm="api"'  # makes DRF answer 401 (not 403) with WWW-Authenticate


class SessionReadAuthentication(authentication.SessionAuthentication):
    """A signed-in browser may read (the docs page's "try it out", a link to a JSON list); a
    change needs a token, so the API has no session writes and no CSRF to check."""

    def authenticate(self, request):
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            return None
        return super().authenticate(request)
