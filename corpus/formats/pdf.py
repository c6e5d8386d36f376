"""PDF files: the text layer read with pypdf, and pages without one read by OCR (corpus.formats.ocr)."""

from __future__ import annotations

import io
import logging

from corpus.document import Document
from corpus.formats import BY_KIND
from corpus.formats.bounds import LIMITS, Limits, check_size
from corpus.formats.ocr import ocr_pdf_pages, ocr_unavailable
from corpus.formats.text import office_document
from corpus.parse import ParseError

log = logging.getLogger(__name__)
# A page with fewer characters than this in its text layer is treated as a scan (a page number or a
# stamp is all a scanner's software typically adds).
MIN_PAGE_CHARS = 20


def parse_pdf(
    content: bytes, url: str, *, source: str = "", visibility: str = "public", limits: Limits = LIMITS, ocr: bool = True,
) -> Document:
    """Extract the text of a PDF; the title and date from its metadata or text; scanned pages by OCR when it is available.

    A document with OCR text says so in its description, with the pages and Tesseract's mean confidence.
    """
    from pypdf import PdfReader

    check_size(content, url, limits)
    try:
        reader = PdfReader(io.BytesIO(content))
        pages = []
        for page in reader.pages:
            pages.append(page.extract_text() or "")
            if sum(map(len, pages)) > limits.max_chars:
                break
        meta = reader.metadata
        title = _meta_title(meta, url)
        modified = _meta_date(meta)
    except Exception as exc:  # pypdf raises many types on damaged files (issue 14)
        raise ParseError(f"{url}: unreadable PDF ({exc.__class__.__name__}: {exc})") from None
    notes = []
    scanned = [number for number, text in enumerate(pages, 1) if len(text.strip()) < MIN_PAGE_CHARS]
    if scanned:
        notes = _ocr_into(pages, scanned, content, url, limits, ocr)
    if not any(text.strip() for text in pages):
        raise ParseError(f"{url}: PDF has no text layer" + (f"; {notes[0]}" if notes else ""))
    return office_document(
        "\n".join(pages).split("\n"), url, what="PDF", content_type=BY_KIND["pdf"].content_type, source=source,
        visibility=visibility, limits=limits, title=title, modified=modified,
        notes=[note for note in notes if note.startswith("Teksti")],
    )


def _ocr_into(pages: list[str], scanned: list[int], content: bytes, url: str, limits: Limits, ocr: bool) -> list[str]:
    """Replace the text of scanned pages with their OCR; return the notes for the document (or the reason it was not done)."""
    reason = "OCR is turned off" if not ocr else ocr_unavailable()
    if reason:
        log.warning("%s: pages without text skipped: %s", url, reason)
        return [reason]
    chosen = scanned[: limits.ocr_pages]
    try:
        results = ocr_pdf_pages(content, url, chosen, limits)
    except ParseError as exc:
        log.warning("%s", exc)
        return [str(exc).removeprefix(f"{url}: ")]
    read = [page for page in results if page.text.strip()]
    for page in read:
        pages[page.number - 1] = page.text
    if not read:
        return []
    confidence = sum(page.confidence for page in read) / len(read)
    numbers = ", ".join(str(page.number) for page in read)
    note = (f"Teksti on tunnistettu skannatusta kuvasta (OCR, sivu{'t' if len(read) > 1 else ''} {numbers}, "
            f"tunnistusvarmuus {confidence:.0f} %).")
    if len(scanned) > len(chosen):
        note += f" Sivuja ilman tekstiä oli {len(scanned)}; niistä luettiin {len(chosen)} ensimmäistä."
    return [note]


def _meta_title(meta, url: str) -> str:
    """The title of the metadata, unless it is only the file's name (as scanners and converters write it)."""
    title = str((meta.title if meta else None) or "").strip()
    stem = url.rstrip("/").rsplit("/", 1)[-1].rsplit(".", 1)[0]
    return "" if title.lower() in (stem.lower(), stem.lower() + ".pdf") or title.lower().startswith(("microsoft word - ", "untitled")) else title


def _meta_date(meta):
    if not meta:
        return None
    for value in (meta.modification_date, meta.creation_date):
        if value is not None:
            return value.date()
    return None
