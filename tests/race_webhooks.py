"""Two "deliver due webhooks" runs at once, in threads with their own connections, over the
database the environment names (SQLite in WAL with IMMEDIATE transactions, as deployed, or
PostgreSQL). Run by tests/test_webhooks.py, which holds the receiving server and counts.

python tests/race_webhooks.py URL COUNT THREADS: prints one JSON line, what each run did.
"""

import json
import os
import sys
import threading
from collections import Counter
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")

import django

django.setup()

from django.db import connection
from django.utils import timezone

from obligations import webhook_delivery
from obligations.models import Webhook, WebhookDelivery


def main(url: str, count: int, threads: int) -> dict:
    webhook = Webhook.objects.create(url=url)
    now = timezone.now()
    WebhookDelivery.objects.bulk_create(
        WebhookDelivery(webhook=webhook, event="ping", payload={"n": i}, next_attempt_at=now)
        for i in range(count)
    )
    start, results, errors = threading.Barrier(threads), [], []

    def run():
        try:
            start.wait()
            results.append(webhook_delivery.run(now + timedelta(seconds=1)).delivered)
        except Exception as error:  # noqa: BLE001 (reported to the test, not lost in a thread)
            errors.append(repr(error))
        finally:
            connection.close()

    workers = [threading.Thread(target=run) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(300)
    rows = WebhookDelivery.objects.filter(webhook=webhook)
    return {
        "delivered_by_run": results,
        "errors": errors,
        "states": Counter(row.state for row in rows),
        "attempts": Counter(rows.values_list("attempts", flat=True)),
        "ids": [str(i) for i in rows.values_list("delivery_id", flat=True)],
    }


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))))
