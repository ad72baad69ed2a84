"""The data version: one value that changes whenever anything the dashboard shows changes.

The costly parts of pages (counts and lists over every occurrence, an order's highlighted text)
are cached under it, so a change anywhere shows on the next request in every process, and a page
that nothing changed since is served without reading the large tables again.

It is read from the database, not kept in the cache: several processes (gunicorn workers, the
django-q2 cluster) write, and each has its own local cache. Every write moves a stamp read here:
saves move `updated` (auto_now) or `updated_at` (set by each write path of an occurrence and by
the admin), and deletions of orders, obligations and agencies (occurrences go with their
obligation) move the deletion count, through the post_delete signal, which Django sends for
every row it deletes, cascades included. A proposed change between orders (OrderEffect) moves
both orders' stamps when it is saved.
"""

import hashlib

from django.db import connection
from django.db.models import F
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from obligations.models import Agency, DeletionCount, Obligation, Occurrence, Order, OrderEffect

# (model, column): each is the latest value of an indexed column, or one row by its key.
STAMPS = [
    (Occurrence, "MAX(updated_at)"),
    (Obligation, "MAX(updated)"),
    (Order, "MAX(updated)"),
    (Agency, "MAX(updated)"),
    (DeletionCount, "MAX(count)"),
]


def _sql() -> str:
    """One statement of scalar subqueries: a single round trip on every page view."""
    tables = [(connection.ops.quote_name(m._meta.db_table), column) for m, column in STAMPS]
    return "SELECT " + ", ".join(f"(SELECT {column} FROM {table})" for table, column in tables)


def data_version() -> str:
    with connection.cursor() as cursor:
        cursor.execute(_sql())
        row = cursor.fetchone()
    return hashlib.sha256(repr(row).encode()).hexdigest()[:24]


def count_deletion(sender, **kwargs):
    if not DeletionCount.objects.filter(pk=1).update(count=F("count") + 1):
        DeletionCount.objects.get_or_create(pk=1)  # the first deletion (or a flushed test db)
        DeletionCount.objects.filter(pk=1).update(count=F("count") + 1)


def effect_saved(sender, instance, **kwargs):
    """A change proposed, applied, rejected or undone shows on both orders' pages."""
    stamp = timezone.now()  # update() skips auto_now
    Order.objects.filter(pk__in=[instance.source_id, instance.target_id]).update(updated=stamp)


def watch_deletions():
    """Called once, when the app is ready (with the one save that moves no stamp itself)."""
    for model in (Order, Obligation, Agency):
        post_delete.connect(count_deletion, sender=model, dispatch_uid=f"version-{model.__name__}")
    post_save.connect(effect_saved, sender=OrderEffect, dispatch_uid="version-OrderEffect")
