"""Office documents: the text, title and date of a .docx file, read with python-docx."""

from __future__ import annotations

import io
import zipfile

from corpus.document import Document

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def parse_docx(content: bytes, url: str, *, source: str = "", visibility: str = "public") -> Document:
    """Paragraphs and table cells of a DOCX in reading order; headings (Heading 1–3 styles) as their own field.

    The title is the document's core property when set, else its first heading, else its first line.
    """
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    from corpus.parse import ParseError, date_line, plain_document

    try:
        document = docx.Document(io.BytesIO(content))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise ParseError(f"{url}: unreadable DOCX ({exc or exc.__class__.__name__})") from None
    lines: list[str] = []
    headings: list[str] = []
    for block in document.iter_inner_content():
        if hasattr(block, "rows"):  # a table: one line per row, cells separated by spaces
            for row in block.rows:
                cells = dict.fromkeys(cell.text.strip() for cell in row.cells if cell.text.strip())
                if cells:
                    lines.append(" ".join(cells))
            continue
        text = block.text.strip()
        if not text:
            continue
        style = (block.style.name if block.style is not None else "") or ""
        if style.lower().startswith(("heading", "otsikko", "rubrik", "title")):
            headings.append(text)
        lines.append(text)
    text = "\n".join(lines)
    if not text.strip():
        raise ParseError(f"{url}: DOCX has no text")
    props = document.core_properties
    title = (props.title or "").strip() or (headings[0] if headings else "")
    updated = date_line(text)[0] or (props.modified.date() if props.modified else None)
    return plain_document(
        text, url, title=title, updated=updated, headings=tuple(h for h in headings if h != title),
        content_type=DOCX_TYPE, source=source, visibility=visibility,
    )
