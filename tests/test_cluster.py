"""django-q2 for real: a qcluster process with the Redis broker runs a task; a qcluster killed
with SIGKILL in the middle of sending reminders loses none of them."""

import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest

from tests.smtp import Inbox, smtp_server

# Brings its own scratch databases and processes: the suite's database does not matter to it,
# so CI's second pass (the suite on PostgreSQL) leaves it out.
pytestmark = pytest.mark.own_databases

ROOT = Path(__file__).resolve().parent.parent


def base_env(tmp_path, **extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DB_", "Q_", "REDIS_"))}
    env.update(DB_NAME=str(tmp_path / "cluster.sqlite3"), LOG_LEVEL="WARNING",
               DJANGO_SETTINGS_MODULE="tracker.settings", **extra)  # fmt: skip
    return env


def manage(env, *args, timeout=120):
    result = subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], env=env, cwd=ROOT,
                            capture_output=True, text=True, timeout=timeout, check=False)  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def seeded(tmp_path, smtp_port, count):
    """A migrated database with `count` reminders due now, mailing through `smtp_port`."""
    env = base_env(tmp_path, EMAIL_HOST="127.0.0.1", EMAIL_PORT=str(smtp_port), REMINDER_HOUR="0")
    manage(env, "migrate", "--noinput")
    subprocess.run([sys.executable, str(ROOT / "tests" / "race_seed.py"), "0", str(count),
                    date.today().isoformat()], env=env, check=True, timeout=120)  # fmt: skip
    return env


def start_cluster(env):
    # qcluster can hang on SIGTERM (django-q2#346): its own process group, SIGKILL to stop it.
    return subprocess.Popen(
        ["timeout", "-k", "5", "240", sys.executable, str(ROOT / "manage.py"), "qcluster"],
        env=env, cwd=ROOT, start_new_session=True, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip


def kill(cluster):
    try:
        os.killpg(cluster.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    cluster.wait(timeout=30)


def redis_up() -> bool:
    import redis

    try:
        return redis.Redis(host="127.0.0.1", port=6379, socket_connect_timeout=2).ping()
    except redis.exceptions.RedisError:
        return False


def test_a_task_runs_through_the_redis_broker(tmp_path):
    if not redis_up():
        if os.environ.get("REQUIRE_REDIS"):
            raise RuntimeError("REQUIRE_REDIS is set but Redis is not on 127.0.0.1:6379")
        pytest.skip("Redis is not reachable on 127.0.0.1:6379")
    env = base_env(tmp_path, Q_BROKER="redis", REDIS_DB="7")
    manage(env, "migrate", "--noinput")
    cluster = start_cluster(env)
    try:
        code = (
            "from django_q.tasks import async_task, result; "
            "task = async_task('math.copysign', 2, -1); print(result(task, wait=60000))"
        )
        assert manage(env, "shell", "-c", code, timeout=90).strip().splitlines()[-1] == "-2.0"
    finally:
        kill(cluster)


class SlowInbox(Inbox):
    async def handle_DATA(self, server, session, envelope):
        import asyncio

        await asyncio.sleep(0.02)
        return await super().handle_DATA(server, session, envelope)


def test_a_killed_worker_loses_no_reminder(tmp_path):
    inbox = SlowInbox()
    count = 300
    with smtp_server(inbox) as port:
        env = seeded(tmp_path, port, count)
        cluster = start_cluster(env)
        try:
            manage(env, "shell", "-c",
                   "from django_q.tasks import async_task; "
                   "async_task('obligations.tasks.send_reminders')")  # fmt: skip
            deadline = time.monotonic() + 90
            while len(inbox.messages) < 30 and time.monotonic() < deadline:
                time.sleep(0.05)
            assert len(inbox.messages) >= 30, "the cluster never started sending"
        finally:
            kill(cluster)  # SIGKILL in the middle of the batch
        assert len(inbox.messages) < count
        # After the lease, the next run re-sends what the dead worker held and the rest.
        manage(env | {"REMINDER_LEASE_MINUTES": "0"}, "send_reminders")
        counts = manage(env, "shell", "-c", "from obligations.models import Reminder; "
                        "print(Reminder.objects.exclude(state='sent').count())")  # fmt: skip
    assert counts.strip().splitlines()[-1] == "0"  # 100% sent
    ids = inbox.reminder_ids()
    assert len(set(ids)) == count
    assert len(ids) <= count + 1  # at most one duplicate per kill: the documented window


def test_sqlite_lock_contention_delays_but_loses_nothing(tmp_path):
    """Another connection holds the write lock for 3 s while the dispatcher and a status change
    run: they wait (the 20 s busy timeout), neither fails, no reminder is lost or doubled."""
    import sqlite3
    import threading

    inbox = Inbox()
    count = 100
    with smtp_server(inbox) as port:
        env = seeded(tmp_path, port, count)
        held = threading.Event()

        def hold_the_lock():
            conn = sqlite3.connect(env["DB_NAME"], timeout=30, isolation_level=None)
            conn.execute("BEGIN IMMEDIATE")
            held.set()
            time.sleep(3)
            conn.execute("COMMIT")
            conn.close()

        holder = threading.Thread(target=hold_the_lock)
        holder.start()
        held.wait(10)
        change = (
            "from obligations.models import Occurrence; from obligations.tracking import "
            "record_progress; o = Occurrence.objects.order_by('id').last(); "
            "record_progress(o, 'in_progress', note='during the lock'); print(o.status)"
        )
        started = time.monotonic()
        runs = [
            subprocess.Popen(
                [sys.executable, str(ROOT / "manage.py"), *args],
                env=env,
                cwd=ROOT,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for args in (["send_reminders"], ["shell", "-c", change])
        ]
        outputs = [run.communicate(timeout=60) for run in runs]
        holder.join()
        assert all(run.returncode == 0 for run in runs), outputs
        assert time.monotonic() - started < 35
        assert "in_progress" in outputs[1][0]
    ids = inbox.reminder_ids()
    assert len(ids) == len(set(ids)) == count
