"""The Finnish analyzer on real Voikko: terms, offsets that slice back to the surface word, pickling."""

import pickle

import pytest

from indexer.analysis import finnish_analyzer, lemmas_of
from indexer.schema import build_schema


def terms_by_word(text):
    """surface word -> set of terms emitted at its position."""
    out = {}
    for t in finnish_analyzer()(text, positions=True, chars=True):
        out.setdefault(text[t.startchar : t.endchar], set()).add(t.text)
    return out


@pytest.mark.parametrize(
    "word, expected",
    [
        ("työryhmien", {"työryhmä"}),
        ("työryhmässä", {"työryhmä"}),
        ("hyvinvointialueella", {"hyvinvointialue"}),
        ("Päijät-Hämeessä", {"päijät-häme"}),
        ("sote-uudistuksen", {"sote-uudistus"}),
        ("palvelusetelillä", {"palveluseteli"}),
        ("kuusi", {"kuu", "kuusi"}),
        ("alusta", {"alku", "alus", "alusta", "alustaa"}),
    ],
)
def test_every_reading_gives_its_lemma(word, expected):
    assert expected <= terms_by_word(word)[word]


def test_lemmas_of_unknown_word_is_empty():
    assert lemmas_of("phhyky") == ()


def test_unknown_word_passes_through_lower_cased():
    assert terms_by_word("PHHYKY:n päätös")["PHHYKY:n"] == {"phhyky:n"}


def test_stopwords_are_dropped():
    terms = [t.text for t in finnish_analyzer()("Tämä on ja se että kotihoito")]
    assert terms == ["kotihoito"]


def test_offsets_point_at_the_surface_word():
    text = "Päijät-Hämeen työryhmien kokouksessa käsiteltiin sote-uudistusta."
    tokens = [(t.text, t.startchar, t.endchar, t.pos) for t in finnish_analyzer()(text, positions=True, chars=True)]
    surfaces = [text[s:e] for _, s, e, _ in tokens]
    assert surfaces == ["Päijät-Hämeen", "työryhmien", "kokouksessa", "käsiteltiin", "sote-uudistusta"]
    assert [p for *_, p in tokens] == sorted(p for *_, p in tokens)


def test_readings_share_one_position():
    positions = {t.text: t.pos for t in finnish_analyzer()("kuusi puuta", positions=True)}
    assert positions["kuu"] == positions["kuusi"] != positions["puu"]


def test_analyzer_and_schema_pickle_round_trip():
    analyzer = finnish_analyzer()
    clone = pickle.loads(pickle.dumps(analyzer))
    text = "Työryhmien kokouksessa kuusi jäsentä"
    assert [t.text for t in clone(text)] == [t.text for t in analyzer(text)]
    schema = pickle.loads(pickle.dumps(build_schema()))
    assert [t.text for t in schema["text"].analyzer("hyvinvointialueella")] == ["hyvinvointialue"]
