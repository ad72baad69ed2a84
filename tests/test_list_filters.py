"""The obligations list's filters as a person meets them: labels, a checkbox, unknown values said
out loud, both sort directions, search over orders and obligations, no empty link (issue 17)."""

import re

import pytest
from django.urls import reverse

from obligations.templatetags.tracker import shorten

pytestmark = pytest.mark.django_db


def page(client, **query):
    response = client.get(reverse("obligation_list"), query)
    assert response.status_code == 200
    return response, response.content.decode()


def sections(html):
    return re.findall(
        r'<td data-label="Sec." class="nowrap"><a href="/obligations/\d+/[^"]*">([^<]*)</a></td>',
        html,
    )


def test_every_filter_has_a_label_and_my_agency_is_a_checkbox(client, people, eo_13768):
    client.force_login(people["reader"])
    _, html = page(client)
    assert "[invalid name]" not in html
    for name, label in (("kind", "Kind"), ("status", "Status")):  # each select has its label
        assert re.search(rf'<label class="usa-label" for="id_{name}">{label}</label>', html)
        assert re.search(rf'<select name="{name}"[^>]* id="id_{name}"', html)
    assert 'type="checkbox" name="mine"' in html
    assert "Unknown" not in html


def test_an_unknown_value_is_said_not_dropped_in_silence(client, people, eo_13768):
    client.force_login(people["reader"])
    _, html = page(client, kind="bogus", status="late-ish")
    assert "“bogus” is not a known kind: that filter was left out." in html
    assert "“late-ish” is not a known status: that filter was left out." in html


def test_sort_both_ways(client, people, eo_13768):
    client.force_login(people["reader"])
    _, up = page(client, sort="section", order=eo_13768.pk)
    _, down = page(client, sort="-section", order=eo_13768.pk)
    assert sections(up) == sorted(sections(up)) and sections(down) == sorted(sections(up))[::-1]
    assert f'href="?order={eo_13768.pk}&amp;sort=-section"' in up  # the way back down
    assert "Section ↓" in down


def test_search_reaches_order_titles(client, people, eo_13768):
    client.force_login(people["reader"])
    response, _ = page(client, q="Enhancing Public Safety")
    assert response.context["page"].paginator.count == eo_13768.obligations.count()
    response, _ = page(client, q="detainer")
    assert 0 < response.context["page"].paginator.count < eo_13768.obligations.count()


def test_an_obligation_with_no_section_still_has_a_link(client, people, eo_13768):
    eo_13768.obligations.filter(section="15").update(section="")
    client.force_login(people["reader"])
    _, html = page(client, order=eo_13768.pk)
    assert "(no section)" in sections(html)


def test_long_actions_are_cut_at_a_word_with_an_ellipsis():
    text = "submit to the President a report on the progress of the directives " * 4
    assert shorten(text, 60) == "submit to the President a report on the progress of the…"
    assert shorten("short", 60) == "short"
