"""What every format parser ends with: lines of text and metadata in, a Document out, capped in size."""

from __future__ import annotations

import datetime as dt
import logging
import re

from corpus.document import Document
from corpus.formats.bounds import Limits
from corpus.parse import ParseError, date_line, plain_document

log = logging.getLogger(__name__)
INVISIBLE = re.compile("[\u00ad\u200b\ufeff]")  # soft hyphen, zero-width space, BOM
DEFAULT_SHEET_NAME = re.compile(r"(?i)(sheet|taulukko|blad|tabelle|feuille|hoja)\s*\d+")


def office_document(
    lines: list[str],
    url: str,
    *,
    what: str,
    content_type: str,
    source: str,
    visibility: str,
    limits: Limits,
    title: str = "",
    headings: list[str] | tuple[str, ...] = (),
    modified: dt.date | dt.datetime | None = None,
    notes: list[str] | tuple[str, ...] = (),
) -> Document:
    """A document of the non-empty lines; its date is a dated line of the text, else the file's own metadata.

    The title is the one given (from the file's metadata), else the first heading, else the first line;
    a first line that only repeats the title is left out of the text.

    `notes` say what the reader should know about the text (cut at a limit, read by OCR); they become the
    document's description and are logged.
    """
    # Soft hyphens and zero-width spaces would split words for the analyzer.
    lines = (" ".join(INVISIBLE.sub("", line).split()) for line in lines)
    text = "\n".join(line for line in lines if line)
    if not text:
        raise ParseError(f"{url}: {what} has no text")
    notes = list(notes)
    if len(text) > limits.max_chars:
        text = text[: limits.max_chars].rsplit("\n", 1)[0]
        notes.append(f"Asiakirjasta on luettu vain ensimmäiset {_number(limits.max_chars)} merkkiä.")
    for note in notes:
        log.info("%s: %s", url, note)
    if isinstance(modified, dt.datetime):
        modified = modified.date()
    updated = date_line(text)[0] or modified
    heads = list(dict.fromkeys(h for h in (" ".join(h.split()) for h in headings) if h))
    title = " ".join(title.split()) or (heads[0] if heads else text.split("\n", 1)[0][:200])
    first, _, rest = text.partition("\n")
    if first == title and rest:
        text = rest  # the title has its own field, as an HTML page's h1 has; repeating it would open every snippet
    document = plain_document(
        text, url, title=title, updated=updated, headings=tuple(h for h in heads if h != title),
        content_type=content_type, source=source, visibility=visibility,
    )
    return document.replace(description=" ".join(notes)) if notes else document


def iso_date(value: str | None) -> dt.date | None:
    """The date of an ISO 8601 timestamp as ODF and OOXML metadata write it; None when it is not one.

    >>> iso_date("2023-04-18T13:05:00"), iso_date("2023-04-18T13:05:00.123Z"), iso_date("eilen")
    (datetime.date(2023, 4, 18), datetime.date(2023, 4, 18), None)
    """
    try:
        return dt.date.fromisoformat((value or "").strip()[:10])
    except ValueError:
        return None


class CellReader:
    """Collects spreadsheet rows as lines of their non-empty cells, until the cell limits are reached.

    >>> cells = CellReader(Limits(max_cells=3))
    >>> cells.add_row(["Kotihoito", "", 12500]), cells.add_row(["Omaishoito", 3200]), cells.lines, cells.full
    (True, False, ['Kotihoito 12500', 'Omaishoito'], True)
    """

    def __init__(self, limits: Limits):
        self.limits = limits
        self.lines: list[str] = []
        self.headings: list[str] = []
        self.kept = 0
        self.scanned = 0
        self.full = False

    def add_sheet(self, name: str) -> None:
        """Start a sheet: its name is a heading, unless it is a default name such as "Sheet1" or "Taulukko1"."""
        if name and name.strip() and not DEFAULT_SHEET_NAME.fullmatch(name.strip()):
            self.headings.append(name.strip())
            self.lines.append(name.strip())

    def add_row(self, values) -> bool:
        """Add one row of cell values; False once a limit is reached (the caller stops reading)."""
        row = []
        for value in values:
            self.scanned += 1
            text = "" if value is None else str(value).strip()
            if text:
                if self.kept >= self.limits.max_cells:
                    self.full = True
                    break
                row.append(text)
                self.kept += 1
        if row:
            self.lines.append(" ".join(row))
        if self.scanned >= self.limits.max_scanned_cells:
            self.full = True
        return not self.full

    def notes(self) -> list[str]:
        """Say that the sheet was cut, when it was."""
        if not self.full:
            return []
        return [f"Taulukko on katkaistu: siitä on luettu {_number(self.kept)} solua "
                f"({_number(self.scanned)} tarkastettua), loput jätettiin pois."]


def _number(value: int) -> str:
    """A count as Finnish writes it, with spaces between thousands."""
    return f"{value:,}".replace(",", "\N{NO-BREAK SPACE}")
