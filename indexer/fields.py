"""The values a document contributes to filters and facets, the same for every backend."""

from __future__ import annotations

from urllib.parse import urlsplit

from corpus.document import Document
from corpus.formats import format_for

# OCR text weighs less in ranking the less sure Tesseract was of it: a document's score is multiplied by
# its weight, from OCR_MIN_WEIGHT at confidence 0 up to 1 at OCR_FULL_CONFIDENCE (a clean scan reads at
# 90-96 %) and above. Both backends multiply it in, as they do the freshness boost.
OCR_FULL_CONFIDENCE = 90.0
OCR_MIN_WEIGHT = 0.5

def content_kind(content_type: str) -> str:
    """Short document type for the type: filter and facets: the file format's kind (pdf, docx, odt, xlsx,
    ...), text for plain text, html for anything else.

    >>> content_kind("application/pdf"), content_kind("application/vnd.oasis.opendocument.text")
    ('pdf', 'odt')
    >>> content_kind("text/html; charset=utf-8"), content_kind("text/plain")
    ('html', 'text')
    """
    found = format_for(content_type)
    if found is not None:
        return found.kind
    return "text" if content_type.split(";")[0].strip().lower() == "text/plain" else "html"


def section_top(section: str) -> str:
    """The top section of a breadcrumb trail, below the home page: the facet a citizen recognises.

    >>> section_top("Etusivu > Palvelut > Palveluseteli")
    'Palvelut'
    >>> section_top("Sote-uudistus")
    'Sote-uudistus'
    """
    crumbs = [c.strip() for c in section.split(" > ") if c.strip()]
    return crumbs[1] if len(crumbs) > 1 else crumbs[0] if crumbs else ""


def site_of(url: str) -> str:
    """The host a document is on, for site: filters (subdomains match too).

    >>> site_of("https://WWW.phhyky.fi/sote/")
    'www.phhyky.fi'
    """
    return urlsplit(url).netloc.lower() if url else ""


def filter_values(doc: Document) -> dict[str, str]:
    """Every filter and facet value of a document, by filter name (section: the top section)."""
    return {
        "lang": doc.lang,
        "visibility": doc.visibility,
        "source": doc.source,
        "type": content_kind(doc.content_type),
        "site": site_of(doc.url),
        "year": str(doc.updated.year) if doc.updated else "",
        "section": section_top(doc.section),
    }


def ranking_weight(doc: Document) -> float:
    """The factor a document's score is multiplied by: below 1 only for text read by OCR with low confidence.

    >>> ranking_weight(Document(id="a", text="x")), ranking_weight(Document(id="b", text="x", ocr_confidence=95.0))
    (1.0, 1.0)
    >>> ranking_weight(Document(id="c", text="x", ocr_confidence=45.0))
    0.75
    """
    if doc.ocr_confidence is None:
        return 1.0
    confidence = min(max(doc.ocr_confidence, 0.0), OCR_FULL_CONFIDENCE)
    return round(OCR_MIN_WEIGHT + (1.0 - OCR_MIN_WEIGHT) * confidence / OCR_FULL_CONFIDENCE, 3)
