"""Finnish, Swedish and English analysis as composable Whoosh tokenizers and filters.

The same analyzers parse documents (mode "index") and queries (mode "query"). Several terms at one
position (every reading's lemma, compound parts) share the word's position and its surface offsets,
so phrase queries still line up and the highlighter marks the inflected form the reader sees.
"""

from __future__ import annotations

import functools
import re

from whoosh.analysis import Filter, LowercaseFilter, RegexTokenizer, StemFilter, StopFilter
from whoosh.lang import stopwords_for_language

from indexer.morphology import FINNISH_STEM, analyze, compound_head
from indexer.voikko import ANALYSIS_CACHE_SIZE, analyze_word

# Words keep inner hyphens and a colon case ending (sote-uudistuksen, HUS:n) and a trailing hyphen,
# which marks a compound whose head is shared with the next one ("sosiaali- ja terveyspalvelut").
WORD_PATTERN = r"\w+(?:[-:]\w+)*-?"
VOCABULARY_WORD = re.compile(WORD_PATTERN)
FI_STOPWORDS = frozenset(stopwords_for_language("fi"))
SV_STOPWORDS = frozenset(stopwords_for_language("sv"))
EN_STOPWORDS = frozenset(stopwords_for_language("en"))
COORDINATORS = frozenset({"ja", "tai", "sekä", "eli", "taikka", "ynnä"})
# Compound parts, tails and derivation bases count half as much as whole-word lemmas in a document's
# term weights (BM25's tf): "hanke" matches "rakenneuudistushanke", but below a page about a hanke.
PART_BOOST = 0.5
UMLAUT_FOLD = str.maketrans({"ä": "a", "ö": "o", "å": "a"})


def fold_umlauts(text: str) -> str:
    """ä→a, ö→o, å→a: the spelling of a query typed on a keyboard without them.

    >>> fold_umlauts("päijät-häme")
    'paijat-hame'
    """
    return text.translate(UMLAUT_FOLD)


def has_umlauts(text: str) -> bool:
    """True if folding would change the text."""
    return fold_umlauts(text) != text


def word_tokenizer() -> RegexTokenizer:
    """Words, with hyphens and colon endings kept inside them."""
    return RegexTokenizer(WORD_PATTERN)


class CompoundEllipsisFilter(Filter):
    """Completes coordinated compounds: "sosiaali- ja terveyspalvelut" gives "sosiaalipalvelut".

    A word ending in a hyphen, followed by a coordinator and a compound, takes that compound's head
    ("palvelut"); its offsets stay on the surface "sosiaali-". Runs before lower-casing so that an
    abbreviation keeps its hyphen: "ICT- ja digityöryhmä" gives "ICT-työryhmä".

    >>> [t.text for t in (word_tokenizer() | CompoundEllipsisFilter())("sosiaali- ja terveyspalvelut")]
    ['sosiaalipalvelut', 'ja', 'terveyspalvelut']
    """

    def __eq__(self, other):
        return other.__class__ is self.__class__

    def __call__(self, tokens):
        held = []
        for t in tokens:
            if len(t.text) > 1 and t.text.endswith("-"):
                held.append(t.copy())
                continue
            if held and t.text.lower() in COORDINATORS:
                held.append(t.copy())
                continue
            if held:
                head = compound_head(t.text.lower()) if any(h.text.lower() in COORDINATORS for h in held) else None
                for h in held:
                    if h.text.endswith("-"):
                        prefix = h.text[:-1]
                        h.text = (f"{prefix}-{head}" if prefix.isupper() else prefix + head) if head else prefix
                    yield h
                held = []
            yield t
        for h in held:
            h.text = h.text.rstrip("-")
            yield h


class VoikkoLemmaFilter(Filter):
    """Replaces each word by the lemmas of all its Voikko readings, stacked at the word's position.

    Compound parts, their tails and derivation bases follow at the same position with boost PART_BOOST
    (rakenneuudistushankkeen: rakenneuudistushanke; rakenne, uudistus, hanke, uudistushanke, uudistaa);
    the query builder tells them from whole-word lemmas by that boost.
    Unknown words are split into known parts where possible, else kept with their Snowball stem.
    The filter holds no native handle (see indexer.voikko), so it pickles with the index schema.

    >>> [t.text for t in finnish_analyzer()("Työryhmän kokouksessa")]
    ['työryhmä', 'työ', 'ryhmä', 'kokous']
    >>> [(t.text, t.boost) for t in finnish_analyzer()("työryhmän", mode="query")]
    [('työryhmä', 1.0), ('työ', 0.5), ('ryhmä', 0.5)]
    """

    def __eq__(self, other):
        return other.__class__ is self.__class__

    def __call__(self, tokens):
        for t in tokens:
            if t.stopped:
                yield t
                continue
            analysis = analyze(t.text)
            boost = t.boost
            for term in analysis.lemmas:
                t.text = term
                yield t
            t.boost = boost * PART_BOOST
            for term in analysis.parts:
                t.text = term
                yield t
            t.boost = boost


@functools.lru_cache(maxsize=ANALYSIS_CACHE_SIZE)
def folded_terms(word: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(folded lemmas and the folded word's stem, folded parts) of a word with umlauts."""
    analysis = analyze(word)
    terms = dict.fromkeys([*(fold_umlauts(lemma) for lemma in analysis.lemmas), FINNISH_STEM(fold_umlauts(word))])
    parts = dict.fromkeys(p for p in map(fold_umlauts, analysis.parts) if p not in terms)
    return tuple(terms), tuple(parts)


class UmlautFoldFilter(Filter):
    """Terms for the umlaut-folded fields, which let "paijat-hame" and "tyoryhmien" find Päijät-Häme.

    Indexing: words with ä, ö or å give their folded lemmas (parts at PART_BOOST) and the Snowball stem
    of the folded word; other words give nothing, since the main fields already hold them. Querying:
    words that Voikko does not know and that have no umlauts give themselves and their Snowball stem;
    known words (saa, a word of its own, is not a mistyped sää) and words with umlauts give nothing.

    >>> [t.text for t in folded_analyzer()("Päijät-Hämeessä ja Lahdessa")]
    ['paijat-hame', 'paijathame', 'paijat-ham']
    >>> [t.text for t in folded_analyzer()("paijat-hameessa", mode="query")]
    ['paijat-hameessa', 'paijat-ham']
    """

    def __eq__(self, other):
        return other.__class__ is self.__class__

    def __call__(self, tokens):
        for t in tokens:
            if t.stopped:
                continue
            word = t.text
            if t.mode == "query":
                if not has_umlauts(word) and not analyze_word(word.split(":", 1)[0]):
                    for term in dict.fromkeys((word, FINNISH_STEM(word))):
                        t.text = term
                        yield t
                continue
            if not has_umlauts(word):
                continue
            terms, parts = folded_terms(word)
            boost = t.boost
            for term in terms:
                t.text = term
                yield t
            t.boost = boost * PART_BOOST
            for term in parts:
                t.text = term
                yield t
            t.boost = boost


def finnish_words():
    """The word stages the Finnish and folded analyzers share: words, completed compounds, lower case,
    stopwords marked (positions kept, so every analysis of a query lines up word by word)."""
    return word_tokenizer() | CompoundEllipsisFilter() | LowercaseFilter() | StopFilter(FI_STOPWORDS, minsize=1, renumber=False)


def finnish_analyzer():
    """Finnish text fields: words, coordinated compounds completed, lower case, no stopwords, Voikko lemmas.

    >>> [t.text for t in finnish_analyzer()("Kuusi on puu")]
    ['kuu', 'kuusi', 'puu']
    """
    return finnish_words() | VoikkoLemmaFilter()


def folded_analyzer():
    """The umlaut-folded companion fields of the Finnish ones (see UmlautFoldFilter)."""
    return finnish_words() | UmlautFoldFilter()


def swedish_analyzer():
    """Swedish text fields: words, lower case, Snowball's Swedish stopwords and stemmer.

    >>> [t.text for t in swedish_analyzer()("Välfärdsområdena och hemvården")]
    ['välfärdsområden', 'hemvård']
    """
    return word_tokenizer() | LowercaseFilter() | StopFilter(SV_STOPWORDS, minsize=1, renumber=False) | StemFilter(lang="sv")


def english_analyzer():
    """English text fields: words, lower case, Snowball's English stopwords and stemmer.

    >>> [t.text for t in english_analyzer()("The services of the counties")]
    ['servic', 'counti']
    """
    return word_tokenizer() | LowercaseFilter() | StopFilter(EN_STOPWORDS, minsize=1, renumber=False) | StemFilter(lang="en")


def vocabulary_words(text: str) -> str:
    """The distinct words of a text as written, lower-cased, space-separated, for search-as-you-type
    completions (forms people recognise): hyphenated words also by their parts ("kaarnalaiva-hanke"
    completes "kaarna" too); nothing with digits, since nobody wants 2023-01-01 or 03-819 completed.

    One regular-expression pass: the completion vocabulary (indexer.vocabulary) counts each word once
    per document, so there is no need to analyse every token.

    >>> vocabulary_words("Hyvinvointialueella on 12 sote-keskusta. Hyvinvointialueella!")
    'hyvinvointialueella on sote-keskusta sote keskusta'
    """
    words: dict[str, None] = {}
    for word in VOCABULARY_WORD.findall(text.lower()):
        if len(word) < 2 or any(c.isdigit() for c in word):
            continue
        words[word] = None
        if "-" in word.strip("-"):
            words.update((part, None) for part in word.split("-") if len(part) > 1)
    return " ".join(words)


ANALYZERS = {"fi": finnish_analyzer, "sv": swedish_analyzer, "en": english_analyzer}


def analyzer_for(lang: str):
    """The analyzer of a document language; Finnish for any other language (unknown words keep their stems)."""
    return ANALYZERS.get(lang, finnish_analyzer)()


def explain(text: str, lang: str = "fi") -> list[dict]:
    """Every word of a text with its offsets and the index terms emitted at its position, in text order.

    For Finnish the umlaut-folded terms are listed apart. This is what `sotehaku analyze` prints.

    >>> explain("Työryhmän kokous")[0]
    {'text': 'Työryhmän', 'start': 0, 'end': 9, 'terms': ['työryhmä', 'työ', 'ryhmä'], 'folded': ['tyoryhma', 'tyoryhm', 'tyo', 'ryhma']}
    """
    words: dict[int, dict] = {}
    for t in analyzer_for(lang)(text, positions=True, chars=True):
        word = words.setdefault(t.pos, {"text": text[t.startchar : t.endchar], "start": t.startchar, "end": t.endchar, "terms": []})
        if t.text not in word["terms"]:
            word["terms"].append(t.text)
    if lang not in ("sv", "en"):
        for t in folded_analyzer()(text, positions=True, chars=True):
            if t.pos in words:
                folded = words[t.pos].setdefault("folded", [])
                if t.text not in folded:
                    folded.append(t.text)
    return [words[pos] for pos in sorted(words)]
