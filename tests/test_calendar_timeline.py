"""Issue 17, Timeline and Calendar points: what the month calendar and an order's timeline say
in their HTML (the layout at phone and desktop widths is checked in test_browser.py)."""

import re
from datetime import date

from django.urls import reverse

from obligations.models import Agency, Occurrence


def svg_of(html: str) -> str:
    return html[html.index("<svg") : html.index("</svg>")]


def test_timeline_labels_its_first_year_and_keeps_the_last_label_inside(
    client, people, eo_13768, pinned_today
):
    client.force_login(people["reader"])
    svg = svg_of(client.get(reverse("timeline", args=[eo_13768.pk])).content.decode())
    years = re.findall(r'<text x="([\d.]+)" y="\d+" class="year"([^>]*)>(\d{4})</text>', svg)
    assert years[0][2] == "2017"  # the start is labelled, not only 1 January of later years
    width = float(re.search(r'viewBox="0 0 ([\d.]+) ', svg).group(1))
    last_x, last_attrs, _ = years[-1]
    # A label near the right edge ends there instead of running past it (clipped)
    assert 'text-anchor="end"' in last_attrs or float(last_x) + 30 <= width


def test_timeline_draws_a_weekly_series_as_one_band_with_its_count(
    client, people, eo_13768, pinned_today
):
    client.force_login(people["reader"])
    html = client.get(reverse("timeline", args=[eo_13768.pk])).content.decode()
    weekly = eo_13768.obligations.get(section="9(b)").occurrences.count()
    assert weekly > 200
    svg = svg_of(html)
    assert 'class="band' in svg and f"{weekly} due dates" in svg
    assert svg.count("<circle") < 120  # marks thinned, not one per week


def test_timeline_is_one_image_with_the_due_dates_listed_beside_it(
    client, people, eo_13768, pinned_today
):
    client.force_login(people["reader"])
    html = client.get(reverse("timeline", args=[eo_13768.pk])).content.decode()
    svg = svg_of(html)
    assert "<a" not in svg and "tabindex" not in svg  # no tab stops inside an image
    assert 'role="img"' in svg
    label = re.search(r'aria-label="([^"]+)"', svg).group(1)
    assert "due dates" in label and "overdue" in label  # a summary, not only a caption
    after = html[html.index("</svg>") :]
    occurrences = Occurrence.objects.filter(obligation__order=eo_13768)
    for occurrence in occurrences[:5]:
        assert reverse("occurrence_detail", args=[occurrence.pk]) in after
    listed = re.findall(r'href="/occurrences/(\d+)/', after)
    assert len(set(listed)) == occurrences.count()
    assert "due 2017-04-25 (Tue): overdue" in after


def entries(html: str) -> list[str]:
    return re.findall(r'<a class="due[^"]*"[^>]*>(.*?)</a>', html, flags=re.DOTALL)


def test_calendar_entries_say_the_obligation_and_the_agency_and_status(
    client, people, eo_13768, pinned_today
):
    client.force_login(people["reader"])
    html = client.get(reverse("calendar"), {"month": "2017-04"}).content.decode()
    texts = [re.sub(r"<[^>]+>|\s+", " ", e) for e in entries(html)]
    ninety = [t for t in texts if "Sec. 15: progress report, 90 days" in t]
    assert len(ninety) == 2  # one per agency's track
    assert any("DHS" in t or "Homeland Security" in t for t in ninety)
    assert all("overdue" in t for t in ninety)


def test_calendar_has_a_legend_of_its_status_marks(client, people, eo_13768, pinned_today):
    client.force_login(people["reader"])
    html = client.get(reverse("calendar"), {"month": "2017-04"}).content.decode()
    legend = re.search(r'<(dl|ul) class="legend".*?</\1>', html, flags=re.DOTALL).group(0)
    for word in ("open", "overdue", "submitted", "verified", "waived", "unmet"):
        assert word in legend
    # never colour alone: each entry carries a marker in text as well as its colour
    assert all('class="mark"' in e for e in entries(html))


def test_calendar_filters_by_order_agency_and_status_keeping_the_date(
    client, people, eo_13768, pinned_today
):
    client.force_login(people["reader"])
    dhs = Agency.objects.get(name="Department of Homeland Security")
    html = client.get(reverse("calendar"), {
        "month": "2017-04", "as_of": "2017-04-20", "agency": dhs.pk, "status": "open",
        "order": eo_13768.pk,
    }).content.decode()  # fmt: skip
    form = re.search(
        r'<form[^>]*class="[^"]*\bfilters\b[^"]*".*?</form>', html, flags=re.DOTALL
    ).group(0)
    assert 'name="as_of" value="2017-04-20"' in form and 'name="month" value="2017-04"' in form
    for name in ("order", "agency", "status"):
        assert f'name="{name}"' in form
    texts = [re.sub(r"<[^>]+>|\s+", " ", e) for e in entries(html)]
    assert texts and all("DHS" in t or "Homeland Security" in t for t in texts)
    assert all(" open" in t for t in texts)
    none = client.get(reverse("calendar"), {"month": "2017-04", "status": "verified"})
    assert entries(none.content.decode()) == []


def test_calendar_weekday_headers_are_abbreviations_with_their_names(
    client, people, eo_13768, pinned_today
):
    client.force_login(people["reader"])
    html = client.get(reverse("calendar"), {"month": "2017-04"}).content.decode()
    assert '<abbr title="Sunday">Sun</abbr>' in html
    # each day also names itself, for the list the month becomes on a phone
    assert "Tue 25 Apr" in html


def test_calendar_agency_filter_keeps_the_shared_tracks_of_its_obligations(
    client, people, pinned_today
):
    from tests.conftest import make_obligation, make_occurrence

    dhs = Agency.objects.get(name="Department of Homeland Security")
    dos = Agency.objects.get(name="Department of State")
    joint = make_obligation(section="3", action="submit a joint plan")
    joint.agencies.add(dhs, dos)
    make_occurrence(joint, due=date(2017, 4, 25))  # one shared track, no agency of its own
    other = make_obligation(joint.order, section="4", key="k4", action="publish a list")
    other.agencies.add(dos)
    make_occurrence(other, due=date(2017, 4, 26), agency=dos)
    client.force_login(people["reader"])
    html = client.get(reverse("calendar"), {"month": "2017-04", "agency": dhs.pk}).content
    texts = [re.sub(r"<[^>]+>|\s+", " ", e) for e in entries(html.decode())]
    assert len(texts) == 1 and "joint plan" in texts[0] and "shared" in texts[0]
