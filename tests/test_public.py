"""The public record (PUBLIC_SITE): what its pages say. What they must never say is in
test_public_leak.py."""

import re
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.html import escape

from obligations.evidence import attach
from obligations.extraction import read_file
from obligations.importers import import_text
from obligations.models import Agency, Occurrence
from obligations.public import order_slug
from obligations.tracking import record_progress
from tests.conftest import agency_user, role_user
from tests.test_extraction import ORDERS

pytestmark = pytest.mark.django_db
SUBMITTED, PUBLISHED, VERIFIED = date(2017, 4, 20), date(2017, 4, 21), date(2017, 5, 2)


@pytest.fixture
def public(settings, tmp_path):
    settings.PUBLIC_SITE = True
    settings.MEDIA_ROOT = tmp_path


def report_90_days(order):
    """The 90-day progress report of Sec. 15 (due 2017-04-25): DHS's track."""
    return (
        Occurrence.objects.filter(
            obligation__order=order,
            obligation__section="15",
            sequence=1,
            agency__abbreviation="DHS",
        )
        .order_by("due")
        .first()
    )


def obligation_url(occurrence, **query):
    obligation = occurrence.obligation
    url = reverse("public_obligation", args=[order_slug(obligation.order), obligation.key])
    return url


def page(client, url, **query) -> str:
    response = client.get(url, query)
    assert response.status_code == 200, url
    return response.content.decode()


@pytest.fixture
def reported(people, eo_13768, public, pinned_today):
    """DHS submitted the 90-day report (published the next day, with a link and a public file);
    an independent verifier verified it."""
    occurrence = report_90_days(eo_13768)
    record_progress(
        occurrence, "submitted", by=people["dhs"], submitted_on=SUBMITTED,
        published_on=PUBLISHED, evidence_url="https://www.dhs.gov/report-90",
    )  # fmt: skip
    attach(occurrence, SimpleUploadedFile("report-90.txt", b"the 90-day report\n"),
           by=people["dhs"], purpose="evidence", public=True)  # fmt: skip
    record_progress(
        occurrence, "verified", by=people["verifier"], verified_on=VERIFIED,
        verification_url="https://oig.example.gov/review-90",
    )  # fmt: skip
    return occurrence


def test_the_home_page_says_what_it_is_and_lists_the_orders_with_counts(client, public, eo_13768):
    html = page(client, reverse("public_home"))
    assert "public record" in html
    assert f'href="{reverse("public_order", args=["eo-13768"])}"' in html
    assert "82 FR 8799" in html
    total = Occurrence.objects.filter(obligation__order=eo_13768).count()
    assert f"<td>{total}</td>" in html
    # The agencies that answer for something, and no other.
    assert reverse("public_agency", args=["department-of-homeland-security"]) in html
    Agency.named("Department of Energy", "DOE")
    assert "department-of-energy" not in page(client, reverse("public_home"))


def test_waived_and_not_required_are_not_counted_as_met(client, public, eo_13768, reported):
    """Met is what the agency did (submitted, verified); a due date waived or found not
    required is counted apart, as is unmet: the public counts agree with the scorecards."""
    rows = Occurrence.objects.filter(obligation__order=eo_13768).exclude(pk=reported.pk)
    waived, not_required, unmet = (
        rows.filter(pk=pk) for pk in rows.values_list("pk", flat=True)[:3]
    )
    waived.update(status="waived")
    not_required.update(status="not_required")
    unmet.update(status="unmet")
    cells = re.findall(r"<td>(\d+)</td>", page(client, reverse("public_home")))
    total = Occurrence.objects.filter(obligation__order=eo_13768).count()
    # Due dates, met, unmet, waived or not required (after the obligations' count).
    assert cells[1:5] == [str(total), "1", "1", "2"]
    summary = page(client, reverse("public_order", args=["eo-13768"]))
    assert "1 met, 1 unmet, 2 waived or not required" in summary


def test_the_order_page_cites_the_order_and_each_obligation(client, public, eo_13768, pinned_today):
    html = page(client, reverse("public_order", args=["eo-13768"]))
    assert "EO 13768, 82 FR 8799" in html
    for obligation in eo_13768.obligations.all():
        assert f"EO 13768 §{obligation.section}, 82 FR 8799" in html
        assert reverse("public_obligation", args=["eo-13768", obligation.key]) in html
    report = html[html.index(report_90_days(eo_13768).obligation.key) :]
    assert "<td>2017-04-25</td>" in report.split("</tr>")[0]  # the 90-day report's one due date
    weekly = html[html.index(eo_13768.obligations.get(section="9(b)").key) :].split("</tr>")[0]
    assert re.search(r"\d+ due dates, 2017-\d\d-\d\d to \d{4}-\d\d-\d\d; next", weekly)


def test_the_obligation_page_has_its_citation_line_quote_and_how_each_date_was_computed(
    client, public, eo_13768
):
    occurrence = report_90_days(eo_13768)
    obligation = occurrence.obligation
    html = page(client, obligation_url(occurrence))
    assert f"EO 13768 §{obligation.section}, {eo_13768.citation}" in html
    assert "EO 13768 §15, 82 FR 8799" in html
    assert escape(obligation.quote[:60]) in html
    assert escape(occurrence.explanation) in html
    assert "Due Tuesday, 2017-04-25" in html


def test_addresses_are_stable_across_a_reimport(client, public, import_fixture):
    first = import_fixture("eo-13768.txt").order
    occurrence = report_90_days(first)
    url = obligation_url(occurrence)
    before = page(client, url)
    again = import_fixture("eo-13768.txt")  # the same text: nothing changes
    assert again.order.pk == first.pk
    assert page(client, url) == before
    assert page(client, reverse("public_order", args=["eo-13768"]))


def test_addresses_survive_a_new_text_of_the_order(client, public, eo_13768):
    """A corrected text applied: the obligations it does not change keep their address."""
    from obligations import revisions

    occurrence = report_90_days(eo_13768)
    url = obligation_url(occurrence)
    text = read_file(ORDERS / "eo-13768.txt").replace(
        "weekly basis", "monthly basis", 1
    )  # a change elsewhere (Sec. 9(b))
    result = import_text(text)
    assert result.outcome == "pending"
    revisions.apply(result.version, by=None)
    assert obligation_url(report_90_days(eo_13768)) == url
    assert "EO 13768 §15, 82 FR 8799" in page(client, url)


def test_reported_and_verified_are_shown_side_by_side(client, reported, people):
    html = page(client, obligation_url(reported))
    reported_part = html[
        html.index("Reported by the agency") : html.index("Verified independently")
    ]
    verified_part = html[html.index("Verified independently") :]
    assert "2017-04-20" in reported_part and "2017-04-21" in reported_part
    assert "https://www.dhs.gov/report-90" in reported_part
    assert "report-90.txt" in reported_part
    assert "2017-05-02" in verified_part
    assert "https://oig.example.gov/review-90" in verified_part
    assert "an independent verifier" in verified_part  # their role, never their name
    assert "verified (independently)" in html
    for user in people.values():
        assert f">{user.username}<" not in html and f" {user.username}:" not in html


def test_a_verifier_of_an_agency_is_shown_by_role_and_agency(client, people, eo_13768, public,
                                                             pinned_today):  # fmt: skip
    occurrence = report_90_days(eo_13768)
    oig = Agency.named("Office of Inspector General, Department of Justice", "DOJ OIG")
    verifier = role_user("jane.doe", "Verifiers")
    verifier.groups.add(oig.group)
    record_progress(occurrence, "submitted", by=people["dhs"], submitted_on=SUBMITTED)
    record_progress(occurrence, "verified", by=verifier, verified_on=VERIFIED,
                    verification_url="https://oig.example.gov/r")  # fmt: skip
    html = page(client, obligation_url(occurrence))
    assert "a verifier of Office of Inspector General, Department of Justice" in html
    assert "jane.doe" not in html


def test_the_history_shows_public_fields_with_role_and_date(client, reported):
    html = page(client, obligation_url(reported))
    history = html[html.index("History of this track") :]
    assert "open → <strong>submitted</strong>, by staff of Department of Homeland Security" in (
        history
    )
    assert "submitted → <strong>verified (independently)</strong>, by an independent verifier" in (
        history
    )
    assert "Verification source: https://oig.example.gov/review-90" in history


def test_as_of_before_the_submission_shows_it_open(client, reported):
    html = page(client, obligation_url(reported), as_of="2017-04-19")
    card = html[html.index("Due Tuesday, 2017-04-25") :]
    assert "status-open" in card.split("Verified independently")[0]
    assert "2017-04-20" not in card and "report-90.txt" not in card
    assert "https://oig.example.gov/review-90" not in card
    assert "History of this track" not in card
    assert "as it stood on <strong>Wednesday, April 19, 2017</strong>" in html
    # Between submission and verification: submitted, not yet verified.
    between = page(client, obligation_url(reported), as_of="2017-04-30")
    card = between[between.index("Due Tuesday, 2017-04-25") :]
    assert "status-submitted" in card and "2017-04-20" in card
    assert "2017-05-02" not in card and "an independent verifier" not in card


def test_as_of_keeps_to_the_links_and_leaves_out_orders_not_yet_signed(client, public,
                                                                       eo_13768):  # fmt: skip
    import_text(read_file(ORDERS / "eo-13993.txt"))
    html = page(client, reverse("public_home"), as_of="2017-04-19")
    assert "EO 13993" not in html
    assert reverse("public_order", args=["eo-13768"]) + "?as_of=2017-04-19" in html
    assert "EO 13993" in page(client, reverse("public_home"))


def test_the_agency_page_lists_its_obligations_and_tracks(client, reported):
    html = page(client, reverse("public_agency", args=["department-of-homeland-security"]))
    assert "Department of Homeland Security" in html
    assert "EO 13768 §15, 82 FR 8799" in html
    assert "an independent verifier" in html
    link = reverse("public_obligation", args=["eo-13768", reported.obligation.key])
    assert html.count(f'href="{link}"') == 2  # listed once, and DHS's one track (not DOJ's)


def test_a_public_file_downloads_and_a_private_one_is_not_there(client, reported, people):
    public_file = reported.evidence.get(public=True)
    response = client.get(reverse("public_evidence", args=[public_file.pk, public_file.name]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"the 90-day report\n"
    private = attach(reported, SimpleUploadedFile("internal.txt", b"draft\n"),
                     by=people["dhs"], purpose="evidence")  # fmt: skip
    assert client.get(reverse("public_evidence", args=[private.pk, private.name])).status_code == (
        404
    )
    wrong_name = reverse("public_evidence", args=[public_file.pk, "other.txt"])
    assert client.get(wrong_name).status_code == 404


def test_a_long_series_is_paged(client, public, eo_13768):
    weekly = eo_13768.obligations.get(section="9(b)")
    url = reverse("public_obligation", args=["eo-13768", weekly.key])
    first, second = page(client, url), page(client, url, page=2)
    assert 'id="due-1"' in first and 'id="due-13"' not in first
    assert 'id="due-13"' in second
    assert "?page=2" in first


@pytest.mark.parametrize(
    "url",
    ["/public/orders/x/", "/public/orders/eo-/", "/public/orders/eo-99999/",
     "/public/orders/memo-id-x/", "/public/orders/memo-id-99999999999999999999999/",
     "/public/orders/eo-13768/obligations/xxxxxxxxxx/", "/public/orders/eo-13768/obligations/nope/",
     "/public/agencies/nowhere/", "/public/evidence/999/x.txt", "/public/orders/%00/",
     "/public/orders/" + "x" * 3000 + "/"],
)  # fmt: skip
def test_what_is_not_there_is_404(client, public, eo_13768, url):
    assert client.get(url).status_code in (400, 404)


@pytest.mark.parametrize("value", ["9999-12-31", "x", "2017-02-30", "0001-01-01"])
def test_a_bad_as_of_date_shows_today_with_a_notice(client, public, eo_13768, value):
    response = client.get(reverse("public_order", args=["eo-13768"]), {"as_of": value})
    assert response.status_code == 200
    assert "showing today" in response.content.decode()


def test_the_pages_are_there_only_when_the_site_is_on(client, eo_13768, settings):
    settings.PUBLIC_SITE = False
    assert client.get(reverse("public_home")).status_code == 404
    settings.PUBLIC_SITE = True
    assert client.get(reverse("public_home")).status_code == 200


def test_a_staff_member_sees_the_same_public_page(client, reported, people):
    """Signed in or not, the public page is the public page (no internal fields creep in)."""
    anonymous = page(client, obligation_url(reported))
    client.force_login(agency_user("someone", Agency.named("Department of State", "DOS")))
    signed_in = page(client, obligation_url(reported))
    strip = [anonymous.split("<main", 1)[1], signed_in.split("<main", 1)[1]]
    assert strip[0] == strip[1]


def test_only_web_links_are_made(client, people, eo_13768, public, pinned_today):
    occurrence = report_90_days(eo_13768)
    record_progress(occurrence, "submitted", by=people["dhs"], submitted_on=SUBMITTED)
    Occurrence.objects.filter(pk=occurrence.pk).update(evidence_url="javascript:alert(1)")
    assert "javascript:" not in page(client, obligation_url(occurrence))


def test_no_hostile_request_to_a_public_page_answers_5xx(client, reported):
    """Every route under public/ with hostile path values, and the real pages with hostile values
    of every query parameter the code reads (test_hostile's sweep runs with the site off)."""
    from tests.test_hostile import PATH_VALUES, QUERY_VALUES, fill, query_parameters, routes

    real = {"slug": "eo-13768", "key": reported.obligation.key, "pk": "1", "name": "x.txt"}
    pages = [reverse("public_home"), obligation_url(reported),
             reverse("public_agency", args=["department-of-homeland-security"]),
             reverse("public_scorecards"), reverse("public_order_report", args=["eo-13768"]),
             reverse("public_order_json", args=["eo-13768"])]  # fmt: skip
    failures = []
    for _name, route, params in routes():
        if not route.startswith("public/"):
            continue
        for param, kind in params.items():
            for value in PATH_VALUES[kind]:
                url = fill(route, {**{p: real.get(p, "1") for p in params}, param: value})
                if client.get(url).status_code >= 500:
                    failures.append(url[:100])
    for url in pages:
        for value in QUERY_VALUES:
            for parameter in query_parameters():
                if client.get(url, {parameter: value}).status_code >= 500:
                    failures.append((url, parameter, value[:20]))
    assert not failures, failures[:20]
