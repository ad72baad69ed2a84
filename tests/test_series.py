"""A series as it is run: suspended, resumed, re-cadenced from a date on a cited authority. The
due dates from that day follow; history, feeds, reminders and the as-of view follow them."""

from datetime import date

import pytest
from django.urls import reverse

from obligations.importers import import_text
from obligations.models import Occurrence
from obligations.series import SeriesError
from obligations.tracking import change_series

pytestmark = pytest.mark.django_db

WEEKLY = """number: 99040
title: Weekly Lists
signed: 2020-03-02

Sec. 1. Lists. The Secretary of Homeland Security shall publish a list on a weekly basis.
"""
MEMO = "DHS statement of 2020-04-10"


@pytest.fixture
def weekly():
    return import_text(WEEKLY).order.obligations.get()


def dues(obligation, **filters):
    return list(obligation.occurrences.filter(**filters).order_by("due").values_list("due", flat=1))


def test_a_suspension_closes_what_falls_after_it_with_history(weekly, people):
    total = weekly.occurrences.count()
    change_series(weekly, {"action": "suspend", "on": date(2020, 4, 1), "authority": MEMO},
                  by=people["dhs"])  # fmt: skip
    pending = dues(weekly, status="open")
    assert pending[-1] < date(2020, 4, 1) and len(pending) == 4  # 9, 16, 23, 30 March
    closed = weekly.occurrences.filter(status="not_required")
    assert closed.count() == total - 4
    row = closed.first().history.first()
    assert row.by == people["dhs"] and MEMO in row.note and row.obligation_change.field == "series"
    assert closed.first().closed_on == date(2020, 4, 1)  # the as-of view shows it from then


def test_resuming_reopens_from_the_day_it_resumes(weekly, people):
    change_series(weekly, {"action": "suspend", "on": date(2020, 4, 1), "authority": MEMO})
    change_series(weekly, {"action": "resume", "on": date(2020, 5, 1), "authority": "DHS, May"})
    opened = dues(weekly, status="open")
    assert date(2020, 4, 6) not in opened and date(2020, 4, 27) not in opened
    assert date(2020, 5, 4) in opened and date(2020, 3, 30) in opened


def test_a_new_cadence_replaces_the_weekly_dates(weekly, people):
    change_series(weekly, {"action": "cadence", "on": date(2020, 4, 1), "every": "quarter",
                           "authority": MEMO})  # fmt: skip
    opened = dues(weekly, status__in=Occurrence.PENDING)
    after = [d for d in opened if d >= date(2020, 4, 1)]
    assert after[:3] == [date(2020, 7, 1), date(2020, 10, 1), date(2021, 1, 1)]
    first_new = weekly.occurrences.get(due=date(2020, 7, 1))
    assert "cadence from 2020-04-01" in first_new.explanation and MEMO in first_new.explanation
    assert first_new.sequence == 5  # numbering continues after the four weekly dates kept


@pytest.mark.parametrize(("change", "message"), [
    ({"action": "resume", "on": date(2020, 4, 1), "authority": MEMO}, "not suspended"),
    ({"action": "suspend", "on": date(2019, 4, 1), "authority": MEMO}, "before the order"),
    ({"action": "suspend", "on": date(2020, 4, 1), "authority": " "}, "authority"),
    ({"action": "cadence", "on": date(2020, 4, 1), "every": "often", "authority": MEMO},
     "cadence"),
])  # fmt: skip
def test_what_makes_no_sense_is_refused_and_writes_nothing(weekly, change, message):
    before = list(weekly.occurrences.values_list("status", "due"))
    with pytest.raises(SeriesError, match=message):
        change_series(weekly, change)
    assert list(weekly.occurrences.values_list("status", "due")) == before
    assert not weekly.changes.exists()


def test_through_the_page(client, people, weekly):
    client.force_login(people["dhs"])
    url = reverse("series_change", args=[weekly.pk])
    bad = client.post(url, {"action": "resume", "on": "2020-04-01", "authority": MEMO})
    assert bad.status_code == 400 and "not suspended" in bad.content.decode()
    page = client.post(url, {"action": "suspend", "on": "2020-04-01", "authority": MEMO},
                       follow=True)  # fmt: skip
    assert "Series suspend from 2020-04-01" in page.content.decode()
    assert "suspend from 2020-04-01" in client.get(weekly.get_absolute_url()).content.decode()
    client.force_login(people["dos"])
    assert client.post(url, {"action": "resume", "on": "2020-05-01",
                             "authority": MEMO}).status_code == 403  # fmt: skip


def test_feeds_and_reminders_follow_a_suspension(client, people, make_feed, weekly):
    from obligations import reminders

    _, token = make_feed(people["dhs"], pending_only=True)
    url = reverse("feed_ics", args=[token])
    before = client.get(url).content.decode().count("BEGIN:VEVENT")
    change_series(weekly, {"action": "suspend", "on": date(2020, 4, 1), "authority": MEMO})
    after = client.get(url).content.decode().count("BEGIN:VEVENT")
    assert (before, after) == (weekly.occurrences.count(), 4)
    people["dhs"].email = "dhs@example.gov"
    people["dhs"].save()
    from datetime import UTC, datetime

    from obligations.models import Reminder

    # DHS staff with the default preferences: 30, 7 and 1 day before, and on the due day.
    reminders.plan(datetime(2020, 4, 2, 14, tzinfo=UTC))
    planned = Reminder.objects.filter(occurrence__obligation=weekly)
    assert planned.exists()
    assert not planned.filter(occurrence__due__gte=date(2020, 4, 1)).exists()
