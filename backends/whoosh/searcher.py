"""Searching one published version of the Whoosh index: the Snapshot of search.api for Whoosh."""

from __future__ import annotations

import bisect
import datetime as dt
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from cachetools import LRUCache
from whoosh import collectors, scoring
from whoosh import query as wq
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.matching.wrappers import FilterMatcher
from whoosh.reading import MultiReader, TermNotFound
from whoosh.searching import Searcher
from whoosh.util.times import long_to_datetime
from whoosh.util.numeric import byte_to_length

from backends.whoosh.codec import BlockMatcher
from backends.whoosh.schema import LANGUAGES, SNIPPET_FIELDS, TEXT_FIELDS
from backends.whoosh.termcache import TermScoreCache
from backends.whoosh.versions import PARTS
from backends.whoosh.translate import filter_query, to_whoosh
from indexer.vocabulary import VOCABULARY_FILE, Vocabulary
from search.api import FACET_NAMES, Match, Matches
from search.query import Filters, Node
from search.ranking import FRESHNESS_WEIGHT, TIE_MARGIN, freshness
from search.ranking import idf as lucene_idf

class LuceneIdfBM25F(scoring.BM25F):
    """Whoosh's BM25F with Lucene's idf, log(1 + (N - df + 0.5) / (df + 0.5)), in place of Whoosh's
    log(N / (df + 1)) + 1: a word nearly every document has weighs next to nothing instead of at
    least 1, as in the SolrCloud backend, whose BM25 has this idf."""

    def idf(self, searcher, fieldname, text):
        parent = searcher.get_parent()
        return lucene_idf(parent.doc_count_all(), parent.doc_frequency(fieldname, text))


# BM25F with a lower term-frequency saturation than Whoosh's default K1=1.2 (a document's extra
# lemma and part terms repeat a word's weight) and Lucene's idf. Tuned on the first 1,500 squad2-fi
# tune questions with the readings' shared weight (search.query.READINGS_POWER): MRR@10 / R@100
# 0.674 / 0.927 at K1=0.9, B=0.75, Whoosh's idf; 0.677 / 0.926 at K1=0.75; 0.680 / 0.929 at K1=0.6,
# B=0.85 with Lucene's idf (RESULTS.md, issue 12 round 4). The SolrCloud configset's similarity has
# the same k1 and b.
RANKING = LuceneIdfBM25F(B=0.85, K1=0.6)
# Candidates re-scored with the freshness boost beyond the requested page: the boost is at most
# +FRESHNESS_WEIGHT, so a document further down by BM25F could only rarely overtake one inside.
RERANK_WINDOW = 50
# Facets of a result list, by the index field that holds their values.
FACET_FIELDS = {"section": "section_top", "lang": "lang", "year": "year", "type": "type", "source": "source"}
assert tuple(FACET_FIELDS) == FACET_NAMES
FILTER_CACHE_SIZE = 256  # document sets of typed filters kept per index version, at most
# ... and at most this many bytes of them: a set is a byte per document (200 kB at 200,000 documents)
FILTER_CACHE_BYTES = 64 * 2**20
LENGTHS = np.array([byte_to_length(b) for b in range(256)], dtype=np.float64)  # Whoosh's length bytes
# The text field each analysis fills, for the document frequencies of similar documents' terms.
TEXT_ANALYSIS_FIELDS = {**TEXT_FIELDS, "folded": "text_folded"}
FIELD_ANALYSES = {field: analysis for analysis, field in TEXT_ANALYSIS_FIELDS.items()}


class _Top(collectors.TopCollector):
    """The top `limit` matches by score, counting only documents in `allowed` (None: every document;
    else a byte per document number, nonzero for an allowed one).

    Filtering happens here, before a document is scored, not in Whoosh's filter collector, which
    rebuilds its set per search. Block-quality skipping and matcher replacement are off unless
    `skipping` (batch ranking): with them Whoosh can miss a document that belongs in the top (seen on
    conjunctions of unions), so searches score every match."""

    def __init__(self, limit: int, allowed, skipping: bool = False):
        if skipping:
            super().__init__(limit=limit)
        else:
            super().__init__(limit=limit, usequality=False, replace=0)
        self.allowed = allowed

    def collect(self, sub_docnum):
        if self.allowed is not None and not self.allowed[self.offset + sub_docnum]:
            return 0
        return super().collect(sub_docnum)


class WhooshSnapshot:
    """One index version opened for searching: per thread, a searcher of the public index (anonymous
    viewers: every statistic from public documents only) and one of both indexes (staff), and
    per-document arrays read once (ids, dates, facet values, access keys, near-duplicates), so that a
    search touches stored fields only for the hits it shows. Public documents come first in the
    combined view, so a document has one number in both."""

    def __init__(self, indexes: dict, version: str | None, path: Path):
        self.indexes = indexes
        self.version = version
        self.vocabulary = Vocabulary.load(path / VOCABULARY_FILE).counts
        self._local = threading.local()
        searcher = self._open_combined()
        try:
            reader = searcher.reader()
            size = reader.doc_count_all()
            public_size = indexes["public"].doc_count_all()
            self.ids = _column(reader, "id", size, "")
            dates = _column(reader, "updated", size, None, raw=True)
            self.updated = [_raw_date(v) for v in dates]
            self.size = size
            # Per facet, each document's value as a number into the facet's values ("" first): counting
            # the values of a set of matches is then one bincount.
            self.facets = {name: _codes(_column(reader, field, size, "")) for name, field in FACET_FIELDS.items()}
            self.live_mask = _readonly(_mask(size, list(searcher.docs_for_query(wq.Every()))))
            live = self.live_mask.tolist()
            # The documents of each access key (search.access), as boolean arrays over the document
            # numbers (a byte per document, not a set of numbers): public ones by the index they are in,
            # internal ones by their stored keys ("internal", or one key per group).
            access = _column(reader, "access", size, "")
            by_key = {"public": np.zeros(size, dtype=bool), "internal": np.zeros(size, dtype=bool)}
            by_key["public"][:public_size] = self.live_mask[:public_size]
            for d in np.flatnonzero(self.live_mask[public_size:]).tolist():
                for key in (access[d + public_size] or "internal").split("\n"):
                    by_key.setdefault("public" if key == "public" else key, np.zeros(size, dtype=bool))[d + public_size] = True
            self.by_key = {key: _readonly(docs) for key, docs in by_key.items()}
            self._nothing = _readonly(np.zeros(size, dtype=bool))
            self._live_count = int(np.count_nonzero(self.live_mask))
            # Visible sets, typed filters' sets and their combinations, each a byte per document: a
            # least-recently-used cache per index version, bounded in entries and in bytes.
            entries = max(8, min(FILTER_CACHE_SIZE, FILTER_CACHE_BYTES // max(1, 2 * size)))
            self._sets_lock = threading.Lock()
            self._visible_sets: LRUCache = LRUCache(entries)
            self._filter_masks: LRUCache = LRUCache(entries)
            self._allowed_masks: LRUCache = LRUCache(entries)
            weights = _column(reader, "weight", size, 1.0)
            # Per document number, the factor its score is multiplied by; None when every document weighs 1.
            self.weights = weights if any(w != 1.0 for w in weights) else None
            duplicate_of = _column(reader, "duplicate_of", size, "")
            self.duplicate_of = {d: rep for d, rep in enumerate(duplicate_of) if rep and live[d]}
            self.docnums = {doc_id: d for d, doc_id in enumerate(self.ids) if live[d]} if self.duplicate_of else {}
            # Per document number, its near-duplicate group: its own number, or for a near-duplicate the
            # number of the copy it repeats (a number past the documents when that copy is not live).
            self.groups = np.arange(size, dtype=np.int64)
            self.duplicate_mask = np.zeros(size, dtype=bool)
            absent: dict[str, int] = {}
            for d, representative in self.duplicate_of.items():
                self.duplicate_mask[d] = True
                rep = self.docnums.get(representative)
                self.groups[d] = rep if rep is not None else absent.setdefault(representative, size + len(absent))
            self._lengths: dict[tuple, np.ndarray | None] = {}
            self.term_scores = TermScoreCache()
            self._numbers: dict[str, int] | None = None
            self.languages = tuple(lang for lang in LANGUAGES if reader.doc_frequency("lang", lang))
        finally:
            searcher.close()

    def _open_combined(self):
        """A searcher of both indexes, public segments first."""
        leaves = []
        for part in PARTS:
            reader = self.indexes[part].reader()
            leaves += [leaf for leaf, _ in reader.leaf_readers() if leaf.doc_count_all()]
        if not leaves:
            return self.indexes["public"].searcher(weighting=RANKING)
        return Searcher(leaves[0] if len(leaves) == 1 else MultiReader(leaves), weighting=RANKING)

    # -- the Snapshot protocol ---------------------------------------------------------------------

    def doc_count(self, visibilities: tuple[str, ...]) -> int:
        return int(np.count_nonzero(self._visible(visibilities)))

    def word_counts(self, visibility: str) -> dict[str, int]:
        return self.vocabulary.get(visibility, {})

    def search(
        self, query: Node, filters: Filters, visibilities: tuple[str, ...], limit: int, *, facets: bool = True,
        sort: str = "relevance",
    ) -> Matches:
        wquery = to_whoosh(query)
        searcher = self.searcher(visibilities)
        allowed_mask = self.allowed_mask(visibilities, filters)
        scored = self.scored(searcher, wquery, allowed_mask)
        matching = scored[0] if scored is not None else self.matching(searcher, wquery, allowed_mask)
        ranked = _rank(self, searcher, wquery, self.allowed(visibilities, filters), matching, limit, sort,
                       scored[1] if scored is not None else None)
        found = match_text(searcher, [docnum for docnum, _ in ranked.top], set(wquery.iter_all_terms()))
        top = [self._match(searcher, docnum, score, *found[docnum]) for docnum, score in ranked.top]
        return Matches(total=ranked.total, top=top, facets=ranked.facets(self) if facets else {})

    def rank(self, query: Node, filters: Filters, visibilities: tuple[str, ...], limit: int) -> list[tuple[str, float]]:
        """BM25F scores over arrays (as `search` computes them), the documents tied with the last one
        kept; Whoosh's collector only for a query the arrays do not score."""
        wquery = to_whoosh(query)
        searcher = self.searcher(visibilities)
        scored = self.scored(searcher, wquery, self.allowed_mask(visibilities, filters))
        if scored is None:
            collector = _collect(searcher, wquery, self.allowed(visibilities, filters), limit + TIE_MARGIN, skipping=True)
            items = [(self.ids[-negated], score) for score, negated in collector.items]
        else:
            scores = scored[1]
            items = [(self.ids[d], float(scores[d])) for d in _best(scored[0], scores, limit).tolist()]
        return sorted(items, key=lambda r: (-r[1], r[0]))[:limit]

    def any_matches(self, queries: Sequence[Node], visibilities: tuple[str, ...]) -> list[bool]:
        return [self._any_match(query, visibilities) for query in queries]

    def _any_match(self, query: Node, visibilities: tuple[str, ...]) -> bool:
        """Whether a visible document has any of the query's terms, from the terms' arrays (which the
        search that came first has mostly left in the cache)."""
        searcher = self.searcher(visibilities)
        allowed = self.allowed_mask(visibilities, None)
        scope = _scope(searcher)
        terms = list(to_whoosh(query).iter_all_terms())
        for sub, offset in searcher.leaf_searchers():
            for field, term in terms:
                docs = _term_scored(self, (searcher, scope), sub.reader(), field, term)[0]
                if len(docs) and allowed[docs + offset].any():
                    return True
        return False

    def term_documents(self, analysis: str, terms, visibilities: tuple[str, ...]) -> dict[str, int]:
        """Document frequencies in the analysis's text field over the live documents the viewer's access
        keys open: each term's documents (from the cache of recently used terms, as a search reads them)
        counted against them."""
        field = TEXT_ANALYSIS_FIELDS.get(analysis)
        searcher = self.searcher(visibilities)
        top = (searcher, _scope(searcher))
        visible = self._visible(visibilities)
        leaves = [(sub.reader(), offset) for sub, offset in searcher.leaf_searchers()]
        out = {}
        for term in terms:
            count = 0
            if field:
                for reader, offset in leaves:
                    docs = _term_scored(self, top, reader, field, term)[0]
                    count += int(np.count_nonzero(visible[docs + offset])) if len(docs) else 0
            out[term] = count
        return out

    def term_starts(self, ids, terms, visibilities: tuple[str, ...]) -> dict[str, dict[tuple[str, str], list[int]]]:
        """Per visible document of `ids`, the character starts in its text of each (analysis, term) of
        `terms` it has, as a search's matches carry them (match_text)."""
        searcher = self.searcher(visibilities)
        visible = self._visible(visibilities)
        numbers = self._live_numbers()
        docnums = {}
        for doc_id in ids:
            docnum = numbers.get(doc_id)
            if docnum is not None and visible[docnum]:
                docnums[docnum] = doc_id
        fields = [(TEXT_ANALYSIS_FIELDS[analysis], term) for analysis, term in terms if analysis in TEXT_ANALYSIS_FIELDS]
        found = match_text(searcher, list(docnums), fields)
        return {doc_id: found[docnum][1] for docnum, doc_id in docnums.items()}

    def document(self, doc_id: str, visibilities: tuple[str, ...]) -> dict | None:
        searcher = self.searcher(visibilities)
        docnum = searcher.document_number(id=doc_id)
        if docnum is None or not self._visible(visibilities)[docnum]:
            return None
        stored = dict(searcher.stored_fields(docnum))
        updated = stored.get("updated")
        stored["updated"] = updated.date().isoformat() if updated else None
        return stored

    def _live_numbers(self) -> dict[str, int]:
        """The number of each live document by its id (made on first use: batch ranking asks for it)."""
        if self._numbers is None:
            live = self.live_mask
            self._numbers = self.docnums or {doc_id: d for d, doc_id in enumerate(self.ids) if live[d]}
        return self._numbers

    # -- Whoosh specifics --------------------------------------------------------------------------

    def searcher(self, visibilities: tuple[str, ...] = ("public",)):
        """This thread's searcher for these visibilities (Whoosh searchers are not shared between threads):
        the public index alone for public documents only, else both indexes."""
        key = "public" if tuple(visibilities) == ("public",) else "all"
        searchers = getattr(self._local, "searchers", None)
        if searchers is None:
            searchers = self._local.searchers = {}
        searcher = searchers.get(key)
        if searcher is None:
            if key == "public":
                searcher = self.indexes["public"].searcher(weighting=RANKING)
            else:
                searcher = self._open_combined()
            searchers[key] = searcher
        return searcher

    def _visible(self, visibilities: tuple[str, ...]) -> np.ndarray:
        """The live documents carrying any of these access keys, as a boolean array over the document
        numbers (kept per set of keys: one per kind of viewer)."""
        key = tuple(visibilities)
        if len(key) == 1:
            return self.by_key.get(key[0], self._nothing)
        with self._sets_lock:
            out = self._visible_sets.get(key)
        if out is None:
            out = _readonly(np.logical_or.reduce([self.by_key.get(k, self._nothing) for k in key] + [self._nothing]))
            with self._sets_lock:
                self._visible_sets[key] = out
        return out

    def allowed(self, visibilities: tuple[str, ...], filters: Filters | None) -> bytes | None:
        """The document numbers of these access keys that pass the filters, as a byte per document
        number (nonzero: allowed); None for every live one."""
        return self._allowed(visibilities, filters)[1]

    def allowed_mask(self, visibilities: tuple[str, ...], filters: Filters | None) -> np.ndarray:
        """`allowed` as a boolean array over the document numbers (the live documents when every one is)."""
        return self._allowed(visibilities, filters)[0]

    def _allowed(self, visibilities: tuple[str, ...], filters: Filters | None) -> tuple[np.ndarray, bytes | None]:
        key = (tuple(visibilities), filters.key() if filters else None)
        with self._sets_lock:
            found = self._allowed_masks.get(key)
        if found is not None:
            return found
        mask = self._visible(visibilities)
        flt = filter_query(filters) if filters else None
        if flt is not None:
            mask = mask & self._filter_mask(filters.key(), flt)
        elif int(np.count_nonzero(mask)) == self._live_count:
            mask = self.live_mask
        found = (_readonly(mask), None if mask is self.live_mask else mask.tobytes())
        with self._sets_lock:
            self._allowed_masks[key] = found
        return found

    def _filter_mask(self, key: tuple, flt: wq.Query) -> np.ndarray:
        """The live documents that pass a typed filter, over both indexes."""
        with self._sets_lock:
            mask = self._filter_masks.get(key)
        if mask is None:
            mask = _readonly(_mask(self.size, list(self.searcher(PARTS).docs_for_query(flt))))
            with self._sets_lock:
                self._filter_masks[key] = mask
        return mask

    def matching(self, searcher, query: wq.Query, allowed: np.ndarray) -> np.ndarray:
        """Which allowed documents match a query, as a boolean array over the document numbers, from
        the postings of its terms (without scoring them)."""
        out = np.zeros(self.size, dtype=bool)
        for sub, offset in searcher.leaf_searchers():
            n = sub.reader().doc_count_all()
            if n:
                out[offset : offset + n] = _leaf_matching(sub, query, n)
        out &= allowed
        return out

    def scored(self, searcher, query: wq.Query, allowed: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
        """(which allowed documents match, their BM25F scores up to float rounding) over the document
        numbers, computed over arrays from the postings' blocks; None for a query with parts this does
        not score (anything but terms, and/or/and-not and boosts), which Whoosh's collector scores."""
        mask = np.zeros(self.size, dtype=bool)
        scores = np.zeros(self.size, dtype=np.float64)
        scope = _scope(searcher)
        for sub, offset in searcher.leaf_searchers():
            n = sub.reader().doc_count_all()
            if not n:
                continue
            found = _leaf_scored(self, (searcher, scope), sub, query, n)
            if found is None:
                return None
            mask[offset : offset + n], scores[offset : offset + n] = found
        mask &= allowed
        return mask, scores

    def lengths(self, reader, field: str) -> np.ndarray | None:
        """A segment's field lengths per document as Whoosh scores them (None: the field has none), read
        from its column of length bytes at once."""
        key = (reader.segment().segment_id(), field)
        if key not in self._lengths:
            column = reader._perdoc._cached_reader(_lenfield(field), LENGTHS_COLUMN)
            values = None
            if column is not None:
                n = reader.doc_count_all()
                raw = np.zeros(n, dtype=np.uint8)
                count = min(n, column._count)
                raw[:count] = np.frombuffer(column._dbfile.get(column._basepos, count), dtype=np.uint8)
                values = LENGTHS[raw]
            self._lengths[key] = values
        return self._lengths[key]

    def _match(self, searcher, docnum: int, score: float, spans: set[tuple[int, int]], starts: dict) -> Match:
        stored = dict(searcher.stored_fields(docnum))
        updated = stored.get("updated")
        stored["updated"] = updated.date() if updated else None
        return Match(id=stored["id"], score=float(score), stored=stored, spans=tuple(spans), starts=starts)


def _scope(searcher) -> tuple[str, ...]:
    """The segments whose statistics (document counts, frequencies, lengths) a searcher's scores use."""
    return tuple(leaf.segment().segment_id() for leaf, _ in searcher.reader().leaf_readers())


def _collect(searcher, query: wq.Query, allowed, limit: int, skipping: bool = False) -> _Top:
    collector = _Top(limit, allowed, skipping)
    searcher.search_with_collector(query, collector)
    return collector


def _leaf_scored(snap: WhooshSnapshot, top, searcher, query: wq.Query, n: int):
    """(matching, scores) of one segment's documents, deleted ones too, as Whoosh's matchers score
    them: a union sums the scores of the parts that match, an intersection all of them, and-not keeps
    the first part's; a boost multiplies. None when the query has a part scored otherwise. `top`:
    the searcher whose statistics score, and the segment ids those statistics cover."""
    kind = type(query)
    if kind is wq.Term:
        found = (np.zeros(n, dtype=bool), np.zeros(n, dtype=np.float64))
        _add_term(found, snap, top, searcher.reader(), query)
    elif kind is wq.Or and not query.minmatch and not query.scale:
        found = (np.zeros(n, dtype=bool), np.zeros(n, dtype=np.float64))
        for sub in query.subqueries:
            if type(sub) is wq.Term:  # the common part, added without arrays over the whole segment
                _add_term(found, snap, top, searcher.reader(), sub, sub.boost)
                continue
            part = _leaf_scored(snap, top, searcher, sub, n)
            if part is None:
                return None
            found[0][:] |= part[0]
            found[1][:] += np.where(part[0], part[1], 0.0)
    elif kind is wq.And:
        if not query.subqueries:
            return np.zeros(n, dtype=bool), np.zeros(n, dtype=np.float64)
        found = None
        for sub in query.subqueries:
            part = _leaf_scored(snap, top, searcher, sub, n)
            if part is None:
                return None
            found = part if found is None else (found[0] & part[0], found[1] + part[1])
    elif kind is wq.AndNot:
        wanted, unwanted = _leaf_scored(snap, top, searcher, query.a, n), _leaf_scored(snap, top, searcher, query.b, n)
        if wanted is None or unwanted is None:
            return None
        found = (wanted[0] & ~unwanted[0], wanted[1])
        return found  # Whoosh's AndNot leaves its boost unapplied
    elif query is wq.NullQuery:
        return np.zeros(n, dtype=bool), np.zeros(n, dtype=np.float64)
    else:
        return None
    if query.boost != 1.0:
        found = (found[0], found[1] * query.boost)
    return found


def _add_term(found: tuple[np.ndarray, np.ndarray], snap: WhooshSnapshot, top, reader, term: wq.Term, boost: float = 1.0) -> None:
    """Adds a term's matches and BM25F scores (times `boost`) into a segment's (matching, scores)."""
    docs, values = _term_scored(snap, top, reader, term.fieldname, term.text)
    found[0][docs] = True
    found[1][docs] += values * boost if boost != 1.0 else values


def _term_scored(snap: WhooshSnapshot, top, reader, field: str, text) -> tuple[np.ndarray, np.ndarray]:
    """One term's matching document numbers in a segment and their BM25F scores, as Whoosh's BM25F
    scorer computes them (an unscored field: the postings' weights), kept in the snapshot's cache of
    recently used terms. `top` is the (searcher, scope) whose statistics score."""
    top, scope = top
    none = (np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float64))
    if field not in top.schema:
        return none
    try:
        btext = top.schema[field].to_bytes(text)
    except ValueError:
        return none
    key = (scope, reader.segment().segment_id(), field, btext)
    cached = snap.term_scores.get(key)
    if cached is not None:
        return cached
    found = _term_postings(reader, field, btext)
    if found is None:
        snap.term_scores.put(key, *none)
        return none
    docs, tf = found
    if top.schema[field].scorable:
        lengths = snap.lengths(reader, field)
        fl = lengths[docs] if lengths is not None else 1.0
        idf = top.idf(field, btext)
        avgfl = top.avg_field_length(field) or 1
        B, K1 = RANKING._field_B.get(field, RANKING.B), RANKING.K1
        tf = idf * ((tf * (K1 + 1)) / (tf + K1 * ((1 - B) + B * fl / avgfl)))
    docs = docs.astype(np.int32)
    snap.term_scores.put(key, docs, tf)
    return docs, tf


def _term_postings(reader, field: str, btext: bytes) -> tuple[np.ndarray, np.ndarray] | None:
    """A term's document numbers and weights (term frequencies) in a segment, deleted documents too;
    None when the segment does not have it. The codec's posting blocks are read as arrays
    (BlockMatcher.block_arrays), inlined postings one by one."""
    try:
        matcher = reader.postings(field, btext)
    except TermNotFound:
        return None
    if isinstance(matcher, FilterMatcher):  # deletions: left to the live mask
        matcher = matcher.child
    ids, weights = [], []
    if type(matcher) is BlockMatcher:
        while matcher.is_active():
            block_ids, block_weights = matcher.block_arrays()
            ids.append(block_ids)
            weights.append(block_weights)
            matcher._next_block()
    else:
        found_ids, found_weights = [], []
        while matcher.is_active():
            found_ids.append(matcher.id())
            found_weights.append(matcher.weight())
            matcher.next()
        ids.append(np.asarray(found_ids, dtype=np.int64))
        weights.append(np.asarray(found_weights, dtype=np.float64))
    if not ids:
        return None
    return np.concatenate(ids), np.concatenate(weights).astype(np.float64)


def _array_top(matched: np.ndarray, scores: np.ndarray, k: int) -> list[tuple[float, int]]:
    """The (score, negated docnum) of the best k matches by their array scores, in the order of Whoosh's
    top collector: best first, ties to the lower document number."""
    candidates = _best(matched, scores, k)
    values = scores[candidates]
    order = np.lexsort((candidates, -values))[:k]
    return list(zip(values[order].tolist(), (-candidates[order]).tolist()))


def _best(matched: np.ndarray, scores: np.ndarray, k: int) -> np.ndarray:
    """The matching document numbers whose scores reach the k-th best: every document tied with the
    k-th is kept, so that ties can be broken afterwards (by document number or id)."""
    candidates = np.flatnonzero(matched)
    if len(candidates) > k:
        values = scores[candidates]
        kth = np.partition(values, len(values) - k)[len(values) - k]
        candidates = candidates[values >= kth]
    return candidates


def _leaf_matching(searcher, query: wq.Query, n: int) -> np.ndarray:
    """The documents of one segment that match a query, deleted ones too (the live mask drops them):
    terms from their postings, and/or/not as set operations; any other query by Whoosh's matcher."""
    kind = type(query)
    if kind is wq.Term:
        return _term_matching(searcher.reader(), query.fieldname, query.text, n)
    if kind in (wq.Or, wq.DisjunctionMax) and not getattr(query, "minmatch", 0):
        out = np.zeros(n, dtype=bool)
        for sub in query.subqueries:
            out |= _leaf_matching(searcher, sub, n)
        return out
    if kind is wq.And and query.subqueries:
        out = _leaf_matching(searcher, query.subqueries[0], n)
        for sub in query.subqueries[1:]:
            if not out.any():
                break
            out &= _leaf_matching(searcher, sub, n)
        return out
    if kind in (wq.AndNot, wq.Require):
        out = _leaf_matching(searcher, query.a, n)
        if out.any():
            other = _leaf_matching(searcher, query.b, n)
            out &= ~other if kind is wq.AndNot else other
        return out
    if kind is wq.AndMaybe:
        return _leaf_matching(searcher, query.a, n)
    if query is wq.NullQuery:
        return np.zeros(n, dtype=bool)
    out = np.zeros(n, dtype=bool)
    out[np.fromiter(query.docs(searcher), dtype=np.int64)] = True
    return out


def _term_matching(reader, field: str, text, n: int) -> np.ndarray:
    """The documents of one segment whose postings hold a term: the codec's posting blocks read as
    arrays, inlined postings one by one."""
    out = np.zeros(n, dtype=bool)
    try:
        matcher = reader.postings(field, text)
    except TermNotFound:
        return out
    if isinstance(matcher, FilterMatcher):  # deletions: left to the live mask
        matcher = matcher.child
    if type(matcher) is BlockMatcher:
        while matcher.is_active():
            out[matcher.block_arrays()[0]] = True
            matcher._next_block()
        return out
    out[np.fromiter(matcher.all_ids(), dtype=np.int64)] = True
    return out


def match_text(searcher, docnums: list[int], query_terms) -> dict[int, tuple[set[tuple[int, int]], dict]]:
    """Per document, the character spans in its text of the query's terms that occur in it, and where each
    of those terms starts, by (analysis, term): from the offsets stored with the postings of the text
    fields (no re-analysis)."""
    out: dict[int, tuple[set[tuple[int, int]], dict]] = {docnum: (set(), {}) for docnum in docnums}
    terms = [(field, term) for field, term in query_terms if field in SNIPPET_FIELDS]
    for docnum, (field, term), characters in _characters(searcher, docnums, terms):
        spans, starts = out[docnum]
        spans.update((start, end) for _, start, end in characters)
        starts[(FIELD_ANALYSES[field], term)] = sorted({start for _, start, _ in characters})
    return out


def _characters(searcher, docnums: list[int], terms: list[tuple[str, str]]):
    """(docnum, (field, term), [(position, start, end), ...]) for each of the terms (of fields whose
    postings carry characters) in each of the documents that has it: per segment, one pass over each
    term's postings for all the documents, in document order, without a scorer."""
    ordered = sorted(set(docnums))
    for sub, offset in searcher.leaf_searchers():
        reader = sub.reader()
        inside = [docnum - offset for docnum in ordered if offset <= docnum < offset + reader.doc_count_all()]
        if not inside:
            continue
        for field, term in terms:
            try:
                matcher = reader.postings(field, term)
            except TermNotFound:  # a query alternative that this segment does not have
                continue
            if isinstance(matcher, FilterMatcher):  # the documents asked for are live
                matcher = matcher.child
            for docnum in inside:
                if _seek(matcher, docnum):
                    yield docnum + offset, (field, term), matcher.value_as("characters")
                elif not matcher.is_active():
                    break


def _seek(matcher, docnum: int) -> bool:
    """Moves a matcher forward to `docnum`; whether its postings have it. Whoosh's on-disk matcher skips
    whole blocks by their largest id and then searches the block's ids (its own skip_to walks them one
    by one)."""
    if not matcher.is_active():
        return False
    if type(matcher) is BlockMatcher:
        if docnum > matcher.block_max_id():
            matcher._skip_to_block(lambda: docnum > matcher.block_max_id())
            if not matcher.is_active():
                return False
        if matcher._ids is None:
            matcher._read_ids()
        matcher._i = bisect.bisect_left(matcher._ids, docnum, matcher._i)
    else:
        matcher.skip_to(docnum)
    return matcher.is_active() and matcher.id() == docnum


def _column(reader, field: str, size: int, default, raw: bool = False) -> list:
    """A sortable field's value for every document number (segments concatenated)."""
    values = [default] * size
    for leaf, offset in reader.leaf_readers():
        if not leaf.has_column(field):
            continue
        column = leaf.column_reader(field, translate=not raw)
        for i in range(leaf.doc_count_all()):
            values[offset + i] = column[i]
    return values


def _codes(values: list[str]) -> tuple[np.ndarray, list[str]]:
    """(each value's number into the distinct values, the distinct values with "" first)."""
    labels = [""] + sorted(set(values) - {""})
    number = {label: i for i, label in enumerate(labels)}
    return np.array([number[v] for v in values], dtype=np.int32), labels


def _mask(size: int, docnums) -> np.ndarray:
    out = np.zeros(size, dtype=bool)
    out[np.fromiter(docnums, dtype=np.int64, count=len(docnums))] = True
    return out


def _readonly(array: np.ndarray) -> np.ndarray:
    """An array shared by every thread's searches, made read-only so that none changes it by mistake."""
    array.flags.writeable = False
    return array


def _raw_date(raw) -> dt.date | None:
    """A DATETIME column value; documents without a date hold a filler that is no date at all."""
    try:
        return long_to_datetime(raw).date() if raw else None
    except (OverflowError, TypeError, ValueError):
        return None


@dataclass
class _Ranked:
    """The matches of one query: how many (near-duplicates counted once), the top (docnum, score)
    pairs, and which documents matched."""

    total: int
    top: list[tuple[int, float]]
    matched: np.ndarray

    def facets(self, snap: WhooshSnapshot) -> dict[str, list[tuple[str, int]]]:
        """Counts of the matching documents per value of each facet, most common first (years newest
        first); near-duplicates are left out, as they are collapsed in the hits."""
        counted = self.matched & ~snap.duplicate_mask
        out = {}
        for name, (codes, labels) in snap.facets.items():
            bins = np.bincount(codes[counted], minlength=len(labels))
            counts = [(labels[i], int(bins[i])) for i in np.flatnonzero(bins) if i]
            if name == "year":
                out[name] = sorted(counts, reverse=True)
            else:
                out[name] = sorted(counts, key=lambda vn: (-vn[1], vn[0]))
        return out


def _rank(
    snap: WhooshSnapshot, searcher, query: wq.Query, allowed, matched: np.ndarray, n: int, sort: str = "relevance",
    scores: np.ndarray | None = None,
) -> _Ranked:
    """The top n by BM25F times the freshness boost and the document's weight (or, sorted by date,
    newest first and undated last), ties in id order, near-duplicates collapsed to the first copy in
    that order. `matched` says which documents match; the top is taken from `scores` (BM25F over
    arrays) when given, else collected by Whoosh (which may skip what cannot reach it), every match
    only when sorting by date finds more matches than the window, or ties or weights could reach past it.

    The top n plus a window are kept by BM25F score and re-scored; when a tie runs past the window,
    all matches are. When some documents weigh less than 1 (OCR text of low confidence), all matches
    are also re-scored if a document outside the window could still reach the top n: a weight can take
    a document down much further than freshness can. (Whoosh's own collapse is not used: its collector
    fails on filtered multi-segment searches; nor its terms=True, whose count includes documents a
    filter removed.)"""
    count = int(np.count_nonzero(matched))
    if not count:
        return _Ranked(0, [], matched)
    window = n + RERANK_WINDOW

    def collect(k: int) -> list[tuple[float, int]]:
        if scores is not None:
            return _array_top(matched, scores, k)
        return sorted(_collect(searcher, query, allowed, k).items, reverse=True)

    items = collect(window)
    if sort == "date" and count > len(items):
        items = collect(count)
    elif len(items) == window and items[-1][0] == items[min(n, len(items)) - 1][0]:
        items = collect(count)
    top = _top(snap, items, n, sort)
    if sort != "date" and snap.weights is not None and len(items) < count:
        # A document not kept scores at most the lowest kept BM25F score, times the largest freshness boost.
        reachable = min(score for score, _ in items) * (1.0 + FRESHNESS_WEIGHT)
        if len(top) < n or top[-1][1] <= reachable:
            top = _top(snap, collect(count), n, sort)
    return _Ranked(_collapsed_total(snap, matched, count), top, matched)


def _top(snap: WhooshSnapshot, items, n: int, sort: str = "relevance") -> list[tuple[int, float]]:
    """The best n (docnum, score) of the collected (BM25F score, negated docnum) items, re-scored with
    freshness and weight (or newest first when sorting by date), ties by id, one per group of
    near-duplicates."""
    today = dt.date.today()
    weights = snap.weights
    scored = [
        (score * freshness(snap.updated[-negated], today) * (weights[-negated] if weights else 1.0), snap.ids[-negated], -negated)
        for score, negated in items
    ]
    if sort == "date":
        scored.sort(key=lambda item: (-_day(snap.updated[item[2]]), item[1]))
    else:
        scored.sort(key=lambda item: (-item[0], item[1]))
    top, groups = [], set()
    for score, doc_id, docnum in scored:
        group = snap.duplicate_of.get(docnum, doc_id)
        if group in groups:
            continue
        groups.add(group)
        top.append((docnum, score))
        if len(top) == n:
            break
    return top


def _day(updated: dt.date | None) -> int:
    """A date as a number that sorts newest last; 0 (before every date) for none."""
    return updated.toordinal() if updated else 0


def _collapsed_total(snap: WhooshSnapshot, matched: np.ndarray, count: int) -> int:
    """Matches counted once per group of near-duplicates: a duplicate counts only when the copy it
    repeats did not match (and then once per group)."""
    if not snap.duplicate_of:
        return count
    duplicates = matched & snap.duplicate_mask
    if not duplicates.any():
        return count
    groups = np.unique(snap.groups[duplicates])
    shown = groups < snap.size
    shown[shown] = matched[groups[shown]]
    return count - int(np.count_nonzero(duplicates)) + int(np.count_nonzero(~shown))
