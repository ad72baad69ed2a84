"""axe-core on every page of the site, as each role, at a desktop and a phone width: WCAG 2.1 AA
with no violation. The pages come from the URL conf (tests/a11y.py), so a new page is checked
as soon as it is routed. docs/accessibility.md says how to read a failure and run the full
matrix (bench/accessibility.py)."""

import json
import os

import pytest

from tests import a11y
from tests.test_browser import CHROMIUM, FLAGS

sync_api = pytest.importorskip("playwright.sync_api")
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # ORM calls beside Playwright's loop

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not CHROMIUM, reason="Debian's chromium is not installed"),
]

# role -> the `people` fixture's user (None: not signed in). DOS staff are DHS's role again.
ROLES = {"anonymous": None, "reader": "reader", "agency staff": "dhs", "verifier": "verifier",
         "waiver official": "closer", "admin": "admin"}  # fmt: skip
# Every page as each role at the desktop width; at the phone width the admin (who sees every
# page and every control) and the public. The rest of the matrix is bench/accessibility.py's
# (A11Y_FULL=1). Measured on 2 busy cores: 8 runs here, 90 s (load 5) to 240 s (load 10);
# the full 12 with best-practice, 350-380 s.
FULL = os.environ.get("A11Y_FULL") == "1"
CASES = [(role, 1280) for role in ROLES] + [
    (role, 390) for role in ROLES if FULL or role in ("anonymous", "admin")
]
TAGS = a11y.WCAG_21_AA + (["best-practice"] if FULL else [])
# Arguments for URLs the `world` fixture does not cover. A new URL with arguments needs one here.
EXTRA_EXAMPLES = {}


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def examples(world, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from obligations.evidence import attach
    from obligations.models import Evidence

    settings.PUBLIC_SITE = True  # as in the demo: the public pages exist and are checked
    # The world's file is private (its public address is a 404 by design); a public one is a
    # file, not a page, which the inventory must find and leave out.
    private = Evidence.objects.get(pk=world["public_evidence"][0])
    upload = SimpleUploadedFile("public.txt", b"week 1\n")
    shown = attach(private.occurrence, upload, by=private.by, purpose="evidence", public=True)
    return {**world, "public_evidence": [shown.pk, shown.name], **EXTRA_EXAMPLES}


def test_every_url_can_be_checked(people, examples):
    """Every URL of the site (bar the admin) has the arguments the accessibility run needs, and
    every one a GET may open is a page for some role: none drops out of the run unseen."""
    urls = a11y.inventory(examples)
    assert {"home", "calendar", "occurrence_detail", "login"} <= {name for name, _ in urls}
    missed = a11y.unchecked([None, people["admin"], *people.values()], urls)
    assert not missed, (
        f"No role sees these URLs as a page (statuses got): {missed}. Give them examples that "
        "exist (the `world` fixture or EXTRA_EXAMPLES), or say here why they are not pages."
    )


def test_a_wrong_example_is_reported(people, examples):
    urls = [(n, u) for n, u in a11y.inventory({**examples, "order_detail": [999999]})
            if n in ("order_detail", "follow", "feed_ics")]  # fmt: skip
    assert a11y.unchecked([None, people["admin"]], urls) == [
        ("order_detail", "/orders/999999/", [302, 404])
    ]


def test_a_missing_example_says_where_to_add_one(examples):
    examples.pop("timeline")
    with pytest.raises(a11y.MissingExample, match=r"timeline \(orders/<int:pk>/timeline/\)"):
        a11y.inventory(examples)


def test_an_inaccessible_page_is_reported(browser, live_server):
    """The check can fail: an unlabelled input, an empty link, an empty header cell, a help text
    reference to nothing, no skip link, the open page not marked in the navigation."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(live_server.url + "/no-such-page/")  # any page of ours: the location is /no-such...
    page.set_content(
        '<html lang="en"><title>t</title><nav><a href="/no-such-page/">Here</a></nav><main>'
        '<input aria-describedby="id_x_helptext"><a href="/x"></a>'
        "<table><tr><th></th><th>Due</th></tr><tr><td>1</td><td>2</td></tr></table></main>"
    )
    found = a11y.run_axe(page)
    context.close()
    assert {v["id"] for v in found} == {
        "label", "link-name", "empty-table-header",
        "house-idref", "house-skip-link", "house-aria-current",
    }  # fmt: skip
    text = a11y.report({("sample", "/no-such-page/"): found})
    assert "link-name (serious, 1 nodes)" in text
    assert 'input aria-describedby="id_x_helptext"' in text


class Violations(AssertionError):
    """Raised for axe's findings only, apart from a page that crashes or answers the wrong status
    (an xfail for a known finding should name raises=Violations, so it hides nothing else)."""


@pytest.mark.parametrize(("role", "width"), CASES, ids=[f"{r}-{w}" for r, w in CASES])
def test_no_wcag_violations(browser, live_server, people, examples, eo_13768, pinned_today,
                            role, width):  # fmt: skip
    user = people[ROLES[role]] if ROLES[role] else None
    pages, forbidden = a11y.pages_for(user, a11y.inventory(examples))
    assert pages, f"{role} can open no page"
    visits = [(name, url, 200) for name, url in pages]
    visits.append(("404 page", a11y.MISSING_PAGE, 404))
    if forbidden:  # the 403 page once, not once per forbidden URL
        visits.append(("403 page", forbidden[0][1], 403))
    context = browser.new_context(viewport=a11y.WIDTHS[width])
    if user is not None:
        context.add_cookies([a11y.session_cookie(user, live_server.url)])
    page = context.new_page()
    page.set_default_timeout(15_000)
    found = {}
    try:
        for name, url, status in visits:
            response = page.goto(live_server.url + url)
            assert response.status == status, (name, url, response.status)
            found[(name, url)] = a11y.run_axe(page, TAGS)
        urls = dict(pages)
        for name, state, fields in STATES:
            if name in urls:
                page.goto(live_server.url + urls[name])
                submit(page, fields)
                found[(f"{name} ({state})", urls[name])] = a11y.run_axe(page, TAGS)
    finally:
        context.close()
    save(role, width, found)
    problems = a11y.report(found)
    if problems:
        raise Violations(
            f"axe-core (WCAG 2.1 AA) and house rules, as {role} at {width}px:\n{problems}"
        )


def save(role, width, found):
    """With A11Y_REPORT=path (bench/accessibility.py), one JSON line per role and width."""
    if path := os.environ.get("A11Y_REPORT"):
        pages = [{"page": name, "url": url, "violations": v} for (name, url), v in found.items()]
        with open(path, "a") as out:
            out.write(json.dumps({"role": role, "width": width, "pages": pages}) + "\n")


def submit(page, fields):
    """Fill a form's fields and send it, whatever the markup around them."""
    for field, value in fields.items():
        page.locator(f"[name={field}]").first.fill(value)
    with page.expect_navigation():
        page.locator(f"[name={field}]").first.evaluate("e => e.form.requestSubmit()")


ORDER = "number: 99020\ntitle: A preview\nsigned: 2020-03-02\n\nSec. 1. The Secretary shall " \
        "submit a report within 90 days of the date of this order.\n"  # fmt: skip
# Pages only a POST shows: (URL name, what it shows, the fields sent). Checked for each role
# that can open the URL.
STATES = [
    ("import_order", "preview", {"text": ORDER}),
    ("feed_list", "new feed", {"name": "Mine"}),
    ("login", "wrong password", {"username": "nobody", "password": "wrong"}),
    ("api_tokens", "a name refused", {"name": " "}),  # a field's error tied to its input
]
