"""What a search backend must do, and the shapes every backend and front end share.

The engine (search.engine) parses and analyses a query into a backend-neutral tree (search.query)
and asks a `Backend` for matches; the backend translates the tree for its engine (Whoosh, SolrCloud)
and answers with `Matches`. Who may see what is decided here and in search.access, not in a backend:
a backend is told the access keys a viewer holds (named `visibilities`: "public", "internal",
"group:NAME") and must apply them to every path out: a document is visible when it carries one of them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Protocol, runtime_checkable

from corpus.document import Document
from search import SearchError

# Facets of a result list: the name people see, in display order.
FACET_NAMES = ("section", "lang", "year", "type", "source")
# Orders of a result list: by relevance (times freshness), or newest first (undated last), ties by id.
SORTS = ("relevance", "date")


class IndexUnavailableError(SearchError):
    """There is no index to search, or the published one cannot be read; the message says how to fix it."""


@dataclass(frozen=True)
class Viewer:
    """Who is searching: anonymous viewers see public documents only; signed-in staff see internal ones
    too, except those limited to groups they are not in (search.access)."""

    name: str | None = None
    staff: bool = False
    groups: tuple[str, ...] = ()


ANONYMOUS = Viewer()


@dataclass(frozen=True)
class Hit:
    """One ranked result with its snippet (HTML: escaped text and <mark> elements)."""

    id: str
    url: str
    title: str
    snippet: str
    score: float
    updated: dt.date | None
    lang: str
    type: str
    source: str
    section: str
    visibility: str = "public"
    recommended: bool = False  # pinned for this query by the web team (search.bestbets)
    groups: tuple[str, ...] = ()  # the groups an internal document is limited to (only staff see such hits)

    def to_json(self) -> dict:
        """The shape of a hit in JSON output and the web API."""
        out = asdict(self)
        out["groups"] = list(self.groups)
        out["score"] = round(self.score, 6)
        out["updated"] = self.updated.isoformat() if self.updated else None
        return out


@dataclass(frozen=True)
class FacetValue:
    """One value of a facet and how many matching documents have it."""

    value: str
    count: int


@dataclass(frozen=True)
class Results:
    """A page of ranked hits, the total number of matches, facet counts and a did-you-mean suggestion.

    `relaxed`: no document had every word, so documents with any of them are shown. `corrected`: the
    query as typed found nothing and the hits are for `suggestion` instead. `missing`: typed words that
    no document the viewer may see has. `replaced`: such a compound word, searched by its last part
    that documents have instead (kvanttitietokone: tietokone). `common_words`: every typed word is a very
    common word that the index leaves out (Mikä, Kuka oli), so no page is searched by them: no hits, and
    the front ends ask for a more specific word (a citizen's query is never a bad request).
    """

    query: str
    total: int
    page: int
    size: int
    hits: list[Hit] = field(default_factory=list)
    relaxed: bool = False
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    suggestion: str | None = None
    corrected: bool = False
    sort: str = "relevance"
    search_id: str | None = None  # the query log's id of this search (set by the app), for click counts
    missing: list[str] = field(default_factory=list)
    replaced: dict[str, str] = field(default_factory=dict)
    common_words: bool = False

    def to_json(self) -> dict:
        """The shape of a results page in JSON output and the web API."""
        return {
            "query": self.query,
            "sort": self.sort,
            "search_id": self.search_id,
            "total": self.total,
            "page": self.page,
            "size": self.size,
            "relaxed": self.relaxed,
            "corrected": self.corrected,
            "suggestion": self.suggestion,
            "missing": list(self.missing),
            "replaced": dict(self.replaced),
            "common_words": self.common_words,
            "hits": [h.to_json() for h in self.hits],
            "facets": {
                name: [asdict(FacetValue(v, n)) for v, n in values] for name, values in self.facets.items()
            },
        }


@dataclass(frozen=True)
class Match:
    """One matching document as a backend returns it: its stored fields, its final score (relevance
    times freshness), the character spans in its text where the query's words occur, and where each
    of the query's terms that it has starts there, by (analysis, term), sorted (the proximity of the
    query's words, search.ranking)."""

    id: str
    score: float
    stored: dict
    spans: tuple[tuple[int, int], ...] = ()
    starts: dict[tuple[str, str], list[int]] = field(default_factory=dict)


@dataclass(frozen=True)
class Matches:
    """A backend's answer to one query: how many documents matched (near-duplicates counted once), the
    best `limit` of them in rank order, and facet counts of every match (near-duplicates left out)."""

    total: int
    top: list[Match]
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)


@dataclass(frozen=True)
class Published:
    """What an index update did: the version now live and the documents added, removed and kept."""

    version: str
    documents: int
    added: int = 0
    removed: int = 0
    unchanged: int = 0
    full: bool = True


@runtime_checkable
class Snapshot(Protocol):
    """One published index version opened for searching. Every method takes the visibilities the
    viewer may see (search.access) and must never let anything else through: not in hits, totals,
    facets, spans, word counts or documents; and anonymous scores must not depend on other documents."""

    version: str | None
    languages: tuple[str, ...]  # document languages the version holds

    def doc_count(self, visibilities: tuple[str, ...]) -> int:
        """How many documents of these visibilities the version holds."""

    def search(
        self, query, filters, visibilities: tuple[str, ...], limit: int, *, facets: bool = True, sort: str = "relevance",
    ) -> Matches:
        """The top `limit` matches by relevance times freshness (sort "relevance") or newest first, undated
        last (sort "date"), ties by id, near-duplicates collapsed to the first copy in that order, with
        spans for snippets; totals and facets over every match."""

    def rank(self, query, filters, visibilities: tuple[str, ...], limit: int) -> list[tuple[str, float]]:
        """(id, score) of the top `limit` by plain relevance, ties by id: batch runs and evaluation."""

    def any_matches(self, queries: Sequence, visibilities: tuple[str, ...]) -> list[bool]:
        """For each query, whether any document of these visibilities matches it: the words of a query
        that found nothing are asked about together (which are missing, did-you-mean, compound heads)."""

    def term_starts(
        self, ids: Iterable[str], terms: Iterable[tuple[str, str]], visibilities: tuple[str, ...],
    ) -> dict[str, dict[tuple[str, str], list[int]]]:
        """Per document of `ids` that these visibilities may see, the sorted character starts in its text
        of each (analysis, term) of `terms` that it has (the proximity of query words, search.ranking)."""

    def document(self, doc_id: str, visibilities: tuple[str, ...]) -> dict | None:
        """A stored document, or None when there is none of these visibilities."""

    def word_counts(self, visibility: str) -> dict[str, int]:
        """The completion vocabulary: written words and how many documents carrying one access key have
        them (a document limited to two groups is counted under each)."""

    def term_documents(self, analysis: str, terms: Iterable[str], visibilities: tuple[str, ...]) -> dict[str, int]:
        """How many documents of these visibilities have each analysed term (of an analysis of
        indexer.analysis: a language or "folded") in their text fields; 0 for a term none has. The
        engine weighs a document's terms by it to find similar documents."""


@runtime_checkable
class Backend(Protocol):
    """An index that sotehaku publishes analysed documents to and searches."""

    name: str

    def snapshot(self) -> Snapshot:
        """The published version (the same object while no newer version is published); raises
        IndexUnavailableError naming the fix when there is none or it cannot be read."""

    def publish(
        self,
        documents: Callable[[], Iterable[Document]],
        *,
        full: bool = False,
        procs: int = 1,
        progress: Callable[[int], None] | None = None,
    ) -> Published:
        """Bring the index in step with the documents (a fresh iteration per call of `documents`):
        new and changed ones (by fingerprint) added, vanished ones deleted; a failure or a kill leaves
        the previous version searchable. The documents come with what the corpus knows of them attached
        (anchor texts, has_duplicates: app.pipeline.index_corpus)."""

    def remove(self, ids: Iterable[str]) -> int:
        """Take documents out of the published index at once, as a new version without them (a takedown
        cannot wait for the next update); return how many of them it held. Nothing published: 0."""

    def stats(self, visibilities: tuple[str, ...], top: int = 20) -> dict:
        """The published version, its document count, size and most widespread words of these visibilities."""
