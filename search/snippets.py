"""Snippets: the passages of a hit's text where its matched words cluster, with every matched form marked.

Match positions (character spans of the surface words) come from the backend, which reads them from
its index or from sotehaku's analysis; either way they point at the inflected form the reader sees.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import escape as escape_html

SNIPPET_CHARS = 240  # about three lines of the result list at the page's reading width
PASSAGES = 2
CONTEXT_BEFORE = 40  # characters of context kept before the first match of a passage
# A line break of the stored text (between headings, list items, paragraphs, table rows): a separator in
# the one-line snippet, so that "Hakemus" and "Liitteet" do not read as "Hakemus Liitteet". After a
# sentence's end a space is enough.
LINE_BREAK = re.compile(r"([.!?:;…])?[ \t]*\n\s*")
SEPARATOR = " · "
EDGE_SEPARATORS = re.compile(r"^(?:·\s*)+|(?:\s*·)+$")


def escape(text: str) -> str:
    """Text as snippet HTML: escaped, its line breaks as separators.

    >>> escape("Hakemus\\nLiitteet\\nValmis. Seuraava\\n<b>")
    'Hakemus · Liitteet · Valmis. Seuraava · &lt;b&gt;'
    """
    return LINE_BREAK.sub(lambda m: f"{m.group(1)} " if m.group(1) else SEPARATOR, escape_html(text))


@dataclass(frozen=True)
class Span:
    """One matched surface word in the stored text."""

    start: int
    end: int


def merge_spans(raw) -> list[Span]:
    """Sorted spans from (start, end) pairs, merged where they overlap.

    >>> merge_spans([(5, 9), (0, 3), (7, 12)])
    [Span(start=0, end=3), Span(start=5, end=12)]
    """
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
        out.append(lead + EDGE_SEPARATORS.sub("", "".join(pieces).strip()) + tail)
    return " ".join(out).replace("… …", "…")


def leading_text(text: str, chars: int = SNIPPET_CHARS) -> str:
    """The start of the text, cut at a word boundary, escaped: the snippet when no text word matched."""
    if len(text) <= chars:
        return escape(text)
    cut = text.rfind(" ", 0, chars)
    return escape(text[: cut if cut > 0 else chars]) + " …"


def make_snippet(text: str, matched) -> str:
    """The HTML snippet of one hit: `matched` are the (start, end) spans of the query's words in its text."""
    spans = merge_spans(matched)
    chosen = best_passages(text, spans) if spans else []
    return format_passages(text, chosen) if chosen else leading_text(text)
