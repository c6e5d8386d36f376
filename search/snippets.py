"""Snippets: the passages of a hit's text where its matched words cluster, with every matched form marked.

Match positions come from the index (character offsets stored with the postings), not from analysing
the document again, so snippets cost a few posting look-ups per hit.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from whoosh.reading import TermNotFound

from indexer.schema import SNIPPET_FIELDS

SNIPPET_CHARS = 240  # about three lines of the result list at the page's reading width
PASSAGES = 2
CONTEXT_BEFORE = 40  # characters of context kept before the first match of a passage


@dataclass(frozen=True)
class Span:
    """One matched surface word in the stored text."""

    start: int
    end: int


def match_spans(searcher, docnum: int, query_terms) -> list[Span]:
    """Character spans of the query's terms that occur in one document, merged where they overlap."""
    raw = set()
    for field, term in query_terms:
        if field not in SNIPPET_FIELDS:
            continue
        try:
            matcher = searcher.postings(field, term)
        except TermNotFound:  # a query alternative that no document has
            continue
        matcher.skip_to(docnum)
        if matcher.is_active() and matcher.id() == docnum:
            raw.update((start, end) for _, start, end in matcher.value_as("characters"))
    spans: list[Span] = []
    for start, end in sorted(raw):
        if spans and start < spans[-1].end:
            spans[-1] = Span(spans[-1].start, max(end, spans[-1].end))
        else:
            spans.append(Span(start, end))
    return spans


def _window(text: str, spans: list[Span], first: int, width: int) -> tuple[int, int, list[Span]]:
    """A window of about `width` characters that starts shortly before spans[first], on word boundaries."""
    start = max(0, spans[first].start - CONTEXT_BEFORE)
    if start > 0:
        space = text.find(" ", start, spans[first].start)
        start = space + 1 if space >= 0 else spans[first].start
    end = min(len(text), start + width)
    if end < len(text):
        space = text.rfind(" ", spans[first].end, end)
        end = space if space > 0 else max(end, spans[first].end)
    inside = [s for s in spans if s.start >= start and s.end <= end]
    return start, end, inside


def _distinct(text: str, spans: list[Span]) -> int:
    return len({text[s.start : s.end].lower() for s in spans})


def best_passages(text: str, spans: list[Span], passages: int = PASSAGES, chars: int = SNIPPET_CHARS):
    """The windows with the most distinct matched words (then the most matches), in text order."""
    width = chars // passages
    chosen: list[tuple[int, int, list[Span]]] = []
    for _ in range(passages):
        best, best_key = None, None
        for i in range(len(spans)):
            start, end, inside = _window(text, spans, i, width)
            if any(start < e and s < end for s, e, _ in chosen) or not inside:
                continue
            key = (_distinct(text, inside), len(inside), -start)
            if best_key is None or key > best_key:
                best, best_key = (start, end, inside), key
        if best is None:
            break
        chosen.append(best)
    return sorted(chosen)


def format_passages(text: str, chosen) -> str:
    """HTML: escaped text with <mark> around matches; passages joined by an ellipsis."""
    out = []
    for start, end, inside in chosen:
        pieces, pos = [], start
        for span in inside:
            pieces.append(escape(text[pos : span.start]))
            pieces.append(f"<mark>{escape(text[span.start : span.end])}</mark>")
            pos = span.end
        pieces.append(escape(text[pos:end]))
        lead = "… " if start > 0 else ""
        tail = " …" if end < len(text) else ""
        out.append(lead + "".join(pieces).strip() + tail)
    return " ".join(out).replace("… …", "…")


def leading_text(text: str, chars: int = SNIPPET_CHARS) -> str:
    """The start of the text, cut at a word boundary, escaped: the snippet when no text word matched."""
    if len(text) <= chars:
        return escape(text)
    cut = text.rfind(" ", 0, chars)
    return escape(text[: cut if cut > 0 else chars]) + " …"


def make_snippet(searcher, docnum: int, query_terms, text: str) -> str:
    """The HTML snippet of one hit: query_terms are the (field, term) pairs of the query that found it."""
    spans = match_spans(searcher, docnum, query_terms)
    chosen = best_passages(text, spans) if spans else []
    return format_passages(text, chosen) if chosen else leading_text(text)
