"""Public pages at scale: the public order page and the scorecards on the make_bench_data data
set (200 orders, ~10,000 obligations, ~500,000 occurrences), anonymous, with PUBLIC_SITE on.

Each page is timed on a cache hit (its part rendered under the current data version, the usual
case), on a miss (the first view after a change: a status recorded before each request, which
moves the data version), and cold (the cache emptied before each request: after a restart
without a shared cache, or the first view of a new day), today and as of a past day (statuses
from dates: the costlier query). Prints p50/p95 per page with the targets: hit p95 < 50 ms,
miss p95 < 300 ms (cold: for information).

Run: .venv/bin/python bench/scorecard_pages.py                  # a scratch SQLite data set
     .venv/bin/python bench/scorecard_pages.py --postgres       # the same on PostgreSQL (127.0.0.1)
     DB_NAME=bench.sqlite3 .venv/bin/python bench/scorecard_pages.py --reuse   # a data set made before
Options: --hits 100 --misses 15 --occurrences 500000 (smaller for a quick look).
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PAST_DAY = "2019-06-30"  # as of a past day: statuses from the dates things happened
HIT, MISS = 0.050, 0.300
PG_DB = "score_bench"


def arguments():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", action="store_true", help=f"PostgreSQL ({PG_DB})")
    parser.add_argument("--reuse", action="store_true", help="DB_NAME already holds the data set")
    parser.add_argument("--hits", type=int, default=100)
    parser.add_argument("--misses", type=int, default=15)
    parser.add_argument("--occurrences", type=int, default=500_000)
    return parser.parse_args()


def prepare(args) -> str:
    """Point the settings at the data set's database, making it first unless --reuse."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
    os.environ.setdefault("LOG_LEVEL", "ERROR")
    os.environ["PUBLIC_SITE"] = "true"
    if args.postgres:
        os.environ.update(DB_ENGINE="postgres", DB_NAME=PG_DB, DB_HOST="127.0.0.1")
        if not args.reuse:
            for sql in (f"DROP DATABASE IF EXISTS {PG_DB}", f"CREATE DATABASE {PG_DB}"):
                subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", sql],
                               check=True)  # fmt: skip
    elif not args.reuse:
        os.environ["DB_NAME"] = str(Path(tempfile.mkdtemp(prefix="public-bench-")) / "db.sqlite3")
    if not args.reuse:
        size = ["--orders", "200", "--obligations", "10000", "--occurrences", str(args.occurrences)]
        start = time.perf_counter()
        for command in (["migrate", "-v0"], ["make_bench_data", *size]):
            subprocess.run([sys.executable, str(ROOT / "manage.py"), *command], check=True,
                           cwd=ROOT, env=os.environ)  # fmt: skip
        print(f"(data set made in {time.perf_counter() - start:.0f} s)")
    return os.environ.get("DB_NAME", "")


def timed(client, url, n, before=None):
    times = []
    for _ in range(n):
        if before:
            before()
        start = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - start)
        assert response.status_code == 200, (url, response.status_code)
    return times


def p95(times):
    return statistics.quantiles(times, n=20)[18] if len(times) > 1 else times[0]


def main():
    args = arguments()
    database = prepare(args)
    import django

    django.setup()
    from django.conf import settings
    from django.core.cache import cache
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.urls import NoReverseMatch, reverse

    from obligations import scorecard_parts
    from obligations.models import Agency, Occurrence, Order
    from obligations.public import agency_slug, order_slug

    settings.PUBLIC_SITE = True
    settings.ALLOWED_HOSTS = ["*"]
    orders = Order.objects.filter(number__startswith="B").order_by("number")
    order = orders[1]  # a typical order (the first is the feed bench's big one)
    # The agency that answers for the most obligations (the data set's tracks are shared ones)
    agency = Agency.objects.annotate(n=Count("obligations")).order_by("-n", "pk").first()
    print(f"{connection.vendor} {database}: {Occurrence.objects.count():,} occurrences, "
          f"{orders.count()} orders; order {order.short_name}: "
          f"{Occurrence.objects.filter(obligation__order=order).count():,} occurrences")  # fmt: skip
    slug = order_slug(order)
    pages = [("scorecard: agencies ranked", reverse("public_scorecards")),
             ("scorecard: one order over time", reverse("public_order_scorecard", args=[slug])),
             ("scorecard: one agency", reverse("public_agency_scorecard",
                                               args=[agency_slug(agency)])),
             ("report: one order", reverse("public_order_report", args=[slug]))]  # fmt: skip
    try:
        pages.insert(0, ("public order page", reverse("public_order", args=[slug])))
    except NoReverseMatch:
        print("(public order page: not on this branch (views/public.py); not measured)")
    pending = iter(Occurrence.objects.filter(status="open").order_by("?")
                   .values_list("pk", flat=True)[:10_000])  # fmt: skip

    def change():
        """A status recorded, as the occurrence page records it: the data version moves."""
        Occurrence.objects.get(pk=next(pending)).change_status("in_progress", note="bench")

    def forget():
        """A process with nothing kept: the page's part and the scorecards' counts."""
        cache.clear()
        scorecard_parts._kept.clear()

    client = Client()
    results = []
    health = timed(client, "/healthz", 50)
    print(
        f"(machine load: the cheapest view, /healthz, median {statistics.median(health) * 1000:.1f}"
        " ms; os.getloadavg() " + ", ".join(f"{x:.1f}" for x in os.getloadavg()) + ")"
    )
    print(f"{'page':34} {'as of':10} {'hit p50':>7} {'hit p95':>7} {'miss p50':>8} "
          f"{'miss p95':>8} {'cold p50':>8} {'cold p95':>8}  (ms)")  # fmt: skip
    for name, path in pages:
        for label, query in (("today", ""), (PAST_DAY, f"?as_of={PAST_DAY}")):
            url = path + query
            cold = timed(client, url, max(3, args.misses // 3), before=forget)
            timed(client, url, 2)  # the kept counts made, as a page in service has them
            miss = timed(client, url, args.misses, before=change)
            timed(client, url, 2)
            hit = timed(client, url, args.hits)
            ok = p95(hit) < HIT and p95(miss) < MISS
            results.append(ok)
            print(f"{name:34} {label:10} {statistics.median(hit) * 1000:7.1f} "
                  f"{p95(hit) * 1000:7.1f} {statistics.median(miss) * 1000:8.0f} "
                  f"{p95(miss) * 1000:8.0f} {statistics.median(cold) * 1000:8.0f} "
                  f"{p95(cold) * 1000:8.0f}  {'PASS' if ok else 'FAIL'}")  # fmt: skip
    print("targets: hit p95 < 50 ms, miss p95 < 300 ms (cold: for information)")
    print(f"{sum(results)} of {len(results)} within the targets")
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
