"""Finnish analysis as composable Whoosh tokenizers and filters, used for indexing and for queries."""

from __future__ import annotations

from whoosh.analysis import Filter, LowercaseFilter, RegexTokenizer, StopFilter
from whoosh.lang import stopwords_for_language

from indexer.voikko import analyze_word

# Words with inner hyphens or a colon case ending stay one token: sote-uudistuksen, HUS:n.
WORD_PATTERN = r"\w+(?:[-:]\w+)*"
FI_STOPWORDS = frozenset(stopwords_for_language("fi"))


def lemmas_of(word: str) -> tuple[str, ...]:
    """Lower-cased base forms of every Voikko reading of a word, first reading first; () when unknown.

    >>> lemmas_of("alusta")
    ('alku', 'alus', 'alunen', 'alusta', 'alustaa')
    """
    seen: dict[str, None] = {}
    for reading in analyze_word(word):
        base = reading.get("BASEFORM")
        if base:
            seen.setdefault(base.lower(), None)
    return tuple(seen)


class VoikkoLemmaFilter(Filter):
    """Replaces each word by the base forms of all its Voikko readings, stacked at the word's position.

    Unknown words pass through unchanged. Start and end characters stay on the surface word, so the
    highlighter marks the inflected form the reader sees. The filter holds no native handle (see
    indexer.voikko), so it pickles with the index schema.

    >>> [t.text for t in finnish_analyzer()("Työryhmien kokouksessa")]
    ['työryhmä', 'kokous']
    """

    def __eq__(self, other):
        return other.__class__ is self.__class__

    def __call__(self, tokens):
        for t in tokens:
            if t.stopped:
                yield t
                continue
            lemmas = lemmas_of(t.text)
            if not lemmas:
                yield t
                continue
            for lemma in lemmas:
                t.text = lemma
                yield t


def finnish_analyzer():
    """The analyzer of Finnish text fields: words, lower case, no stopwords, every Voikko lemma.

    >>> [t.text for t in finnish_analyzer()("Kuusi on puu")]
    ['kuu', 'kuusi', 'puu']
    """
    return RegexTokenizer(WORD_PATTERN) | LowercaseFilter() | StopFilter(FI_STOPWORDS, minsize=1) | VoikkoLemmaFilter()
