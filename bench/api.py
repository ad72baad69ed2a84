"""The JSON API's read and write costs on the data in the configured database: median and 95th
percentile milliseconds and queries per request, for the lists (a page of 100), a filtered list,
a detail with its history, a walk through every track, and a change of progress.

Run on a scratch database with data in it, e.g.:
  DB_NAME=/tmp/api.sqlite3 .venv/bin/python manage.py migrate -v0
  DB_NAME=/tmp/api.sqlite3 .venv/bin/python manage.py load_demo
  DB_NAME=/tmp/api.sqlite3 .venv/bin/python bench/api.py [--n 30]
"""

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
os.environ.setdefault("API_READ_RATE", "100000/minute")  # measure the work, not the limit
os.environ.setdefault("API_WRITE_RATE", "100000/minute")

import django

django.setup()

from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from obligations.api.tokens import new_token
from obligations.models import ApiToken, Occurrence


def measure(label, request, n):
    times, queries = [], []
    for _ in range(n):
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            response = request()
            times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (label, response.status_code, response.content[:300])
        queries.append(len(captured))
    p95 = statistics.quantiles(times, n=20)[-1] if n >= 2 else times[0]
    print(f"{label:<48} median {statistics.median(times):7.1f} ms  p95 {p95:7.1f} ms  "
          f"queries {max(queries)}")  # fmt: skip


def walk(client):
    response, pages = client.get("/api/v1/occurrences/", {"page_size": 500}), 1
    while response.json()["next"]:
        response, pages = client.get(response.json()["next"]), pages + 1
    return response, pages


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=30)
    n = parser.parse_args().n
    tracks = Occurrence.objects.count()
    if not tracks:
        raise SystemExit("no data: run manage.py load_demo (or make_bench_data) first")
    user = User.objects.filter(is_superuser=True).first()
    if user is None:
        raise SystemExit("no admin user to act as")
    row, token = new_token(user, "bench/api.py")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    print(f"{connection.vendor}: {tracks:,} tracks; acting as {user.username}; n={n}")
    try:
        measure("GET /orders/", lambda: client.get("/api/v1/orders/"), n)
        measure("GET /obligations/ (100)", lambda: client.get("/api/v1/obligations/"), n)
        measure("GET /obligations/?status=overdue&q=report",
                lambda: client.get("/api/v1/obligations/", {"status": "overdue", "q": "report"}), n)  # fmt: skip
        measure("GET /occurrences/ (100)", lambda: client.get("/api/v1/occurrences/"), n)
        measure("GET /occurrences/?overdue=true&as_of=2017-07-24",
                lambda: client.get("/api/v1/occurrences/", {"overdue": "true",
                                                             "as_of": "2017-07-24"}), n)  # fmt: skip
        one = Occurrence.objects.order_by("-id").first()
        measure("GET /occurrences/{id}/", lambda: client.get(f"/api/v1/occurrences/{one.pk}/"), n)
        start = time.perf_counter()
        _, pages = walk(client)
        print(f"{'walk every track, 500 a page':<48} {pages} pages, "
              f"{(time.perf_counter() - start) * 1000:,.0f} ms")  # fmt: skip

        def change():
            version = Occurrence.objects.values_list("version", flat=True).get(pk=one.pk)
            body = {"status": one.status, "note": "bench", "expected_version": version}
            return client.post(f"/api/v1/occurrences/{one.pk}/progress", json.dumps(body),
                               content_type="application/json")  # fmt: skip

        measure("POST /occurrences/{id}/progress (a note)", change, n)
    finally:
        ApiToken.objects.filter(pk=row.pk).delete()


if __name__ == "__main__":
    main()
