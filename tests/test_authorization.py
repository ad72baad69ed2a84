"""The authorization matrix: every URL of the site (bar the Django admin, which has its own
permissions) for every role. Built from the URL conf: a new view without an entry fails."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

pytestmark = pytest.mark.django_db
ROLES = ("anonymous", "reader", "other", "own", "admin")
LOGIN = "login"  # a redirect to the sign-in page


def every(answer):
    return dict.fromkeys(ROLES, answer)


def signed_in(answer):
    return {**every(answer), "anonymous": LOGIN}


CHANGE = {"anonymous": LOGIN, "reader": 403, "other": 403, "own": 302, "admin": 302}
ADMIN_ONLY = {"anonymous": LOGIN, "reader": 403, "other": 403, "own": 403, "admin": 200}
OWNER_ONLY = {"anonymous": LOGIN, "reader": 404, "other": 404, "own": 200, "admin": 404}

# name: [(method, data, expected answer per role)]
MATRIX = {
    "login": [("GET", None, every(200))],
    "logout": [("POST", {}, every(302))],
    "password_change": [("GET", None, signed_in(200)), ("POST", {}, signed_in(200))],
    "password_change_done": [("GET", None, signed_in(200))],
    "home": [("GET", None, signed_in(200))],
    "health": [("GET", None, every(200)), ("POST", {}, every(405))],
    "obligation_list": [("GET", None, signed_in(200))],
    "obligation_detail": [
        ("GET", None, signed_in(200)),
        ("POST", {"day_count": "roll", "periods": "anchor", "horizon_years": 4}, CHANGE),
    ],
    "occurrence_detail": [
        ("GET", None, signed_in(200)),
        ("POST", {"status": "in_progress"}, CHANGE),
    ],
    "follow": [("POST", {}, signed_in(302))],
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
    # Effects of one order on another: decided by who may change every obligation affected.
    "effect_list": [("GET", None, signed_in(200))],
    "effect_apply": [("POST", {}, CHANGE)],
    "effect_reject": [("POST", {"note": "not signed"}, CHANGE)],
    "effect_undo": [("POST", {}, CHANGE)],  # pending: refused with a message, then back
}


def site_patterns(patterns=None, prefix=""):
    """(name, route) of every URL pattern outside the admin."""
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            if getattr(entry, "app_name", None) == "admin":
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
def test_matrix(client, people, world, name, method, data, role, answer):
    users = {"reader": "reader", "other": "dos", "own": "dhs", "admin": "admin"}
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


def test_the_admin_is_for_staff_only(client, people):
    client.force_login(people["dhs"])
    response = client.get("/admin/obligations/statuschange/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
