"""iCalendar feeds: content (read back with icalendar and the stricter `ical`), our own lint,
HTTP caching, and tokens."""

import io
import logging
import re
import secrets
from datetime import date, timedelta

import pytest
import time_machine
from django.urls import reverse
from ical.calendar_stream import IcsCalendarStream
from icalendar import Calendar

from obligations.logfilters import RedactFeedTokens
from obligations.models import Feed, Occurrence

pytestmark = pytest.mark.django_db


def url(token):
    return reverse("feed_ics", args=[token])


def fetch(client, token, **headers):
    return client.get(url(token), headers=headers)


def events(body):
    return Calendar.from_ical(body).walk("VEVENT")


def due_dates(occurrences):
    """How many due dates (obligation, sequence) the occurrences (tracks) are of."""
    return occurrences.order_by().values("obligation", "sequence").distinct().count()


def test_one_all_day_event_per_occurrence(client, people, eo_13768, make_feed):
    _, token = make_feed(people["reader"])
    response = fetch(client, token)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    found = events(response.content)
    assert len(found) == due_dates(Occurrence.objects.all()) == 245  # one per due date
    report = next(e for e in found if str(e["SUMMARY"]).startswith("EO 13768 §15"))
    assert report.decoded("DTSTART") == date(2017, 4, 25)
    assert report.decoded("DTEND") == date(2017, 4, 26)  # exclusive end
    assert "2017-01-25 (signed) + 90 calendar days" in str(report["DESCRIPTION"])
    assert str(report["URL"]).startswith("http://testserver/obligations/")  # DHS's and DOJ's
    assert str(report["SUMMARY"]).endswith("[DHS open; DOJ open]")
    assert set(report["CATEGORIES"].cats) >= {"EO 13768", "DHS", "deadline"}


def test_calendar_level_properties(client, people, eo_13768, make_feed):
    _, token = make_feed(people["reader"], name="DHS deadlines")
    body = fetch(client, token).content.decode()
    head = body.split("BEGIN:VEVENT")[0]
    assert "NAME:DHS deadlines\r\n" in head and "X-WR-CALNAME:DHS deadlines\r\n" in head
    assert "METHOD:" not in head  # not an iTIP message (test_feed_lifecycle)
    assert "REFRESH-INTERVAL;VALUE=DURATION:PT6H\r\n" in head
    assert "X-PUBLISHED-TTL:PT6H\r\n" in head
    assert "\r\nUID:" not in head  # no calendar-level UID (it collapses feeds in vdirsyncer)


def test_the_strict_ical_parser_reads_it(client, people, eo_13768, make_feed):
    _, token = make_feed(people["reader"])
    calendar = IcsCalendarStream.calendar_from_ics(fetch(client, token).content.decode())
    assert len(calendar.events) == 245
    assert all(e.dtstart < e.dtend for e in calendar.events)


def test_lint_crlf_line_length_utc_stamps_unique_uids(client, people, eo_13768, make_feed):
    _, token = make_feed(people["reader"])
    body = fetch(client, token).content
    assert body.endswith(b"\r\n") and b"\n" not in body.replace(b"\r\n", b"")
    assert max(len(line) for line in body.split(b"\r\n")) <= 75
    text = body.decode()
    stamps = re.findall(r"^DTSTAMP:(.*)\r$", text, re.MULTILINE)
    assert stamps and all(re.fullmatch(r"\d{8}T\d{6}Z", s) for s in stamps)
    uids = re.findall(r"^UID:(.*)\r$", text, re.MULTILINE)
    assert len(uids) == len(set(uids)) == 245
    assert not any(token in u or "@" not in u for u in uids)


def test_same_data_same_bytes_at_another_time(client, people, eo_13768, make_feed):
    _, token = make_feed(people["reader"])
    with time_machine.travel("2026-01-01 12:00Z"):
        first = fetch(client, token)
    with time_machine.travel("2026-03-05 08:30Z"):
        second = fetch(client, token)
    assert first.content == second.content
    assert first["ETag"] == second["ETag"]


def test_a_change_raises_sequence_and_cancels_waived(client, people, eo_13768, make_feed):
    _, token = make_feed(people["reader"])
    before = {str(e["UID"]): e for e in events(fetch(client, token).content)}
    occurrence = Occurrence.objects.filter(obligation__section="6").first()
    occurrence.change_status(Occurrence.Status.WAIVED, note="no longer needed")
    after = {str(e["UID"]): e for e in events(fetch(client, token).content)}
    assert before.keys() == after.keys()
    changed = [u for u in after if after[u]["SEQUENCE"] != before[u]["SEQUENCE"]]
    assert len(changed) == 1
    assert after[changed[0]]["STATUS"] == "CANCELLED"
    assert after[changed[0]]["SEQUENCE"] == before[changed[0]]["SEQUENCE"] + 1


def test_alarms_only_when_the_feed_asks(client, people, eo_13768, make_feed):
    _, plain = make_feed(people["reader"])
    _, alarmed = make_feed(people["reader"], name="with alerts", alarms=True)
    assert b"BEGIN:VALARM" not in fetch(client, plain).content
    assert fetch(client, alarmed).content.count(b"BEGIN:VALARM") == 245


def test_filters(client, people, eo_13768, import_fixture, make_feed):
    import_fixture("eo-13780.txt")
    _, token = make_feed(people["dhs"], order=eo_13768, kind="deadline")
    summaries = [str(e["SUMMARY"]) for e in events(fetch(client, token).content)]
    assert summaries and all(s.startswith("EO 13768") for s in summaries)
    deadlines = Occurrence.objects.filter(
        obligation__order=eo_13768, obligation__rule__kind="deadline"
    )
    assert len(summaries) == due_dates(deadlines)
    _, mine = make_feed(people["dos"], mine=True)  # the DOS user's agency has nothing in EO 13768
    assert all(not s.startswith("EO 13768") for s in map(str, _summaries(client, mine)))


def _summaries(client, token):
    return [e["SUMMARY"] for e in events(fetch(client, token).content)]


def test_conditional_requests_get_304(client, people, eo_13768, make_feed):
    _, token = make_feed(people["reader"])
    full = fetch(client, token)
    assert full["Cache-Control"] == "private, max-age=300"
    assert full["Referrer-Policy"] == "no-referrer"
    assert "Content-Encoding" not in full
    again = fetch(client, token, if_none_match=full["ETag"])
    assert again.status_code == 304 and again.content == b""
    assert again["ETag"] == full["ETag"]
    since = fetch(client, token, if_modified_since=full["Last-Modified"])
    assert since.status_code == 304
    Occurrence.objects.first().change_status(Occurrence.Status.SUBMITTED)
    changed = fetch(client, token, if_none_match=full["ETag"])
    assert changed.status_code == 200 and changed["ETag"] != full["ETag"]


def test_head_gives_the_headers_without_the_body(client, people, eo_13768, make_feed):
    _, token = make_feed(people["reader"])
    full = fetch(client, token)
    head = client.head(url(token))
    assert head.status_code == 200 and head.content == b""
    assert head["Content-Length"] == str(len(full.content))
    assert head["ETag"] == full["ETag"]
    assert client.post(url(token)).status_code == 405


def forged(_):
    return secrets.token_urlsafe(32)


@pytest.mark.parametrize(
    "path",
    [
        lambda token: url(forged(token)),
        lambda token: url(token)[:-8] + ("A" if url(token)[-8] != "A" else "B") + url(token)[-7:],
        lambda token: "/calendar/" + token[:20] + ".ics",
        lambda token: "/calendar/../" + token + ".ics",
        lambda token: "/calendar/%2e%2e%2f" + token[:34] + ".ics",
        lambda token: "/calendar/" + token + ".ics/../../admin/",
        lambda token: "/calendar/" + token + ".json",
    ],
)
def test_bad_tokens_get_a_bare_404(client, people, eo_13768, make_feed, path):
    _, token = make_feed(people["reader"])
    response = client.get(path(token))
    assert response.status_code == 404
    assert b"BEGIN:VCALENDAR" not in response.content and b"EO 13768" not in response.content


def test_revoked_rotated_and_inactive_feeds_are_gone(client, people, eo_13768, make_feed):
    """Gone: a revoked or replaced address shows a notice and none of its events (what it
    shows is in test_feed_lifecycle); a gone user's feeds are a 404."""
    feed, token = make_feed(people["dhs"])
    client.force_login(people["dhs"])
    rotated = client.post(reverse("feed_rotate", args=[feed.pk]))
    new_url = re.search(
        r'value="http://testserver(/calendar/[^"]+\.ics)"', rotated.content.decode()
    )
    assert len(events(fetch(client, token).content)) == 1
    assert len(events(client.get(new_url.group(1)).content)) == 245
    client.post(reverse("feed_revoke", args=[feed.pk]))
    assert len(events(client.get(new_url.group(1)).content)) == 1

    _other, other_token = make_feed(people["reader"])
    people["reader"].is_active = False
    people["reader"].save()
    assert fetch(client, other_token).status_code == 404


def test_a_new_feed_offers_one_click_subscriptions_and_a_copy_button(client, people):
    from urllib.parse import parse_qs, urlsplit

    client.force_login(people["reader"])
    page = client.post(reverse("feed_list"), {"name": "EO 13768; DHS", "kind": ""}).content.decode()
    token = re.search(r"/calendar/([A-Za-z0-9_-]{43})\.ics", page).group(1)
    https = f"http://testserver/calendar/{token}.ics"
    links = dict(re.findall(r'<a href="([^"]+)" rel="noopener noreferrer" target="_blank">([^<]+)</a>',
                            page.replace("&amp;", "&")))  # fmt: skip
    by_label = {label: urlsplit(link) for link, label in links.items()}
    google = by_label["Add to Google Calendar"]
    assert google.netloc == "calendar.google.com"
    assert parse_qs(google.query)["cid"] == [f"webcal://testserver/calendar/{token}.ics"]
    for label, host in (("Add to Outlook.com", "outlook.live.com"),
                        ("Add to Outlook (Microsoft 365)", "outlook.office.com")):  # fmt: skip
        outlook = by_label[label]
        assert outlook.netloc == host and outlook.path == "/calendar/0/addfromweb"
        assert parse_qs(outlook.query) == {"url": [https], "name": ["EO 13768; DHS"]}
    assert 'data-copy="feed-url"' in page and "obligations/copy.js" in page


def test_another_users_feed_cannot_be_rotated_or_revoked(client, people, make_feed):
    feed, _token = make_feed(people["reader"])
    client.force_login(people["dhs"])
    assert client.post(reverse("feed_rotate", args=[feed.pk])).status_code == 404
    assert client.post(reverse("feed_revoke", args=[feed.pk])).status_code == 404
    feed.refresh_from_db()
    assert feed.revoked_at is None


def test_making_a_feed_shows_the_url_once_and_stores_only_its_hash(client, people):
    client.force_login(people["reader"])
    page = client.post(reverse("feed_list"), {"name": "Everything", "kind": ""}).content.decode()
    token = re.search(r"/calendar/([A-Za-z0-9_-]{43})\.ics", page).group(1)
    assert f"webcal://testserver/calendar/{token}.ics" in page
    feed = Feed.objects.get(name="Everything")
    assert feed.token_hash != token and token not in feed.token_hash
    assert token not in client.get(reverse("feed_list")).content.decode()


def test_tokens_never_reach_the_logs(client, people, make_feed):
    """Through the handler settings.LOGGING configures: Django logs 404s with their path."""
    _, token = make_feed(people["reader"])
    (handler,) = [
        h for h in logging.getLogger("django").handlers
        if any(isinstance(f, RedactFeedTokens) for f in h.filters)
    ]  # fmt: skip
    stream = io.StringIO()
    old = handler.setStream(stream)
    try:
        wrong = forged(token)
        client.get(url(wrong))
        client.get(url(token))
    finally:
        handler.setStream(old)
    logged = stream.getvalue()
    assert "Not Found: /calendar/[redacted]" in logged
    assert wrong not in logged and token not in logged


def test_the_feed_uses_a_fixed_number_of_queries(
    client, people, eo_13768, import_fixture, make_feed, django_assert_max_num_queries
):
    _, token = make_feed(people["reader"])
    import_fixture("eo-13780.txt")
    # feed, ETag aggregate, "last fetched", occurrences, agencies, the obligations' changes
    with django_assert_max_num_queries(6):
        assert fetch(client, token).status_code == 200


def test_dates_move_when_conventions_change(client, people, eo_13768, make_feed):
    _, token = make_feed(people["reader"], order=eo_13768)
    before = {str(e["UID"]): e.decoded("DTSTART") for e in events(fetch(client, token).content)}
    from obligations.tracking import change_conventions

    weekly = eo_13768.obligations.get(section="9(b)")
    change_conventions(weekly, {**weekly.get_conventions().to_dict(), "weekday": 4})
    after = {str(e["UID"]): e.decoded("DTSTART") for e in events(fetch(client, token).content)}
    assert before.keys() <= after.keys()  # the same events, perhaps one more at the series' end
    moved = [u for u in before if after[u] != before[u]]
    assert moved and all(after[u].weekday() == 4 for u in moved)
    assert all(abs(after[u] - before[u]) < timedelta(days=7) for u in moved)


def test_icalendar_would_write_the_very_same_bytes(client, people, eo_13768, make_feed):
    """Events are built from already-typed values, not `add()`: reading the feed back and
    writing it again with icalendar changes nothing, alarms included."""
    _, token = make_feed(people["reader"], alarms=True)
    body = fetch(client, token).content
    assert body.count(b"BEGIN:VALARM") == 245
    assert Calendar.from_ical(body).to_ical() == body


def test_one_event_per_occurrence_however_many_agencies_match(client, people, make_feed):
    """The agency filters must not repeat an occurrence once per matching agency."""
    from obligations.models import Agency
    from tests.conftest import make_obligation, make_occurrence

    dhs, dos = Agency.objects.get(abbreviation="DHS"), Agency.objects.get(abbreviation="DOS")
    obligation = make_obligation()
    obligation.agencies.add(dos, dhs)
    for sequence in (1, 2):
        make_occurrence(obligation, sequence=sequence)
    people["dhs"].groups.add(dos.group)  # answers for both agencies of the obligation
    for fields in ({"mine": True}, {"agency": dhs}, {}):
        _, token = make_feed(people["dhs"], **fields)
        found = events(fetch(client, token).content)
        assert sorted(str(e["UID"]) for e in found) == [
            "executive-order-99999-key-1-1@obligation-tracker",
            "executive-order-99999-key-1-2@obligation-tracker",
        ]
        # the agencies by name, as the dashboard lists them
        assert found[0]["CATEGORIES"].cats == ["EO 99999", "DHS", "DOS", "deadline"]
