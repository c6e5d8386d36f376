"""Excel workbooks (.xlsx), streamed with openpyxl's read-only mode and cut at the cell limits."""

from __future__ import annotations

import io

from corpus.document import Document
from corpus.formats import BY_KIND
from corpus.formats.bounds import LIMITS, Limits, open_zip
from corpus.formats.text import CellReader, office_document
from corpus.parse import ParseError


def parse_xlsx(content: bytes, url: str, *, source: str = "", visibility: str = "public", limits: Limits = LIMITS) -> Document:
    """One line per row of non-empty cells; sheet names as headings; title and dates from the workbook's properties."""
    import openpyxl

    open_zip(content, url, limits, "XLSX")
    cells = CellReader(limits)
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True, keep_links=False)
        try:
            for sheet in workbook.worksheets:
                cells.add_sheet(sheet.title)
                if hasattr(sheet, "reset_dimensions"):
                    sheet.reset_dimensions()  # a sheet's declared size may lie; read the rows that are there
                for row in sheet.iter_rows(values_only=True):
                    if not cells.add_row(row):
                        break
                if cells.full:
                    break
            props = workbook.properties
            title, modified = props.title or "", props.modified or props.created
        finally:
            workbook.close()
    except ParseError:
        raise
    except Exception as exc:  # openpyxl and the XML parser raise many types on damaged files
        raise ParseError(f"{url}: unreadable XLSX ({exc.__class__.__name__}: {exc})") from None
    return office_document(
        cells.lines, url, what="XLSX", content_type=BY_KIND["xlsx"].content_type, source=source, visibility=visibility,
        limits=limits, title=title, headings=cells.headings, modified=modified, notes=cells.notes(),
    )
