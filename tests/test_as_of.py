"""The "as of" views show only what existed on the day: orders signed by then, revocations that
had happened by then, statuses reached by then."""

from datetime import UTC, date, datetime

import pytest
from django.urls import reverse

from obligations.importers import import_text
from obligations.models import Occurrence, Order
from tests.conftest import make_obligation, make_occurrence, make_order

pytestmark = pytest.mark.django_db
REVOKED = date(2021, 1, 20)

LATER_ORDER = """number: 99020
title: Later Things
signed: 2025-03-03

Sec. 1. Lists. The Secretary of Homeland Security shall publish a list on a weekly basis.
"""


@pytest.fixture
def later(db):
    return import_text(LATER_ORDER).order


def page(client, name, args=(), **query):
    response = client.get(reverse(name, args=args), query)
    assert response.status_code == 200
    return response


def test_home_counts_leave_out_orders_not_yet_signed(client, people, eo_13768, later):
    client.force_login(people["reader"])
    statuses = page(client, "home", as_of="2017-04-20").context["statuses"]
    signed_then = Occurrence.objects.filter(obligation__order=eo_13768)
    assert sum(n for _, _, n in statuses) == signed_then.count()


def test_lists_calendar_and_timeline_leave_out_orders_not_yet_signed(
    client, people, eo_13768, later
):
    client.force_login(people["reader"])
    listed = page(client, "obligation_list", as_of="2017-04-20", format="json").json()
    assert listed["obligations"] and all(
        row["order"] == "EO 13768" for row in listed["obligations"]
    )
    orders = page(client, "order_list", as_of="2017-04-20").content.decode()
    assert "EO 13768" in orders and "EO 99020" not in orders
    month = page(client, "calendar", as_of="2017-04-20", month="2025-03").content.decode()
    assert "EO 99020" not in month
    line = page(client, "timeline", [later.pk], as_of="2017-04-20").content.decode()
    assert 'class="dot ' not in line
    assert "EO 99020" in page(client, "calendar", month="2025-03").content.decode()


def test_an_order_without_a_signing_date_counts_from_its_import(client, people):
    undated = make_order(number="99021", signed=None)
    Order.objects.filter(pk=undated.pk).update(imported_at=datetime(2020, 6, 1, 12, tzinfo=UTC))
    make_obligation(undated)
    client.force_login(people["reader"])
    assert "EO 99021" not in page(client, "order_list", as_of="2019-01-01").content.decode()
    assert "EO 99021" in page(client, "order_list", as_of="2020-07-01").content.decode()
    rows = page(client, "obligation_list", as_of="2019-01-01", format="json").json()
    assert rows["obligations"] == []


def revoke(order, by):
    """The stored state of an applied revocation."""
    Order.objects.filter(pk=order.pk).update(revoked_on=REVOKED, revoked_by=by)


def test_the_order_page_shows_a_revocation_only_once_it_happened(client, people, eo_13768):
    revoker = make_order(number="99022", signed=REVOKED)
    revoke(eo_13768, revoker)
    client.force_login(people["reader"])
    before = page(client, "order_detail", [eo_13768.pk], as_of="2020-06-01").content.decode()
    assert "<dt>Revoked</dt>" not in before
    after = page(client, "order_detail", [eo_13768.pk], as_of="2021-02-01").content.decode()
    assert "<dt>Revoked</dt>" in after
    orders = page(client, "order_list", as_of="2020-06-01").content.decode()
    assert "revoked 2021-01-20" not in orders and "in force" in orders
    assert "revoked 2021-01-20" in page(client, "order_list").content.decode()


def test_closed_statuses_count_from_the_day_they_were_closed():
    unmet = make_occurrence(due=date(2020, 4, 25))
    unmet.change_status(Occurrence.Status.UNMET, closed_on=REVOKED)
    later = make_occurrence(unmet.obligation, sequence=2, due=date(2021, 4, 25))
    later.change_status(Occurrence.Status.NOT_REQUIRED, closed_on=REVOKED)

    def then(day):
        rows = Occurrence.objects.as_of(day).order_by("due")
        return list(rows.values_list("status_then", flat=True))

    assert then(date(2020, 6, 1)) == ["open", "open"]
    assert then(date(2021, 6, 1)) == ["unmet", "not_required"]


def test_home_counts_unmet(client, people):
    unmet = make_occurrence(due=date(2020, 4, 25))
    unmet.change_status(Occurrence.Status.UNMET, closed_on=REVOKED)
    client.force_login(people["reader"])
    statuses = page(client, "home", as_of="2021-06-01").context["statuses"]
    assert ("unmet", "Unmet", 1) in statuses
