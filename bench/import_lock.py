"""How long an import holds SQLite's write lock (issue 16): an order of 190 sections, each with
a weekly obligation (about 39,520 occurrences), imported in one process while another process
changes an occurrence's status through the one recording path (tracking.record_progress) every
100 ms. Prints the import time, the concurrent writer's longest wait and the occurrences
written. Target: no write waits more than 2 s.

Run: .venv/bin/python bench/import_lock.py [--sections 190] [--interval 0.1]
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TARGET_WAIT = 2.0


def order_text(sections: int, number: str = "99190") -> str:
    """An order whose every section publishes something weekly."""
    lines = [
        f"number: {number}", "title: Weekly Publication of Enforcement Statistics",
        "signed: 2023-01-02", "",
        "By the authority vested in me as President, I hereby order as follows:", "",
    ]  # fmt: skip
    for i in range(1, sections + 1):
        sentence = "The Secretary of Homeland Security shall publish the statistics of program"
        lines += [f"Sec. {i}. Publication {i}. {sentence} {i} on a weekly basis.", ""]
    return "\n".join(lines)


def setup(db: str) -> None:
    """Django on the scratch SQLite file `db`, whatever the environment says."""
    for name in ("DATABASE_URL", "DB_ENGINE"):
        os.environ.pop(name, None)
    os.environ["DB_NAME"] = db
    os.environ.setdefault("LOG_LEVEL", "ERROR")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
    import django

    django.setup()


def prepare() -> int:
    """A fresh schema, an admin and one small order: returns the occurrence the writer changes."""
    from django.contrib.auth.models import User
    from django.core.management import call_command

    from obligations.importers import import_text
    from obligations.models import Occurrence

    call_command("migrate", verbosity=0)
    User.objects.create_superuser("bench-admin", "admin@example.gov", "x")
    result = import_text(order_text(1, number="99001"), source="bench")
    return Occurrence.objects.filter(obligation__order=result.order).order_by("due").first().pk


def writer(pk: int, interval: float, stop: Path) -> None:
    """Toggle the occurrence between open and in progress until `stop` exists; print each
    call's duration (seconds) and any error, as JSON."""
    from django.contrib.auth.models import User
    from django.db import OperationalError

    from obligations.models import Occurrence
    from obligations.tracking import record_progress

    admin = User.objects.get(username="bench-admin")
    waits, errors = [], []
    while not stop.exists():
        occurrence = Occurrence.objects.get(pk=pk)
        status = "in_progress" if occurrence.status == "open" else "open"
        start = time.perf_counter()
        try:
            record_progress(
                occurrence, status, by=admin, note="bench", expected_version=occurrence.version
            )
        except OperationalError as error:
            errors.append(str(error))
        waits.append(time.perf_counter() - start)
        time.sleep(interval)
    print(json.dumps({"waits": waits, "errors": errors}))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sections", type=int, default=190)
    parser.add_argument("--interval", type=float, default=0.1)
    parser.add_argument("--writer", nargs=3, metavar=("DB", "PK", "STOP"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.writer:
        db, pk, stop = args.writer
        setup(db)
        writer(int(pk), args.interval, Path(stop))
        return 0
    with tempfile.TemporaryDirectory(prefix="perf_import_lock_") as tmp:
        db, stop = str(Path(tmp) / "bench.sqlite3"), Path(tmp) / "stop"
        setup(db)
        pk = prepare()
        from django.contrib.auth.models import User

        from obligations.extraction import extract
        from obligations.importers import store

        text = order_text(args.sections)
        extraction = extract(text)  # outside the transaction, as the browser's preview does
        admin = User.objects.get(username="bench-admin")
        child = subprocess.Popen(
            [sys.executable, __file__, "--interval", str(args.interval), "--writer", db, str(pk),
             str(stop)], stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        time.sleep(1.5)  # the writer is up and writing
        start = time.perf_counter()
        result = store(extraction, source="imported in the browser", by=admin)
        seconds = time.perf_counter() - start
        time.sleep(1.0)  # the writer's last waits end
        stop.touch()
        out, _ = child.communicate(timeout=60)
        report = json.loads(out.strip().splitlines()[-1])
    waits = report["waits"]
    longest = max(waits)
    ok = longest <= TARGET_WAIT and not report["errors"]
    print(f"order: {args.sections} sections, weekly; obligations {len(extraction.obligations)}")
    print(f"import (store, one transaction)      {seconds:8.2f} s")
    print(f"occurrences written                  {result.counts['occurrences_created']:8d}")
    print(f"concurrent writer: changes           {len(waits):8d} (every {args.interval} s)")
    print(f"concurrent writer: median wait       {statistics.median(waits) * 1000:8.1f} ms")
    print(f"concurrent writer: longest wait      {longest:8.2f} s   target <= {TARGET_WAIT} s "
          f"{'PASS' if ok else 'FAIL'}")  # fmt: skip
    if report["errors"]:
        print(f"concurrent writer: errors            {len(report['errors'])}: "
              f"{report['errors'][0]}")  # fmt: skip
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
