"""One order amending another: each instruction becomes a proposed change of the other order's
text (the same change list and review as a new text), linked both ways and dated by the
amending order; nothing changes until it is applied."""

from datetime import date

import pytest
from django.urls import reverse

from obligations import effects
from obligations.importers import import_text
from obligations.models import Occurrence, Order, OrderEffect

pytestmark = pytest.mark.django_db

AMENDING = """number: 99050
title: Amending Executive Order 13768
signed: 2017-03-01

By the authority vested in me as President by the Constitution and the laws of the United States of America, it is hereby ordered as follows:

Section 1. Section 15 of Executive Order 13768 of January 25, 2017 (Enhancing Public Safety in the Interior of the United States), is amended by striking "within 90 days" and inserting "within 120 days".

Sec. 2. Section 13 of Executive Order 13768 is revoked.

DONALD J. TRUMP
THE WHITE HOUSE,
March 1, 2017.
"""


@pytest.fixture(params=["target first", "amending first"])
def proposed(request, eo_13768_text):
    first, second = (eo_13768_text, AMENDING)[:: 1 if request.param == "target first" else -1]
    import_text(first)
    result = import_text(second)
    return OrderEffect.objects.get(kind="amend"), result


@pytest.fixture
def eo_13768_text():
    from obligations.extraction import read_file
    from tests.conftest import ORDERS

    return read_file(ORDERS / "eo-13768.txt")


def test_an_amending_order_with_no_obligations_imports_and_proposes(proposed, eo_13768_text):
    effect, _ = proposed
    source, target = Order.objects.get(number="99050"), Order.objects.get(number="13768")
    assert (effect.source, effect.target, effect.on) == (source, target, date(2017, 3, 1))
    assert source.obligations.count() == 0
    version = effect.version
    assert version.caused_by == source and version.effective_on == date(2017, 3, 1)
    assert version.state == "pending" and target.text == eo_13768_text  # nothing changed yet
    assert [a["op"] for a in effect.instructions] == ["strike", "revoke"]
    from obligations import revisions

    changes = revisions.changes(version)
    (changed,) = changes.changed
    assert changed.section == "15" and changed.new_dues == [date(2017, 5, 25)]
    assert {e.section for e in changes.retired} == {"13"}


def test_applying_the_amendment(proposed, people):
    effect, _ = proposed
    effects.apply(effect, by=people["admin"])
    effect.refresh_from_db()
    target = effect.target
    target.refresh_from_db()
    assert effect.state == "applied" and effect.version.state == "applied"
    assert "within 120 days" in target.text and "within 90 days" not in target.text
    report = target.obligations.filter(section="15", withdrawn_by=None).order_by("span_start")[0]
    assert report.occurrences.order_by("due").first().due == date(2017, 5, 25)
    quarterly = target.obligations.get(section="13", rule__kind="recurring")
    assert quarterly.withdrawn_by == effect.version and quarterly.withdrawn_on == date(2017, 3, 1)
    closed = quarterly.occurrences.all()
    assert {o.status for o in closed} == {Occurrence.Status.NOT_REQUIRED}
    assert {o.closed_on for o in closed} == {date(2017, 3, 1)}
    assert "EO 99050" in closed[0].history.first().note


def test_both_order_pages_link_it(client, people, proposed):
    effect, _ = proposed
    client.force_login(people["reader"])
    source = client.get(effect.source.get_absolute_url()).content.decode()
    assert "this order amends EO 13768" in source and effect.version.get_absolute_url() in source
    target = client.get(effect.target.get_absolute_url()).content.decode()
    assert "EO 99050 amends this order" in target
    assert "by EO 99050" in target  # its texts: text 2 (pending, by EO 99050)
    listed = client.get(reverse("effect_list")).content.decode()
    assert "EO 99050</a> amends" in listed


def test_rejecting_rejects_the_text(proposed, people):
    effect, _ = proposed
    effects.reject(effect, by=people["admin"], note="not in force")
    effect.refresh_from_db()
    assert effect.state == "rejected" and effect.version.state == "rejected"


def test_an_instruction_the_text_cannot_take_is_shown_not_applied(eo_13768_text, people):
    import_text(eo_13768_text)
    import_text(AMENDING.replace('"within 90 days"', '"within 95 days"'))
    effect = OrderEffect.objects.get(kind="amend")
    assert effect.version is None and "could not be carried out" in effect.note
    with pytest.raises(effects.EffectError, match="no text to apply"):
        effects.apply(effect, by=people["admin"])


def test_a_revocation_on_a_date_the_text_names(eo_13768_text):
    import_text(eo_13768_text)
    import_text(AMENDING.replace(
        "Sec. 2. Section 13 of Executive Order 13768 is revoked.",
        "Sec. 2. Executive Order 13768 is hereby revoked effective June 1, 2017."))  # fmt: skip
    effect = OrderEffect.objects.get(kind="revoke")
    assert effect.on == date(2017, 6, 1)
