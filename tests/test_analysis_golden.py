"""The backend-neutral analyzers and their Whoosh adapters give what the Whoosh-only analyzers gave.

tests/fixtures/analysis_golden.json holds the output of the analyzers as they were before issue 9
(commit 24c360e), for a table of Finnish, Swedish and English texts, in index and query mode. Both
the neutral analyzers (indexer.analysis) and the Whoosh adapters (backends.whoosh.analysis) must
reproduce every term, position, offset and weight of it, with two stated exceptions:
- the Snowball project's stemmers (PyStemmer) differ from Whoosh's own port on a few words
  (benchmarks/stemmers.py counts them on squad2-fi); the words of the table it hits are listed;
- English stopwords come from NLTK's list (the only library list holding Snowball's Finnish and
  Swedish ones exactly), which adds contraction pieces ("couldn", "ll", "won") to Snowball's 2001
  English list that Whoosh had; the ones in the table are listed;
- in query mode the folded analysis now yields the stopwords too (kind "stop"), like every other
  analysis, where Whoosh's folded filter dropped them;
- Swedish analysis adds the Hunspell dictionary's base forms (kind "lemma") and, when indexing,
  compound parts (kind "part") after each word's Snowball stem (issue 12): the recorded Swedish tokens
  are the new ones without those (`recorded_only`);
- plural nominatives made by adding "t" to a lemma whose stem changes in the plural are no longer
  emitted (issue 12): they were invented words (henkilötietot for henkilötiedot, hyvinvointialuet for
  hyvinvointialueet) that match nothing real; the ones of the table are listed.
"""

import json
import pickle
import re
from pathlib import Path

import pytest

import languages
from backends.whoosh import analysis as whoosh_analysis
from indexer.analysis import ANALYSES, KINDS, PART_BOOST, WORD_PATTERN, analyzer

WORD = re.compile(WORD_PATTERN)
GOLDEN = json.loads((Path(__file__).parent / "fixtures" / "analysis_golden.json").read_text(encoding="utf-8"))
CASES = GOLDEN["cases"]
WHOOSH_CALLS = {
    "index": dict(positions=True, chars=True, mode="index"),
    "query": dict(positions=True, chars=True, mode="query", removestops=False),
}
# (analysis, lower-cased surface word) -> (Whoosh's stem, the Snowball project's stem)
STEMMER_DIFFERENCES = {
    ("sv", "välfärdsområdet"): ("välfärdsområdet", "välfärdsområd"),
    ("sv", "välfärdsområdets"): ("välfärdsområdet", "välfärdsområd"),
    ("en", "organizations"): ("organ", "organiz"),
}

# Invented plurals the table's analysis gave before issue 12, by analysis.
INVENTED_PLURALS = {
    "fi": {"aluevaltuutettut", "asiakasmaksulakit", "henkilötietot", "hyvinvointialuet", "yhteystietot"},
    "folded": {"henkilotietot"},
}

# Words of the table that are English stopwords now and were not in Whoosh's list.
NEW_ENGLISH_STOPWORDS = {"d", "hadn", "couldn", "wouldn", "won", "isn", "m", "y", "o", "re", "ve", "ll", "ain", "ma"}


def expected_tokens(case, name, mode):
    """The recorded tokens, with the listed stemmer and stopword differences applied."""
    out = []
    for term, pos, start, end, weight, stopped in case["tokens"][f"{name} {mode}"]:
        if term in INVENTED_PLURALS.get(name, ()):
            continue
        surface = case["text"][start:end].lower()
        if name == "en" and surface in NEW_ENGLISH_STOPWORDS:
            assert not stopped
            if mode == "query":
                out.append([surface, pos, start, end, weight, True])
            continue
        old, new = STEMMER_DIFFERENCES.get((name, surface), (None, None))
        out.append([new if term == old else term, pos, start, end, weight, stopped])
    return out


def neutral_tokens(case, name, mode):
    return [[t.term, t.position, t.start, t.end, t.weight, t.kind == "stop"] for t in analyzer(name)(case["text"], mode=mode)]


def recorded_only(tokens, name, text, mode):
    """The tokens the recorded analysis had: for Swedish, the Snowball stems and stopwords."""
    if name != "sv":
        return tokens
    kinds = [t.kind for t in analyzer("sv")(text, mode=mode)]
    return [t for t, kind in zip(tokens, kinds, strict=True) if kind in ("stem", "stop")]


def without_stops(tokens):
    return [t for t in tokens if not t[5]]


def case_id(case):
    return case["text"][:30] or "(empty)"


def test_the_table_covers_what_matters():
    texts = " ".join(c["text"] for c in CASES)
    for must in ("sosiaali- ja terveyspalvelut", "ICT- ja digityöryhmä", "HUS:n", "Päijät-Häme", "xyzzyään", "och", "the"):
        assert must.lower() in texts.lower()
    assert len(CASES) >= 50
    words = {w for c in CASES for w in WORD.findall(c["text"].lower())}
    assert {word for _, word in STEMMER_DIFFERENCES} <= words  # every listed difference occurs in the table
    assert NEW_ENGLISH_STOPWORDS <= words & languages.stopwords("en")


@pytest.mark.parametrize("mode", ["index", "query"])
@pytest.mark.parametrize("name", ["fi", "folded", "sv", "en"])
@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_neutral_analyzers_reproduce_the_recorded_tokens(case, name, mode):
    got = recorded_only(neutral_tokens(case, name, mode), name, case["text"], mode)
    want = expected_tokens(case, name, mode)
    if name == "folded" and mode == "query":
        fi_stops = [t[:4] for t in neutral_tokens(case, "fi", "query") if t[5]]
        assert [t[:4] for t in got if t[5]] == fi_stops
        got = without_stops(got)
    assert got == want


@pytest.mark.parametrize("mode", ["index", "query"])
@pytest.mark.parametrize("name", ["fi", "folded", "sv", "en"])
@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_whoosh_adapters_reproduce_the_recorded_tokens(case, name, mode):
    adapter = pickle.loads(pickle.dumps(whoosh_analysis.analyzer(name)))
    got = [[t.text, t.pos, t.startchar, t.endchar, t.boost, t.stopped] for t in adapter(case["text"], **WHOOSH_CALLS[mode])]
    got = recorded_only(got, name, case["text"], mode)
    want = expected_tokens(case, name, mode)
    if name == "folded" and mode == "query":
        got = without_stops(got)
    assert got == want


WEIGHTS = {"lemma": 1.0, "stem": 1.0, "folded": 1.0, "stop": 1.0, "part": PART_BOOST, "folded_part": PART_BOOST}
OUTPUT_KINDS = {"fi": {"lemma", "part", "stop"}, "folded": {"folded", "folded_part", "stop"}, "sv": {"stem", "lemma", "part", "stop"}, "en": {"stem", "stop"}}


@pytest.mark.parametrize("name", ANALYSES)
def test_kinds_weights_and_offsets(name):
    seen = set()
    for case in CASES:
        text = case["text"]
        surfaces = {(m.start(), m.end()) for m in WORD.finditer(text)}
        for mode in ("index", "query"):
            for t in analyzer(name)(text, mode=mode):
                assert t.kind in KINDS and t.kind in OUTPUT_KINDS[name], t
                assert t.weight == WEIGHTS[t.kind], t
                assert (t.start, t.end) in surfaces, t  # offsets slice back to a surface word
                assert mode == "query" or t.kind != "stop", t
                seen.add(t.kind)
    assert seen == OUTPUT_KINDS[name]


def query_words(tokens_by_name, text):
    """What search.query reads from a query's analyses: per word position its surface, the terms of
    each analysis, whether some analysis calls it a stopword, and its Finnish compound parts.

    tokens_by_name maps an analysis name to (term, position, start, end, is_part, is_stop) tuples."""
    words = {}
    for name, tokens in tokens_by_name.items():
        for term, pos, start, end, is_part, is_stop in tokens:
            word = words.setdefault(pos, {"surface": text[start:end], "terms": {}, "parts": [], "stop": False})
            if is_stop:
                word["stop"] = True
                continue
            bucket = word["parts"] if name == "fi" and is_part else word["terms"].setdefault(name, [])
            if term not in bucket:
                bucket.append(term)
    return words


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_query_mode_gives_what_the_query_builder_read_from_whoosh(case):
    """Today's query code told compound parts by a boost below 1 and stopwords by Whoosh's stopped flag;
    the neutral query mode gives the same words, terms, stop flags and parts by kind."""
    text = case["text"]
    recorded = {
        name: [(term, pos, start, end, weight < 1.0, stopped) for term, pos, start, end, weight, stopped in expected_tokens(case, name, "query")]
        for name in ("fi", "sv", "en", "folded")
    }
    neutral = {
        name: [
            (t.term, t.position, t.start, t.end, t.kind == "part", t.kind == "stop") for t in analyzer(name)(text, mode="query")
            if name != "sv" or t.kind in ("stem", "stop")  # the Swedish base forms are new (see the module's notes)
        ]
        for name in ("fi", "sv", "en", "folded")
    }
    assert query_words(neutral, text) == query_words(recorded, text)


def test_query_mode_marks_every_typed_stopword():
    tokens = list(analyzer("fi")("Tämä on ja se että KOTIHOITO", mode="query"))
    assert [(t.term, t.position, t.kind) for t in tokens if t.kind == "stop"] == [
        ("tämä", 0, "stop"), ("on", 1, "stop"), ("ja", 2, "stop"), ("se", 3, "stop"), ("että", 4, "stop")
    ]
    assert [(t.term, t.position) for t in tokens if t.kind == "lemma"] == [("kotihoito", 5)]
    assert [t.term for t in analyzer("fi")("Tämä on ja se että KOTIHOITO") if t.kind == "lemma"] == ["kotihoito"]
    assert all(t.kind != "stop" for t in analyzer("fi")("Tämä on ja se että KOTIHOITO"))


@pytest.mark.parametrize("name", ANALYSES)
def test_neutral_analyzers_pickle_round_trip(name):
    text = "Työryhmien kokouksessa sosiaali- ja terveyspalveluista, välfärdsområdena and the services"
    original = analyzer(name)
    clone = pickle.loads(pickle.dumps(original))
    assert clone == original
    assert list(clone(text, mode="query")) == list(original(text, mode="query"))


def test_shared_words_are_reused_only_for_the_same_words_text_and_mode():
    """The Finnish and folded analyzers cut a text's words once; nothing leaks between texts, modes
    or analyzers with other word stages."""
    from indexer.analysis import SharedWordsTokenizer, StopFilter, word_tokenizer

    first, second = "Kuusi on puu", "Päijät-Hämeen kuusi"
    fi, folded = analyzer("fi"), analyzer("folded")
    assert [t.term for t in fi(first)] == ["kuu", "kuusi", "puu"]
    assert [t.term for t in folded(first)] == []
    assert [(t.term, t.kind) for t in fi(first, mode="query")][2] == ("on", "stop")
    assert [t.term for t in folded(second)] == ["paijat-hame", "paijathame", "paijat-ham"]
    assert [t.term for t in fi(first)] == ["kuu", "kuusi", "puu"]
    other = SharedWordsTokenizer(word_tokenizer() | StopFilter({"puu"}))
    assert [t.term for t in other(first)] == ["Kuusi", "on"]
