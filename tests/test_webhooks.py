"""Outgoing webhooks, against a receiving HTTP server on 127.0.0.1: a status change is POSTed once,
signed as docs/webhooks.md says (its example is run here); failures are retried with the backoff,
a timeout is recorded, two runs at once send each delivery once, a rolled-back change sends
nothing, and no note ever leaves."""

import json
import os
import re
import subprocess
import sys
import threading
import time
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import django_q.conf
import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from obligations import webhook_delivery, webhooks
from obligations.models import Agency, Occurrence, OrderEffect, Webhook, WebhookDelivery
from obligations.tracking import record_progress
from tests.conftest import make_obligation, make_occurrence, make_order
from tests.test_reminder_race import database, manage  # noqa: F401 (the fixture)

ROOT = Path(__file__).resolve().parent.parent
CANARY = "CANARY-internal-note-7f3a"
RACED = 40  # deliveries two runs race over
# Runs are given this time and times after it: later than any change a test makes (those carry
# the real time), so what they make is due.
NOW = (timezone.now() + timedelta(hours=1)).replace(microsecond=0)


# The receiver ---------------------------------------------------------------------------------


class Receiver:
    """Records every request; answers with the next of `answers` (then 200), after `delay` s."""

    def __init__(self):
        self.requests = []
        self.answers = []
        self.delay = 0.0
        self.lock = threading.Lock()

    def handler(self):
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                with receiver.lock:
                    receiver.requests.append((self.path, dict(self.headers), body))
                    status = receiver.answers.pop(0) if receiver.answers else 200
                time.sleep(receiver.delay)
                try:
                    self.send_response(status)
                    if 300 <= status < 400:
                        self.send_header("Location", "/elsewhere")
                    self.send_header("Content-Length", "2")
                    self.end_headers()
                    self.wfile.write(b"ok")
                except OSError:
                    pass  # the client gave up (the timeout test)

            def log_message(self, *args):
                pass

        return Handler

    def ids(self):
        return [headers["X-Tracker-Delivery"] for _, headers, _ in self.requests]


@pytest.fixture
def receiver(settings):
    settings.WEBHOOK_ALLOW_PRIVATE = True  # the receiver is on this machine
    receiver = Receiver()
    server = ThreadingHTTPServer(("127.0.0.1", 0), receiver.handler())
    server.daemon_threads, server.block_on_close = True, False
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/hook?key=k"
    yield receiver
    server.shutdown()
    server.server_close()


def documented_verify():
    """The receiver's example in docs/webhooks.md, run as it is written there."""
    text = (ROOT / "docs" / "webhooks.md").read_text()
    code = re.search(r"```python\n(.*?)```", text, re.DOTALL).group(1)
    assert len(code.strip().splitlines()) <= 10
    scope = {}
    exec(code, scope)  # noqa: S102 (our own documented example, run as written)
    return scope["verify"]


# The world ------------------------------------------------------------------------------------


@pytest.fixture
def track(pinned_today):
    """An open DHS track of a 2017 order, and ICE, a DHS component."""
    dhs = Agency.named("Department of Homeland Security", "DHS")
    order = make_order(number="13768", citation="82 FR 8799")
    obligation = make_obligation(order, section="9(b)")
    obligation.agencies.add(dhs)
    return make_occurrence(obligation, agency=dhs)


def submit(occurrence, **fields):
    fields.setdefault("submitted_on", date(2017, 4, 20))
    return record_progress(occurrence, "submitted", note=f"note {CANARY}", **fields)


def hook(receiver, **kwargs):
    return Webhook.objects.create(url=receiver.url, **kwargs)


@pytest.fixture
def sync_tasks(monkeypatch):
    """django-q2 runs queued tasks inline (its Conf is read at import: ECOSYSTEM.md §1)."""
    monkeypatch.setattr(django_q.conf.Conf, "SYNC", True)


# One change, one signed POST ------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_status_change_is_posted_once_signed_as_documented(receiver, track, sync_tasks):
    webhook = hook(receiver, agency=track.agency)
    track.notes = f"kept inside {CANARY}"
    track.save(update_fields=["notes"])
    submit(track, notes=f"more {CANARY}", evidence_url="https://example.gov/report.pdf")

    # The commit queued the task, which (inline here) sent it: one POST, nothing else.
    assert len(receiver.requests) == 1
    path, headers, body = receiver.requests[0]
    assert path == "/hook?key=k"
    delivery = WebhookDelivery.objects.get()
    assert headers["Content-Type"] == "application/json"
    assert headers["X-Tracker-Delivery"] == str(delivery.delivery_id)
    assert headers["X-Tracker-Event"] == "occurrence.status_changed"
    assert abs(int(headers["X-Tracker-Timestamp"]) - time.time()) < 60

    verify = documented_verify()
    assert verify(webhook.secret, headers, body)
    assert not verify(webhook.secret, headers, body.replace(b"submitted", b"verified"))
    assert not verify(webhook.secret, headers, body + b" ")
    assert not verify("whsec_another", headers, body)
    old = {**headers, "X-Tracker-Timestamp": str(int(headers["X-Tracker-Timestamp"]) - 600)}
    assert not verify(webhook.secret, old, body)  # a replay of an old request
    assert not verify(webhook.secret, {}, body)  # not signed at all

    payload = json.loads(body)
    assert CANARY.encode() not in body
    assert (payload["from_status"], payload["to_status"]) == ("open", "submitted")
    occurrence = payload["occurrence"]
    assert occurrence["id"] == track.pk and occurrence["order"] == "eo-13768"
    assert occurrence["citation"] == "EO 13768 §9(b), 82 FR 8799"
    assert occurrence["submitted_on"] == "2017-04-20" and occurrence["status"] == "submitted"
    assert occurrence["agency"]["abbreviation"] == "DHS"
    assert "notes" not in occurrence and "by" not in payload and "note" not in payload
    assert set(occurrence) == {"id", "obligation", "obligation_key", "order", "citation",
                               "sequence", "agency", *webhooks.public.OCCURRENCE_FIELDS}  # fmt: skip
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, delivery.last_status_code) == ("delivered", 1, 200)


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_change_sends_nothing(receiver, track, monkeypatch):
    hook(receiver, agency=track.agency)
    queued = []
    monkeypatch.setattr("django_q.tasks.async_task", lambda *a, **k: queued.append(a))
    with pytest.raises(RuntimeError), transaction.atomic():
        submit(track)
        assert WebhookDelivery.objects.count() == 1  # made with the change ...
        raise RuntimeError("the request fails after the change")
    assert WebhookDelivery.objects.count() == 0  # ... and gone with it
    assert queued == [] and receiver.requests == []
    assert Occurrence.objects.get().status == "open"

    submit(track)  # the same change, committed: one task queued
    assert queued == [("obligations.tasks.deliver_webhooks",)]
    assert WebhookDelivery.objects.count() == 1


# Retries --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_failing_receiver_is_retried_with_the_backoff(receiver, track, admin_client):
    webhook = hook(receiver, agency=track.agency)
    submit(track)
    receiver.answers = [500]

    assert str(webhook_delivery.run(NOW)) == "delivered 0, retry 1, failed 0, left False"
    delivery = WebhookDelivery.objects.get()
    assert (delivery.attempts, delivery.last_status_code) == (1, 500)
    assert delivery.last_error == "HTTP 500"
    assert delivery.next_attempt_at == NOW + timedelta(minutes=1)
    assert webhook_delivery.run(NOW + timedelta(seconds=59)).retry == 0  # not yet
    assert len(receiver.requests) == 1

    assert webhook_delivery.run(NOW + timedelta(minutes=1)).delivered == 1
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, delivery.last_status_code) == ("delivered", 2, 200)
    assert delivery.delivered_at == NOW + timedelta(minutes=1) and delivery.last_error == ""
    assert receiver.ids() == [str(delivery.delivery_id)] * 2  # one delivery id, both attempts
    assert webhook_delivery.run(NOW + timedelta(days=1)).delivered == 0  # never again

    # The log in the admin: the delivery, its attempts and state, filtered by state and webhook.
    page = reverse("admin:obligations_webhookdelivery_changelist")
    response = admin_client.get(page, {"state": "delivered", "webhook__id__exact": webhook.pk})
    assert response.status_code == 200
    assert str(delivery.delivery_id) in response.text and "delivered" in response.text
    assert str(delivery.delivery_id) not in admin_client.get(page, {"state": "failed"}).text
    detail = admin_client.get(reverse("admin:obligations_webhookdelivery_change",
                                      args=[delivery.pk]))  # fmt: skip
    assert detail.status_code == 200 and "occurrence.status_changed" in detail.text


@pytest.mark.django_db
def test_the_backoff_then_giving_up(receiver, track):
    hook(receiver, agency=track.agency)
    submit(track)
    receiver.answers = [503] * 10
    at, gaps = NOW, []
    while (result := webhook_delivery.run(at)).retry:
        following = WebhookDelivery.objects.get().next_attempt_at
        gaps.append(round((following - at).total_seconds() / 60))
        at = following
    assert gaps == [1, 5, 30, 120, 720]
    assert result.failed == 1 and len(receiver.requests) == 6
    delivery = WebhookDelivery.objects.get()
    assert (delivery.state, delivery.attempts, delivery.next_attempt_at) == ("failed", 6, None)
    assert delivery.last_error == "gave up after 6 attempts; last: HTTP 503"
    assert webhook_delivery.run(at + timedelta(days=30)).retry == 0


@pytest.mark.django_db
def test_a_timeout_is_recorded_as_an_error(receiver, track, settings):
    settings.WEBHOOK_TIMEOUT = 1
    hook(receiver, agency=track.agency)
    submit(track)
    receiver.delay = 2.5
    started = time.monotonic()
    assert webhook_delivery.run(NOW).retry == 1
    assert time.monotonic() - started < 2.4  # the timeout, not the receiver, ended the wait
    delivery = WebhookDelivery.objects.get()
    assert (delivery.state, delivery.attempts) == ("pending", 1)
    assert delivery.last_status_code is None and delivery.last_error == "timed out after 1 s"
    assert delivery.next_attempt_at == NOW + timedelta(minutes=1)


@pytest.mark.django_db
def test_a_redirect_is_not_followed(receiver, track):
    hook(receiver, agency=track.agency)
    submit(track)
    receiver.answers = [302]
    assert webhook_delivery.run(NOW).retry == 1
    assert len(receiver.requests) == 1  # /elsewhere was never asked
    assert WebhookDelivery.objects.get().last_error == "HTTP 302"


@pytest.mark.django_db
def test_a_refused_connection_is_recorded_without_the_address(track, settings):
    settings.WEBHOOK_ALLOW_PRIVATE = True
    Webhook.objects.create(url="http://127.0.0.1:9/hook?token=SECRET-IN-URL", agency=track.agency)
    submit(track)
    assert webhook_delivery.run(NOW).retry == 1
    error = WebhookDelivery.objects.get().last_error
    assert error == "connection refused" and "SECRET" not in error


@pytest.mark.django_db
def test_send_again_from_the_admin(receiver, track, admin_client, settings):
    settings.WEBHOOK_MAX_ATTEMPTS = 1
    hook(receiver, agency=track.agency)
    submit(track)
    receiver.answers = [500]
    assert webhook_delivery.run(NOW).failed == 1
    delivery = WebhookDelivery.objects.get()
    page = reverse("admin:obligations_webhookdelivery_changelist")
    response = admin_client.post(page, {"action": "send_again", "_selected_action": [delivery.pk]})
    assert response.status_code == 302
    delivery.refresh_from_db()
    assert delivery.state == "pending" and delivery.next_attempt_at <= timezone.now()
    assert webhook_delivery.run().delivered == 1
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == ("delivered", 1)
    assert receiver.ids() == [str(delivery.delivery_id)] * 2


# Concurrency ----------------------------------------------------------------------------------


@pytest.mark.own_databases
def test_two_runs_at_once_send_each_delivery_once(receiver, database):  # noqa: F811
    """On the deployed configurations: SQLite in a file (WAL, IMMEDIATE; the suite's in-memory
    SQLite shares one cache between connections and answers "table is locked" at once rather
    than waiting), and PostgreSQL (skip_locked)."""
    env = {**os.environ, **database, "LOG_LEVEL": "WARNING", "WEBHOOK_ALLOW_PRIVATE": "true",
           "DJANGO_SETTINGS_MODULE": "tracker.settings"}  # fmt: skip
    manage(env, "migrate", "--noinput")
    receiver.delay = 0.01  # each send takes a while: the runs overlap
    race = subprocess.run([sys.executable, str(ROOT / "tests" / "race_webhooks.py"), receiver.url,
                           str(RACED), "2"], env=env, capture_output=True, text=True,
                          timeout=600, check=False)  # fmt: skip
    assert race.returncode == 0, race.stderr[-3000:]
    report = json.loads(race.stdout.strip().splitlines()[-1])
    assert report["errors"] == []
    assert sorted(receiver.ids()) == sorted(report["ids"])  # each delivery once, none lost
    assert report["states"] == {"delivered": RACED} and report["attempts"] == {"1": RACED}
    assert sum(report["delivered_by_run"]) == RACED
    assert all(report["delivered_by_run"]), "one run took everything: no overlap was tested"


# Who hears of what ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_which_webhooks_hear_of_a_track(receiver, track, settings):
    dhs = track.agency
    ice = Agency.named("U.S. Immigration and Customs Enforcement", "ICE")
    ice.parent = dhs
    ice.save()
    dos = Agency.named("Department of State", "DOS")
    other_order = make_order(number="13999", text="another")
    ice_track = make_occurrence(track.obligation, agency=ice)
    hooks = {
        "dhs": hook(receiver, agency=dhs), "ice": hook(receiver, agency=ice),
        "dos": hook(receiver, agency=dos), "order": hook(receiver, order=track.obligation.order),
        "other order": hook(receiver, order=other_order), "all": hook(receiver),
        "dhs+order": hook(receiver, agency=dhs, order=track.obligation.order),
        "dhs+other": hook(receiver, agency=dhs, order=other_order),
        "off": hook(receiver, agency=dhs, active=False),
    }  # fmt: skip
    names = {h.pk: name for name, h in hooks.items()}

    def heard(occurrence):
        WebhookDelivery.objects.all().delete()
        submit(occurrence)
        return {names[pk] for pk in WebhookDelivery.objects.values_list("webhook", flat=True)}

    assert heard(track) == {"dhs", "order", "all", "dhs+order"}
    assert heard(ice_track) == {"dhs", "ice", "order", "all", "dhs+order"}  # DHS acts for ICE
    settings.AGENCY_PARENTS_ACT_FOR_COMPONENTS = False
    record_progress(ice_track, "open")
    assert heard(ice_track) == {"ice", "order", "all"}


@pytest.mark.django_db
def test_only_a_status_that_moves_is_sent(receiver, track):
    hook(receiver)
    submit(track)
    assert WebhookDelivery.objects.count() == 1
    submit(track, evidence_url="https://example.gov/v2.pdf")  # a link set, the status as it was
    assert WebhookDelivery.objects.count() == 1


@pytest.mark.django_db
def test_an_effect_closing_many_tracks_queues_one_send(
    receiver, people, eo_13768, import_fixture, django_capture_on_commit_callbacks
):
    from obligations import effects

    hook(receiver, order=eo_13768)
    import_fixture("eo-13993.txt")
    with django_capture_on_commit_callbacks() as callbacks:
        effects.apply(OrderEffect.objects.get(), by=people["admin"])
    closed = eo_13768.obligations.filter(occurrences__history__isnull=False)
    rows = WebhookDelivery.objects.all()
    assert rows.count() > 100 and closed.exists()
    assert set(rows.values_list("payload__to_status", flat=True)) == {"unmet", "not_required"}
    assert [c for c in callbacks if c is webhooks._kick] == [webhooks._kick]


# Addresses ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url, problem",
    [
        ("https://hooks.example.gov/tracker", None),
        ("http://localhost/hook", None),  # a name: its address is checked when sending
        ("http://127.0.0.1:8000/hook", "private or loopback"),  # unless WEBHOOK_ALLOW_PRIVATE
        ("http://hooks.example.gov/tracker", "Use https"),
        ("ftp://hooks.example.gov/", "http or https"),
        ("file:///etc/passwd", "http or https"),
        ("https://user:pw@hooks.example.gov/", "user name and password"),
        ("https://169.254.169.254/latest/meta-data", "link-local"),
        ("https://10.0.0.7/hook", "private"),
        ("https:///nohost", "no host"),
    ],
)
def test_which_addresses_may_be_registered(url, problem, settings):
    settings.DEBUG = settings.WEBHOOK_ALLOW_HTTP = settings.WEBHOOK_ALLOW_PRIVATE = False
    if problem is None:
        webhooks.check_url(url)
        return
    with pytest.raises(ValidationError, match=problem):
        webhooks.check_url(url)


def test_settings_open_http_and_private_addresses_but_never_link_local(settings):
    settings.WEBHOOK_ALLOW_HTTP, settings.WEBHOOK_ALLOW_PRIVATE = True, True
    webhooks.check_url("http://hooks.example.gov/")
    webhooks.check_url("https://10.0.0.7/hook")
    webhooks.check_url("http://127.0.0.1:8000/hook")
    for address in ("169.254.169.254", "fe80::1", "224.0.0.1", "0.0.0.0", "::ffff:169.254.1.1"):
        assert webhooks.forbidden_address(address), address
    assert webhooks.forbidden_address("93.184.216.34") is None


@pytest.mark.django_db
def test_a_name_that_leads_to_a_private_address_is_refused_when_sending(receiver, track, settings):
    """localhost passes the registration check (a name), but the socket it connects to is
    checked before a byte is sent."""
    hook_url = receiver.url.replace("127.0.0.1", "localhost")
    Webhook.objects.create(url=hook_url, agency=track.agency)
    settings.WEBHOOK_ALLOW_PRIVATE = False
    submit(track)
    assert webhook_delivery.run(NOW).retry == 1
    assert receiver.requests == []
    assert WebhookDelivery.objects.get().last_error.startswith("refused: a private or loopback")


@pytest.mark.django_db
def test_the_admin_shows_the_secret_and_refuses_a_bad_address(admin_client, track):
    add = reverse("admin:obligations_webhook_add")
    response = admin_client.post(add, {"url": "http://hooks.example.gov/", "active": "on"})
    assert response.status_code == 200 and "Use https" in response.text
    assert not Webhook.objects.exists()
    response = admin_client.post(add, {"url": "https://hooks.example.gov/", "active": "on"})
    assert response.status_code == 302
    webhook = Webhook.objects.get()
    assert webhook.secret.startswith("whsec_") and len(webhook.secret) >= 6 + 43
    page = admin_client.get(reverse("admin:obligations_webhook_change", args=[webhook.pk]))
    assert webhook.secret in page.text


def test_a_run_ends_inside_the_task_timeout_and_a_lease_outlives_a_run():
    s = django_settings
    longest_run = s.WEBHOOK_RUN_SECONDS + 4 * s.WEBHOOK_TIMEOUT + 20
    assert longest_run < s.Q_CLUSTER["timeout"] < s.Q_CLUSTER["retry"]
    assert s.WEBHOOK_LEASE_MINUTES * 60 > s.Q_CLUSTER["retry"]
    assert len(s.WEBHOOK_BACKOFF_MINUTES) == s.WEBHOOK_MAX_ATTEMPTS - 1


@pytest.mark.django_db
def test_the_admins_actions_ping_and_new_secret(receiver, admin_client):
    webhook = hook(receiver)
    page = reverse("admin:obligations_webhook_changelist")
    admin_client.post(page, {"action": "send_test_event", "_selected_action": [webhook.pk]})
    ping = WebhookDelivery.objects.get()
    assert (ping.event, ping.state) == ("ping", "pending")
    listing = admin_client.get(page)
    assert listing.status_code == 200 and listing.context["cl"].result_list[0].n_waiting == 1
    assert webhook_delivery.run(NOW).delivered == 1
    _, headers, body = receiver.requests[0]
    assert headers["X-Tracker-Event"] == "ping" and documented_verify()(
        webhook.secret, headers, body
    )

    old = webhook.secret
    admin_client.post(page, {"action": "new_secret", "_selected_action": [webhook.pk]})
    webhook.refresh_from_db()
    assert webhook.secret != old and webhook.secret.startswith("whsec_")


@pytest.mark.django_db
def test_an_unforeseen_error_is_recorded_and_counts_as_an_attempt(track, monkeypatch, settings):
    settings.WEBHOOK_ALLOW_PRIVATE = True
    Webhook.objects.create(url="http://127.0.0.1:9/hook", agency=track.agency)
    submit(track)

    def broken(*args):
        raise ValueError("something no one expected")

    monkeypatch.setattr(webhook_delivery, "post", broken)
    assert webhook_delivery.run(NOW).retry == 1
    delivery = WebhookDelivery.objects.get()
    assert (delivery.attempts, delivery.last_error) == (1, "unexpected ValueError")


@pytest.mark.django_db
def test_the_schedule_made_by_the_migration_sends_what_is_due(receiver, track, sync_tasks):
    """Migration 0018 makes the every-minute schedule (twice: still one); django-q2's scheduler,
    run as its guard loop runs it, calls the task, which sends."""
    import importlib

    from django.apps import apps
    from django_q.models import Schedule
    from django_q.scheduler import scheduler

    migration = importlib.import_module("obligations.migrations.0018_webhooks")
    Schedule.objects.filter(name=migration.SCHEDULE).delete()  # a flushed database lost it
    migration.create_schedule(apps, None)
    migration.create_schedule(apps, None)
    schedule = Schedule.objects.get(name=migration.SCHEDULE)
    assert (schedule.func, schedule.schedule_type, schedule.minutes) == (
        "obligations.tasks.deliver_webhooks", "I", 1
    )  # fmt: skip

    hook(receiver, agency=track.agency)
    submit(track)  # no commit in this test's transaction: only the schedule can send it
    Schedule.objects.filter(pk=schedule.pk).update(next_run=timezone.now() - timedelta(seconds=1))
    scheduler()
    assert len(receiver.requests) == 1
    assert WebhookDelivery.objects.get().state == "delivered"


@pytest.fixture
def tls_receiver(receiver, tmp_path):
    """The receiver behind TLS, with a self-signed certificate for 127.0.0.1 (openssl)."""
    import shutil
    import ssl

    if not shutil.which("openssl"):
        pytest.skip("no openssl to make a certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)  # fmt: skip
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server = ThreadingHTTPServer(("127.0.0.1", 0), receiver.handler())
    server.socket = context.wrap_socket(server.socket, server_side=True)
    server.daemon_threads, server.block_on_close = True, False
    threading.Thread(target=server.serve_forever, daemon=True).start()
    receiver.url = f"https://127.0.0.1:{server.server_address[1]}/hook"
    receiver.cert = cert
    yield receiver
    server.shutdown()
    server.server_close()


@pytest.mark.django_db
def test_https_checks_the_certificate(tls_receiver, track, monkeypatch):
    hook(tls_receiver, agency=track.agency)
    submit(track)
    assert webhook_delivery.run(NOW).retry == 1  # self-signed: not trusted, nothing sent
    assert tls_receiver.requests == []
    assert WebhookDelivery.objects.get().last_error == "TLS: CERTIFICATE_VERIFY_FAILED"

    import ssl

    trusting = ssl.create_default_context(cafile=str(tls_receiver.cert))
    monkeypatch.setattr(ssl, "create_default_context", lambda: trusting)
    assert webhook_delivery.run(NOW + timedelta(minutes=1)).delivered == 1
    assert len(tls_receiver.requests) == 1
