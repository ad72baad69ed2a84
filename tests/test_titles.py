"""Titles that tell an order's obligations apart: the section, a short action and its timing
(obligations/titles.py), on lists, pages, feeds and e-mails."""

from collections import Counter

import pytest
from django.urls import reverse
from icalendar import Calendar

from obligations.titles import title

pytestmark = pytest.mark.django_db


def test_no_two_obligations_of_eo_13768_share_a_title(eo_13768):
    titles = [o.title for o in eo_13768.obligations.all()]
    assert len(titles) == 24
    assert [t for t, n in Counter(titles).items() if n > 1] == []
    assert sorted(t for t in titles if t.startswith("Sec. 15:")) == [
        "Sec. 15: progress report, 180 days",
        "Sec. 15: progress report, 90 days",
    ]
    assert "Sec. 16: quarterly reports" in titles
    assert all(len(t) <= 90 for t in titles)


def test_titles_tell_apart_the_obligations_of_every_fixture_and_unseen_order():
    from obligations.extraction import extract, read_file
    from tests.test_extraction import ORDERS

    texts = [*ORDERS.glob("*.txt"), *(ORDERS.parent.parent / "tests/unseen/texts").glob("*.txt")]
    assert len(texts) >= 14
    for path in texts:
        found = extract(read_file(path)).obligations
        titles = [title(o.section, o.action, o.rule.to_dict(), o.quote) for o in found]
        assert [t for t, n in Counter(titles).items() if n > 1] == [], path.name


def test_the_other_fixture_orders_too(import_fixture):
    for name in ("eo-13767.txt", "eo-13780.txt"):
        order = import_fixture(name).order
        titles = [o.title for o in order.obligations.all()]
        assert [t for t, n in Counter(titles).items() if n > 1] == [], name


@pytest.mark.parametrize(("section", "action", "rule", "expected"), [
    ("15", "submit to the President a report on the progress of the directives",
     {"kind": "deadline", "offset": "90 days"}, "Sec. 15: progress report, 90 days"),
    ("16", "collect relevant data and provide reports on the following",
     {"kind": "recurring", "every": "3 months"}, "Sec. 16: quarterly reports"),
    ("9(b)", "utilize the Declined Detainer Outcome Report or its equivalent and make public",
     {"kind": "recurring", "every": "1 week"},
     "Sec. 9(b): utilize the Declined Detainer Outcome Report, weekly"),
    ("10(a)", "take all appropriate action to terminate the Priority Enforcement Program (PEP)",
     {"kind": "immediate"},
     "Sec. 10(a): terminate the Priority Enforcement Program (PEP), immediately"),
    ("3(d)", "prepare advisory guidelines for agencies to use at their discretion",
     {"kind": "deadline", "on": "2003-09-30"},
     "Sec. 3(d): prepare advisory guidelines for agencies, by 2003-09-30"),
    ("2(g)", "submit to the President a joint report on the progress in implementing",
     {"kind": "deadline", "offset": "60 days"}, "Sec. 2(g): joint progress report, 60 days"),
    ("8(b)", "submit further reports until the system is fully deployed and operational",
     {"kind": "recurring", "every": "180 days"}, "Sec. 8(b): reports every 180 days"),
    ("1", "widget security report", {"kind": "deadline", "offset": "90 days"},
     "Sec. 1: widget security report, 90 days"),
    ("", "report", {"kind": "open"}, "report"),
    ("5", "", {"kind": "open"}, "Sec. 5: The Secretary of Defense"),
])  # fmt: skip
def test_title(section, action, rule, expected):
    assert title(section, action, rule, "(a) The Secretary of Defense shall") == expected


def test_the_list_page_the_obligation_page_and_the_feed_show_the_titles(
    client, people, eo_13768, make_feed
):
    client.force_login(people["reader"])
    listing = client.get(reverse("obligation_list"), {"order": eo_13768.pk}).content.decode()
    assert "Sec. 15: progress report, 90 days" in listing
    assert "Sec. 15: progress report, 180 days" in listing
    assert "Sec. 16: quarterly reports" in listing
    exported = client.get(reverse("obligation_list"), {"order": eo_13768.pk, "format": "json"})
    assert "Sec. 15: progress report, 180 days" in exported.content.decode()
    report = eo_13768.obligations.get(section="15", rule__offset="180 days")
    page = client.get(report.get_absolute_url()).content.decode()
    assert "<h1>Sec. 15: progress report, 180 days</h1>" in page
    _, token = make_feed(people["reader"])
    body = client.get(reverse("feed_ics", args=[token])).content
    summaries = {str(e["SUMMARY"]).split(" [")[0] for e in Calendar.from_ical(body).walk("VEVENT")}
    assert "EO 13768 §15: progress report, 90 days" in summaries
    assert "EO 13768 §15: progress report, 180 days" in summaries
    assert "EO 13768 §16: quarterly reports" in summaries


def test_reminder_e_mails_name_the_title(people, eo_13768, mailoutbox):
    from datetime import date

    from obligations import reminders
    from obligations.models import ReminderPreference

    people["dhs"].email = "dhs@example.gov"
    people["dhs"].save()
    ReminderPreference.objects.create(user=people["dhs"], digest=False)
    reminders.run(reminders.send_time(date(2017, 4, 18)))  # a week before the 90-day reports
    report = next(m for m in mailoutbox if "§15" in m.subject)
    assert report.subject == "Due in 7 days: EO 13768 §15 (DHS): progress report, 90 days"
    assert "EO 13768 Sec. 15 (DHS's track): progress report, 90 days" in report.body
