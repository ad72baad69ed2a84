"""Federal Register XML and HTML pages give the same obligations as the plain text."""

import html
import textwrap
from pathlib import Path

import pytest

from obligations.evaluation import row_key
from obligations.extraction import ExtractionError, extract, read_file
from obligations.extraction.formats import to_text
from obligations.extraction.source import split_header

ORDERS = Path(__file__).resolve().parent.parent / "fixtures" / "orders"


def paragraphs_of(name):
    """The order's paragraphs without its header block or signing lines."""
    text = read_file(ORDERS / name)
    _, start = split_header(text)
    body = text[start:].split("THE WHITE HOUSE")[0]
    return [" ".join(p.split()) for p in body.replace("***", "").split("\n\n") if p.strip()]


def as_fr_xml(paragraphs):
    """The shape of federalregister.gov's full-text XML for an executive order."""
    ps = "\n".join(
        f"<P>{html.escape(p)}</P>" if i else f"<FP>{html.escape(p)}</FP>"
        for i, p in enumerate(paragraphs)
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<PRESDOCU><EXECORD><PRTPAGE P="8799"/>
<EXECORDR>Executive Order 13768 of January 25, 2017</EXECORDR>
<HD SOURCE="HED">Enhancing Public Safety in the Interior of the United States</HD>
{ps}
<PSIG>{{INS: Trump, Donald J.}}</PSIG>
<PLACE>THE WHITE HOUSE,</PLACE>
<DATE>January 25, 2017.</DATE>
<FRDOC>[FR Doc. 2017-02102 Filed 1-27-17; 11:15 am]</FRDOC>
<BILCOD>Billing code 3295-F7-P</BILCOD>
</EXECORD></PRESDOCU>"""


def as_govinfo_html(paragraphs):
    """A govinfo raw-text page: bracketed head lines, hard-wrapped lines, [[Page N]] markers."""
    wrapped = []
    for i, p in enumerate(paragraphs):
        wrapped.append(textwrap.fill(p, 60, initial_indent=" " * 16, subsequent_indent=" " * 16))
        if i == 3:
            wrapped.append("[[Page 8800]]")
    text = "\n\n".join(wrapped)
    return f"""<html><head><title>Federal Register, Volume 82 Issue 18</title></head><body><pre>
[Federal Register Volume 82, Number 18 (Monday, January 30, 2017)]
[Presidential Documents]
[Pages 8799-8803]
From the Federal Register Online via the Government Publishing Office [www.gpo.gov]
[FR Doc No: 2017-02102]

                        Presidential Documents

Title 3--

The President

                Executive Order 13768 of January 25, 2017

Enhancing Public Safety in the Interior of the United States

{html.escape(text)}

                    (Presidential Sig.)

THE WHITE HOUSE,

    January 25, 2017.

[FR Doc. 2017-02102
Filed 1-27-17; 11:15 am]
Billing code 3295-F7-P
</pre></body></html>"""


def as_web_page(paragraphs):
    """A presidential-actions page: navigation, a heading, the text in <p> elements."""
    body = "\n".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    return f"""<!DOCTYPE html><html><head><title>Executive Order 13768 – The White House</title>
<script>var x = "Sec. 1. shall within 30 days";</script></head><body>
<nav><a href="/">Home</a> <a href="/eo">Executive Order 14000</a></nav>
<h1>Executive Order: Enhancing Public Safety in the Interior of the United States</h1>
<p>Executive Order 13768 of January 25, 2017</p>
{body}
<p>THE WHITE HOUSE,<br>January 25, 2017.</p>
<footer>Sec. 99. Every agency shall report weekly.</footer></body></html>"""


def timed_keys(extraction):
    return sorted(row_key(f.as_json()) for f in extraction.timed)


@pytest.fixture(scope="module")
def plain():
    return extract(read_file(ORDERS / "eo-13768.txt"))


@pytest.mark.parametrize("shape", [as_fr_xml, as_govinfo_html, as_web_page])
def test_markup_gives_the_rows_of_the_plain_text(shape, plain):
    extraction = extract(shape(paragraphs_of("eo-13768.txt")))
    assert timed_keys(extraction) == timed_keys(plain)
    assert len(extraction.obligations) == len(plain.obligations)
    info = extraction.order
    assert (info.number, str(info.signed)) == ("13768", "2017-01-25")
    assert info.title == "Enhancing Public Safety in the Interior of the United States"


@pytest.mark.parametrize("shape", [as_fr_xml, as_govinfo_html, as_web_page])
def test_quotes_point_into_the_converted_text(shape):
    extraction = extract(shape(paragraphs_of("eo-13768.txt")))
    for found in extraction.obligations:
        assert " ".join(extraction.text[found.start : found.end].split()) == found.quote


def test_page_markers_and_boilerplate_do_not_reach_the_quotes():
    extraction = extract(as_govinfo_html(paragraphs_of("eo-13768.txt")))
    quotes = " ".join(f.quote for f in extraction.obligations)
    assert "[[Page" not in quotes and "FR Doc" not in quotes


def test_plain_text_passes_unchanged():
    text = read_file(ORDERS / "eo-13768.txt")
    assert to_text(text) is text


@pytest.mark.parametrize(
    "raw",
    [
        "<PRESDOCU><EXECORD><P>unclosed</EXECORD>",
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><PRESDOCU>&a;</PRESDOCU>',
    ],
)
def test_bad_or_hostile_xml_is_refused(raw):
    with pytest.raises(ExtractionError, match="Federal Register XML"):
        extract(raw)


def test_html_without_an_order_is_refused():
    with pytest.raises(ExtractionError, match="does not look like an order"):
        extract("<html><body><p>Lunch menu: soup.</p></body></html>")
