"""The staff dashboard's pages, permissions, as-of views and exports (Django's test client)."""

import csv
import io
import json
import re
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from obligations import effects
from obligations.models import Obligation, ObligationChange, Occurrence, OrderEffect, StatusChange

pytestmark = pytest.mark.django_db


def report_15(order):
    """The first 90-day report of Sec. 15 (due 2017-04-25)."""
    return (
        Occurrence.objects.filter(obligation__order=order, obligation__section="15", sequence=1)
        .order_by("obligation__span_start", "pk")
        .first()
    )


@pytest.mark.parametrize("name", ["home", "obligation_list", "order_list", "calendar"])
def test_pages_need_a_signed_in_user(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_home_lists_overdue_and_due_soon_as_of_a_date(client, people, eo_13768, pinned_today):
    client.force_login(people["reader"])
    response = client.get("/?as_of=2017-04-20")
    sections = {s["id"]: s for s in response.context["sections"]}
    week = [row["due"] for row in sections["week"]["rows"]]
    assert date(2017, 4, 25) in week  # the 90-day reports, 5 days ahead
    assert "5 days left" in response.content.decode()
    assert "Thursday, April 20, 2017" in response.content.decode()


def test_home_totals_match_the_rows(client, people, eo_13768, pinned_today):
    """The totals come from the counts' single pass; they must agree with the obligations
    (the lists count obligations, each once, however many of its due dates are late)."""
    report_15(eo_13768).change_status(Occurrence.Status.SUBMITTED, submitted_on=date(2017, 5, 1))
    client.force_login(people["reader"])
    sections = {s["id"]: s for s in client.get("/").context["sections"]}

    def obligations(occurrences):
        return Obligation.objects.filter(occurrences__in=occurrences).distinct().count()

    overdue = obligations(Occurrence.objects.overdue(pinned_today))
    assert sections["new"]["total"] + sections["backlog"]["total"] == overdue > 0
    soon = Occurrence.objects.due_within(7, pinned_today)
    assert sections["week"]["total"] == obligations(soon)


def test_as_of_uses_the_dates_things_happened(client, people, eo_13768, pinned_today):
    report = report_15(eo_13768)
    report.change_status(Occurrence.Status.SUBMITTED, submitted_on=date(2017, 5, 1))
    client.force_login(people["dhs"])  # the lists of DHS's tracks

    def overdue_on(day):
        sections = client.get(f"/?as_of={day}").context["sections"]
        return [row["obligation"].pk for s in sections[1:] for row in s["rows"]]

    assert report.obligation_id in overdue_on("2017-04-28")  # late then: submitted on May 1
    assert report.obligation_id not in overdue_on("2017-05-02")
    page = client.get("/?as_of=2017-05-02").content.decode()  # the cached part, this time
    assert re.search(r'class="count submitted"[^>]*><strong>1</strong>', page)


def test_a_bad_as_of_date_gets_a_message_and_today(client, people, pinned_today):
    client.force_login(people["reader"])
    response = client.get("/?as_of=2017-13-45")
    assert response.status_code == 200
    assert response.context["day"] == pinned_today
    assert "is not a date" in response.content.decode()


def post_progress(client, user, report, data):
    client.force_login(user)
    data = {"version": report.version, **data}
    return client.post(reverse("occurrence_detail", args=[report.pk]), data)


def test_agency_staff_change_their_own_occurrences(client, people, eo_13768):
    report = report_15(eo_13768)
    response = post_progress(client, people["dhs"], report, {
        "status": "submitted", "submitted_on": "2017-04-24", "note": "sent to the President",
        "evidence_url": "https://www.dhs.gov/report.pdf",
    })  # fmt: skip
    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.status, report.submitted_on) == ("submitted", date(2017, 4, 24))
    change = StatusChange.objects.get(occurrence=report)
    assert (change.by, change.note) == (people["dhs"], "sent to the President")
    page = client.get(reverse("occurrence_detail", args=[report.pk])).content.decode()
    assert "sent to the President" in page and "https://www.dhs.gov/report.pdf" in page


@pytest.mark.parametrize("who", ["reader", "dos"])
def test_others_may_read_but_not_change(client, people, eo_13768, who):
    report = report_15(eo_13768)
    client.force_login(people[who])
    url = reverse("occurrence_detail", args=[report.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"status": "waived"}).status_code == 403
    report.refresh_from_db()
    assert report.status == "open" and not report.history.exists()


def test_bad_progress_input_changes_nothing(client, people, eo_13768):
    report = report_15(eo_13768)
    response = post_progress(client, people["dhs"], report, {
        "status": "submitted", "submitted_on": "2017-05-01", "published_on": "2017-04-01",
        "evidence_url": "javascript:alert(1)",
    })  # fmt: skip
    assert response.status_code == 400
    assert "cannot be published before it was submitted" in response.content.decode()
    assert "Enter a valid URL" in response.content.decode()
    report.refresh_from_db()
    assert report.status == "open" and not report.history.exists()


def test_changing_conventions_recomputes_and_is_kept_in_history(client, people, eo_13768):
    weekly = eo_13768.obligations.get(section="9(b)")
    first = weekly.occurrences.get(sequence=1).due
    client.force_login(people["dhs"])
    response = client.post(reverse("obligation_detail", args=[weekly.pk]), {
        "day_count": "calendar", "periods": "anchor", "weekday": "4", "horizon_years": "4",
        "note": "published on Fridays",
    })  # fmt: skip
    assert response.status_code == 302
    moved = weekly.occurrences.get(sequence=1).due
    assert moved.weekday() == 4 and moved != first
    change = ObligationChange.objects.get(obligation=weekly)
    assert (change.new["weekday"], change.note, change.by) == (
        4,
        "published on Fridays",
        people["dhs"],
    )


def test_conventions_cannot_be_changed_by_another_agency(client, people, eo_13768):
    weekly = eo_13768.obligations.get(section="9(b)")
    client.force_login(people["dos"])
    response = client.post(reverse("obligation_detail", args=[weekly.pk]), {
        "day_count": "roll", "periods": "anchor", "horizon_years": "4"})  # fmt: skip
    assert response.status_code == 403
    assert not ObligationChange.objects.exists()


def test_obligation_page_explains_each_date(client, people, eo_13768):
    report = report_15(eo_13768).obligation
    client.force_login(people["reader"])
    page = client.get(reverse("obligation_detail", args=[report.pk])).content.decode()
    assert "2017-01-25 (signed) + 90 calendar days = 2017-04-25 (Tue)" in page
    assert "within 90 days of the date of this order" in page


def shown(response) -> list:
    """The obligations a list page shows (rendered this time, not read from the cache)."""
    return [obligation for obligation, _ in response.context["rows"]]


def test_list_filters_and_exports_what_is_shown(client, people, eo_13768, pinned_today):
    client.force_login(people["reader"])
    query = f"?order={eo_13768.pk}&kind=recurring&as_of=2017-07-24"
    rows = shown(client.get(reverse("obligation_list") + query))
    assert {o.section for o in rows} == {"9(b)", "13", "16"}
    data = json.loads(client.get(reverse("obligation_list") + query + "&format=json").content)
    assert [r["section"] for r in data["obligations"]] == [o.section for o in rows]
    assert data["as_of"] == "2017-07-24"
    body = client.get(reverse("obligation_list") + query + "&format=csv").content.decode()
    table = list(csv.DictReader(io.StringIO(body)))
    assert [r["section"] for r in table] == [o.section for o in rows]


def test_list_text_search_section_and_status(client, people, eo_13768, pinned_today):
    client.force_login(people["reader"])
    url = reverse("obligation_list")
    found = shown(client.get(url, {"q": "declined DETAINER"}))
    assert "9(b)" in {o.section for o in found}
    assert {o.section for o in shown(client.get(url, {"section": "9"}))} >= {"9(b)"}
    overdue = shown(client.get(url, {"status": "overdue"}))
    assert {"15", "6"} & {o.section for o in overdue} == {"15"}  # 6 is due 2018


def test_csv_cells_cannot_be_formulas(client, people, eo_13768):
    obligation = eo_13768.obligations.first()
    obligation.action = '=HYPERLINK("http://evil")'
    obligation.save()
    client.force_login(people["reader"])
    body = client.get(reverse("obligation_list"), {"format": "csv"}).content.decode()
    assert "'=HYPERLINK" in body


def test_order_page_highlights_every_obligation(client, people, eo_13768):
    client.force_login(people["reader"])
    page = client.get(reverse("order_detail", args=[eo_13768.pk])).content.decode()
    for obligation in eo_13768.obligations.all():
        assert f'id="obligation-{obligation.pk}"' in page
    assert page.count("<mark>") == eo_13768.obligations.count()


def test_order_text_is_escaped(client, people):
    from obligations.importers import import_text

    text = (
        "signed: 2020-01-02\n\nSec. 1. <script>alert(1)</script> The Secretary of State "
        "shall submit a report within 30 days of the date of this order.\n"
    )
    order = import_text(text).order
    client.force_login(people["reader"])
    page = client.get(reverse("order_detail", args=[order.pk])).content.decode()
    assert "<script>alert(1)" not in page and "&lt;script&gt;" in page


def test_revocation_links_both_ways(client, people, eo_13768, import_fixture):
    new = import_fixture("eo-13993.txt").order
    effects.apply(OrderEffect.objects.get(), by=people["admin"])
    client.force_login(people["reader"])
    old = eo_13768
    assert new.get_absolute_url() in client.get(old.get_absolute_url()).content.decode()
    assert old.get_absolute_url() in client.get(new.get_absolute_url()).content.decode()


def test_calendar_and_timeline(client, people, eo_13768, pinned_today):
    client.force_login(people["reader"])
    month = client.get(reverse("calendar"), {"month": "2017-04"}).content.decode()
    assert "April 2017" in month and "EO 13768 §15" in month
    line = client.get(reverse("timeline", args=[eo_13768.pk])).content.decode()
    assert "<svg" in line and "due 2017-04-25 (Tue): overdue" in line


def test_unknown_pages_are_404(client, people):
    client.force_login(people["reader"])
    assert client.get("/obligations/999999/").status_code == 404
    assert client.get("/no/such/page/").status_code == 404


def detail_args(name, order):
    obligation = order.obligations.get(section="9(b)")
    return {
        "obligation_detail": [obligation.pk],
        "occurrence_detail": [obligation.occurrences.first().pk],
        "order_detail": [order.pk],
        "timeline": [order.pk],
    }.get(name, [])


PAGE_QUERIES = {
    "home": 18, "obligation_list": 11, "order_list": 7, "calendar": 7, "obligation_detail": 14,
    "occurrence_detail": 12, "order_detail": 14, "timeline": 8,  # order: + texts, memos
}  # fmt: skip


@pytest.mark.parametrize(("name", "limit"), PAGE_QUERIES.items())
def test_pages_use_a_bounded_number_of_queries(
    client, people, eo_13768, import_fixture, django_assert_max_num_queries, name, limit
):
    """Counted with one order, then with three: more data must not mean more queries."""
    client.force_login(people["dhs"])
    url = reverse(name, args=detail_args(name, eo_13768))
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    for fixture in ("eo-13767.txt", "eo-13780.txt"):
        import_fixture(fixture)
    with django_assert_max_num_queries(limit), CaptureQueriesContext(connection) as large:
        assert client.get(url).status_code == 200
    assert len(large) == len(small)
