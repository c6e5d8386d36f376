"""Finnish, Swedish and English analysis on real Voikko: terms, offsets that slice back to the surface, pickling."""

import pickle

import pytest

from backends.whoosh.analysis import english_analyzer, finnish_analyzer, folded_analyzer, swedish_analyzer
from backends.whoosh.schema import build_schema
from indexer.analysis import PART_BOOST
from indexer.morphology import is_known_prefix
from indexer.voikko import analyze_word


def index_terms(text, analyzer=None):
    """surface word -> set of terms the analyzer emits for it when indexing."""
    out = {}
    for t in (analyzer or finnish_analyzer())(text, positions=True, chars=True):
        out.setdefault(text[t.startchar : t.endchar], set()).add(t.text)
    return out


def query_terms(text, analyzer=None):
    """The whole-word terms of a query (compound parts, boosted lower, left out)."""
    return {t.text for t in (analyzer or finnish_analyzer())(text, mode="query") if t.boost >= 1.0}


def terms_of(word, analyzer=None):
    return index_terms(word, analyzer)[word]


@pytest.mark.parametrize(
    "word, expected",
    [
        ("kuusi", {"kuusi", "kuu"}),
        ("alusta", {"alku", "alus", "alusta", "alustaa"}),
        ("työryhmien", {"työryhmä"}),
        ("hyvinvointialueella", {"hyvinvointialue"}),
        ("Päijät-Hämeessä", {"päijät-häme"}),
        ("palvelusetelillä", {"palveluseteli"}),
        ("tehty", {"tehty", "tehdä"}),
        ("koskevien", {"koskeva", "koskea"}),
        ("muuttamisesta", {"muuttaa", "muuttaminen"}),
    ],
)
def test_inflection_every_reading_and_verb_bases(word, expected):
    assert expected <= terms_of(word)


@pytest.mark.parametrize(
    "word, expected",
    [
        ("rakenneuudistushankkeen", {"rakenneuudistushanke", "rakenne", "uudistus", "hanke"}),
        ("sote-uudistuksen", {"sote-uudistus", "sote", "uudistus"}),
        ("digityöryhmässä", {"digityöryhmä", "työryhmä", "ryhmä"}),
        ("viestintätyöryhmän", {"viestintätyöryhmä", "työryhmä"}),
    ],
)
def test_compounds_give_their_parts_at_the_same_position(word, expected):
    tokens = [t.copy() for t in finnish_analyzer()(word, positions=True, chars=True)]
    assert expected <= {t.text for t in tokens}
    assert {t.pos for t in tokens} == {0}
    assert {(t.startchar, t.endchar) for t in tokens} == {(0, len(word))}


def test_parts_weigh_less_than_lemmas():
    boosts = {t.text: t.boost for t in finnish_analyzer()("rakenneuudistushankkeen")}
    assert boosts["rakenneuudistushanke"] == 1.0 and boosts["hanke"] == PART_BOOST


def test_query_parts_are_marked_by_a_lower_boost():
    assert query_terms("työryhmien") == {"työryhmä"}
    boosts = {t.text: t.boost for t in finnish_analyzer()("rakenneuudistushankkeen", mode="query")}
    assert boosts == {"rakenneuudistushanke": 1.0, "rakenne": PART_BOOST, "uudistus": PART_BOOST, "hanke": PART_BOOST,
                      "uudistushanke": PART_BOOST, "uudistaa": PART_BOOST}


@pytest.mark.parametrize(
    "query, document",
    [
        ("sotekeskus", "sote-keskuksissa"),
        ("sote-keskus", "sotekeskuksessa"),
        ("soteuudistus", "sote-uudistuksen"),
        ("sote-uudistus", "soteuudistuksesta"),
        ("hyvinvointialueella", "hyvinvointialueiden"),
        ("Beyoncé", "Beyoncén"),
        ("HUS", "HUS:n"),
        ("Kela-korvaus", "Kela-korvauksen"),
        ("hyte-kerroin", "hyte-kertoimen"),
        ("PHHYKY", "PHHYKY:n"),
    ],
)
def test_spelling_variants_and_unknown_words_meet(query, document):
    assert query_terms(query) & terms_of(document)


@pytest.mark.parametrize(
    "word, expected",
    [
        ("soteuudistus", {"soteuudistus", "sote-uudistus", "sote", "uudistus"}),
        ("sotekeskuksessa", {"sotekeskus", "sote-keskus", "sote", "keskus"}),
        ("HUS:n", {"hus"}),
        ("Kela-korvaus", {"kela-korvaus", "kelakorvaus", "kela", "korvaus"}),
        ("hyte-kerroin", {"hyte-kerroin", "hyte", "kerroin"}),
        ("PHHYKY", {"phhyky"}),
        ("Beyoncén", {"beyoncén", "beyoncé"}),
    ],
)
def test_unknown_words_are_split_or_stemmed(word, expected):
    assert expected <= terms_of(word)


def _real_term(term):
    """A word form Voikko accepts, or a known abbreviation joined (closed or hyphenated) to one."""
    if analyze_word(term) or is_known_prefix(term):
        return True
    left, _, right = term.partition("-")
    if right:
        return _real_term(left) and _real_term(right)
    return any(is_known_prefix(term[:i]) and analyze_word(term[i:]) for i in range(2, len(term) - 1))


@pytest.mark.parametrize(
    "word, invented",
    [
        ("kunnat", {"kuntat"}),
        ("lapset", {"lapsit"}),
        ("dokumentit", {"dokumenttit"}),
        ("hyvinvointialueille", {"hyvinvointialuet"}),
        ("henkilötiedot", {"henkilötietot"}),
        ("pientä", {"pietä"}),
        ("hyte-kerroin", {"kertot", "kertat"}),
        ("sote-uudistuksen", set()),
        ("rakenneuudistushankkeen", set()),
    ],
)
def test_analysis_invents_no_words(word, invented):
    """Every term is a word form Voikko accepts or a known abbreviation joined to one (issue 12)."""
    terms = terms_of(word)
    assert not invented & terms
    assert all(_real_term(t) for t in terms), sorted(t for t in terms if not _real_term(t))


def test_plurale_tantum_keeps_its_plural_lemma():
    assert {"vaalit", "vaali"} <= terms_of("vaaleissa")
    assert "markkinat" in terms_of("markkinoilla")
    assert "rahoittaa" in terms_of("rahoitusta")  # derivation bases of the word's own lemma stay


def test_coordination_ellipsis_completes_the_compound():
    terms = index_terms("sosiaali- ja terveyspalvelut sekä ICT- ja digityöryhmä")
    assert {"sosiaalipalvelu", "sosiaali", "palvelu"} <= terms["sosiaali-"]
    assert "terveyspalvelu" in terms["terveyspalvelut"]
    assert {"ict-työryhmä", "icttyöryhmä"} <= terms["ICT-"]


def test_stopwords_and_case():
    assert query_terms("Tämä on ja se että KOTIHOITO") == {"kotihoito"}


def test_offsets_point_at_the_surface_word_and_positions_follow_words():
    text = "Päijät-Hämeen työryhmien kokouksessa käsiteltiin sote-uudistusta."
    tokens = [t.copy() for t in finnish_analyzer()(text, positions=True, chars=True)]
    surfaces = list(dict.fromkeys(text[t.startchar : t.endchar] for t in tokens))
    assert surfaces == ["Päijät-Hämeen", "työryhmien", "kokouksessa", "käsiteltiin", "sote-uudistusta"]
    assert [t.pos for t in tokens] == sorted(t.pos for t in tokens)


@pytest.mark.parametrize(
    "typed, document",
    [("paijat-hame", "Päijät-Hämeessä"), ("tyoryhma", "työryhmä"), ("tyoryhmien", "työryhmien"), ("valfardsomradet", "välfärdsområdet")],
)
def test_folded_queries_meet_words_with_umlauts(typed, document):
    assert query_terms(typed, folded_analyzer()) & terms_of(document, folded_analyzer())


def test_folded_fields_hold_only_words_with_umlauts_and_queries_only_unknown_words():
    assert index_terms("Lahden kaupunki", folded_analyzer()) == {}
    assert query_terms("työryhmä", folded_analyzer()) == set()
    assert query_terms("saa", folded_analyzer()) == set()  # a word of its own, not a mistyped sää


def test_swedish_and_english_use_their_own_stemmers_and_stopwords():
    terms = index_terms("hemvården och välfärdsområdena", swedish_analyzer())
    assert set(terms) == {"hemvården", "välfärdsområdena"}  # "och" is a stopword
    assert "hemvård" in terms["hemvården"]
    assert {"välfärdsområden", "välfärdsområde", "område"} <= terms["välfärdsområdena"]  # stem, base form, head
    assert query_terms("the service vouchers", english_analyzer()) == {"servic", "voucher"}


def test_analyzers_and_schema_pickle_round_trip():
    text = "Työryhmien kokouksessa sosiaali- ja terveyspalveluista"
    for make in (finnish_analyzer, folded_analyzer, swedish_analyzer):
        analyzer = make()
        clone = pickle.loads(pickle.dumps(analyzer))
        assert [t.text for t in clone(text)] == [t.text for t in analyzer(text)]
    schema = pickle.loads(pickle.dumps(build_schema()))
    assert [t.text for t in schema["text_fi"].analyzer("hyvinvointialueella")] == ["hyvinvointialue", "hyvinvointi", "alue"]


def test_voikko_readings_read_natively_equal_the_bindings_analyze():
    """analyze_word reads only the attributes sotehaku uses, through the C functions; the readings must be
    exactly those of the binding's own analyze (unknown words, inflections, compounds, hyphens, digits)."""
    from indexer.voikko import READING_KEYS, _readings, voikko_handle

    handle = voikko_handle()
    words = [
        "kuusi", "työryhmän", "rakenneuudistushankkeen", "sote-uudistuksen", "hyvinvointialueille", "kunnat",
        "vaaleissa", "muuttamisesta", "pientä", "kvanttitietokone", "xyzzyq", "2023", "hus", "ict-työryhmä", "",
    ]
    for word in words:
        expected = tuple({k: v for k, v in r.items() if k in READING_KEYS} for r in handle.analyze(word))
        assert _readings(handle, word) == expected, word
    assert any(r.get("WORDBASES") for r in _readings(handle, "rakenneuudistushankkeen"))
