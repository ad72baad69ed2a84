"""The obligation and occurrence pages read as sentences, not as stored values (issue 17)."""

from datetime import date

import pytest
from django.urls import reverse

from obligations.models import Occurrence

pytestmark = pytest.mark.django_db


def obligation_page(client, obligation, query=""):
    response = client.get(reverse("obligation_detail", args=[obligation.pk]) + query)
    assert response.status_code == 200
    return response.content.decode()


def test_a_one_off_deadline_has_no_series(client, people, eo_13768):
    client.force_login(people["reader"])
    report = eo_13768.obligations.filter(section="15").first()
    html = obligation_page(client, report)
    assert "series for" not in html and "periods from the anchor" not in html
    assert "<dd>calendar days</dd>" in html


def test_conventions_are_told_in_words_and_saving_keeps_the_date_shown(client, people, eo_13768):
    weekly = eo_13768.obligations.get(section="9(b)")
    client.force_login(people["dhs"])
    url = reverse("obligation_detail", args=[weekly.pk]) + "?as_of=2017-04-28"
    response = client.post(url, {
        "day_count": "calendar", "periods": "anchor", "weekday": "4", "horizon_years": "4",
        "note": "published on Fridays",
    })  # fmt: skip
    assert response.status_code == 302 and response["Location"].endswith("?as_of=2017-04-28")
    html = obligation_page(client, weekly)
    assert "weekly on Fridays" in html and "Fris" not in html
    assert "conventions: — → weekly on Fridays" in html
    assert "{&#x27;" not in html and "{'" not in html


def test_occurrence_history_names_fields_as_the_form_does(client, people, eo_13768):
    track = Occurrence.objects.get(
        obligation__order=eo_13768, obligation__section="15", due=date(2017, 4, 25),
        agency__abbreviation="DHS",
    )  # fmt: skip
    url = reverse("occurrence_detail", args=[track.pk])
    client.force_login(people["reader"])
    empty = client.get(url).content.decode()
    assert "<p>No change yet.</p>" in empty and "<li>No change yet." not in empty
    track.change_status(Occurrence.Status.SUBMITTED, submitted_on=date(2017, 4, 20))
    track.refresh_from_db()
    track.change_status(Occurrence.Status.SUBMITTED, published_on=date(2017, 4, 21))
    html = client.get(url).content.decode()
    assert "Submitted on: 2017-04-20" in html and "submitted_on" not in html
    assert "details updated (still <strong>submitted</strong>)" in html
    assert "submitted → <strong>submitted</strong>" not in html
    assert " EDT</time>" in html or " EST</time>" in html
