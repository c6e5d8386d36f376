"""The one search API: a query and a viewer in, ranked hits with snippets out, over any backend."""

from __future__ import annotations

import dataclasses
import datetime as dt
import heapq
import math
import re
from collections import Counter
from pathlib import Path

from rapidfuzz.distance import Levenshtein

import languages
from indexer.analysis import analyzer, fold_umlauts
from indexer.morphology import analyze
from indexer.voikko import analyze_word, spell_suggestions
from search import SearchError, ranking
from search.access import document_groups, visibilities
from search.api import ANONYMOUS, SORTS, Backend, Hit, Match, Matches, Results, Snapshot, Viewer
from search.bestbets import load_bestbets
from search.lexicon import lexicon_path, load_lexicon
from search.query import (
    LANGUAGES, Alt, AnyOf, Filters, ParsedQuery, Words, analyze_query, parse_query, proximity_words, searchable_words,
    word_query,
)
from search.snippets import make_snippet
from search.syntax import QueryError
from search.vocabulary import WordIndex

MAX_PAGE_SIZE = 100
MAX_PAGE = 1000
MIN_COMPLETION_PREFIX = 2
MIN_CORRECTION_LENGTH = 4  # shorter unknown words have too many neighbours to guess from
CORRECTION_PREFIX = 3  # letters a correction from the documents' words must share with the typed word
MAX_EDITS = 2
MAX_CORRECTION_SCAN = 5000  # words sharing those letters looked at
COMPLETION_CANDIDATES = 3  # commonest words per completion shown that are grouped by base form
MAX_COMPLETION_SCAN = 2000  # words looked at per completion; a two-letter prefix can have thousands
# Similar documents: a document's most characteristic analysed terms (lemmas, stems) by tf-idf make
# the query; terms that more than half of the documents have say nothing of a document.
SIMILAR_LIMIT = 5
MAX_SIMILAR = 20
SIMILAR_TERMS = 25
SIMILAR_CANDIDATES = 200  # most frequent terms of the document whose document counts are asked for
SIMILAR_TEXT_CHARS = 20_000  # of a long document, its beginning says what it is about
SIMILAR_TITLE_WEIGHT = 3  # a title word counts as this many occurrences, as titles weigh in ranking
SIMILAR_KINDS = ("word", "lemma", "stem")  # whole words' terms, not compound parts or folded forms

__all__ = ["ANONYMOUS", "MAX_PAGE", "MAX_PAGE_SIZE", "Hit", "Results", "SearchEngine", "Viewer"]


class SearchEngine:
    """Searches a backend's published index, picking up newly published versions by itself: parses and
    analyses the query, asks the backend for matches, falls back and corrects, and cuts snippets."""

    def __init__(self, backend: Backend, lexicon_dir: str | Path | None = None, bestbets: str | Path | None = None):
        self.backend = backend
        self.lexicon_dir = lexicon_dir
        self.bestbets = bestbets  # the best bets file (search.bestbets); None or a missing file: none
        self._words: tuple[Snapshot, WordIndex] | None = None

    def _snapshot(self) -> Snapshot:
        return self.backend.snapshot()

    def _word_index(self, snap: Snapshot) -> WordIndex:
        """Sorted completion words of a snapshot, built once per version."""
        cached = self._words
        if cached is not None and cached[0] is snap:
            return cached[1]
        index = WordIndex(snap)
        self._words = (snap, index)
        return index

    @property
    def version(self) -> str | None:
        """The index version the engine searches (opening it if needed)."""
        return self._snapshot().version

    def doc_count(self, viewer: Viewer = ANONYMOUS) -> int:
        """How many documents the viewer may see."""
        return self._snapshot().doc_count(visibilities(viewer))

    def _parse(self, snap: Snapshot, text: str, filters: dict | None = None, plain: bool = False) -> ParsedQuery:
        return parse_query(text, load_lexicon(lexicon_path(self.lexicon_dir)), filters, snap.languages, plain)

    def rank(
        self, text: str, *, limit: int = 1000, viewer: Viewer = ANONYMOUS, lang: str | None = None,
        filters: dict | None = None,
    ) -> list[tuple[str, float]]:
        """(id, score) of the top documents for any of the query's words: batch runs and evaluation.

        Natural-language questions are ranked as OR queries of their words, as retrieval evaluations
        do: no operators (their quotes and hyphens are punctuation), no freshness boost and no
        collapsing, so scores are plain relevance (BM25F, then the proximity of the query's words
        among the best, search.ranking), ties by id.
        """
        snap = self._snapshot()
        if not searchable_words(text, snap.languages or LANGUAGES):
            return []  # a question of only stopwords and punctuation finds nothing; it is not an error
        parsed = self._parse(snap, text, _with_lang(filters, lang), plain=True)
        query, seen = parsed.query(relaxed=True), visibilities(viewer)
        ranked = snap.rank(query, parsed.filters, seen, max(limit, ranking.PROXIMITY_DEPTH))
        return by_proximity(snap, query, ranked, seen)[:limit]

    def search(
        self, text: str, *, page: int = 1, size: int = 10, viewer: Viewer = ANONYMOUS, lang: str | None = None,
        filters: dict | None = None, facets: bool = True, sort: str = "relevance", bestbets: bool = True,
        prefer_lang: str | None = None,
    ) -> Results:
        """Ranked hits for a query (see search.syntax): all words preferred; when that finds nothing, a
        corrected query, then words no document has replaced by the last part of their compound that
        documents have, then any word; filters from the query, `lang` and `filters`; facet counts of
        everything that matched. `missing` names the typed words no document has. `sort`: "relevance"
        or "date" (newest first). `prefer_lang` (the page's language) ranks the matching documents in
        that language first, the others after them (by relevance). Documents pinned for the query's
        words (search.bestbets) come first, marked recommended, when the viewer may see them and the
        search has no filters (unless `bestbets` is False)."""
        if not 1 <= size <= MAX_PAGE_SIZE:
            raise SearchError(f"Page size must be between 1 and {MAX_PAGE_SIZE}, not {size}.")
        if not 1 <= page <= MAX_PAGE:
            raise SearchError(f"Page must be between 1 and {MAX_PAGE}, not {page}.")
        if sort not in SORTS:
            raise SearchError(f"Unknown sort order {sort!r}; sort by {' or '.join(SORTS)}.")
        snap = self._snapshot()
        seen = visibilities(viewer)
        try:
            parsed = self._parse(snap, text, _with_lang(filters, lang))
        except QueryError as exc:
            if exc.code != "common_words":
                raise
            # Only very common words (Mikä, Kuka oli): none is indexed, so nothing is searched; the
            # results say so instead of refusing the query.
            return Results(query=text.strip(), total=0, page=page, size=size, sort=sort, common_words=True)
        pinned = self._pinned(snap, parsed, seen) if bestbets and not parsed.filters else []
        limit = page * size + len(pinned)

        def run(query, query_filters):
            return _preferring(snap, query, query_filters, seen, limit, facets, prefer_lang, sort)

        relaxed = corrected = False
        matches = run(parsed.query(), parsed.filters)
        suggestion, missing, replaced = None, (), {}
        if not matches.total:
            # Which typed words any document has: asked once, for the notice and for did-you-mean.
            present = snap.any_matches([word_query(w, langs=snap.languages) for w in parsed.words], seen)
            if not parsed.only_filters:
                missing = tuple(w.surface for w, found in zip(parsed.words, present) if not found)
            suggestion = did_you_mean(self._word_index(snap), parsed, seen, present)
            if suggestion:
                fixed = self._parse(snap, suggestion, _with_lang(filters, lang))
                retry = run(fixed.query(), fixed.filters)
                if retry.total:
                    corrected, matches = True, retry
        if not matches.total and not parsed.only_filters:
            # A word no document has is never searched by its modifiers (kvanttitietokone by tieto):
            # only by the last part of the compound that documents have (tietokone), and the notice
            # says so (`replaced`); then any whole word, when the words are several.
            searched = parsed
            replaced = {w.surface: head for w in parsed.words if w.surface in missing if (head := _present_head(snap, w, seen))}
            if replaced:
                searched = self._parse(snap, _replace_words(parsed.text, replaced), _with_lang(filters, lang))
                matches = run(searched.query(), searched.filters)
            if not matches.total and len(searched.words) > 1:
                relaxed = True
                matches = run(searched.query(relaxed=True, parts=False), searched.filters)
        ranked = [_hit(match) for match in matches.top]
        total = matches.total
        if pinned:
            groups = {_group(m) for m in pinned}
            shown = {m.id for m in matches.top}
            ranked = [_hit(m, recommended=True) for m in pinned] + [h for h, m in zip(ranked, matches.top) if _group(m) not in groups]
            total += sum(1 for m in pinned if m.id not in shown)
        hits = ranked[(page - 1) * size : page * size]
        return Results(
            query=parsed.text, total=total, page=page, size=size, hits=hits, relaxed=relaxed,
            facets=matches.facets if facets else {}, suggestion=suggestion, corrected=corrected, sort=sort,
            missing=list(missing), replaced=dict(replaced),
        )

    def _pinned(self, snap: Snapshot, parsed: ParsedQuery, seen: tuple[str, ...]) -> list[Match]:
        """The documents pinned for the query's words that the viewer may see, as matches."""
        out = []
        for doc_id in load_bestbets(self.bestbets).pinned(list(parsed.words)):
            stored = snap.document(doc_id, seen)
            if stored is not None:
                stored = dict(stored)
                stored["updated"] = _date(stored.get("updated"))
                out.append(Match(id=doc_id, score=0.0, stored=stored))
        return out

    def similar(self, doc_id: str, *, viewer: Viewer = ANONYMOUS, limit: int = SIMILAR_LIMIT) -> list[Hit] | None:
        """Documents like a document, best first: its most characteristic analysed terms (lemmas and
        stems by tf-idf over the documents the viewer may see) searched for, the document and its
        near-duplicates left out; None when the viewer may see no document of that id."""
        if not 1 <= limit <= MAX_SIMILAR:
            raise SearchError(f"The number of similar documents must be between 1 and {MAX_SIMILAR}, not {limit}.")
        snap = self._snapshot()
        seen = visibilities(viewer)
        stored = snap.document(doc_id, seen)
        if stored is None:
            return None
        lang = stored.get("lang") if stored.get("lang") in languages.CODES else "fi"
        analyse = analyzer(lang)
        counts: Counter = Counter()
        for text, weight in ((stored.get("title") or "", SIMILAR_TITLE_WEIGHT), ((stored.get("text") or "")[:SIMILAR_TEXT_CHARS], 1)):
            for token in analyse(text, mode="index"):
                if token.kind in SIMILAR_KINDS and len(token.term) > 2 and not token.term.isdigit():
                    counts[token.term] += weight
        candidates = [term for term, _ in counts.most_common(SIMILAR_CANDIDATES)]
        documents = snap.doc_count(seen)
        frequencies = snap.term_documents(lang, candidates, seen)
        weighted = sorted(
            ((counts[t] * math.log((documents + 1) / frequencies[t]), t) for t in candidates
             if 1 < frequencies.get(t, 0) <= documents / 2),
            key=lambda wt: (-wt[0], wt[1]),
        )[:SIMILAR_TERMS]
        if not weighted:
            return []
        best = weighted[0][0]
        query = AnyOf(tuple(Words((Alt(lang, term, round(weight / best, 4)),)) for weight, term in weighted))
        group = stored.get("duplicate_of") or doc_id
        matches = snap.search(query, Filters(), seen, limit + 2, facets=False)
        related = [m for m in matches.top if m.id != doc_id and _group(m) != group]
        return [_hit(m) for m in related[:limit]]

    def suggest(self, prefix: str, *, viewer: Viewer = ANONYMOUS, limit: int = 8) -> list[str]:
        """Completions of the last word typed, from the words of documents the viewer may see."""
        snap = self._snapshot()
        return complete(self._word_index(snap), prefix, visibilities(viewer), limit)

    def document(self, doc_id: str, *, viewer: Viewer = ANONYMOUS) -> dict | None:
        """A stored document by id, or None when there is none the viewer may see (internal ones look absent)."""
        stored = self._snapshot().document(doc_id, visibilities(viewer))
        if stored is not None:  # the groups, not the backend's access keys
            stored["groups"] = list(document_groups(stored_keys(stored)))
            stored.pop("access", None)
        return stored


def by_proximity(
    snap: Snapshot, query, ranked: list[tuple[str, float]], seen: tuple[str, ...], starts: dict[str, dict] | None = None,
) -> list[tuple[str, float]]:
    """A relevance ranking (id, score) with its best PROXIMITY_DEPTH documents re-ranked by the proximity
    of the query's words (search.ranking.proximity_bonus), the rest as they were (a bonus only raises
    scores, so they stay below); ties by id. A query of one word is left as it is. `starts`: where the
    query's terms start in those documents (a search's matches carry them), else asked of the backend."""
    words = proximity_words(query)[: ranking.PROXIMITY_MAX_WORDS]
    head = ranked[: ranking.PROXIMITY_DEPTH]
    if len(words) < 2 or len(head) < 2:
        return ranked
    terms = {term for word_terms, _ in words for term in word_terms}
    frequencies: dict[tuple[str, str], int] = {}
    for analysis in {analysis for analysis, _ in terms}:
        counts = snap.term_documents(analysis, [term for a, term in terms if a == analysis], seen)
        frequencies.update(((analysis, term), n) for term, n in counts.items())
    size = snap.doc_count(seen)
    weights = [weight * max(ranking.idf(size, frequencies.get(term, 0)) for term in word_terms) for word_terms, weight in words]
    if starts is None:
        starts = snap.term_starts([doc_id for doc_id, _ in head], terms, seen)
    rescored = []
    for doc_id, score in head:
        found = starts.get(doc_id, {})
        per_word = [sorted({s for term in word_terms for s in found.get(term, ())}) for word_terms, _ in words]
        rescored.append((doc_id, score + ranking.proximity_bonus(per_word, weights)))
    rescored.sort(key=lambda item: (-item[1], item[0]))
    return rescored + ranked[ranking.PROXIMITY_DEPTH :]


def _searched(
    snap: Snapshot, query, filters: Filters, seen: tuple[str, ...], limit: int, facets: bool, sort: str = "relevance",
) -> Matches:
    """The backend's top `limit` matches, by relevance re-ranked by the proximity of the query's words as
    `by_proximity` does (so the first page is the same whatever its size)."""
    if sort != "relevance":
        return snap.search(query, filters, seen, limit, facets=facets, sort=sort)
    found = snap.search(query, filters, seen, max(limit, ranking.PROXIMITY_DEPTH), facets=facets, sort=sort)
    by_id = {match.id: match for match in found.top}
    ranked = by_proximity(snap, query, [(match.id, match.score) for match in found.top], seen,
                          {match.id: match.starts for match in found.top})
    top = [dataclasses.replace(by_id[doc_id], score=score) for doc_id, score in ranked[:limit]]
    return Matches(found.total, top, found.facets)


def _preferring(
    snap: Snapshot, query, filters: Filters, seen: tuple[str, ...], limit: int, facets: bool, prefer: str | None,
    sort: str = "relevance",
) -> Matches:
    """The top `limit` matches, those in language `prefer` first (each group in rank order); total and
    facets count every match. Without a preference, when the filters already pick languages, or sorted
    by date (an order asked for explicitly), one plain search."""
    everything = _searched(snap, query, filters, seen, limit, facets, sort)
    if not prefer or sort != "relevance" or "lang" in filters.values or not everything.total:
        return everything
    preferred_filters = Filters({**filters.values, "lang": (prefer,)}, filters.date_from, filters.date_to)
    preferred = _searched(snap, query, preferred_filters, seen, limit, False)
    if not preferred.total or preferred.total == everything.total:
        return everything
    others = everything
    if len(preferred.top) < limit:  # the page goes past the preferred ones: fetch enough of the others
        others = _searched(snap, query, filters, seen, limit + preferred.total, False)
    rest = [m for m in others.top if m.stored.get("lang") != prefer]
    return Matches(everything.total, (preferred.top + rest)[:limit], everything.facets)


def _with_lang(filters: dict | None, lang: str | None) -> dict:
    filters = dict(filters or {})
    if lang:
        filters["lang"] = lang
    return filters


def _group(match: Match) -> str:
    """The near-duplicate group of a match: the id of the copy it repeats, or its own."""
    return match.stored.get("duplicate_of") or match.id


def _date(value) -> dt.date | None:
    if isinstance(value, str):
        return dt.date.fromisoformat(value[:10]) if value else None
    return value.date() if isinstance(value, dt.datetime) else value


def _hit(match, recommended: bool = False) -> Hit:
    stored = match.stored
    text = stored.get("text", "")
    return Hit(
        id=match.id,
        url=stored.get("url", ""),
        title=stored.get("title", ""),
        snippet=make_snippet(text, match.spans),
        score=float(match.score),
        updated=stored.get("updated"),
        lang=stored.get("lang", ""),
        type=stored.get("type", ""),
        source=stored.get("source", ""),
        section=stored.get("section", ""),
        visibility=stored.get("visibility", "public"),
        recommended=recommended,
        groups=document_groups(stored_keys(stored)),
    )


def stored_keys(stored: dict) -> list[str]:
    """The access keys a backend stored with a document (a list, or one newline-separated string)."""
    keys = stored.get("access") or []
    return keys.split("\n") if isinstance(keys, str) else list(keys)


def did_you_mean(words: WordIndex, parsed: ParsedQuery, seen: tuple[str, ...], present: list[bool]) -> str | None:
    """The query with each word that finds nothing (`present`: whether each of the query's words matches,
    from Snapshot.any_matches) replaced by the closest word of the documents the viewer may see, in the
    form it is written there; None when there is nothing to correct.

    Voikko's spelling suggestions come first (Finnish-aware and quick); a word Voikko accepts is not
    corrected; for the others (names, new compounds) the documents' words within two edits are
    searched, among those sharing the first letters, since typos seldom hit the start of a word.
    """
    text, changed = parsed.text, False
    for word, found in zip(parsed.words, present):
        if found:
            continue
        surface = word.surface.lower()
        suggestions = spell_suggestions(word.surface)
        if not suggestions and not _voikko_unknown(word.surface):
            continue  # a real word that the documents just do not have
        best = next((s.lower() for s in suggestions if " " not in s and words.count(seen, s.lower())), None)
        if best is None and len(surface) >= MIN_CORRECTION_LENGTH:
            ranked = []
            for visibility in seen:
                for candidate in words.with_prefix(visibility, surface[:CORRECTION_PREFIX], MAX_CORRECTION_SCAN):
                    if abs(len(candidate) - len(surface)) <= MAX_EDITS and candidate != surface:
                        distance = Levenshtein.distance(surface, candidate, score_cutoff=MAX_EDITS)
                        if distance <= MAX_EDITS:
                            ranked.append((distance, -words.count(seen, candidate), candidate))
            best = min(ranked)[2] if ranked else None
        if best is not None:
            text = re.sub(rf"(?<!\w){re.escape(word.surface)}(?!\w)", best, text, count=1)
            changed = True
    return text if changed else None


def _present_head(snap: Snapshot, word, seen: tuple[str, ...]) -> str | None:
    """The longest last part of a compound query word that some document the viewer may see has
    (kvanttitietokone: tietokone, else kone), as a word to search for; None when there is none.

    Only a compound's head says what the compound is; a modifier (kvantti, tieto) is about
    something else."""
    lemmas = word.terms.get("fi", ())
    heads = sorted(
        {p for p in word.parts if any(lemma.endswith(p) and lemma != p for lemma in lemmas) and "-" not in p},
        key=lambda p: (-len(p), p),
    )
    candidates = [(head, candidate) for head in heads for candidate in analyze_query(head, snap.languages or LANGUAGES)
                  if not candidate.stop]
    present = snap.any_matches([word_query(candidate, langs=snap.languages) for _, candidate in candidates], seen)
    return next((head for (head, _), found in zip(candidates, present) if found), None)


def _replace_words(text: str, replaced: dict[str, str]) -> str:
    """The query text with each typed word replaced as given."""
    for word, new in replaced.items():
        text = re.sub(rf"(?<!\w){re.escape(word)}(?!\w)", new, text, count=1)
    return text


def _voikko_unknown(word: str) -> bool:
    """True if Voikko does not accept the word (it may still have no suggestion for it)."""
    return not analyze_word(word) and not analyze_word(word.lower())


def complete(words: WordIndex, prefix: str, seen: tuple[str, ...], limit: int = 8) -> list[str]:
    """Completions of the last word of `prefix`: words written in visible documents, one per base form,
    commonest first; each shown in its base form when that is a word Voikko knows and starts as typed
    (hyvinvointiautoa -> hyvinvointiauto), else in the form documents write most often."""
    head, _, last = prefix.rstrip().rpartition(" ") if not prefix.endswith(" ") else (prefix, "", "")
    last = last.lower()
    if len(last) < MIN_COMPLETION_PREFIX:
        return []
    typed_folded = fold_umlauts(last) == last  # typed without umlauts: "tyory" also completes to työryhmä
    found = set()
    for visibility in seen:
        found.update(words.with_prefix(visibility, last, MAX_COMPLETION_SCAN))
        if typed_folded:
            found.update(words.with_prefix(visibility, last, MAX_COMPLETION_SCAN, folded=True))
    frequency = {word: words.count(seen, word) for word in found}
    candidates = heapq.nsmallest(limit * COMPLETION_CANDIDATES, frequency, key=lambda w: (-frequency[w], w))
    groups: dict[str, tuple[str | None, list[str]]] = {}
    folded_last = fold_umlauts(last)
    for word in candidates:
        lemma, shown = _completion_lemma(word, folded_last)
        groups.setdefault(lemma, (shown, []))[1].append(word)
    ranked = sorted(groups.items(), key=lambda g: (-sum(frequency[w] for w in g[1][1]), g[0]))
    out = []
    for _, (shown, forms) in ranked[:limit]:
        form = shown or forms[0]
        out.append(f"{head} {form}".strip() if head else form)
    return out


def _completion_lemma(word: str, folded_prefix: str) -> tuple[str, str | None]:
    """(the base form that groups a written word's completions, the base form to show or None).

    The base form is shown when it starts as typed and is a word Voikko knows or splits into known
    parts (sotekeskus; not an unknown word's stem); otherwise (kunn: kunnan, base form kunta) the group shows its commonest written form.
    """
    lemmas = analyze(word).lemmas or (word,)
    for lemma in lemmas:
        if fold_umlauts(lemma).startswith(folded_prefix) and (lemma == word or analyze(lemma).known):
            return lemma, lemma
    return lemmas[0], None


def typed_length(prefix: str, completion: str) -> int:
    """How many leading characters of a completion are what was typed (case and umlauts aside), to
    emphasise them.

    >>> typed_length("kotihoito tyory", "kotihoito työryhmä"), typed_length("Palvelus", "palveluseteli")
    (15, 8)
    """
    n = 0
    for typed, shown in zip(prefix, completion):
        if fold_umlauts(typed.lower()) != fold_umlauts(shown.lower()):
            break
        n += 1
    return n
