"""What one order does to another (a revocation) is proposed on import, listed for review, and
applied, rejected or undone only by someone allowed to change the affected obligations."""

from datetime import date
from io import StringIO

import pytest
from django.contrib.auth.models import Permission, User
from django.core.management import CommandError, call_command
from django.urls import reverse

from obligations import effects
from obligations.importers import import_text
from obligations.models import Agency, Occurrence, Order, OrderEffect, StatusChange
from tests.conftest import make_order

pytestmark = pytest.mark.django_db
REVOKED = date(2021, 1, 20)

FAKE = """number: 99030
title: A Made-Up Text
signed: 2017-03-01

Sec. 1. Revocation. Executive Order 13767 of January 25, 2017, is hereby revoked.
"""


def revoking(number, signed, revoked="99031"):
    return (
        f"number: {number}\ntitle: Revoking {revoked}\nsigned: {signed}\n\n"
        f"Sec. 1. Revocation. Executive Order {revoked} is hereby revoked.\n"
    )


def statuses(order):
    return list(
        Occurrence.objects.filter(obligation__order=order).order_by("pk").values_list("status")
    )


@pytest.fixture
def proposed(import_fixture, eo_13768):
    import_fixture("eo-13993.txt")
    return OrderEffect.objects.get()


def test_an_import_proposes_and_changes_nothing(people, import_fixture):
    target = import_fixture("eo-13767.txt").order
    before = statuses(target)
    source = import_text(FAKE, by=people["dos"]).order
    target.refresh_from_db()
    assert target.revoked_on is None and statuses(target) == before
    assert not StatusChange.objects.exists()
    effect = OrderEffect.objects.get()
    assert (effect.kind, effect.state, effect.on) == ("revoke", "pending", date(2017, 3, 1))
    assert (effect.source, effect.target, effect.proposed_by) == (source, target, people["dos"])


@pytest.mark.parametrize("first", ["eo-13768.txt", "eo-13993.txt"])
def test_proposed_whichever_order_is_imported_first(import_fixture, first):
    second = "eo-13993.txt" if first == "eo-13768.txt" else "eo-13768.txt"
    import_fixture(first)
    import_fixture(second)
    import_fixture(second)  # a re-import proposes nothing more
    effect = OrderEffect.objects.get()
    assert (effect.source.number, effect.target.number, effect.on) == ("13993", "13768", REVOKED)
    assert Order.objects.get(number="13768").revoked_on is None


def test_who_may_apply(people, proposed):
    assert effects.can_apply(people["admin"], proposed)
    assert not effects.can_apply(people["dos"], proposed)
    assert not effects.can_apply(people["dhs"], proposed)  # DOJ, DOS, ... answer for some too
    assert not effects.can_apply(people["reader"], proposed)
    everyone = User.objects.create_user("all-agencies")
    everyone.groups.set([agency.group for agency in Agency.objects.all()])
    assert effects.can_apply(everyone, proposed)


def test_applying_revokes_and_names_the_user_and_the_cause(people, proposed):
    effects.apply(proposed, by=people["admin"])
    target = Order.objects.get(number="13768")
    assert (target.revoked_on, target.revoked_by) == (REVOKED, proposed.source)
    weekly = Occurrence.objects.filter(obligation__order=target, obligation__section="9(b)")
    assert weekly.order_by("due").last().due == REVOKED
    rows = StatusChange.objects.filter(occurrence__obligation__order=target)
    assert rows.count() > 100
    assert {(r.by, r.effect) for r in rows} == {(people["admin"], proposed)}
    assert all("EO 13993" in r.note for r in rows)
    assert set(rows.values_list("to_status", flat=True)) == {"unmet", "not_required"}
    proposed.refresh_from_db()
    assert (proposed.state, proposed.decided_by) == ("applied", people["admin"])


def test_the_state_must_allow_it(people, proposed):
    effects.apply(proposed, by=people["admin"])
    with pytest.raises(effects.EffectError, match="applied"):
        effects.apply(proposed, by=people["admin"])
    with pytest.raises(effects.EffectError, match="applied"):
        effects.reject(proposed, by=people["admin"], note="no")
    effects.undo(proposed, by=people["admin"])
    with pytest.raises(effects.EffectError, match="undone"):
        effects.undo(proposed, by=people["admin"])


def test_rejecting_changes_nothing(people, proposed):
    before = statuses(proposed.target)
    effects.reject(proposed, by=people["admin"], note="a draft, never signed")
    proposed.refresh_from_db()
    assert (proposed.state, proposed.note) == ("rejected", "a draft, never signed")
    assert statuses(proposed.target) == before and proposed.target.revoked_on is None
    with pytest.raises(effects.EffectError, match="rejected"):
        effects.apply(proposed, by=people["admin"])


def test_undo_reopens_exactly_what_it_closed(people, proposed):
    target = proposed.target
    mine = Occurrence.objects.filter(obligation__order=target)
    met = mine.filter(due__lt=REVOKED).first()
    met.change_status(Occurrence.Status.SUBMITTED, submitted_on=met.due)
    before = statuses(target)
    effects.apply(proposed, by=people["admin"])
    closed = set(StatusChange.objects.filter(effect=proposed).values_list("occurrence", flat=True))
    touched = mine.filter(status="unmet").first()  # a person changes one afterwards
    touched.change_status(Occurrence.Status.WAIVED, by=people["dhs"], note="waived by statute")

    effects.undo(proposed, by=people["admin"])
    target.refresh_from_db()
    assert (target.revoked_on, target.revoked_by) == (None, None)
    reopened = StatusChange.objects.filter(effect=proposed, to_status__in=["open", "in_progress"])
    assert set(reopened.values_list("occurrence", flat=True)) == closed - {touched.pk}
    assert all("Undone" in r.note and r.by == people["admin"] for r in reopened)
    touched.refresh_from_db()
    assert touched.status == "waived"
    pks = list(mine.order_by("pk").values_list("pk", flat=True))
    expected = dict(zip(pks, before, strict=True)) | {touched.pk: ("waived",)}
    assert dict(zip(pks, statuses(target), strict=True)) == expected
    weekly = target.obligations.get(section="9(b)")
    assert weekly.conventions.get("end") is None
    proposed.refresh_from_db()
    assert proposed.state == "undone"


def test_a_revocation_before_the_targets_signing_is_refused():
    make_order(number="99031", signed=date(2021, 1, 1), text="the target")
    with pytest.raises(effects.EffectError, match="before it was signed"):
        import_text(revoking("99032", "2020-01-01"))
    assert not Order.objects.filter(number="99032").exists()
    assert not OrderEffect.objects.exists()


def test_two_orders_revoking_each_other():
    import_text(revoking("99031", "2021-01-01", revoked="99032"))
    with pytest.raises(effects.EffectError, match="before it was signed"):
        import_text(revoking("99032", "2020-01-01", revoked="99031"))
    assert Order.objects.count() == 1


def test_applying_refuses_a_date_before_the_signing(people):
    target = make_order(number="99031", signed=date(2021, 1, 1), text="the target")
    source = make_order(number="99032", signed=date(2020, 1, 1), text="the source")
    effect = OrderEffect.objects.create(source=source, target=target, on=date(2020, 1, 1))
    with pytest.raises(effects.EffectError, match="before it was signed"):
        effects.apply(effect, by=people["admin"])
    target.refresh_from_db()
    assert target.revoked_on is None
    effect.refresh_from_db()
    assert effect.state == "pending"


def test_the_command_proposes_or_applies(eo_13768):
    out = StringIO()
    call_command("import_order", "fixtures/orders/eo-13993.txt", stdout=out)
    assert "1 change to other orders proposed" in out.getvalue()
    eo_13768.refresh_from_db()
    assert eo_13768.revoked_on is None
    call_command("import_order", "fixtures/orders/eo-13993.txt", "--apply-effects", stdout=out)
    eo_13768.refresh_from_db()
    assert eo_13768.revoked_on == REVOKED
    row = StatusChange.objects.filter(occurrence__obligation__order=eo_13768).first()
    assert row.by is None and "applied by import_order --apply-effects" in row.note


def test_the_command_shows_a_refusal(tmp_path):
    make_order(number="99031", signed=date(2021, 1, 1), text="the target")
    path = tmp_path / "order.txt"
    path.write_text(revoking("99032", "2020-01-01"))
    with pytest.raises(CommandError, match="before it was signed"):
        call_command("import_order", str(path), stdout=StringIO())


def test_the_demo_shows_eo_13768_revoked():
    call_command("load_demo", stdout=StringIO())
    order = Order.objects.get(number="13768")
    assert (order.revoked_on, order.revoked_by.number) == (REVOKED, "13993")
    assert OrderEffect.objects.get().state == "applied"


# Pages -----------------------------------------------------------------------------------------


def test_the_list_and_both_order_pages_show_the_proposal(client, people, proposed):
    client.force_login(people["reader"])
    listed = client.get(reverse("effect_list")).content.decode()
    assert "EO 13993" in listed and "EO 13768" in listed and "2021-01-20" in listed
    target = client.get(proposed.target.get_absolute_url()).content.decode()
    assert "Proposed: EO 13993 revokes this order as of 2021-01-20" in target
    assert reverse("effect_list") in target
    source = client.get(proposed.source.get_absolute_url()).content.decode()
    assert "Proposed: this order revokes EO 13768 as of 2021-01-20" in source


def test_a_decision_shows_at_once_on_the_cached_order_page(client, people, proposed):
    client.force_login(people["reader"])
    page = proposed.target.get_absolute_url()
    assert "Proposed:" in client.get(page).content.decode()  # now cached
    effects.reject(proposed, by=people["admin"], note="not an order")
    assert "Proposed:" not in client.get(page).content.decode()


def test_applying_through_the_page(client, people, proposed):
    url = reverse("effect_apply", args=[proposed.pk])
    client.force_login(people["dos"])
    assert client.post(url).status_code == 403
    client.force_login(people["admin"])
    assert client.post(url).status_code == 302
    proposed.refresh_from_db()
    assert proposed.state == "applied"
    again = client.post(url, follow=True).content.decode()
    assert "is applied" in again
    assert client.post(reverse("effect_apply", args=[999999])).status_code == 404
    assert client.get(url).status_code == 405


def test_rejecting_and_undoing_through_the_pages(client, people, proposed):
    client.force_login(people["admin"])
    client.post(reverse("effect_apply", args=[proposed.pk]))
    client.post(reverse("effect_undo", args=[proposed.pk]))
    proposed.refresh_from_db()
    assert proposed.state == "undone"
    source = make_order(number="99040", signed=date(2021, 3, 1), text="another")
    other = OrderEffect.objects.create(source=source, target=proposed.target, on=source.signed)
    client.post(reverse("effect_reject", args=[other.pk]), {"note": "not an order"})
    other.refresh_from_db()
    assert (other.state, other.note) == ("rejected", "not an order")
    assert other.decided_by == people["admin"]


@pytest.fixture
def importer(client, eo_13768):
    user = User.objects.create_user("clerk", password="pw-for-tests-only")
    user.user_permissions.add(Permission.objects.get(codename="add_order"))
    client.force_login(user)
    return user


def confirm(client, text):
    from tests.test_import_view import confirm_data, preview

    return client.post(reverse("import_order"), confirm_data(preview(client, text=text)))


def test_the_import_page_proposes_in_the_importers_name(client, importer):
    confirm(client, revoking("99033", "2021-02-01", revoked="13768"))
    assert OrderEffect.objects.get().proposed_by == importer


def test_the_import_page_shows_a_refusal(client, importer):
    make_order(number="99031", signed=date(2021, 1, 1), text="the target")
    response = confirm(client, revoking("99032", "2020-01-01"))
    assert response.status_code == 400
    assert "before it was signed" in response.content.decode()
    assert not Order.objects.filter(number="99032").exists()
