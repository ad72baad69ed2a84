"""`manage.py make_bench_data --orders 200 --obligations 10000 --occurrences 500000`.

A synthetic data set for the benchmarks, made fast with bulk inserts. It reuses the real
extractor on the fixture orders: each synthetic order is one of them with its dates shifted, its
obligations are the real extracted ones (cycled to reach the count), and its occurrences are a
series of due dates with a realistic mix of statuses. The first order is the "big" one: exactly
5,000 occurrences, for the feed benchmark.
"""

import hashlib
from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from obligations.agencies import agency_for
from obligations.extraction import extract, read_file
from obligations.models import Agency, Obligation, Occurrence, Order

BIG = 5000
STATUSES = ["submitted", "verified", "submitted", "open", "waived", "verified", "submitted"]


class Command(BaseCommand):
    help = "Fill the database with a large synthetic data set for bench/run."

    def add_arguments(self, parser):
        parser.add_argument("--orders", type=int, default=200)
        parser.add_argument("--obligations", type=int, default=10_000)
        parser.add_argument("--occurrences", type=int, default=500_000)

    def handle(self, orders, obligations, occurrences, **options):
        if min(orders, obligations, occurrences) < 1 or obligations < orders:
            raise CommandError("need at least one order, and an obligation per order")
        if Order.objects.filter(number__startswith="B").exists():
            raise CommandError("bench data is already here; use a fresh database")
        templates = [extract(read_file(p)) for p in sorted((settings.BASE_DIR / "fixtures" /
                                                            "orders").glob("*.txt"))]  # fmt: skip
        templates = [t for t in templates if t.obligations]
        per_order = obligations // orders
        per_obligation = max(1, (occurrences - BIG) // max(1, obligations - per_order))
        with transaction.atomic():
            made = self._orders(orders, templates)
            rows = self._obligations(made, templates, per_order)
            count = self._occurrences(rows, per_order, per_obligation)
        settle()
        self.stdout.write(f"{len(made)} orders, {len(rows)} obligations, {count} occurrences")

    def _orders(self, count, templates):
        orders = []
        for i in range(count):
            source = templates[i % len(templates)]
            info = source.order
            signed = info.signed + timedelta(days=7 * i)
            orders.append(Order(
                number=f"B{i:05d}", title=f"{info.title} (bench {i})", kind=info.kind,
                signed=signed, text=source.text,
                text_sha256=hashlib.sha256(f"bench-{i}".encode()).hexdigest(),
            ))  # fmt: skip
        return Order.objects.bulk_create(orders, batch_size=500)

    def _obligations(self, orders, templates, per_order):
        rows, links = [], []
        agencies = {}
        for i, order in enumerate(orders):
            found = templates[i % len(templates)].obligations
            for j in range(per_order * (2 if i == 0 else 1)):
                f = found[j % len(found)]
                rows.append(Obligation(
                    order=order, key=f"b{j}", section=f.section, actors=f.actors,
                    action=f.action[:300], quote=f.quote, span_start=f.start, span_end=f.end,
                    rule=f.rule.to_dict(), anchor_text=f.anchor_text[:300],
                ))  # fmt: skip
        rows = Obligation.objects.bulk_create(rows, batch_size=2000)
        through = Obligation.agencies.through
        for row in rows:
            for actor in row.actors[:2]:
                if not (resolved := agency_for(actor)):
                    continue  # names no known agency: no agency, as the importer does
                name, short = resolved
                if name not in agencies:
                    agencies[name] = Agency.named(name, short)
                links.append(through(obligation_id=row.pk, agency_id=agencies[name].pk))
        through.objects.bulk_create(links, batch_size=5000, ignore_conflicts=True)
        return rows

    def _occurrences(self, rows, per_order, per_obligation):
        batch, count = [], 0
        big_order = rows[0].order_id
        for n, row in enumerate(rows):
            series = BIG // (2 * per_order) if row.order_id == big_order else per_obligation
            start = row.order.signed
            for k in range(series):
                due = start + timedelta(days=7 * (k + 1))
                status = STATUSES[(n + k) % len(STATUSES)] if k < series // 2 else "open"
                done = status in ("submitted", "verified")
                batch.append(Occurrence(
                    obligation=row, sequence=k + 1, due=due, status=status,
                    explanation=f"{start} (signed) + {7 * (k + 1)} calendar days = {due}",
                    submitted_on=due - timedelta(days=2) if done else None,
                    verified_on=due + timedelta(days=10) if status == "verified" else None,
                ))  # fmt: skip
            if len(batch) >= 20_000:
                Occurrence.objects.bulk_create(batch, batch_size=5000)
                count, batch = count + len(batch), []
        Occurrence.objects.bulk_create(batch, batch_size=5000)
        return count + len(batch)


def settle():
    """On PostgreSQL, statistics and visibility maps as autovacuum gives a database in service:
    without them the planner takes the bulk-loaded tables for empty and picks plans no
    deployment would. (SQLite gathers no statistics unless asked, so neither does this.)"""
    if connection.vendor == "postgresql" and not connection.in_atomic_block:  # (tests: inside one)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
