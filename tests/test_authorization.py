"""The authorization matrix: every URL of the site (bar the Django admin, which has its own
permissions) for every role. Built from the URL conf: a new view without an entry fails."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

pytestmark = pytest.mark.django_db
# "verifier": an inspector general's staff (may verify, no agency); "closer": a waiver official.
ROLES = ("anonymous", "reader", "other", "own", "verifier", "closer", "admin")
LOGIN = "login"  # a redirect to the sign-in page


def every(answer):
    return dict.fromkeys(ROLES, answer)


def signed_in(answer):
    return {**every(answer), "anonymous": LOGIN}


CHANGE = {**signed_in(403), "own": 302, "admin": 302}
ADMIN_ONLY = {**signed_in(403), "admin": 200}
OWNER_ONLY = {**signed_in(404), "own": 200}
# Separated duties on a track: 403 for those with no duty on it; a move their duty does not
# allow is not offered by their form (400, with a message): the agency may not verify or waive
# its own track, a verifier only verifies, a waiver official only waives.
TRACK_CHANGE = {**CHANGE, "verifier": 400, "closer": 400}
VERIFY = {**signed_in(403), "own": 400, "verifier": 302, "closer": 400, "admin": 302}
WAIVE = {**signed_in(403), "own": 400, "verifier": 400, "closer": 302, "admin": 302}
VERIFIED = {"status": "verified", "version": 1, "submitted_on": "2020-03-10",
            "verified_on": "2020-03-12", "verification_url": "https://oig.example.gov/r"}  # fmt: skip
WAIVED = {"status": "waived", "version": 0, "closed_on": "2020-03-05",
          "authority": "OMB M-20-01", "authority_url": "https://omb.example.gov/m-20-01"}  # fmt: skip

# name: [(method, data, expected answer per role)]
MATRIX = {
    "login": [("GET", None, every(200))],
    "logout": [("POST", {}, every(302))],
    "password_change": [("GET", None, signed_in(200)), ("POST", {}, signed_in(200))],
    "password_change_done": [("GET", None, signed_in(200))],
    # A forgotten password: open to all, and it says the same whoever asks.
    "password_reset": [("GET", None, every(200)), ("POST", {"email": "x@example.gov"}, every(302))],
    "password_reset_done": [("GET", None, every(200))],
    "password_reset_confirm": [("GET", None, every(200))],  # a bad link: "ask for a new one"
    "password_reset_complete": [("GET", None, every(200))],
    "home": [("GET", None, signed_in(200))],
    "health": [("GET", None, every(200)), ("POST", {}, every(405))],
    "obligation_list": [("GET", None, signed_in(200))],
    "obligation_detail": [
        ("GET", None, signed_in(200)),
        ("POST", {"day_count": "roll", "periods": "anchor", "horizon_years": 4}, CHANGE),
    ],
    "occurrence_detail": [
        ("GET", None, signed_in(200)),
        ("POST", {"status": "in_progress", "version": 0}, TRACK_CHANGE),
        ("POST", {**VERIFIED, "_submitted_first": True}, VERIFY),
        ("POST", WAIVED, WAIVE),
    ],
    "follow": [("POST", {}, signed_in(302))],
    "series_change": [
        ("POST", {"action": "suspend", "on": "2020-04-01", "authority": "memo"}, CHANGE)
    ],
    "order_list": [("GET", None, signed_in(200))],
    "order_detail": [("GET", None, signed_in(200))],
    "timeline": [("GET", None, signed_in(200))],
    "calendar": [("GET", None, signed_in(200))],
    "import_order": [
        ("GET", None, ADMIN_ONLY),
        ("POST", {"step": "preview", "text": ""}, {**ADMIN_ONLY, "admin": 400}),
    ],
    "reminder_preferences": [
        ("GET", None, signed_in(200)),
        ("POST", {"lead_days": "7", "digest": "on"}, signed_in(302)),
    ],
    "unsubscribe": [("GET", None, every(200)), ("POST", {}, every(200))],
    "feed_list": [
        ("GET", None, signed_in(200)),
        ("POST", {"name": "x", "kind": ""}, signed_in(200)),
    ],
    "feed_rotate": [("POST", {}, OWNER_ONLY)],
    "feed_revoke": [("POST", {}, {**OWNER_ONLY, "own": 302})],
    "feed_ics": [("GET", None, every(200))],
    # Personal API tokens: each person's own (the API itself: tests/test_api.py, by token).
    "api_tokens": [("GET", None, signed_in(200)), ("POST", {"name": "script"}, signed_in(200))],
    "api_token_revoke": [("POST", {}, {**OWNER_ONLY, "own": 302})],
    # Evidence files: an empty upload is refused with a message (302) for those who may attach.
    "evidence_upload": [("POST", {}, CHANGE)],
    "evidence_download": [("GET", None, signed_in(200))],
    # Effects of one order on another: decided by who may change every obligation affected.
    "effect_list": [("GET", None, signed_in(200))],
    "effect_apply": [("POST", {}, CHANGE)],
    "effect_reject": [("POST", {"note": "not signed"}, CHANGE)],
    "effect_undo": [("POST", {}, CHANGE)],  # pending: refused with a message, then back
    # A new text of an order: decided by who may import orders.
    "version_detail": [("GET", None, signed_in(200))],
    "version_apply": [("POST", {"keep_corrections": "on"}, {**signed_in(403), "admin": 302})],
    "version_reject": [("POST", {}, {**signed_in(403), "admin": 302})],
    # The public record, with PUBLIC_SITE on (test_matrix turns it on; off, every public URL is
    # a 404: test_public.py, test_scorecards.py, test_opendata.py): open to everyone alike.
    "public_home": [("GET", None, every(200))],
    "public_order": [("GET", None, every(200))],
    "public_obligation": [("GET", None, every(200))],
    "public_agency": [("GET", None, every(200))],
    # The world's file is not marked public: not there for anyone, signed in or not.
    "public_evidence": [("GET", None, every(404))],
    "public_scorecards": [("GET", None, every(200))],
    "public_order_scorecard": [("GET", None, every(200))],
    "public_agency_scorecard": [("GET", None, every(200))],
    "public_order_report": [("GET", None, every(200))],
    "public_data": [("GET", None, every(200)), ("POST", {}, every(405))],
    "public_data_csv": [("GET", None, every(200))],
    "public_data_json": [("GET", None, every(200))],
    "public_schema": [("GET", None, every(200))],
    "public_order_csv": [("GET", None, every(200))],
    "public_order_json": [("GET", None, every(200))],
    "public_order_ics": [("GET", None, every(200))],
    "public_changes_atom": [("GET", None, every(200))],
}


def site_patterns(patterns=None, prefix=""):
    """(name, route) of every URL pattern outside the admin and the JSON API (which answers
    tokens, not sessions: its matrix is in tests/test_api.py)."""
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            if getattr(entry, "app_name", None) in ("admin", "api"):
                continue
            yield from site_patterns(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield entry.name, prefix + str(entry.pattern)


def test_every_url_has_a_matrix_entry():
    names = [name for name, _ in site_patterns()]
    assert None not in names, "every URL needs a name"
    assert sorted(set(names)) == sorted(MATRIX)


CASES = [
    (name, method, data, role, answer)
    for name, entries in MATRIX.items()
    for method, data, answers in entries
    for role, answer in answers.items()
]


@pytest.mark.parametrize(("name", "method", "data", "role", "answer"), CASES)
def test_matrix(client, people, world, settings, name, method, data, role, answer):
    settings.PUBLIC_SITE = True
    users = {"reader": "reader", "other": "dos", "own": "dhs", "admin": "admin",
             "verifier": "verifier", "closer": "closer"}  # fmt: skip
    if data and data.get("_submitted_first"):
        data = {k: v for k, v in data.items() if k != "_submitted_first"}
        submit(world["occurrence_detail"][0])
    if role != "anonymous":
        client.force_login(people[users[role]])
    url = reverse(name, args=world.get(name, []))
    response = client.get(url) if method == "GET" else client.post(url, data)
    if answer == LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    else:
        assert response.status_code == answer, (name, method, role)
    if answer == 404:
        assert b"Securing the Matrix" not in response.content


def submit(pk):
    from datetime import date

    from obligations.models import Occurrence
    from obligations.tracking import record_progress

    record_progress(Occurrence.objects.get(pk=pk), "submitted", submitted_on=date(2020, 3, 10))


def test_the_admin_is_for_staff_only(client, people):
    client.force_login(people["dhs"])
    response = client.get("/admin/obligations/statuschange/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
