"""A page's main text from two readings of one lxml tree: sotehaku's lines and trafilatura's extraction.

sotehaku's rules (corpus/parse.py) find the content column and drop site chrome by element, role, class
words and text; inside the column they keep everything, including the boilerplate a CMS puts there (related
articles, tag lists, teasers). trafilatura (Apache-2.0) scores every block of the page by its text and link
density and keeps the paragraphs of the main text, but drops structures whose text is short (a decision's
header table, a collapsed accordion answer, a lead paragraph with a class of its own).

The merge keeps sotehaku's lines and order where trafilatura found the same text, adds in place the lines
only trafilatura found (unless sotehaku dropped them as chrome beyond doubt), and keeps without asking
trafilatura the lines of structures that are content by their kind: `sure` elements chosen by
corpus/parse.py (table cells, definition lists, collapsed panels, a lead, the lines just above the page's
heading). When trafilatura finds nothing, sotehaku's own lines are the text, so that no page with text
comes out empty.
"""

from __future__ import annotations

import functools
import logging
import re
from copy import copy

# trafilatura reports every page it finds too short as a warning ("discarding data"); for sotehaku that is
# an ordinary outcome, handled by falling back on its own lines.
logging.getLogger("trafilatura").setLevel(logging.ERROR)
# trafilatura compares its text with readability's and jusText's only when its text is under this share of the text
# of sotehaku's content container (measured: 0.2 keeps the F1 of comparing on every page, 0.5 adds nothing).
COMPARE_SHARE = 0.2
# A description of at least MIN_LEAD characters whose first LEAD_PREFIX open a line marks that line as the lead.
MIN_LEAD = 20
LEAD_PREFIX = 50
# A line only trafilatura found that holds one of sotehaku's lines at least this long is a coarser block
# around text sotehaku has (a layout table's cell with its print and feedback links): it is left out.
COARSE = 30
# trafilatura writes a table row as "| cell | cell |", a "|" in a cell as "\\|".
CELL_BORDER = re.compile(r"(?<!\\)\|")
# trafilatura marks a list item with "- ", sotehaku writes it as a line of its own.
LIST_MARK = re.compile(r"^\s*[-*•]\s+")


@functools.cache
def _trafilatura():
    """trafilatura's bare_extraction and the class of sotehaku's options for it, imported on first use (a second
    of imports that a search does not need)."""
    from trafilatura import core
    from trafilatura.settings import Extractor

    class Options(Extractor):
        """trafilatura's settings for one of sotehaku's pages (main text and tables, no comments, no
        deduplication), with the length of the text of sotehaku's content container."""

        def __init__(self, url: str, container_length: int):
            super().__init__(output_format="python", comments=False, tables=True, dedup=False, url=url)
            self.container_length = container_length

    extract_and_compare = core._extract_and_compare

    def compare_when_short(cleaned_tree, cleaned_tree_backup, tree, options):
        """trafilatura's extraction, compared with readability's and jusText's, as its balanced mode does on every
        page (a quarter of its time, and the text of few pages changes), only when trafilatura's text is under its
        own minimum or under COMPARE_SHARE of the text of sotehaku's content container: a sign that it kept a
        fragment of the page's text. Any other caller of trafilatura in the process is served unchanged."""
        if not isinstance(options, Options):
            return extract_and_compare(cleaned_tree, cleaned_tree_backup, tree, options)
        body, text = core.extract_content(cleaned_tree, options)
        if len(text) >= options.min_extracted_size and len(text) >= COMPARE_SHARE * options.container_length:
            return body, text
        return core.compare_extraction(cleaned_tree_backup, copy(tree), body, text, options)

    # trafilatura's pipeline calls this step by its module-level name (its version is pinned in setup.cfg).
    core._extract_and_compare = compare_when_short
    return core.bare_extraction, Options


def extract(tree, url: str, container=None) -> str | None:
    """trafilatura's main text of an lxml tree (trafilatura works on a copy), or None when it finds none.
    `container` is the element sotehaku found the page's text in (corpus/parse.py), the whole tree by default."""
    container = tree if container is None else container
    bare_extraction, options = _trafilatura()
    try:
        document = bare_extraction(tree, options=options(url, len(" ".join(" ".join(container.itertext()).split()))))
    except (ValueError, TypeError, LookupError, AttributeError, IndexError):  # trafilatura's own failures
        return None
    return document.text if document is not None and document.text and document.text.strip() else None


def merge(
    lines: list[tuple[str, bool]], extracted: str | None, left_out: list[str] | tuple = (), lead: str = ""
) -> str:
    """One text of sotehaku's (line, sure) pairs and trafilatura's text: see the module's docstring. Lines only
    trafilatura found are left out when they are in `left_out` (the title, the text sotehaku dropped as chrome).

    >>> merge([("Lue myös", False), ("Teksti alkaa.", False), ("1 | 2", True)], "Teksti alkaa.\\nLoppu.")
    'Teksti alkaa.\\nLoppu.\\n1 | 2'
    >>> merge([("Teksti.", False)], None)
    'Teksti.'
    """
    if extracted is None:
        return "\n".join(line for line, _ in lines)
    found = _squash(extracted)
    own = _squash("\n".join(line for line, _ in lines))
    dropped = _squash("\n".join(left_out))
    # The page's description (<meta name="description">) often opens its lead paragraph: that line stays.
    opening = _squash(lead)[:LEAD_PREFIX] if len(lead) >= MIN_LEAD else None
    kept: list[list[str]] = [
        [line] if sure or _squash(line) in found or (opening and _squash(line).startswith(opening)) else []
        for line, sure in lines
    ]
    # Lines only trafilatura found go after the last of sotehaku's lines that came before them in its text.
    squashed = [_squash(line) for line, _ in lines]
    head: list[str] = []
    at = -1
    for line in _lines(extracted):
        key = _squash(line)
        if not any(c.isalnum() for c in key):
            continue
        if key in own:
            at = next((i for i in range(max(at, 0), len(squashed)) if key in squashed[i] or squashed[i] in key), at)
        elif key in dropped or any(len(mine) >= COARSE and mine in key for mine in squashed):
            continue  # chrome, or a coarser block (a layout cell) around lines sotehaku has
        elif at < 0:
            head.append(_unpiped(line))
        else:
            kept[at].append(_unpiped(line))
    text = "\n".join([*head, *(line for group in kept for line in group)])
    return text if text.strip() else "\n".join(line for line, _ in lines)


def _lines(extracted: str):
    """trafilatura's lines without list marks, a table row's cells one by one (a layout table's row holds the
    menu cell beside the text cell)."""
    for line in extracted.split("\n"):
        line = LIST_MARK.sub("", line).strip()
        if line.startswith("|"):
            yield from (cell.strip() for cell in CELL_BORDER.split(line))
        else:
            yield line


def _squash(text: str) -> str:
    """Text as both readings can be compared: trafilatura writes a table row as "| cell | cell |"."""
    return " ".join(text.replace("\\|", " ").replace("|", " ").split())


def _unpiped(line: str) -> str:
    """A line of trafilatura's text as sotehaku writes it: a table row's cells side by side."""
    line = line.strip()
    return " ".join(line.replace("\\|", "|").replace("|", " ").split()) if line.startswith("|") else line
