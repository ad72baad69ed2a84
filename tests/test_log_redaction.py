"""Feed tokens never reach a log: every path under the feed prefix is redacted, whatever its
suffix or case, in every record's message and arguments, through the logging that
settings.LOGGING_CONFIG sets up (Django's loggers, runserver's and gunicorn's access lines)."""

import io
import logging
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.core.servers.basehttp import WSGIRequestHandler

from obligations.logfilters import RedactFeedTokens

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent


class Records(logging.Handler):
    """Keeps the records themselves, with no filter of its own: what any handler receives."""

    def __init__(self):
        super().__init__()
        self.records = []

    def emit(self, record):
        self.records.append(record)


def leaks(records, secret):
    return [
        r for r in records
        if secret in r.getMessage() or secret in str(r.msg) or secret in repr(r.args)
    ]  # fmt: skip


@pytest.fixture
def captured():
    """(records reaching Django's loggers, the text settings.LOGGING's console handler writes)."""
    django_logger = logging.getLogger("django")
    (console,) = [
        h for h in django_logger.handlers if any(isinstance(f, RedactFeedTokens) for f in h.filters)
    ]
    keeper, stream = Records(), io.StringIO()
    loggers = [django_logger, logging.getLogger("django.server")]  # runserver's: not propagated
    for logger in loggers:
        logger.addHandler(keeper)
    old = console.setStream(stream)
    try:
        yield keeper.records, stream
    finally:
        console.setStream(old)
        for logger in loggers:
            logger.removeHandler(keeper)


def test_unknown_suffixes_and_cases_of_a_feed_path_are_redacted(
    client, people, make_feed, captured
):
    _, token = make_feed(people["reader"])
    records, stream = captured
    paths = [
        f"/calendar/{token}",
        f"/calendar/{token}.ICS",
        f"/calendar/{token}.ics.bak",
        f"/calendar/{token}/",
        f"/Calendar/{token}.ics",
        f"/CALENDAR/{token}.ics",
        f"/calendar/{token}.ics/extra",
        f"/calendar/{token[:-1]}.ics",  # one character short: not the URL pattern
    ]
    for path in paths:
        assert client.get(path).status_code == 404, path
    not_found = [r for r in records if r.getMessage().startswith("Not Found")]
    assert len(not_found) == len(paths)
    assert not leaks(records, token[:-1])
    logged = stream.getvalue()
    assert token[:-1] not in logged
    lines = logged.splitlines()
    assert len(lines) == len(paths)
    assert all(line.startswith("Not Found: /calendar/[redacted]") for line in lines), lines


def test_the_month_page_path_is_kept(client, captured):
    records, _ = captured
    logging.getLogger("django.request").warning("Not Found: %s", "/calendar/?month=2017-04")
    assert records[-1].getMessage() == "Not Found: /calendar/?month=2017-04"


def test_runserver_access_lines_are_redacted(people, make_feed, captured):
    """django.server's record, made by runserver's own log_message."""
    _, token = make_feed(people["reader"])
    records, stream = captured

    class Handler:  # what log_message reads of the request handler
        request = None

        def log_date_time_string(self):
            return "05/Dec/2026 06:40:00"

    for line in (f"GET /calendar/{token} HTTP/1.1", f"GET /calendar/{token}.ICS?x=1 HTTP/1.1"):
        WSGIRequestHandler.log_message(Handler(), '"%s" %s %s', line, "404", "179")
    assert len([r for r in records if r.name == "django.server"]) == 2
    assert not leaks(records, token)
    assert token not in stream.getvalue() and stream.getvalue().count("/calendar/[redacted]") == 2


def test_arguments_the_message_does_not_show_are_redacted_too(captured):
    """gunicorn hands its access logger every request atom; a format may print few of them."""
    token = "tf" + "B" * 41
    records, _ = captured
    atoms = {"h": "127.0.0.1", "s": "404", "U": f"/calendar/{token}.ICS",
             "r": f"GET /calendar/{token}.ICS HTTP/1.1", "q": ""}  # fmt: skip
    logging.getLogger("django.request").warning("%(h)s %(s)s", atoms)
    assert records[-1].getMessage() == "127.0.0.1 404"
    assert records[-1].args["U"] == "/calendar/[redacted]"
    assert not leaks(records, token)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.slow
@pytest.mark.own_databases  # its own server and database file
def test_gunicorn_access_and_error_logs_are_redacted(tmp_path):
    """gunicorn configures its own loggers; its access log still gets no token."""
    token = "tf" + "A" * 41
    port, access = free_port(), tmp_path / "access.log"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("DB_")},
        "DB_NAME": str(tmp_path / "db.sqlite3"), "SECRET_KEY_FILE": str(tmp_path / "key"),
        "DJANGO_SETTINGS_MODULE": "tracker.settings",
    }  # fmt: skip
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "tracker.wsgi", "-b", f"127.0.0.1:{port}", "-w", "1",
         "--access-logfile", str(access), "--error-logfile", "-"],
        env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip
    try:
        statuses = []
        for path in (f"/calendar/{token}", f"/calendar/{token}.ICS", f"/CALENDAR/{token}.ics"):
            for _ in range(100):
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5)
                except urllib.error.HTTPError as error:
                    statuses.append(error.code)
                    break
                except OSError:
                    time.sleep(0.1)  # not listening yet
        assert statuses == [404, 404, 404]
    finally:
        os.killpg(server.pid, 15)
        output = server.communicate(timeout=30)[0].decode()
    lines = access.read_text()
    assert lines.count("GET /calendar/[redacted] HTTP/1.1") == 3
    assert token not in lines
    assert "Not Found: /calendar/[redacted]" in output and token not in output
