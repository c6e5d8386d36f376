"""OpenDocument text, spreadsheets and presentations (.odt, .ods, .odp), streamed from content.xml with lxml.

lxml's iterparse reads the XML once and each paragraph or table row is dropped after it is read, so memory
stays small however long the document is; odfpy would build the whole document as Python objects first.
Repeated rows and cells (how ODF writes a column of identical cells) are kept once, so a few bytes of
`number-columns-repeated="1000000"` cannot become a million cells.
"""

from __future__ import annotations

from lxml import etree

from corpus.document import Document
from corpus.formats import BY_KIND
from corpus.formats.bounds import LIMITS, Limits, open_zip
from corpus.formats.text import CellReader, iso_date, office_document
from corpus.parse import ParseError

TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
DRAW = "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0"
OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
PRESENTATION = "urn:oasis:names:tc:opendocument:xmlns:presentation:1.0"
META = "urn:oasis:names:tc:opendocument:xmlns:meta:1.0"
DC = "http://purl.org/dc/elements/1.1/"
PARAGRAPHS = (f"{{{TEXT}}}p", f"{{{TEXT}}}h")
# Inline elements whose text is not part of the paragraph's running text.
SKIPPED = {f"{{{TEXT}}}note", f"{{{OFFICE}}}annotation", f"{{{DRAW}}}frame", f"{{{DRAW}}}custom-shape",
           f"{{{TEXT}}}tracked-changes", f"{{{TEXT}}}sequence-decls"}
MAX_SPACES = 20  # text:s c="..." beyond this adds nothing to search


def parse_odt(content: bytes, url: str, *, source: str = "", visibility: str = "public", limits: Limits = LIMITS) -> Document:
    """An OpenDocument text: paragraphs in order, headings (text:h) as their own field."""
    return parse_odf(content, url, kind="odt", source=source, visibility=visibility, limits=limits)


def parse_ods(content: bytes, url: str, *, source: str = "", visibility: str = "public", limits: Limits = LIMITS) -> Document:
    """An OpenDocument spreadsheet: one line per row of non-empty cells, sheet names as headings, cut at the cell limit."""
    return parse_odf(content, url, kind="ods", source=source, visibility=visibility, limits=limits)


def parse_odp(content: bytes, url: str, *, source: str = "", visibility: str = "public", limits: Limits = LIMITS) -> Document:
    """An OpenDocument presentation: the text of each slide and its notes; slide titles as headings."""
    return parse_odf(content, url, kind="odp", source=source, visibility=visibility, limits=limits)


def parse_odf(
    content: bytes, url: str, *, kind: str, source: str = "", visibility: str = "public", limits: Limits = LIMITS,
    content_type: str | None = None, what: str | None = None,
) -> Document:
    """Read an ODF file of the given kind; `content_type` and `what` name the original of a converted legacy file."""
    what = what or kind.upper()
    archive = open_zip(content, url, limits, what)
    try:
        with archive.open("content.xml") as stream:
            if kind == "ods":
                cells = CellReader(limits)
                _read_sheets(stream, cells)
                lines, headings, notes = cells.lines, cells.headings, cells.notes()
            else:
                lines, headings = _read_text(stream, slides=kind == "odp")
                notes = []
        title, modified = _read_meta(archive)
    except ParseError:
        raise
    except Exception as exc:  # a damaged archive or XML raises many types
        raise ParseError(f"{url}: unreadable {what} ({exc.__class__.__name__}: {exc})") from None
    return office_document(
        lines, url, what=what, content_type=content_type or BY_KIND[kind].content_type, source=source,
        visibility=visibility, limits=limits, title=title, headings=headings, modified=modified, notes=notes,
    )


def _events(stream, tags, events=("end",)):
    return etree.iterparse(stream, events=events, tag=tags, resolve_entities=False, no_network=True, huge_tree=False)


def _read_text(stream, *, slides: bool) -> tuple[list[str], list[str]]:
    lines: list[str] = []
    headings: list[str] = []
    for _, element in _events(stream, PARAGRAPHS):
        text = paragraph_text(element)
        if text.strip():
            lines.append(text)
            if element.tag == f"{{{TEXT}}}h" or (slides and _in_slide_title(element)):
                headings.append(text)
        _drop(element)  # read once; a frame inside a paragraph was read before the paragraph ended
    return lines, headings


def _in_slide_title(element) -> bool:
    frame = next(element.iterancestors(f"{{{DRAW}}}frame"), None)
    return frame is not None and frame.get(f"{{{PRESENTATION}}}class") == "title"


def _read_sheets(stream, cells: CellReader) -> None:
    row: list[str] = []
    tags = (f"{{{TABLE}}}table", f"{{{TABLE}}}table-row", f"{{{TABLE}}}table-cell", f"{{{TABLE}}}covered-table-cell")
    for event, element in _events(stream, tags, events=("start", "end")):
        local = element.tag.rsplit("}", 1)[1]
        if event == "start":
            if local == "table":
                cells.add_sheet(element.get(f"{{{TABLE}}}name") or "")
            continue
        if local in ("table-cell", "covered-table-cell"):
            # Paragraphs of a cell are one value; a repeated cell counts once (see the module docstring).
            row.append(" ".join(paragraph_text(p) for p in element.iter(f"{{{TEXT}}}p")))
            element.clear(keep_tail=True)
        elif local == "table-row":
            keep_going = cells.add_row(row)
            row = []
            _drop(element)
            if not keep_going:
                return
        elif local == "table":
            element.clear(keep_tail=True)


def _drop(element) -> None:
    """Free an element that has been read, and its siblings read before it."""
    element.clear(keep_tail=True)
    parent = element.getparent()
    while parent is not None and element.getprevious() is not None:
        del parent[0]


def paragraph_text(element) -> str:
    """The running text of an ODF paragraph: spans and links included; spaces, tabs and breaks as written."""
    parts = [element.text or ""]
    for child in element:
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag == f"{{{TEXT}}}s":
            count = child.get(f"{{{TEXT}}}c") or "1"
            parts.append(" " * min(int(count) if count.isdigit() else 1, MAX_SPACES))
        elif tag in (f"{{{TEXT}}}tab", f"{{{TEXT}}}line-break"):
            parts.append(" ")
        elif tag not in SKIPPED and tag not in PARAGRAPHS:
            parts.append(paragraph_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _read_meta(archive) -> tuple[str, object]:
    if "meta.xml" not in archive.namelist():
        return "", None
    with archive.open("meta.xml") as stream:
        meta = etree.parse(stream, etree.XMLParser(resolve_entities=False, no_network=True)).getroot()
    title = meta.findtext(f".//{{{DC}}}title") or ""
    modified = iso_date(meta.findtext(f".//{{{DC}}}date")) or iso_date(meta.findtext(f".//{{{META}}}creation-date"))
    return title, modified
