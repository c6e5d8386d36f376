"""The query language people type into a search box, read into parts before any analysis.

    kotihoito palveluseteli          every word wanted (any word, when that finds too little)
    "sosiaali- ja terveyspalvelut"   a phrase: these words in this order
    -lapset  -"lasten neuvola"       leave out pages with this word or phrase
    kotihoito OR omaishoito          either word (also TAI); binds tighter than the space
    title:palveluseteli              a word in the title (also otsikko:)
    site:www.phhyky.fi  lang:sv  type:pdf  source:intra  section:Palvelut  year:2022
    updated:2022-01-01..2022-12-31   updated:2022  updated:2022-03..  updated:..2021

Reading never fails on what people actually type: an unclosed quote is closed at the end, a dangling
OR is dropped, an unknown `name:` is read as part of the word (HUS:n, klo 8:00). Only a filter value
that cannot mean anything (an impossible date) is an error, with the fix in the message.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass, field

from search import SearchError

# Field names by what they filter or restrict, with Finnish and Swedish aliases.
FIELD_ALIASES = {
    "title": "title", "otsikko": "title", "rubrik": "title",
    "site": "site", "sivusto": "site", "webbplats": "site",
    "lang": "lang", "kieli": "lang", "språk": "lang",
    "type": "type", "tyyppi": "type", "typ": "type",
    "source": "source", "lähde": "source", "källa": "source",
    "section": "section", "osio": "section", "avsnitt": "section",
    "year": "year", "vuosi": "year", "år": "year",
    "updated": "updated", "päivitetty": "updated", "uppdaterad": "updated",
}
FILTER_FIELDS = ("site", "lang", "type", "source", "section", "year")
OR_WORDS = ("OR", "TAI", "ELLER")
TOKEN = re.compile(
    r'(?P<neg>-(?=["\w]))?'
    r"(?:(?P<field>[^\W\d_]+):(?=\S))?"
    r'(?:"(?P<phrase>[^"]*)"?|(?P<word>[^\s"]+))'
)
DATE = re.compile(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?")


class QueryError(SearchError):
    """A query that cannot be searched as typed; the message says how to fix it, and `code` names the
    kind of problem (empty, common_words, only_exclusions, too_long, bad_date, bad_language, bad_year,
    bad_filter) for front ends that say it in their own language."""

    def __init__(self, message: str, code: str = "bad_filter"):
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Term:
    """A word or a phrase as typed, optionally restricted to titles."""

    text: str
    phrase: bool = False
    title_only: bool = False


@dataclass(frozen=True)
class Syntax:
    """What a query asks for: groups of alternatives (all groups wanted), exclusions, filters, a date range."""

    groups: tuple[tuple[Term, ...], ...] = ()
    excluded: tuple[Term, ...] = ()
    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)
    date_from: dt.date | None = None
    date_to: dt.date | None = None

    @property
    def has_filters(self) -> bool:
        """True if the query narrows by a field or a date."""
        return bool(self.filters) or self.date_from is not None or self.date_to is not None


def read_query(text: str) -> Syntax:
    """Read a typed query into its parts.

    >>> s = read_query('kotihoito OR omaishoito "sosiaali- ja terveyspalvelut -x" -lapset type:pdf HUS:n')
    >>> [[t.text for t in g] for g in s.groups]
    [['kotihoito', 'omaishoito'], ['sosiaali- ja terveyspalvelut -x'], ['HUS:n']]
    >>> [t.text for t in s.excluded], s.filters
    (['lapset'], {'type': ('pdf',)})
    >>> read_query('title:"palvelu seteli" updated:2022').date_to
    datetime.date(2022, 12, 31)
    >>> read_query('"avoin lainaus').groups[0][0]
    Term(text='avoin lainaus', phrase=True, title_only=False)
    """
    groups: list[list[Term]] = []
    excluded: list[Term] = []
    filters: dict[str, list[str]] = {}
    date_from = date_to = None
    join_next = False
    for match in TOKEN.finditer(text or ""):
        phrase = match.group("phrase")
        value = (phrase if phrase is not None else match.group("word")).strip()
        name = match.group("field")
        kind = FIELD_ALIASES.get(name.lower()) if name else None
        if name and kind is None:  # not a field: "HUS:n" and "klo 8:00" are words
            value = f"{name}:{value}"
        if not value:
            continue
        if kind == "updated":
            date_from, date_to = date_range(value)
            continue
        if kind in FILTER_FIELDS:
            filters.setdefault(kind, []).append(value.lower() if kind != "section" else value)
            continue
        if phrase is None and value in OR_WORDS and not match.group("neg"):
            join_next = bool(groups)
            continue
        term = Term(value, phrase=phrase is not None, title_only=kind == "title")
        if match.group("neg"):
            excluded.append(term)
            join_next = False
        elif join_next:
            groups[-1].append(term)
            join_next = False
        else:
            groups.append([term])
    return Syntax(
        groups=tuple(tuple(g) for g in groups),
        excluded=tuple(excluded),
        filters={k: tuple(dict.fromkeys(v)) for k, v in filters.items()},
        date_from=date_from,
        date_to=date_to,
    )


def date_range(value: str) -> tuple[dt.date | None, dt.date | None]:
    """updated:2022-01-01..2022-12-31, updated:2022, updated:2022-03.., updated:..2021 as (first day, last day).

    >>> date_range("2022-03..")
    (datetime.date(2022, 3, 1), None)
    >>> date_range("2021-02")
    (datetime.date(2021, 2, 1), datetime.date(2021, 2, 28))
    """
    start, dots, end = value.partition("..")
    if not dots:
        return _date(start, first=True), _date(start, first=False)
    date_from = _date(start, first=True) if start else None
    date_to = _date(end, first=False) if end else None
    if date_from and date_to and date_from > date_to:
        raise QueryError(f"updated:{value} ends before it starts; put the earlier date first.", "bad_date")
    return date_from, date_to


def _date(value: str, *, first: bool) -> dt.date:
    match = DATE.fullmatch(value)
    try:
        if not match:
            raise ValueError
        year, month, day = int(match.group(1)), match.group(2), match.group(3)
        if month is None:
            return dt.date(year, 1, 1) if first else dt.date(year, 12, 31)
        month = int(month)
        if day is None:
            return dt.date(year, month, 1 if first else calendar.monthrange(year, month)[1])
        return dt.date(year, month, int(day))
    except ValueError:
        raise QueryError(
            f"{value!r} is not a date. Write dates as YYYY, YYYY-MM or YYYY-MM-DD, "
            "for example updated:2022-01-01..2022-12-31.",
            "bad_date",
        ) from None
