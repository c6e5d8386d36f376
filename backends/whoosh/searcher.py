"""Searching one published version of the Whoosh index: the Snapshot of search.api for Whoosh."""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from whoosh import collectors, scoring
from whoosh import query as wq
from whoosh.reading import MultiReader, TermNotFound
from whoosh.searching import Searcher
from whoosh.util.times import long_to_datetime

from backends.whoosh.schema import LANGUAGES, SNIPPET_FIELDS
from backends.whoosh.versions import PARTS
from backends.whoosh.translate import filter_query, to_whoosh
from indexer.vocabulary import VOCABULARY_FILE, Vocabulary
from search.api import FACET_NAMES, Match, Matches
from search.query import Filters, Node
from search.ranking import TIE_MARGIN, freshness

# BM25F with a lower term-frequency saturation than Whoosh's default K1=1.2: a document's extra
# lemma and part terms repeat a word's weight. Tuned on the first 500 squad2-fi tune questions
# (MRR@10 0.619 at K1=1.2, 0.626 at 0.9, 0.611 at 1.6; B=0.5 and 0.9 were worse); re-check with
# benchmarks/retrieval.py.
RANKING = scoring.BM25F(B=0.75, K1=0.9)
# Candidates re-scored with the freshness boost beyond the requested page: the boost is at most
# +FRESHNESS_WEIGHT, so a document further down by BM25F could only rarely overtake one inside.
RERANK_WINDOW = 50
# Facets of a result list, by the index field that holds their values.
FACET_FIELDS = {"section": "section_top", "lang": "lang", "year": "year", "type": "type", "source": "source"}
assert tuple(FACET_FIELDS) == FACET_NAMES
FILTER_CACHE_SIZE = 256  # document sets of typed filters kept per index version


class _TopAndAll(collectors.TopCollector):
    """One pass over the matches: the top `limit` by score, and every matching document number (for the
    total, the facets and collapsing), counting only documents in `allowed` (None: every document).

    Block-quality skipping and matcher replacement are off, since every match is needed anyway (and
    replacement drops documents that cannot reach the top, from counts too); filtering happens here,
    before a document is scored, not in Whoosh's filter collector, which rebuilds its set per search.
    With `top_only` (batch ranking, which needs no counts) Whoosh may skip what cannot reach the top."""

    def __init__(self, limit: int, allowed, top_only: bool = False):
        if top_only:
            super().__init__(limit=limit)
        else:
            super().__init__(limit=limit, usequality=False, replace=0)
        self.allowed = allowed

    def prepare(self, top_searcher, q, context):
        super().prepare(top_searcher, q, context)
        self.matched: list[int] = []

    def collect(self, sub_docnum):
        docnum = self.offset + sub_docnum
        if self.allowed is not None and docnum not in self.allowed:
            return 0
        self.matched.append(docnum)
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
        self._filter_sets: dict[tuple, frozenset] = {}
        searcher = self._open_combined()
        try:
            reader = searcher.reader()
            size = reader.doc_count_all()
            public_size = indexes["public"].doc_count_all()
            self.ids = _column(reader, "id", size, "")
            dates = _column(reader, "updated", size, None, raw=True)
            self.updated = [_raw_date(v) for v in dates]
            self.facets = {name: _column(reader, field, size, "") for name, field in FACET_FIELDS.items()}
            self.live = frozenset(searcher.docs_for_query(wq.Every()))
            # The documents of each access key (search.access): public ones by the index they are in,
            # internal ones by their stored keys ("internal", or one key per group).
            access = _column(reader, "access", size, "")
            by_key: dict[str, set[int]] = {"public": set(), "internal": set()}
            for d in self.live:
                if d < public_size:
                    by_key["public"].add(d)
                    continue
                for key in (access[d] or "internal").split("\n"):
                    by_key.setdefault("public" if key == "public" else key, set()).add(d)
            self.by_key = {key: frozenset(docs) for key, docs in by_key.items()}
            self._visible_sets: dict[tuple, frozenset] = {}
            duplicate_of = _column(reader, "duplicate_of", size, "")
            self.duplicate_of = {d: rep for d, rep in enumerate(duplicate_of) if rep and d in self.live}
            self.docnums = {doc_id: d for d, doc_id in enumerate(self.ids) if d in self.live} if self.duplicate_of else {}
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
        return len(self._visible(visibilities))

    def word_counts(self, visibility: str) -> dict[str, int]:
        return self.vocabulary.get(visibility, {})

    def search(self, query: Node, filters: Filters, visibilities: tuple[str, ...], limit: int, *, facets: bool = True) -> Matches:
        wquery = to_whoosh(query)
        searcher = self.searcher(visibilities)
        ranked = _rank(self, searcher, wquery, self.allowed(visibilities, filters), limit)
        terms = set(wquery.iter_all_terms())
        top = [self._match(searcher, docnum, score, terms) for docnum, score in ranked.top]
        return Matches(total=ranked.total, top=top, facets=ranked.facets(self) if facets else {})

    def rank(self, query: Node, filters: Filters, visibilities: tuple[str, ...], limit: int) -> list[tuple[str, float]]:
        collector = _collect(self.searcher(visibilities), to_whoosh(query), self.allowed(visibilities, filters), limit + TIE_MARGIN, top_only=True)
        ranked = sorted(((self.ids[-negated], score) for score, negated in collector.items), key=lambda r: (-r[1], r[0]))
        return ranked[:limit]

    def any_match(self, query: Node, visibilities: tuple[str, ...]) -> bool:
        """Walks the postings of the query's terms and stops at the first visible document, so a common
        word costs next to nothing."""
        reader = self.searcher(visibilities).reader()
        allowed = self._visible(visibilities)
        for fieldname, term in to_whoosh(query).iter_all_terms():
            if (fieldname, term) not in reader:
                continue
            for docnum in reader.postings(fieldname, term).all_ids():
                if docnum in allowed:
                    return True
        return False

    def document(self, doc_id: str, visibilities: tuple[str, ...]) -> dict | None:
        searcher = self.searcher(visibilities)
        docnum = searcher.document_number(id=doc_id)
        if docnum is None or docnum not in self._visible(visibilities):
            return None
        stored = dict(searcher.stored_fields(docnum))
        updated = stored.get("updated")
        stored["updated"] = updated.date().isoformat() if updated else None
        return stored

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

    def _visible(self, visibilities: tuple[str, ...]) -> frozenset:
        """The live documents carrying any of these access keys (kept per set of keys: one per kind of viewer)."""
        key = tuple(visibilities)
        if len(key) == 1:
            return self.by_key.get(key[0], frozenset())
        out = self._visible_sets.get(key)
        if out is None:
            out = frozenset().union(*(self.by_key.get(k, frozenset()) for k in key))
            if len(self._visible_sets) > FILTER_CACHE_SIZE:
                self._visible_sets.clear()
            self._visible_sets[key] = out
        return out

    def allowed(self, visibilities: tuple[str, ...], filters: Filters | None):
        """The document numbers of these access keys that pass the filters; None for every live one."""
        base = self._visible(visibilities)
        if len(base) == len(self.live):
            base = None
        flt = filter_query(filters) if filters else None
        if flt is None:
            return base
        key = filters.key()
        docs = self._filter_sets.get(key)
        if docs is None:
            docs = frozenset(self.searcher(PARTS).docs_for_query(flt))
            if len(self._filter_sets) > FILTER_CACHE_SIZE:
                self._filter_sets.clear()
            self._filter_sets[key] = docs
        return docs if base is None else docs & base

    def _match(self, searcher, docnum: int, score: float, terms) -> Match:
        stored = dict(searcher.stored_fields(docnum))
        updated = stored.get("updated")
        stored["updated"] = updated.date() if updated else None
        return Match(id=stored["id"], score=float(score), stored=stored, spans=tuple(match_spans(searcher, docnum, terms)))


def _collect(searcher, query: wq.Query, allowed, limit: int, top_only: bool = False) -> _TopAndAll:
    collector = _TopAndAll(limit, allowed, top_only)
    searcher.search_with_collector(query, collector)
    return collector


def match_spans(searcher, docnum: int, query_terms) -> set[tuple[int, int]]:
    """Character spans of the query's terms that occur in one document, from the offsets stored with
    the postings of the text fields (no re-analysis)."""
    raw = set()
    for field, term in query_terms:
        if field not in SNIPPET_FIELDS:
            continue
        try:
            matcher = searcher.postings(field, term)
        except TermNotFound:  # a query alternative that no document has
            continue
        matcher.skip_to(docnum)
        if matcher.is_active() and matcher.id() == docnum:
            raw.update((start, end) for _, start, end in matcher.value_as("characters"))
    return raw


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


def _raw_date(raw) -> dt.date | None:
    """A DATETIME column value; documents without a date hold a filler that is no date at all."""
    try:
        return long_to_datetime(raw).date() if raw else None
    except (OverflowError, TypeError, ValueError):
        return None


@dataclass
class _Ranked:
    """The matches of one query: how many (near-duplicates counted once), the top (docnum, score)
    pairs, and every matching document number."""

    total: int
    top: list[tuple[int, float]]
    matched: list[int]
    duplicates: frozenset[int]

    def facets(self, snap: WhooshSnapshot) -> dict[str, list[tuple[str, int]]]:
        """Counts of the matching documents per value of each facet, most common first (years newest
        first); near-duplicates are left out, as they are collapsed in the hits."""
        out = {}
        for name, values in snap.facets.items():
            counts = Counter(values[d] for d in self.matched if d not in self.duplicates)
            counts.pop("", None)
            if name == "year":
                out[name] = sorted(counts.items(), reverse=True)
            else:
                out[name] = sorted(counts.items(), key=lambda vn: (-vn[1], vn[0]))
        return out


def _rank(snap: WhooshSnapshot, searcher, query: wq.Query, allowed, n: int) -> _Ranked:
    """The top n by BM25F times the freshness boost, ties in id order, near-duplicates collapsed to the
    best-ranked copy, in one pass over the matches.

    The top n plus a window are kept by BM25F score and re-scored; when a tie runs past the window,
    all matches are. (Whoosh's own collapse is not used: its collector fails on filtered multi-segment
    searches; nor its terms=True, whose count includes documents a filter removed.)"""
    window = n + RERANK_WINDOW
    collector = _collect(searcher, query, allowed, window)
    items = sorted(collector.items, reverse=True)
    if len(items) == window and items[-1][0] == items[min(n, len(items)) - 1][0]:
        collector = _collect(searcher, query, allowed, len(collector.matched))
        items = collector.items
    today = dt.date.today()
    scored = sorted(
        ((score * freshness(snap.updated[-negated], today), snap.ids[-negated], -negated) for score, negated in items),
        key=lambda item: (-item[0], item[1]),
    )
    matched = collector.matched
    duplicates = frozenset(d for d in matched if d in snap.duplicate_of) if snap.duplicate_of else frozenset()
    top, groups = [], set()
    for score, doc_id, docnum in scored:
        group = snap.duplicate_of.get(docnum, doc_id)
        if group in groups:
            continue
        groups.add(group)
        top.append((docnum, score))
        if len(top) == n:
            break
    return _Ranked(_collapsed_total(snap, matched, duplicates), top, matched, duplicates)


def _collapsed_total(snap: WhooshSnapshot, matched: list[int], duplicates: frozenset[int]) -> int:
    """Matches counted once per group of near-duplicates: a duplicate counts only when the copy it
    repeats did not match (and then once per group)."""
    if not duplicates:
        return len(matched)
    matched_set = set(matched)
    groups = Counter(snap.duplicate_of[d] for d in duplicates)
    total = len(matched)
    for representative, count in groups.items():
        shown = snap.docnums.get(representative) in matched_set
        total -= count if shown else count - 1
    return total
