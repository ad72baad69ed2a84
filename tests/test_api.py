"""The JSON API (/api/v1/): personal tokens, reads with the pages' filters and cursor pagination,
progress through the page's own path (same checks, same history), its OpenAPI description and
its docs page under the CSP."""

import hashlib
import json
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import URLPattern, get_resolver, reverse
from django.utils import timezone
from rest_framework.throttling import ScopedRateThrottle

from obligations.api.tokens import new_token
from obligations.importers import import_text
from obligations.models import ApiToken, Occurrence, StatusChange
from tests.conftest import role_user

pytestmark = pytest.mark.django_db

ORDER = """number: 99020
title: Reporting Things
signed: 2017-01-25

By the authority vested in me as President, I hereby order as follows:

Sec. 1. Reports. The Secretary of Homeland Security shall submit a report to the President within 90 days of the date of this order.

Sec. 2. Lists. The Secretary of State shall submit a report to the President within 90 days of the date of this order.

Sec. 3. Plans. The Secretary of Homeland Security shall submit a plan to the President within 100 days of the date of this order.
"""
SUBMIT = {"status": "submitted", "submitted_on": "2017-07-01", "note": "sent",
          "evidence_url": "https://dhs.example.gov/report.pdf"}  # fmt: skip


def api(token=None):
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}") if token else Client()


def token_of(user):
    return new_token(user, "script")[1]


@pytest.fixture
def tracks(people, pinned_today):
    """{"dhs": DHS's 90-day track, "dhs2": its 100-day one, "dos": the State Department's}."""
    order = import_text(ORDER).order
    found = {o.obligation.section: o for o in Occurrence.objects.filter(obligation__order=order)}
    return {"dhs": found["1"], "dos": found["2"], "dhs2": found["3"]}


def progress(client, occurrence, **body):
    body.setdefault("expected_version", occurrence.version)
    url = reverse("api:occurrence-progress", args=[occurrence.pk])
    return client.post(url, json.dumps(body), content_type="application/json")


def snapshot(occurrence):
    """What a refused change must leave as it was: the row and its history."""
    row = Occurrence.objects.values().get(pk=occurrence.pk)
    return row, StatusChange.objects.filter(occurrence=occurrence).count()


# Tokens ------------------------------------------------------------------------------------------


def test_the_page_makes_a_token_shown_once_and_stores_only_its_hash(client, people):
    client.force_login(people["dhs"])
    response = client.post(reverse("api_tokens"), {"name": "DHS reporting script"})
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    token = response.context["made"]
    assert len(token) >= 43 and token in response.content.decode()
    row = ApiToken.objects.get(user=people["dhs"])
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert row.prefix == token[:8] and row.name == "DHS reporting script"
    stored = json.dumps(list(ApiToken.objects.values()), default=str)
    assert token not in stored  # the token itself is nowhere
    again = client.get(reverse("api_tokens")).content.decode()
    assert token not in again and f"{token[:8]}…" in again  # listed by its prefix only
    assert api(token).get(reverse("api:order-list")).status_code == 200


def test_revoking_on_the_page_ends_the_token(client, people):
    row, token = new_token(people["dhs"], "old script")
    assert api(token).get(reverse("api:order-list")).status_code == 200
    client.force_login(people["dos"])  # someone else's token: not theirs to revoke
    assert client.post(reverse("api_token_revoke", args=[row.pk])).status_code == 404
    client.force_login(people["dhs"])
    response = client.post(reverse("api_token_revoke", args=[row.pk]))
    assert response.status_code == 302
    assert not client.get(reverse("api_tokens")).context["tokens"]
    response = api(token).get(reverse("api:order-list"))
    assert response.status_code == 401 and response["WWW-Authenticate"].startswith("Bearer")


def test_a_name_is_required_and_one_line(client, people):
    client.force_login(people["dhs"])
    assert client.post(reverse("api_tokens"), {"name": ""}).status_code == 400
    assert client.post(reverse("api_tokens"), {"name": "a\nb"}).status_code == 400
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize(
    "header",
    [None, "Bearer", "Bearer forged-token-forged-token-forged-token-xx", "Bearer a b",
     "Token abc", "Bearer \u00e9t\u00e9"],
)  # fmt: skip
def test_401_without_a_live_token(people, header):
    client = Client(HTTP_AUTHORIZATION=header) if header else Client()
    response = client.get(reverse("api:obligation-list"))
    assert response.status_code == 401
    assert "detail" in response.json()


def test_a_token_of_a_deactivated_person_no_longer_works(people):
    token = token_of(people["dhs"])
    people["dhs"].is_active = False
    people["dhs"].save()
    assert api(token).get(reverse("api:order-list")).status_code == 401


def test_last_used_is_written_at_most_once_a_minute(people):
    row, token = new_token(people["reader"], "poller")
    client = api(token)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client.get(reverse("api:order-list"))
        row.refresh_from_db()
        assert row.last_used_at == start
    with time_machine.travel(start + timedelta(seconds=50), tick=False):
        client.get(reverse("api:order-list"))
        row.refresh_from_db()
        assert row.last_used_at == start  # no write within the minute
    with time_machine.travel(start + timedelta(seconds=61), tick=False):
        client.get(reverse("api:order-list"))
        row.refresh_from_db()
        assert row.last_used_at == start + timedelta(seconds=61)


def test_the_admin_lists_tokens_without_their_hash(admin_client, people):
    row, token = new_token(people["dhs"], "script")
    listing = admin_client.get("/admin/obligations/apitoken/").content.decode()
    page = admin_client.get(f"/admin/obligations/apitoken/{row.pk}/change/").content.decode()
    for html in (listing, page):
        assert row.prefix in html and row.token_hash not in html and token not in html


# Every API URL and who gets in -------------------------------------------------------------------


def api_names():
    (resolver,) = [r for r in get_resolver().url_patterns if getattr(r, "app_name", "") == "api"]
    return sorted(p.name for p in resolver.url_patterns if isinstance(p, URLPattern))


def test_every_api_url_answers_401_or_sign_in_without_credentials(people, tracks):
    assert api_names() == sorted([
        "docs", "obligation-detail", "obligation-list", "occurrence-detail", "occurrence-list",
        "occurrence-progress", "order-detail", "order-list", "schema",
    ])  # fmt: skip
    args = {"order-detail": [tracks["dhs"].obligation.order_id],
            "obligation-detail": [tracks["dhs"].obligation_id],
            "occurrence-detail": [tracks["dhs"].pk], "occurrence-progress": [tracks["dhs"].pk]}  # fmt: skip
    for name in api_names():
        url = reverse(f"api:{name}", args=args.get(name, []))
        response = Client().post(url, {}) if name == "occurrence-progress" else Client().get(url)
        if name == "docs":  # a page for people: the sign-in page first
            assert response.status_code == 302 and "/accounts/login/" in response["Location"]
        else:
            assert response.status_code == 401, name
        if name != "occurrence-progress" and name != "docs":
            assert api(token_of(people["reader"])).get(url).status_code == 200, name


def test_a_session_may_read_but_never_write(client, people, tracks):
    client.force_login(people["dhs"])
    assert client.get(reverse("api:occurrence-list")).status_code == 200
    before = snapshot(tracks["dhs"])
    response = progress(client, tracks["dhs"], **SUBMIT)
    assert response.status_code == 401  # a token is needed: a forged cross-site post gets nothing
    assert snapshot(tracks["dhs"]) == before


# Progress: the page's permissions ----------------------------------------------------------------


def test_an_agency_token_records_on_its_own_track_not_on_another_agencys(people, tracks):
    client = api(token_of(people["dhs"]))
    response = progress(client, tracks["dhs"], **SUBMIT)
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["submitted_on"], body["version"]) == ("submitted", "2017-07-01", 1)
    assert body["history"][0]["by"] == "dhs"

    before = snapshot(tracks["dos"])
    response = progress(client, tracks["dos"], **SUBMIT)
    assert response.status_code == 403
    assert "does not answer" in response.json()["detail"]
    assert snapshot(tracks["dos"]) == before


def test_duties_are_separated_as_on_the_page(people, tracks):
    dhs, verifier, closer = (api(token_of(people[n])) for n in ("dhs", "verifier", "closer"))
    assert progress(dhs, tracks["dhs"], **SUBMIT).status_code == 200
    tracks["dhs"].refresh_from_db()
    verified = {"status": "verified", "verified_on": "2017-07-10",
                "verification_url": "https://oig.example.gov/r"}  # fmt: skip
    # The agency may not verify its own track; a verifier may not report for the agency.
    before = snapshot(tracks["dhs"])
    assert progress(dhs, tracks["dhs"], **verified).status_code == 403
    assert progress(verifier, tracks["dhs"], status="in_progress").status_code == 403
    response = progress(verifier, tracks["dhs"], **verified, evidence_url="https://x.gov")
    assert response.status_code == 403 and "evidence_url" in response.json()["detail"]
    assert snapshot(tracks["dhs"]) == before
    assert progress(verifier, tracks["dhs"], **verified).status_code == 200
    # A waiver official waives, citing the authority; a reader has no duty at all.
    waived = {"status": "waived", "closed_on": "2017-07-01", "authority": "OMB M-17-01",
              "authority_url": "https://omb.example.gov/m-17-01"}  # fmt: skip
    assert progress(api(token_of(people["reader"])), tracks["dos"], **waived).status_code == 403
    assert progress(closer, tracks["dos"], **waived).status_code == 200
    assert progress(api(token_of(people["admin"])), tracks["dhs2"], **SUBMIT).status_code == 200


def test_a_verifier_of_an_agency_may_not_verify_its_own_track(people, tracks):
    """permissions.duties: verification is independent, never for the agency one acts for."""
    ig_of_dhs = role_user("dhs-ig", "Verifiers")
    ig_of_dhs.groups.add(people["dhs"].groups.first())
    assert progress(api(token_of(people["dhs"])), tracks["dhs"], **SUBMIT).status_code == 200
    tracks["dhs"].refresh_from_db()
    response = progress(api(token_of(ig_of_dhs)), tracks["dhs"], status="verified",
                        verified_on="2017-07-10", verification_url="https://oig.example.gov/r")  # fmt: skip
    assert response.status_code == 403


# Progress: the page's validation, history and versions -------------------------------------------


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**SUBMIT, "submitted_on": "2017-07-25"}, "submitted_on"),  # after today (2017-07-24)
        ({**SUBMIT, "submitted_on": "2016-12-01"}, "submitted_on"),  # before the order was signed
        ({**SUBMIT, "status": "finished"}, "status"),
        ({**SUBMIT, "submitted_on": "2017-02-30"}, "submitted_on"),
        ({**SUBMIT, "evidence_url": "javascript:alert(1)"}, "evidence_url"),
        ({**SUBMIT, "submited_on": "2017-07-01"}, "submited_on"),  # a misspelt field
        ({**SUBMIT, "expected_version": "latest"}, "expected_version"),
        ({"status": "submitted", "submitted_on": None, "expected_version": 0}, "submitted_on"),
    ],
)
def test_bad_input_is_400_by_field_and_changes_nothing(people, tracks, body, field):
    before = snapshot(tracks["dhs"])
    body = {"expected_version": 0, **body}
    url = reverse("api:occurrence-progress", args=[tracks["dhs"].pk])
    response = api(token_of(people["dhs"])).post(url, json.dumps(body),
                                                 content_type="application/json")  # fmt: skip
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert snapshot(tracks["dhs"]) == before


@pytest.mark.parametrize("body", ["{not json", "[1, 2]", '"submitted"', ""])
def test_a_body_that_is_not_a_change_is_400(people, tracks, body):
    url = reverse("api:occurrence-progress", args=[tracks["dhs"].pk])
    response = api(token_of(people["dhs"])).post(url, body, content_type="application/json")
    assert response.status_code == 400
    assert response.headers["Content-Type"] == "application/json"


def test_the_api_writes_the_history_row_the_page_writes(client, people, tracks):
    client.force_login(people["dhs"])
    page = client.post(reverse("occurrence_detail", args=[tracks["dhs"].pk]),
                       {**SUBMIT, "version": 0})  # fmt: skip
    assert page.status_code == 302
    assert progress(api(token_of(people["dhs"])), tracks["dhs2"], **SUBMIT).status_code == 200
    fields = ["by", "from_status", "to_status", "changes", "note", "version", "effect",
              "obligation_change"]  # fmt: skip
    by_page = StatusChange.objects.filter(occurrence=tracks["dhs"]).values(*fields).get()
    by_api = StatusChange.objects.filter(occurrence=tracks["dhs2"]).values(*fields).get()
    assert by_api == by_page
    assert by_api["by"] == people["dhs"].pk
    page_row = Occurrence.objects.values(*Occurrence.TRACKED, "status", "version")
    assert page_row.get(pk=tracks["dhs"].pk) == page_row.get(pk=tracks["dhs2"].pk)


def test_a_stale_version_is_409_with_what_changed(people, tracks):
    client = api(token_of(people["dhs"]))
    assert progress(client, tracks["dhs"], status="in_progress", note="started").status_code == 200
    before = snapshot(tracks["dhs"])
    response = progress(client, tracks["dhs"], **SUBMIT, expected_version=0)
    assert response.status_code == 409
    body = response.json()
    assert body["current_version"] == 1
    assert [c["to_status"] for c in body["changes"]] == ["in_progress"]
    assert body["changes"][0]["by"] == "dhs"
    assert snapshot(tracks["dhs"]) == before
    assert progress(client, tracks["dhs"], **SUBMIT, expected_version=1).status_code == 200


def test_an_unknown_track_is_404(people, tracks):
    url = reverse("api:occurrence-progress", args=[10**6])
    response = api(token_of(people["dhs"])).post(url, "{}", content_type="application/json")
    assert response.status_code == 404
    assert api(token_of(people["dhs"])).get(reverse("api:occurrence-detail",
                                                    args=[10**6])).status_code == 404  # fmt: skip


def test_the_write_rate_is_limited(people, tracks, monkeypatch):
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"api_write": "2/minute",
                                                               "api_read": "600/minute"})  # fmt: skip
    client = api(token_of(people["dhs"]))
    answers = [progress(client, tracks["dhs"], status="open").status_code for _ in range(3)]
    assert answers == [200, 200, 429]


# Reads: filters as on the pages, cursor pagination ----------------------------------------------


def walk(client, url, **query):
    """Every row of a list, following `next`; and how many pages it took."""
    ids, pages = [], 0
    response = client.get(url, query)
    while True:
        assert response.status_code == 200, response.content
        body = response.json()
        ids += [row["id"] for row in body["results"]]
        pages += 1
        if not body["next"]:
            return ids, pages
        response = client.get(body["next"])


@pytest.mark.parametrize("name", ["occurrence-list", "obligation-list", "order-list"])
def test_cursor_pagination_walks_every_row_once(people, eo_13768, pinned_today, name):
    import_text(ORDER)
    model = {"occurrence-list": Occurrence, "obligation-list": eo_13768.obligations.model,
             "order-list": type(eo_13768)}[name]  # fmt: skip
    client = api(token_of(people["reader"]))
    ids, pages = walk(client, reverse(f"api:{name}"), page_size=3)
    assert len(ids) == len(set(ids))
    assert set(ids) == set(model.objects.values_list("pk", flat=True))
    assert pages == -(-len(ids) // 3)


@pytest.mark.parametrize("name", ["occurrence-list", "obligation-list", "order-list"])
def test_a_page_of_rows_costs_a_few_queries_not_one_per_row(
    people, eo_13768, pinned_today, django_assert_max_num_queries, name
):
    client = api(token_of(people["reader"]))
    client.get(reverse("api:order-list"))  # "last used" written: not counted below
    with django_assert_max_num_queries(6):
        body = client.get(reverse(f"api:{name}"), {"page_size": 100}).json()
    assert len(body["results"]) >= 1


def test_a_walk_sees_each_row_once_while_rows_are_added(people, eo_13768, pinned_today):
    client = api(token_of(people["reader"]))
    first = client.get(reverse("api:occurrence-list"), {"page_size": 5}).json()
    import_text(ORDER)  # new tracks while the client walks
    seen = [row["id"] for row in first["results"]]
    more, _ = walk(client, first["next"])
    assert len(seen + more) == len(set(seen + more))


def page_ids(client, **query):
    """The obligations the list page shows for this query (all on one page here)."""
    response = client.get(reverse("obligation_list"), query)
    assert response.status_code == 200
    page = response.context["page"]
    assert page.paginator.num_pages == 1
    return sorted(obligation.pk for obligation, _ in response.context["rows"])


@pytest.mark.parametrize(
    "query",
    [{}, {"kind": "recurring"}, {"status": "overdue"}, {"status": "open"}, {"section": "9"},
     {"q": "detainer"}, {"mine": "on"}, {"status": "overdue", "as_of": "2017-05-01"},
     {"kind": "deadline", "status": "submitted"}, {"as_of": "2017-02-01"}],
)  # fmt: skip
def test_obligation_filters_give_the_rows_of_the_list_page(client, people, eo_13768, pinned_today,
                                                           query):  # fmt: skip
    other = import_text(ORDER).order
    done = Occurrence.objects.filter(obligation__order=eo_13768, obligation__agencies__isnull=False)
    for occurrence in done[:3]:  # some submitted tracks, so "submitted" and "open" differ
        occurrence.change_status("submitted", submitted_on=pinned_today - timedelta(days=30))
    client.force_login(people["dhs"])
    expected = page_ids(client, **query)
    found, _ = walk(api(token_of(people["dhs"])), reverse("api:obligation-list"), **query)
    assert sorted(found) == expected
    assert other.pk  # the second order's rows are there to be left out by some queries


def test_obligation_filters_by_order_and_agency_and_next_due(client, people, eo_13768,
                                                             pinned_today):  # fmt: skip
    other = import_text(ORDER).order
    dhs = people["dhs"].groups.first().agency
    client.force_login(people["reader"])
    token = api(token_of(people["reader"]))
    for query in (
        {"order": other.pk},
        {"agency": dhs.pk},
        {"order": eo_13768.pk, "agency": dhs.pk},
    ):
        assert sorted(walk(token, reverse("api:obligation-list"), **query)[0]) == page_ids(
            client, **query
        )
    rows, _ = walk(token, reverse("api:obligation-list"), due_after="2017-04-25",
                   due_before="2017-05-05")  # fmt: skip
    listed = token.get(reverse("api:obligation-list"), {"page_size": 500}).json()["results"]
    expected = [
        o["id"] for o in listed if o["next_due"] and "2017-04-25" <= o["next_due"] <= "2017-05-05"
    ]
    assert sorted(rows) == sorted(expected) and rows


def calendar_ids(client, **query):
    response = client.get(reverse("calendar"), query)
    assert response.status_code == 200
    weeks = response.context["weeks"]
    return sorted(o.pk for week in weeks for _, items, _ in week for o in items)


@pytest.mark.parametrize("filters", ["agency", "order", "both"])
def test_occurrence_filters_mean_what_the_calendars_do(client, people, eo_13768, pinned_today,
                                                       filters):  # fmt: skip
    import_text(ORDER)
    dhs = people["dhs"].groups.first().agency
    query = {"agency": dhs.pk, "order": eo_13768.pk}
    query = query if filters == "both" else {filters: query[filters]}
    client.force_login(people["reader"])
    expected = calendar_ids(client, month="2017-04", **query)
    weeks = client.get(reverse("calendar"), {"month": "2017-04"}).context["weeks"]
    first, last = weeks[0][0][0], weeks[-1][-1][0]
    found, _ = walk(api(token_of(people["reader"])), reverse("api:occurrence-list"),
                    due_after=first.isoformat(), due_before=last.isoformat(), **query)  # fmt: skip
    assert sorted(found) == expected and expected


def test_occurrence_status_and_overdue_as_of_a_day(people, tracks):
    client = api(token_of(people["dhs"]))
    assert progress(client, tracks["dhs"], **SUBMIT).status_code == 200  # submitted 2017-07-01
    url = reverse("api:occurrence-list")
    mine = {tracks[k].pk for k in ("dhs", "dos", "dhs2")}

    def ids(**query):
        return set(walk(client, url, **query)[0]) & mine

    assert ids(status="submitted") == {tracks["dhs"].pk}
    assert ids(overdue="true") == {tracks["dos"].pk, tracks["dhs2"].pk}
    # On 2017-06-01 it was not yet submitted, and the 100-day plan (due 05-05) was late too.
    assert ids(overdue="true", as_of="2017-06-01") == mine
    assert ids(status="submitted", as_of="2017-06-01") == set()
    assert ids(overdue="false", as_of="2017-04-30") == {tracks["dhs2"].pk}
    assert ids(obligation=tracks["dos"].obligation_id) == {tracks["dos"].pk}
    detail = client.get(reverse("api:occurrence-detail", args=[tracks["dhs"].pk]),
                        {"as_of": "2017-06-01"}).json()  # fmt: skip
    assert (detail["status"], detail["status_then"], detail["overdue"]) == (
        "submitted",
        "open",
        True,
    )


@pytest.mark.parametrize(
    "query",
    [{"status": "late-ish"}, {"as_of": "2017-13-01"}, {"as_of": "9999-12-31"},
     {"due_after": "soon"}, {"agency": "999999"}, {"overdue": "maybe"}],
)  # fmt: skip
def test_an_unknown_filter_value_is_a_400_naming_it(people, tracks, query):
    for name in ("api:occurrence-list", "api:obligation-list"):
        response = api(token_of(people["reader"])).get(reverse(name), query)
        if name == "api:obligation-list" and "overdue" in query:
            continue  # not one of the obligation list's filters: ignored
        assert response.status_code == 400, (name, query)
        assert set(response.json()) == set(query)


# The description and the docs page ---------------------------------------------------------------


def test_the_openapi_schema_is_json_listing_every_path(people):
    response = api(token_of(people["reader"])).get(reverse("api:schema"))
    assert response.status_code == 200
    schema = json.loads(response.content)
    assert schema["openapi"].startswith("3.")
    assert set(schema["paths"]) == {
        "/api/v1/orders/", "/api/v1/orders/{id}/", "/api/v1/obligations/",
        "/api/v1/obligations/{id}/", "/api/v1/occurrences/", "/api/v1/occurrences/{id}/",
        "/api/v1/occurrences/{id}/progress",
    }  # fmt: skip
    progress_op = schema["paths"]["/api/v1/occurrences/{id}/progress"]["post"]
    assert progress_op["security"] == [{"token": []}]
    assert {"200", "400", "401", "403", "404", "409"} <= set(progress_op["responses"])
    params = {p["name"] for p in schema["paths"]["/api/v1/obligations/"]["get"]["parameters"]}
    assert {"q", "order", "agency", "kind", "status", "as_of", "due_after", "cursor"} <= params


@pytest.mark.django_db(transaction=True)
def test_the_docs_page_renders_in_chromium_under_the_csp(people, live_server):
    """Swagger UI draws the API's operations from the schema, with the CSP as strict as on
    every page: no violation reported, no console error."""
    import os
    import shutil

    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's loop, this thread
    sync_api = pytest.importorskip("playwright.sync_api")
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        pytest.skip("Debian's chromium is not installed (apt install chromium)")
    from tests.test_browser import FLAGS

    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=FLAGS, headless=True)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.set_default_timeout(15_000)
        errors = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        # Violations are also events on the document: collected from before the page's scripts.
        page.add_init_script("""window.cspViolations = [];
            document.addEventListener('securitypolicyviolation',
                e => window.cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));""")
        page.goto(f"{live_server.url}{reverse('api:docs')}")
        page.fill("#id_username", "reader")
        page.fill("#id_password", "pw-for-tests-only")
        page.click("button:has-text('Sign in')")
        page.wait_for_url(f"{live_server.url}{reverse('api:docs')}")
        page.locator(".swagger-ui .info .title").wait_for()
        page.locator(
            ".opblock-summary-path[data-path='/api/v1/occurrences/{id}/progress']"
        ).wait_for()
        assert "Obligation tracker API" in page.locator(".swagger-ui .info .title").inner_text()
        paths = page.locator(".opblock-summary-path").all_inner_texts()
        assert len(paths) == 7
        # Open an operation and try it with the session (a read): the answer is drawn too.
        page.locator(".opblock-summary-path[data-path='/api/v1/orders/']").click()
        page.locator("button.try-out__btn").click()
        page.locator("button.execute").click()
        status = page.locator(".live-responses-table tbody .response-col_status").first
        status.wait_for()
        assert status.inner_text().strip() == "200"
        page.screenshot(path="/tmp/api_docs.png", full_page=False)
        violations = page.evaluate("window.cspViolations")
        browser.close()
    assert not violations, violations
    assert not [e for e in errors if "Content Security Policy" in e or "Refused" in e], errors
    assert not errors, errors


def test_no_hostile_request_answers_5xx(people, tracks):
    """The API's own sweep (test_hostile.py's leaves the API to this file): hostile values in
    every path parameter, every filter and paging parameter, and every field of a change."""
    from obligations.api.filters import ObligationApiFilter, OccurrenceFilter
    from tests.test_hostile import FORM_VALUES, HUGE, QUERY_VALUES

    client = api(token_of(people["admin"]))
    failures = []

    def ask(method, url, data=None):
        if method == "get":
            response = client.get(url, data)
        else:
            response = client.post(url, json.dumps(data), content_type="application/json")
        if response.status_code >= 500:
            failures.append((method, url[:80], str(data)[:80], response.status_code))
        return response

    paging = ["as_of", "cursor", "page_size"]
    lists = {"api:order-list": paging, "api:obligation-list": [*ObligationApiFilter.base_filters,
             *paging], "api:occurrence-list": [*OccurrenceFilter.base_filters, *paging]}  # fmt: skip
    for name, parameters in lists.items():
        for value in QUERY_VALUES:
            ask("get", reverse(name), dict.fromkeys(parameters, value))
            for parameter in parameters:
                ask("get", reverse(name), {parameter: value})
    for name in ("order-detail", "obligation-detail", "occurrence-detail"):
        for value in ("0", "-1", HUGE):
            ask("get", f"{reverse(f'api:{name}', args=[1])[:-2]}{value}/")
    url = reverse("api:occurrence-progress", args=[tracks["dhs"].pk])
    for value in FORM_VALUES:
        for field in ProgressFields:
            ask("post", url, {**SUBMIT, "expected_version": 0, field: value})
        ask("post", url, dict.fromkeys(ProgressFields, value))
        ask("post", f"{url[: -len('/progress')].rsplit('/', 1)[0]}/{HUGE}/progress", SUBMIT)
    assert not failures, failures


ProgressFields = [
    "status", "submitted_on", "published_on", "evidence_url", "verified_on", "verification_url",
    "closed_on", "authority", "authority_url", "note", "expected_version",
]  # fmt: skip
