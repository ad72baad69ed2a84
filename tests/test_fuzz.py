"""The extractor and the importer on arbitrary input: only ExtractionError, never a partial write."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from obligations.extraction import ExtractionError, extract
from obligations.importers import import_text
from obligations.models import Obligation, Occurrence, Order

WORDS = st.sampled_from([
    "Sec. 1.", "Section 2.", "(a)", "(i)", "(A)", "4.1", "shall", "within", "90", "days", "of",
    "the date of this order", "Secretary", "of Homeland Security", "(Secretary)", "annually",
    "every", "thereafter", "immediately", "by December 31, 2021", "Executive Order 13768",
    "is hereby revoked", "\n", "\n\n", ".", ",", ";", ":", "“", "”", "(", ")", "*8800",
    "<P>", "</P>", "<pre>", "<?xml", "<EXECORD>", "\u202e", "\x00", "ﬁ", "𝒮",
])  # fmt: skip
ORDERISH = st.lists(WORDS, max_size=200).map(" ".join)
ANYTHING = st.one_of(st.text(max_size=3000), ORDERISH, st.binary(max_size=500).map(
    lambda b: b.decode("latin-1")))  # fmt: skip


@settings(max_examples=5000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ANYTHING)
def test_extract_raises_only_extraction_error(text):
    try:
        extraction = extract(text)
    except ExtractionError:
        return
    for found in extraction.obligations:
        assert 0 <= found.start <= found.end <= len(extraction.text)


@pytest.mark.django_db
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow,
          HealthCheck.function_scoped_fixture])  # fmt: skip
@given(ANYTHING)
def test_import_writes_all_or_nothing(text):
    before = [m.objects.count() for m in (Order, Obligation, Occurrence)]
    try:
        result = import_text(text)
    except ExtractionError:
        assert [m.objects.count() for m in (Order, Obligation, Occurrence)] == before
        return
    keys = {
        Obligation.make_key(f.section, f.quote, f.rule.to_dict()) for f in extract(text).obligations
    }
    assert keys <= set(result.order.obligations.values_list("key", flat=True))
