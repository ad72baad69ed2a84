"""20 people change one occurrence at once, through the page and through the recording
function, on SQLite (WAL, IMMEDIATE) and on PostgreSQL: every change is serialized, a post from
a stale page gets 409, each history row starts where the previous one ended, and the version
counts the changes applied."""

import json
import os
import subprocess
import sys

import pytest

from tests.test_reminder_race import ROOT, database, manage  # noqa: F401 (the fixture)

pytestmark = [pytest.mark.own_databases, pytest.mark.slow]
THREADS = 20


def test_twenty_simultaneous_changes_keep_the_history_true(database):  # noqa: F811
    env = {**os.environ, **database, "LOG_LEVEL": "WARNING",
           "DJANGO_SETTINGS_MODULE": "tracker.settings"}  # fmt: skip
    manage(env, "migrate", "--noinput")
    run = subprocess.run([sys.executable, str(ROOT / "tests" / "race_status.py"), str(THREADS)],
                         env=env, capture_output=True, text=True, timeout=600, check=False)  # fmt: skip
    assert run.returncode == 0, run.stderr[-3000:]
    report = json.loads(run.stdout.strip().splitlines()[-1])
    print(json.dumps(report, indent=1))
    texts = report.pop("texts")
    # Everyone applying one pending text at once: it is applied once; its withdrawal is closed once.
    assert texts["answers"] == {"applied": 1, "refused": THREADS - 1}
    assert texts["withdrawn"] and texts["closings"] == [1] and texts["texts_applied"] == 1
    assert texts["weekly_untouched"]
    stale, fresh, direct = report["stale"], report["fresh"], report["direct"]
    # From one page version: exactly one change applies, the other 19 are told of it.
    assert stale["codes"] == {"302": 1, "409": THREADS - 1}
    assert stale["history"] == stale["version"] == 1
    # Everyone posting from fresh pages, resubmitting once on a 409: each 302 is one change.
    applied = fresh["codes"].get("302", 0)
    assert set(fresh["codes"]) <= {"302", "409"}
    assert fresh["history"] == fresh["version"] == 1 + applied
    assert applied >= 1  # under contention most resubmissions meet yet another change
    # The command path (no version): all 20 serialized, none lost.
    assert direct["history"] == direct["version"] == 1 + applied + THREADS
    for figures in report.values():
        assert figures["chain_breaks"] == 0 and figures["versions_in_order"]
        assert figures["status"] == figures["last_to"]
