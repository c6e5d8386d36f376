"""URL normalisation, so that one page is fetched and stored once."""

from __future__ import annotations

import functools
import re
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

TRACKING_PARAMS = {"fbclid", "gclid", "mc_cid", "mc_eid", "_ga", "msclkid"}
DEFAULT_PORTS = {"http": 80, "https": 443}
# What a browser drops from anywhere in a URL (the WHATWG URL standard): tabs and line breaks in a wrapped href.
TAB_OR_NEWLINE = re.compile("[\t\n\r]")
# A link with its own http(s) scheme needs no joining to its page's URL.
ABSOLUTE = re.compile(r"https?://", re.I)
# Characters no host name can hold ("http://exa mple.fi", "http://{{host}}"); such a link leads nowhere.
BAD_HOST = re.compile(r"[\x00-\x20<>\"{}|\\^`%]")


def normalize_url(url: str, base: str | None = None) -> str | None:
    """Absolute, canonical form of a link, or None for links that are not http(s) pages.

    A link that cannot be a URL (`http://[ccpa-preferences]`, a bad port, a space in the host) is None too:
    one bad link on a page must never cost the page.

    >>> normalize_url("../palvelut/Kotihoito.html?utm_source=x#alku", "HTTP://Example.FI:80/uudistus/a.html")
    'http://example.fi/palvelut/Kotihoito.html'
    >>> normalize_url("http://[ccpa-preferences]", "https://example.fi/") is None
    True
    """
    url = TAB_OR_NEWLINE.sub("", url.strip())
    if base is not None and not ABSOLUTE.match(url):
        try:
            url = _join(base, url)
        except ValueError:
            return None
    return _normalize_absolute(url)


def _join(base: str, url: str) -> str:
    """urljoin(base, url), the commonest link (a path from the site's root, with no "//", "." or ".." to
    resolve) joined without parsing it.

    >>> _join("https://example.fi/a/b.html", "/palvelut/?q=1#x"), _join("https://example.fi/a/", "../c//d")
    ('https://example.fi/palvelut/?q=1#x', 'https://example.fi/c/d')
    """
    if url.startswith("/") and not url.startswith("//"):
        path = url.split("?", 1)[0].split("#", 1)[0]
        origin = _origin(base)
        if origin and "//" not in path and "/." not in path:
            return origin + url
    return urljoin(base, url)


@functools.lru_cache(maxsize=1024)
def _origin(base: str) -> str | None:
    """ "https://example.fi" of an http(s) page's URL, None for any other."""
    parts = urlsplit(base)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme in DEFAULT_PORTS and parts.netloc else None


@functools.lru_cache(maxsize=65536)
def _normalize_absolute(url: str) -> str | None:
    """normalize_url of a URL already joined to its base; cached, since every page of a site repeats its menus."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    hostname = parts.hostname  # a property that parses the netloc again at every reading
    if scheme not in DEFAULT_PORTS or not hostname or BAD_HOST.search(hostname):
        return None
    host = hostname.lower()
    if ":" in host:
        host = f"[{host}]"
    netloc = host if port in (None, DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    path = parts.path or "/"
    query = parts.query and urlencode([
        (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not k.lower().startswith("utm_") and k.lower() not in TRACKING_PARAMS
    ])
    return urlunsplit((scheme, netloc, path, query, ""))
