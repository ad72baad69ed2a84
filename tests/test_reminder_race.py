"""Four worker processes race over the same due reminders, on SQLite (WAL, IMMEDIATE) and on
PostgreSQL: every reminder reaches the SMTP server exactly once."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.smtp import Inbox, smtp_server

# Brings its own scratch databases and processes: the suite's database does not matter to it,
# so CI's second pass (the suite on PostgreSQL) leaves it out.
pytestmark = pytest.mark.own_databases

ROOT = Path(__file__).resolve().parent.parent
WORKERS, REMINDERS, RUNS = 4, 1000, 3
PEOPLE = 10  # tests/race_seed.py's (importing it would set Django up again)
DAY = "2030-03-04"


def manage(env, *args, check=True):
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args], env=env, cwd=ROOT,
        capture_output=True, text=True, timeout=600, check=check,
    )  # fmt: skip


def postgres_env():
    """A scratch database on the local server, or a skip with the reason."""
    try:
        import psycopg

        with psycopg.connect("host=127.0.0.1 port=5432 user=postgres dbname=postgres",
                             autocommit=True, connect_timeout=3) as conn:  # fmt: skip
            name = f"tracker_race_{os.getpid()}"
            conn.execute(f"DROP DATABASE IF EXISTS {name}")
            conn.execute(f"CREATE DATABASE {name}")
    except Exception as error:
        if os.environ.get("REQUIRE_POSTGRES"):
            raise
        pytest.skip(f"PostgreSQL is not reachable on 127.0.0.1:5432 ({error})")
    return {"DB_ENGINE": "postgres", "DB_NAME": name, "DB_HOST": "127.0.0.1"}


def drop_postgres(name):
    import psycopg

    with psycopg.connect("host=127.0.0.1 port=5432 user=postgres dbname=postgres",
                         autocommit=True) as conn:  # fmt: skip
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture(params=["sqlite", "postgres"])
def database(request, tmp_path):
    if request.param == "sqlite":
        yield {"DB_ENGINE": "sqlite", "DB_NAME": str(tmp_path / "race.sqlite3")}
        return
    env = postgres_env()
    yield env
    drop_postgres(env["DB_NAME"])


@pytest.mark.parametrize("cap", [REMINDERS, 20], ids=["one-message-each", "capped"])
def test_racing_workers_send_each_reminder_exactly_once(database, cap):
    """Each of the PEOPLE has REMINDERS / PEOPLE due per run: one message per reminder, or,
    past REMINDER_MAX_PER_PERSON, a digest of the rest (per worker, so at most WORKERS)."""
    inbox = Inbox()
    with smtp_server(inbox) as port:
        env = {
            **os.environ, **database, "EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(port),
            "LOG_LEVEL": "WARNING", "DJANGO_SETTINGS_MODULE": "tracker.settings",
            "REMINDER_MAX_PER_PERSON": str(cap),
        }  # fmt: skip
        manage(env, "migrate", "--noinput")
        runs = RUNS if cap >= REMINDERS else 1  # the capped race once: it adds no new kind of run
        for run in range(runs):
            before = len(inbox.messages)
            subprocess.run([sys.executable, str(ROOT / "tests" / "race_seed.py"), str(run),
                            str(REMINDERS), DAY], env=env, check=True, timeout=300)  # fmt: skip
            workers = [
                subprocess.Popen(
                    [sys.executable, str(ROOT / "manage.py"), "send_reminders", "--as-of", DAY],
                    env=env,
                    cwd=ROOT,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                )
                for _ in range(WORKERS)
            ]
            outputs = [w.communicate(timeout=600) for w in workers]
            assert all(w.returncode == 0 for w in workers), outputs
            counts = json.loads(manage(env, "shell", "-c", COUNTS).stdout.strip().splitlines()[-1])
            assert counts == {"sent": REMINDERS * (run + 1)}, (run, counts, outputs)
            messages = len(inbox.messages) - before
            if cap >= REMINDERS:
                assert messages == REMINDERS, run
            else:
                assert messages <= WORKERS * PEOPLE * (cap + 1), run
    ids = inbox.reminder_ids()
    assert len(ids) == len(set(ids)) == REMINDERS * runs  # 0 lost, 0 duplicates


COUNTS = (
    "import json; from collections import Counter; from obligations.models import Reminder; "
    "print(json.dumps(Counter(Reminder.objects.values_list('state', flat=True))))"
)
