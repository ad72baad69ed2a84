"""A real calendar client subscribes to a feed served by the live server: vdirsyncer's http
storage syncs it into a local vdir, khal reads what a user would see. Then a due date changes
and the next sync brings the change without duplicating anything."""

import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from django.urls import reverse
from icalendar import Calendar

from obligations.models import Occurrence

BIN = Path(sys.executable).parent
pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not (BIN / "vdirsyncer").exists(), reason="vdirsyncer is not installed"),
]

VDIRSYNCER = """[general]
status_path = "{tmp}/status/"

[pair feed]
a = "feed_remote"
b = "feed_local"
collections = null
conflict_resolution = "a wins"

[storage feed_remote]
type = "http"
url = "{url}"

[storage feed_local]
type = "filesystem"
path = "{tmp}/data/"
fileext = ".ics"
"""

KHAL = """[calendars]
[[feed]]
path = {tmp}/data/
type = calendar
readonly = True

[locale]
timeformat = %H:%M
dateformat = %Y-%m-%d
longdateformat = %Y-%m-%d
datetimeformat = %Y-%m-%d %H:%M
longdatetimeformat = %Y-%m-%d %H:%M
local_timezone = America/New_York
default_timezone = America/New_York
"""


def run(*args, tmp):
    result = subprocess.run(
        [str(BIN / args[0]), "-c", str(tmp / f"{args[0]}.conf"), *args[1:]],
        check=False, capture_output=True, text=True, timeout=120,
        env={"HOME": str(tmp), "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return result.stdout


def synced(tmp) -> list[tuple]:
    """(summary, date) of every event that landed in the vdir."""
    items = []
    for path in sorted((tmp / "data").glob("*.ics")):
        for event in Calendar.from_ical(path.read_bytes()).walk("VEVENT"):
            items.append((str(event["SUMMARY"]), event.decoded("DTSTART")))
    return items


def expected(order) -> Counter:
    """Due dates per day: one event per due date, however many agencies' tracks it has."""
    rows = Occurrence.objects.filter(obligation__order=order).order_by()
    return Counter(
        due for due, _, _ in rows.values_list("due", "obligation", "sequence").distinct()
    )


def subscribe(live_server, tmp_path, token):
    """vdirsyncer subscribed to the feed and synced once, khal set to read what it keeps."""
    feed_url = live_server.url + reverse("feed_ics", args=[token])
    (tmp_path / "data").mkdir()
    (tmp_path / "vdirsyncer.conf").write_text(VDIRSYNCER.format(tmp=tmp_path, url=feed_url))
    (tmp_path / "khal.conf").write_text(KHAL.format(tmp=tmp_path))
    run("vdirsyncer", "discover", tmp=tmp_path)
    run("vdirsyncer", "sync", tmp=tmp_path)


def test_vdirsyncer_and_khal_follow_the_feed(live_server, tmp_path, people, eo_13768, make_feed):
    _, token = make_feed(people["dhs"], order=eo_13768, name="EO 13768")
    subscribe(live_server, tmp_path, token)
    first = synced(tmp_path)
    assert len(first) == 245
    assert Counter(day for _, day in first) == expected(eo_13768)

    day = run("khal", "list", "2017-04-25", "2017-04-25", tmp=tmp_path)
    assert all(f"EO 13768 §{s}" in day for s in ("13", "15", "16"))  # the 90-day reports

    from obligations.tracking import change_conventions

    weekly = eo_13768.obligations.get(section="9(b)")
    change_conventions(weekly, {**weekly.get_conventions().to_dict(), "weekday": 4})
    run("vdirsyncer", "sync", tmp=tmp_path)
    second = synced(tmp_path)
    assert Counter(day for _, day in second) == expected(eo_13768)  # the change arrived
    assert len(second) == len(set(second)) == expected(eo_13768).total()  # and nothing doubled
    week = run("khal", "list", "2017-01-30", "2017-02-05", tmp=tmp_path)
    assert "2017-02-03" in week and "EO 13768 §9(b)" in week  # Friday now, not Wednesday


def test_a_revoked_feed_clears_what_vdirsyncer_and_khal_kept(
    live_server, tmp_path, people, eo_13768, make_feed
):
    """With a 410 or an empty calendar vdirsyncer keeps every stale event (feeds.py docstring);
    the one-event calendar a revoked feed answers replaces them."""
    feed, token = make_feed(people["dhs"], order=eo_13768, name="EO 13768")
    subscribe(live_server, tmp_path, token)
    assert len(synced(tmp_path)) == 245

    from django.utils import timezone

    feed.revoked_at = timezone.now()
    feed.save()
    run("vdirsyncer", "sync", tmp=tmp_path)
    ((summary, day),) = synced(tmp_path)
    assert summary == "The calendar feed “EO 13768” was revoked"
    assert "EO 13768 §" not in run("khal", "list", "2017-01-01", "2018-12-31", tmp=tmp_path)
    assert "was revoked" in run("khal", "list", day.isoformat(), day.isoformat(), tmp=tmp_path)
