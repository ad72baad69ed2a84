"""Outgoing webhooks: what is sent when a track's status changes, to whom, and how it is signed.

An admin registers a Webhook (an address, for an agency, an order, both, or every change). When
Occurrence.change_status writes a StatusChange whose status moved (the one path of status changes:
pages, commands, and the effects that close tracks as unmet or not required), status_changed()
makes one WebhookDelivery per matching active webhook, in the same transaction: a change that
rolls back sends nothing, and one that commits is never lost to a crash between the commit and
the enqueue (a transactional outbox). After the commit, one django-q2 task is queued to send what
is due (webhook_delivery.py), and the "deliver-due-webhooks" schedule (migration 0018) sends
whatever a lost task or a retry left, every minute.

Which webhooks match a track: its agency's, and its parent agencies' when departments act for
their components (settings.AGENCY_PARENTS_ACT_FOR_COMPONENTS: DHS's webhook hears of ICE's tracks,
as DHS's staff see them); for a shared track (no agency), the agencies of the obligation and
their parents; an order's webhook, every track of that order.

The body carries public fields only (obligations/public.py: the occurrence's public fields, the
order's citable slug, the citation), ids and the status moved from and to: never notes, never who
made the change. docs/webhooks.md shows a receiver checking the signature.
"""

import hashlib
import hmac
import ipaddress
import json
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.utils import timezone

from obligations import hierarchy, public
from obligations.models import Webhook, WebhookDelivery

STATUS_CHANGED = "occurrence.status_changed"
PING = "ping"
LOOPBACK_NAMES = {"localhost", "localhost.localdomain"}


# Addresses ----------------------------------------------------------------------------------


def check_url(url: str) -> None:
    """Raise ValidationError unless `url` may be registered: http(s) only; https unless the host
    is this machine, DEBUG is on or WEBHOOK_ALLOW_HTTP; no user name or password in it (the
    signature authenticates us; credentials would also show in the admin); an address written
    as an IP must be one deliveries may go to (forbidden_address)."""
    parts = urlsplit(url or "")
    if parts.scheme not in ("http", "https"):
        raise ValidationError({"url": "Use an http or https address."})
    try:
        host, _ = parts.hostname, parts.port  # a port that is not a number raises here
    except ValueError:
        raise ValidationError({"url": "The port is not a number."}) from None
    if not host:
        raise ValidationError({"url": "The address has no host."})
    if parts.username or parts.password:
        raise ValidationError({"url": "Leave the user name and password out of the address."})
    if parts.scheme == "http" and not (
        is_loopback_host(host) or settings.DEBUG or settings.WEBHOOK_ALLOW_HTTP
    ):
        raise ValidationError({"url": "Use https (http only for this machine's own address)."})
    if (literal := _ip(host)) and (reason := forbidden_address(literal)):
        raise ValidationError({"url": f"Deliveries cannot go to this address: {reason}."})


def is_loopback_host(host: str) -> bool:
    if host.lower() in LOOPBACK_NAMES:
        return True
    ip = _ip(host)
    return bool(ip and ip.is_loopback)


def _ip(text: str):
    try:
        ip = ipaddress.ip_address(text.split("%")[0])  # an IPv6 zone ("fe80::1%eth0")
    except ValueError:
        return None
    return getattr(ip, "ipv4_mapped", None) or ip


def forbidden_address(ip) -> str | None:
    """Why a delivery may not connect to this address, or None. Checked on the socket actually
    connected (webhook_delivery.py), so a name that resolves somewhere else later (DNS rebinding)
    gains nothing. Never: link-local (169.254.169.254 is the cloud's metadata service),
    multicast, unspecified, reserved. Private networks and this machine only with
    WEBHOOK_ALLOW_PRIVATE: an admin registers webhooks, but the tracker's own neighbours (its
    database, its cache) are not theirs to post to unless the deployment says so."""
    ip = _ip(str(ip))  # an address object or its text
    if ip is None:
        return "not an IP address"
    if ip.is_link_local:
        return "link-local"
    if ip.is_multicast or ip.is_unspecified or ip.is_reserved:
        return "multicast, unspecified or reserved"
    if (ip.is_loopback or ip.is_private) and not settings.WEBHOOK_ALLOW_PRIVATE:
        return "a private or loopback address (set WEBHOOK_ALLOW_PRIVATE to allow it)"
    return None


# Signatures ---------------------------------------------------------------------------------


def body(payload: dict) -> bytes:
    """The exact bytes sent and signed."""
    return json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()


def signature(secret: str, timestamp: int | str, body: bytes) -> str:
    """X-Tracker-Signature: "sha256=" + hex HMAC-SHA256 of "<timestamp>.<body>" under the
    webhook's secret (the Stripe and GitHub style; the timestamp inside stops replays)."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"sha256={mac.hexdigest()}"


def headers(delivery: WebhookDelivery, body: bytes, timestamp: int) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "User-Agent": "obligation-tracker-webhooks/1",
        "X-Tracker-Delivery": str(delivery.delivery_id),
        "X-Tracker-Event": delivery.event,
        "X-Tracker-Timestamp": str(timestamp),
        "X-Tracker-Signature": signature(delivery.webhook.secret, timestamp, body),
    }


# Making deliveries --------------------------------------------------------------------------


def status_changed(change, occurrence) -> int:
    """Called by Occurrence.change_status inside its transaction, once it wrote `change` for
    `occurrence` (locked, as changed): make the deliveries and queue a send for after the
    commit. A change that set dates or links but left the status is not sent. Returns how many
    deliveries were made. One query when no webhook is active."""
    if change.from_status == change.to_status:
        return 0
    hooks = list(Webhook.objects.filter(active=True))
    if not hooks:
        return 0
    hooks = matching(hooks, occurrence)
    if not hooks:
        return 0
    payload = status_payload(change, occurrence)
    rows = [
        WebhookDelivery(webhook=hook, event=STATUS_CHANGED, status_change=change,
                        payload=payload, next_attempt_at=change.at)
        for hook in hooks
    ]  # fmt: skip
    made = WebhookDelivery.objects.bulk_create(rows)
    kick_after_commit()
    return len(made)


def matching(hooks, occurrence) -> list[Webhook]:
    order_id = occurrence.obligation.order_id
    scope = None  # the track's agencies and those above them, read only if a hook needs it
    found = []
    for hook in hooks:
        if hook.order_id is not None and hook.order_id != order_id:
            continue
        if hook.agency_id is not None:
            if scope is None:
                scope = agency_scope(occurrence)
            if hook.agency_id not in scope:
                continue
        found.append(hook)
    return found


def agency_scope(occurrence) -> set[int]:
    """The agencies whose webhooks hear of this track (the same reach as reminders.Audience)."""
    if occurrence.agency_id is not None:
        own = {occurrence.agency_id}
    else:  # a shared track: every agency of the obligation
        own = set(occurrence.obligation.agencies.values_list("id", flat=True))
    if not hierarchy.parents_act():
        return own
    parent_of = hierarchy.parent_map()
    return own.union(*(hierarchy.ancestors(a, parent_of) for a in own))


def status_payload(change, occurrence) -> dict:
    """Public fields only (obligations/public.py), as JSON values."""
    obligation = occurrence.obligation
    agency = occurrence.agency
    if agency is not None:
        agency = {"id": agency.pk, "name": agency.name, "abbreviation": agency.abbreviation}
    data = {
        "event": STATUS_CHANGED,
        "at": change.at,
        "status_change": change.pk,
        "from_status": change.from_status,
        "to_status": change.to_status,
        "occurrence": {
            "id": occurrence.pk,
            "obligation": obligation.pk,
            "obligation_key": obligation.key,
            "order": public.order_slug(obligation.order),
            "citation": public.citation(obligation),
            "sequence": occurrence.sequence,
            "agency": agency,
            **public.public_values(occurrence),
        },
    }
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))  # dates as ISO strings


def ping(hook: Webhook) -> WebhookDelivery:
    """A test event for one webhook (the admin's "send a test event")."""
    now = timezone.now()
    with transaction.atomic():
        delivery = WebhookDelivery.objects.create(
            webhook=hook, event=PING, next_attempt_at=now,
            payload={"event": PING, "at": now.isoformat(), "webhook": hook.pk},
        )  # fmt: skip
        kick_after_commit()
    return delivery


def kick_after_commit(using=DEFAULT_DB_ALIAS) -> None:
    """Queue one send task for after the commit, however many changes the transaction makes (an
    effect closing a hundred tracks): a kick already waiting in this transaction is enough. A
    kick registered in a savepoint that rolled back is gone from the list, so the next change
    registers another. robust: a broker that is down must not turn a committed change into an
    error; the schedule sends the rows a minute later anyway."""
    waiting = getattr(connections[using], "run_on_commit", [])  # Django's list of callbacks
    if any(func is _kick for _, func, *_ in waiting):
        return
    transaction.on_commit(_kick, using=using, robust=True)


def _kick() -> None:
    from django_q.conf import Conf
    from django_q.tasks import async_task

    if Conf.SYNC:  # tests, a debugging setup: the run itself, at once, outside any transaction
        async_task("obligations.tasks.deliver_webhooks")
        return
    # In a transaction of its own: outside one, django-q2's ORM broker closes this process's
    # database connection before it enqueues (close_old_connections), and the request that made
    # the change then pays for a new one (about half of this kick's cost on SQLite).
    with transaction.atomic():
        async_task("obligations.tasks.deliver_webhooks")
