"""PowerPoint decks (.pptx), read with python-pptx: slide titles are headings, speaker notes are text."""

from __future__ import annotations

import io

from corpus.document import Document
from corpus.formats import BY_KIND
from corpus.formats.bounds import LIMITS, Limits, open_zip
from corpus.formats.text import office_document
from corpus.parse import ParseError


def parse_pptx(content: bytes, url: str, *, source: str = "", visibility: str = "public", limits: Limits = LIMITS) -> Document:
    """The text of every slide in order (shapes, tables, groups, then notes); title and dates from the deck's properties."""
    from pptx import Presentation

    open_zip(content, url, limits, "PPTX")
    lines: list[str] = []
    headings: list[str] = []
    try:
        deck = Presentation(io.BytesIO(content))
        for slide in deck.slides:
            title_shape = slide.shapes.title
            if title_shape is not None and title_shape.has_text_frame and title_shape.text_frame.text.strip():
                headings.append(title_shape.text_frame.text)
            for shape in slide.shapes:
                lines.extend(_shape_lines(shape))
            if slide.has_notes_slide and slide.notes_slide.notes_text_frame is not None:
                lines.append(slide.notes_slide.notes_text_frame.text)
        props = deck.core_properties
        title, modified = props.title or "", props.modified or props.created
    except ParseError:
        raise
    except Exception as exc:  # python-pptx and lxml raise many types on damaged files
        raise ParseError(f"{url}: unreadable PPTX ({exc.__class__.__name__}: {exc})") from None
    return office_document(
        lines, url, what="PPTX", content_type=BY_KIND["pptx"].content_type, source=source, visibility=visibility,
        limits=limits, title=title, headings=headings, modified=modified,
    )


def _shape_lines(shape) -> list[str]:
    if getattr(shape, "shape_type", None) is not None and hasattr(shape, "shapes"):  # a group
        return [line for inner in shape.shapes for line in _shape_lines(inner)]
    if getattr(shape, "has_table", False) and shape.has_table:
        return [" ".join(cell.text for cell in row.cells if cell.text.strip()) for row in shape.table.rows]
    if getattr(shape, "has_text_frame", False) and shape.has_text_frame:
        return [paragraph_text for paragraph_text in shape.text_frame.text.split("\n")]
    return []
