"""Accessibility checks: which pages there are, and axe-core's verdict on one of them.

The page inventory is built from the URL conf, not from a hand list: every named URL outside the
Django admin, reversed with the example arguments the test gives it. A new URL that takes
arguments nobody gave fails with a message saying where to add one; a new URL without
arguments is checked as soon as it exists. Which of those URLs are pages (a GET that answers
200 with HTML) is asked of the site itself, per role, so POST-only routes, files and feeds drop
out without a list of exceptions.
"""

from django.conf import settings
from django.test import Client
from django.urls import NoReverseMatch, reverse

from tests.test_authorization import site_patterns

# WCAG 2.1 level A and AA, the federal bar (Section 508 points to WCAG 2.0 AA; 2.1 adds the
# mobile criteria such as reflow at 320 CSS pixels). axe's "best-practice" rules are left out:
# they are advice, and a gate should hold only what the standard requires.
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": WCAG_21_AA}, "resultTypes": ["violations"]}
WIDTHS = {1280: {"width": 1280, "height": 900}, 390: {"width": 390, "height": 844}}
MISSING_PAGE = "/no-such-page/"  # the 404 page


class MissingExample(LookupError):
    pass


def inventory(examples):
    """[(name, url)] for every named URL outside the admin. examples: name -> its arguments."""
    urls, missing = [], []
    for name, route in site_patterns():
        try:
            urls.append((name, reverse(name, args=examples.get(name, ()))))
        except NoReverseMatch:
            missing.append(f"{name} ({route})")
    if missing:
        raise MissingExample(
            "The accessibility inventory cannot fill these URLs: "
            + ", ".join(missing)
            + ". Give each example arguments in the `world` fixture (tests/conftest.py) "
            "or in EXTRA_EXAMPLES (tests/test_accessibility.py)."
        )
    return urls


def pages_for(user, urls):
    """(pages, forbidden): the URLs that answer `user` (None: anonymous) with an HTML page, and
    those that answer 403. Redirects (to the sign-in page), 404s, 405s and files are not pages."""
    client = Client()
    if user is not None:
        client.force_login(user)
    pages, forbidden = [], []
    for name, url in urls:
        response = client.get(url)
        html = response.get("Content-Type", "").startswith("text/html")
        if response.status_code == 200 and html:
            pages.append((name, url))
        elif response.status_code == 403:
            forbidden.append((name, url))
    return pages, forbidden


def session_cookie(user, base_url):
    """A signed-in session for a browser context: one per context, no sign-in form (and no
    django-axes failure count) on the way."""
    client = Client()
    client.force_login(user)
    value = client.cookies[settings.SESSION_COOKIE_NAME].value
    return {"name": settings.SESSION_COOKIE_NAME, "value": value, "url": base_url}


def run_axe(page):
    """axe-core's WCAG 2.1 AA violations on the page as it is now: [{id, impact, help, nodes}].
    Injected with page.evaluate (the DevTools protocol), which the page's CSP does not govern:
    no bypass_csp needed, so the page is checked under the policy it really has."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options=AXE_OPTIONS).response
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [", ".join(map(str, node["target"])) for node in v["nodes"]],
        }
        for v in results["violations"]
    ]


def report(found):
    """found: {(label, url): [violation]} -> a readable list, one block per page."""
    lines = []
    for (label, url), violations in found.items():
        if not violations:
            continue
        lines.append(f"{label} {url}:")
        for v in violations:
            nodes = v["nodes"]
            shown = "; ".join(nodes[:5]) + (f"; and {len(nodes) - 5} more" if len(nodes) > 5 else "")
            lines.append(f"  {v['id']} ({v['impact']}, {len(nodes)} nodes): {v['help']}")
            lines.append(f"    {shown}")
    return "\n".join(lines)
