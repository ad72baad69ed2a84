"""The data version and the page parts cached under it: every write path moves the version, so a
cached page never shows data older than the request; a repeat view reads no large table."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from obligations import effects, importers
from obligations.models import Agency, DeletionCount, Occurrence, Order, OrderEffect
from obligations.tracking import change_conventions, record_progress
from obligations.versions import data_version
from tests.conftest import make_order

pytestmark = pytest.mark.django_db


def first_report(order):
    return Occurrence.objects.filter(obligation__order=order).order_by("due", "pk").first()


def moves(change) -> bool:
    before = data_version()
    change()
    return data_version() != before


def test_reading_does_not_move_the_version(eo_13768):
    assert data_version() == data_version()
    assert not moves(lambda: list(Occurrence.objects.all()))


def test_status_changes_and_conventions_move_it(people, eo_13768):
    report = first_report(eo_13768)
    assert moves(
        lambda: record_progress(
            report, "submitted", by=people["dhs"], submitted_on=date(2017, 4, 24)
        )
    )
    weekly = eo_13768.obligations.get(section="9(b)")
    assert moves(lambda: change_conventions(weekly, {"weekday": 4}, by=people["dhs"]))


def test_imports_revocations_and_agency_mappings_move_it(people, import_fixture, eo_13768):
    assert moves(lambda: import_fixture("eo-13767.txt"))
    other = make_order(number="99998", signed=date(2021, 1, 20))
    effect = OrderEffect.objects.create(source=other, target=eo_13768, on=other.signed)
    assert moves(lambda: effects.apply(effect, by=people["admin"]))  # an UPDATE: no auto_now
    # A new text that maps the same actors to other agencies changes only many-to-many rows.
    obligation = eo_13768.obligations.filter(agencies__abbreviation="DHS").first()
    obligation.agencies.set([Agency.objects.get(abbreviation="DOS")])
    assert moves(lambda: importers.set_agencies(obligation, obligation.actors))
    assert [a.abbreviation for a in obligation.agencies.all()] == ["DHS"]


def test_admin_edits_and_deletions_move_it(client, people, eo_13768):
    client.force_login(people["admin"])
    agency = Agency.objects.get(abbreviation="DHS")
    assert moves(lambda: client.post(reverse("admin:obligations_agency_change", args=[agency.pk]), {
        "name": agency.name, "abbreviation": "D.H.S.", "group": agency.group_id}))  # fmt: skip
    obligations = eo_13768.obligations.count()
    obligation = eo_13768.obligations.last()
    assert moves(lambda: obligation.delete())
    assert moves(lambda: Order.objects.filter(pk=eo_13768.pk).delete())  # cascades, in bulk
    assert moves(lambda: Agency.objects.filter(abbreviation="DOS").delete())
    # each row deleted counts, cascades included: the obligations, the order, the agency
    assert DeletionCount.objects.get().count == obligations + 1 + 1


def test_the_admin_does_not_move_an_occurrence(client, people, eo_13768):
    """Due dates come from the schedule (read-only in the admin): a post changes nothing."""
    report = first_report(eo_13768)
    before = (report.due, report.version)
    client.force_login(people["admin"])
    url = reverse("admin:obligations_occurrence_change", args=[report.pk])
    form = client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k in form.fields}
    data.update(due="2017-05-01", obligation=report.obligation_id, **inline_management())
    client.post(url, data)
    report.refresh_from_db()
    assert (report.due, report.version) == before
    delete = reverse("admin:obligations_occurrence_delete", args=[report.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403  # closed, never deleted


def inline_management():
    prefix = "history"
    return {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0",
            f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "1000"}  # fmt: skip


# Cached parts of pages --------------------------------------------------------------------------


def submitted_count(page: str) -> str:
    return page.split('class="count submitted"')[1].split("<strong>")[1].split("<")[0]


def test_a_change_shows_at_once_on_a_cached_page(client, people, eo_13768, pinned_today):
    client.force_login(people["dhs"])
    assert submitted_count(client.get("/").content.decode()) == "0"
    client.get("/")  # now cached
    report = first_report(eo_13768)
    response = client.post(reverse("occurrence_detail", args=[report.pk]),
                           {"status": "submitted", "submitted_on": "2017-04-24", "version": 0})  # fmt: skip
    assert response.status_code == 302
    assert submitted_count(client.get("/").content.decode()) == "1"


@pytest.mark.parametrize("name", ["home", "obligation_list", "order_detail"])
def test_a_repeat_view_reads_no_large_table(client, people, eo_13768, pinned_today, name):
    client.force_login(people["dhs"])
    url = reverse(name, args=[eo_13768.pk] if name == "order_detail" else [])
    first = client.get(url).content.decode()
    with CaptureQueriesContext(connection) as queries:
        again = client.get(url).content.decode()
    assert again.split("<main")[1] == first.split("<main")[1]  # (the header has a CSRF token)
    reads = [q["sql"] for q in queries if "obligations_occurrence" in q["sql"]]
    assert len(reads) == 1 and "MAX" in reads[0]  # only the data version's index lookup


def cached_parts() -> list[str]:
    import pickle

    from django.core.cache import cache

    values = [pickle.loads(v) for v in cache._cache.values()]  # locmem keeps values pickled
    return [v for v in values if isinstance(v, str)]


def test_cached_parts_hold_nothing_of_the_session(client, people, eo_13768):
    """Rendered without context processors: no CSRF token or user name inside a part, while
    the page around it keeps its own."""
    client.force_login(people["dhs"])
    page = client.get(reverse("obligation_list")).content.decode()
    assert page.count("csrfmiddlewaretoken") == 1 and "Sign out dhs" in page
    parts = [p for p in cached_parts() if "<h1>Obligations" in p]
    assert len(parts) == 1
    assert "csrfmiddlewaretoken" not in parts[0] and "Sign out" not in parts[0]


def test_home_parts_are_shared_and_list_parts_are_per_person(client, people, eo_13768):
    """Nothing on the home page depends on who asks, so one rendering serves everyone; the
    list's "my agency only" does depend on it."""
    for user in (people["dhs"], people["dos"]):
        client.force_login(user)
        client.get("/")
        client.get(reverse("obligation_list") + "?mine=true")
    parts = cached_parts()
    assert sum("Counts per status" in p for p in parts) == 1
    mine = [p for p in parts if "<h1>Obligations" in p]
    assert len(mine) == 2 and mine[0] != mine[1]  # DHS's obligations, then DOS's


def test_the_part_cache_header_is_for_benchmarks_only(client, people, eo_13768, settings):
    """bench/mixed_load.py counts the views that missed the part cache by X-Part-Cache; off by
    default, since it tells a reader when the data last changed."""
    from django.core.cache import cache
    from django.test import Client

    cache.clear()
    client.force_login(people["reader"])
    assert "X-Part-Cache" not in client.get(reverse("home")).headers
    settings.PART_CACHE_HEADER = True
    bench = Client()  # its middleware is made with the setting on
    bench.force_login(people["reader"])
    cache.clear()
    # One value per part of the page (the home page has two: its agencies and its due dates).
    assert bench.get(reverse("home")).headers["X-Part-Cache"] == "miss,miss"
    assert bench.get(reverse("home")).headers["X-Part-Cache"] == "hit,hit"
    record_progress(first_report(eo_13768), Occurrence.Status.IN_PROGRESS)
    assert bench.get(reverse("home")).headers["X-Part-Cache"] == "miss,miss"
    assert "X-Part-Cache" not in bench.get(reverse("reminder_preferences")).headers
