"""Reminders per track: the agency whose track is open hears of it (and the agencies above it);
followers hear of every track; a shared track, and "all agencies", reach everyone responsible."""

from datetime import date

import pytest
from django.core import mail

from obligations import reminders
from obligations.agencies import ALL
from obligations.models import Agency, Follow, Occurrence, ReminderPreference
from tests.conftest import agency_user, make_obligation, make_occurrence

pytestmark = pytest.mark.django_db
WEEK_BEFORE = reminders.send_time(date(2017, 4, 18))  # the 90-day reports are due 2017-04-25


@pytest.fixture
def staff(people, eo_13768):
    """DHS, DOJ, ICE and DOS users (one e-mail per due date), and the reader."""
    people["doj"] = agency_user("doj", Agency.objects.get(abbreviation="DOJ"))
    people["ice"] = agency_user("ice", Agency.objects.get(abbreviation="ICE"))
    for key, user in people.items():
        user.email = f"{key}@example.gov"
        user.save()
        ReminderPreference.objects.create(user=user, digest=False)
    return people


def subjects(key):
    return [m.subject for m in mail.outbox if m.to == [f"{key}@example.gov"]]


def report(order, agency):
    return Occurrence.objects.get(
        obligation__order=order, obligation__section="15", due=date(2017, 4, 25),
        agency__abbreviation=agency,
    )  # fmt: skip


def test_each_agency_hears_of_its_own_track(staff, eo_13768):
    reminders.run(WEEK_BEFORE)
    wanted = "Due in 7 days: EO 13768 §15 ({}): progress report, 90 days"
    assert next(s for s in subjects("dhs") if "§15" in s and "7 days" in s).startswith(
        wanted.format("DHS")
    )
    assert next(s for s in subjects("doj") if "§15" in s).startswith(wanted.format("DOJ"))
    assert not any("(DOJ)" in s for s in subjects("dhs"))
    assert not any("§15" in s for s in subjects("dos") + subjects("reader"))


def test_a_submitted_track_stops_only_its_own_reminders(staff, eo_13768):
    report(eo_13768, "DHS").change_status(Occurrence.Status.SUBMITTED)
    reminders.run(WEEK_BEFORE)
    assert [s for s in subjects("doj") if "§15" in s]  # DOJ's report is still open
    assert not [s for s in subjects("dhs") if "§15" in s]


def test_a_department_hears_of_its_components_not_the_reverse(staff, eo_13768, settings):
    reminders.run(WEEK_BEFORE)
    ice_report = "Due in 7 days: EO 13768 §13: quarterly reports"  # the Director of ICE's
    assert any(s.startswith(ice_report) for s in subjects("ice"))
    assert any(s.startswith(ice_report) for s in subjects("dhs"))
    assert not any("§15" in s for s in subjects("ice"))  # DHS's own track is not ICE's

    mail.outbox.clear()
    settings.AGENCY_PARENTS_ACT_FOR_COMPONENTS = False
    ice = Agency.objects.get(abbreviation="ICE")
    Occurrence.objects.filter(agency=ice).update(due=date(2017, 4, 26))  # a new day's reminder
    reminders.run(reminders.send_time(date(2017, 4, 19)))
    assert any("§13" in s for s in subjects("ice"))
    assert not any("§13" in s for s in subjects("dhs"))


def test_followers_hear_of_every_track_and_each_is_named(staff, eo_13768):
    Follow.objects.create(user=staff["reader"], obligation=report(eo_13768, "DHS").obligation)
    reminders.run(WEEK_BEFORE)
    found = sorted(s for s in subjects("reader"))
    assert found == [
        "Due in 7 days: EO 13768 §15 (DHS): progress report, 90 days",
        "Due in 7 days: EO 13768 §15 (DOJ): progress report, 90 days",
    ]
    body = next(m.body for m in mail.outbox if "(DOJ)" in m.subject and m.to[0].startswith("r"))
    assert "EO 13768 Sec. 15 (DOJ's track)" in body


def test_a_shared_track_reaches_every_responsible_agency(staff):
    dhs, dos = Agency.objects.get(abbreviation="DHS"), Agency.objects.get(abbreviation="DOS")
    joint = make_obligation(section="77", key="joint")
    joint.agencies.add(dhs, dos)
    make_occurrence(joint, agency=None)
    reminders.run(WEEK_BEFORE)
    for key in ("dhs", "dos"):
        # no agency named
        assert "Due in 7 days: EO 99999 §77: submit a report, 90 days" in subjects(key)
    assert not any("§77" in s for s in subjects("doj") + subjects("reader"))


def test_all_agencies_means_every_agencys_staff(staff):
    everyone = Agency.named(ALL, "ALL")
    obligation = make_obligation(section="78", key="all")
    obligation.agencies.add(everyone)
    make_occurrence(obligation, agency=everyone)
    reminders.run(WEEK_BEFORE)
    for key in ("dhs", "dos", "doj", "ice"):
        assert "Due in 7 days: EO 99999 §78: submit a report, 90 days" in subjects(key)
    assert not any("§78" in s for s in subjects("reader"))


def test_agency_preferences_count_a_components_track(staff, eo_13768):
    pref = ReminderPreference.objects.get(user=staff["dhs"])
    pref.agencies.set([Agency.objects.get(abbreviation="DHS")])
    reminders.run(WEEK_BEFORE)
    assert any("§13" in s for s in subjects("dhs"))  # ICE's, seen from DHS


def test_planning_reads_a_fixed_number_of_queries(staff, eo_13768, django_assert_max_num_queries):
    with django_assert_max_num_queries(14):
        reminders.plan(WEEK_BEFORE)
