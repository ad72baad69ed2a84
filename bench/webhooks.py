"""Outgoing webhooks, measured on a scratch SQLite file (WAL, IMMEDIATE, as deployed):

1. what a status change (tracking.record_progress) costs with no webhook, with webhooks that do
   not match, and with 3 that match (their deliveries are made in its transaction);
2. how fast runs send: DELIVERIES deliveries to a receiving http.server on 127.0.0.1, by 1 and
   by 2 runs at once (threads), each delivery checked to arrive exactly once.

Run: .venv/bin/python bench/webhooks.py [--changes 300] [--deliveries 500]
"""

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup(db: str) -> None:
    for name in ("DATABASE_URL", "DB_ENGINE"):
        os.environ.pop(name, None)
    os.environ.update(DB_NAME=db, WEBHOOK_ALLOW_PRIVATE="true")
    os.environ.setdefault("LOG_LEVEL", "ERROR")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


class Receiver(BaseHTTPRequestHandler):
    seen: list = []
    lock = threading.Lock()

    def do_POST(self):
        self.rfile.read(int(self.headers["Content-Length"]))
        with self.lock:
            self.seen.append(self.headers["X-Tracker-Delivery"])
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


def change_cost(changes: int, url: str) -> None:
    from obligations.importers import import_text
    from obligations.models import Agency, Occurrence, Webhook, WebhookDelivery
    from obligations.tracking import record_progress

    order = import_text(
        "number: 99777\ntitle: Bench\nsigned: 2017-01-25\n\n"
        "Sec. 1. Lists. The Secretary of Homeland Security shall publish a list on a weekly basis."
    ).order
    occurrence = Occurrence.objects.filter(obligation__order=order).order_by("due").first()
    dhs = Agency.objects.get(name="Department of Homeland Security")
    dos = Agency.named("Department of State", "DOS")

    def timed(label):
        took = []
        for i in range(changes):
            status = "submitted" if i % 2 == 0 else "open"
            fields = {"submitted_on": date(2017, 3, 1)} if status == "submitted" else {}
            start = time.perf_counter()
            record_progress(occurrence, status, **fields)
            took.append(time.perf_counter() - start)
        made = WebhookDelivery.objects.count()
        print(f"  {label:<28} median {statistics.median(took) * 1000:6.2f} ms, "
              f"p95 {sorted(took)[int(len(took) * 0.95)] * 1000:6.2f} ms, {made} deliveries made")  # fmt: skip
        WebhookDelivery.objects.all().delete()

    timed("no webhook")
    others = [Webhook.objects.create(url=url, agency=dos) for _ in range(3)]
    timed("3 webhooks, none matching")
    Webhook.objects.filter(pk__in=[w.pk for w in others]).update(agency=dhs)
    timed("3 webhooks, all matching")
    Webhook.objects.all().delete()


def send_rate(deliveries: int, url: str, runs: int) -> None:
    from django.db import connection
    from django.utils import timezone

    from obligations import webhook_delivery
    from obligations.models import Webhook, WebhookDelivery

    Receiver.seen.clear()
    webhook = Webhook.objects.create(url=url)
    now = timezone.now()
    WebhookDelivery.objects.bulk_create(
        WebhookDelivery(webhook=webhook, event="ping", payload={"n": i}, next_attempt_at=now)
        for i in range(deliveries)
    )
    done = []

    def run():
        done.append(webhook_delivery.run(timezone.now()).delivered)
        connection.close()

    start = time.perf_counter()
    threads = [threading.Thread(target=run) for _ in range(runs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    took = time.perf_counter() - start
    once = len(Receiver.seen) == len(set(Receiver.seen)) == deliveries
    print(f"  {runs} run(s): {deliveries} deliveries in {took:.2f} s = {deliveries / took:.0f}/s "
          f"(per run {done}); each exactly once: {once}")  # fmt: skip
    webhook.delete()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--changes", type=int, default=300)
    parser.add_argument("--deliveries", type=int, default=500)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        setup(str(Path(work) / "bench.sqlite3"))
        server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        url = f"http://127.0.0.1:{server.server_address[1]}/hook"
        print(f"== a status change (record_progress), {args.changes} changes each")
        change_cost(args.changes, url)
        print("== sending")
        for runs in (1, 2):
            send_rate(args.deliveries, url, runs)
        server.shutdown()


if __name__ == "__main__":
    main()
