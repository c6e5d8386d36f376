"""Rich Text Format (.rtf), as case systems export it, read with striprtf; title and dates from its info group."""

from __future__ import annotations

import datetime as dt
import re

from corpus.document import Document
from corpus.formats import BY_KIND
from corpus.formats.bounds import LIMITS, Limits, check_size
from corpus.formats.text import office_document
from corpus.parse import ParseError

TITLE = re.compile(rb"\{\\title\s?((?:[^{}\\]|\\[^{}]|\\[{}])*)\}")
TIMES = {name: re.compile(rb"\\" + name + rb"\\yr(\d{4})\\mo(\d{1,2})\\dy(\d{1,2})") for name in (b"revtim", b"creatim")}
CODEPAGE = re.compile(rb"\\ansicpg(\d{3,5})")


def parse_rtf(content: bytes, url: str, *, source: str = "", visibility: str = "public", limits: Limits = LIMITS) -> Document:
    """The text of an RTF file in its declared code page (Windows-1252 when none is declared)."""
    from striprtf.striprtf import rtf_to_text

    check_size(content, url, limits)
    if not content.lstrip()[:5] == b"{\\rtf":
        raise ParseError(f"{url}: not an RTF file (it does not start with {{\\rtf)")
    encoding = _encoding(content)
    try:
        raw = content.decode("latin-1")  # RTF is 7-bit; \\'xx escapes are decoded by striprtf in `encoding`
        text = rtf_to_text(raw, encoding=encoding, errors="replace")
        title_match = TITLE.search(content)
        title = rtf_to_text("{\\rtf1 " + title_match.group(1).decode("latin-1") + "}", encoding=encoding, errors="replace") if title_match else ""
    except Exception as exc:  # striprtf raises many types on damaged input
        raise ParseError(f"{url}: unreadable RTF ({exc.__class__.__name__}: {exc})") from None
    return office_document(
        text.split("\n"), url, what="RTF", content_type=BY_KIND["rtf"].content_type, source=source,
        visibility=visibility, limits=limits, title=title, modified=_info_date(content),
    )


def _encoding(content: bytes) -> str:
    match = CODEPAGE.search(content[:4096])
    name = f"cp{int(match.group(1))}" if match else "cp1252"
    try:
        "".encode(name)
    except LookupError:
        return "cp1252"
    return name


def _info_date(content: bytes) -> dt.date | None:
    """The revision time of the info group, else its creation time."""
    for pattern in TIMES.values():
        match = pattern.search(content)
        if match:
            try:
                return dt.date(*(int(part) for part in match.groups()))
            except ValueError:
                continue
    return None
