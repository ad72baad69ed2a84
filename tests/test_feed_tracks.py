"""Feeds with a track per agency: one event per due date carrying each shown track's state."""

from datetime import UTC, date, datetime

import pytest
from icalendar import Calendar

from obligations.models import Agency, Occurrence
from tests.conftest import agency_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def doj(people, eo_13768):
    return agency_user("doj", Agency.objects.get(abbreviation="DOJ"))


def events(client, token):
    response = client.get(f"/calendar/{token}.ics")
    assert response.status_code == 200
    return Calendar.from_ical(response.content).walk("VEVENT")


def reports(order):
    """The tracks of the first §15 report (due 2017-04-25): DHS's and DOJ's."""
    rows = Occurrence.objects.filter(
        obligation__order=order, obligation__section="15", due=date(2017, 4, 25)
    )
    return {o.agency.abbreviation: o for o in rows.select_related("agency")}


def report_event(found, order):
    track = reports(order)["DHS"]
    uid = f"executive-order-13768-{track.obligation.key}-{track.sequence}@obligation-tracker"
    (event,) = [e for e in found if str(e["UID"]) == uid]
    return event


def test_two_tracks_one_event_with_both_states(client, people, eo_13768, make_feed):
    _, token = make_feed(people["reader"])
    tracks = reports(eo_13768)
    tracks["DHS"].change_status(Occurrence.Status.SUBMITTED)
    tracks["DHS"].refresh_from_db()
    event = report_event(events(client, token), eo_13768)
    assert str(event["SUMMARY"]) == (
        "EO 13768 §15: progress report, 90 days [DHS submitted; DOJ open]"
    )
    assert event["STATUS"] == "CONFIRMED"
    assert event["SEQUENCE"] == tracks["DHS"].version + tracks["DOJ"].version == 1
    assert event.decoded("DTSTAMP") == tracks["DHS"].updated_at.replace(microsecond=0)
    assert str(event["URL"]) == f"http://testserver/obligations/{tracks['DHS'].obligation_id}/"


def test_cancelled_only_when_every_track_is_closed(client, people, eo_13768, make_feed):
    _, token = make_feed(people["reader"])
    tracks = reports(eo_13768)
    tracks["DHS"].change_status(Occurrence.Status.WAIVED)
    assert report_event(events(client, token), eo_13768)["STATUS"] == "CONFIRMED"
    tracks["DOJ"].change_status(Occurrence.Status.NOT_REQUIRED)
    event = report_event(events(client, token), eo_13768)
    assert event["STATUS"] == "CANCELLED" and event["SEQUENCE"] == 2
    assert str(event["SUMMARY"]).endswith("[DHS waived; DOJ not required]")


def test_uids_are_the_due_dates_shown(client, people, eo_13768, make_feed):
    _, token = make_feed(people["reader"])
    uids = [str(e["UID"]) for e in events(client, token)]
    shown = Occurrence.objects.order_by().values_list("obligation__key", "sequence").distinct()
    expected = {f"executive-order-13768-{key}-{seq}@obligation-tracker" for key, seq in shown}
    assert len(uids) == len(set(uids)) and set(uids) == expected


def test_tracks_of_one_due_date_on_different_days_are_still_one_event(
    client, people, eo_13768, make_feed
):
    """A submitted track keeps its date when the pending one moves (conventions changed)."""
    _, token = make_feed(people["reader"])
    tracks = reports(eo_13768)
    tracks["DHS"].change_status(Occurrence.Status.SUBMITTED)
    Occurrence.objects.filter(pk=tracks["DOJ"].pk).update(due=date(2017, 4, 26))
    found = events(client, token)
    assert len({str(e["UID"]) for e in found}) == len(found)
    event = report_event(found, eo_13768)
    assert event.decoded("DTSTART") == date(2017, 4, 26)  # the date still to be met


def test_mine_shows_only_my_agencys_track(client, people, doj, eo_13768, make_feed):
    _, token = make_feed(doj, mine=True)
    tracks = reports(eo_13768)
    tracks["DHS"].change_status(Occurrence.Status.SUBMITTED)
    event = report_event(events(client, token), eo_13768)
    assert str(event["SUMMARY"]).endswith("90 days")  # DOJ's: open, no DHS state
    assert str(event["URL"]) == f"http://testserver/occurrences/{tracks['DOJ'].pk}/"
    assert event["SEQUENCE"] == 0
    tracks["DOJ"].change_status(Occurrence.Status.SUBMITTED)
    assert str(report_event(events(client, token), eo_13768)["SUMMARY"]).endswith("[Submitted]")
    assert all("§9(b)" not in str(e["SUMMARY"]) for e in events(client, token))  # DHS's alone


def test_mine_includes_the_components_tracks(client, people, eo_13768, make_feed, settings):
    _, token = make_feed(people["dhs"], mine=True)
    assert any(str(e["SUMMARY"]).startswith("EO 13768 §13") for e in events(client, token))
    settings.AGENCY_PARENTS_ACT_FOR_COMPONENTS = False  # ICE's §13 is then ICE's alone
    people["dhs"].__dict__.pop("_acting_for", None)
    _, other = make_feed(people["dhs"], mine=True, name="other")
    assert not any(str(e["SUMMARY"]).startswith("EO 13768 §13") for e in events(client, other))


def test_agency_filter_is_by_track(client, people, eo_13768, make_feed):
    _, token = make_feed(people["reader"], agency=Agency.objects.get(abbreviation="DOJ"))
    found = events(client, token)
    assert found and all(
        Occurrence.objects.get(pk=str(e["URL"]).rstrip("/").split("/")[-1]).agency.abbreviation
        == "DOJ"
        for e in found
    )


def test_open_only_keeps_a_done_track_beside_an_open_one(client, people, eo_13768, make_feed):
    _, token = make_feed(people["reader"], pending_only=True)
    tracks = reports(eo_13768)
    tracks["DHS"].change_status(Occurrence.Status.SUBMITTED)
    event = report_event(events(client, token), eo_13768)
    assert str(event["SUMMARY"]).endswith("[DHS submitted; DOJ open]") and event["SEQUENCE"] == 1
    tracks["DOJ"].change_status(Occurrence.Status.SUBMITTED)
    with pytest.raises(ValueError):
        report_event(events(client, token), eo_13768)


def test_renaming_a_tracks_agency_changes_the_etag(client, people, eo_13768, make_feed):
    _, token = make_feed(people["reader"])
    before = client.get(f"/calendar/{token}.ics")
    Agency.objects.filter(abbreviation="DOJ").update(
        abbreviation="USDOJ", updated=datetime(2030, 1, 1, tzinfo=UTC)
    )
    after = client.get(f"/calendar/{token}.ics", headers={"if-none-match": before["ETag"]})
    assert after.status_code == 200 and b"USDOJ open" in after.content
