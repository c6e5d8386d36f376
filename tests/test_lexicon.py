"""The domain lexicon: synonyms found at query time, edits picked up without re-indexing, bad files explained."""

import pytest

from corpus.document import Document
from backends.whoosh.writer import build_index
from search.lexicon import STARTER_LEXICON, Lexicon, LexiconError, load_lexicon
from app.backend import open_engine


DOCS = [
    Document(id="hyte", title="Hyvinvoinnin ja terveyden edistäminen", text="Hyvinvoinnin ja terveyden edistämisen työ kuuluu kaikille."),
    Document(id="sote", title="Sosiaali- ja terveydenhuolto", text="Sosiaali- ja terveydenhuollon palvelut järjestää hyvinvointialue."),
    Document(id="kela", title="Korvaukset", text="Kansaneläkelaitos maksaa sairaanhoitokorvauksia."),
    Document(id="other", title="Pelastustoimi", text="Pelastuslaitos vastaa pelastustoimesta."),
]


@pytest.fixture()
def lexicon_engine(tmp_path):
    build_index(DOCS, tmp_path)
    return open_engine(tmp_path), tmp_path


def test_starter_lexicon_loads():
    lexicon = load_lexicon(STARTER_LEXICON)
    assert ("hyte", "hyvinvoinnin ja terveyden edistäminen") in lexicon.groups
    assert all(len(group) >= 2 for group in lexicon.groups)


@pytest.mark.parametrize("query, expected", [("hyte", "hyte"), ("sote", "sote"), ("Kela", "kela"), ("hyvinvoinnin ja terveyden edistäminen", "hyte")])
def test_abbreviations_find_what_they_stand_for(lexicon_engine, query, expected):
    engine, _ = lexicon_engine
    assert [h.id for h in engine.search(query).hits][:1] == [expected]


def test_lexicon_edits_apply_without_reindexing(lexicon_engine):
    engine, data_dir = lexicon_engine
    assert engine.search("palo").total == 0
    (data_dir / "lexicon.toml").write_text('[[synonyms]]\nterms = ["palo", "pelastustoimi"]\n', encoding="utf-8")
    assert [h.id for h in engine.search("palo").hits] == ["other"]
    assert engine.search("hyte").total == 0  # the data dir's lexicon replaces the starter one


@pytest.mark.parametrize(
    "text, message",
    [
        ("[[synonyms]\n", "not valid TOML"),
        ("[[synonyms]]\nterms = ['yksi']\n", "at least two"),
        ("synonyms = 'x'\n", "write each group as"),
    ],
)
def test_bad_lexicon_is_explained(text, message):
    with pytest.raises(LexiconError, match=message):
        Lexicon.from_toml(text, "lexicon.toml")


def test_bad_lexicon_in_data_dir_is_a_search_error_message(lexicon_engine):
    engine, data_dir = lexicon_engine
    (data_dir / "lexicon.toml").write_text("[[synonyms]\n", encoding="utf-8")
    with pytest.raises(LexiconError, match="lexicon.toml is not valid TOML"):
        engine.search("hyte")
