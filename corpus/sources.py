"""Crawl sources: what to fetch, from where, and who may see it, read from sotehaku.toml."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from corpus import CorpusError
from corpus.document import VISIBILITIES, check_groups

DEFAULT_USER_AGENT = "sotehaku/0.1 (+https://github.com/sotehaku)"


class SourceConfigError(CorpusError):
    """The source configuration file is missing or malformed."""


@dataclass(frozen=True)
class Source:
    """One crawl source: start URLs, the hosts it may visit, URL patterns and visibility.

    >>> Source.for_url("https://example.fi/sote/").allowed_hosts
    ('example.fi',)
    """

    name: str
    start_urls: tuple[str, ...]
    allowed_hosts: tuple[str, ...]
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    visibility: str = "public"
    access: tuple[str, ...] = ()  # the groups its (internal) documents are limited to
    max_pages: int = 5000
    delay: float = 0.0
    user_agent: str = DEFAULT_USER_AGENT
    sitemap_urls: tuple[str, ...] = ()
    max_depth: int = 50
    timeout: float = 10.0
    deadline: float = 60.0
    retries: int = 3
    _include_re: tuple[re.Pattern, ...] = field(default=(), repr=False, compare=False)
    _exclude_re: tuple[re.Pattern, ...] = field(default=(), repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_include_re", tuple(_compile(self.name, "include", p) for p in self.include))
        object.__setattr__(self, "_exclude_re", tuple(_compile(self.name, "exclude", p) for p in self.exclude))

    @classmethod
    def for_url(cls, url: str) -> "Source":
        """The source a bare command-line URL stands for: that host only, public, default limits."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise SourceConfigError(f"{url!r} is not an http(s) URL. Give a full URL such as https://example.fi/")
        return cls(name=parts.netloc.lower(), start_urls=(url,), allowed_hosts=(parts.netloc.lower(),))

    def allows_host(self, url: str) -> bool:
        """True if the URL's host (and port, when the entry names one) is an allowed host."""
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        netloc = parts.netloc.lower().rsplit("@", 1)[-1]
        return any(allowed in (host, netloc) for allowed in self.allowed_hosts)

    def in_scope(self, url: str) -> bool:
        """True if the crawler may fetch this URL for this source."""
        if urlsplit(url).scheme not in ("http", "https") or not self.allows_host(url):
            return False
        if self._include_re and not any(p.search(url) for p in self._include_re):
            return False
        return not any(p.search(url) for p in self._exclude_re)


def _compile(source: str, key: str, pattern: str) -> re.Pattern:
    try:
        return re.compile(pattern)
    except re.error as exc:
        raise SourceConfigError(
            f"Source {source!r}: {key} pattern {pattern!r} is not a valid regular expression ({exc})."
        ) from None


def load_sources(path: str | Path) -> list[Source]:
    """Read the [[source]] tables of a TOML file into Source objects, checking every field."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SourceConfigError(f"Source configuration {path} does not exist. Create it (see README) or pass --config.") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SourceConfigError(f"Cannot read source configuration {path}: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise SourceConfigError(f"{path} is not valid TOML: {exc}. Fix the syntax and run again.") from None
    tables = data.get("source")
    if not isinstance(tables, list) or not tables:
        raise SourceConfigError(f"{path} has no [[source]] tables. Add at least one (see README).")
    sources = [_source_from_table(path, i, t) for i, t in enumerate(tables, 1)]
    names = [s.name for s in sources]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise SourceConfigError(f"{path}: source names must be unique; repeated: {', '.join(dupes)}")
    return sources


def _source_from_table(path: Path, index: int, table: dict) -> Source:
    where = f"{path}, source #{index}"
    known = {
        "name", "start_urls", "sitemap_urls", "allowed_hosts", "include", "exclude", "visibility", "access",
        "max_pages", "max_depth", "delay", "timeout", "deadline", "retries", "user_agent",
    }
    unknown = sorted(set(table) - known)
    if unknown:
        raise SourceConfigError(f"{where}: unknown key(s) {', '.join(unknown)}; known keys are {', '.join(sorted(known))}.")
    name = table.get("name")
    if not isinstance(name, str) or not name:
        raise SourceConfigError(f"{where}: 'name' is required and must be a string.")
    where = f"{path}, source {name!r}"
    start_urls = _str_list(where, table, "start_urls")
    sitemap_urls = _str_list(where, table, "sitemap_urls")
    if not start_urls and not sitemap_urls:
        raise SourceConfigError(f"{where}: give at least one URL in 'start_urls' or 'sitemap_urls'.")
    for key, urls in (("start_urls", start_urls), ("sitemap_urls", sitemap_urls)):
        for url in urls:
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise SourceConfigError(f"{where}: {key} entry {url!r} is not an http(s) URL.")
    hosts = _str_list(where, table, "allowed_hosts") or sorted(
        {urlsplit(u).netloc.lower() for u in (*start_urls, *sitemap_urls)}
    )
    visibility = table.get("visibility", "public")
    if visibility not in VISIBILITIES:
        raise SourceConfigError(f"{where}: visibility must be one of {', '.join(VISIBILITIES)}, not {visibility!r}.")
    access = _str_list(where, table, "access")
    if access and visibility != "internal":
        raise SourceConfigError(f"{where}: 'access' (groups) limits internal documents only; set visibility = \"internal\".")
    try:
        access = check_groups(access, f"{where}: access")
    except ValueError as exc:
        raise SourceConfigError(str(exc)) from None
    max_pages = table.get("max_pages", 5000)
    delay = table.get("delay", 0.0)
    if not isinstance(max_pages, int) or max_pages < 1:
        raise SourceConfigError(f"{where}: max_pages must be a positive whole number.")
    if not isinstance(delay, (int, float)) or delay < 0:
        raise SourceConfigError(f"{where}: delay must be a number of seconds, 0 or more.")
    max_depth = table.get("max_depth", 50)
    if not isinstance(max_depth, int) or isinstance(max_depth, bool) or max_depth < 0:
        raise SourceConfigError(f"{where}: max_depth must be a whole number, 0 or more (0: the start pages only).")
    timeout = table.get("timeout", 10.0)
    if not isinstance(timeout, (int, float)) or isinstance(timeout, bool) or timeout <= 0:
        raise SourceConfigError(f"{where}: timeout must be a number of seconds above 0.")
    deadline = table.get("deadline", 60.0)
    if not isinstance(deadline, (int, float)) or isinstance(deadline, bool) or deadline <= 0:
        raise SourceConfigError(f"{where}: deadline must be a number of seconds above 0 (for a whole request).")
    retries = table.get("retries", 3)
    if not isinstance(retries, int) or isinstance(retries, bool) or not 0 <= retries <= 10:
        raise SourceConfigError(f"{where}: retries must be a whole number from 0 to 10.")
    return Source(
        name=name,
        start_urls=tuple(start_urls),
        allowed_hosts=tuple(h.lower() for h in hosts),
        include=tuple(_str_list(where, table, "include")),
        exclude=tuple(_str_list(where, table, "exclude")),
        visibility=visibility,
        access=access,
        max_pages=max_pages,
        delay=float(delay),
        user_agent=str(table.get("user_agent", DEFAULT_USER_AGENT)),
        sitemap_urls=tuple(sitemap_urls),
        max_depth=max_depth,
        timeout=float(timeout),
        deadline=float(deadline),
        retries=retries,
    )


def _str_list(where: str, table: dict, key: str) -> list[str]:
    value = table.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise SourceConfigError(f"{where}: {key!r} must be a list of strings.")
    return value
