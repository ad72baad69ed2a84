"""How the API says no: the app's own exceptions (raised by tracking.record_progress, the same
path the pages take) as JSON with their messages, never a 500."""

from django.core.exceptions import PermissionDenied, ValidationError
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from obligations.models import Conflict


def handle(exc, context):
    if isinstance(exc, Conflict):
        return conflict(exc)
    if isinstance(exc, PermissionDenied):  # DRF's own would drop the app's message
        message = str(exc) or "You may not do this."
        return Response({"detail": message}, status=status.HTTP_403_FORBIDDEN)
    if isinstance(exc, ValidationError):
        return Response(field_messages(exc), status=status.HTTP_400_BAD_REQUEST)
    return exception_handler(exc, context)


def field_messages(error: ValidationError) -> dict:
    """{field: [messages]}; messages about no one field under "non_field_errors"."""
    if hasattr(error, "error_dict"):
        return {("non_field_errors" if k == "__all__" else k): v
                for k, v in error.message_dict.items()}  # fmt: skip
    return {"non_field_errors": error.messages}


def conflict(exc: Conflict) -> Response:
    """409: the track changed after the version the client read; what changed, by whom, when."""
    current = exc.current
    return Response({
        "detail": f"This track changed since version {exc.expected_version}: it is at version "
                  f"{current.version}. Read it again and resend the change if it still holds.",
        "current_version": current.version,
        "changes": [history_row(row) for row in exc.changes_since()],
    }, status=status.HTTP_409_CONFLICT)  # fmt: skip


def history_row(row) -> dict:
    return {
        "at": row.at.isoformat(), "by": row.by.get_username() if row.by else None,
        "from_status": row.from_status, "to_status": row.to_status, "changes": row.changes,
        "note": row.note, "version": row.version,
    }  # fmt: skip
