"""Word-level Finnish morphology on Voikko: lemmas of every reading, compound parts, unknown words.

Pure functions over one lower-cased word, cached; the filters in indexer.analysis call them.
Unknown words keep their Snowball stem, from the language registry (PyStemmer).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import languages
from indexer.voikko import ANALYSIS_CACHE_SIZE, analyze_word

# "+uudist(uudistaa)+us(+us)": a morph, then optionally its base in parentheses.
WORDBASE_MORPH = re.compile(r"\+([^+()]*)(?:\(([^)]*)\))?")
MIN_SPLIT_LEFT = 3  # shorter left parts ("so", "ta") are mostly accidental matches
MIN_SPLIT_RIGHT = 3
MAX_SPLIT_DEPTH = 2
FINNISH_STEM = languages.stemmer("fi")
MINEN_STEM = re.compile(r"^(.*mi)(?:nen|s)")  # greedy: the last "mi" before the -minen/-mis- ending
NOUN_CLASSES = {"nimisana", "paikannimi", "sukunimi", "etunimi", "nimi"}
VOWELS = set("aeiouyäö")
# Abbreviations of the reform's vocabulary that start closed compounds Voikko does not know:
# sotekeskus, hytetyö, ictpalvelut. Voikko already knows some (sote) but not all of them alone.
COMPOUND_ABBREVIATIONS = frozenset({"sote", "hyte", "ict", "digi", "kela", "hus", "phhyky", "eu", "tki"})


@dataclass(frozen=True)
class WordAnalysis:
    """What one word contributes to the index.

    `lemmas` are whole-word base forms (every reading, spelling variants of hyphenated compounds);
    `parts` are compound parts, their tails and derivation bases (indexed, weighted lower, not queried);
    `known` says whether Voikko recognised the word or the parts it was split into.
    """

    lemmas: tuple[str, ...]
    parts: tuple[str, ...] = ()
    known: bool = True


def _unique(items) -> tuple[str, ...]:
    return tuple(dict.fromkeys(i for i in items if i))


def hyphen_variants(lemma: str) -> tuple[str, ...]:
    """A hyphenated compound and its closed spelling: sote-keskus and sotekeskus meet.

    >>> hyphen_variants("sote-keskus")
    ('sote-keskus', 'sotekeskus')
    """
    return _unique((lemma, lemma.replace("-", ""))) if "-" in lemma.strip("-") else (lemma,)


def structure_boundaries(structure: str) -> set[int]:
    """Character offsets where Voikko's STRUCTURE starts a new morpheme ('=' markers)."""
    boundaries, offset = set(), 0
    for ch in structure:
        if ch == "=":
            boundaries.add(offset)
        else:
            offset += 1
    return boundaries


def compound_parts(reading: dict) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(parts and tails, derivation bases) of one Voikko reading.

    >>> compound_parts(analyze_word("rakenneuudistushankkeen")[0])
    (('rakenne', 'uudistus', 'hanke', 'uudistushanke'), ('uudistaa',))
    """
    wordbases = reading.get("WORDBASES") or ""
    if wordbases.count("+") < 2:  # one morph (most readings): no parts, and no derivation inside a part
        return (), ()
    base = (reading.get("BASEFORM") or "").lower()
    morphs = [(m.lower(), b) for m, b in WORDBASE_MORPH.findall(wordbases)]
    if "".join(m for m, _ in morphs) != base:
        return (), ()
    boundaries = structure_boundaries(reading.get("STRUCTURE") or "")
    groups: list[list[tuple[str, str]]] = []
    offset = 0
    for morph, morph_base in morphs:
        if morph == "-":
            groups.append([])  # a hyphen always ends a part
        elif not groups or offset in boundaries:
            groups.append([(morph, morph_base)])
        else:
            groups[-1].append((morph, morph_base))
        offset += len(morph)
    groups = [g for g in groups if g]
    derivation_bases = [
        b for g in groups if len(g) > 1 for m, b in g if b and not b.startswith("+") and b.replace("=", "") != m
    ]
    if len(groups) < 2:
        return (), _unique(b.replace("=", "").lower() for b in derivation_bases)
    texts = ["".join(m for m, _ in g) for g in groups]
    lemmas = [
        g[0][1].replace("=", "").lower() if len(g) == 1 and g[0][1] and not g[0][1].startswith("+") else text
        for g, text in zip(groups, texts)
    ]
    tails = ["".join(texts[i:]) for i in range(1, len(texts) - 1)]
    return _unique(lemmas + tails), _unique(b.replace("=", "").lower() for b in derivation_bases)


@functools.lru_cache(maxsize=ANALYSIS_CACHE_SIZE)
def analyze(word: str, depth: int = 0) -> WordAnalysis:
    """Lemmas and parts of one lower-cased word, known to Voikko or not.

    >>> analyze("sote-uudistuksen").lemmas
    ('sote-uudistus', 'soteuudistus')
    >>> analyze("soteuudistuksessa").lemmas
    ('soteuudistus', 'sote-uudistus')
    >>> analyze("hus:n").lemmas
    ('hus',)
    """
    if ":" in word.strip(":"):
        word = word.split(":", 1)[0]  # HUS:n, EU:ssa: the case ending after the colon is not part of the name
    word = word.strip("-:")
    if not word:
        return WordAnalysis(())
    readings = analyze_word(word)
    if readings:
        lemmas, parts = [], []
        analysed = [(reading, compound_parts(reading)) for reading in readings]
        # A word one of whose readings is another, plain word (pientä: pieni) does not also get the
        # derivation bases of the rarer reading (pientä, a noun derived from the verb pietä): they would
        # match pages about something else entirely. The bases of a lemma that some reading also gives
        # plainly stay (rahoitus: rahoittaa).
        plain = {
            (reading.get("BASEFORM") or "").lower() for reading, (compound, bases) in analysed if not compound and not bases
        }
        for reading, (compound, bases) in analysed:
            lemma = (reading.get("BASEFORM") or word).lower()
            lemmas.extend(hyphen_variants(lemma))
            lemmas.extend(_derived_lemmas(word, reading))
            parts.extend(compound)
            if not plain or lemma in plain:
                parts.extend(bases)
            parts.extend(_plural_lemmas(lemma, reading))
        lemmas = _unique(lemmas)
        return WordAnalysis(lemmas, tuple(p for p in _unique(parts) if p not in lemmas))
    if depth < MAX_SPLIT_DEPTH:
        split = _split_hyphenated(word, depth) if "-" in word else _split_closed(word, depth)
        if split is not None:
            return split
    return WordAnalysis(_unique((word, FINNISH_STEM(word))), known=False)


def _derived_lemmas(word: str, reading: dict) -> tuple[str, ...]:
    """The -minen action noun, which Voikko reports as its verb: muuttamisesta -> muuttaminen (and muuttaa).

    >>> _derived_lemmas("muuttamisesta", analyze_word("muuttamisesta")[0])
    ('muuttaminen',)
    """
    if reading.get("MOOD") == "MINEN-infinitive":
        match = MINEN_STEM.match(word)
        if match:
            return (match.group(1) + "nen",)
    return ()


def _plural_lemmas(lemma: str, reading: dict) -> tuple[str, ...]:
    """The plural nominative of a plural noun, the lemma of plurale tantum: vaaleissa -> vaalit, markkinat.

    Only when lemma + "t" is that word's plural by Voikko: a stem that changes in the plural (kunta:
    kunnat, lapsi: lapset, alue: alueet) would give an invented word (kuntat, lapsit, aluet).

    >>> noun = lambda w, f: next(r for r in analyze_word(f) if r["BASEFORM"] == w)  # vaaleissa: also vaalea
    >>> [_plural_lemmas(w, noun(w, f)) for w, f in (("vaali", "vaaleissa"), ("kunta", "kunnissa"))]
    [('vaalit',), ()]
    """
    if reading.get("NUMBER") == "plural" and reading.get("CLASS") in NOUN_CLASSES and lemma[-1:] in VOWELS:
        plural = lemma + "t"
        if _is_plural_of(plural, lemma):
            return (plural,)
    return ()


@functools.lru_cache(maxsize=ANALYSIS_CACHE_SIZE)
def _is_plural_of(form: str, lemma: str) -> bool:
    """True if Voikko reads `form` as a plural of `lemma` (vaalit: vaali; not kuntat, which it reads as kuntta)."""
    return any(
        (r.get("BASEFORM") or "").lower() == lemma and r.get("NUMBER") == "plural" for r in analyze_word(form)
    )


def _combine(left: str, right: WordAnalysis, joiner: str) -> WordAnalysis:
    """A compound of a known left part and an analysed right part: left + each lemma of the right.

    Both spellings are emitted (sotekeskus, sote-keskus), as Voikko's own hyphenated compounds are.
    """
    spellings = []
    for r in right.lemmas:
        closed, hyphenated = f"{left}{r}", f"{left}-{r}"
        spellings += [hyphenated, closed] if joiner == "-" else [closed, hyphenated]
    lemmas = _unique(spellings)
    parts = _unique((left, *right.lemmas, *right.parts))
    return WordAnalysis(lemmas, tuple(p for p in parts if p not in lemmas), known=True)


def _split_hyphenated(word: str, depth: int) -> WordAnalysis | None:
    """Unknown hyphenated words (Kela-korvaus, hyte-kerroin, ICT-työryhmä): the last piece inflects."""
    left, _, right = word.rpartition("-")
    if not left or not right:
        return None
    head = analyze(right, depth + 1)
    result = _combine(left, head, "-")
    left_analysis = analyze(left, depth + 1)
    extra = tuple(p for p in (*left_analysis.lemmas, *left_analysis.parts) if p not in result.lemmas)
    return WordAnalysis(result.lemmas, _unique((*result.parts, *extra)), known=head.known or left_analysis.known)


def _closed_split(word: str) -> int | None:
    """Where an unknown closed compound splits: the first known left part before a known right part."""
    for i in range(MIN_SPLIT_LEFT, len(word) - MIN_SPLIT_RIGHT + 1):
        left = word[:i]
        if (analyze_word(left) or is_known_prefix(left)) and analyze_word(word[i:]):
            return i
    return None


def _split_closed(word: str, depth: int) -> WordAnalysis | None:
    """Unknown closed compounds (sotekeskuksessa): the longest known right part after a known left part."""
    i = _closed_split(word)
    return None if i is None else _combine(word[:i], analyze(word[i:], depth + 1), "")


def compound_head(word: str) -> str | None:
    """The surface word after its first compound part, which coordinated compounds share.

    In "sosiaali- ja terveyspalvelut" the elided head of "sosiaali-" is compound_head("terveyspalvelut").

    >>> compound_head("terveyspalvelut"), compound_head("digityöryhmä"), compound_head("palvelut")
    ('palvelut', 'työryhmä', None)
    """
    for reading in analyze_word(word):
        cuts = sorted(b for b in structure_boundaries(reading.get("STRUCTURE") or "") if b > 0)
        if cuts and cuts[0] < len(word):
            return word[cuts[0]:].lstrip("-")
    if not analyze_word(word) and "-" not in word:
        i = _closed_split(word)
        return word[i:] if i is not None else None
    return None


def is_known_prefix(word: str) -> bool:
    """True if the word is an abbreviation that starts compounds Voikko does not know (sotekeskus)."""
    return word in COMPOUND_ABBREVIATIONS
