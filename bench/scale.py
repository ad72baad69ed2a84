"""Benchmarks at scale on the data set of `make_bench_data`. Each figure is printed with its
target and PASS or FAIL; ratios are measured in the same run, since machines are noisy.

Run: bench/run (which makes the data set first), or
     DB_NAME=bench.sqlite3 .venv/bin/python bench/scale.py pages|feed|reminders
"""

import os
import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
os.environ.setdefault("LOG_LEVEL", "ERROR")

import django

django.setup()

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

RESULTS = []


def report(name, value, target, ok):
    RESULTS.append(ok)
    print(f"{name:58} {value:>24}  target {target:24} {'PASS' if ok else 'FAIL'}")


def timings(client, url, n=30, **headers):
    client.get(url, headers=headers)  # warm up
    times = []
    for _ in range(n):
        start = time.perf_counter()
        response = client.get(url, headers=headers)
        times.append(time.perf_counter() - start)
    return statistics.median(times), statistics.quantiles(times, n=20)[18], response


def paired(client, url, baseline, n=60):
    """Median and p95 of a page, and the median of the baseline timed in turn with it, so both
    see the same machine load."""
    client.get(url), client.get(baseline)  # warm up
    page, base = [], []
    for _ in range(n):
        for times, target in ((page, url), (base, baseline)):
            start = time.perf_counter()
            response = client.get(target)
            times.append(time.perf_counter() - start)
            assert response.status_code == 200, (target, response.status_code)
    return statistics.median(page), statistics.quantiles(page, n=20)[18], statistics.median(base)


def cold(client, url, n=5):
    """Median time of the page when its cached part is not there (the first view after a
    change to the data)."""
    from django.core.cache import cache

    times = []
    for _ in range(n):
        cache.clear()
        start = time.perf_counter()
        client.get(url)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def user():
    from django.contrib.auth.models import User

    reader, _ = User.objects.get_or_create(username="bench-reader")
    return reader


def pages():
    from django.conf import settings

    from obligations.models import Agency, Order

    settings.ROOT_URLCONF = "bench.urls"  # the project's URLs plus the trivial baseline view
    client = Client()
    client.force_login(user())
    order = Order.objects.filter(number__startswith="B").order_by("number").first()
    agency = Agency.objects.order_by("id").first()
    vendor = connection.vendor
    health, _, _ = timings(client, "/healthz", n=100)
    print(f"(baseline: signed-in trivial view; /healthz, no session, {health * 1000:.1f} ms)")
    for name, url in [
        ("dashboard home", "/"),
        ("obligations list (filtered)", f"/obligations/?kind=deadline&agency={agency.pk}"),
        ("order page (text, highlights)", f"/orders/{order.pk}/"),
    ]:
        median, p95, base = paired(client, url, "/bench/trivial")
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        ratio = median / base
        report(f"{name} median / trivial view ({vendor})",
               f"{ratio:.1f}x ({median * 1000:.1f} / {base * 1000:.1f} ms)", "<= 4x",
               ratio <= 4)  # fmt: skip
        report(f"{name} p95 ({vendor})", f"{p95 * 1000:.0f} ms", "< 200 ms (SQLite)",
               p95 < 0.2 or vendor != "sqlite")  # fmt: skip
        report(f"{name} SQL queries", str(len(queries)), "fixed (<= 20)", len(queries) <= 20)
        miss = cold(client, url)
        report(f"{name}, first view after a change ({vendor})", f"{miss * 1000:.0f} ms", "(info)",
               True)  # fmt: skip


def feed():
    from django.core.cache import cache
    from icalendar import Calendar

    from obligations.feeds import new_token
    from obligations.models import Feed, Order

    order = Order.objects.filter(number__startswith="B").order_by("number").first()
    token, digest = new_token()
    Feed.objects.create(user=user(), name="bench", order=order, token_hash=digest)
    client = Client()
    url = f"/calendar/{token}.ics"
    response = client.get(url)
    events = response.content.count(b"BEGIN:VEVENT")
    # icalendar alone: serialize the very same events, already built. Timed in turn with the
    # uncached response (query, build, serialize), so that both see the same machine load.
    calendar = Calendar.from_ical(response.content)
    full, alone = [], []
    for _ in range(7):
        cache.clear()
        start = time.perf_counter()
        response = client.get(url)
        full.append(time.perf_counter() - start)
        start = time.perf_counter()
        calendar.to_ical()
        alone.append(time.perf_counter() - start)
    ratio = statistics.median(f / a for f, a in zip(full, alone, strict=True))
    report(f"feed of {events} events: full response / icalendar alone (median of 7 pairs)",
           f"{ratio:.2f}x ({statistics.median(full) * 1000:.0f} ms)", "<= 1.5x",
           ratio <= 1.5)  # fmt: skip
    etag = response["ETag"]
    not_modified, _, r304 = timings(client, url, n=50, if_none_match=etag)
    assert r304.status_code == 304
    share = not_modified / statistics.median(full)
    report("feed 304 / full response", f"{share:.1%} ({not_modified * 1000:.1f} ms)", "< 5%",
           share < 0.05)  # fmt: skip
    cached, _, _ = timings(client, url, n=20)
    report("feed, cached by ETag, without If-None-Match", f"{cached * 1000:.1f} ms", "(info)", True)


def reminders_stage():
    from datetime import date, timedelta

    from django.contrib.auth.models import User
    from django.core import mail as django_mail
    from django.core.mail import get_connection

    from obligations import reminders
    from obligations.models import (
        Agency,
        Obligation,
        Occurrence,
        Order,
        Reminder,
        ReminderPreference,
    )

    agency = Agency.named("Department of Benchmarks", "DOB")
    day = date(2031, 1, 6)
    order = Order.objects.create(number="R0001", title="Reminder bench", signed=day,
                                 text="bench", text_sha256="r" * 64)  # fmt: skip
    obligation = Obligation.objects.create(
        order=order, key="r", section="1", action="report", quote="shall report", span_start=0,
        span_end=5, rule={"kind": "deadline", "offset": "7 days", "anchor": "order"},
    )  # fmt: skip
    obligation.agencies.add(agency)
    Occurrence.objects.bulk_create(
        Occurrence(
            obligation=obligation, sequence=i + 1, due=day + timedelta(days=7), explanation="bench"
        )
        for i in range(100)
    )
    users = User.objects.bulk_create(
        User(username=f"bench{i}", email=f"bench{i}@example.gov") for i in range(100)
    )
    agency.group.user_set.add(*users)
    prefs = ReminderPreference.objects.bulk_create(
        ReminderPreference(user=u, digest=False) for u in users
    )
    # Only the bench order: without this, the bench staff would also hear of every obligation of
    # "all agencies" in the data set (Audience.recipients), and the run would measure more.
    ReminderPreference.orders.through.objects.bulk_create(
        ReminderPreference.orders.through(reminderpreference_id=p.pk, order_id=order.pk)
        for p in prefs
    )
    mail = get_connection("django.core.mail.backends.locmem.EmailBackend")
    now = reminders.send_time(day)
    start = time.perf_counter()
    first = reminders.run(now, connection=mail)
    took = time.perf_counter() - start
    due = Reminder.objects.count()  # every reminder in the database, not only the bench's
    report(f"reminder run over {due} due reminders (locmem)", f"{took:.1f} s, {first.sent} sent",
           "< 30 s", took < 30 and first.sent == due == 10_000)  # fmt: skip
    outbox = len(django_mail.outbox)  # what the locmem backend got, counted independently
    report("messages in the locmem outbox", str(outbox), "10000", outbox == 10_000)
    second = reminders.run(now, connection=mail)
    report("second reminder run", f"{second.sent} sent", "0", second.sent == 0)


def main(stage):
    {"pages": pages, "feed": feed, "reminders": reminders_stage}[stage]()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    report(f"peak RSS of the {stage} stage", f"{rss:.0f} MB", "(info)", True)
    return 0 if all(RESULTS) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
