"""The one search API: a query and a viewer in, ranked hits with snippets out."""

from __future__ import annotations

import datetime as dt
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path

from whoosh import query as q
from whoosh import scoring

from indexer.build import current_version, open_index
from search import SearchError
from indexer.lexicon import lexicon_path, load_lexicon
from search.query import ParsedQuery, parse_query
from search.snippets import make_snippet

MAX_PAGE_SIZE = 100
MAX_PAGE = 1000
# BM25F with a lower term-frequency saturation than Whoosh's default K1=1.2: a document's extra
# lemma and part terms repeat a word's weight. Tuned on the first 500 squad2-fi tune questions
# (MRR@10 0.619 at K1=1.2, 0.626 at 0.9, 0.611 at 1.6; B=0.5 and 0.9 were worse); re-check with
# benchmarks/retrieval.py.
RANKING = scoring.BM25F(B=0.75, K1=0.9)
# Ties are broken by id so that runs are reproducible (pyserini's (-score, docid) order). Sorting by a
# field facet would make Whoosh sort every match; instead the top hits plus this margin are fetched by
# score and re-sorted, and only when a tie runs past the margin are all matches ranked.
TIE_MARGIN = 20


@dataclass(frozen=True)
class Viewer:
    """Who is searching: anonymous viewers see public documents only; signed-in staff see internal ones too."""

    name: str | None = None
    staff: bool = False


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

    def to_json(self) -> dict:
        """The shape of a hit in JSON output and the web API."""
        return {
            "id": self.id,
            "url": self.url,
            "title": self.title,
            "snippet": self.snippet,
            "score": round(self.score, 6),
            "updated": self.updated.isoformat() if self.updated else None,
            "lang": self.lang,
            "type": self.type,
            "source": self.source,
            "section": self.section,
        }


@dataclass(frozen=True)
class Results:
    """A page of ranked hits, the total number of matches, and whether the any-word fallback was used."""

    query: str
    total: int
    page: int
    size: int
    hits: list[Hit] = field(default_factory=list)
    relaxed: bool = False

    def to_json(self) -> dict:
        """The shape of a results page in JSON output and the web API."""
        return {
            "query": self.query,
            "total": self.total,
            "page": self.page,
            "size": self.size,
            "relaxed": self.relaxed,
            "hits": [h.to_json() for h in self.hits],
        }


def visibility_filter(viewer: Viewer) -> q.Query | None:
    """The filter every way out of the engine applies: None for staff, public documents for everyone else."""
    return None if viewer.staff else q.Term("visibility", "public")


def combined_filter(viewer: Viewer, lang: str | None = None) -> q.Query | None:
    """The viewer's visibility filter, narrowed to one document language when asked."""
    if lang is not None and not re.fullmatch(r"[a-z]{2,3}", lang):
        raise SearchError(f"Language filter {lang!r} is not a language code; use fi, sv or en.")
    parts = [f for f in (visibility_filter(viewer), q.Term("lang", lang) if lang else None) if f is not None]
    return None if not parts else parts[0] if len(parts) == 1 else q.And(parts)


class SearchEngine:
    """Searches the published index of a data directory, picking up newly published versions by itself."""

    def __init__(self, data_dir: str | Path):
        self.data_dir = Path(data_dir)
        self._lock = threading.Lock()
        self._index = None
        self._version = None

    def _current_index(self):
        version = current_version(self.data_dir)
        with self._lock:
            if self._index is None or version != self._version:
                self._index = open_index(self.data_dir)
                self._version = version
            return self._index

    @property
    def version(self) -> str | None:
        """The index version the engine searches (opening it if needed)."""
        self._current_index()
        return self._version

    def doc_count(self, viewer: Viewer = ANONYMOUS) -> int:
        """How many documents the viewer may see."""
        ix = self._current_index()
        with ix.searcher() as searcher:
            flt = visibility_filter(viewer)
            return searcher.doc_count() if flt is None else len(searcher.search(flt, limit=None, scored=False))

    def _parse(self, text: str) -> ParsedQuery:
        return parse_query(text, load_lexicon(lexicon_path(self.data_dir)))

    def rank(
        self, text: str, *, limit: int = 1000, viewer: Viewer = ANONYMOUS, lang: str | None = None
    ) -> list[tuple[str, float]]:
        """(id, score) of the top documents for any of the query's words: batch runs and evaluation.

        Natural-language questions are ranked as OR queries, as retrieval evaluations do.
        """
        ix = self._current_index()
        with ix.searcher(weighting=RANKING) as searcher:
            _, top = _top_hits(searcher, self._parse(text).any_word, combined_filter(viewer, lang), limit)
            return [(hit["id"], hit.score) for hit in top]

    def search(
        self, text: str, *, page: int = 1, size: int = 10, viewer: Viewer = ANONYMOUS, lang: str | None = None
    ) -> Results:
        """Ranked hits for a query: all words preferred, any word when that finds nothing; optionally one language."""
        if not 1 <= size <= MAX_PAGE_SIZE:
            raise SearchError(f"Page size must be between 1 and {MAX_PAGE_SIZE}, not {size}.")
        if not 1 <= page <= MAX_PAGE:
            raise SearchError(f"Page must be between 1 and {MAX_PAGE}, not {page}.")
        ix = self._current_index()
        parsed = self._parse(text)
        flt = combined_filter(viewer, lang)
        with ix.searcher(weighting=RANKING) as searcher:
            relaxed = False
            query = parsed.all_words
            results, top = _top_hits(searcher, query, flt, page * size)
            if results.is_empty():
                relaxed, query = True, parsed.any_word
                results, top = _top_hits(searcher, query, flt, page * size)
            terms = set(query.iter_all_terms())
            hits = [_hit(r, searcher, terms) for r in top[(page - 1) * size :]]
            return Results(query=parsed.text, total=len(results), page=page, size=size, hits=hits, relaxed=relaxed)


def _top_hits(searcher, query: q.Query, flt: q.Query | None, n: int):
    """(Whoosh results, the top n hits in (-score, id) order).

    Never with Whoosh's terms=True: its collector counts documents the filter removed, so the total
    would tell an anonymous viewer that internal documents match.
    """
    results = searcher.search(query, filter=flt, limit=n + TIE_MARGIN)
    fetched = results.scored_length()
    if fetched == n + TIE_MARGIN and results.score(fetched - 1) == results.score(min(n, fetched) - 1):
        results = searcher.search(query, filter=flt, limit=None)  # the tie runs past the margin: rank them all
    return results, sorted(results, key=lambda hit: (-hit.score, hit["id"]))[:n]


def _hit(result, searcher, terms) -> Hit:
    updated = result.get("updated")
    return Hit(
        id=result["id"],
        url=result.get("url", ""),
        title=result.get("title", ""),
        snippet=make_snippet(searcher, result.docnum, terms, result.get("text", "")),
        score=float(result.score),
        updated=updated.date() if updated else None,
        lang=result.get("lang", ""),
        type=result.get("type", ""),
        source=result.get("source", ""),
        section=result.get("section", ""),
    )

