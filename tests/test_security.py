"""The reliability and security bar (RELIABILITY.md): deploy checks, headers, sessions, CSRF,
login throttling, feed tokens, ICS injection, hostile import input."""

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
import time_machine
from django.apps import apps
from django.db import models
from django.test import Client
from django.urls import reverse
from icalendar import Calendar

from obligations.importers import import_text
from tests.test_authorization import CASES

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = {
    **{k: v for k, v in os.environ.items()
       if not k.startswith("DB_") and k != "DJANGO_ALLOW_ASYNC_UNSAFE"}, "PRODUCTION": "true", "SECRET_KEY": "x" * 20 + secrets.token_urlsafe(40),
    "ALLOWED_HOSTS": "tracker.example.gov", "DJANGO_SETTINGS_MODULE": "tracker.settings",
}  # fmt: skip


def manage(*args, env=PRODUCTION):
    return subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=120, check=False)  # fmt: skip


def test_check_deploy_is_clean_with_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_settings_cookies_sessions_and_secret():
    code = (
        "import json; from django.conf import settings as s; print(json.dumps(["
        "s.SESSION_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, s.SESSION_COOKIE_SAMESITE, "
        "s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_AGE, s.SECURE_HSTS_SECONDS, s.DEBUG]))"
    )
    result = manage("shell", "-c", code)
    assert json.loads(result.stdout.strip().splitlines()[-1]) == [
        True, True, "Lax", True, 12 * 3600, 31536000, False,
    ]  # fmt: skip
    no_key = manage("check", env={k: v for k, v in PRODUCTION.items() if k != "SECRET_KEY"})
    assert no_key.returncode != 0 and "needs SECRET_KEY" in no_key.stderr


def test_security_headers(client, settings):
    settings.SECURE_HSTS_SECONDS = 31536000  # what PRODUCTION sets
    response = client.get(reverse("login"), secure=True)
    csp = response["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";") if " " in d.strip())
    assert directives["default-src"] == "'self'"
    assert directives["object-src"] == "'none'" and directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in directives["script-src"]
    assert int(re.search(r"max-age=(\d+)", response["Strict-Transport-Security"])[1]) >= 31536000
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"


def row_counts():
    return {m.__name__: m.objects.count() for m in apps.get_models() if m._meta.app_label in
            ("obligations", "auth", "django_q")}  # fmt: skip


def test_every_post_needs_a_csrf_token(people, world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(people["admin"])
    posts = {(name, tuple(world.get(name, []))) for name, method, *_ in CASES if method == "POST"}
    exempt = {"unsubscribe"}  # one-click unsubscribe: the signed token is the credential
    for name, args in sorted(posts):
        response = client.post(reverse(name, args=list(args)), {})
        assert (response.status_code == 403) != (name in exempt), name


def test_get_changes_nothing(client, people, world):
    client.force_login(people["admin"])
    before = row_counts()
    gets = {(name, tuple(world.get(name, []))) for name, method, *_ in CASES if method == "GET"}
    for name, args in sorted(gets):
        client.get(reverse(name, args=list(args)))
    assert row_counts() == before


def test_login_changes_the_session_key(people):
    client = Client()
    client.get(reverse("login"))
    client.cookies["sessionid"] = "before-login-session-key"
    client.post(reverse("login"), {"username": "reader", "password": "pw-for-tests-only"})
    assert client.cookies["sessionid"].value not in ("", "before-login-session-key")
    assert client.get(reverse("home")).status_code == 200


def test_five_failed_logins_lock_the_account_for_fifteen_minutes(people):
    client = Client()
    with time_machine.travel("2026-01-05 10:00Z", tick=False) as clock:
        for _ in range(5):
            client.post(reverse("login"), {"username": "reader", "password": "wrong"})
        locked = client.post(reverse("login"), {"username": "reader",
                                                "password": "pw-for-tests-only"})  # fmt: skip
        assert locked.status_code == 429
        assert "_auth_user_id" not in client.session
        clock.shift(16 * 60)
        fine = client.post(
            reverse("login"), {"username": "reader", "password": "pw-for-tests-only"}
        )
        assert fine.status_code == 302 and "_auth_user_id" in client.session


# Feed tokens -----------------------------------------------------------------------------------


def test_no_text_column_holds_a_plaintext_token(people, make_feed):
    _, token = make_feed(people["reader"])
    hits = 0
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if isinstance(field, (models.CharField, models.TextField, models.JSONField)):
                try:
                    hits += model.objects.filter(**{f"{field.name}__contains": token}).count()
                except Exception:  # noqa: BLE001, S112 - a field that cannot be searched this way
                    continue
    assert hits == 0
    assert len(token) == 43 and len(set(token)) > 10  # 32 random bytes, url-safe


def test_tokens_are_compared_in_constant_time(client, people, make_feed, monkeypatch):
    import hmac

    from obligations import feeds

    calls = []
    real = hmac.compare_digest
    monkeypatch.setattr(feeds.hmac, "compare_digest", lambda a, b: calls.append(1) or real(a, b))
    _, token = make_feed(people["reader"])
    assert client.get(reverse("feed_ics", args=[token])).status_code == 200
    assert calls


def test_ten_thousand_random_tokens_open_nothing(client, people, make_feed):
    """10,000 hashed as the feed view hashes them and looked up at once; 500 of them through
    HTTP as well."""
    from obligations.feeds import hash_token
    from obligations.models import Feed

    make_feed(people["reader"])
    tokens = [secrets.token_urlsafe(32) for _ in range(10_000)]
    assert not Feed.objects.filter(token_hash__in=[hash_token(t) for t in tokens]).exists()
    opened = sum(client.get(f"/calendar/{t}.ics").status_code != 404 for t in tokens[:500])
    assert opened == 0


def test_a_mine_feed_follows_the_users_agency(client, people, eo_13768, make_feed):
    from obligations.models import Agency, Occurrence

    _, token = make_feed(people["dhs"], mine=True)

    def uids():
        body = client.get(reverse("feed_ics", args=[token])).content
        return len(Calendar.from_ical(body).walk("VEVENT"))

    dhs = Agency.objects.get(abbreviation="DHS")
    tracks = Occurrence.objects.filter(agency__in=[dhs, *dhs.components.all()]).order_by()
    assert uids() == tracks.values("obligation", "sequence").distinct().count()  # and ICE's
    people["dhs"].groups.set([Agency.objects.get(abbreviation="DOS").group])
    assert uids() == 0  # DOS answers for nothing in EO 13768


def test_ics_injection_is_escaped(client, people, make_feed):
    text = (
        "signed: 2020-01-02\n\nSec. 1. Evil. The Secretary of State shall submit a report "
        "on X\r\nBEGIN:VALARM\r\nACTION:AUDIO; a, b \\ c within 30 days of the date of this order.\n"
    )
    import_text(text)
    _, token = make_feed(people["reader"])
    body = client.get(reverse("feed_ics", args=[token])).content
    lines = body.split(b"\r\n")
    assert not any(line.startswith((b"BEGIN:VALARM", b"ACTION:")) for line in lines)
    (event,) = Calendar.from_ical(body).walk("VEVENT")
    assert "BEGIN:VALARM" in str(event["DESCRIPTION"])  # kept as text, escaped on the wire
    assert max(len(line) for line in lines) <= 75


# Hostile import input ----------------------------------------------------------------------------

HOSTILE = {
    "over the cap": "a " * 1_100_000,
    "NUL bytes": "Sec. 1. The Secretary shall act.\x00\x00\x00" * 100,
    "RTL override": "Sec. 1. The Secretary\u202e shall act within 30 days\u202c.",
    "nested parentheses": "Sec. 1. " + "(" * 100_000 + ")" * 100_000,
    "repeated Sec.": "Sec. " * 199_000,
    "number words that never end": "a " * 490_000,
    "a directive in every word": "shall " * 160_000,
}


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_text_gets_a_message_never_a_500(client, people, name):
    from time import perf_counter

    client.force_login(people["admin"])
    start = perf_counter()
    response = client.post(reverse("import_order"), {"step": "preview", "text": HOSTILE[name]})
    # A guard against a hang (quadratic work on 1 MB would take minutes), not a speed target:
    # bench/extraction.py measures speed. Loose enough for a loaded CI machine.
    assert perf_counter() - start < 15
    assert response.status_code in (200, 400, 413)
    page = response.content.decode()
    assert "cannot be read as an order" in page or "too long" in page or "Preview" in page
    if response.status_code != 200:
        from obligations.models import Order

        assert not Order.objects.exists()


def test_invalid_utf8_upload(client, people):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(people["admin"])
    upload = SimpleUploadedFile("x.txt", b"Sec. 1. \xff\xfe\xfa The Secretary shall act.")
    response = client.post(reverse("import_order"), {"step": "preview", "file": upload})
    assert response.status_code == 400 and "not UTF-8 text" in response.content.decode()
