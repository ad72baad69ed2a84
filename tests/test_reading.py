"""The order page as people read it: the source's residue (page markers, link syntax, running
heads, citation lines, the publisher's footer) left out, sections as headings, sub-paragraphs as
blocks, and every highlight still exactly on its quote (obligations/reading.py)."""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.urls import reverse

from obligations import reading
from obligations.extraction import read_file
from obligations.importers import import_text

ROOT = Path(__file__).resolve().parent.parent
WESTLAW = ROOT / "fixtures" / "seeds" / "eo-13768-westlaw.txt"
RESIDUE = ["***8799**", "***8803**", "*8800", "](", "End of Document", "Thomson Reuters",
           "No claim to original", "Exec. Order No.", "82 FR 8799", "[[Page"]  # fmt: skip

PRINTED = """number: 99020
title: Keeping Pages Apart
signed: 2020-03-02

Sec. 1. Reports. (a) The Secretary of Homeland Security shall submit a report to the
President within 90 days of the date of this order on the number of [[Page 70631]] ports
of entry.

(b) The Attorney General shall, on a quarterly basis, provide reports on the following:

(i) the number of cases; and

(ii) the number of appeals.

Sec. 2. General Provisions. This order shall be implemented consistent with applicable law.
"""


class Marks(HTMLParser):
    """The text inside each obligation's highlight, joined over its pieces, by obligation id;
    and the text outside any highlight."""

    def __init__(self):
        super().__init__()
        self.inside, self.text, self.tags = [], {}, []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append(tag)
        if tag == "a" and "data-obligation" in attrs:
            self.inside.append(attrs["data-obligation"])

    def handle_endtag(self, tag):
        if tag == "a" and self.inside and self.tags and self.tags[-1] == "a":
            self.inside.pop()
        if self.tags:
            self.tags.pop()

    def handle_data(self, data):
        if self.inside:
            self.text[self.inside[-1]] = self.text.get(self.inside[-1], "") + data


def article(page: str) -> str:
    return page.split('<article class="order-text"', 1)[1].split("</article>", 1)[0]


def highlights(page: str) -> dict[str, str]:
    parser = Marks()
    parser.feed(article(page))
    return parser.text


def squeeze(text: str) -> str:
    return "".join(text.split())


def visible(text: str) -> str:
    """The reading text of a stored text, without markup."""
    html = reading.render(text, [])
    return re.sub(r"<[^>]+>", " ", html)


# The module on its own ---------------------------------------------------------------------


def test_the_westlaw_print_reads_without_its_residue():
    text = read_file(WESTLAW)
    shown = visible(text)
    for residue in RESIDUE:
        assert residue not in shown, residue
    assert "Enhancing Public Safety in the Interior of the United States" in shown  # the title
    assert "8 U.S.C. 1101 et seq." in shown  # the link's words stay, its syntax goes
    assert "THE WHITE HOUSE, January 25, 2017." in shown


def test_every_kept_piece_is_the_stored_text_at_its_offsets():
    text = read_file(WESTLAW)
    for block in reading.blocks(text):
        for start, end in block.pieces:
            assert 0 <= start < end <= len(text)
        words = "".join(text[s:e] for s, e in block.pieces)
        assert words.strip() and "***" not in words


def test_sections_are_headings_and_sub_paragraphs_are_items():
    html = reading.render(PRINTED, [])
    assert '<h2 class="order-heading">Sec. 1. Reports.</h2>' in html
    assert '<h2 class="order-heading">Sec. 2. General Provisions.</h2>' in html
    assert re.search(r'<p class="order-item level-1">\(a\) The Secretary', html)
    assert re.search(r'<p class="order-item level-2">\(i\) the number of cases', html)
    assert "[[Page" not in html and "number: 99020" not in html
    # the hard-wrapped paragraph reads as one paragraph, across the page marker
    assert re.search(r"the number of\s+ports\s+of entry", html)


def test_a_quote_across_residue_is_one_continuous_highlight():
    start = PRINTED.index("The Secretary")
    end = PRINTED.index("of entry.") + len("of entry")
    html = reading.render(PRINTED, [reading.Mark(start, end, 'href="/x" data-obligation="7"')])
    marks = Marks()
    marks.feed(html)
    assert squeeze(marks.text["7"]) == squeeze(PRINTED[start:end].replace("[[Page 70631]]", ""))
    assert html.count("<mark") == 1  # one element: the page marker inside it is simply gone


def test_a_quote_across_blocks_is_marked_in_each_block():
    start = PRINTED.index("The Attorney General")
    end = PRINTED.index("number of appeals") + len("number of appeals")
    html = reading.render(PRINTED, [reading.Mark(start, end, 'href="/x" data-obligation="8"')])
    marks = Marks()
    marks.feed(html)
    assert squeeze(marks.text["8"]) == squeeze(PRINTED[start:end])
    assert html.count("<mark>") == 1 and html.count('<mark class="continued">') == 2


def test_text_is_escaped():
    html = reading.render("Sec. 1. <script>alert(1)</script> & more.\n", [])
    assert "<script>" not in html and "&lt;script&gt;" in html and "&amp; more" in html


# The order page ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_order_page_shows_the_reading_text_and_every_quote_in_place(client, people):
    raw = WESTLAW.read_bytes()
    order = import_text(read_file(WESTLAW)).order
    client.force_login(people["reader"])
    page = client.get(reverse("order_detail", args=[order.pk])).content.decode()
    text = article(page)
    for residue in RESIDUE:
        assert residue not in text, residue
    assert '<h2 class="order-heading">Sec. 15. Reporting.</h2>' in text
    assert '<p class="order-item level-1">(a) Ensure the faithful execution' in text
    found = highlights(page)
    obligations = list(order.obligations.all())
    assert len(obligations) == 24
    for obligation in obligations:
        assert squeeze(found[str(obligation.pk)]) == squeeze(obligation.quote.replace(" ", ""))
        assert f'id="obligation-{obligation.pk}"' in text
    order.refresh_from_db()
    assert order.text.encode() == raw.decode("utf-8-sig").encode()  # the record is unchanged


@pytest.mark.django_db
def test_the_fixture_orders_keep_every_highlight(client, people, import_fixture):
    client.force_login(people["reader"])
    for name in ("eo-13767.txt", "eo-13768.txt", "eo-13780.txt"):
        order = import_fixture(name).order
        page = client.get(reverse("order_detail", args=[order.pk])).content.decode()
        found = highlights(page)
        for obligation in order.obligations.all():
            assert squeeze(found[str(obligation.pk)]) == squeeze(obligation.quote), obligation
        assert "***8799**" not in article(page)


TEXTS = sorted([*ROOT.glob("fixtures/orders/*.txt"), WESTLAW, *ROOT.glob("tests/unseen/texts/*.txt"),
                *ROOT.glob("tests/more_orders/texts/*.txt"), *ROOT.glob("tests/fr/*.xml"),
                *ROOT.glob("tests/labelled/texts/*.txt")])  # fmt: skip


@pytest.mark.parametrize("path", TEXTS, ids=lambda p: p.name)
def test_every_highlight_of_every_sample_order_is_its_quote(path):
    """The extractor's own spans, rendered on the reading text: each mark reads exactly as the
    quote (white space aside), and nothing of the print residue shows."""
    from obligations.extraction import extract

    found = extract(read_file(path))
    text, marks, pos = found.text, {}, reading.split_header(found.text)[1]
    for i, row in enumerate(sorted(found.obligations, key=lambda row: row.start)):
        # as the order page does: a span inside an earlier one is left to the earlier one's link
        if row.start >= pos and row.end > row.start:
            marks[str(i)] = (row, reading.Mark(row.start, row.end, f'data-obligation="{i}"'))
            pos = row.end
    html = reading.render(text, [mark for _, mark in marks.values()])
    parser = Marks()
    parser.feed(html)
    for key, (row, _) in marks.items():
        assert squeeze(parser.text[key]) == squeeze(row.quote), row.quote
    for residue in ("[[Page", "***", "](", "End of Document", "Thomson Reuters"):
        assert residue not in html
