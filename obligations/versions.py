"""The data version: one value that changes whenever anything the dashboard shows changes.

The costly parts of pages (counts and lists over every occurrence, an order's highlighted text)
are cached under it, so a change anywhere shows on the next request in every process, and a page
that nothing changed since is served without reading the large tables again.

It is read from the database, not kept in the cache: several processes (gunicorn workers, the
django-q2 cluster) write, and each has its own local cache. Every write to the tracked tables
moves a stamp read here: saves move `updated` (auto_now) or `updated_at` (set by each write path
of an occurrence, and by the admin); deletions, which cascade from orders and obligations, move
a count.
"""

import hashlib

from django.db import connection

from obligations.models import Agency, Obligation, Occurrence, Order

# (table, stamp column, also count its rows?) Each part is answered from an index on the stamp.
PARTS = [
    (Occurrence, "updated_at", False),  # 500,000 rows: a count would be a scan
    (Obligation, "updated", True),
    (Order, "updated", True),
    (Agency, "updated", True),
]


def _sql() -> str:
    """One statement of scalar subqueries: a single round trip on every page view."""
    parts = []
    for model, stamp, counted in PARTS:
        table = connection.ops.quote_name(model._meta.db_table)
        column = connection.ops.quote_name(stamp)
        parts.append(f"(SELECT MAX({column}) FROM {table})")
        if counted:
            parts.append(f"(SELECT COUNT(*) FROM {table})")
    return "SELECT " + ", ".join(parts)


def data_version() -> str:
    with connection.cursor() as cursor:
        cursor.execute(_sql())
        row = cursor.fetchone()
    return hashlib.sha256(repr(row).encode()).hexdigest()[:24]
