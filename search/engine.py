"""The one search API: a query and a viewer in, ranked hits with snippets out."""

from __future__ import annotations

import bisect
import datetime as dt
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path

from whoosh import query as q
from whoosh import scoring, sorting
from whoosh.util.times import long_to_datetime

from indexer.build import current_version, open_index
from search import SearchError
from indexer.lexicon import lexicon_path, load_lexicon
from indexer.morphology import analyze
from search.query import ParsedQuery, parse_query, word_query
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
# Candidates re-scored with the freshness boost beyond the requested page: the boost is at most
# +FRESHNESS_WEIGHT, so a document further down by BM25F could only rarely overtake one inside.
RERANK_WINDOW = 50
# A mild preference for recently updated pages: +8 % for a page updated today, +4 % a year ago.
FRESHNESS_WEIGHT = 0.08
FRESHNESS_HALF_LIFE_DAYS = 365
# Facets of a result list, by the index field that holds their values.
FACETS = {"section": "section_top", "lang": "lang", "year": "year", "type": "type", "source": "source"}
MIN_COMPLETION_PREFIX = 2
MAX_COMPLETION_SCAN = 2000  # words looked at per completion; a two-letter prefix can have thousands


@dataclass(frozen=True)
class Viewer:
    """Who is searching: anonymous viewers see public documents only; signed-in staff see internal ones too."""

    name: str | None = None
    staff: bool = False


ANONYMOUS = Viewer()
IS_DUPLICATE = q.Term("is_duplicate", "1")


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
    """A page of ranked hits, the total number of matches, facet counts and a did-you-mean suggestion.

    `relaxed`: no document had every word, so documents with any of them are shown. `corrected`: the
    query as typed found nothing and the hits are for `suggestion` instead.
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

    def to_json(self) -> dict:
        """The shape of a results page in JSON output and the web API."""
        return {
            "query": self.query,
            "total": self.total,
            "page": self.page,
            "size": self.size,
            "relaxed": self.relaxed,
            "corrected": self.corrected,
            "suggestion": self.suggestion,
            "hits": [h.to_json() for h in self.hits],
            "facets": {name: [{"value": v, "count": n} for v, n in values] for name, values in self.facets.items()},
        }


def visibility_filter(viewer: Viewer) -> q.Query | None:
    """The filter every way out of the engine applies: None for staff, public documents for everyone else."""
    return None if viewer.staff else q.Term("visibility", "public")


def combined_filter(viewer: Viewer, *filters: q.Query | None) -> q.Query | None:
    """The viewer's visibility filter and any other filters, all applying."""
    return _all_of(visibility_filter(viewer), *filters)


def _all_of(*filters: q.Query | None) -> q.Query | None:
    parts = [f for f in filters if f is not None]
    return None if not parts else parts[0] if len(parts) == 1 else q.And(parts)


def freshness(updated: dt.datetime | None, today: dt.date | None = None) -> float:
    """The mild boost of recently updated documents: up to +FRESHNESS_WEIGHT, halving every half-life.

    >>> round(freshness(dt.datetime(2020, 1, 1), today=dt.date(2020, 1, 1)), 3)
    1.08
    >>> round(freshness(dt.datetime(2019, 1, 1), today=dt.date(2020, 1, 1)), 3)
    1.04
    >>> freshness(None)
    1.0
    """
    if not updated:
        return 1.0
    age = max(0, ((today or dt.date.today()) - updated.date()).days)
    return 1.0 + FRESHNESS_WEIGHT * 0.5 ** (age / FRESHNESS_HALF_LIFE_DAYS)


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

    def _parse(self, text: str, filters: dict | None = None) -> ParsedQuery:
        return parse_query(text, load_lexicon(lexicon_path(self.data_dir)), filters)

    def rank(
        self, text: str, *, limit: int = 1000, viewer: Viewer = ANONYMOUS, lang: str | None = None,
        filters: dict | None = None,
    ) -> list[tuple[str, float]]:
        """(id, score) of the top documents for any of the query's words: batch runs and evaluation.

        Natural-language questions are ranked as OR queries, as retrieval evaluations do; no
        freshness boost and no collapsing, so scores are plain BM25F.
        """
        parsed = self._parse(text, _with_lang(filters, lang))
        ix = self._current_index()
        with ix.searcher(weighting=RANKING) as searcher:
            flt = combined_filter(viewer, parsed.filter)
            results = searcher.search(parsed.query(relaxed=True), filter=flt, limit=limit + TIE_MARGIN)
            ranked = sorted(((hit["id"], hit.score) for hit in results), key=lambda r: (-r[1], r[0]))
            return ranked[:limit]

    def search(
        self, text: str, *, page: int = 1, size: int = 10, viewer: Viewer = ANONYMOUS, lang: str | None = None,
        filters: dict | None = None, facets: bool = True,
    ) -> Results:
        """Ranked hits for a query (see search.syntax): all words preferred, any word when that finds
        nothing, a corrected query when even that finds nothing; filters from the query, `lang` and
        `filters`; facet counts of everything that matched."""
        if not 1 <= size <= MAX_PAGE_SIZE:
            raise SearchError(f"Page size must be between 1 and {MAX_PAGE_SIZE}, not {size}.")
        if not 1 <= page <= MAX_PAGE:
            raise SearchError(f"Page must be between 1 and {MAX_PAGE}, not {page}.")
        ix = self._current_index()
        parsed = self._parse(text, _with_lang(filters, lang))
        with ix.searcher(weighting=RANKING) as searcher:
            flt = combined_filter(viewer, parsed.filter)
            relaxed, corrected = False, False
            query = parsed.query()
            total, top = _top_hits(searcher, query, flt, page * size)
            suggestion = None
            if not total or _has_unknown_word(searcher, parsed, flt):
                suggestion = did_you_mean(searcher, parsed, viewer)
            if not total and suggestion:
                fixed = self._parse(suggestion, _with_lang(filters, lang))
                total, top = _top_hits(searcher, fixed.query(), flt, page * size)
                if total:
                    corrected, query = True, fixed.query()
            if not total and not parsed.only_filters:
                relaxed, query = True, parsed.query(relaxed=True)
                total, top = _top_hits(searcher, query, flt, page * size)
            terms = set(query.iter_all_terms())
            hits = [_hit(r, searcher, terms) for r in top[(page - 1) * size :]]
            return Results(
                query=parsed.text, total=total, page=page, size=size, hits=hits, relaxed=relaxed,
                facets=facet_counts(searcher, query, flt) if facets else {}, suggestion=suggestion, corrected=corrected,
            )

    def suggest(self, prefix: str, *, viewer: Viewer = ANONYMOUS, limit: int = 8) -> list[str]:
        """Completions of the last word typed, from the words of documents the viewer may see."""
        ix = self._current_index()
        with ix.searcher() as searcher:
            return complete(searcher, prefix, viewer, limit)

    def document(self, doc_id: str, *, viewer: Viewer = ANONYMOUS) -> dict | None:
        """A stored document by id, or None when there is none the viewer may see (internal ones look absent)."""
        ix = self._current_index()
        with ix.searcher() as searcher:
            results = searcher.search(q.Term("id", doc_id), filter=visibility_filter(viewer), limit=1)
            if results.is_empty():
                return None
            stored = dict(results[0].fields())
        updated = stored.get("updated")
        stored["updated"] = updated.date().isoformat() if updated else None
        return stored


def _with_lang(filters: dict | None, lang: str | None) -> dict:
    filters = dict(filters or {})
    if lang:
        filters["lang"] = lang
    return filters


def _top_hits(searcher, query: q.Query, flt: q.Query | None, n: int):
    """(the number of matches, the top n hits) by BM25F times the freshness boost, ties in id order,
    near-duplicates collapsed to the best-ranked copy.

    The top n plus a window are fetched by BM25F score and re-scored; when a tie runs past the window,
    all matches are. Never with Whoosh's terms=True: its collector counts documents the filter
    removed, so the total would tell an anonymous viewer that internal documents match. (Whoosh's own
    collapse is not used: its collector fails on filtered multi-segment searches.)
    """
    window = n + RERANK_WINDOW
    results = searcher.search(query, filter=flt, limit=window)
    fetched = results.scored_length()
    if fetched == window and results.score(fetched - 1) == results.score(min(n, fetched) - 1):
        results = searcher.search(query, filter=flt, limit=None)
    dates = _DateColumn(searcher)
    today = dt.date.today()
    scored = sorted(
        ((hit.score * freshness(dates[hit.docnum], today), hit["id"], hit) for hit in results),
        key=lambda item: (-item[0], item[1]),
    )
    top, groups = [], set()
    for score, doc_id, hit in scored:
        group = hit.get("duplicate_of") or doc_id
        if group in groups:
            continue
        groups.add(group)
        top.append(_Scored(hit, score))
        if len(top) == n:
            break
    return _collapsed_total(searcher, query, flt, len(results)), top


def _collapsed_total(searcher, query: q.Query, flt: q.Query | None, matches: int) -> int:
    """Matches counted once per group of near-duplicates: a duplicate counts only when the copy it
    repeats did not match (near-duplicates are few, so this is a small search)."""
    duplicates = searcher.search(query, filter=_all_of(flt, IS_DUPLICATE), limit=None)
    if duplicates.is_empty():
        return matches
    groups: dict[str, int] = {}
    for hit in duplicates:
        groups[hit["duplicate_of"]] = groups.get(hit["duplicate_of"], 0) + 1
    total = matches
    for representative, count in groups.items():
        shown = _visible(searcher, q.And([query, q.Term("id", representative)]), flt)
        total -= count if shown else count - 1
    return total


class _DateColumn:
    """The `updated` column by global document number, read per segment (Whoosh's multi-segment
    column reader loses its offsets for raw values); documents without a date give None."""

    def __init__(self, searcher):
        leaves = searcher.reader().leaf_readers()
        self._offsets = [offset for _, offset in leaves]
        self._columns = [r.column_reader("updated", translate=False) if r.has_column("updated") else None for r, _ in leaves]

    def __getitem__(self, docnum: int) -> dt.datetime | None:
        i = bisect.bisect_right(self._offsets, docnum) - 1
        column = self._columns[i]
        if column is None:
            return None
        try:
            raw = column[docnum - self._offsets[i]]
            return long_to_datetime(raw) if raw else None
        except (OverflowError, TypeError, ValueError):  # the filler of a document without a date
            return None


@dataclass(frozen=True)
class _Scored:
    hit: object
    score: float


def _hit(scored: _Scored, searcher, terms) -> Hit:
    result = scored.hit
    updated = result.get("updated")
    return Hit(
        id=result["id"],
        url=result.get("url", ""),
        title=result.get("title", ""),
        snippet=make_snippet(searcher, result.docnum, terms, result.get("text", "")),
        score=float(scored.score),
        updated=updated.date() if updated else None,
        lang=result.get("lang", ""),
        type=result.get("type", ""),
        source=result.get("source", ""),
        section=result.get("section", ""),
    )


def facet_counts(searcher, query: q.Query, flt: q.Query | None) -> dict[str, list[tuple[str, int]]]:
    """Counts of the matching documents the viewer may see, per value of each facet, most common first."""
    groups = {name: sorting.FieldFacet(field, maptype=sorting.Count) for name, field in FACETS.items()}
    # Near-duplicates are left out of the counts, as they are collapsed in the hits.
    results = searcher.search(query, filter=_all_of(flt, q.Not(IS_DUPLICATE)), limit=1, groupedby=groups)
    out = {}
    for name in FACETS:
        counts = [(str(value), n) for value, n in results.groups(name).items() if value not in (None, "", b"")]
        order = (lambda vn: (vn[0],)) if name == "year" else (lambda vn: (-vn[1], vn[0]))
        out[name] = sorted(counts, key=order, reverse=False) if name != "year" else sorted(counts, reverse=True)
    return out


def _visible(searcher, query: q.Query, flt: q.Query | None) -> bool:
    return not searcher.search(query, filter=flt, limit=1).is_empty()


def _has_unknown_word(searcher, parsed: ParsedQuery, flt: q.Query | None) -> bool:
    """True when some typed word matches no document the viewer may see (a likely misspelling)."""
    return any(not _visible(searcher, word_query(w), flt) for w in parsed.words)


def did_you_mean(searcher, parsed: ParsedQuery, viewer: Viewer) -> str | None:
    """The query with each word that finds nothing replaced by the closest word of the documents the
    viewer may see, in the form it is written there; None when there is nothing to correct."""
    flt = visibility_filter(viewer)
    text, changed = parsed.text, False
    for word in parsed.words:
        if _visible(searcher, word_query(word), flt):
            continue
        surface = word.surface.lower()
        best = None
        for field in _vocab_fields(viewer):
            for candidate in searcher.corrector(field).suggest(surface, limit=5, maxdist=2, prefix=1):
                distance = _edit_distance(surface, candidate)
                frequency = searcher.doc_frequency(field, candidate)
                key = (distance, -frequency, candidate)
                if (best is None or key < best[0]) and _visible(searcher, q.Term(field, candidate), flt):
                    best = (key, candidate)
        if best is not None:
            text = re.sub(rf"(?<!\w){re.escape(word.surface)}(?!\w)", best[1], text, count=1)
            changed = True
    return text if changed else None


def complete(searcher, prefix: str, viewer: Viewer, limit: int = 8) -> list[str]:
    """Completions of the last word of `prefix`: words written in visible documents, one form per base
    form (the base form itself when documents use it, else the commonest form), commonest first."""
    head, _, last = prefix.rstrip().rpartition(" ") if not prefix.endswith(" ") else (prefix, "", "")
    last = last.lower()
    if len(last) < MIN_COMPLETION_PREFIX:
        return []
    reader = searcher.reader()
    frequency: dict[str, int] = {}
    for field in _vocab_fields(viewer):
        for i, term in enumerate(reader.expand_prefix(field, last)):
            if i >= MAX_COMPLETION_SCAN:
                break
            word = term.decode("utf-8") if isinstance(term, bytes) else term
            frequency[word] = frequency.get(word, 0) + reader.doc_frequency(field, word)
    groups: dict[str, list[str]] = {}
    for word in sorted(frequency, key=lambda w: (-frequency[w], w)):
        lemma = (analyze(word).lemmas or (word,))[0]
        groups.setdefault(lemma, []).append(word)
    ranked = sorted(groups.items(), key=lambda g: (-sum(frequency[w] for w in g[1]), g[0]))
    flt = visibility_filter(viewer)
    out = []
    for lemma, forms in ranked:
        form = lemma if lemma in frequency and lemma.startswith(last) else forms[0]
        if any(_visible(searcher, q.Term(f, form), flt) for f in _vocab_fields(viewer)):  # deleted docs' terms linger
            out.append(f"{head} {form}".strip() if head else form)
        if len(out) == limit:
            break
    return out


def _vocab_fields(viewer: Viewer) -> tuple[str, ...]:
    return ("vocab_public", "vocab_internal") if viewer.staff else ("vocab_public",)


def _edit_distance(a: str, b: str) -> int:
    """Levenshtein distance (small words, so the plain dynamic programme is fine)."""
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]
