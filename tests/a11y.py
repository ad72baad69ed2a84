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
# One of axe's best-practice rules the gate holds too: a header cell with no text (a screen
# reader announces nothing for the column; WCAG 1.3.1 in spirit). bench/accessibility.py runs
# all of "best-practice" and lists the rest as advice.
GATED_RULES = ["empty-table-header"]
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


def answers(user, urls):
    """{name: (status, is HTML)} for a GET of each URL by `user` (None: anonymous)."""
    client = Client()
    if user is not None:
        client.force_login(user)
    found = {}
    for name, url in urls:
        response = client.get(url)
        found[name] = (
            response.status_code,
            response.get("Content-Type", "").startswith("text/html"),
        )
    return found


def pages_for(user, urls):
    """(pages, forbidden): the URLs that answer `user` with an HTML page, and those that answer
    403. Redirects (to the sign-in page), 404s, 405s and files are not pages."""
    got = answers(user, urls)
    pages = [(name, url) for name, url in urls if got[name] == (200, True)]
    forbidden = [(name, url) for name, url in urls if got[name][0] == 403]
    return pages, forbidden


def unchecked(users, urls):
    """The URLs no user sees as a page though they are neither POST-only (405; the anonymous
    get a redirect to sign in first) nor files (200, not HTML): a wrong example (404), or a page
    nobody may open. [(name, url, [statuses])]. Each user is asked only what the ones before
    could not settle: put the anonymous and the admin first."""
    statuses = {name: set() for name, _ in urls}
    left = list(urls)
    for user in users:
        for name, (status, _) in answers(user, left).items():
            statuses[name].add(status)
        left = [(name, url) for name, url in left if not statuses[name] & {200, 405}]
    return [(name, url, sorted(statuses[name])) for name, url in left]


def session_cookie(user, base_url):
    """A signed-in session for a browser context: one per context, no sign-in form (and no
    django-axes failure count) on the way."""
    client = Client()
    client.force_login(user)
    value = client.cookies[settings.SESSION_COOKIE_NAME].value
    return {"name": settings.SESSION_COOKIE_NAME, "value": value, "url": base_url}


def run_axe(page, tags=WCAG_21_AA):
    """axe-core's violations of the rules with these tags on the page as it is now:
    [{id, impact, help, nodes, gate}], gate: whether the test holds the page to it (WCAG 2.1
    A/AA, GATED_RULES and the house rules; the rest of "best-practice" is advice).
    Injected with page.evaluate (the DevTools protocol), which the page's CSP does not govern:
    no bypass_csp needed, so the page is checked under the policy it really has."""
    from axe_playwright_python.sync_playwright import Axe

    options = {
        "runOnly": {"type": "tag", "values": tags},
        "rules": {rule: {"enabled": True} for rule in GATED_RULES},
        "resultTypes": ["violations"],
    }
    results = Axe().run(page, options=options).response
    return house_rules(page) + [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [", ".join(map(str, node["target"])) for node in v["nodes"]],
            "messages": [first_message(node) for node in v["nodes"]],
            "gate": v["id"] in GATED_RULES or bool(set(v["tags"]) & set(WCAG_21_AA)),
        }
        for v in results["violations"]
    ]


def first_message(node):
    """What axe says about one node, e.g. "Element has insufficient color contrast of 1.82 ..."."""
    checks = node.get("any", []) + node.get("all", []) + node.get("none", [])
    return next((c["message"] for c in checks if c.get("message")), "")


# What axe leaves out. axe reports an aria-describedby that names no element as "needs review"
# (content might arrive later), never as a violation; a server-rendered page has no such excuse,
# and Django 5 adds aria-describedby="id_<field>_helptext" to fields whose template may not render
# that id. axe's "bypass" passes any page with a heading, so the skip link USWDS gives every page
# (usa-skipnav) is checked here; and the main navigation must say which page is open
# (aria-current), as the USWDS header does (bar the home page: its link is the site's name).
HOUSE_RULES_JS = """() => {
  const found = {idref: [], skip: [], current: []};
  const name = el => el.id ? "#" + el.id : el.tagName.toLowerCase()
      + (el.getAttribute("name") ? `[name=${el.getAttribute("name")}]` : "");
  const attrs = ["aria-describedby", "aria-labelledby", "aria-controls", "aria-owns",
                 "aria-errormessage", "aria-details", "aria-activedescendant"];
  for (const attr of attrs)
    for (const el of document.querySelectorAll(`[${attr}]`))
      for (const id of el.getAttribute(attr).split(/\\s+/).filter(Boolean))
        if (!document.getElementById(id)) found.idref.push(`${name(el)} ${attr}="${id}"`);
  for (const el of document.querySelectorAll("label[for]"))
    if (!document.getElementById(el.htmlFor)) found.idref.push(`label for="${el.htmlFor}"`);
  const first = document.querySelector(
    "a[href], button, input:not([type=hidden]), select, textarea, [tabindex]:not([tabindex='-1'])");
  const target = first && first.matches("a[href^='#']") && first.getAttribute("href").slice(1);
  if (!target || !document.getElementById(target))
    found.skip.push(first ? name(first) + " " + (first.getAttribute("href") || "") : "body");
  const here = [...document.querySelectorAll("nav a[href]")].filter(
    a => a.pathname === location.pathname && a.origin === location.origin && a.pathname !== "/");
  if (here.length && !here.some(a => ["page", "true"].includes(a.getAttribute("aria-current"))))
    found.current.push(...here.map(a => `nav a[href="${a.getAttribute("href")}"]`));
  return found;
}"""
HOUSE_RULES = {
    "idref": ("house-idref", "serious", "ARIA and label references must name an element"),
    "skip": ("house-skip-link", "moderate", "A skip link to the main content must come first"),
    "current": ("house-aria-current", "minor", "The navigation must mark the open page"),
}


def house_rules(page):
    found = page.evaluate(HOUSE_RULES_JS)
    return [
        {"id": rule, "impact": impact, "help": help, "nodes": found[key], "gate": True}
        for key, (rule, impact, help) in HOUSE_RULES.items()
        if found[key]
    ]


def report(found):
    """found: {(label, url): [violation]} -> a readable list of the WCAG violations, one block
    per page."""
    lines = []
    for (label, url), violations in found.items():
        violations = [v for v in violations if v["gate"]]
        if not violations:
            continue
        lines.append(f"{label} {url}:")
        for v in violations:
            nodes = v["nodes"]
            shown = "; ".join(nodes[:5]) + (
                f"; and {len(nodes) - 5} more" if len(nodes) > 5 else ""
            )
            lines.append(f"  {v['id']} ({v['impact']}, {len(nodes)} nodes): {v['help']}")
            lines.append(f"    {shown}")
            if v.get("messages") and v["messages"][0]:
                lines.append(f"    first: {v['messages'][0]}")
    return "\n".join(lines)
