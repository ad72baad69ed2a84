"""Mixed load on the production path (issue 16): gunicorn (production settings, 4 workers) on
PostgreSQL with the Redis cache, serving the make_bench_data data set, with readers (home, the
obligations list, an order's page, a feed) and writers changing statuses the way a browser does
(the occurrence page's form: GET it, POST it back with its CSRF token and version field), all
at once for a bounded time. Loopback only.

Prints requests/s, p50/p95/p99 per endpoint, errors (a 5xx, a refused connection or an
unexpected status; a 409 for a stale version is counted apart, it is the designed answer), and
the share of page views that missed the page-part cache (the X-Part-Cache header, which
PART_CACHE_HEADER turns on).

Run: .venv/bin/python bench/mixed_load.py [--seconds 30] [--readers 45] [--writers 5]
     [--workers 4] [--orders 40 --obligations 2000 --occurrences 100000] [--think 1.0]
Needs PostgreSQL on 127.0.0.1:5432 (user postgres, trust) and Redis on 127.0.0.1:6379.
"""

import argparse
import http.client
import os
import random
import re
import secrets
import statistics
import subprocess
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))
from load import PY, ROOT, free_port, gunicorn

PASSWORD = secrets.token_urlsafe(16)
SECURE = {"X-Forwarded-Proto": "https"}


def environment(db, redis_db):
    keep = {k: v for k, v in os.environ.items()
            if not k.startswith(("DB_", "DATABASE_URL", "CACHE_URL"))}  # fmt: skip
    return {
        **keep, "PRODUCTION": "true", "SECRET_KEY": secrets.token_urlsafe(50),
        "DB_ENGINE": "postgres", "DB_NAME": db, "DB_HOST": "127.0.0.1", "DB_USER": "postgres",
        "CACHE_URL": f"redis://127.0.0.1:6379/{redis_db}", "PART_CACHE_HEADER": "true",
        "ALLOWED_HOSTS": "127.0.0.1", "SECURE_SSL_REDIRECT": "false", "LOG_LEVEL": "ERROR",
        "DJANGO_SETTINGS_MODULE": "tracker.settings",
    }  # fmt: skip


def psql(sql):
    subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", sql], check=True,
                   capture_output=True)  # fmt: skip


def manage(env, *args):
    return subprocess.run([PY, str(ROOT / "manage.py"), *args], env=env, cwd=ROOT, check=True,
                          capture_output=True, text=True).stdout  # fmt: skip


SETUP = """
from django.contrib.auth.models import User
from obligations.feeds import new_token
from obligations.models import Feed, Occurrence, Order
User.objects.create_user("bench-reader", password=PASSWORD)
User.objects.create_superuser("bench-writer", "w@example.gov", PASSWORD)
orders = list(Order.objects.order_by("pk").values_list("pk", flat=True)[:20])
order = Order.objects.get(pk=orders[1])
token, digest = new_token()
Feed.objects.create(user=User.objects.get(username="bench-reader"), name="load", order=order,
                    token_hash=digest)
pending = Occurrence.objects.filter(status__in=["open", "in_progress"]).order_by("?")
tracks = list(pending.values_list("pk", flat=True)[:200])
events = Occurrence.objects.filter(obligation__order=order).count()
print(token, events, ",".join(map(str, orders)), ",".join(map(str, tracks)))
"""


def prepare(env, size):
    manage(env, "migrate", "--noinput")
    manage(env, "collectstatic", "--noinput")
    start = time.perf_counter()
    manage(env, "make_bench_data", "--orders", str(size[0]), "--obligations", str(size[1]),
           "--occurrences", str(size[2]))  # fmt: skip
    built = time.perf_counter() - start
    out = manage(env, "shell", "-c", SETUP.replace("PASSWORD", repr(PASSWORD)))
    token, events, orders, tracks = out.strip().splitlines()[-1].split()
    split = lambda text: [int(x) for x in text.split(",")]
    return token, int(events), split(orders), split(tracks), built


def cookies_of(response) -> dict:
    found = {}
    for name, value in response.getheaders():
        if name.lower() == "set-cookie":
            key, _, rest = value.partition("=")
            found[key.strip()] = rest.split(";", 1)[0]
    return found


def sign_in(port, username) -> dict:
    """Sign in through the login form, as a browser does: the session's cookies."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", "/accounts/login/", headers=SECURE)
    response = conn.getresponse()
    page = response.read().decode()
    jar = cookies_of(response)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    body = urlencode({"csrfmiddlewaretoken": token, "username": username, "password": PASSWORD})
    conn.request("POST", "/accounts/login/", body, {
        **SECURE, "Content-Type": "application/x-www-form-urlencoded", "Cookie": header(jar),
        "Referer": f"https://127.0.0.1:{port}/accounts/login/"})  # fmt: skip
    response = conn.getresponse()
    response.read()
    jar.update(cookies_of(response))
    if "sessionid" not in jar:
        raise SystemExit(f"could not sign in as {username}")
    return jar


def header(jar) -> str:
    return "; ".join(f"{k}={v}" for k, v in jar.items())


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.times = defaultdict(list)
        self.errors = defaultdict(int)
        self.conflicts = 0
        self.views = defaultdict(lambda: [0, 0])  # endpoint: [views with parts, missed]
        self.samples = []  # the first few errors, to say what went wrong

    def add(self, name, seconds, error=None, part=None):
        with self.lock:
            self.times[name].append(seconds)
            if error:
                self.errors[name] += 1
                if len(self.samples) < 5:
                    self.samples.append(f"{name}: {error}")
            if part:
                self.views[name][0] += 1
                self.views[name][1] += "miss" in part


def timed(conn_box, port, method, path, body=None, headers=None):
    """(response, body, seconds); a broken connection is reopened."""
    start = time.perf_counter()
    try:
        conn_box[0].request(method, path, body, headers or {})
        response = conn_box[0].getresponse()
        data = response.read()
    except (OSError, http.client.HTTPException) as error:
        conn_box[0] = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        return None, repr(error), time.perf_counter() - start
    return response, data, time.perf_counter() - start


def reader(port, jar, targets, stop, stats, seed):
    rng, conn = random.Random(seed), [http.client.HTTPConnection("127.0.0.1", port, timeout=60)]
    cookie = {**SECURE, "Cookie": header(jar)}
    while time.monotonic() < stop:
        name, path, signed_in = rng.choice(targets)
        response, data, seconds = timed(conn, port, "GET", path, headers=cookie if signed_in
                                        else SECURE)  # fmt: skip
        status = response.status if response else data
        error = None if response and response.status == 200 else f"GET {path}: {status}"
        part = response.getheader("X-Part-Cache") if response else None
        stats.add(name, seconds, error, part)


VERSION = re.compile(r'name="version" value="(\d+)"')
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
STATUS = re.compile(r'<option value="(\w+)" selected')


def writer(port, jar, tracks, stop, stats, seed, think):
    """A person on an occurrence page: read it, then post a status change from it."""
    rng, conn = random.Random(seed), [http.client.HTTPConnection("127.0.0.1", port, timeout=60)]
    base = {**SECURE, "Cookie": header(jar)}
    while time.monotonic() < stop:
        path = f"/occurrences/{rng.choice(tracks)}/"
        response, page, seconds = timed(conn, port, "GET", path, headers=base)
        ok = response is not None and response.status == 200
        status = response.status if response is not None else page
        stats.add("occurrence page (GET)", seconds, None if ok else f"GET {path}: {status}")
        if not ok:
            continue
        page = page.decode()
        version, token = VERSION.search(page).group(1), CSRF.search(page).group(1)
        current = STATUS.search(page).group(1)
        time.sleep(think * rng.random())  # reading the page; others may change it meanwhile
        form = {"csrfmiddlewaretoken": token, "version": version, "note": "bench",
                "status": "in_progress" if current == "open" else "open"}  # fmt: skip
        for name in ("submitted_on", "published_on", "evidence_url", "verified_on",
                     "verification_url", "closed_on", "authority", "authority_url"):  # fmt: skip
            form[name] = ""
        headers = {**base, "Content-Type": "application/x-www-form-urlencoded",
                   "Referer": f"https://127.0.0.1:{port}{path}"}  # fmt: skip
        response, data, seconds = timed(conn, port, "POST", path, urlencode(form), headers)
        if response is not None and response.status == 409:
            with stats.lock:
                stats.conflicts += 1
            stats.add("status change (POST)", seconds)
            continue
        ok = response is not None and response.status == 302
        status = response.status if response is not None else data
        stats.add("status change (POST)", seconds, None if ok else f"POST {path}: {status}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--readers", type=int, default=45)
    parser.add_argument("--writers", type=int, default=5)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--think", type=float, default=1.0,
                        help="a writer's longest pause between reading a page and posting")  # fmt: skip
    parser.add_argument("--orders", type=int, default=40)
    parser.add_argument("--obligations", type=int, default=2_000)
    parser.add_argument("--occurrences", type=int, default=100_000)
    parser.add_argument("--redis-db", type=int, default=9)
    args = parser.parse_args()
    db = f"perf_mixed_{os.getpid()}"
    env = environment(db, args.redis_db)
    psql(f"DROP DATABASE IF EXISTS {db}")
    psql(f"CREATE DATABASE {db}")
    server = None
    try:
        size = (args.orders, args.obligations, args.occurrences)
        token, events, orders, tracks, built = prepare(env, size)
        port = free_port()
        server = gunicorn(env, port, args.workers)
        time.sleep(3)
        reading, writing = sign_in(port, "bench-reader"), sign_in(port, "bench-writer")
        targets = [("home", "/", True), ("obligations list", "/obligations/", True),
                   *[("order page", f"/orders/{pk}/", True) for pk in orders[:5]],
                   ("feed", f"/calendar/{token}.ics", False)]  # fmt: skip
        # Each endpoint equally often: the five order pages share one endpoint's share.
        targets = [t for t in targets for _ in range(5 if t[0] != "order page" else 1)]
        stats, stop = Stats(), time.monotonic() + args.seconds
        threads = [threading.Thread(target=reader, args=(port, reading, targets, stop, stats, i))
                   for i in range(args.readers)]  # fmt: skip
        threads += [threading.Thread(target=writer, args=(port, writing, tracks, stop, stats,
                                                          1000 + i, args.think))
                    for i in range(args.writers)]  # fmt: skip
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        report(args, stats, events, built)
        errors = sum(stats.errors.values())
    finally:
        if server:
            os.killpg(server.pid, 15)
            server.wait(timeout=30)
        psql(f"DROP DATABASE IF EXISTS {db}")
    return 1 if errors else 0


def report(args, stats, events, built):
    print(f"data set: make_bench_data --orders {args.orders} --obligations {args.obligations} "
          f"--occurrences {args.occurrences} (PostgreSQL, built in {built:.0f} s); feed of "
          f"{events} events")  # fmt: skip
    print(f"gunicorn -w {args.workers}, Redis cache; {args.readers} readers, {args.writers} "
          f"writers (pause up to {args.think} s before posting), {args.seconds:.0f} s")  # fmt: skip
    total = sum(len(t) for t in stats.times.values())
    print(f"{'endpoint':24} {'req/s':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>6}"
          f" {'part-cache misses':>18}")  # fmt: skip
    for name, times in sorted(stats.times.items()):
        q = statistics.quantiles(times, n=100) if len(times) > 1 else [times[0]] * 99
        views, missed = stats.views.get(name, (0, 0))
        share = f"{missed}/{views} ({missed / views:.0%})" if views else "-"
        print(f"{name:24} {len(times) / args.seconds:7.1f} {q[49] * 1000:8.1f} "
              f"{q[94] * 1000:8.1f} {q[98] * 1000:8.1f} {stats.errors[name]:6d} {share:>18}")  # fmt: skip
    views = sum(v[0] for v in stats.views.values())
    missed = sum(v[1] for v in stats.views.values())
    errors = sum(stats.errors.values())
    print(f"all: {total / args.seconds:.1f} req/s; errors {errors} (target 0) "
          f"{'PASS' if not errors else 'FAIL'}; 409 stale version {stats.conflicts}; "
          f"page views that missed the part cache {missed}/{views} "
          f"({missed / max(views, 1):.0%})")  # fmt: skip
    for sample in stats.samples:
        print("  error:", sample)


if __name__ == "__main__":
    sys.exit(main())
