"""The U.S. Web Design System, vendored and served by the app (bin/vendor-uswds): every file its
css names is there, collectstatic's manifest storage takes it, the layout's accessibility
groundwork (skip link, current page in the navigation, statuses in words) and, in Debian's
chromium, nothing overflows a phone's width. Screenshots go to artifacts/screenshots/."""

import os
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.core.management import call_command
from django.http import HttpResponse
from django.test import override_settings
from django.urls import include, path, reverse

from obligations.models import Occurrence

ROOT = Path(__file__).resolve().parent.parent
USWDS = ROOT / "obligations" / "static" / "obligations" / "vendor" / "uswds"
URL = re.compile(r"""url\(\s*['"]?([^'")]*)['"]?\s*\)""")
SHOTS = ROOT / "artifacts" / "screenshots"


# A urlconf with the public record's home page, which this branch does not have yet.
def public_home(request):
    return HttpResponse("public")


urlpatterns = [path("public/", public_home, name="public_home"), path("", include("tracker.urls"))]


def test_the_vendored_files_are_there_and_every_url_in_the_css_resolves():
    for name in ("css/uswds.min.css", "js/uswds.min.js", "js/uswds-init.min.js", "LICENSE.md"):
        assert (USWDS / name).is_file(), name
    css = (USWDS / "css" / "uswds.min.css").read_text()
    urls = {u.split("#")[0].split("?")[0] for u in URL.findall(css)}
    files = [u for u in urls if u and not u.startswith("data:")]
    assert len(files) >= 40  # 18 fonts and 32 images in 3.14.0
    missing = [u for u in files if not (USWDS / "css" / u).resolve().is_file()]
    assert missing == []
    assert (USWDS / "VERSION").read_text().strip() == "3.14.0"


def test_collectstatic_with_the_production_storage_succeeds(tmp_path):
    """WhiteNoise's manifest storage fails when a file the css names is missing."""
    storages = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    with override_settings(STATIC_ROOT=tmp_path, STORAGES=storages, DEBUG=False):
        call_command("collectstatic", "--noinput", verbosity=0)
    manifest = (tmp_path / "staticfiles.json").read_text()
    assert "obligations/vendor/uswds/css/uswds.min.css" in manifest
    hashed = next((tmp_path / "obligations/vendor/uswds/css").glob("uswds.min.*.css"))
    assert "../fonts/source-sans-pro/sourcesanspro-regular-webfont." in hashed.read_text()


class Structure(HTMLParser):
    """What the accessibility groundwork checks: links without a name, interactive elements
    inside others, empty table headers, and the ids on the page."""

    INTERACTIVE = {"a", "button", "select", "textarea"}

    def __init__(self):
        super().__init__()
        self.stack, self.ids, self.problems = [], set(), []
        self.text = []  # per open <a> or <th>: the text seen inside it

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        control = tag in self.INTERACTIVE and (tag != "a" or "href" in attrs)
        if control and any(t in self.INTERACTIVE for t, _ in self.stack):
            self.problems.append(f"<{tag}> inside another interactive element")
        if tag in ("a", "th", "button"):
            self.stack.append((tag, attrs))
            self.text.append(attrs.get("aria-label", ""))
        elif tag == "img" and self.text:
            self.text[-1] += attrs.get("alt", "")
        elif tag in self.INTERACTIVE:
            self.stack.append((tag, attrs))
            self.text.append("-")

    def handle_endtag(self, tag):
        if self.stack and self.stack[-1][0] == tag:
            _, attrs = self.stack.pop()
            text = self.text.pop()
            if tag in ("a", "th", "button") and not text.strip():
                self.problems.append(f"empty <{tag}> {attrs}")

    def handle_data(self, data):
        if self.text:
            self.text[-1] += data


def structure(html: str) -> Structure:
    parser = Structure()
    parser.feed(html)
    return parser


@pytest.fixture
def reader(client, people):
    client.force_login(people["reader"])
    return client


@pytest.mark.django_db
def test_skip_link_and_the_current_section_in_the_navigation(reader, eo_13768, pinned_today):
    html = reader.get(reverse("obligation_list")).content.decode()
    assert '<a class="usa-skipnav" href="#main-content">Skip to main content</a>' in html
    assert "main-content" in structure(html).ids
    nav = html[html.index('<nav aria-label="Primary navigation"') : html.index("</nav>")]
    current = re.findall(r'<a class="usa-nav-link usa-current" href="([^"]*)" aria-current="page">',
                         nav)  # fmt: skip
    assert current == [reverse("obligation_list")] and nav.count("aria-current") == 1
    # a page inside a section marks it too, as "true" (not this very page)
    obligation = eo_13768.obligations.first()
    inside = reader.get(obligation.get_absolute_url()).content.decode()
    nav = inside[inside.index('<nav aria-label="Primary navigation"') :]
    assert f'href="{reverse("obligation_list")}" aria-current="true"' in nav
    # sign-out is a button in a form, not inside a link
    assert re.search(r"<form[^>]*action=\"/accounts/logout/\".*?<button[^>]*usa-button--unstyled",
                     html, flags=re.DOTALL)  # fmt: skip


@pytest.mark.django_db
def test_pages_have_no_empty_links_headers_or_nested_controls(
    reader, eo_13768, pinned_today, make_feed, people
):
    make_feed(people["reader"], name="Mine")
    occurrence = Occurrence.objects.filter(obligation__order=eo_13768).first()
    pages = [
        reverse("obligation_list"), reverse("order_list"), eo_13768.get_absolute_url(),
        reverse("calendar") + "?month=2017-04", reverse("feed_list"),
        reverse("reminder_preferences"), reverse("effect_list"), reverse("timeline", args=[eo_13768.pk]),
        occurrence.get_absolute_url(), occurrence.obligation.get_absolute_url(), "/no-such-page/",
    ]  # fmt: skip
    for url in pages:
        found = structure(reader.get(url).content.decode())
        assert found.problems == [], url
        assert "main-content" in found.ids, url


@pytest.mark.django_db
def test_the_csp_stays_strict(reader, eo_13768):
    response = reader.get(reverse("obligation_list"))
    csp = response["Content-Security-Policy"]
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";") if " " in d.strip())
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    html = response.content.decode()
    assert "<script>" not in html and " style=" not in html  # only files, no inline code


@pytest.mark.django_db
def test_overdue_items_carry_a_red_tag_with_days_late(reader, eo_13768, pinned_today):
    tag = re.compile(
        r'<span class="usa-tag status status-overdue">overdue · (\d+) days late</span>'
    )
    listing = reader.get(reverse("obligation_list")).content.decode()
    assert tag.search(listing)
    occurrence = Occurrence.objects.get(obligation__order=eo_13768, due="2017-04-25",
                                        agency__abbreviation="DHS", obligation__section="15")  # fmt: skip
    page = reader.get(occurrence.get_absolute_url()).content.decode()
    assert tag.search(page).group(1) == "90"  # 2017-04-25 to 2017-07-24
    detail = reader.get(occurrence.obligation.get_absolute_url()).content.decode()
    assert tag.search(detail).group(1) == "90"
    # done is not late: a submitted track says so in words
    Occurrence.objects.filter(pk=occurrence.pk).update(status="submitted")
    page = reader.get(occurrence.get_absolute_url()).content.decode()
    assert '<span class="usa-tag status status-submitted">submitted</span>' in page


@pytest.mark.django_db
def test_error_pages_say_why_and_what_to_do(reader, client):
    html = reader.get("/no-such-page/").content.decode()
    assert "<strong>Why:</strong>" in html and "What you can do" in html
    assert f'href="{reverse("home")}"' in html
    from django.template.loader import render_to_string

    for name in ("500.html", "503.html"):  # standalone: no request, no context
        page = render_to_string(name)
        assert "<strong>Why:</strong>" in page and "uswds.min.css" in page and 'href="/"' in page


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_public_record_link_when_the_public_site_is_on(client, people, settings):
    settings.PUBLIC_SITE = True
    anonymous = client.get(reverse("login")).content.decode()
    assert '<a class="usa-nav-link" href="/public/"><span>Public record</span></a>' in anonymous
    client.force_login(people["reader"])
    signed_in = client.get(reverse("order_list")).content.decode()
    assert "Public record" in signed_in
    settings.PUBLIC_SITE = False
    assert "Public record" not in client.get(reverse("order_list")).content.decode()


# In the browser -----------------------------------------------------------------------------

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]  # fmt: skip
# Any violation of the CSP, collected from the page (USWDS's script must not need inline code).
WATCH_CSP = """window.__csp = [];
document.addEventListener("securitypolicyviolation",
  (e) => window.__csp.push(e.violatedDirective + " " + e.blockedURI));"""
needs_chromium = pytest.mark.skipif(not CHROMIUM, reason="Debian's chromium is not installed")


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield browser
        browser.close()


def signed_in_page(browser, live_server, width, username="reader"):
    context = browser.new_context(viewport={"width": width, "height": 900})
    context.add_init_script(WATCH_CSP)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "pw-for-tests-only")
    page.click("button:has-text('Sign in')")
    page.wait_for_url(f"{live_server.url}/")
    return page


def shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"uswds-{name}.png"))


@pytest.mark.django_db(transaction=True)
@needs_chromium
def test_nothing_overflows_a_phone(browser, live_server, people, eo_13768, make_feed):
    width = 390
    make_feed(people["reader"], name="All my obligations, every agency, with alerts")
    page = signed_in_page(browser, live_server, width)
    pages = {
        "obligations": "/obligations/", "order": eo_13768.get_absolute_url(),
        "calendar": "/calendar/?month=2017-04", "feeds": "/feeds/", "reminders": "/reminders/",
        "occurrence": Occurrence.objects.filter(obligation__order=eo_13768).first().get_absolute_url(),
    }  # fmt: skip
    for name, url in pages.items():
        page.goto(live_server.url + url)
        assert page.evaluate("document.documentElement.scrollWidth") <= width, name
        shot(page, f"{name}-{width}")
        assert page.evaluate("window.__csp") == [], name
    # the stacked table names each value with its column
    page.goto(live_server.url + "/obligations/")
    label = page.evaluate(
        "getComputedStyle(document.querySelector('#obligations td[data-label=Timing]'), "
        "'::before').content"
    )
    assert label == '"Timing"'
    # the menu opens with USWDS's script (no inline script needed under the CSP)
    page.click("button.usa-menu-btn")
    assert page.locator("nav.usa-nav a:has-text('Feeds')").is_visible()
    page.wait_for_timeout(500)  # the drawer slides in
    shot(page, "menu-390")
    assert page.evaluate("window.__csp") == []


@pytest.mark.django_db(transaction=True)
@needs_chromium
def test_the_revoke_button_is_inside_the_window_at_1280(browser, live_server, people, make_feed):
    make_feed(people["reader"], name="All my obligations, every agency, with alerts")
    page = signed_in_page(browser, live_server, 1280)
    page.goto(live_server.url + "/feeds/")
    box = page.locator("button:has-text('Revoke')").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 1280
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    shot(page, "feeds-1280")
    page.goto(live_server.url + "/reminders/")
    # the hint sits below its control, never over a checkbox
    overlaps = page.evaluate("""() => [...document.querySelectorAll('.usa-hint')].filter(h => {
        const a = h.getBoundingClientRect();
        return [...document.querySelectorAll('.usa-checkbox__label, select, input')].some(c => {
          const b = c.getBoundingClientRect();
          return a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
        });
      }).length""")
    assert overlaps == 0
    # a multiple select shows several options, not one clipped line
    assert page.evaluate("document.querySelector('select[multiple]').clientHeight") > 100
    shot(page, "reminders-1280")
    assert page.evaluate("window.__csp") == []
