"""Sending webhook deliveries: claim one due row, POST it, record what came back; repeat.

`run(now)` is what the "deliver-due-webhooks" schedule (every minute) and the task queued after
each change call (obligations.tasks.deliver_webhooks). Any number of runs may go at once:

1. claim: in a short transaction, the earliest due row is locked (select_for_update with
   skip_locked: on PostgreSQL a second run takes the next row instead of waiting; SQLite's
   IMMEDIATE transactions serialize the claims), its attempt counted and its next_attempt_at
   moved to the end of a lease, so that no other run sees it due; the lock is let go before any
   network traffic, so a slow receiver never holds the database;
2. send: one POST, WEBHOOK_TIMEOUT seconds per network wait, redirects not followed, no proxy,
   and only to an address forbidden_address() allows (checked on the connected socket);
3. record: a 2xx marks it delivered; anything else (a status, a timeout, a refused connection)
   schedules the next attempt after WEBHOOK_BACKOFF_MINUTES, or gives up after
   WEBHOOK_MAX_ATTEMPTS.

At least once: a run that dies between the receiver's answer and the record sends the delivery
again when its lease ends (WEBHOOK_LEASE_MINUTES, longer than any run lives). Receivers drop a
delivery id they have seen (docs/webhooks.md).
"""

import http.client
import logging
import ssl
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from obligations import clock, webhooks
from obligations.models import WebhookDelivery

log = logging.getLogger(__name__)


@dataclass
class RunResult:
    delivered: int = 0
    retry: int = 0
    failed: int = 0
    left: bool = False  # the time budget ran out with rows still due

    def __str__(self):
        return ", ".join(f"{k} {v}" for k, v in vars(self).items())


@dataclass
class Outcome:
    status: int | None = None
    error: str = ""

    @property
    def delivered(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def due(now):
    return WebhookDelivery.objects.filter(
        next_attempt_at__isnull=False, next_attempt_at__lte=now, webhook__active=True
    )


def run(now=None, *, deadline: float | None = None) -> RunResult:
    """Send what is due until none is left or the time budget (WEBHOOK_RUN_SECONDS, well inside
    django-q2's timeout) is spent. `now` pins the time (tests); by default each delivery is
    claimed and recorded at the time it is."""
    deadline = clock.monotonic() + settings.WEBHOOK_RUN_SECONDS if deadline is None else deadline
    result = RunResult()
    while True:
        at = now or timezone.now()
        if clock.monotonic() >= deadline:
            result.left = due(at).exists()
            break
        delivery = claim(at)
        if delivery is None:
            break
        outcome = send_safely(delivery)
        state = record(delivery, outcome, now or timezone.now())
        setattr(result, state, getattr(result, state) + 1)
    if result.delivered or result.retry or result.failed:
        log.info("webhook deliveries: %s", result)
    return result


def send_safely(delivery) -> Outcome:
    """send(), and whatever it did not foresee recorded as this attempt's error: a delivery that
    breaks the run would otherwise come back after every lease, never recorded, never given up."""
    try:
        return send(delivery)
    except Exception as error:  # recorded, and logged with its traceback
        log.exception("webhook delivery %s", delivery.delivery_id)
        return Outcome(error=f"unexpected {error.__class__.__name__}")


def claim(now) -> WebhookDelivery | None:
    """The earliest due delivery, now this run's: its attempt counted, its lease taken."""
    lease = now + timedelta(minutes=settings.WEBHOOK_LEASE_MINUTES)
    with transaction.atomic():
        rows = due(now).order_by("next_attempt_at", "id")
        delivery = rows.select_for_update(skip_locked=True, of=("self",)).first()
        if delivery is None:
            return None
        delivery.attempts += 1
        delivery.next_attempt_at = lease
        delivery.save(update_fields=["attempts", "next_attempt_at"])
    delivery.webhook  # noqa: B018 (read after the lock is let go: its url and secret now)
    return delivery


def send(delivery: WebhookDelivery) -> Outcome:
    body = webhooks.body(delivery.payload)
    stamp = int(timezone.now().timestamp())
    try:
        status = post(delivery.webhook.url, body, webhooks.headers(delivery, body, stamp))
    except TimeoutError:
        return Outcome(error=f"timed out after {settings.WEBHOOK_TIMEOUT} s")
    except RefusedAddress as error:
        return Outcome(error=f"refused: {error}")
    except ssl.SSLError as error:
        return Outcome(error=f"TLS: {error.reason or error.__class__.__name__}")
    except ConnectionError as error:
        return Outcome(error=_words(error.__class__.__name__))
    except (OSError, http.client.HTTPException) as error:
        # The exception's own words, never the address: an address can carry a token.
        return Outcome(error=f"{error.__class__.__name__}: {error}"[:200])
    return Outcome(status=status)


def _words(name: str) -> str:
    """ "ConnectionRefusedError" -> "connection refused"."""
    words = "".join(f" {c.lower()}" if c.isupper() else c for c in name).split()
    return " ".join(w for w in words if w != "error")


def record(delivery, outcome: Outcome, now) -> str:
    """Write what came back; returns "delivered", "retry" or "failed"."""
    rows = WebhookDelivery.objects.filter(pk=delivery.pk)
    error = outcome.error or ("" if outcome.delivered else f"HTTP {outcome.status}")
    if outcome.delivered:
        rows.update(
            delivered_at=now, next_attempt_at=None, last_status_code=outcome.status,
            last_error="",
        )  # fmt: skip
        return "delivered"
    if delivery.attempts >= settings.WEBHOOK_MAX_ATTEMPTS:
        error = f"gave up after {delivery.attempts} attempts; last: {error}"
        rows.update(next_attempt_at=None, last_status_code=outcome.status, last_error=error[:300])
        log.warning("webhook delivery %s: %s", delivery.delivery_id, error)
        return "failed"
    rows.update(
        next_attempt_at=now + backoff(delivery.attempts), last_status_code=outcome.status,
        last_error=error[:300],
    )  # fmt: skip
    return "retry"


def backoff(attempts: int) -> timedelta:
    """After the first failed attempt 1 minute, then 5, 30, 120, 720 (the last repeats)."""
    steps = settings.WEBHOOK_BACKOFF_MINUTES
    return timedelta(minutes=steps[min(attempts, len(steps)) - 1])


# The POST -----------------------------------------------------------------------------------


class RefusedAddress(OSError):
    """The host's address is one deliveries may not go to (webhooks.forbidden_address)."""


def post(url: str, body: bytes, headers: dict) -> int:
    """POST and return the status. http.client, not urllib: it follows no redirect and uses no
    proxy from the environment. The response body is not read beyond a little."""
    parts = urlsplit(url)
    timeout = settings.WEBHOOK_TIMEOUT
    if parts.scheme == "https":
        context = ssl.create_default_context()
        conn = http.client.HTTPSConnection(parts.hostname, parts.port, timeout=timeout,
                                           context=context)  # fmt: skip
    else:
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    conn._create_connection = _guarded(conn._create_connection)  # both classes connect through it
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    try:
        conn.request("POST", path, body=body, headers=headers)
        response = conn.getresponse()
        response.read(4096)
        return response.status
    finally:
        conn.close()


def _guarded(create):
    """socket.create_connection, refusing a socket connected to a forbidden address before a
    byte is written to it (before the TLS handshake too)."""

    def connect(address, *args, **kwargs):
        sock = create(address, *args, **kwargs)
        reason = webhooks.forbidden_address(sock.getpeername()[0])
        if reason:
            sock.close()
            raise RefusedAddress(reason)
        return sock

    return connect


def send_again(deliveries) -> int:
    """The admin's "send again": due now, with one more attempt allowed if it had given up.
    Delivered ones are sent again under the same delivery id (a receiver that kept it drops it)."""
    now, n = timezone.now(), 0
    last = settings.WEBHOOK_MAX_ATTEMPTS - 1
    for delivery in deliveries:
        attempts = min(delivery.attempts, last)
        n += WebhookDelivery.objects.filter(pk=delivery.pk).update(
            next_attempt_at=now, attempts=attempts
        )
    if n:
        transaction.on_commit(webhooks._kick, robust=True)
    return n
