"""Rich Text Format (.rtf), as case systems export it, read with striprtf; title and dates from its info group.

Headings are the paragraphs whose style is a heading in the style sheet (an outline level, or a name such
as "Heading 2", "Otsikko 2" or "Rubrik 2", as Word and LibreOffice write them) or that carry an outline
level of their own. striprtf knows no styles, so before it runs, one pass over the control words follows
each paragraph's style (\\pard resets it, \\sN sets it, groups restore it) and puts a marker character
at the end of every heading paragraph; the lines of striprtf's text that end in it are the headings.
"""

from __future__ import annotations

import datetime as dt
import re

from corpus.document import Document
from corpus.formats import BY_KIND
from corpus.formats.bounds import LIMITS, Limits, check_size
from corpus.formats.docx import HEADING_STYLES
from corpus.formats.text import office_document
from corpus.parse import ParseError

TITLE = re.compile(rb"\{\\title\s?((?:[^{}\\]|\\[^{}]|\\[{}])*)\}")
TIMES = {name: re.compile(rb"\\" + name + rb"\\yr(\d{4})\\mo(\d{1,2})\\dy(\d{1,2})") for name in (b"revtim", b"creatim")}
CODEPAGE = re.compile(rb"\\ansicpg(\d{3,5})")
# RTF's tokens: a control word with its number, a hex escape or control symbol, a brace, or a run of text.
TOKENS = re.compile(r"\\([a-z]{1,32})(-?\d{1,10})? ?|\\'[0-9a-fA-F]{2}|\\.|[{}]|[^\\{}]+", re.DOTALL)
STYLESHEET = "{\\stylesheet"
# Written at the end of each heading paragraph (as \\u-8192?, U+E000, a private-use character).
HEADING_MARK = "\ue000"
MAX_OUTLINE_LEVEL = 8  # \outlinelevel9 is body text


def parse_rtf(content: bytes, url: str, *, source: str = "", visibility: str = "public", limits: Limits = LIMITS) -> Document:
    """The text of an RTF file in its declared code page (Windows-1252 when none is declared)."""
    from striprtf.striprtf import rtf_to_text

    check_size(content, url, limits)
    if not content.lstrip()[:5] == b"{\\rtf":
        raise ParseError(f"{url}: not an RTF file (it does not start with {{\\rtf)")
    encoding = _encoding(content)
    try:
        raw = content.decode("latin-1")  # RTF is 7-bit; \\'xx escapes are decoded by striprtf in `encoding`
        text = rtf_to_text(mark_headings(raw), encoding=encoding, errors="replace")
        lines = text.split("\n")
        headings = [line.replace(HEADING_MARK, "") for line in lines if line.rstrip().endswith(HEADING_MARK)]
        lines = [line.replace(HEADING_MARK, "") for line in lines]
        title_match = TITLE.search(content)
        title = rtf_to_text("{\\rtf1 " + title_match.group(1).decode("latin-1") + "}", encoding=encoding, errors="replace") if title_match else ""
    except Exception as exc:  # striprtf raises many types on damaged input
        raise ParseError(f"{url}: unreadable RTF ({exc.__class__.__name__}: {exc})") from None
    return office_document(
        lines, url, what="RTF", content_type=BY_KIND["rtf"].content_type, source=source,
        visibility=visibility, limits=limits, title=title, headings=headings, modified=_info_date(content),
    )


def mark_headings(raw: str) -> str:
    r"""The RTF with HEADING_MARK written at the end of every heading paragraph.

    >>> sheet = r"{\stylesheet{\s0 Normal;}{\s1\sbasedon0 heading 1;}}"
    >>> mark_headings(sheet + r"\pard\plain\s1 {Otsikko}\par\pard\plain\s0 Teksti\par").endswith(r"{Otsikko}\u-8192?\par\pard\plain\s0 Teksti\par")
    True
    """
    styles = heading_styles(raw)
    ends: list[int] = []  # where heading paragraphs end (their \\par); only these positions are kept
    style, outline = 0, None
    saved: list[tuple[int, int | None]] = []
    for match in TOKENS.finditer(raw):
        word = match.group(1)
        if word is None:
            token = match.group(0)
            if token == "{":
                saved.append((style, outline))
            elif token == "}" and saved:
                style, outline = saved.pop()
        elif word == "pard":
            style, outline = 0, None
        elif word == "s":
            style = int(match.group(2) or 0)
        elif word == "outlinelevel":
            outline = int(match.group(2) or 0)
        elif word == "par" and (style in styles or (outline is not None and 0 <= outline <= MAX_OUTLINE_LEVEL)):
            ends.append(match.start())
    if not ends:
        return raw
    parts, previous = [], 0
    for end in ends:
        parts += [raw[previous:end], "\\u-8192?"]
        previous = end
    parts.append(raw[previous:])
    return "".join(parts)


def heading_styles(raw: str) -> frozenset[int]:
    """The numbers of the style sheet's paragraph styles that are headings: by outline level or by name."""
    start = raw.find(STYLESHEET)
    if start < 0:
        return frozenset()
    found, depth, entry = set(), 0, []
    for match in TOKENS.finditer(raw, start):
        token = match.group(0)
        if token == "{":
            depth += 1
        elif token == "}":
            depth -= 1
            if depth == 1:  # an entry of the style sheet ends
                number, heading = _style_entry(entry)
                if number is not None and heading:
                    found.add(number)
                entry = []
            elif depth == 0:
                break
        elif depth >= 2:
            entry.append(match)
    return frozenset(found)


def _style_entry(tokens: list) -> tuple[int | None, bool]:
    """A style sheet entry's paragraph style number (None for a character or table style) and whether it is a heading."""
    number, outline, name = None, None, []
    for match in tokens:
        word = match.group(1)
        if word == "s" and number is None:
            number = int(match.group(2) or 0)
        elif word in ("cs", "ds", "ts", "tsrowd"):
            return None, False
        elif word == "outlinelevel":
            outline = int(match.group(2) or 0)
        elif word is None and not match.group(0).startswith("\\"):
            name.append(match.group(0))
    name_text = "".join(name).split(";", 1)[0].strip().lower()
    heading = (outline is not None and 0 <= outline <= MAX_OUTLINE_LEVEL) or name_text.startswith(HEADING_STYLES)
    return number, heading


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
