"""Word documents (.docx), read with python-docx after the zip bounds are checked."""

from __future__ import annotations

import io

from corpus.document import Document
from corpus.formats import BY_KIND
from corpus.formats.bounds import LIMITS, Limits, open_zip
from corpus.formats.text import office_document
from corpus.parse import ParseError

HEADING_STYLES = ("heading", "otsikko", "rubrik", "title")


def parse_docx(content: bytes, url: str, *, source: str = "", visibility: str = "public", limits: Limits = LIMITS) -> Document:
    """Paragraphs and table cells of a DOCX in reading order; headings (Heading/Otsikko/Rubrik styles) as their own field.

    The title is the document's core property when set, else its first heading, else its first line.
    """
    import docx

    open_zip(content, url, limits, "DOCX")
    try:
        document = docx.Document(io.BytesIO(content))
        lines, headings = _blocks(document)
        props = document.core_properties
        title, modified = props.title or "", props.modified
    except ParseError:
        raise
    except Exception as exc:  # python-docx and lxml raise many types on damaged files (issue 14)
        raise ParseError(f"{url}: unreadable DOCX ({exc.__class__.__name__}: {exc})") from None
    return office_document(
        lines, url, what="DOCX", content_type=BY_KIND["docx"].content_type, source=source, visibility=visibility,
        limits=limits, title=title, headings=headings, modified=modified,
    )


def _blocks(document) -> tuple[list[str], list[str]]:
    lines: list[str] = []
    headings: list[str] = []
    for block in document.iter_inner_content():
        if hasattr(block, "rows"):  # a table: one line per row, merged cells once
            for row in block.rows:
                cells = dict.fromkeys(cell.text.strip() for cell in row.cells if cell.text.strip())
                if cells:
                    lines.append(" ".join(cells))
            continue
        text = block.text.strip()
        if not text:
            continue
        style = (block.style.name if block.style is not None else "") or ""
        if style.lower().startswith(HEADING_STYLES):
            headings.append(text)
        lines.append(text)
    return lines, headings
