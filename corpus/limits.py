"""Limits on what hostile input may cost: decompressed size and ratio, element depth, parse work.

Every byte the crawler and the importers read is someone else's; these checks run before the expensive
step (expanding, building a tree), so that a bomb is refused at a known cost instead of eating the machine.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator

from lxml import etree

from corpus import CorpusError

# The sitemap protocol caps an uncompressed sitemap at 50 MB (sitemaps.org/protocol.html).
MAX_DECOMPRESSED_BYTES = 50 * 1024 * 1024
# Text and XML compress 5-30 times with gzip; a run of zeros over 1000 times. Checked only past
# RATIO_FLOOR bytes, where a real sitemap has long stopped looking like a run of one character.
MAX_RATIO = 100
RATIO_FLOOR = 1024 * 1024
CHUNK = 64 * 1024

# The crawler never fetches more than this (corpus.fetch.MAX_BYTES); a file from a drive or a WARC record is
# held to the same, so that an import cannot be made to run extraction over a 50 MB page.
MAX_MARKUP_CHARS = 10 * 1024 * 1024
# libxml2 itself refuses HTML nested deeper than 256 unless told otherwise; the deepest page of
# tests/fixtures/realworld/ and the sample site nests 11 elements.
MAX_ELEMENT_DEPTH = 256
# The sum over all elements of their depth: what tree walks that visit every ancestor (or every descendant)
# of every element cost. The sample site's pages need about 500 per 6 KB, so 300,000 admits about 3 MB of
# such markup; 254-deep blocks at this limit parse in about 1.5 s on the 2-core benchmark machine, twice the
# limit took 9 s. Re-check with benchmarks/hostile_site.py, which parses a page at this limit.
MAX_NESTING_WORK = 300_000


class LimitError(CorpusError):
    """Input over a safety limit, or compressed data that cannot be expanded; `reason` says which."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def iter_gunzip(
    content: bytes, *, max_bytes: int = MAX_DECOMPRESSED_BYTES, max_ratio: float = MAX_RATIO
) -> Iterator[bytes]:
    """Expand gzip data piece by piece, refusing more than `max_bytes` out or more than `max_ratio` times the input.

    >>> import gzip
    >>> b"".join(iter_gunzip(gzip.compress(b"<urlset/>")))
    b'<urlset/>'
    >>> b"".join(iter_gunzip(gzip.compress(b"0" * 5_000_000)))
    Traceback (most recent call last):
    corpus.limits.LimitError: gzip expands over 100 times (1.1 MB from 4.8 KB so far)
    """
    produced, data = 0, content
    while data:
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        while data:
            try:
                piece = inflater.decompress(data, CHUNK)
            except zlib.error as exc:
                raise LimitError(f"not valid gzip data ({exc})") from None
            data = inflater.unconsumed_tail
            produced += len(piece)
            if produced > max_bytes:
                raise LimitError(f"gzip expands to over {_size(max_bytes)}, the limit")
            if produced > RATIO_FLOOR and produced > max_ratio * len(content):
                raise LimitError(
                    f"gzip expands over {max_ratio:g} times ({_size(produced)} from {_size(len(content))} so far)"
                )
            if piece:
                yield piece
            if inflater.eof:
                break
            if not piece and not data:
                raise LimitError("not valid gzip data (truncated)")
        # A gzip file may hold several members one after another; anything else after the end is refused.
        data = inflater.unused_data
        if data and data[:2] != b"\x1f\x8b":
            raise LimitError("not valid gzip data (junk after the end)")


def markup_excess(
    markup: str | bytes, *, max_depth: int = MAX_ELEMENT_DEPTH, max_work: int = MAX_NESTING_WORK,
    max_chars: int = MAX_MARKUP_CHARS,
) -> str | None:
    """Why HTML is too large or too deeply nested to parse safely, or None when it is within the limits.

    lxml's C parser walks the markup once (linear time, constant memory: elements are dropped as they close),
    so that the Python tree building and extraction after it never see a page whose cost grows with depth
    squared.

    >>> markup_excess("<html><body><div><p>Hyvä sivu.</p></div></body></html>") is None
    True
    >>> markup_excess("<div>" * 300)
    'elements nested over 256 deep'
    """
    if len(markup) > max_chars:
        return f"over {_size(max_chars)} of markup"
    parser = etree.HTMLPullParser(events=("start", "end"), huge_tree=True)
    depth = work = 0
    try:
        for start in range(0, len(markup) + 1, CHUNK):
            if start < len(markup):
                parser.feed(markup[start:start + CHUNK])
            else:
                parser.close()
            for event, element in parser.read_events():
                if event == "end":
                    depth -= 1
                    element.clear(keep_tail=True)
                    continue
                depth += 1
                work += depth
                if depth > max_depth:
                    return f"elements nested over {max_depth} deep"
                if work > max_work:
                    return f"too much nesting to parse (over {max_work:,} element levels)"
    except etree.LxmlError:
        return None  # markup lxml cannot read at all is left to the parser's own error handling
    return None


def _size(n: int) -> str:
    """A byte count for a message: '4.9 KB', '50.0 MB'."""
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    raise AssertionError("unreachable")
