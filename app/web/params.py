"""Reading a search's parameters from a request, and writing the links that change one of them."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlencode

from app.errors import AppError

# Filters people pick from facets or pass to the API; several values of one are alternatives.
FILTER_PARAMS = ("section", "lang", "year", "type", "source", "site")
# The date range (updated:2022, updated:2022-01..2022-06) takes one value.
DATE_PARAM = "updated"
MAX_FILTER_VALUES = 20
MAX_FILTER_CHARS = 200
MAX_SUGGEST_CHARS = 200
OR_WORDS = ("OR", "TAI", "ELLER")
PLAIN_WORD = re.compile(r"[^\W_][\w-]*")
QUERY_TOKEN = re.compile(r'-?(?:[^\W\d_]+:)?"[^"]*"?|\S+')


class BadParameter(AppError):
    """A request parameter that cannot be used; the message names it and says what would do."""

    def __init__(self, parameter: str, message: str):
        super().__init__(message)
        self.parameter = parameter


Filters = dict[str, tuple[str, ...]]


def clean_filters(raw: dict[str, list[str] | str | None]) -> Filters:
    """The non-empty filter values of a request, checked, in FILTER_PARAMS order (the engine's `filters`).

    >>> clean_filters({"type": ["pdf", " ", "pdf"], "updated": "2022", "year": []})
    {'type': ('pdf',), 'updated': ('2022',)}
    """
    out: Filters = {}
    for name in (*FILTER_PARAMS, DATE_PARAM):
        values = raw.get(name) or []
        values = [values] if isinstance(values, str) else values
        kept = tuple(dict.fromkeys(v.strip() for v in values if v and v.strip()))
        if not kept:
            continue
        if name == DATE_PARAM and len(kept) > 1:
            raise BadParameter(name, f"Parameter '{name}' takes one date range, not {len(kept)}; give one such as updated=2022-01..2022-06.")
        if len(kept) > MAX_FILTER_VALUES:
            raise BadParameter(name, f"Parameter '{name}' has {len(kept)} values; give at most {MAX_FILTER_VALUES}.")
        for value in kept:
            if '"' in value or len(value) > MAX_FILTER_CHARS:
                raise BadParameter(
                    name, f"Parameter '{name}' value {value[:40]!r} is not valid: use at most {MAX_FILTER_CHARS} characters and no double quotes."
                )
        out[name] = kept
    return out


def filters_from_params(params) -> Filters:
    """The filters of a request's query string (repeated parameters give several values)."""
    return clean_filters({name: params.getlist(name) for name in (*FILTER_PARAMS, DATE_PARAM)})


def page_number(text: str | None, last: int) -> int:
    """A page number from a link, read leniently: anything that is not a page from 1 to `last` is page 1.

    >>> page_number("3", 1000), page_number("x", 1000), page_number("0", 1000), page_number(None, 1000)
    (3, 1, 1, 1)
    """
    try:
        page = int(text or 1)
    except ValueError:
        return 1
    return page if 1 <= page <= last else 1


def exact_query(text: str) -> str:
    """The query with each plain word in quotes: searched as typed, without the spelling correction that a
    word found nowhere gets (search.syntax reads a quoted single word as that word, with no did-you-mean).

    >>> exact_query('palvelusetli OR kotihoito type:pdf -lapset "a b"')
    '"palvelusetli" OR "kotihoito" type:pdf -lapset "a b"'
    """
    tokens = QUERY_TOKEN.findall(text)
    return " ".join(f'"{t}"' if PLAIN_WORD.fullmatch(t) and t not in OR_WORDS else t for t in tokens)


def sort_order(text: str | None) -> str:
    """The order a page link asks for, read leniently: "date", or else relevance.

    >>> sort_order("date"), sort_order("x"), sort_order(None)
    ('date', 'relevance', 'relevance')
    """
    return "date" if text == "date" else "relevance"


@dataclass(frozen=True)
class SearchState:
    """A search as its page shows it (query, filters, page, order), and the links to its neighbours."""

    path: str
    q: str
    filters: Filters = field(default_factory=dict)
    page: int = 1
    sort: str = "relevance"

    def url(self, *, q: str | None = None, filters: Filters | None = None, page: int = 1, path: str | None = None,
            sort: str | None = None) -> str:
        """This search's page with some parts changed (page 1 unless told)."""
        params: list[tuple[str, str]] = [("q", self.q if q is None else q)]
        for name, values in (self.filters if filters is None else filters).items():
            params += [(name, v) for v in values]
        if (sort or self.sort) != "relevance":
            params.append(("sort", sort or self.sort))
        if page > 1:
            params.append(("page", str(page)))
        return f"{path or self.path}?{urlencode(params)}"

    def sorted_by(self, sort: str) -> str:
        """This search in another order, from its first page."""
        return self.url(sort=sort)

    def feed_url(self, path: str) -> str:
        """The Atom feed of this search (its query and filters; feeds are always newest first)."""
        params: list[tuple[str, str]] = [("q", self.q)] if self.q.strip() else []
        for name, values in self.filters.items():
            params += [(name, v) for v in values]
        return f"{path}?{urlencode(params)}" if params else path

    def page_url(self, page: int) -> str:
        """This search's page number `page`."""
        return self.url(page=page)

    def has(self, name: str, value: str) -> bool:
        """True if the filter `name` has this value."""
        return value in self.filters.get(name, ())

    def with_filter(self, name: str, value: str) -> str:
        """This search narrowed by a facet value (a date range replaces the previous one)."""
        filters = dict(self.filters)
        filters[name] = (value,) if name == DATE_PARAM else (*filters.get(name, ()), value)
        return self.url(filters=filters)

    def without_filter(self, name: str, value: str) -> str:
        """This search without one filter value."""
        filters = {n: tuple(v for v in vs if not (n == name and v == value)) for n, vs in self.filters.items()}
        return self.url(filters={n: vs for n, vs in filters.items() if vs})

    def without_filters(self) -> str:
        """This search with no filters."""
        return self.url(filters={})

    def search_for(self, q: str) -> str:
        """Another query with the same filters."""
        return self.url(q=q)


def page_numbers(page: int, pages: int, around: int = 2) -> list[int | None]:
    """The page numbers a pager links to: the first, the last and those near the current page; None marks a gap.

    >>> page_numbers(6, 20)
    [1, None, 4, 5, 6, 7, 8, None, 20]
    >>> page_numbers(1, 3)
    [1, 2, 3]
    """
    shown = sorted({1, pages, *range(max(1, page - around), min(pages, page + around) + 1)})
    out: list[int | None] = []
    previous = 0
    for n in shown:
        if n - previous == 2:  # a gap of one page: show the page, not an ellipsis
            out.append(n - 1)
        elif n - previous > 2:
            out.append(None)
        out.append(n)
        previous = n
    return out
