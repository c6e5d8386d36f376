"""Document formats besides HTML and plain text: which parser reads which file, by content type or name.

Each format names its parser as "module:function", imported on first use, so that a crawl of HTML pages
never loads the spreadsheet or OCR libraries.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from urllib.parse import urlsplit

from corpus.document import Document

# Content types that say nothing about the format: the file name decides.
GENERIC_TYPES = ("", "application/octet-stream", "application/zip", "application/x-zip-compressed",
                 "application/x-ole-storage", "application/x-msdownload", "binary/octet-stream")


@dataclass(frozen=True)
class Format:
    """A file format: its short kind (the document type), content types, file name suffixes and parser."""

    kind: str
    content_types: tuple[str, ...]
    suffixes: tuple[str, ...]
    parser: str  # "module:function", taking (content, url, *, source, visibility) and returning a Document

    @property
    def content_type(self) -> str:
        """The content type documents of this format are stored with."""
        return self.content_types[0]

    def parse(self, content: bytes, url: str, *, source: str = "", visibility: str = "public") -> Document:
        """Parse bytes of this format into a document; every failure is a ParseError naming the URL."""
        module, function = self.parser.split(":")
        return getattr(importlib.import_module(module), function)(content, url, source=source, visibility=visibility)


FORMATS = (
    Format("pdf", ("application/pdf",), (".pdf",), "corpus.formats.pdf:parse_pdf"),
    Format("docx", ("application/vnd.openxmlformats-officedocument.wordprocessingml.document",), (".docx",),
           "corpus.formats.docx:parse_docx"),
    Format("xlsx", ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",), (".xlsx",),
           "corpus.formats.xlsx:parse_xlsx"),
    Format("pptx", ("application/vnd.openxmlformats-officedocument.presentationml.presentation",), (".pptx",),
           "corpus.formats.pptx:parse_pptx"),
    Format("odt", ("application/vnd.oasis.opendocument.text",), (".odt",), "corpus.formats.odf:parse_odt"),
    Format("ods", ("application/vnd.oasis.opendocument.spreadsheet",), (".ods",), "corpus.formats.odf:parse_ods"),
    Format("odp", ("application/vnd.oasis.opendocument.presentation",), (".odp",), "corpus.formats.odf:parse_odp"),
    Format("doc", ("application/msword",), (".doc",), "corpus.formats.legacy:parse_doc"),
    Format("xls", ("application/vnd.ms-excel",), (".xls",), "corpus.formats.legacy:parse_xls"),
    Format("ppt", ("application/vnd.ms-powerpoint",), (".ppt",), "corpus.formats.legacy:parse_ppt"),
    Format("rtf", ("application/rtf", "text/rtf", "application/x-rtf"), (".rtf",), "corpus.formats.rtf:parse_rtf"),
)
BY_KIND = {fmt.kind: fmt for fmt in FORMATS}
BY_TYPE = {content_type: fmt for fmt in FORMATS for content_type in fmt.content_types}
BY_SUFFIX = {suffix: fmt for fmt in FORMATS for suffix in fmt.suffixes}
DOCX_TYPE = BY_KIND["docx"].content_type


def format_for(content_type: str, url: str = "") -> Format | None:
    """The format of a response or file: by its content type, or by its name when the type is generic.

    >>> format_for("application/vnd.oasis.opendocument.text").kind
    'odt'
    >>> format_for("application/octet-stream", "https://x.fi/liitteet/Talousarvio.XLSX?v=2").kind
    'xlsx'
    >>> format_for("text/html", "https://x.fi/sivu.doc") is None
    True
    """
    kind = content_type.split(";")[0].strip().lower()
    if kind in BY_TYPE:
        return BY_TYPE[kind]
    if kind in GENERIC_TYPES:
        path = urlsplit(url).path.lower() if "://" in url else url.lower()
        return BY_SUFFIX.get("." + path.rsplit(".", 1)[-1]) if "." in path else None
    return None
