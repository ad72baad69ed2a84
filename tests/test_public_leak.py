"""Nothing internal leaks through the public record. EO 13768 is seeded with a canary string in
every internal place (notes of tracks, history, obligation changes, versions and effects; a file
not marked public, its name and its bytes; the notes of a public file; people's user names,
names and e-mail addresses; feed names; reminder rows), then an anonymous visitor crawls every
public page, export and feed it can reach from /public/ (as today and as of past days), and no
canary may appear in any answer. The crawler follows links, not a list of pages: what other
engineers add under /public/ is covered once it is linked."""

import re
from collections import deque
from datetime import date
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import reverse

from obligations import effects
from obligations.evidence import attach
from obligations.models import (
    Follow,
    Obligation,
    Occurrence,
    OrderEffect,
    OrderVersion,
    Reminder,
    ReminderPreference,
)
from obligations.tracking import change_conventions, change_series, record_progress
from tests.conftest import agency_user, role_user
from tests.test_authorization import site_patterns

pytestmark = pytest.mark.django_db

LIMIT = 3000  # pages per crawl: bounded, far above what the fixture's links reach
DOWNLOADS = (".ics", ".csv", ".json", ".atom")
START = ["/public/", "/public/?as_of=2017-04-19", "/public/?as_of=2017-06-01",
         "/public/?as_of=2021-02-01"]  # fmt: skip
CANARIES = {
    name: f"CANARY{name.upper().replace('_', '')}Q7X"
    for name in (
        "occurrence_note", "status_note", "obligation_change_note", "series_note",
        "private_file_name", "private_file_bytes", "private_file_note", "public_file_note",
        "version_note", "effect_note", "effect_apply_note", "username", "first_name",
        "last_name", "email", "verifier_username", "verifier_last_name", "feed_name",
        "reminder_error", "rkind",
    )
}  # fmt: skip


def canary(name):
    return CANARIES[name]


@pytest.fixture
def seeded(settings, tmp_path, import_fixture, make_feed):
    """EO 13768 (and EO 13993, whose revocation is applied) with canaries everywhere internal,
    and with public facts beside them (a submission, a verification, a public file)."""
    settings.PUBLIC_SITE = True
    settings.MEDIA_ROOT = tmp_path
    order = import_fixture("eo-13768.txt").order
    dhs = order.obligations.get(section="15", rule__offset="90 days").agencies.get(
        abbreviation="DHS"
    )
    staff = agency_user(canary("username"), dhs)
    staff.first_name, staff.last_name = canary("first_name"), canary("last_name")
    staff.email = f"{canary('email')}@example.gov"
    staff.save()
    verifier = role_user(canary("verifier_username"), "Verifiers")
    verifier.last_name, verifier.email = canary("verifier_last_name"), "v@example.gov"
    verifier.save()

    # A track reported and verified, with notes on the track and on each history row.
    report = Occurrence.objects.filter(
        obligation__order=order, obligation__section="15", agency=dhs
    ).order_by("due")[0]
    record_progress(
        report, "submitted", by=staff, note=canary("status_note"), submitted_on=date(2017, 4, 20),
        published_on=date(2017, 4, 21), evidence_url="https://www.dhs.gov/r90",
        notes=canary("occurrence_note"),
    )  # fmt: skip
    private = attach(
        report, SimpleUploadedFile(f"{canary('private_file_name')}.txt",
                                   canary("private_file_bytes").encode()),
        by=staff, purpose="evidence", note=canary("private_file_note"),
    )  # fmt: skip
    public = attach(
        report, SimpleUploadedFile("report-90.txt", b"The 90-day report.\n"),
        by=staff, purpose="evidence", note=canary("public_file_note"), public=True,
    )  # fmt: skip
    record_progress(
        report, "verified", by=verifier, note=canary("status_note"),
        verified_on=date(2017, 5, 2), verification_url="https://oig.example.gov/r90",
    )  # fmt: skip
    # Another track in progress, its notes only (no public date).
    other = Occurrence.objects.filter(obligation__order=order, agency=dhs).exclude(pk=report.pk)
    other = other.order_by("due", "pk")[0]
    record_progress(other, "in_progress", by=staff, note=canary("status_note"),
                    notes=canary("occurrence_note"))  # fmt: skip
    # How an obligation's dates are counted, and how a series is run: their notes.
    weekly = order.obligations.get(section="9(b)")
    change_conventions(weekly, {**weekly.get_conventions().to_dict(), "day_count": "roll"},
                       by=staff, note=canary("obligation_change_note"))  # fmt: skip
    change_series(
        weekly, {"action": "suspend", "on": date(2017, 6, 2), "authority": "DHS memo 17-2"},
        by=staff, note=canary("series_note"),
    )  # fmt: skip
    OrderVersion.objects.filter(order=order).update(note=canary("version_note"))
    # EO 13993 revokes EO 13768: the effect's notes (the proposal's, and the one it was applied
    # with, which the history rows it writes carry).
    import_fixture("eo-13993.txt")
    effect = OrderEffect.objects.get(target=order)
    OrderEffect.objects.filter(pk=effect.pk).update(note=canary("effect_note"))
    effects.apply(effect, by=staff, note=canary("effect_apply_note"))
    # Feeds, reminder settings and rows, follows.
    make_feed(staff, name=canary("feed_name"))
    ReminderPreference.objects.create(user=staff, digest=False)
    Reminder.objects.create(
        occurrence=report, user=staff, kind=canary("rkind"),
        send_after="2017-04-01T12:00:00Z", state="failed", last_error=canary("reminder_error"),
    )  # fmt: skip
    Follow.objects.create(user=staff, obligation=weekly)
    return {"order": order, "report": report, "private": private, "public": public,
            "staff": staff}  # fmt: skip


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("href", "src", "action") and value:
                self.found.append(value)


# Addresses inside non-HTML answers (an Atom feed's links, a JSON export's URLs, an .ics URL:).
URL_IN_TEXT = re.compile(r"""(?:https?://testserver)?(/public/[^\s"'<>\\]*)""")


def links(base, response, text) -> list[str]:
    if "html" in response.get("Content-Type", ""):
        parser = Links()
        parser.feed(text)
        found = parser.found
    else:
        # An .ics folds long lines (a newline and a space): unfold before reading addresses; a
        # sentence's closing punctuation is not part of the address it ends with.
        found = [
            url.rstrip(".,;:)") for url in URL_IN_TEXT.findall(re.sub(r"\r?\n[ \t]", "", text))
        ]
    return [urldefrag(urljoin(base, link))[0] for link in found]


def followed(url) -> bool:
    """Same site, and under /public/ or a download (.ics, .csv, .json, .atom)."""
    parts = urlsplit(url)
    if parts.scheme not in ("", "http", "https") or parts.netloc not in ("", "testserver"):
        return False
    return parts.path.startswith("/public/") or parts.path.endswith(DOWNLOADS)


def body(response) -> bytes:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    headers = "\n".join(f"{k}: {v}" for k, v in response.items())
    return headers.encode() + b"\n" + content


def crawl(client, start=START, limit=LIMIT):
    """Breadth first from `start`: {url: (status, body)} of every page reached."""
    seen, queue, pages = set(start), deque(start), {}
    while queue and len(pages) < limit:
        url = queue.popleft()
        response = client.get(url)
        raw = body(response)
        pages[url] = (response.status_code, raw)
        if response.status_code != 200:
            continue
        for link in links("http://testserver" + url, response, raw.decode("utf-8", "replace")):
            path = link.removeprefix("http://testserver")
            if followed(link) and path not in seen:
                seen.add(path)
                queue.append(path)
    return pages


def test_no_internal_value_appears_on_any_public_page(seeded):
    # The canaries are real: signed-in pages show the internal notes they hold.
    client = Client()
    client.force_login(
        User.objects.create_superuser("q7x-admin-canary", password="pw-for-tests-only")
    )
    inside = client.get(reverse("occurrence_detail", args=[seeded["report"].pk])).content.decode()
    assert canary("status_note") in inside and canary("occurrence_note") in inside

    pages = crawl(Client())
    print(f"{len(pages)} public pages crawled")
    assert len(pages) < LIMIT, "the crawl did not finish"
    bad = {url: status for url, (status, _) in pages.items() if status not in (200, 304)}
    assert not bad, bad
    leaks = [
        (url, name)
        for url, (_, raw) in pages.items()
        for name, value in CANARIES.items()
        if value.encode() in raw or value.lower().encode() in raw.lower()
    ]
    assert not leaks, leaks[:20]
    # People's names as a person would write them ("First Last"), and every user name.
    staff = seeded["staff"]
    names = [staff.get_full_name(), *User.objects.values_list("username", flat=True)]
    named = [
        (url, name)
        for url, (_, raw) in pages.items()
        for name in names
        if re.search(rf"\b{re.escape(name)}\b", raw.decode("utf-8", "replace"))
    ]
    assert not named, named[:20]
    # What the crawl must have reached: every obligation, the public file, the past days.
    order = seeded["order"]
    for obligation in Obligation.objects.filter(order=order, withdrawn_by=None):
        assert reverse("public_obligation", args=["eo-13768", obligation.key]) in pages
    public = seeded["public"]
    assert reverse("public_evidence", args=[public.pk, public.name]) in pages
    assert any("as_of=2017-04-19" in url and "/obligations/" in url for url in pages)
    assert any("page=2" in url for url in pages)
    # The public facts are there (the crawl read real pages, not empty ones).
    everything = b"".join(raw for _, raw in pages.values()).decode("utf-8", "replace")
    assert "https://oig.example.gov/r90" in everything and "The 90-day report." in everything


def test_a_private_file_has_no_public_address(seeded):
    client = Client()
    private = seeded["private"]
    assert client.get(reverse("public_evidence", args=[private.pk, private.name])).status_code == (
        404
    )
    # Nor does guessing: every id up to the last file's, under the private file's name too.
    public = seeded["public"]
    for pk in range(1, public.pk + 5):
        for name in (private.name, public.name):
            response = client.get(reverse("public_evidence", args=[pk, name]))
            expected = 200 if (pk, name) == (public.pk, public.name) else 404
            assert response.status_code == expected, (pk, name)


def test_with_the_site_off_nothing_under_public_is_reachable(seeded):
    reached = crawl(Client(), start=["/public/"], limit=100)
    assert len(reached) > 20
    with override_settings(PUBLIC_SITE=False):
        client = Client()
        for url in reached:
            assert client.get(url).status_code == 404, url
        # Every public route, whatever its parameters (those of the URL conf, filled in).
        for name, route in site_patterns():
            if route.startswith("public/"):
                path = "/" + re.sub(r"<(?:\w+:)?\w+>", "1", route)
                assert client.get(path).status_code == 404, name


def test_internal_pages_still_ask_anonymous_visitors_to_sign_in(seeded):
    client = Client()
    report, private = seeded["report"], seeded["private"]
    for url in [
        reverse("home"),
        reverse("obligation_list"),
        reverse("obligation_list") + "?format=csv",
        reverse("order_detail", args=[seeded["order"].pk]),
        reverse("obligation_detail", args=[report.obligation.pk]),
        reverse("occurrence_detail", args=[report.pk]),
        reverse("evidence_download", args=[private.pk, private.name]),
        reverse("calendar"),
        reverse("feed_list"),
        reverse("effect_list"),
    ]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login")), url


def test_the_crawler_finds_a_planted_leak(seeded, monkeypatch):
    """The crawl can fail: a page that showed a track's notes would be caught."""
    from obligations import public

    original = public.public_track

    def leaky(occurrence, day, files=(), history=()):
        track = original(occurrence, day, files, history)
        track["explanation"] += " " + Occurrence.objects.get(pk=occurrence.pk).notes
        return track

    monkeypatch.setattr(public, "public_track", leaky)
    report = seeded["report"].obligation
    start = reverse("public_obligation", args=["eo-13768", report.key])
    pages = crawl(Client(), start=[start], limit=3)
    assert any(canary("occurrence_note").encode() in raw for _, raw in pages.values())
