"""robots.txt rules (with protego) and sitemap reading; parsing only, the crawler fetches."""

from __future__ import annotations

import codecs
import itertools
from collections.abc import Iterable
from dataclasses import dataclass

from lxml import etree
from protego import Protego

from corpus import CorpusError
from corpus.limits import MAX_DECOMPRESSED_BYTES, LimitError, iter_gunzip

# Google reads the first 500 KiB of a robots.txt and ignores the rest; so do we (a long file costs parse time).
MAX_ROBOTS_CHARS = 500 * 1024
# Longest first: the UTF-32 LE mark begins with the UTF-16 LE one.
ROBOTS_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"), (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# The sitemap protocol's cap on the entries of one file (sitemaps.org/protocol.html).
MAX_SITEMAP_URLS = 50_000


class RobotsRules:
    """What one host's robots.txt allows a user agent; an absent robots.txt allows everything."""

    def __init__(self, text: str | None, user_agent: str):
        self.user_agent = user_agent
        self._rules = Protego.parse(text[:MAX_ROBOTS_CHARS]) if text else None

    @classmethod
    def from_bytes(cls, content: bytes, user_agent: str) -> "RobotsRules":
        """Rules from robots.txt as fetched: UTF-8, or UTF-16/32 when a byte order mark says so.

        >>> RobotsRules.from_bytes("User-agent: *\\nDisallow: /x".encode("utf-16"), "bot").allowed("http://a.fi/x")
        False
        """
        return cls(decode_robots(content), user_agent)

    def allowed(self, url: str) -> bool:
        """True if robots.txt lets our user agent fetch the URL."""
        return self._rules is None or self._rules.can_fetch(url, self.user_agent)

    @property
    def crawl_delay(self) -> float | None:
        """The Crawl-delay for our user agent, if robots.txt names one."""
        if self._rules is None:
            return None
        delay = self._rules.crawl_delay(self.user_agent)
        return float(delay) if delay is not None else None

    @property
    def sitemaps(self) -> list[str]:
        """Sitemap URLs that robots.txt names."""
        return list(self._rules.sitemaps) if self._rules is not None else []


class SitemapError(CorpusError):
    """A sitemap that cannot be read: not XML, not gzip, or over a limit; `reason` says which."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def decode_robots(content: bytes) -> str:
    """The text of robots.txt bytes: a byte order mark picks UTF-8, UTF-16 or UTF-32, else UTF-8 as RFC 9309 says.

    Without this a UTF-16 file decodes as UTF-8 into text with a NUL between letters, which matches no rule:
    every path would be allowed.

    >>> decode_robots(b"\\xff\\xfeU\\x00A\\x00")
    'UA'
    """
    for bom, codec in ROBOTS_BOMS:
        if content.startswith(bom):
            return content[len(bom):].decode(codec, errors="replace")
    return content.decode("utf-8", errors="replace")


@dataclass(frozen=True)
class Sitemap:
    """The page URLs and nested sitemap URLs one sitemap file lists."""

    pages: tuple[str, ...]
    sitemaps: tuple[str, ...]


def parse_sitemap(content: bytes, *, max_bytes: int = MAX_DECOMPRESSED_BYTES, max_urls: int = MAX_SITEMAP_URLS) -> Sitemap:
    """Read a <urlset> or <sitemapindex>, gzip-compressed or not, without ever holding it expanded or as a tree.

    Raises SitemapError for what is not a sitemap, a gzip bomb (over `max_bytes` expanded) or more than
    `max_urls` entries, so that the crawler can say why it skipped one.

    >>> parse_sitemap(b'<urlset><url><loc> https://example.fi/a </loc></url></urlset>')
    Sitemap(pages=('https://example.fi/a',), sitemaps=())
    >>> parse_sitemap(b'Not found')
    Traceback (most recent call last):
    corpus.robots.SitemapError: not a sitemap (no <urlset> or <sitemapindex>)
    """
    pieces: Iterable[bytes]
    if content[:2] == b"\x1f\x8b":
        pieces = iter_gunzip(content, max_bytes=max_bytes)
    elif len(content) > max_bytes:
        raise SitemapError(f"over {max_bytes} bytes")
    else:
        pieces = (content[i:i + 65536] for i in range(0, len(content), 65536))
    parser = etree.XMLPullParser(
        events=("start", "end"), resolve_entities=False, no_network=True, recover=True, huge_tree=False,
    )
    root, locs = None, []
    try:
        for piece in itertools.chain(pieces, [None]):
            if piece is None:
                parser.close()
            else:
                parser.feed(piece)
            for event, element in parser.read_events():
                if root is None:
                    root = element
                if event != "end":
                    continue
                if _localname(element) == "loc" and (element.text or "").strip():
                    locs.append(element.text.strip())
                    if len(locs) > max_urls:
                        raise SitemapError(f"more than {max_urls} URLs (the sitemap protocol's limit)")
                if element.getparent() is root:
                    root.remove(element)  # an <url> entry is done: keep memory flat
    except LimitError as exc:
        raise SitemapError(exc.reason) from None
    except (etree.LxmlError, ValueError) as exc:
        if root is None:
            raise SitemapError(f"not XML ({exc})") from None
    if root is None or _localname(root) not in ("urlset", "sitemapindex"):
        raise SitemapError("not a sitemap (no <urlset> or <sitemapindex>)")
    if _localname(root) == "sitemapindex":
        return Sitemap((), tuple(locs))
    return Sitemap(tuple(locs), ())


def _localname(element) -> str:
    """An element's name without its namespace ('' for comments); unlike etree.QName, never raises on a
    name that lxml's recovering parser let through."""
    tag = element.tag
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""
