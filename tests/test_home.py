"""The home page: the person's agency first, then the others; an order filter; what falls due
this week before what just became overdue before the backlog. Every count on it opens the
obligations list filtered to exactly what it counts (the regression: "354 Open" opened 42)."""

import html
import re
from datetime import date, timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from obligations.models import Agency, Obligation, Occurrence
from tests.test_import_bulk import large_order

pytestmark = pytest.mark.django_db

# A count that links: "<a ... href="/obligations/?..."><strong>42</strong> open</a>", and the
# sections' "see all <strong>60</strong>".
COUNT = re.compile(r'href="(/obligations/\?[^"]*)"[^>]*>(?:see all )?<strong>(\d+)</strong>')


def home(client, **query) -> str:
    response = client.get(reverse("home"), query)
    assert response.status_code == 200
    return response.content.decode()


def counts(page: str) -> list[tuple[str, int]]:
    found = [(html.unescape(url), int(n)) for url, n in COUNT.findall(page)]
    assert found, "no count links on the page"
    return found


def listed(client, url: str) -> int:
    """How many obligations the list shows at `url` (rendered afresh: its context)."""
    cache.clear()
    response = client.get(url)
    assert response.status_code == 200
    return response.context["page"].paginator.count


def assert_every_count_opens_its_rows(client, page):
    checked = {}
    for url, n in counts(page):
        if url not in checked:
            checked[url] = listed(client, url)
        assert checked[url] == n, f"{n} on the home page, {checked[url]} at {url}"
    return checked


@pytest.fixture
def shared_and_own(people, eo_13768, import_fixture):
    """EO 13768 and two more orders, with a few tracks moved on: DHS's 90-day report of Sec.
    15 submitted (DOJ's still open), another in progress, one verified."""
    for name in ("eo-13767.txt", "eo-13780.txt"):
        import_fixture(name)
    report = Occurrence.objects.get(
        obligation__order=eo_13768, obligation__section="15", due=date(2017, 4, 25),
        agency__abbreviation="DHS",
    )  # fmt: skip
    report.change_status(Occurrence.Status.SUBMITTED, submitted_on=date(2017, 4, 20))
    pending = Occurrence.objects.filter(status="open", due__lt=date(2017, 7, 1)).order_by("pk")
    pending[0].change_status(Occurrence.Status.IN_PROGRESS)
    verified = pending[1]
    verified.change_status(Occurrence.Status.SUBMITTED, submitted_on=date(2017, 4, 1))
    verified.change_status(Occurrence.Status.VERIFIED, verified_on=date(2017, 4, 10))
    return report


@pytest.mark.parametrize("who", ["dhs", "reader"])
@pytest.mark.parametrize("as_of", ["2017-04-28", None])
def test_every_count_opens_a_list_of_as_many(client, people, shared_and_own, pinned_today,
                                             who, as_of):  # fmt: skip
    """On a past day (statuses from dates) and today (2017-07-24, statuses as stored)."""
    client.force_login(people[who])
    page = home(client, **({"as_of": as_of} if as_of else {}))
    checked = assert_every_count_opens_its_rows(client, page)
    assert len(checked) >= 15 and any(n > 1 for n in checked.values())
    if as_of:
        assert all(f"as_of={as_of}" in url for url in checked)
    dhs = Agency.objects.get(abbreviation="DHS").pk
    assert any(f"agency={dhs}" in url for url in checked)  # DHS's own counts, for both
    if who == "dhs":  # their agency first, then the others
        assert page.index("Your agency: Department of Homeland Security") < page.index(
            "Other agencies"
        )
    else:
        assert "Your agency" not in page and ">Agencies</h2>" in page


def test_an_agency_counts_its_own_tracks_and_shared_ones(client, people, shared_and_own,
                                                          pinned_today):  # fmt: skip
    """DHS submitted its report of Sec. 15 on April 20; DOJ's is open: as of April 28 it is
    overdue for DOJ, not for DHS, and the lists DHS's and DOJ's counts link to agree."""
    client.force_login(people["dhs"])
    page = home(client, as_of="2017-04-28")
    dhs, doj = (Agency.objects.get(abbreviation=a).pk for a in ("DHS", "DOJ"))
    found = dict(counts(page))
    section_15 = shared_and_own.obligation

    def shown(agency, status):
        url = f"/obligations/?as_of=2017-04-28&agency={agency}&status={status}"
        cache.clear()
        response = client.get(url)
        assert response.context["page"].paginator.count == found.get(url, 0)
        return section_15 in [o for o, _ in response.context["rows"]]

    assert shown(doj, "overdue") and not shown(dhs, "overdue")
    assert shown(dhs, "submitted") and not shown(doj, "submitted")


def test_the_order_filter_narrows_every_count_and_keeps_itself(client, people, shared_and_own,
                                                               pinned_today):  # fmt: skip
    client.force_login(people["dhs"])
    order = shared_and_own.obligation.order
    everything = dict(counts(home(client, as_of="2017-04-28")))
    page = home(client, as_of="2017-04-28", order=order.pk)
    assert f'<option value="{order.pk}" selected>' in page
    assert '<label class="usa-label" for="home-order">Order</label>' in page
    checked = assert_every_count_opens_its_rows(client, page)
    assert all(f"order={order.pk}" in url for url in checked)
    wider = {url.replace(f"order={order.pk}&", ""): n for url, n in checked.items()}
    assert all(n <= everything.get(url, 0) for url, n in wider.items())
    assert any(n < everything.get(url, 0) for url, n in wider.items())  # the others left out


def test_an_unknown_order_is_said_and_every_order_shown(client, people, eo_13768):
    client.force_login(people["reader"])
    for raw in ("bogus", "999999", "9" * 40, "-1", "²"):
        page = home(client, order=raw)
        assert "is not a known order: showing every order." in page
        assert '<option value="" selected' not in page and "selected>" not in page


def test_the_news_comes_before_the_backlog_and_shows_the_first_50(client, people, monkeypatch):
    """60 weekly series signed 2023-01-02, as of 2023-03-01: every one is due this week and
    has been overdue for weeks (the backlog); none became overdue only this week."""
    from obligations.importers import import_text

    monkeypatch.setattr("obligations.clock.today", lambda: date(2023, 3, 1))
    import_text(large_order())
    client.force_login(people["dhs"])
    page = home(client)
    assert page.index('id="week"') < page.index('id="new"') < page.index('id="backlog"')
    week = page.split('id="week"')[1].split("</section>")[0]
    backlog = page.split('id="backlog"')[1].split("</section>")[0]
    for section in (week, backlog):
        assert section.count("<tr>") == 1 + 50  # the heading's row and 50 obligations
        assert re.search(
            r"Showing the first 50 of 6\d: <a [^>]*>see all <strong>6\d</strong>", section
        )
    assert "Nothing became overdue in the last 7 days." in page
    assert_every_count_opens_its_rows(client, page)
    # Overdue: a red tag that says how late in words, not by its colour alone.
    assert '<span class="usa-tag bg-secondary-dark">51 days late</span>' in backlog
    assert "8 due dates missed" in backlog
    assert 'data-label="State"' in backlog  # the stacked table reads on a phone


def test_a_person_without_an_agency_sees_every_agency(client, people, eo_13768, pinned_today):
    client.force_login(people["verifier"])
    page = home(client)
    assert "Your agency" not in page
    table = page.split('id="agencies"')[1].split("</table>")[0]
    assert ">DHS" in table and ">DOJ" in table and "All agencies" in table
    assert "every agency." in page.split('id="week"')[1]


def test_a_repeat_view_is_served_from_the_parts(client, people, eo_13768, pinned_today):
    client.force_login(people["dhs"])
    first = home(client, order=eo_13768.pk)
    with CaptureQueriesContext(connection) as queries:
        again = home(client, order=eo_13768.pk)
    assert again.split("<main")[1] == first.split("<main")[1]
    reads = [q["sql"] for q in queries if "obligations_occurrence" in q["sql"]]
    assert len(reads) == 1  # the data version


def test_agency_staff_share_a_part_and_a_new_member_sees_their_agency(client, people, eo_13768):
    """The part varies with the person's agencies, which a change of groups moves (it does not
    move the data version)."""
    client.force_login(people["dos"])
    assert "Your agency: Department of State" in home(client)
    people["dos"].groups.set([Agency.objects.get(abbreviation="DHS").group])
    assert "Your agency: Department of Homeland Security" in home(client)


def test_a_cold_home_page_uses_a_few_queries_however_much_data(
    client, people, eo_13768, import_fixture, pinned_today, django_assert_max_num_queries
):
    """No query per row or per agency: the same number with one order as with three."""
    client.force_login(people["dhs"])
    with CaptureQueriesContext(connection) as small:
        home(client, as_of="2017-04-28")
    for name in ("eo-13767.txt", "eo-13780.txt"):
        import_fixture(name)
    cache.clear()
    with django_assert_max_num_queries(16), CaptureQueriesContext(connection) as large:
        page = home(client, as_of="2017-04-28")
    assert len(large) == len(small)
    assert page.count('data-label="Agency"') > 3 and Obligation.objects.count() > 60


def test_staff_of_two_agencies_count_the_tracks_once(client, people, eo_13768, monkeypatch):
    """Each agency's staff have a part of their own; the tracks are counted once for all of
    them while the data stay the same, and again once they change."""
    from obligations.views import home as view

    real, counted = view.tally, []

    def counting(*args):
        counted.append(args)
        return real(*args)

    monkeypatch.setattr(view, "tally", counting)
    monkeypatch.setattr(view, "_last", {})
    for who in ("dhs", "dos", "reader"):
        client.force_login(people[who])
        assert "As of" in home(client)
    assert len(counted) == 1
    Occurrence.objects.filter(obligation__order=eo_13768).first().change_status("in_progress")
    client.force_login(people["dhs"])
    home(client)
    assert len(counted) == 2


def plain(scopes) -> dict:
    return {scope: {o: (f.statuses, f.week, f.late, f.late_n) for o, f in facts.items()}
            for scope, facts in scopes.items()}  # fmt: skip


@pytest.mark.parametrize("day", [None, date(2017, 4, 28)])
def test_after_a_change_only_its_obligations_are_grouped_again_and_the_counts_are_right(
    client, people, shared_and_own, pinned_today, monkeypatch, day
):
    """A status change groups again only the obligations whose tracks changed; the kept
    counts then equal a count from scratch, today and as of a past day."""
    from obligations import clock
    from obligations.tracking import record_progress
    from obligations.views import home as view

    day = day or clock.today()
    real, grouped = view.groups, []

    def counting(*args):
        grouped.append(args[2] if len(args) > 2 else None)
        return real(*args)

    monkeypatch.setattr(view, "groups", counting)
    monkeypatch.setattr(view, "_last", {})
    tracks = Occurrence.objects.filter(agency__abbreviation="DHS", due__lte=day).order_by("due")
    first, second = tracks[0], tracks.exclude(obligation=tracks[0].obligation)[0]
    # The data were made a while ago, the latest an hour ago: the next count looks back from it
    # (less scorecard_parts.MARGIN), to what changed since, and the latest one's obligation.
    Occurrence.objects.update(updated_at=timezone.now() - timedelta(hours=2))
    latest = Occurrence.objects.exclude(obligation__in=[first.obligation, second.obligation])
    latest = latest.order_by("pk").first()
    Occurrence.objects.filter(pk=latest.pk).update(updated_at=timezone.now() - timedelta(hours=1))
    request = type("Request", (), {})()
    view.kept_tally(request, day, None)
    assert grouped == [None]  # the first count reads everything
    record_progress(first, "submitted", submitted_on=first.due)
    second.change_status("in_progress")
    kept = view.kept_tally(request, day, None)
    assert grouped[1] == {first.obligation_id, second.obligation_id, latest.obligation_id}
    assert plain(kept) == plain(view.tally(day, None, real(day, None)))
    assert plain(view.kept_tally(request, day, None)) == plain(kept) and len(grouped) == 2
