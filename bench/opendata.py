"""The open-data downloads of every track (/public/data/obligations.json and .csv) stream with
flat memory. For each size (50,000 and 500,000 occurrences by default) it makes a scratch data
set with make_bench_data, then downloads each file in a fresh process through the whole Django
stack (test client, middleware, view, streaming response) reading it chunk by chunk, and prints:
the time to the first byte and to the last, the bytes and rows, the process's peak RSS and its
growth during the download, and the peak of Python allocations (tracemalloc, in a second run of
its own, since tracing slows everything down).

Target: the peak RSS growth and the traced peak at 500,000 within 1.5x of those at 50,000
(memory flat: the rows are never all in memory at once).

Run: .venv/bin/python bench/opendata.py [--sizes 50000 500000] [--postgres]
     (--postgres: the data sets in PostgreSQL on 127.0.0.1:5432, database opendata_bench)
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
FLAT = 1.5  # how much more memory the largest size may take than the smallest


def environment(db: str, postgres: bool) -> dict:
    env = {**os.environ, "PUBLIC_SITE": "true", "LOG_LEVEL": "ERROR", "FEED_GZIP": "false"}
    env.pop("DATABASE_URL", None)
    if postgres:
        env.update(DB_ENGINE="postgres", DB_NAME=db, DB_HOST="127.0.0.1")
    else:
        env.pop("DB_ENGINE", None)
        env["DB_NAME"] = db
    return env


def manage(env, *args):
    subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], env=env, check=True,
                   stdout=subprocess.DEVNULL)  # fmt: skip


def make_data(env, size: int, postgres: bool):
    if postgres:
        name = env["DB_NAME"]
        for sql in (f"DROP DATABASE IF EXISTS {name}", f"CREATE DATABASE {name}"):
            subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", sql], check=True)
    manage(env, "migrate", "--noinput", "-v0")
    # The shape of bench/run's data set (200 orders, 10,000 obligations per 500,000), scaled.
    orders, obligations = max(1, size // 2500), max(2, size // 50)
    manage(env, "make_bench_data", "--orders", str(orders), "--obligations", str(obligations),
           "--occurrences", str(size))  # fmt: skip


def download(kind: str, traced: bool) -> dict:
    """In this process (a fresh one): one download of the whole record, read chunk by chunk."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
    import django

    django.setup()
    import tracemalloc

    from django.test import Client

    from obligations.opendata import public_occurrences

    client = Client()
    rows = public_occurrences().count()
    client.get("/public/data/schema.json")  # imports and the first query done before measuring
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if traced:
        tracemalloc.start()
    start = time.perf_counter()
    response = client.get(f"/public/data/obligations.{kind}")
    assert response.status_code == 200 and response.streaming, response.status_code
    size, first, chunks = 0, None, 0
    for chunk in response.streaming_content:
        if first is None:
            first = time.perf_counter() - start
        size += len(chunk)
        chunks += 1
    response.close()
    elapsed = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1] if traced else None
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "rows": rows,
        "bytes": size,
        "chunks": chunks,
        "first": first,
        "seconds": elapsed,
        "rss_kb": after,
        "rss_growth_kb": after - before,
        "traced_kb": peak and peak // 1024,
    }


def measure(env, kind: str, traced: bool) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--download", kind, *(["--traced"] if traced else [])],
        env=env, check=True, capture_output=True, text=True,
    )  # fmt: skip
    return json.loads(out.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[50_000, 500_000])
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--download", choices=["json", "csv"], help=argparse.SUPPRESS)
    parser.add_argument("--traced", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.download:
        print(json.dumps(download(args.download, args.traced)))
        return 0
    print(f"{'database':10} {'file':5} {'rows':>8} {'MB':>7} {'first byte':>10} {'total':>8} "
          f"{'rows/s':>8} {'peak RSS':>9} {'RSS growth':>10} {'traced peak':>11}")  # fmt: skip
    found = {}
    with tempfile.TemporaryDirectory() as work:
        for size in args.sizes:
            db = f"opendata_bench_{size}" if args.postgres else f"{work}/bench-{size}.sqlite3"
            env = environment(db, args.postgres)
            started = time.perf_counter()
            make_data(env, size, args.postgres)
            print(
                f"(data set of {size:,} occurrences made in {time.perf_counter() - started:.0f} s)"
            )
            for kind in ("json", "csv"):
                plain, traced = measure(env, kind, False), measure(env, kind, True)
                found[size, kind] = plain["rss_growth_kb"], traced["traced_kb"]
                print(
                    f"{'postgresql' if args.postgres else 'sqlite':10} {kind:5} "
                    f"{plain['rows']:>8,} {plain['bytes'] / 1e6:>7.1f} {plain['first']:>9.3f}s "
                    f"{plain['seconds']:>7.1f}s {plain['rows'] / plain['seconds']:>8,.0f} "
                    f"{plain['rss_kb'] / 1024:>7.0f}MB {plain['rss_growth_kb'] / 1024:>8.1f}MB "
                    f"{traced['traced_kb'] / 1024:>9.1f}MB"
                )
            if args.postgres:
                subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc",
                                f"DROP DATABASE IF EXISTS {db}"], check=False)  # fmt: skip
    small, large = min(args.sizes), max(args.sizes)
    ok = True
    if small != large:
        for kind in ("json", "csv"):
            (rss_s, traced_s), (rss_l, traced_l) = found[small, kind], found[large, kind]
            flat = traced_l <= FLAT * max(traced_s, 1) and rss_l <= FLAT * max(rss_s, 1024) + 4096
            ok &= flat
            print(f"{kind}: traced peak {traced_s / 1024:.1f} -> {traced_l / 1024:.1f} MB, RSS "
                  f"growth {rss_s / 1024:.1f} -> {rss_l / 1024:.1f} MB from {small:,} to "
                  f"{large:,} rows: target within {FLAT}x  {'PASS' if flat else 'FAIL'}")  # fmt: skip
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
