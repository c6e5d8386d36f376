"""Turning what a user typed into a backend-neutral query tree, through the same analysis as the index.

Each typed word becomes one group of alternatives: its Finnish lemmas for the Finnish fields, its
Swedish and English stems for theirs, and, when typed without umlauts, its folded forms for the folded
fields (weighted lower). The strict query wants every word; the lenient one any word. Synonyms from
the domain lexicon join the words they stand for as weighted alternatives. A backend translates the
tree (`Words`, `Phrase`, `AllOf`, `AnyOf`, `Excluding`, `Everything`, `Nothing`) and the `Filters`
for its engine; which fields an analysis fills is the backend's business.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass, field

import languages
from indexer.analysis import ANALYSES, FOLDED, LowercaseFilter, StopFilter, analyzer, word_tokenizer
from search.lexicon import Lexicon
from search.syntax import FIELD_ALIASES, FILTER_FIELDS, QueryError, Syntax, Term, date_range, read_query

MAX_QUERY_CHARS = 1000
# Matches through umlaut folding rank below exact ones; synonyms below the words typed.
FOLDED_BOOST = 0.3
SYNONYM_BOOST = 0.7
# Compound parts of a query word, in the lenient any-word form only. Tuned on the first 500 squad2-fi
# tune questions (MRR@10 0.624 without parts, 0.649 at 0.4, 0.660 at 0.6, 0.650 at 1.0); re-check
# with benchmarks/retrieval.py.
QUERY_PART_BOOST = 0.6
# Finnish question words that are no stopwords (by lemma; milloin also reads as milla): they say what
# kind of answer is wanted, not what it is about, so their matches weigh this much of a word's. Tuned
# on the first 500 squad2-fi tune questions (MRR@10 0.662 at 1.0, 0.672 at 0.3); see RESULTS.md.
QUESTION_WORDS = frozenset(
    {"milloin", "kuinka", "miten", "millainen", "minkälainen", "montako", "paljonko", "kauanko", "kumpi", "moniko"}
)
QUESTION_WORD_BOOST = 0.3
# A word that analysis reads in several ways (Voikko's lemmas of an ambiguous form, an unknown word as
# typed and as its guessed stem: "rosenin", "rosen") matched once per reading, so it outweighed a word
# with one reading. Each of k readings now weighs k ** -READINGS_POWER of the word: tuned on the first
# 1,500 squad2-fi tune questions (MRR@10 0.662 unscaled, 0.669 at 1/k, 0.674 at 1/sqrt(k), 0.673 at
# k ** -0.7); see RESULTS.md, issue 12 round 4.
READINGS_POWER = 0.5
# Analyses of document text by language (the registry's), and the umlaut-folded companion of Finnish.
LANGUAGES = languages.CODES
FILTER_NAMES = (*FILTER_FIELDS, "updated")
ANALYZERS = {name: analyzer(name) for name in ANALYSES}
# A language the index has no documents in is searched by no field: its analysis of a query only
# marks that language's stopwords (so that the strict query never requires them), and the costly
# stages (the Swedish dictionary, opened in seconds) are never run for it.
STOPS_ONLY = {name: word_tokenizer() | LowercaseFilter() | StopFilter(languages.stopwords(name)) for name in LANGUAGES}


@dataclass(frozen=True)
class Alt:
    """One analysed alternative of a typed word: a term of an analysis ("fi", "sv", "en", "folded"),
    with the weight its matches get (compound parts, folded forms and synonyms weigh less)."""

    analysis: str
    term: str
    weight: float = 1.0


class Node:
    """A node of the backend-neutral query tree."""

    def alternatives(self):
        """Every Alt below this node (for did-you-mean and highlighting)."""
        for child in getattr(self, "children", ()):
            yield from child.alternatives()


@dataclass(frozen=True)
class Words(Node):
    """Any of one typed word's analysed alternatives; `title_only` keeps it to titles."""

    alts: tuple[Alt, ...]
    title_only: bool = False

    def alternatives(self):
        yield from self.alts


@dataclass(frozen=True)
class Phrase(Node):
    """Words in this order, at most `slop` positions apart: per word, its terms by analysis. A backend
    matches the phrase in each analysis whose terms cover every word."""

    steps: tuple[tuple[tuple[str, tuple[str, ...]], ...], ...]
    slop: int = 1
    title_only: bool = False

    def alternatives(self):
        for step in self.steps:
            for analysis, terms in step:
                yield from (Alt(analysis, term) for term in terms)


@dataclass(frozen=True)
class AllOf(Node):
    """Every child wanted."""

    children: tuple[Node, ...]


@dataclass(frozen=True)
class AnyOf(Node):
    """Any child wanted; more matching children score higher."""

    children: tuple[Node, ...]


@dataclass(frozen=True)
class Excluding(Node):
    """Documents matching `wanted` but not `unwanted`."""

    wanted: Node
    unwanted: Node

    @property
    def children(self):
        return (self.wanted,)


@dataclass(frozen=True)
class Everything(Node):
    """Every document (a query of filters only)."""


@dataclass(frozen=True)
class Nothing(Node):
    """No document (a phrase that no analysis can match)."""


def all_of(nodes: list[Node]) -> Node:
    return nodes[0] if len(nodes) == 1 else AllOf(tuple(nodes))


def any_of(nodes: list[Node]) -> Node:
    return nodes[0] if len(nodes) == 1 else AnyOf(tuple(nodes))


@dataclass(frozen=True)
class Filters:
    """The filters of a query: values per field (values of one field are alternatives, fields all apply;
    `site` also matches subdomains, `section` is the top section) and an inclusive date range."""

    values: dict[str, tuple[str, ...]] = field(default_factory=dict)
    date_from: dt.date | None = None
    date_to: dt.date | None = None

    def __bool__(self) -> bool:
        return bool(self.values) or self.date_from is not None or self.date_to is not None

    def key(self) -> tuple:
        """A hashable key, for caching the documents a filter lets through."""
        return (tuple(sorted(self.values.items())), self.date_from, self.date_to)


@dataclass(frozen=True)
class QueryWord:
    """One typed word and the terms each analysis gives it."""

    surface: str
    terms: dict  # analysis name ("fi", "sv", "en", "folded") -> tuple of terms
    stop: bool  # a stopword in some language: not required by the strict query
    parts: tuple[str, ...] = ()  # Finnish compound parts and derivation bases
    pos: int = 0  # position in the analysed text, for phrases


@dataclass(frozen=True)
class ParsedQuery:
    """A query ready for a backend: the strict form (every word, whole lemmas), the lenient fallback
    (any word, compound parts too), what to leave out, and the filters typed into it."""

    text: str
    all_words: Node
    any_word: Node
    any_whole_word: Node  # the lenient form without compound parts
    words: tuple[QueryWord, ...]  # the plain words typed, for did-you-mean
    excluded: Node | None = None
    filters: Filters = Filters()
    syntax: Syntax = Syntax()

    def query(self, relaxed: bool = False, parts: bool = True) -> Node:
        """The strict or the lenient query (with or without compound parts), without the excluded words."""
        if not relaxed:
            base = self.all_words
        else:
            base = self.any_word if parts else self.any_whole_word
        return Excluding(base, self.excluded) if self.excluded is not None else base

    @property
    def only_filters(self) -> bool:
        """True when nothing was asked but filters (type:pdf): every document that passes them matches."""
        return isinstance(self.all_words, Everything)


def analyze_query(text: str, langs: tuple = LANGUAGES) -> list[QueryWord]:
    """Analyse a query with the analyses of `langs` and the folded one (other languages only mark
    their stopwords); one QueryWord per typed word, in order."""
    by_pos: dict[int, dict] = {}
    for name, analyze in ANALYZERS.items():
        if name != FOLDED and name not in langs:
            analyze = STOPS_ONLY[name]
        for t in analyze(text, mode="query"):
            word = by_pos.setdefault(t.position, {"surface": text[t.start : t.end], "terms": {}, "parts": [], "stop": False})
            if t.kind == "stop":
                word["stop"] = True
                continue
            bucket = word["parts"] if name == "fi" and t.kind == "part" else word["terms"].setdefault(name, [])
            if t.term not in bucket:
                bucket.append(t.term)
    return [
        QueryWord(w["surface"], {k: tuple(v) for k, v in w["terms"].items()}, w["stop"], tuple(w["parts"]), pos)
        for pos, w in sorted(by_pos.items())
    ]


def word_query(
    word: QueryWord, boost: float = 1.0, parts: bool = False, title_only: bool = False, langs: tuple = LANGUAGES
) -> Words:
    """Any of a word's terms in the analyses of the languages the index has documents in (and its
    compound parts, if asked), and its folded forms, weighted lower; a word with several readings
    spreads its weight over them (READINGS_POWER)."""
    lemmas = word.terms.get("fi", ())
    if QUESTION_WORDS.intersection(lemmas):
        boost *= QUESTION_WORD_BOOST
    readings = max((len(word.terms.get(lang, ())) for lang in langs), default=1)
    if readings > 1:
        boost *= readings**-READINGS_POWER
    alts = [Alt(lang, term, boost) for lang in langs for term in word.terms.get(lang, ())]
    if parts and "fi" in langs:
        alts += [Alt("fi", term, boost * QUERY_PART_BOOST) for term in word.parts]
    alts += [Alt(FOLDED, term, boost * FOLDED_BOOST) for term in word.terms.get(FOLDED, ())]
    return Words(tuple(alts), title_only)


def proximity_words(query: Node) -> list[tuple[tuple[tuple[str, str], ...], float]]:
    """The typed words of a query of words (all or any of them), in order, as search.ranking's proximity
    counts them: per word, its whole-word terms in the language analyses as (analysis, term) (not its
    compound parts or folded forms), and its weight in the query; a word with its lexicon synonyms
    counts as one word with the synonyms' terms. Lexicon terms of several words are left out, and a word
    typed again is counted once.

    >>> [(terms, round(w, 2)) for terms, w in proximity_words(any_of([word_query(w, langs=("fi",)) for w in analyze_query("Kuinka kotihoito", ("fi",))]))]
    [((('fi', 'kuinka'),), 0.3), ((('fi', 'kotihoito'),), 1.0)]
    """
    children = query.children if isinstance(query, (AllOf, AnyOf)) else (query,)
    out, seen = [], set()
    for child in children:
        # A word with its lexicon synonyms of one word each (kotihoito: kotipalvelu) is one word.
        synonyms = child.children if isinstance(child, AnyOf) else (child,)
        if not all(isinstance(word, Words) and word.alts for word in synonyms):
            continue
        terms, top = [], max(alt.weight for word in synonyms for alt in word.alts)
        for word in synonyms:
            best = max(alt.weight for alt in word.alts)
            terms += [(alt.analysis, alt.term) for alt in word.alts if alt.analysis != FOLDED and alt.weight == best]
        terms = tuple(dict.fromkeys(terms))
        if terms and terms not in seen:
            seen.add(terms)
            out.append((terms, top))
    return out


def phrase_query(words: list[QueryWord], title_only: bool = False, langs: tuple = LANGUAGES) -> Node:
    """The words in this order, next to each other (stopwords between them may stand in their gaps),
    in each language whose analysis knows every word."""
    kept = [w for w in words if not w.stop and w.terms]
    slop = 1 + max((b.pos - a.pos - 1 for a, b in zip(kept, kept[1:])), default=0)
    usable = [lang for lang in langs if all(w.terms.get(lang) for w in kept)]
    if not usable:
        return Nothing()
    steps = tuple(tuple((lang, tuple(w.terms[lang])) for lang in usable) for w in kept)
    return Phrase(steps, slop, title_only)


@functools.lru_cache(maxsize=4096)
def _synonym_words(term: str, langs: tuple = LANGUAGES) -> tuple[QueryWord, ...]:
    return tuple(w for w in analyze_query(term, langs) if not w.stop and w.terms.get("fi"))


def _same_word(a: QueryWord, b: QueryWord) -> bool:
    return bool(set(a.terms.get("fi", ())) & set(b.terms.get("fi", ())))


@functools.lru_cache(maxsize=16)
def _lexicon_terms(lexicon: Lexicon, langs: tuple) -> dict[str, list[tuple[int, tuple[str, ...], str, tuple]]]:
    """The lexicon's (position, group, term, term's words) by each Finnish term of the term's first word:
    a query word is compared only with the lexicon terms that can start with it (once per lexicon)."""
    out: dict[str, list] = {}
    terms = [(group, term) for group in lexicon.groups for term in group]
    for position, (group, term) in enumerate(terms):
        term_words = _synonym_words(term, langs)
        if term_words:
            for first in set(term_words[0].terms.get("fi", ())):
                out.setdefault(first, []).append((position, group, term, term_words))
    return out


def _expand(words: list[QueryWord], lexicon: Lexicon | None, parts: bool, langs: tuple = LANGUAGES) -> list[Node]:
    """One query per word, with words that a lexicon term covers joined to that term's synonyms (the
    longest such term, the first in the lexicon among equals)."""
    units, i = [], 0
    by_first = _lexicon_terms(lexicon, langs) if lexicon and lexicon.groups else {}
    while i < len(words):
        best = None
        starting = {c[0]: c for first in set(words[i].terms.get("fi", ())) for c in by_first.get(first, ())}
        for _, group, term, term_words in sorted(starting.values(), key=lambda c: c[0]):
            n = len(term_words)
            if n and (best is None or n > best[0]) and i + n <= len(words):
                if all(_same_word(words[i + k], term_words[k]) for k in range(n)):
                    best = (n, group, term)
        if best is None:
            units.append(word_query(words[i], parts=parts, langs=langs))
            i += 1
            continue
        n, group, term = best
        typed = [word_query(w, parts=parts, langs=langs) for w in words[i : i + n]]
        alternatives = [all_of(typed)]
        for synonym in group:
            synonym_words = _synonym_words(synonym, langs)
            if synonym != term and synonym_words:
                clauses = [word_query(w, SYNONYM_BOOST, langs=langs) for w in synonym_words]
                alternatives.append(all_of(clauses))
        units.append(any_of(alternatives))
        i += n
    return units


def _content_words(text: str, langs: tuple = LANGUAGES) -> list[QueryWord]:
    return [w for w in analyze_query(text, langs) if not w.stop and w.terms]


def searchable_words(text: str, langs: tuple = LANGUAGES) -> list[str]:
    """The words of a text that a query can search for: not stopwords, not punctuation.

    >>> searchable_words("Mikä se on?"), searchable_words("Mikä on palveluseteli?")
    ([], ['palveluseteli'])
    """
    return [w.surface for w in _content_words(text or "", langs)]


def _term_query(term: Term, parts: bool, langs: tuple = LANGUAGES) -> Node | None:
    """One typed term (a word or a phrase, maybe title-only) as a query; None if it has no searchable word."""
    words = _content_words(term.text, langs)
    if not words:
        return None
    if term.phrase and len(words) > 1:
        return phrase_query(analyze_query(term.text, langs), term.title_only, langs)
    clauses = [word_query(w, parts=parts, title_only=term.title_only, langs=langs) for w in words]
    return all_of(clauses)


def _is_plain(group: tuple[Term, ...]) -> bool:
    return len(group) == 1 and not group[0].phrase and not group[0].title_only


def _units(
    syntax: Syntax, lexicon: Lexicon | None, parts: bool, langs: tuple = LANGUAGES
) -> tuple[list[Node], list[QueryWord]]:
    """One query per wanted group. Runs of plain words are analysed together, so that coordinated
    compounds ("sosiaali- ja terveyspalvelut") and multi-word lexicon terms work across them."""
    units, plain_words, run = [], [], []

    def flush():
        if run:
            words = _content_words(" ".join(run), langs)
            plain_words.extend(words)
            units.extend(_expand(words, lexicon, parts, langs))
            run.clear()

    for group in syntax.groups:
        if _is_plain(group):
            run.append(group[0].text)
            continue
        flush()
        alternatives = [a for a in (_term_query(t, parts, langs) for t in group) if a is not None]
        if alternatives:
            units.append(any_of(alternatives))
    flush()
    return units, plain_words


def query_filters(syntax: Syntax) -> Filters:
    """The typed filters and date range of a query."""
    return Filters(dict(syntax.filters), syntax.date_from, syntax.date_to)


def parse_query(
    text: str, lexicon: Lexicon | None = None, filters: dict | None = None, languages: tuple = LANGUAGES,
    plain: bool = False,
) -> ParsedQuery:
    """Read a query (see search.syntax), analyse its words like the indexed text, and build its strict
    and lenient forms, its exclusions and its filters; `filters` adds field filters given apart from it.
    Only the fields of `languages` (those the index has documents in) are searched: a query over empty
    fields costs time and finds nothing. `plain` reads the text as words only, with no operators: a
    natural-language question's quotes and hyphens ('"Halo" -kappaleen') are punctuation, not syntax."""
    text = (text or "").strip()
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(f"The query is {len(text)} characters long; shorten it to at most {MAX_QUERY_CHARS}.", "too_long")
    syntax = _with_filters(Syntax(groups=((Term(text),),)) if plain and text else read_query(text), filters or {})
    _check_filters(syntax)
    langs = tuple(lang for lang in LANGUAGES if lang in languages) or LANGUAGES
    strict, words = _units(syntax, lexicon, parts=False, langs=langs)
    lenient, _ = _units(syntax, lexicon, parts=True, langs=langs)
    whole = list(strict)
    excluded = [e for e in (_term_query(t, parts=False, langs=langs) for t in syntax.excluded) if e is not None]
    if not strict:
        if not text and not syntax.has_filters:
            raise QueryError("The query is empty. Type one or more words to search for.", "empty")
        if not syntax.has_filters:
            if excluded:
                raise QueryError("The query only leaves words out. Add a word to search for besides the excluded ones.", "only_exclusions")
            raise QueryError(f"The query {text!r} has only very common words. Add a more specific word.", "common_words")
        strict = lenient = whole = [Everything()]
    return ParsedQuery(
        text=text,
        all_words=all_of(strict),
        any_word=any_of(lenient),
        any_whole_word=any_of(whole),
        words=tuple(words),
        excluded=any_of(excluded) if excluded else None,
        filters=query_filters(syntax),
        syntax=syntax,
    )


def _check_filters(syntax: Syntax) -> None:
    for value in syntax.filters.get("lang", ()):
        if not re.fullmatch(r"[a-z]{2,3}", value):
            raise QueryError(f"Language filter {value!r} is not a language code; use fi, sv or en.", "bad_language")
    for value in syntax.filters.get("year", ()):
        if not re.fullmatch(r"\d{4}", value):
            raise QueryError(f"Year filter {value!r} is not a year; write it with four digits, such as year:2022.", "bad_year")


def _with_filters(syntax: Syntax, filters: dict) -> Syntax:
    """Add filters given as parameters (the web's facet links, CLI options) to those typed in the query;
    values are taken as they are (quotes and spaces included), not read as query syntax."""
    merged = {k: list(v) for k, v in syntax.filters.items()}
    date_from, date_to = syntax.date_from, syntax.date_to
    for name, values in filters.items():
        values = [str(v).strip() for v in ((values,) if isinstance(values, str) else values or ()) if str(v).strip()]
        kind = FIELD_ALIASES.get(name.lower())
        if kind is None or kind == "title":
            raise QueryError(f"Unknown filter {name!r}; filters are {', '.join(FILTER_NAMES)}.")
        if kind == "updated":
            if len(values) > 1:
                raise QueryError("Give one updated range, such as updated=2022-01-01..2022-12-31.")
            if values:
                date_from, date_to = date_range(values[0])
            continue
        merged.setdefault(kind, []).extend(v if kind == "section" else v.lower() for v in values)
    return Syntax(
        groups=syntax.groups, excluded=syntax.excluded, date_from=date_from, date_to=date_to,
        filters={k: tuple(dict.fromkeys(v)) for k, v in merged.items() if v},
    )
