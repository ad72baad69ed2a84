"""Public record pages: median and p95 time and SQL queries of each kind of page, as an
anonymous visitor, today and as of a past day. Works on any database that holds orders (the demo
data, or make_bench_data's).

Run: DB_NAME=scratch.sqlite3 .venv/bin/python manage.py migrate -v0
     DB_NAME=scratch.sqlite3 .venv/bin/python manage.py load_demo
     DB_NAME=scratch.sqlite3 .venv/bin/python bench/public_pages.py
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
os.environ.setdefault("LOG_LEVEL", "ERROR")
os.environ["PUBLIC_SITE"] = "true"

import django

django.setup()

from django.db import connection
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext

from obligations.models import Agency, Obligation
from obligations.public import agency_slug, order_slug


def timings(client, url, n=20):
    client.get(url)  # warm up
    times = []
    for _ in range(n):
        start = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - start)
        assert response.status_code == 200, (url, response.status_code)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    return statistics.median(times), statistics.quantiles(times, n=20)[18], len(queries)


def main():
    client = Client()
    longest = (
        Obligation.objects.filter(withdrawn_by=None).annotate(n=Count("occurrences"))
        .order_by("-n").select_related("order").first()
    )  # fmt: skip
    agency = Agency.objects.annotate(n=Count("occurrences")).order_by("-n").first()
    order = longest.order
    pages = [
        ("home", "/public/"),
        (f"order ({order.short_name}, {order.obligations.count()} obligations)",
         f"/public/orders/{order_slug(order)}/"),
        (f"obligation ({longest.n} tracks, page 1)",
         f"/public/orders/{order_slug(order)}/obligations/{longest.key}/"),
        (f"agency ({agency.abbreviation or agency.name}, {agency.n} tracks, page 1)",
         f"/public/agencies/{agency_slug(agency)}/"),
    ]  # fmt: skip
    print(f"{'page':62} {'median':>9} {'p95':>9} {'queries':>8}  ({connection.vendor})")
    for name, url in pages:
        for label, query in (("", ""), (" as of 2017-04-28", "?as_of=2017-04-28")):
            median, p95, queries = timings(client, url + query)
            print(f"{name + label:62} {median * 1000:7.1f}ms {p95 * 1000:7.1f}ms {queries:8}")


if __name__ == "__main__":
    main()
