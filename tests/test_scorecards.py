"""Scorecards (obligations/scorecards.py) on a small hand-made set with known answers, and the
public pages that show them (views/scorecards.py): the same numbers in the charts' tables."""

import re
from datetime import date

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from obligations import scorecards
from obligations.models import Agency, Occurrence
from obligations.public import agency_slug, order_slug
from tests.conftest import make_obligation, make_occurrence, make_order

pytestmark = pytest.mark.django_db
DAY = date(2017, 7, 24)


@pytest.fixture
def later_today(monkeypatch):
    """Today long after the as-of days: their statuses come from the dates things happened."""
    monkeypatch.setattr("obligations.clock.today", lambda: date(2018, 1, 2))


@pytest.fixture
def tracks(later_today):
    """Ten due dates of one obligation (signed 2017-01-25), each a known case on DAY."""
    order = make_order(number="99050", title="Scoring Things", citation="82 FR 1",
                       source="https://www.federalregister.gov/d/2017-00001")  # fmt: skip
    obligation = make_obligation(order=order, section="2(a)")
    cases = {
        "on time": {"due": date(2017, 4, 25), "status": "submitted", "submitted_on": date(2017, 4, 20)},
        "late 3, verified": {"due": date(2017, 4, 25), "status": "verified",
                                 "submitted_on": date(2017, 4, 28), "verified_on": date(2017, 5, 10),
                                 "verification_url": "https://oig.example.gov/v1"},
        "late 7": {"due": date(2017, 5, 1), "status": "submitted", "submitted_on": date(2017, 5, 8),
                       "evidence_url": "https://agency.example.gov/report-7"},
        "unmet": {"due": date(2017, 5, 1), "status": "unmet", "closed_on": date(2017, 5, 20)},
        "open past due": {"due": date(2017, 6, 1), "status": "open"},
        "due today": {"due": DAY, "status": "in_progress"},
        "waived": {"due": date(2017, 6, 1), "status": "waived", "closed_on": date(2017, 5, 15)},
        "early, not yet due": {"due": date(2017, 8, 1), "status": "submitted",
                                   "submitted_on": date(2017, 7, 20)},
        "submitted after the day": {"due": date(2017, 6, 15), "status": "submitted",
                                        "submitted_on": date(2017, 7, 30)},
        "on time, verified": {"due": date(2017, 6, 20), "status": "verified",
                                  "submitted_on": date(2017, 6, 10), "verified_on": date(2017, 6, 30)},
    }  # fmt: skip
    for n, fields in enumerate(cases.values(), start=1):
        make_occurrence(obligation, sequence=n, explanation="test", **fields)
    return order


def test_each_due_date_falls_in_its_category_on_the_day(tracks):
    score = scorecards.score(Occurrence.objects.all(), DAY)
    assert (score.on_time, score.late, score.unmet, score.overdue) == (2, 2, 1, 2)
    assert (score.due_today, score.waived, score.not_yet_due) == (1, 1, 1)
    assert score.due == 9 and score.total == 10
    assert score.median_days_late == 5  # late by 3 and by 7 days
    assert score.verified == 2 and score.verified_share == 0.5  # 2 of the 4 met
    assert score.required == 7 and score.on_time_share == pytest.approx(2 / 7)


def test_the_as_of_day_moves_the_numbers(tracks):
    before = scorecards.score(Occurrence.objects.all(), date(2017, 5, 1))
    # On 1 May: only the first four were due; the 3-days-late report was in, the other not yet
    assert before.due == 4 and (before.on_time, before.late, before.overdue) == (1, 1, 0)
    assert before.due_today == 2 and before.verified == 0 and before.median_days_late == 3
    after = scorecards.score(Occurrence.objects.all(), date(2017, 8, 1))
    # The submission of 30 July counts from then on, 45 days late; the early one is on time
    assert (after.on_time, after.late, after.overdue) == (3, 3, 2)
    assert after.median_days_late == 7  # 3, 7, 45
    assert after.not_yet_due == 0 and after.due_today == 0


def test_a_submission_after_the_day_does_not_count(tracks):
    row = Occurrence.objects.get(submitted_on=date(2017, 7, 30))
    on_day = scorecards.score(Occurrence.objects.filter(pk=row.pk), DAY)
    assert (on_day.met, on_day.overdue) == (0, 1)
    next_day = scorecards.score(Occurrence.objects.filter(pk=row.pk), date(2017, 7, 30))
    assert (next_day.late, next_day.overdue, next_day.median_days_late) == (1, 0, 45)


def test_a_status_without_its_date_is_not_on_time(monkeypatch):
    monkeypatch.setattr("obligations.clock.today", lambda: DAY)
    occurrence = make_occurrence(due=date(2017, 4, 25), status="submitted")
    score = scorecards.score(Occurrence.objects.filter(pk=occurrence.pk), DAY)  # today: status
    assert (score.on_time, score.late, score.median_days_late) == (0, 1, None)


def test_agencies_get_their_own_tracks_and_their_shared_ones(later_today):
    dhs = Agency.named("Department of Homeland Security", "DHS")
    doj = Agency.named("Department of Justice", "DOJ")
    order = make_order(number="99051")
    each = make_obligation(order=order, section="1", key="each")
    each.agencies.add(dhs, doj)
    make_occurrence(each, agency=dhs, status="submitted", submitted_on=date(2017, 4, 1))
    make_occurrence(each, agency=doj)  # open past due
    joint = make_obligation(order=order, section="2", key="joint")
    joint.agencies.add(dhs, doj)
    make_occurrence(joint, status="submitted", submitted_on=date(2017, 5, 1))  # late, shared
    nobody = make_obligation(order=order, section="3", key="nobody")
    make_occurrence(nobody)  # no agency: open past due

    total, agencies = scorecards.by_agency(Occurrence.objects.all(), DAY)
    assert (total.on_time, total.late, total.overdue) == (1, 1, 2)
    assert (agencies[dhs.pk].on_time, agencies[dhs.pk].late, agencies[dhs.pk].overdue) == (1, 1, 0)
    assert (agencies[doj.pk].on_time, agencies[doj.pk].late, agencies[doj.pk].overdue) == (0, 1, 1)
    assert agencies[None].overdue == 1 and agencies[None].due == 1
    mine = scorecards.score(scorecards.for_agency(Occurrence.objects.all(), dhs), DAY)
    assert mine == agencies[dhs.pk]
    ranked = sorted([dhs.pk, doj.pk], key=lambda pk: agencies[pk].rank_key())
    assert ranked == [dhs.pk, doj.pk]


def test_over_time_counts_due_and_met_cumulatively(tracks):
    periods = scorecards.over_time(Occurrence.objects.all(), DAY, date(2017, 1, 25))
    assert [p.label for p in periods] == ["Jan 2017", "Feb 2017", "Mar 2017", "Apr 2017",
                                          "May 2017", "Jun 2017", "Jul 2017"]  # fmt: skip
    by_label = {p.label: p for p in periods}
    assert (by_label["Apr 2017"].due, by_label["Apr 2017"].met) == (2, 2)  # 20 and 28 April
    assert (by_label["May 2017"].due, by_label["May 2017"].met) == (2, 1)
    assert periods[-1].due_total == 9  # due so far
    assert periods[-1].met_total == 5  # four met when due, and the early one (20 July)
    assert periods[-1].end == DAY


def test_long_spans_are_counted_by_quarter_and_year():
    assert len(scorecards._periods(date(2017, 1, 25), date(2019, 12, 31))) == 12  # quarters
    years = scorecards._periods(date(2017, 1, 25), date(2026, 12, 5))
    assert [p.label for p in years][:2] == ["2017", "2018"] and years[0].start == date(2017, 1, 25)


# Pages ----------------------------------------------------------------------------------------


def pages(order, agency):
    return {
        "public_scorecards": reverse("public_scorecards"),
        "public_order_scorecard": reverse("public_order_scorecard", args=[order_slug(order)]),
        "public_agency_scorecard": reverse("public_agency_scorecard", args=[agency_slug(agency)]),
        "public_order_report": reverse("public_order_report", args=[order_slug(order)]),
    }


@pytest.fixture
def agency_tracks(tracks):
    dhs = Agency.named("Department of Homeland Security", "DHS")
    Occurrence.objects.update(agency=dhs)
    tracks.obligations.get().agencies.add(dhs)
    return dhs


def test_pages_are_public_when_the_site_is_on(client, settings, tracks, agency_tracks):
    settings.PUBLIC_SITE = True
    for name, url in pages(tracks, agency_tracks).items():
        response = client.get(url + "?as_of=2017-07-24")
        assert response.status_code == 200, name
        assert b"Scoring Things" in response.content or name == "public_scorecards", name


def test_pages_are_not_there_when_the_site_is_off(client, settings, tracks, agency_tracks):
    settings.PUBLIC_SITE = False
    for name, url in pages(tracks, agency_tracks).items():
        response = client.get(url)
        assert response.status_code == 404, name
        assert b"Scoring Things" not in response.content


def test_unknown_slugs_and_bad_dates(client, settings, tracks):
    settings.PUBLIC_SITE = True
    assert client.get(reverse("public_order_scorecard", args=["eo-1"])).status_code == 404
    assert client.get(reverse("public_agency_scorecard", args=["nobody"])).status_code == 404
    response = client.get(reverse("public_scorecards") + "?as_of=2017-02-30")
    assert response.status_code == 200
    assert "is not a date" in response.content.decode()


def svgs(html: str) -> list[str]:
    """The charts: every SVG but the legend's swatches (hidden from assistive technology)."""
    found = re.findall(r"<svg.*?</svg>", html, re.DOTALL)
    return [svg for svg in found if 'aria-hidden="true"' not in svg[: svg.index(">")]]


def cells(html: str, row_id: str) -> list[str]:
    row = re.search(rf'<tr id="{row_id}">(.*?)</tr>', html, re.DOTALL).group(1)
    return [
        re.sub(r"<[^>]+>", "", c).strip()
        for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.DOTALL)
    ]


def numbers(score) -> list[str]:
    """The table's columns after the name, as the pages print them."""
    median = score.median_days_late
    share = score.verified_share
    return [str(score.due), str(score.on_time), str(score.late),
            "–" if median is None else f"{median:g}", str(score.unmet), str(score.overdue),
            str(score.due_today), str(score.waived), str(score.not_yet_due),
            "–" if share is None else f"{share:.0%}"]  # fmt: skip


def test_the_ranking_charts_and_tables_the_computed_numbers(client, settings, agency_tracks):
    settings.PUBLIC_SITE = True
    html = client.get(reverse("public_scorecards") + "?as_of=2017-07-24").content.decode()
    [svg] = svgs(html)
    assert 'role="img"' in svg and re.search(r"<title[^>]*>[^<]+</title>", svg)
    assert "<desc" in svg
    _, agencies = scorecards.by_agency(Occurrence.objects.all(), DAY)
    row = cells(html, f"agency-{agency_tracks.pk}")
    assert row[0] == "1" and "Department of Homeland Security" in row[1]
    assert row[2:] == numbers(agencies[agency_tracks.pk])
    assert "met on time" in html and "open past due" in html  # the definitions are on the page


def test_the_order_scorecard_shows_the_order_over_time(client, settings, tracks, agency_tracks):
    settings.PUBLIC_SITE = True
    url = reverse("public_order_scorecard", args=[order_slug(tracks)])
    html = client.get(url + "?as_of=2017-07-24").content.decode()
    charts = svgs(html)
    assert charts and all('role="img"' in svg and "<title" in svg for svg in charts)
    score = scorecards.score(Occurrence.objects.all(), DAY)
    assert cells(html, "order-total")[1:] == numbers(score)
    assert cells(html, "period-2017-07")[1:] == ["1", "1", "9", "5"]  # due, met, totals
    # As of 1 May the same page says less
    html = client.get(url + "?as_of=2017-05-01").content.decode()
    assert cells(html, "order-total")[1:3] == ["4", "1"]


def test_the_agency_scorecard_lists_its_orders(client, settings, tracks, agency_tracks):
    settings.PUBLIC_SITE = True
    url = reverse("public_agency_scorecard", args=[agency_slug(agency_tracks)])
    html = client.get(url + "?as_of=2017-07-24").content.decode()
    assert 'role="img"' in svgs(html)[0]
    score = scorecards.score(Occurrence.objects.all(), DAY)
    assert cells(html, f"order-{tracks.pk}")[1:] == numbers(score)


def test_the_report_is_printable_with_its_sources(client, settings, tracks, agency_tracks):
    settings.PUBLIC_SITE = True
    url = reverse("public_order_report", args=[order_slug(tracks)])
    html = client.get(url + "?as_of=2017-07-24").content.decode()
    assert re.search(r'<link rel="stylesheet" media="print" href="[^"]*print\.css"', html)
    assert "as of July 24, 2017" in html
    assert 'href="https://www.federalregister.gov/citation/82-FR-1">82 FR 1</a>' in html
    assert "https://www.federalregister.gov/d/2017-00001" in html  # the order's source
    assert "https://oig.example.gov/v1" in html and "https://agency.example.gov/report-7" in html
    assert "3 days late" in html and "7 days late" in html
    assert cells(html, "report-total")[1:] == numbers(scorecards.score(Occurrence.objects.all(),
                                                                       DAY))  # fmt: skip
    assert "2017-08-01" not in html  # not yet due: counted, not listed
    assert finders.find("obligations/print.css")


@pytest.mark.parametrize("slug", ["x" * 3000, "é漢字🙂\u202e", "%00", "eo-", "eo-id-x", "-1"])
def test_hostile_slugs_are_not_found(client, settings, slug):
    settings.PUBLIC_SITE = True
    for name in ("public_order_scorecard", "public_agency_scorecard", "public_order_report"):
        assert client.get(reverse(name, args=[slug])).status_code == 404


@pytest.mark.parametrize("value", ["9999-12-31", "0001-01-01", "x", "y" * 5000, "\u202e", "1-1"])
def test_hostile_dates_show_today_with_a_message(client, settings, tracks, value):
    settings.PUBLIC_SITE = True
    for url in pages(tracks, Agency.named("Department of State", "DOS")).values():
        response = client.get(url, {"as_of": value})
        assert response.status_code == 200
        assert "showing today" in response.content.decode()


def test_kept_counts_follow_a_status_change_and_a_deletion(agency_tracks):
    from obligations import scorecard_parts

    def fresh():
        return scorecards.by_agency(Occurrence.objects.all(), DAY)

    assert scorecard_parts.ranking(DAY) == fresh()
    # A status recorded (the usual write): only its obligation is counted again
    row = Occurrence.objects.get(due=date(2017, 6, 1), status="open")
    row.change_status("submitted", submitted_on=date(2017, 6, 5))
    kept = scorecard_parts.ranking(DAY)
    assert kept == fresh() and kept[0].late == 3 and kept[0].overdue == 1
    # A report found to have been in on time after all: its days late leave the median
    row = Occurrence.objects.get(submitted_on=date(2017, 4, 28))
    row.change_status("submitted", submitted_on=date(2017, 4, 25))
    kept = scorecard_parts.ranking(DAY)
    assert kept == fresh() and kept[0].days_late == {4: 1, 7: 1} and kept[0].on_time == 3
    mine = scorecards.for_agency(Occurrence.objects.all(), agency_tracks)
    order = Occurrence.objects.first().obligation.order_id
    assert scorecard_parts.agency_orders(DAY, agency_tracks.pk) == {
        order: scorecards.score(mine, DAY)
    }
    # A new obligation of another agency's, then a deletion: counted again in full
    dos = Agency.named("Department of State", "DOS")
    other = make_obligation(order=make_order(number="99052"), key="dos")
    other.agencies.add(dos)
    make_occurrence(other, due=date(2017, 3, 1))
    assert scorecard_parts.ranking(DAY) == fresh() and fresh()[1][dos.pk].overdue == 1
    assert scorecard_parts.agency_orders(DAY, dos.pk)[other.order_id].overdue == 1
    other.order.delete()
    assert scorecard_parts.ranking(DAY) == fresh() and dos.pk not in fresh()[1]


def test_the_report_escapes_what_it_shows(client, settings, tracks, agency_tracks):
    settings.PUBLIC_SITE = True
    Occurrence.objects.filter(evidence_url__startswith="https://agency").update(
        evidence_url='https://agency.example.gov/"><script>alert(1)</script>'
    )
    Agency.objects.filter(pk=agency_tracks.pk).update(abbreviation="<b>DHS</b>")
    url = reverse("public_order_report", args=[order_slug(tracks)])
    html = client.get(url + "?as_of=2017-07-24").content.decode()
    assert "<script>alert" not in html and "<b>DHS" not in html
    assert "&lt;b&gt;DHS&lt;/b&gt;" in html
