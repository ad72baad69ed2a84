"""Other shapes an order arrives in, turned into the plain text the extractor reads.

- The Federal Register's full-text XML (<PRESDOCU>, <EXECORD>, <PRMEMO>, ...).
- HTML pages of presidential actions. A raw-text page (govinfo, federalregister.gov "raw text")
  wraps the whole printed text in <pre>; other pages carry the text in paragraphs among
  navigation, which the extractor's body bounds (the preamble .. the signing line) leave out.

Plain text passes through unchanged. The result starts with a header block when the markup names
the order's number, title or date, in the same form as the order files in fixtures/orders/.
"""

import re
from html.parser import HTMLParser

from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException

from obligations.extraction.results import ExtractionError

XML_START = re.compile(
    r"\A\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*|<!DOCTYPE[^\[>]*(?:\[.*?\])?\s*>\s*)*"
    r"<([A-Z][A-Z0-9]*)\b",
    re.DOTALL,
)
HTML_START = re.compile(
    r"\A\s*(?:<!doctype\s+html|<html\b|<head\b|<body\b|<pre\b|<p\b)", re.IGNORECASE
)
ORDER_LINE = re.compile(
    r"(?P<kind>Executive Order|Proclamation|Memorandum)\s*(?:No\.\s*)?(?P<number>\d{4,6})?"
    r"(?:\s+of\s+(?P<date>[A-Z][a-z]+\s+\d{1,2},\s*\d{4}))?"
)

# Federal Register XML: elements whose text is not part of the order, and the document elements.
XML_SKIP = {"PRTPAGE", "FRDOC", "FILED", "BILCOD", "GPH", "GID", "PSIG", "TITLE3", "PRES"}
MAX_XML_DEPTH = 100
XML_DOCUMENTS = ("EXECORD", "PRMEMO", "PROCLA", "PRNOTICE", "PRORDER", "DETERM", "PRESDOCU")


def to_text(raw: str) -> str:
    """The order as plain text (a header block, a blank line, the text)."""
    match = XML_START.match(raw)
    if match and match.group(1) in (*XML_DOCUMENTS, "PRESDOCS", "FEDREG", "NEWPART"):
        return from_fr_xml(raw)
    if HTML_START.match(raw):
        return from_html(raw)
    return raw


def with_header(fields: dict[str, str], body: str) -> str:
    lines = [f"{key}: {' '.join(value.split())}" for key, value in fields.items() if value]
    return "\n".join(lines) + "\n\n" + body.strip() + "\n" if lines else body


def order_fields(line: str) -> dict[str, str]:
    """number and signed from "Executive Order 13768 of January 25, 2017"."""
    match = ORDER_LINE.search(line or "")
    if not match:
        return {}
    return {"number": match.group("number") or "", "signed": match.group("date") or ""}


# Federal Register XML ------------------------------------------------------------------------


def from_fr_xml(raw: str) -> str:
    try:
        root = ElementTree.fromstring(raw, forbid_dtd=True)
    except (ElementTree.ParseError, DefusedXmlException) as error:
        raise ExtractionError(f"the Federal Register XML could not be read: {error}") from None
    if _too_deep(root):
        raise ExtractionError(
            f"the Federal Register XML is nested more than {MAX_XML_DEPTH} elements deep"
        )
    document = next((el for tag in XML_DOCUMENTS for el in root.iter(tag)), root)
    paragraphs = [p for el in document for p in _xml_blocks(el)]
    number_line = _xml_find(document, "EXECORDR") or _xml_find(document, "PNOTICE")
    fields = order_fields(number_line)
    fields["title"] = _xml_find(document, "HD")
    if not fields.get("signed"):
        fields["signed"] = _xml_find(document, "DATE").rstrip(".")
    if document.tag in ("PRMEMO", "PROCLA"):
        fields["kind"] = "memorandum" if document.tag == "PRMEMO" else "proclamation"
    return with_header(fields, "\n\n".join(paragraphs))


def _too_deep(root) -> bool:
    """Deeper than any Federal Register document (about ten levels): the walk below recurses,
    so thousands of nested elements would exhaust Python's stack. Counted without recursion."""
    stack = [(root, 1)]
    while stack:
        element, depth = stack.pop()
        if depth > MAX_XML_DEPTH:
            return True
        stack.extend((child, depth + 1) for child in element)
    return False


def _xml_text(element) -> str:
    """An element's words, without the ones of skipped children (page numbers)."""
    parts = [element.text or ""]
    for child in element:
        if child.tag not in XML_SKIP:
            parts.append(_xml_text(child))
        parts.append(child.tail or "")
    return " ".join("".join(parts).split())


def _xml_blocks(element) -> list[str]:
    """One paragraph per block element; containers (EXTRACT, GPOTABLE rows) are walked."""
    if element.tag in XML_SKIP:
        return []
    if len(element) and all(child.tag not in ("E", "SU", "FTREF", "PRTPAGE") for child in element):
        return [p for child in element for p in _xml_blocks(child)]
    text = _xml_text(element)
    return [text] if text else []


def _xml_find(document, tag: str) -> str:
    element = document.find(f".//{tag}")
    return _xml_text(element) if element is not None else ""


# HTML ------------------------------------------------------------------------------------------

BLOCK_TAGS = {
    "p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article",
    "blockquote", "pre", "table", "ul", "ol", "dd", "dt", "hr", "main",
}  # fmt: skip
SKIP_TAGS = {"script", "style", "nav", "header", "footer", "noscript", "template", "svg", "form"}
GOVINFO_HEAD = re.compile(
    r"\A(?:\s*\[[^\]\n]*\]\s*\n|\s*From the Federal Register Online[^\n]*\n)+"
)
GOVINFO_TAIL = re.compile(r"\n\s*\[FR Doc\.[^\]]*\][\s\S]*\Z")


class _Text(HTMLParser):
    """Collects the page's words, block by block, and what is inside <pre>, <title> and <h1>."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.pre: list[str] = []
        self.title = self.h1 = ""
        self.skipping = 0
        self.where: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in SKIP_TAGS:
            self.skipping += 1
        if tag in BLOCK_TAGS:
            self.parts.append("\n\n")
        if tag in ("pre", "title", "h1"):
            self.where.append(tag)

    def handle_endtag(self, tag):
        if tag in SKIP_TAGS and self.skipping:
            self.skipping -= 1
        if tag in BLOCK_TAGS:
            self.parts.append("\n\n")
        if self.where and self.where[-1] == tag:
            self.where.pop()

    def handle_data(self, data):
        inside = self.where[-1] if self.where else None
        if inside == "title":
            self.title += data
        elif inside == "pre":
            self.pre.append(data)
        elif not self.skipping:
            if inside == "h1":
                self.h1 += data
            self.parts.append(data if inside == "pre" else re.sub(r"\s+", " ", data))


def from_html(raw: str) -> str:
    parser = _Text()
    parser.feed(raw)
    parser.close()
    if "".join(parser.pre).strip():
        body = _unwrap_govinfo("".join(parser.pre))
    else:
        body = re.sub(r"[ \t]*\n[ \t\n]*\n[ \t\n]*", "\n\n", "".join(parser.parts))
    title = _title_after(body) or " ".join((parser.h1 or parser.title).split())
    fields = order_fields(body[:3000])
    if title and not ORDER_LINE.fullmatch(title):
        fields["title"] = re.sub(r"^Executive Order(?: \d+)?\s*[:\-–—]\s*", "", title)
    return with_header(fields, body)


def _unwrap_govinfo(text: str) -> str:
    """A govinfo raw-text page: drop the bracketed head lines and the FR Doc trailer, and join
    the hard-wrapped lines of each paragraph (a wrapped line that starts "Section 9 of this
    order" must not look like a heading). The GPO pads the blank lines of its printed text with
    NUL characters (every raw text of the Federal Register's 1990s orders): they are spacing."""
    text = GOVINFO_HEAD.sub("", text.replace("\r\n", "\n").replace("\x00", ""))
    text = GOVINFO_TAIL.sub("\n", text)
    paragraphs = re.split(r"\n[ \t]*\n", text)
    return "\n\n".join(" ".join(p.split()) for p in paragraphs if p.strip())


def _title_after(body: str) -> str:
    """The paragraph after "Executive Order 13768 of January 25, 2017": the order's title."""
    match = ORDER_LINE.search(body[:3000])
    if not match or not match.group("number"):
        return ""
    following = body[match.end() :].lstrip().split("\n\n", 1)[0]
    return following if len(following) < 300 and not following.startswith("By the") else ""
