"""The dashboard in a real browser: Debian's chromium driven by Playwright, against the live
server. Screenshots of the main pages go to artifacts/screenshots/ (not committed)."""

import os
import shutil
from pathlib import Path

import pytest

from obligations.models import Order

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make around
# it are still synchronous and safe (ECOSYSTEM.md §6).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

sync_api = pytest.importorskip("playwright.sync_api")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
SHOTS = Path(__file__).resolve().parent.parent / "artifacts" / "screenshots"
FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]  # fmt: skip

if not CHROMIUM and os.environ.get("REQUIRE_BROWSER"):
    raise RuntimeError("REQUIRE_BROWSER is set but Debian's chromium is not installed")
pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not CHROMIUM, reason="Debian's chromium is not installed (apt install chromium)"
    ),
]

ORDER_TEXT = """number: 99003
title: Securing the Widgets
signed: 2020-03-02

By the authority vested in me as President, I hereby order as follows:

Sec. 1. Review. The Secretary of Commerce shall submit a report on widget security to the President within 90 days of the date of this order.

Sec. 2. Updates. The Secretary of Commerce shall publish an update on a quarterly basis.
"""


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def sign_in(page, live_server, username):
    page.goto(f"{live_server.url}/")
    assert "/accounts/login/" in page.url
    page.fill("#id_username", username)
    page.fill("#id_password", "pw-for-tests-only")
    page.click("button:has-text('Sign in')")
    page.wait_for_url(f"{live_server.url}/")


def test_sign_in_filter_and_change_a_status(page, live_server, people, eo_13768):
    sign_in(page, live_server, "dhs")
    assert page.locator("h2:has-text('Overdue backlog')").is_visible()
    shot(page, "home")

    page.click("nav >> text=Obligations")
    page.click("summary:has-text('Filters')")
    page.select_option("#id_kind", "recurring")
    page.select_option("#id_order", str(eo_13768.pk))
    page.click("button:has-text('Filter')")
    sections = page.locator("#obligations tbody tr td:nth-child(2)").all_inner_texts()
    assert sorted(sections) == ["13", "16", "9(b)"]
    shot(page, "obligations")

    page.click("#obligations >> text=9(b)")
    assert page.locator("blockquote").inner_text().startswith("(b) To better inform")
    shot(page, "obligation")
    page.locator("table a").first.click()
    page.click("summary:has-text('Change the status')")
    page.select_option("#id_status", "submitted")
    page.fill("#id_submitted_on", "2017-02-01")
    page.fill("#id_evidence_url", "https://www.ice.gov/declined-detainer-report")
    page.fill("#id_note", "first weekly list published")
    page.click("button:has-text('Save')")
    assert page.locator(".usa-alert--success").is_visible()
    history = page.locator("ol.history").inner_text()
    assert "open → submitted" in history and "first weekly list published" in history
    shot(page, "occurrence")


def test_a_reader_sees_no_change_form(page, live_server, people, eo_13768):
    sign_in(page, live_server, "reader")
    page.goto(f"{live_server.url}/obligations/?kind=deadline")
    page.locator("#obligations tbody a").first.click()
    page.locator("table a").first.click()
    assert page.locator("summary:has-text('Change the status')").count() == 0
    assert page.locator("text=only the responsible agency").is_visible()


def test_import_a_text_and_see_it_highlighted(page, live_server, people, eo_13768):
    sign_in(page, live_server, "boss")
    page.click("nav >> text=Import")
    page.fill("#id_text", ORDER_TEXT)
    page.click("button:has-text('Preview')")
    assert page.locator("fieldset.draft").count() == 2
    shot(page, "import-preview")
    page.fill("#id_form-0-action", "widget security report")
    page.click("button:has-text('Confirm and save')")
    assert page.locator(".usa-alert--success").is_visible()
    marks = page.locator(".order-text mark")
    assert marks.count() == 2
    assert "within 90 days" in marks.first.inner_text()
    shot(page, "order")
    marks.first.click()
    assert page.locator("h1").inner_text().startswith("Sec. 1: widget security report")
    assert page.locator(
        "text=2020-03-02 (signed) + 90 calendar days = 2020-05-31 (Sun)"
    ).is_visible()


def test_an_uploaded_file_with_lf_line_ends_confirms(page, live_server, people, tmp_path):
    # The browser sends the preview's hidden text back with CRLF line ends (issue 16).
    upload = tmp_path / "order.txt"
    upload.write_bytes(ORDER_TEXT.encode())
    assert b"\r\n" not in upload.read_bytes()
    sign_in(page, live_server, "boss")
    page.click("nav >> text=Import")
    page.set_input_files("#id_file", str(upload))
    page.click("button:has-text('Preview')")
    assert page.locator("fieldset.draft").count() == 2
    page.click("button:has-text('Confirm and save')")
    assert page.locator(".usa-alert--success").is_visible()
    assert "out of date" not in page.content()
    assert Order.objects.get(number="99003").obligations.count() == 2


def test_a_new_text_is_reviewed_then_applied_keeping_corrections(page, live_server, people):
    sign_in(page, live_server, "boss")
    for text, action in ((ORDER_TEXT, "widget security report"), (ORDER_TEXT.replace(
            "within 90 days", "within 60 days").split("Sec. 2.")[0], None)):  # fmt: skip
        page.goto(f"{live_server.url}/import/")
        page.fill("#id_text", text)
        page.click("button:has-text('Preview')")
        if action:
            page.fill("#id_form-0-action", action)
        page.click("button:has-text('Confirm and save')")
    assert page.locator("h1").inner_text().endswith("text 2: pending")
    assert page.locator("p.change-summary").inner_text().startswith("0 added, 1 changed, 1 retired")
    assert page.locator("text=due 2020-05-31 → due 2020-05-01").is_visible()
    assert page.locator("text=corrections kept: action").is_visible()
    shot(page, "version-change-list")
    page.click("button:has-text('Apply text 2')")
    assert page.locator(".usa-alert--success").is_visible()
    marks = page.locator(".order-text mark")
    assert marks.count() == 1 and "within 60 days" in marks.first.inner_text()
    assert page.locator("h2:has-text('Withdrawn')").is_visible()
    marks.first.click()
    assert page.locator("h1").inner_text().startswith("Sec. 1: widget security report")


def test_calendar_timeline_and_as_of(page, live_server, people, eo_13768):
    sign_in(page, live_server, "reader")
    page.goto(f"{live_server.url}/calendar/?month=2017-04&as_of=2017-04-20")
    assert page.locator("a.due:has-text('EO 13768 §15')").count() >= 1
    shot(page, "calendar")
    page.goto(f"{live_server.url}/orders/{eo_13768.pk}/timeline/?as_of=2017-07-24")
    assert page.locator("svg circle.overdue").count() >= 2  # the 90-day reports, late by then
    shot(page, "timeline")
    page.goto(f"{live_server.url}/")
    page.fill("#as-of", "2017-04-20")
    page.click("button:has-text('Show')")
    assert "as_of=2017-04-20" in page.url
    assert page.locator("h1").inner_text() == "As of Thursday, April 20, 2017"
    shot(page, "home-as-of")


def test_phone_width_has_no_sideways_scroll(browser, live_server, people, eo_13768):
    context = browser.new_context(viewport={"width": 375, "height": 812})
    page = context.new_page()
    sign_in(page, live_server, "reader")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375
    shot(page, "home-phone")
    context.close()


def test_make_a_feed_and_fetch_it(page, live_server, people, eo_13768):
    sign_in(page, live_server, "dhs")
    page.click("nav >> text=Feeds")
    page.fill("#id_name", "DHS deadlines")
    page.click("label[for='id_mine']")  # USWDS draws the box on the label; the input is hidden
    assert page.is_checked("#id_mine")
    page.click("button:has-text('Make the feed')")
    webcal = page.locator("#webcal").get_attribute("href")
    https = page.locator("#feed-url").input_value()
    assert webcal.startswith("webcal://") and webcal[len("webcal://") :] == https.split("://")[1]
    page.wait_for_load_state("load")  # the copy script (end of the page) has run
    page.click("button:has-text('Copy the address')")  # the script loads under the CSP
    page.wait_for_selector("button:has-text('Copied')", timeout=5_000)
    shot(page, "feed")
    response = page.request.get(https)
    assert response.status == 200
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    assert "X-WR-CALNAME:DHS deadlines" in response.text()


@pytest.mark.parametrize("width", [390, 768, 1280])
def test_calendar_and_timeline_hold_at_phone_and_desktop_widths(
    browser, live_server, people, eo_13768, width
):
    """Issue 17: no sideways scroll, legible labels, year labels inside the SVG, no tab stops
    inside the timeline image, weekday headers not broken letter by letter."""
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    sign_in(page, live_server, "reader")

    page.goto(f"{live_server.url}/orders/{eo_13768.pk}/timeline/?as_of=2017-07-24")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert page.locator("svg a, svg [tabindex]").count() == 0
    assert page.locator("table.due-dates a").first.is_visible()  # the list of due dates
    if page.locator("figure.timeline svg").is_visible():
        svg = page.locator("figure.timeline svg").bounding_box()
        for label in page.locator("svg text").all():
            box = label.bounding_box()
            assert (
                box["x"] >= svg["x"] - 1 and box["x"] + box["width"] <= svg["x"] + svg["width"] + 1
            )
            assert box["height"] >= 11  # legible: not a 900-unit drawing squeezed to 390 px
    else:
        assert width < 600  # on a phone the list takes over
    shot(page, f"timeline-{width}")

    page.goto(f"{live_server.url}/calendar/?month=2017-04&as_of=2017-07-24")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert page.locator(".legend").is_visible()
    entry = page.locator("a.due:has-text('Sec. 15: progress report, 90 days')").first
    assert entry.is_visible()
    size = entry.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    assert size >= 12
    for header in page.locator("table.month thead th").all():
        if header.is_visible():  # one line each: "Sun", never "S/u/n" stacked
            line = header.evaluate("e => parseFloat(getComputedStyle(e).lineHeight) || 24")
            assert header.bounding_box()["height"] <= 2 * line + 16
    shot(page, f"calendar-{width}")
    context.close()
