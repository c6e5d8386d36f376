"""Turning what a user typed into Whoosh queries, through the same analysis as the index.

Each typed word becomes one group of alternatives: its Finnish lemmas in the Finnish fields, its
Swedish and English stems in theirs, and, when typed without umlauts, its folded forms in the folded
fields (weighted lower). The strict query wants every word; the lenient one any word. Synonyms from
the domain lexicon join the words they stand for as weighted alternatives.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from whoosh import query as q

from indexer.analysis import english_analyzer, finnish_analyzer, folded_analyzer, swedish_analyzer
from indexer.lexicon import Lexicon
from indexer.schema import FOLDED_FIELDS, HEADINGS_FIELDS, LANGUAGES, TEXT_FIELDS, TITLE_FIELDS
from search import SearchError

MAX_QUERY_CHARS = 1000
# Matches through umlaut folding rank below exact ones; synonyms below the words typed.
FOLDED_BOOST = 0.3
SYNONYM_BOOST = 0.7
# Compound parts of a query word, in the lenient any-word form only. Tuned on the first 500 squad2-fi
# tune questions (MRR@10 0.624 without parts, 0.649 at 0.4, 0.660 at 0.6, 0.650 at 1.0); re-check
# with benchmarks/retrieval.py.
QUERY_PART_BOOST = 0.6
FIELDS_BY_LANG = {
    lang: (TITLE_FIELDS[lang], HEADINGS_FIELDS[lang], TEXT_FIELDS[lang], *(("section",) if lang == "fi" else ()))
    for lang in LANGUAGES
}
ANALYZERS = {"fi": finnish_analyzer(), "sv": swedish_analyzer(), "en": english_analyzer(), "folded": folded_analyzer()}


class QueryError(SearchError):
    """A query that cannot be searched as typed; the message says how to fix it."""


@dataclass(frozen=True)
class QueryWord:
    """One typed word and the terms each analysis gives it."""

    surface: str
    terms: dict  # analysis name ("fi", "sv", "en", "folded") -> tuple of terms
    stop: bool  # a stopword in some language: not required by the strict query
    parts: tuple[str, ...] = ()  # Finnish compound parts and derivation bases


@dataclass(frozen=True)
class ParsedQuery:
    """The strict form (every word, whole lemmas), the lenient fallback (any word, compound parts too)."""

    text: str
    all_words: q.Query
    any_word: q.Query
    words: tuple[QueryWord, ...]


def analyze_query(text: str) -> list[QueryWord]:
    """Analyse a query with every analyzer; one QueryWord per typed word, in order."""
    by_pos: dict[int, dict] = {}
    for name, analyzer in ANALYZERS.items():
        for t in analyzer(text, positions=True, chars=True, mode="query", removestops=False):
            word = by_pos.setdefault(t.pos, {"surface": text[t.startchar : t.endchar], "terms": {}, "parts": [], "stop": False})
            if t.stopped:
                word["stop"] = True
                continue
            bucket = word["parts"] if name == "fi" and t.boost < 1.0 else word["terms"].setdefault(name, [])
            if t.text not in bucket:
                bucket.append(t.text)
    return [
        QueryWord(w["surface"], {k: tuple(v) for k, v in w["terms"].items()}, w["stop"], tuple(w["parts"]))
        for _, w in sorted(by_pos.items())
    ]


def word_query(word: QueryWord, boost: float = 1.0, parts: bool = False) -> q.Query:
    """Any of a word's terms in the fields of the analysis that produced it (and its parts, if asked)."""
    clauses = [
        q.Term(field, term, boost=boost)
        for lang in LANGUAGES
        for term in word.terms.get(lang, ())
        for field in FIELDS_BY_LANG[lang]
    ]
    if parts:
        clauses += [q.Term(field, term, boost=boost * QUERY_PART_BOOST) for term in word.parts for field in FIELDS_BY_LANG["fi"]]
    clauses += [q.Term(field, term, boost=boost * FOLDED_BOOST) for term in word.terms.get("folded", ()) for field in FOLDED_FIELDS]
    return q.Or(clauses)


@functools.lru_cache(maxsize=4096)
def _synonym_words(term: str) -> tuple[QueryWord, ...]:
    return tuple(w for w in analyze_query(term) if not w.stop and w.terms.get("fi"))


def _same_word(a: QueryWord, b: QueryWord) -> bool:
    return bool(set(a.terms.get("fi", ())) & set(b.terms.get("fi", ())))


def _expand(words: list[QueryWord], lexicon: Lexicon | None, parts: bool) -> list[q.Query]:
    """One query per word, with words that a lexicon term covers joined to that term's synonyms."""
    units, i = [], 0
    candidates = [(group, term, _synonym_words(term)) for group in (lexicon.groups if lexicon else ()) for term in group]
    while i < len(words):
        best = None
        for group, term, term_words in candidates:
            n = len(term_words)
            if n and (best is None or n > best[0]) and i + n <= len(words):
                if all(_same_word(words[i + k], term_words[k]) for k in range(n)):
                    best = (n, group, term)
        if best is None:
            units.append(word_query(words[i], parts=parts))
            i += 1
            continue
        n, group, term = best
        typed = [word_query(w, parts=parts) for w in words[i : i + n]]
        alternatives = [typed[0] if n == 1 else q.And(typed)]
        for synonym in group:
            synonym_words = _synonym_words(synonym)
            if synonym != term and synonym_words:
                clauses = [word_query(w, SYNONYM_BOOST) for w in synonym_words]
                alternatives.append(clauses[0] if len(clauses) == 1 else q.And(clauses))
        units.append(q.Or(alternatives))
        i += n
    return units


def parse_query(text: str, lexicon: Lexicon | None = None) -> ParsedQuery:
    """Analyse a query like the indexed text and build its strict and lenient forms."""
    text = (text or "").strip()
    if not text:
        raise QueryError("The query is empty. Type one or more words to search for.")
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(f"The query is {len(text)} characters long; shorten it to at most {MAX_QUERY_CHARS}.")
    words = [w for w in analyze_query(text) if not w.stop and w.terms]
    if not words:
        raise QueryError(f"The query {text!r} has only very common words. Add a more specific word.")
    strict, lenient = _expand(words, lexicon, parts=False), _expand(words, lexicon, parts=True)
    all_words = strict[0] if len(strict) == 1 else q.And(strict)
    any_word = lenient[0] if len(lenient) == 1 else q.Or(lenient)
    return ParsedQuery(text=text, all_words=all_words, any_word=any_word, words=tuple(words))
