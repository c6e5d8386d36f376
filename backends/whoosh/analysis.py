"""Whoosh adapters over sotehaku's backend-neutral analysis (indexer.analysis).

A Whoosh schema stores its analyzers by pickling them, so the adapter keeps only the name of the
analysis it runs and builds the neutral analyzer again on first use after unpickling. Its tokens are
Whoosh tokens: text, pos, startchar, endchar, boost (the neutral weight) and stopped, honouring the
flags Whoosh passes (positions, chars, mode, removestops, start_pos, start_char, tokenize).

>>> [(t.text, t.pos, t.boost) for t in finnish_analyzer()("työryhmän", positions=True)]
[('työryhmä', 0, 1.0), ('työ', 0, 0.5), ('ryhmä', 0, 0.5)]
"""

from __future__ import annotations

from collections import defaultdict
from pickle import dumps

from whoosh.analysis import Analyzer, Token
from whoosh.formats import Characters, Positions
from whoosh.system import pack_uint

import languages
from indexer import analysis

_ONE = pack_uint(1)  # the count of a value's single place


class NeutralAnalyzer(Analyzer):
    """One analysis of indexer.analysis ("fi", "folded", "sv", "en") as a Whoosh analyzer.

    Whoosh's mode "query" runs the neutral analyzer in query mode, any other mode in index mode;
    in query mode removestops=False keeps stopwords as stopped tokens. Indexing never keeps them.
    """

    def __init__(self, name: str):
        analysis.analyzer(name)  # an unknown name fails here, not at the first document
        self.name = name
        self._neutral = None

    def __getstate__(self):
        return {"name": self.name}

    def __setstate__(self, state):
        self.name = state["name"]
        self._neutral = None

    def __eq__(self, other):
        return other.__class__ is self.__class__ and other.name == self.name

    def __hash__(self):
        return hash((self.__class__, self.name))

    def __repr__(self):
        return f"{self.__class__.__name__}({self.name!r})"

    def __call__(
        self, value, positions=False, chars=False, keeporiginal=False, removestops=True, start_pos=0, start_char=0,
        tokenize=True, mode="", **kwargs,
    ):
        neutral = self._analysis()
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:  # Whoosh asks for the whole value as one token (no analysis)
            t.original = t.text = value
            t.pos, t.startchar, t.endchar = start_pos, start_char, start_char + len(value)
            yield t
            return
        tokens = neutral(value, mode="query" if mode == "query" else "index")
        if removestops and mode == "query":
            tokens = (token for token in tokens if token.kind != "stop")
        for token in tokens:
            t.text = token.term
            t.boost = token.weight
            t.stopped = token.kind == "stop"
            if keeporiginal:
                t.original = value[token.start : token.end]
            t.pos = start_pos + token.position
            t.startchar = start_char + token.start
            t.endchar = start_char + token.end
            yield t

    def index_terms(self, value: str):
        """The neutral analysis's index-mode (term, position, start, end, weight) of a text (no stopwords)."""
        return self._analysis().index_terms(value)

    def _analysis(self) -> analysis.Analyzer:
        """The neutral analyzer, built on first use (after unpickling too)."""
        if self._neutral is None:
            self._neutral = analysis.analyzer(self.name)
        return self._neutral


def _neutral_postings(value, analyzer, kwargs) -> tuple[dict, dict] | None:
    """{term: [(position, start, end), ...]} and {term: summed weight} of a text indexed by a
    NeutralAnalyzer, straight from the neutral tokens; None for anything else (Whoosh's own path)."""
    if type(analyzer) is not NeutralAnalyzer or type(value) is not str or kwargs.get("mode", "index") != "index" \
            or kwargs.get("start_pos", 0) or kwargs.get("start_char", 0) or kwargs.get("tokenize", True) is not True:
        return None
    seen: dict = defaultdict(list)
    weights: dict = defaultdict(float)
    for term, position, start, end, weight in analyzer.index_terms(value):
        seen[term].append((position, start, end))
        weights[term] += weight
    return seen, weights


class _NeutralFormat:
    """word_values of a Whoosh format fed by a NeutralAnalyzer's tokens without a Whoosh token per term:
    a build spent about a tenth of its time in the adapter, Whoosh's stopped-token filter and the
    format's loop. The postings are the Whoosh format's (the same bytes, see `_encode`); other analyzers
    go its way."""

    def word_values(self, value, analyzer, **kwargs):
        found = _neutral_postings(value, analyzer, kwargs)
        if found is None:
            yield from super().word_values(value, analyzer, **kwargs)
            return
        seen, weights = found
        boost, encode = self.field_boost, self._encode
        for term, places in seen.items():
            yield term, len(places), weights[term] * boost, encode(places)


class NeutralPositions(_NeutralFormat, Positions):
    """Whoosh's Positions format (positions of each term), fed by the neutral tokens."""

    @staticmethod
    def _encode(places: list) -> bytes:
        """Positions.encode of the places' positions; most terms occur once in a text.

        >>> NeutralPositions._encode([(3, 10, 15), (7, 30, 33)]) == Positions().encode([3, 7])
        True
        """
        if len(places) == 1:
            return _ONE + dumps([places[0][0]], 2)
        deltas, base = [], 0
        for position, _start, _end in places:
            deltas.append(position - base)
            base = position
        return pack_uint(len(deltas)) + dumps(deltas, 2)


class NeutralCharacters(_NeutralFormat, Characters):
    """Whoosh's Characters format (positions and character offsets), fed by the neutral tokens."""

    @staticmethod
    def _encode(places: list) -> bytes:
        """Characters.encode of the places; most terms occur once in a text.

        >>> places = [(3, 10, 15), (7, 30, 33)]
        >>> NeutralCharacters._encode(places) == Characters().encode(places) and NeutralCharacters._encode(places[:1]) == Characters().encode(places[:1])
        True
        """
        if len(places) == 1:
            position, start, end = places[0]
            return _ONE + dumps([(position, start, end - start)], 2)
        deltas, position_base, char_base = [], 0, 0
        for position, start, end in places:
            deltas.append((position - position_base, start - char_base, end - start))
            position_base, char_base = position, end
        return pack_uint(len(deltas)) + dumps(deltas, 2)


def finnish_analyzer() -> NeutralAnalyzer:
    """Finnish fields: Voikko lemmas and compound parts (see indexer.analysis.finnish_analyzer)."""
    return NeutralAnalyzer("fi")


def folded_analyzer() -> NeutralAnalyzer:
    """The umlaut-folded companion fields of the Finnish ones (see indexer.analysis.UmlautFoldFilter)."""
    return NeutralAnalyzer(analysis.FOLDED)


def swedish_analyzer() -> NeutralAnalyzer:
    """Swedish fields: Snowball's Swedish stopwords and stemmer."""
    return NeutralAnalyzer("sv")


def english_analyzer() -> NeutralAnalyzer:
    """English fields: Snowball's English stopwords and stemmer."""
    return NeutralAnalyzer("en")


def analyzer(name: str) -> NeutralAnalyzer:
    """The Whoosh analyzer of an analysis name: a registered language code or "folded"."""
    return NeutralAnalyzer(name)


def analyzer_for(lang: str) -> NeutralAnalyzer:
    """The Whoosh analyzer of a document language; Finnish for languages the registry does not know."""
    return NeutralAnalyzer(languages.get(lang).code)
