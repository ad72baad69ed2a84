"""Implementing documents: an agency memo links to the orders it implements, each directive to
the sections it cites; the order page lists them, per section."""

import pytest

from obligations.extraction.citations import citations, cited_orders
from obligations.importers import import_text
from obligations.models import Order

MEMO = """title: Implementing the Interior Enforcement Order
kind: memorandum
signed: 2017-02-20

This memorandum implements Executive Order 13768, "Enhancing Public Safety in the Interior of the United States," and Executive Order 13767.

A. Agreements. Pursuant to Section 8(a) of Executive Order 13768, the Director of ICE shall expand the 287(g) Program within 30 days of the date of this memorandum.

B. Reports. The Director of ICE shall report on detainers weekly, as Section 9(b) of the Executive Order requires.
"""


def test_what_a_memo_says_it_implements():
    assert cited_orders(MEMO) == ["13768", "13767"]
    titled = "This memorandum implements the Executive Order entitled “Enhancing Public Safety.”"
    assert cited_orders(titled) == ["title:Enhancing Public Safety"]
    assert citations("pursuant to Section 8(a) of the Executive Order", "13768") == [
        {"order": "13768", "section": "8(a)"}]  # fmt: skip
    assert citations("EO 13767, Section 11(c), and sections 2 and 3 of the Order", None) == [
        {"order": None, "section": "2"}, {"order": None, "section": "3"},
        {"order": "13767", "section": "11(c)"},
    ]  # fmt: skip
    assert citations("pursuant to section 287(g) of the INA", "13768") == []


@pytest.mark.django_db
@pytest.mark.parametrize("memo_first", [True, False])
def test_linked_whichever_comes_first_and_listed_per_section(client, people, import_fixture,
                                                             memo_first):  # fmt: skip
    if memo_first:
        import_text(MEMO)
    order = import_fixture("eo-13768.txt").order
    if not memo_first:
        import_text(MEMO)
    memo = Order.objects.get(kind="memorandum")
    assert list(memo.implements.all()) == [order]  # EO 13767 is not stored
    expansion = memo.obligations.get(action__contains="287(g)")
    assert expansion.cites == [{"order": "13768", "section": "8(a)"}]
    client.force_login(people["reader"])
    page = client.get(order.get_absolute_url()).content.decode()
    assert "Implemented by" in page and memo.get_absolute_url() in page
    assert "Sec. 8(a): <a" in page
    # "the Executive Order" in a memo that implements two orders names neither: not linked.
    assert "Sec. 9(b): <a" not in page
    single = MEMO.replace(" and Executive Order 13767", "").replace("Implementing", "Carrying")
    import_text(single)
    page = client.get(order.get_absolute_url()).content.decode()
    assert page.index("Sec. 8(a): <a") < page.index("Sec. 9(b): <a")
    assert "Implements" in client.get(memo.get_absolute_url()).content.decode()


@pytest.mark.django_db
def test_the_dhs_memo_implements_eo_13768(import_fixture):
    from obligations.extraction import read_file
    from tests.conftest import ORDERS

    order = import_fixture("eo-13768.txt").order
    memo = import_text(read_file(ORDERS.parent / "memos" / "dhs-memo-2017-02-20.txt")).order
    assert order in memo.implements.all()
