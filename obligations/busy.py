"""A database too busy to write answers 503 "try again", never a 500 with a stack trace.

On SQLite one writer holds the file at a time; a request that waits longer than the busy
timeout (DATABASES OPTIONS "timeout") for the write lock gets "database is locked". That is
a passing state, not a bug: the answer is 503 with Retry-After and a page that says to try
again, and a warning in the log. (PostgreSQL's lock timeouts and deadlocks are the same kind of
passing state and get the same answer.)

`DatabaseBusyMiddleware` turns the error into that answer when a view raises it, DEBUG or not;
`server_error` (tracker/urls.py's handler500) does so when it comes from elsewhere (a
middleware saving the session), and is Django's plain 500 page otherwise.
"""

import logging
import sys

from django.db import OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.views.decorators.csrf import requires_csrf_token
from django.views.defaults import server_error as django_server_error

log = logging.getLogger(__name__)
RETRY_AFTER_SECONDS = 10
BUSY_MESSAGES = (
    "database is locked",  # SQLite: the busy timeout passed waiting for the write lock
    "database table is locked",  # SQLite, shared cache
    "lock timeout",  # PostgreSQL: lock_timeout
    "deadlock detected",  # PostgreSQL: one of two transactions chosen to give way
)


def is_busy(error: BaseException | None) -> bool:
    text = str(error).lower()
    return isinstance(error, OperationalError) and any(m in text for m in BUSY_MESSAGES)


def busy_response(request, error) -> HttpResponse:
    log.warning("database busy, answered 503: %s %s (%s)", request.method, request.path, error)
    # No request context: the page must not need the database that is busy.
    response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseBusyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        return busy_response(request, exception) if is_busy(exception) else None


@requires_csrf_token
def server_error(request) -> HttpResponse:
    """handler500: Django calls it while handling the exception, so sys.exception() is it."""
    error = sys.exception()
    if is_busy(error):
        return busy_response(request, error)
    return django_server_error(request)
