"""The one search API: a query and a viewer in, ranked hits with snippets out."""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import heapq
import itertools
import re
import threading
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from whoosh import query as q
from whoosh import collectors, scoring
from whoosh.util.times import long_to_datetime

from indexer.build import current_version, index_root, open_index
from indexer.vocabulary import VOCABULARY_FILE, Vocabulary
from indexer.schema import LANGUAGES
from search import SearchError
from indexer.lexicon import lexicon_path, load_lexicon
from indexer.analysis import fold_umlauts
from indexer.morphology import analyze
from indexer.voikko import analyze_word, spell_suggestions
from search.query import ParsedQuery, parse_query, searchable_words, word_query
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
MIN_CORRECTION_LENGTH = 4  # shorter unknown words have too many neighbours to guess from
CORRECTION_PREFIX = 3  # letters a correction from the documents' words must share with the typed word
MAX_EDITS = 2
MAX_CORRECTION_SCAN = 5000  # words sharing those letters looked at
COMPLETION_CANDIDATES = 3  # commonest words per completion shown that are grouped by base form
FILTER_CACHE_SIZE = 256  # document sets of typed filters kept per index version
MAX_COMPLETION_SCAN = 2000  # words looked at per completion; a two-letter prefix can have thousands


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
    visibility: str = "public"

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
            "visibility": self.visibility,
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


def freshness(updated: dt.date | None, today: dt.date | None = None) -> float:
    """The mild boost of recently updated documents: up to +FRESHNESS_WEIGHT, halving every half-life.

    >>> round(freshness(dt.date(2020, 1, 1), today=dt.date(2020, 1, 1)), 3)
    1.08
    >>> round(freshness(dt.date(2019, 1, 1), today=dt.date(2020, 1, 1)), 3)
    1.04
    >>> freshness(None)
    1.0
    """
    if not updated:
        return 1.0
    age = max(0, ((today or dt.date.today()) - updated).days)
    return 1.0 + FRESHNESS_WEIGHT * 0.5 ** (age / FRESHNESS_HALF_LIFE_DAYS)


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


class _Snapshot:
    """One index version opened for searching: a searcher per thread, and per-document arrays read once
    (ids, dates, facet values, visibility, near-duplicates), so that a search touches stored fields
    only for the hits it shows."""

    def __init__(self, ix, version: str | None, path: Path):
        self.ix = ix
        self.version = version
        vocabulary = Vocabulary.load(path / VOCABULARY_FILE)
        # Written words and their document counts, per visibility, and each list of words sorted for
        # prefix look-ups (as typed without umlauts: folded_words, listed on first use).
        self.vocabulary = vocabulary.counts
        self.sorted_words = {v: sorted(counts) for v, counts in vocabulary.counts.items()}
        self._local = threading.local()
        self._filter_sets: dict[str, frozenset] = {}
        with ix.searcher() as searcher:
            reader = searcher.reader()
            size = reader.doc_count_all()
            self.ids = _column(reader, "id", size, "")
            dates = _column(reader, "updated", size, None, raw=True)
            self.updated = [_raw_date(v) for v in dates]
            self.facets = {name: _column(reader, field, size, "") for name, field in FACETS.items()}
            self.public = frozenset(searcher.docs_for_query(q.Term("visibility", "public")))
            self.live = frozenset(searcher.docs_for_query(q.Every()))
            duplicate_of = _column(reader, "duplicate_of", size, "")
            self.duplicate_of = {d: rep for d, rep in enumerate(duplicate_of) if rep and d in self.live}
            self.docnums = {doc_id: d for d, doc_id in enumerate(self.ids) if d in self.live} if self.duplicate_of else {}
            self.languages = tuple(lang for lang in LANGUAGES if reader.doc_frequency("lang", lang))

    @functools.cached_property
    def folded_words(self) -> dict[str, list[tuple[str, str]]]:
        """(umlaut-less form, word) of every word with umlauts, sorted, per visibility."""
        out = {}
        for visibility, words in self.sorted_words.items():
            pairs = ((fold_umlauts(w), w) for w in words)
            out[visibility] = sorted((folded, w) for folded, w in pairs if folded != w)
        return out

    def words_with_prefix(self, visibility: str, prefix: str, limit: int, *, folded: bool = False) -> list[str]:
        """Up to `limit` words of a visibility's documents that start with `prefix`; with `folded`, the
        words with umlauts whose umlaut-less form starts with it ("tyory" -> "työryhmä")."""
        if folded:
            pairs = self.folded_words[visibility]
            start = bisect.bisect_left(pairs, (prefix,))
            return [w for key, w in itertools.takewhile(lambda p: p[0].startswith(prefix), pairs[start:start + limit])]
        words = self.sorted_words[visibility]
        start = bisect.bisect_left(words, prefix)
        return list(itertools.takewhile(lambda w: w.startswith(prefix), words[start:start + limit]))

    def word_count(self, viewer: Viewer, word: str) -> int:
        """How many documents the viewer may see have this word as written."""
        return sum(self.vocabulary[v].get(word, 0) for v in _visibilities(viewer))

    def searcher(self):
        """This thread's searcher of the version (Whoosh searchers are not shared between threads)."""
        searcher = getattr(self._local, "searcher", None)
        if searcher is None:
            searcher = self._local.searcher = self.ix.searcher(weighting=RANKING)
        return searcher

    def allowed(self, viewer: Viewer, flt: q.Query | None):
        """The document numbers a viewer may see that pass the query's filters; None for all."""
        base = None if viewer.staff else self.public
        if flt is None:
            return base
        key = repr(flt)
        docs = self._filter_sets.get(key)
        if docs is None:
            docs = frozenset(self.searcher().docs_for_query(flt))
            if len(self._filter_sets) > FILTER_CACHE_SIZE:
                self._filter_sets.clear()
            self._filter_sets[key] = docs
        return docs if base is None else docs & base


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


class SearchEngine:
    """Searches the published index of a data directory, picking up newly published versions by itself."""

    def __init__(self, data_dir: str | Path):
        self.data_dir = Path(data_dir)
        self._lock = threading.Lock()
        self._snapshot: _Snapshot | None = None

    def _current(self) -> _Snapshot:
        version = current_version(self.data_dir)
        snapshot = self._snapshot
        if snapshot is not None and snapshot.version == version:
            return snapshot
        with self._lock:
            if self._snapshot is None or self._snapshot.version != version:
                self._snapshot = _Snapshot(open_index(self.data_dir), version, index_root(self.data_dir) / str(version))
            return self._snapshot

    @property
    def version(self) -> str | None:
        """The index version the engine searches (opening it if needed)."""
        return self._current().version

    def doc_count(self, viewer: Viewer = ANONYMOUS) -> int:
        """How many documents the viewer may see."""
        snap = self._current()
        return len(snap.live if viewer.staff else snap.public)

    def _parse(self, snap: _Snapshot, text: str, filters: dict | None = None, plain: bool = False) -> ParsedQuery:
        return parse_query(text, load_lexicon(lexicon_path(self.data_dir)), filters, snap.languages, plain)

    def rank(
        self, text: str, *, limit: int = 1000, viewer: Viewer = ANONYMOUS, lang: str | None = None,
        filters: dict | None = None,
    ) -> list[tuple[str, float]]:
        """(id, score) of the top documents for any of the query's words: batch runs and evaluation.

        Natural-language questions are ranked as OR queries of their words, as retrieval evaluations
        do: no operators (their quotes and hyphens are punctuation), no freshness boost and no
        collapsing, so scores are plain BM25F, ties by id.
        """
        snap = self._current()
        if not searchable_words(text):
            return []  # a question of only stopwords and punctuation finds nothing; it is not an error
        parsed = self._parse(snap, text, _with_lang(filters, lang), plain=True)
        collector = _collect(snap, parsed.query(relaxed=True), snap.allowed(viewer, parsed.filter), limit + TIE_MARGIN, top_only=True)
        ranked = sorted(((snap.ids[-negated], score) for score, negated in collector.items), key=lambda r: (-r[1], r[0]))
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
        snap = self._current()
        parsed = self._parse(snap, text, _with_lang(filters, lang))
        allowed = snap.allowed(viewer, parsed.filter)
        searcher = snap.searcher()
        relaxed = corrected = False
        query = parsed.query()
        ranked = _rank(snap, query, allowed, page * size)
        suggestion = None
        if not ranked.total:
            suggestion = did_you_mean(snap, parsed, viewer)
            if suggestion:
                fixed = self._parse(snap, suggestion, _with_lang(filters, lang))
                retry = _rank(snap, fixed.query(), allowed, page * size)
                if retry.total:
                    corrected, query, ranked = True, fixed.query(), retry
        if not ranked.total and not parsed.only_filters:
            # Any whole word first: when that fills the page, compound parts would only add more of
            # the long tail (and common parts make the search slow); otherwise parts too.
            relaxed, query = True, parsed.query(relaxed=True, parts=False)
            ranked = _rank(snap, query, allowed, page * size)
            if ranked.total < page * size:
                query = parsed.query(relaxed=True)
                ranked = _rank(snap, query, allowed, page * size)
        terms = set(query.iter_all_terms())
        hits = [_hit(searcher, docnum, score, terms) for docnum, score in ranked.top[(page - 1) * size :]]
        return Results(
            query=parsed.text, total=ranked.total, page=page, size=size, hits=hits, relaxed=relaxed,
            facets=ranked.facets(snap) if facets else {}, suggestion=suggestion, corrected=corrected,
        )

    def suggest(self, prefix: str, *, viewer: Viewer = ANONYMOUS, limit: int = 8) -> list[str]:
        """Completions of the last word typed, from the words of documents the viewer may see."""
        snap = self._current()
        return complete(snap, prefix, viewer, limit)

    def document(self, doc_id: str, *, viewer: Viewer = ANONYMOUS) -> dict | None:
        """A stored document by id, or None when there is none the viewer may see (internal ones look absent)."""
        snap = self._current()
        searcher = snap.searcher()
        docnum = searcher.document_number(id=doc_id)
        if docnum is None or (not viewer.staff and docnum not in snap.public):
            return None
        stored = dict(searcher.stored_fields(docnum))
        updated = stored.get("updated")
        stored["updated"] = updated.date().isoformat() if updated else None
        return stored


def _with_lang(filters: dict | None, lang: str | None) -> dict:
    filters = dict(filters or {})
    if lang:
        filters["lang"] = lang
    return filters


def _collect(snap: _Snapshot, query: q.Query, allowed, limit: int, top_only: bool = False) -> _TopAndAll:
    collector = _TopAndAll(limit, allowed, top_only)
    snap.searcher().search_with_collector(query, collector)
    return collector


@dataclass
class _Ranked:
    """The matches of one query: how many (near-duplicates counted once), the top (docnum, score)
    pairs, and every matching document number."""

    total: int
    top: list[tuple[int, float]]
    matched: list[int]
    duplicates: frozenset[int]

    def facets(self, snap: _Snapshot) -> dict[str, list[tuple[str, int]]]:
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


def _rank(snap: _Snapshot, query: q.Query, allowed, n: int) -> _Ranked:
    """The top n by BM25F times the freshness boost, ties in id order, near-duplicates collapsed to the
    best-ranked copy, in one pass over the matches.

    The top n plus a window are kept by BM25F score and re-scored; when a tie runs past the window,
    all matches are. (Whoosh's own collapse is not used: its collector fails on filtered multi-segment
    searches; nor its terms=True, whose count includes documents a filter removed.)"""
    window = n + RERANK_WINDOW
    collector = _collect(snap, query, allowed, window)
    items = sorted(collector.items, reverse=True)
    if len(items) == window and items[-1][0] == items[min(n, len(items)) - 1][0]:
        collector = _collect(snap, query, allowed, len(collector.matched))
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


def _collapsed_total(snap: _Snapshot, matched: list[int], duplicates: frozenset[int]) -> int:
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


def _hit(searcher, docnum: int, score: float, terms) -> Hit:
    stored = searcher.stored_fields(docnum)
    updated = stored.get("updated")
    return Hit(
        id=stored["id"],
        url=stored.get("url", ""),
        title=stored.get("title", ""),
        snippet=make_snippet(searcher, docnum, terms, stored.get("text", "")),
        score=float(score),
        updated=updated.date() if updated else None,
        lang=stored.get("lang", ""),
        type=stored.get("type", ""),
        source=stored.get("source", ""),
        section=stored.get("section", ""),
        visibility=stored.get("visibility", "public"),
    )


def _any_visible(snap: _Snapshot, terms, allowed) -> bool:
    """True if any of the (field, term) pairs occurs in a document in `allowed` (None: any live one).
    Walks postings and stops at the first such document, so a common word costs next to nothing."""
    reader = snap.searcher().reader()
    for fieldname, term in terms:
        if (fieldname, term) not in reader:
            continue
        for docnum in reader.postings(fieldname, term).all_ids():
            if docnum in (allowed if allowed is not None else snap.live):
                return True
    return False


def did_you_mean(snap: _Snapshot, parsed: ParsedQuery, viewer: Viewer) -> str | None:
    """The query with each word that finds nothing replaced by the closest word of the documents the
    viewer may see, in the form it is written there; None when there is nothing to correct.

    Voikko's spelling suggestions come first (Finnish-aware and quick); a word Voikko accepts is not
    corrected; for the others (names, new compounds) the documents' words within two edits are
    searched, among those sharing the first letters, since typos seldom hit the start of a word.
    """
    allowed = snap.allowed(viewer, None)
    text, changed = parsed.text, False
    for word in parsed.words:
        if _any_visible(snap, word_query(word, langs=snap.languages).iter_all_terms(), allowed):
            continue
        surface = word.surface.lower()
        suggestions = spell_suggestions(word.surface)
        if not suggestions and not _voikko_unknown(word.surface):
            continue  # a real word that the documents just do not have
        best = next((s.lower() for s in suggestions if " " not in s and snap.word_count(viewer, s.lower())), None)
        if best is None and len(surface) >= MIN_CORRECTION_LENGTH:
            ranked = []
            for visibility in _visibilities(viewer):
                for candidate in snap.words_with_prefix(visibility, surface[:CORRECTION_PREFIX], MAX_CORRECTION_SCAN):
                    if abs(len(candidate) - len(surface)) <= MAX_EDITS and candidate != surface:
                        distance = _edit_distance(surface, candidate)
                        if distance <= MAX_EDITS:
                            ranked.append((distance, -snap.word_count(viewer, candidate), candidate))
            best = min(ranked)[2] if ranked else None
        if best is not None:
            text = re.sub(rf"(?<!\w){re.escape(word.surface)}(?!\w)", best, text, count=1)
            changed = True
    return text if changed else None


def _voikko_unknown(word: str) -> bool:
    """True if Voikko does not accept the word (it may still have no suggestion for it)."""
    return not analyze_word(word) and not analyze_word(word.lower())


def complete(snap: _Snapshot, prefix: str, viewer: Viewer, limit: int = 8) -> list[str]:
    """Completions of the last word of `prefix`: words written in visible documents, one form per base
    form (the base form itself when documents use it, else the commonest form), commonest first."""
    head, _, last = prefix.rstrip().rpartition(" ") if not prefix.endswith(" ") else (prefix, "", "")
    last = last.lower()
    if len(last) < MIN_COMPLETION_PREFIX:
        return []
    typed_folded = fold_umlauts(last) == last  # typed without umlauts: "tyory" also completes to työryhmä
    words = set()
    for visibility in _visibilities(viewer):
        words.update(snap.words_with_prefix(visibility, last, MAX_COMPLETION_SCAN))
        if typed_folded:
            words.update(snap.words_with_prefix(visibility, last, MAX_COMPLETION_SCAN, folded=True))
    frequency = {word: snap.word_count(viewer, word) for word in words}
    candidates = heapq.nsmallest(limit * COMPLETION_CANDIDATES, frequency, key=lambda w: (-frequency[w], w))
    groups: dict[str, list[str]] = {}
    for word in candidates:
        lemma = (analyze(word).lemmas or (word,))[0]
        groups.setdefault(lemma, []).append(word)
    ranked = sorted(groups.items(), key=lambda g: (-sum(frequency[w] for w in g[1]), g[0]))
    out = []
    for lemma, forms in ranked[:limit]:
        form = lemma if lemma in frequency and fold_umlauts(lemma).startswith(fold_umlauts(last)) else forms[0]
        out.append(f"{head} {form}".strip() if head else form)
    return out


def _visibilities(viewer: Viewer) -> tuple[str, ...]:
    return ("public", "internal") if viewer.staff else ("public",)


def _edit_distance(a: str, b: str) -> int:
    """Levenshtein distance (small words, so the plain dynamic programme is fine)."""
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]
