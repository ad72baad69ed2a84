"""Calendar feeds over time (issue 17): a revoked or moved address, Last-Modified that follows
the ETag, an obligation's new text, a date window, "last fetched", gzip, the calendar's name and
the UID domain."""

import gzip
import re
from datetime import date, datetime

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.http import parse_http_date
from icalendar import Calendar

from obligations import revisions
from obligations.extraction import read_file
from obligations.importers import import_text
from obligations.models import Feed, Occurrence
from tests.conftest import ORDERS

pytestmark = pytest.mark.django_db

LATER = datetime.fromisoformat("2030-01-02T03:04:05+00:00")


def fetch(client, token, **headers):
    return client.get(reverse("feed_ics", args=[token]), headers=headers)


def events(body):
    return Calendar.from_ical(body).walk("VEVENT")


def by_uid(body):
    return {str(e["UID"]): e for e in events(body)}


def shown_url(page):
    return re.search(r'value="http://testserver(/calendar/[^"]+\.ics)"', page.content.decode())[1]


# Revoked and moved addresses -------------------------------------------------------------------


def test_a_revoked_feed_answers_a_calendar_of_one_event_that_says_so(client, people, eo_13768,
                                                                     make_feed):  # fmt: skip
    feed, token = make_feed(people["dhs"], name="DHS deadlines")
    assert len(events(fetch(client, token).content)) == 245
    client.force_login(people["dhs"])
    client.post(reverse("feed_revoke", args=[feed.pk]))
    client.logout()
    response = fetch(client, token)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert b"EO 13768" not in response.content  # nothing of the feed any more
    (notice,) = events(response.content)
    assert str(notice["SUMMARY"]) == "The calendar feed “DHS deadlines” was revoked"
    assert str(notice["UID"]) == "feed-retired@obligation-tracker"
    feed.refresh_from_db()
    assert notice.decoded("DTSTART") == timezone.localdate(feed.revoked_at)
    assert "http://testserver/feeds/" in str(notice["DESCRIPTION"])
    name = Calendar.from_ical(response.content)["X-WR-CALNAME"]
    assert str(name) == "DHS deadlines (revoked)"
    assert fetch(client, token).content == response.content  # byte-stable


def test_a_replaced_address_says_so_and_then_that_it_was_revoked(client, people, eo_13768,
                                                                 make_feed):  # fmt: skip
    feed, old = make_feed(people["dhs"], name="Mine")
    client.force_login(people["dhs"])
    new_url = shown_url(client.post(reverse("feed_rotate", args=[feed.pk])))
    client.logout()
    assert len(events(client.get(new_url).content)) == 245
    (notice,) = events(fetch(client, old).content)
    assert str(notice["SUMMARY"]) == "The calendar feed “Mine” has a new address"
    client.force_login(people["dhs"])
    client.post(reverse("feed_revoke", args=[feed.pk]))
    client.logout()
    for path in (reverse("feed_ics", args=[old]), new_url):
        (notice,) = events(client.get(path).content)
        assert str(notice["SUMMARY"]).endswith("was revoked")


def test_tokens_that_never_opened_a_feed_and_gone_users_still_get_a_404(client, people,
                                                                        make_feed):  # fmt: skip
    feed, token = make_feed(people["reader"])
    Feed.objects.filter(pk=feed.pk).update(revoked_at=LATER)
    assert fetch(client, token).status_code == 200
    people["reader"].is_active = False
    people["reader"].save()
    assert fetch(client, token).status_code == 404
    assert fetch(client, "A" * 43).status_code == 404


# Last-Modified, SEQUENCE and the stamps --------------------------------------------------------


def test_last_modified_moves_when_events_leave_an_open_only_feed(client, people, eo_13768,
                                                                make_feed):  # fmt: skip
    _, token = make_feed(people["reader"], pending_only=True)
    first = fetch(client, token)
    report = eo_13768.obligations.filter(section="15").first()  # the 90-day report
    for track in Occurrence.objects.filter(obligation=report, sequence=1):
        track.change_status(Occurrence.Status.SUBMITTED)
    second = fetch(client, token, if_modified_since=first["Last-Modified"])
    assert second.status_code == 200  # not a 304 that keeps the event
    assert len(events(second.content)) == len(events(first.content)) - 1
    assert second["ETag"] != first["ETag"]
    assert parse_http_date(second["Last-Modified"]) > parse_http_date(first["Last-Modified"])
    again = fetch(client, token, if_modified_since=second["Last-Modified"])
    assert again.status_code == 304 and again["Last-Modified"] == second["Last-Modified"]


def test_editing_an_obligations_text_moves_its_sequence_and_stamps(client, people, eo_13768,
                                                                   make_feed):  # fmt: skip
    _, token = make_feed(people["reader"], order=eo_13768)
    before = by_uid(fetch(client, token).content)
    text = read_file(ORDERS / "eo-13768.txt")
    edited = text.replace("a report on the progress of the directives", "a report on the "
                          "progress of all the directives")  # fmt: skip
    assert edited != text
    with time_machine.travel(LATER, tick=False):
        revisions.apply(import_text(edited).version, by=None)
    after = by_uid(fetch(client, token).content)
    assert before.keys() == after.keys()
    moved = {u for u in after if after[u]["SEQUENCE"] != before[u]["SEQUENCE"]}
    assert moved and all("§15" in str(after[u]["SUMMARY"]) for u in moved)
    assert any("all the directives" in str(after[u]["DESCRIPTION"]) for u in moved)
    for uid in moved:
        old, new = before[uid], after[uid]
        assert new["SEQUENCE"] > old["SEQUENCE"]
        assert new.decoded("DTSTART") == old.decoded("DTSTART")
        assert new.decoded("DTSTAMP") == new.decoded("LAST-MODIFIED") == LATER
        assert old.decoded("DTSTAMP") < LATER
    unmoved = [u for u in after if u not in moved]
    assert unmoved and all(after[u].to_ical() == before[u].to_ical() for u in unmoved)


# The calendar itself ----------------------------------------------------------------------------


def test_the_calendar_name_is_escaped_text(client, people, eo_13768, make_feed):
    _, token = make_feed(people["reader"], name="EO 13768; only, DHS")
    head = fetch(client, token).content.decode().split("BEGIN:VEVENT")[0]
    assert "\r\nNAME:EO 13768\\; only\\, DHS\r\n" in head
    assert "\r\nX-WR-CALNAME:EO 13768\\; only\\, DHS\r\n" in head


def test_no_method_so_no_itip_organizer_is_needed(client, people, eo_13768, make_feed):
    """libical reads METHOD:PUBLISH as an iTIP message and then wants an ORGANIZER."""
    _, token = make_feed(people["reader"])
    body = fetch(client, token).content
    assert b"\r\nMETHOD:" not in body and b"ORGANIZER" not in body


def test_the_uid_domain_is_a_setting_or_the_site_urls_host(client, people, make_feed, settings):
    from obligations.models import Agency
    from tests.conftest import make_obligation, make_occurrence

    obligation = make_obligation()
    obligation.agencies.add(Agency.objects.get(abbreviation="DHS"))
    make_occurrence(obligation, sequence=1)
    _, token = make_feed(people["reader"])

    def uid():
        (event,) = events(fetch(client, token).content)
        return str(event["UID"])

    assert uid() == "executive-order-99999-key-1-1@obligation-tracker"  # as it always was
    settings.FEED_UID_DOMAIN = "tracker.example.gov"
    assert uid() == "executive-order-99999-key-1-1@tracker.example.gov"
    settings.FEED_UID_DOMAIN = ""
    settings.SITE_URL = "https://Obligations.Example.org:8443/tracker/"
    assert uid() == "executive-order-99999-key-1-1@obligations.example.org"


# gzip --------------------------------------------------------------------------------------------


def test_gzip_when_the_client_accepts_it_with_etags_and_304s(client, people, eo_13768,
                                                            make_feed):  # fmt: skip
    _, token = make_feed(people["reader"])
    plain = fetch(client, token)
    packed = fetch(client, token, accept_encoding="gzip, deflate")
    assert packed["Content-Encoding"] == "gzip" and "Content-Encoding" not in plain
    assert all("Accept-Encoding" in r["Vary"] for r in (plain, packed))
    assert gzip.decompress(packed.content) == plain.content
    assert len(packed.content) * 10 < len(plain.content)
    assert packed["Content-Length"] == str(len(packed.content))
    assert packed["ETag"] == "W/" + plain["ETag"]  # the same version, another representation
    for tag in (plain["ETag"], packed["ETag"]):
        for encoding in ("gzip", "identity"):
            again = fetch(client, token, if_none_match=tag, accept_encoding=encoding)
            assert again.status_code == 304
            assert again["ETag"] == (packed if encoding == "gzip" else plain)["ETag"]
    assert fetch(client, token, accept_encoding="gzip").content == packed.content  # cached
    head = client.head(reverse("feed_ics", args=[token]), headers={"accept-encoding": "gzip"})
    assert head.content == b"" and head["Content-Length"] == packed["Content-Length"]


def test_gzip_can_be_turned_off(client, people, eo_13768, make_feed, settings):
    settings.FEED_GZIP = False
    _, token = make_feed(people["reader"])
    response = fetch(client, token, accept_encoding="gzip")
    assert "Content-Encoding" not in response and response.content.startswith(b"BEGIN:VCALENDAR")


# A date window and "last fetched" --------------------------------------------------------------


def test_a_feed_can_start_some_days_ago(client, people, eo_13768, make_feed, monkeypatch):
    monkeypatch.setattr("obligations.clock.today", lambda: date(2017, 7, 24))
    _, all_of_them = make_feed(people["reader"])
    _, recent = make_feed(people["reader"], window_days=90)
    start = date(2017, 4, 25)  # 90 days before 2017-07-24
    everything = by_uid(fetch(client, all_of_them).content)
    shown = by_uid(fetch(client, recent).content)
    assert shown and set(shown) < set(everything)
    assert all(e.decoded("DTSTART") >= start for e in shown.values())
    assert {u for u, e in everything.items() if e.decoded("DTSTART") >= start} == set(shown)
    first = fetch(client, recent)
    monkeypatch.setattr("obligations.clock.today", lambda: date(2017, 10, 1))
    later = fetch(client, recent, if_none_match=first["ETag"])
    assert later.status_code == 200 and len(events(later.content)) < len(shown)


def test_the_window_is_set_in_the_form_and_shown_with_last_fetched(client, people, eo_13768):
    client.force_login(people["reader"])
    made = client.post(reverse("feed_list"), {"name": "Recent", "kind": "", "window_days": "90"})
    feed = Feed.objects.get(name="Recent")
    assert feed.window_days == 90 and feed.fetched_at is None
    page = client.get(reverse("feed_list")).content.decode()
    assert "from 90 days ago" in page and "never" in page
    with time_machine.travel(LATER, tick=False):
        assert Client().get(shown_url(made)).status_code == 200  # an app: no session
    feed.refresh_from_db()
    assert feed.fetched_at == LATER
    shown = timezone.localtime(LATER).strftime("%Y-%m-%d %H:%M")
    assert shown in client.get(reverse("feed_list")).content.decode()
    refused = client.post(reverse("feed_list"), {"name": "x", "kind": "", "window_days": "-1"})
    assert refused.status_code == 200 and not Feed.objects.filter(name="x").exists()
