"""Snippets: the best passages of a hit's text with every matched form of the query words marked."""

from __future__ import annotations

from html import escape

from whoosh import highlight

SNIPPET_CHARS = 240  # about two lines of the result list at the page's reading width
SNIPPET_FRAGMENTS = 2


def make_highlighter() -> highlight.Highlighter:
    """A highlighter that reads match positions from the index (no re-analysis) and marks them with <mark>."""
    return highlight.Highlighter(
        fragmenter=highlight.PinpointFragmenter(maxchars=SNIPPET_CHARS // SNIPPET_FRAGMENTS, surround=50, autotrim=True),
        formatter=highlight.HtmlFormatter(tagname="mark", classname="hit", termclass="t", between=" … "),
        scorer=highlight.BasicFragmentScorer(),
    )


def snippet_for(hit, fieldname: str = "text") -> str:
    """HTML snippet of a hit: highlighted passages, or the start of the text when only other fields matched."""
    marked = hit.highlights(fieldname, top=SNIPPET_FRAGMENTS)
    if marked:
        return marked
    text = hit.get(fieldname) or ""
    if len(text) <= SNIPPET_CHARS:
        return escape(text)
    cut = text.rfind(" ", 0, SNIPPET_CHARS)
    return escape(text[: cut if cut > 0 else SNIPPET_CHARS]) + " …"
