"""robots.txt rules (with protego) and sitemap reading; parsing only, the crawler fetches."""

from __future__ import annotations

import gzip
from dataclasses import dataclass

from lxml import etree
from protego import Protego

SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


class RobotsRules:
    """What one host's robots.txt allows a user agent; an absent robots.txt allows everything."""

    def __init__(self, text: str | None, user_agent: str):
        self.user_agent = user_agent
        self._rules = Protego.parse(text) if text else None

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


@dataclass(frozen=True)
class Sitemap:
    """The page URLs and nested sitemap URLs one sitemap file lists."""

    pages: tuple[str, ...]
    sitemaps: tuple[str, ...]


def parse_sitemap(content: bytes) -> Sitemap:
    """Read a <urlset> or <sitemapindex> (gzip-compressed or not); malformed input gives an empty Sitemap."""
    if content[:2] == b"\x1f\x8b":
        try:
            content = gzip.decompress(content)
        except (OSError, EOFError):
            return Sitemap((), ())
    try:
        root = etree.fromstring(content, parser=etree.XMLParser(resolve_entities=False, no_network=True, recover=True))
    except etree.XMLSyntaxError:
        return Sitemap((), ())
    if root is None:
        return Sitemap((), ())
    locs = tuple(
        (el.text or "").strip() for el in root.iter(f"{SITEMAP_NS}loc", "loc") if (el.text or "").strip()
    )
    if etree.QName(root).localname == "sitemapindex":
        return Sitemap((), locs)
    return Sitemap(locs, ())
