"""A write that waits past SQLite's busy timeout answers 503 with Retry-After and a page that
says to try again: no 500, no stack trace. Against a real server on a database file, with the
write lock held by another connection (BEGIN IMMEDIATE) while a form that writes is posted."""

import http.cookiejar
import os
import re
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from django.db import OperationalError
from django.test import Client

from obligations.busy import RETRY_AFTER_SECONDS

ROOT = Path(__file__).resolve().parent.parent


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Browser:
    """Cookies and CSRF tokens, as a browser keeps them."""

    def __init__(self, base):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def get(self, path):
        with self.opener.open(self.base + path, timeout=60) as response:
            return response.status, response.read().decode()

    def post_form(self, path, fields):
        """GET the page, then POST the fields with its CSRF token: (status, headers, body)."""
        _, page = self.get(path)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        data = urllib.parse.urlencode({"csrfmiddlewaretoken": token, **fields}).encode()
        try:
            with self.opener.open(self.base + path, data=data, timeout=60) as response:
                return response.status, response.headers, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read().decode()


@pytest.fixture
def server(tmp_path):
    """gunicorn on a fresh SQLite file with a 1 s busy timeout, and a user "alice"."""
    db = tmp_path / "busy.sqlite3"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("DB_")},
        "DB_ENGINE": "sqlite", "DB_NAME": str(db), "SQLITE_TIMEOUT": "1",
        "SECRET_KEY_FILE": str(tmp_path / "key"), "DEBUG": "false",
        "DJANGO_SETTINGS_MODULE": "tracker.settings", "LOG_LEVEL": "WARNING",
    }  # fmt: skip

    def manage(*args):
        subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], env=env, cwd=ROOT,
                       check=True, capture_output=True, timeout=300)  # fmt: skip

    manage("migrate", "--noinput")
    manage("shell", "-c", "from django.contrib.auth.models import User; "
           "User.objects.create_user('alice', password='a-long-test-password')")  # fmt: skip
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "tracker.wsgi", "-b", f"127.0.0.1:{port}", "-w", "1",
         "--timeout", "120"],
        env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip
    browser = Browser(f"http://127.0.0.1:{port}")
    for _ in range(100):
        try:
            browser.get("/accounts/login/")
            break
        except OSError:
            time.sleep(0.1)
    output = []

    def stop():
        """Stop the server; its log."""
        if not output:
            os.killpg(process.pid, 15)
            output.append(process.communicate(timeout=30)[0].decode())
        return output[0]

    try:
        yield browser, db, stop
    finally:
        stop()


@pytest.mark.slow
@pytest.mark.own_databases  # its own database file and server, whatever the suite runs on
def test_a_write_held_up_by_a_lock_gets_503_try_again(server):
    browser, db, stop = server
    status, _, _ = browser.post_form(
        "/accounts/login/", {"username": "alice", "password": "a-long-test-password"}
    )
    assert status == 200  # followed the redirect home
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another writer holds the lock
    try:
        started = time.monotonic()
        status, headers, body = browser.post_form("/feeds/", {"name": "Everything", "kind": ""})
        waited = time.monotonic() - started
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert status == 503
    assert headers["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert "try again" in body
    assert "Traceback" not in body and "OperationalError" not in body and "locked" not in body
    assert waited < 15  # the 1 s busy timeout, not the default 20 s

    status, _, body = browser.post_form("/feeds/", {"name": "Everything", "kind": ""})
    assert status == 200 and "/calendar/" in body  # once the lock is gone, the same form works
    _, page = browser.get("/feeds/")
    assert page.count("Everything") >= 1
    log = stop()
    assert "database busy, answered 503: POST /feeds/ (database is locked)" in log
    assert "Internal Server Error" not in log


def test_handler500_answers_503_for_a_lock_raised_outside_a_view(db, monkeypatch):
    """A lock error in a middleware (saving the session, say) reaches handler500, not the view
    middleware: it answers 503 too, and any other error the plain 500 page."""
    from django.contrib.messages.middleware import MessageMiddleware

    def locked(self, request, response):
        raise OperationalError("database is locked")

    client = Client(raise_request_exception=False)
    monkeypatch.setattr(MessageMiddleware, "process_response", locked)
    response = client.get("/accounts/login/")
    assert response.status_code == 503 and response["Retry-After"]
    assert b"try again" in response.content

    def broken(self, request, response):
        raise OperationalError("no such table: django_session")

    monkeypatch.setattr(MessageMiddleware, "process_response", broken)
    response = client.get("/accounts/login/")
    assert response.status_code == 500 and b"try again" not in response.content
