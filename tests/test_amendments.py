"""Reading what an order does to other orders' texts, and carrying it out (pure, no database)."""

import pytest

from obligations.extraction import read_file
from obligations.extraction.amendments import (
    Amendment,
    AmendmentError,
    apply_amendment,
    find_amendments,
)
from tests.conftest import ORDERS

EO_13768 = read_file(ORDERS / "eo-13768.txt")


def order(*paragraphs, effective=""):
    body = "\n\n".join(f"Sec. {i}. {p}" for i, p in enumerate(paragraphs, 1))
    head = "number: 99060\nsigned: 2018-05-01\n\nBy the authority vested in me as President, "
    return f"{head}it is hereby ordered as follows:\n\n{body}\n\nTHE WHITE HOUSE,\nMay 1, 2018.\n"


def test_striking_and_inserting_with_curly_quotes():
    (a,) = find_amendments(order(
        "Section 15 of Executive Order 13768 of January 25, 2017 (Enhancing Public Safety in the "
        "Interior of the United States), is hereby amended by striking “within 90 days” and "
        "inserting in lieu thereof “within 120 days”."))  # fmt: skip
    assert (a.target, a.section, a.op, a.old, a.new) == (
        "13768", "15", "strike", "within 90 days", "within 120 days")  # fmt: skip
    new = apply_amendment(EO_13768, a)
    assert "within 120 days of the date of this order and again" in new
    assert new.replace("within 120 days", "within 90 days", 1) == EO_13768  # nothing else moved


def test_words_found_only_in_the_named_section():
    a = Amendment("13768", "14", "strike", old="within 90 days", new="within 5 days")
    with pytest.raises(AmendmentError, match="not in section 14"):
        apply_amendment(EO_13768, a)
    with pytest.raises(AmendmentError, match="no section 40"):
        apply_amendment(EO_13768, Amendment("13768", "40", "revoke"))


def test_a_subsection_and_plural_sections_revoked():
    found = find_amendments(order(
        "Sections 13 and 17 of Executive Order 13768 are hereby revoked.",
        "Subsection (b) of section 9 of Executive Order 13768 is revoked."))  # fmt: skip
    assert [(a.section, a.op) for a in found] == [("13", "revoke"), ("17", "revoke"),
                                                  ("9(b)", "revoke")]  # fmt: skip
    new = EO_13768
    for a in found:
        new = apply_amendment(new, a)
    assert "Sec. 13. [Revoked.]" in new and "Sec. 17. [Revoked.]" in new
    assert "(b) [Revoked.]" in new and "Sec. 9. Sanctuary Jurisdictions." in new
    assert "Sec. 14. Privacy Act." in new  # the sections between are untouched


def test_amended_to_read_as_follows_and_a_new_section():
    found = find_amendments(order(
        'Section 17 of Executive Order 13768 is amended to read as follows: "Sec. 17. Personnel. '
        'The Office of Personnel Management shall report on hiring within 60 days of the date of '
        'this order."',
        "Executive Order 13768 is amended by adding at the end the following new section: "
        '"Sec. 19. Review. The Secretary shall review this order annually."'))  # fmt: skip
    assert [a.op for a in found] == ["replace", "add"]
    new = EO_13768
    for a in found:
        new = apply_amendment(new, a)
    assert "Sec. 17. Personnel. The Office of Personnel Management shall report on hiring" in new
    assert "facilitate hiring personnel" not in new
    assert new.index("Sec. 19. Review.") > new.index("Sec. 18.")
    assert new.index("Sec. 19. Review.") < new.index("THE WHITE HOUSE")


def test_numbered_parts_of_one_instruction():
    found = find_amendments(
        order(
            "Executive Order 13768 is amended as follows: (a) Section 15 is amended by striking "
            '"within 180 days" and inserting "within 200 days"; and (b) Section 13 is revoked.'
        )
    )
    assert [(a.section, a.op) for a in found] == [("15", "strike"), ("13", "revoke")]


def test_whole_revocations_and_their_date():
    (a,) = find_amendments(
        order(
            "Executive Order 13768 of January 25, 2017 (Enhancing Public Safety in the Interior of "
            "the United States), is hereby revoked as of the effective date of this order."
        )
    )
    assert (a.section, a.op, a.as_of) == (None, "revoke", "effective")
    (b,) = find_amendments(order("Executive Order 13768 is revoked."))
    assert b.as_of == "signed"
    (c,) = find_amendments(order("Executive Order 13768 is revoked effective June 1, 2018."))
    assert c.as_of == "2018-06-01"


def test_an_order_that_amends_nothing():
    assert find_amendments(EO_13768) == []


def test_round_trip_for_storage():
    (a,) = find_amendments(order("Section 13 of Executive Order 13768 is revoked."))
    assert Amendment.from_dict(a.to_dict()) == a
