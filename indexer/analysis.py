"""Finnish, Swedish and English analysis as composable stages over plain tokens, for any index.

A tokenizer cuts text into words; filters, each a generator in and a generator out, turn words into
index terms; `|` chains them, as in Whoosh or Lucene. The same analyzers read documents (mode
"index") and queries (mode "query"). Several terms at one position (every reading's lemma, compound
parts) share the word's position and its surface offsets, so phrases still line up and a highlighter
marks the inflected form the reader sees. Backends adapt the tokens to their engine (the Whoosh
backend in backends.whoosh.analysis). Stemmers and stopwords come from the language registry.

>>> [(t.term, t.position, t.kind, t.weight) for t in analyzer("fi")("Työryhmän kokouksessa")]
[('työryhmä', 0, 'lemma', 1.0), ('työ', 0, 'part', 0.5), ('ryhmä', 0, 'part', 0.5), ('kokous', 1, 'lemma', 1.0)]
"""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import languages
from indexer import IndexingError, morphology, swedish
from indexer.morphology import analyze, compound_head
from indexer.voikko import ANALYSIS_CACHE_SIZE, analyze_word

# Words keep inner hyphens and a colon case ending (sote-uudistuksen, HUS:n) and a trailing hyphen,
# which marks a compound whose head is shared with the next one ("sosiaali- ja terveyspalvelut").
WORD_PATTERN = r"\w+(?:[-:]\w+)*-?"
VOCABULARY_WORD = re.compile(WORD_PATTERN)
# The registry's lists under the names that indexer.build and the benchmarks import.
FI_STOPWORDS = languages.stopwords("fi")
SV_STOPWORDS = languages.stopwords("sv")
EN_STOPWORDS = languages.stopwords("en")
COORDINATORS = frozenset({"ja", "tai", "sekä", "eli", "taikka", "ynnä"})
# Compound parts, tails and derivation bases count half as much as whole-word lemmas in a document's
# term weights (BM25's tf): "hanke" matches "rakenneuudistushanke", but below a page about a hanke.
PART_BOOST = 0.5
UMLAUT_FOLD = str.maketrans({"ä": "a", "ö": "o", "å": "a"})
MODES = ("index", "query")
# What a token is: "word" only between stages (a tokenizer's output); the analyzers yield the others.
KINDS = ("word", "lemma", "part", "stem", "folded", "folded_part", "stop")


class AnalysisError(IndexingError):
    """An analyzer asked for something it does not do (an unknown analysis name or mode)."""


@dataclass(frozen=True, slots=True)
class Token:
    """One term at one word position, with the character offsets of the surface word it came from."""

    term: str  # the index or query term
    position: int  # word position in the text (stopwords keep theirs; several terms may share one)
    start: int  # offsets of the surface word in the analysed text
    end: int
    kind: str = "word"  # see KINDS
    weight: float = 1.0  # 1.0 for lemma, stem and folded; PART_BOOST for part and folded_part


_new_object = object.__new__
_SET_FIELDS = (Token.term.__set__, Token.position.__set__, Token.start.__set__, Token.end.__set__, Token.kind.__set__, Token.weight.__set__)


def make_token(term: str, position: int, start: int, end: int, kind: str, weight: float) -> Token:
    """A Token, built without the frozen dataclass's __init__ (one object.__setattr__ lookup per field),
    which costs analysis about a tenth of an index build's time: every stage makes its tokens here.

    >>> make_token("kuu", 0, 0, 5, "lemma", 1.0) == Token("kuu", 0, 0, 5, "lemma", 1.0)
    True
    """
    token = _new_object(Token)
    set_term, set_position, set_start, set_end, set_kind, set_weight = _SET_FIELDS
    set_term(token, term)
    set_position(token, position)
    set_start(token, start)
    set_end(token, end)
    set_kind(token, kind)
    set_weight(token, weight)
    return token


class Stage:
    """A step of an analysis; `a | b` runs b on what a yields."""

    def __or__(self, other: Filter) -> Analyzer:
        if not isinstance(other, Filter):
            raise TypeError(f"{other!r} is not a filter and cannot follow {self!r}")
        return Analyzer(self, other)

    def __eq__(self, other) -> bool:
        return other.__class__ is self.__class__ and other.__dict__ == self.__dict__

    def __hash__(self) -> int:
        return hash(self.__class__)

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}()"


class Tokenizer(Stage):
    """The first stage: text in, a token per word out (kind "word"); `mode` as for filters."""

    def __call__(self, text: str, mode: str = "index") -> Iterator[Token]:
        raise NotImplementedError

    def spans(self, text: str) -> list[tuple[int, int] | None]:
        """The (start, end) of each position's word, by position (None for a position without a token):
        what the filters' tokens point at, since they keep their word's position and offsets."""
        out: list[tuple[int, int] | None] = []
        for t in self(text, "index"):
            out.extend([None] * (t.position + 1 - len(out)))
            out[t.position] = (t.start, t.end)
        return out


class Filter(Stage):
    """A later stage: tokens in, tokens out; `mode` is "index" or "query"."""

    def __call__(self, tokens: Iterable[Token], mode: str) -> Iterator[Token]:
        raise NotImplementedError


class WordFilter(Filter):
    """A filter that turns each word into terms on its own, whatever words stand around it.

    `terms(word)` gives a word's (term, kind, weight factor) triples in index mode, each at the word's
    position and offsets with the word's weight times the factor; stopwords pass unchanged. Index mode
    runs through `terms`, so that `Analyzer.index_terms` (what an index build asks for) can skip the
    token objects of the last stage: a build's analysis made one per term, 1.5 per word of text.
    """

    def terms(self, word: str) -> tuple[tuple[str, str, float], ...]:
        raise NotImplementedError

    def __call__(self, tokens, mode):
        return self._query(tokens) if mode == "query" else self._index(tokens)

    def _index(self, tokens):
        terms = self.terms
        for t in tokens:
            if t.kind == "stop":
                yield t
                continue
            position, start, end, weight = t.position, t.start, t.end, t.weight
            for term, kind, factor in terms(t.term):
                yield make_token(term, position, start, end, kind, weight * factor)

    def _query(self, tokens):
        """Query mode; the same terms as indexing unless a filter says otherwise."""
        return self._index(tokens)


class Analyzer(Stage):
    """A tokenizer and its filters, called as `analyzer(text, mode="index"|"query")`.

    In mode "index" stopwords are left out (their positions stay unused); in mode "query" they are
    yielded with kind "stop", so the query builder sees every typed word.
    """

    def __init__(self, tokenizer: Tokenizer | Analyzer, *filters: Filter):
        if isinstance(tokenizer, Analyzer):
            tokenizer, filters = tokenizer.tokenizer, (*tokenizer.filters, *filters)
        self.tokenizer = tokenizer
        self.filters = filters

    def __or__(self, other: Filter) -> Analyzer:
        if not isinstance(other, Filter):
            raise TypeError(f"{other!r} is not a filter and cannot follow {self!r}")
        return Analyzer(self.tokenizer, *self.filters, other)

    def __repr__(self) -> str:
        return " | ".join(repr(stage) for stage in (self.tokenizer, *self.filters))

    def __call__(self, text: str, mode: str = "index") -> Iterator[Token]:
        if mode not in MODES:
            raise AnalysisError(f"Unknown analysis mode {mode!r}; use 'index' or 'query'.")
        tokens = self.tokenizer(text, mode)
        for stage in self.filters:
            tokens = stage(tokens, mode)
        return tokens

    def index_terms(self, text: str) -> Iterator[tuple[str, int, int, int, float]]:
        """(term, position, start, end, weight) of every index-mode token of a text, in token order; a
        last stage that is a WordFilter gives its terms without a Token object each.

        >>> [t[0] for t in finnish_analyzer().index_terms("Työryhmän")] == [t.term for t in finnish_analyzer()("Työryhmän")]
        True
        """
        last = self.filters[-1] if self.filters else None
        if not isinstance(last, WordFilter):
            for t in self(text, "index"):
                yield t.term, t.position, t.start, t.end, t.weight
            return
        tokens = self.tokenizer(text, "index")
        for stage in self.filters[:-1]:
            tokens = stage(tokens, "index")
        terms = last.terms
        for t in tokens:
            if t.kind == "stop":
                yield t.term, t.position, t.start, t.end, t.weight
                continue
            position, start, end, weight = t.position, t.start, t.end, t.weight
            for term, _kind, factor in terms(t.term):
                yield term, position, start, end, weight * factor


class WordTokenizer(Tokenizer):
    """Words, with hyphens and colon endings kept inside them; positions count words from 0.

    >>> [(t.term, t.position, t.start, t.end) for t in WordTokenizer()("HUS:n sote-keskus")]
    [('HUS:n', 0, 0, 5), ('sote-keskus', 1, 6, 17)]
    """

    def __init__(self, pattern: str = WORD_PATTERN):
        self.pattern = pattern
        self._expression = re.compile(pattern)

    def __getstate__(self):
        return {"pattern": self.pattern}

    def __setstate__(self, state):
        self.__init__(state["pattern"])

    def __eq__(self, other) -> bool:
        return other.__class__ is self.__class__ and other.pattern == self.pattern

    def __hash__(self) -> int:
        return hash(self.pattern)

    def __call__(self, text: str, mode: str = "index") -> Iterator[Token]:
        for position, match in enumerate(self._expression.finditer(text)):
            yield make_token(match.group(), position, match.start(), match.end(), "word", 1.0)

    def spans(self, text: str) -> list[tuple[int, int]]:
        """
        >>> WordTokenizer().spans("HUS:n sote-keskus")
        [(0, 5), (6, 17)]
        """
        return [match.span() for match in self._expression.finditer(text)]


def word_tokenizer() -> WordTokenizer:
    """Words, with hyphens and colon endings kept inside them."""
    return WordTokenizer()


class LowercaseFilter(Filter):
    """Terms in lower case."""

    def __call__(self, tokens, mode):
        for t in tokens:
            term = t.term
            lower = term.lower()
            yield t if lower == term else make_token(lower, t.position, t.start, t.end, t.kind, t.weight)


class StopFilter(Filter):
    """Leaves out the words of a stopword list when indexing; marks them as kind "stop" in queries.

    >>> [(t.term, t.kind) for t in (word_tokenizer() | StopFilter({"on"}))("se on", mode="query")]
    [('se', 'word'), ('on', 'stop')]
    >>> [(t.term, t.position) for t in (word_tokenizer() | StopFilter({"on"}))("on se")]
    [('se', 1)]
    """

    def __init__(self, stopwords: Iterable[str]):
        self.stopwords = frozenset(stopwords)

    def __call__(self, tokens, mode):
        stopwords = self.stopwords
        if mode == "query":
            for t in tokens:
                yield make_token(t.term, t.position, t.start, t.end, "stop", t.weight) if t.term in stopwords else t
        else:
            for t in tokens:
                if t.term not in stopwords:
                    yield t


class CompoundEllipsisFilter(Filter):
    """Completes coordinated compounds: "sosiaali- ja terveyspalvelut" gives "sosiaalipalvelut".

    A word ending in a hyphen, followed by a coordinator and a compound, takes that compound's head
    ("palvelut"); its offsets stay on the surface "sosiaali-". Runs before lower-casing so that an
    abbreviation keeps its hyphen: "ICT- ja digityöryhmä" gives "ICT-työryhmä".

    >>> [t.term for t in (word_tokenizer() | CompoundEllipsisFilter())("sosiaali- ja terveyspalvelut")]
    ['sosiaalipalvelut', 'ja', 'terveyspalvelut']
    >>> [t.term for t in (word_tokenizer() | CompoundEllipsisFilter())("ICT- ja digityöryhmä")]
    ['ICT-työryhmä', 'ja', 'digityöryhmä']
    """

    def __init__(self, coordinators: Iterable[str] = COORDINATORS):
        self.coordinators = frozenset(coordinators)

    def __call__(self, tokens, mode):
        coordinators = self.coordinators
        held: list[Token] = []
        for t in tokens:
            term = t.term
            if len(term) > 1 and term.endswith("-"):
                held.append(t)
                continue
            if held and term.lower() in coordinators:
                held.append(t)
                continue
            if held:
                head = compound_head(term.lower()) if any(h.term.lower() in coordinators for h in held) else None
                for h in held:
                    if h.term.endswith("-"):
                        prefix = h.term[:-1]
                        term = (f"{prefix}-{head}" if prefix.isupper() else prefix + head) if head else prefix
                        h = make_token(term, h.position, h.start, h.end, h.kind, h.weight)
                    yield h
                held = []
            yield t
        for h in held:
            yield make_token(h.term[:-1], h.position, h.start, h.end, h.kind, h.weight) if h.term.endswith("-") else h


class VoikkoLemmaFilter(WordFilter):
    """Replaces each word by the lemmas of all its Voikko readings, stacked at the word's position.

    Compound parts, their tails and derivation bases follow at the same position, kind "part", at
    `part_weight` (rakenneuudistushankkeen: rakenneuudistushanke; rakenne, uudistus, hanke,
    uudistushanke, uudistaa). Unknown words are split into known parts where possible, else kept
    with their Snowball stem (see indexer.morphology). The filter holds no native handle.

    >>> [t.term for t in finnish_analyzer()("Työryhmän kokouksessa")]
    ['työryhmä', 'työ', 'ryhmä', 'kokous']
    >>> [(t.term, t.kind, t.weight) for t in finnish_analyzer()("työryhmän", mode="query")]
    [('työryhmä', 'lemma', 1.0), ('työ', 'part', 0.5), ('ryhmä', 'part', 0.5)]
    """

    def __init__(self, part_weight: float = PART_BOOST):
        self.part_weight = part_weight

    def terms(self, word):
        return _lemma_terms(word, self.part_weight)


@functools.lru_cache(maxsize=ANALYSIS_CACHE_SIZE)
def _lemma_terms(word: str, part_weight: float) -> tuple[tuple[str, str, float], ...]:
    analysis = analyze(word)
    return (*((term, "lemma", 1.0) for term in analysis.lemmas), *((term, "part", part_weight) for term in analysis.parts))


def fold_umlauts(text: str) -> str:
    """ä→a, ö→o, å→a: the spelling of a query typed on a keyboard without them.

    >>> fold_umlauts("päijät-häme")
    'paijat-hame'
    """
    return text.translate(UMLAUT_FOLD)


def has_umlauts(text: str) -> bool:
    """True if folding would change the text (it holds ä, ö or å); asked of every token of an index.

    >>> has_umlauts("päijät-häme"), has_umlauts("Åland".lower()), has_umlauts("ÄÖ"), has_umlauts("kunta")
    (True, True, False, False)
    """
    return "ä" in text or "ö" in text or "å" in text


@functools.lru_cache(maxsize=ANALYSIS_CACHE_SIZE)
def folded_terms(word: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(folded lemmas and the folded word's stem, folded parts) of a word with umlauts."""
    analysis = analyze(word)
    stem = morphology.FINNISH_STEM(fold_umlauts(word))
    terms = dict.fromkeys([*(fold_umlauts(lemma) for lemma in analysis.lemmas), stem])
    parts = dict.fromkeys(p for p in map(fold_umlauts, analysis.parts) if p not in terms)
    return tuple(terms), tuple(parts)


@functools.lru_cache(maxsize=ANALYSIS_CACHE_SIZE)
def folded_query_terms(word: str) -> tuple[str, ...]:
    """A typed word's terms in the folded fields: itself and its stem if Voikko does not know it and
    it has no umlauts (a word typed without them); else nothing."""
    if has_umlauts(word) or analyze_word(word.split(":", 1)[0]):
        return ()
    return tuple(dict.fromkeys((word, morphology.FINNISH_STEM(word))))


class UmlautFoldFilter(WordFilter):
    """Terms for the umlaut-folded fields, which let "paijat-hame" and "tyoryhmien" find Päijät-Häme.

    Indexing: words with ä, ö or å give their folded lemmas (kind "folded"; parts "folded_part" at
    `part_weight`) and the Snowball stem of the folded word; other words give nothing, since the main
    fields already hold them. Querying: words that Voikko does not know and that have no umlauts give
    themselves and their Snowball stem; known words (saa, a word of its own, is not a mistyped sää) and
    words with umlauts give nothing.

    >>> [t.term for t in folded_analyzer()("Päijät-Hämeessä ja Lahdessa")]
    ['paijat-hame', 'paijathame', 'paijat-ham']
    >>> [t.term for t in folded_analyzer()("paijat-hameessa", mode="query")]
    ['paijat-hameessa', 'paijat-ham']
    """

    def __init__(self, part_weight: float = PART_BOOST):
        self.part_weight = part_weight

    def terms(self, word):
        return _folded_index_terms(word, self.part_weight) if has_umlauts(word) else ()

    def _query(self, tokens):
        for t in tokens:
            if t.kind == "stop":
                yield t
                continue
            for term in folded_query_terms(t.term):
                yield make_token(term, t.position, t.start, t.end, "folded", t.weight)


@functools.lru_cache(maxsize=ANALYSIS_CACHE_SIZE)
def _folded_index_terms(word: str, part_weight: float) -> tuple[tuple[str, str, float], ...]:
    terms, parts = folded_terms(word)
    return (*((term, "folded", 1.0) for term in terms), *((term, "folded_part", part_weight) for term in parts))


class SnowballStemFilter(WordFilter):
    """Each word's Snowball stem (kind "stem"), by the stemmer of a registered language.

    >>> [t.term for t in (word_tokenizer() | SnowballStemFilter("en"))("counties")]
    ['counti']
    """

    def __init__(self, lang: str):
        languages.require(lang)
        self.lang = lang

    def terms(self, word):
        return ((_stemmer(self.lang)(word), "stem", 1.0),)


@functools.lru_cache(maxsize=None)
def _stemmer(lang: str):
    """One stemmer function per language for the filters (each thread gets its own Snowball object)."""
    return languages.stemmer(lang)


class SwedishFilter(WordFilter):
    """Each Swedish word's Snowball stem (kind "stem"), its base forms by the Hunspell dictionary (kind
    "lemma") and, when indexing, its compound parts and tails (kind "part", at `part_weight`), all at
    the word's position (see indexer.swedish): *hälsovårdsreformen* is found by *vårdreformen*.

    >>> [(t.term, t.kind) for t in swedish_analyzer()("vårdreformen", mode="query")]
    [('vårdreform', 'stem')]
    >>> "vårdreform" in [t.term for t in swedish_analyzer()("hälsovårdsreformen")]
    True
    """

    def __init__(self, part_weight: float = PART_BOOST):
        self.part_weight = part_weight

    def terms(self, word):
        return self._terms(word, parts=True)

    def _terms(self, word: str, *, parts: bool) -> tuple[tuple[str, str, float], ...]:
        first = _stemmer("sv")(word)
        analysed = swedish.analyze(word)
        found = [(first, "stem", 1.0), *((term, "lemma", 1.0) for term in analysed.lemmas if term != first)]
        if parts:
            found += [(term, "part", self.part_weight) for term in analysed.parts if term != first]
        return tuple(found)

    def _query(self, tokens):
        for t in tokens:
            if t.kind == "stop":
                yield t
                continue
            for term, kind, factor in self._terms(t.term, parts=False):
                yield make_token(term, t.position, t.start, t.end, kind, t.weight * factor)


class SharedWordsTokenizer(Tokenizer):
    """Word stages (an analyzer) run once per text for every analyzer that starts with them.

    An index reads a document's Finnish text twice, for the Finnish and for the umlaut-folded fields,
    one field after the other: the word stream of the last text (per thread, per mode) is kept, and
    tokens are immutable, so the second analyzer reuses it. That saves about a third of the analysis
    time of a Finnish document (benchmarks/analysis_speed.py).
    """

    _last = threading.local()

    def __init__(self, words: Analyzer):
        self.words = words

    def __call__(self, text: str, mode: str = "index") -> Iterator[Token]:
        last = getattr(self._last, "entry", None)
        if last is not None and last[1] == mode and last[2] == text and (last[0] is self.words or last[0] == self.words):
            return iter(last[3])
        tokens = tuple(self.words(text, mode))
        self._last.entry = (self.words, mode, text, tokens)
        return iter(tokens)

    def spans(self, text: str) -> list[tuple[int, int] | None]:
        # The word stages keep the positions and offsets of their tokenizer's words (stopwords included).
        return self.words.tokenizer.spans(text)

    def __getstate__(self):
        return {"words": self.words}

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}({self.words!r})"


def finnish_words() -> Analyzer:
    """The word stages the Finnish and folded analyzers share: words, completed compounds, lower case,
    stopwords marked (positions kept, so every analysis of a query lines up word by word)."""
    return word_tokenizer() | CompoundEllipsisFilter() | LowercaseFilter() | StopFilter(languages.stopwords("fi"))


def shared_finnish_words() -> SharedWordsTokenizer:
    """finnish_words(), run once per text for the Finnish and the folded analyzer together."""
    return SharedWordsTokenizer(finnish_words())


def finnish_analyzer() -> Analyzer:
    """Finnish text fields: words, coordinated compounds completed, lower case, no stopwords, Voikko lemmas.

    >>> [t.term for t in finnish_analyzer()("Kuusi on puu")]
    ['kuu', 'kuusi', 'puu']
    """
    return shared_finnish_words() | VoikkoLemmaFilter()


def folded_analyzer() -> Analyzer:
    """The umlaut-folded companion fields of the Finnish ones (see UmlautFoldFilter)."""
    return shared_finnish_words() | UmlautFoldFilter()


def snowball_analyzer(lang: str) -> Analyzer:
    """A language without Voikko: words, lower case, the registry's Snowball stopwords and stemmer."""
    return word_tokenizer() | LowercaseFilter() | StopFilter(languages.stopwords(lang)) | SnowballStemFilter(lang)


def swedish_analyzer() -> Analyzer:
    """Swedish text fields: words, lower case, Snowball's Swedish stopwords and stemmer, and the base
    forms and compound parts of the Hunspell dictionary (SwedishFilter).

    >>> [t.term for t in swedish_analyzer()("Välfärdsområdena och hemvården")][:4]
    ['välfärdsområden', 'välfärdsområdena', 'välfärdsområde', 'välfärd']
    """
    return word_tokenizer() | LowercaseFilter() | StopFilter(languages.stopwords("sv")) | SwedishFilter()


def english_analyzer() -> Analyzer:
    """English text fields: words, lower case, Snowball's English stopwords and stemmer.

    >>> [t.term for t in english_analyzer()("The services of the counties")]
    ['servic', 'counti']
    """
    return snowball_analyzer("en")


FOLDED = "folded"
# Every analysis a query goes through: each registered language's, and the folded companion.
ANALYSES = (*languages.CODES, FOLDED)


def analyzer(name: str) -> Analyzer:
    """The analyzer of an analysis: a registered language code ("fi", "sv", "en") or "folded".

    >>> [t.term for t in analyzer("sv")("hemvården")][:1]
    ['hemvård']
    """
    if name == FOLDED:
        return folded_analyzer()
    if name not in languages.LANGUAGES:
        raise AnalysisError(f"Unknown analysis {name!r}; use one of {', '.join(ANALYSES)}.")
    if name == "sv":
        return swedish_analyzer()
    return finnish_analyzer() if languages.LANGUAGES[name].voikko else snowball_analyzer(name)


def analyzer_for(lang: str) -> Analyzer:
    """The analyzer of a document language; Finnish for any other language (unknown words keep their stems)."""
    return analyzer(languages.get(lang).code)


def vocabulary_words(text: str) -> list[str]:
    """The distinct words of a text as written, lower-cased, in order, for search-as-you-type
    completions (forms people recognise): hyphenated words also by their parts ("kaarnalaiva-hanke"
    completes "kaarna" too); nothing with digits, since nobody wants 2023-01-01 or 03-819 completed.

    One regular-expression pass: the completion vocabulary (indexer.vocabulary) counts each word once
    per document, so there is no need to analyse every token.

    >>> vocabulary_words("Hyvinvointialueella on 12 sote-keskusta. Hyvinvointialueella!")
    ['hyvinvointialueella', 'on', 'sote-keskusta', 'sote', 'keskusta']
    """
    words: dict[str, None] = {}
    # Distinct words first, and the digit test only for words that are not all letters: this runs over
    # every text at every build, in the process that feeds the index's workers.
    for word in dict.fromkeys(VOCABULARY_WORD.findall(text.lower())):
        if len(word) < 2 or (not word.isalpha() and any(map(str.isdigit, word))):
            continue
        words[word] = None
        if "-" in word.strip("-"):
            words.update((part, None) for part in word.split("-") if len(part) > 1)
    return list(words)


def explain(text: str, lang: str = "fi") -> list[dict]:
    """Every word of a text with its offsets and the index terms emitted at its position, in text order.

    For languages with folded analysis the umlaut-folded terms are listed apart. This is what
    `sotehaku analyze` prints.

    >>> explain("Työryhmän kokous")[0]
    {'text': 'Työryhmän', 'start': 0, 'end': 9, 'terms': ['työryhmä', 'työ', 'ryhmä'], 'folded': ['tyoryhma', 'tyoryhm', 'tyo', 'ryhma']}
    """
    words: dict[int, dict] = {}
    for t in analyzer_for(lang)(text):
        word = words.setdefault(t.position, {"text": text[t.start : t.end], "start": t.start, "end": t.end, "terms": []})
        if t.term not in word["terms"]:
            word["terms"].append(t.term)
    if languages.get(lang).folded:
        for t in folded_analyzer()(text):
            if t.position in words:
                folded = words[t.position].setdefault("folded", [])
                if t.term not in folded:
                    folded.append(t.term)
    return [words[pos] for pos in sorted(words)]
