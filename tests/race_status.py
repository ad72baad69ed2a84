"""Race status changes on one occurrence, in the database the environment names, and print
what happened as JSON. Run by tests/test_status_race.py.

python tests/race_status.py THREADS: seeds an occurrence, then three rounds of THREADS threads
each with its own session and database connection:
- "stale": everyone opens the page, then everyone posts from it (one may win, the rest 409);
- "fresh": everyone opens the page and posts at once, again and again, resubmitting on a 409;
- "direct": everyone records a change through record_progress with no version (a command).
"""

import json
import os
import sys
import threading
from datetime import date
from itertools import pairwise
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")

import django

django.setup()
from django.test.utils import setup_test_environment

setup_test_environment()  # responses carry their template context, as in the test client

from django.contrib.auth.models import User
from django.db import connections
from django.test import Client

from obligations.models import Agency, Obligation, Occurrence, Order
from obligations.tracking import record_progress

ROUNDS = 3  # of the "fresh" race: each thread posts this many changes


def seed():
    agency = Agency.named("Department of Energy", "DOE")
    order = Order.objects.create(number="99030", title="Race", signed=date(2020, 1, 2),
                                 text="race", text_sha256="r" * 64)  # fmt: skip
    obligation = Obligation.objects.create(
        order=order, key="race", section="1", action="report", quote="q", span_start=0,
        span_end=1, rule={"kind": "deadline", "offset": "90 days", "anchor": "order"},
    )  # fmt: skip
    user = User.objects.create_user("racer")
    user.groups.add(agency.group)
    return Occurrence.objects.create(obligation=obligation, agency=agency, sequence=1,
                                     due=date(2020, 4, 1), explanation="race"), user  # fmt: skip


def in_threads(count, work):
    """Run work(i, barrier) in `count` threads at once; each closes its connection."""
    barrier, answers = threading.Barrier(count), []

    def run(i):
        try:
            answers.extend(work(i, barrier))
        except Exception as error:  # noqa: BLE001 (counted as an answer that is not 302 / 409)
            answers.append(type(error).__name__)
            print(f"thread {i}: {error!r}", file=sys.stderr)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(300)
    return answers


def post(client, url, i, version):
    status = "in_progress" if i % 2 else "open"
    return client.post(url, {"status": status, "version": version, "note": f"thread {i}"})


def stale(occurrence, user, count):
    url = f"/occurrences/{occurrence.pk}/"

    def work(i, barrier):
        client = Client()
        client.force_login(user)
        version = client.get(url).context["form"]["version"].value()
        barrier.wait()
        return [post(client, url, i, version).status_code]

    return in_threads(count, work)


def fresh(occurrence, user, count):
    url = f"/occurrences/{occurrence.pk}/"

    def work(i, barrier):
        client, codes = Client(), []
        client.force_login(user)
        barrier.wait()
        for _ in range(ROUNDS):
            version = client.get(url).context["form"]["version"].value()
            answer = post(client, url, i, version)
            if answer.status_code == 409:  # resubmit against the version the 409 page gives
                answer = post(client, url, i, answer.context["form"]["version"].value())
            codes.append(answer.status_code)
        return codes

    return in_threads(count, work)


def direct(occurrence, count):
    def work(i, barrier):
        barrier.wait()
        record_progress(occurrence, "in_progress" if i % 2 else "open", note=f"direct {i}")
        return [200]

    return in_threads(count, work)


def invariants(occurrence):
    rows = list(occurrence.history.order_by("at", "id"))
    occurrence.refresh_from_db()
    breaks = sum(a.to_status != b.from_status for a, b in pairwise(rows))
    breaks += bool(rows) and rows[0].from_status != "open"
    return {"history": len(rows), "version": occurrence.version, "chain_breaks": breaks,
            "versions_in_order": [r.version for r in rows] == list(range(1, len(rows) + 1)),
            "status": occurrence.status, "last_to": rows[-1].to_status if rows else None}  # fmt: skip


WEEKLY = """number: 99031
title: Race of texts
signed: 2020-01-02

Sec. 1. Lists. The Secretary of Energy shall publish a list on a weekly basis.

Sec. 2. Reports. The Secretary of Energy shall submit a report within 90 days of the date of this order.
"""


def texts(count):
    """Everyone applies the same pending text of an order at once: one applies it, the others
    are told it is applied; what it withdraws is closed once."""
    from obligations import revisions
    from obligations.importers import import_text

    order = import_text(WEEKLY).order
    version = import_text(WEEKLY.split("Sec. 2.")[0]).version

    def work(i, barrier):
        barrier.wait()
        try:
            revisions.apply(version, by=None)
        except revisions.RevisionError:
            return ["refused"]
        return ["applied"]

    answers = in_threads(count, work)
    weekly = order.obligations.get(section="1")
    report = order.obligations.get(section="2")
    closings = [o.history.count() for o in report.occurrences.all()]
    return answers, {"withdrawn": report.withdrawn_by_id == version.pk, "closings": closings,
                     "weekly_untouched": not weekly.occurrences.exclude(status="open").exists(),
                     "texts_applied": order.versions.filter(state="applied").count()}  # fmt: skip


def main(count):
    occurrence, user = seed()
    answers, figures = texts(count)
    report = {"texts": {"answers": {a: answers.count(a) for a in sorted(set(answers))},
                        **figures}}  # fmt: skip
    for name, race in (("stale", lambda: stale(occurrence, user, count)),
                       ("fresh", lambda: fresh(occurrence, user, count)),
                       ("direct", lambda: direct(occurrence, count))):  # fmt: skip
        codes = race()
        report[name] = {"requests": len(codes), "codes": {str(c): codes.count(c) for c in
                                                          sorted(set(codes))},
                        **invariants(occurrence)}  # fmt: skip
    print(json.dumps(report))


if __name__ == "__main__":
    main(int(sys.argv[1]))
