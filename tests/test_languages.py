"""The language registry: every stage reads its languages from languages.py, and a new entry is enough."""

import ast
from pathlib import Path

import pytest

import languages
from corpus.parse import LANG_MARKERS, detect_language
from indexer.analysis import ANALYSES, AnalysisError, analyzer, analyzer_for, explain

ROOT = Path(__file__).resolve().parent.parent
SOTEHAKU_PACKAGES = {"corpus", "indexer", "search", "backends", "app"}


def test_registry_imports_nothing_of_sotehaku():
    tree = ast.parse((ROOT / "languages.py").read_text(encoding="utf-8"))
    imported = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
    assert not imported & SOTEHAKU_PACKAGES


@pytest.mark.parametrize("code", languages.CODES)
def test_every_language_has_what_the_stages_need(code):
    language = languages.get(code)
    assert language.code == code
    assert set(language.labels) >= set(languages.CODES)  # a name in every interface language
    assert language.stopwords and all(w == w.lower() for w in language.stopwords)
    assert language.detection_words and LANG_MARKERS[code] == language.detection_words
    assert languages.stemmer(code)("a") == "a"
    assert code in ANALYSES


def test_stopword_lists_are_snowballs():
    """Finnish and Swedish exactly Snowball's lists (as Whoosh had them); English NLTK's superset of
    Snowball's 2001 list, with contractions and their pieces."""
    assert len(languages.stopwords("fi")) == 229 and {"olla", "ja", "että", "joka"} <= languages.stopwords("fi")
    assert len(languages.stopwords("sv")) == 114 and {"och", "att", "det"} <= languages.stopwords("sv")
    assert len(languages.stopwords("en")) == 179 and {"the", "and", "couldn", "don't"} <= languages.stopwords("en")
    assert "hyvinvointialue" not in languages.all_stopwords()


def test_unknown_codes_fall_back_or_fail_clearly():
    assert languages.get("de").code == languages.DEFAULT == "fi"
    with pytest.raises(languages.LanguageError, match="Unknown language 'de'; use one of fi, sv, en"):
        languages.require("de")
    with pytest.raises(AnalysisError, match="Unknown analysis 'de'"):
        analyzer("de")
    assert [t.term for t in analyzer_for("de")("kokouksessa")] == ["kokous"]


def test_detection_words_decide_the_parsers_guess():
    assert detect_language("Vården och omsorgen är en del av välfärdsområdet") == "sv"
    assert detect_language("The county is responsible for the services") == "en"
    assert detect_language("xyz") == languages.DEFAULT


def test_a_new_registry_entry_is_a_new_analysis(monkeypatch):
    """Adding German touches only the registry: its analyzer, stemmer and stopwords follow from the entry."""
    german = languages.Language(
        code="de", labels={"fi": "saksa", "sv": "tyska", "en": "German"}, snowball="german",
        detection_words=frozenset({"und", "der", "die", "das"}),
    )
    monkeypatch.setitem(languages.LANGUAGES, "de", german)
    tokens = list(analyzer("de")("Die Gesundheitsdienste und die Wohlfahrtsbereiche", mode="query"))
    assert [(t.term, t.kind) for t in tokens] == [
        ("die", "stop"), ("gesundheitsdien", "stem"), ("und", "stop"), ("die", "stop"), ("wohlfahrtsbereich", "stem")
    ]
    assert [w["terms"] for w in explain("Wohlfahrtsbereiche", "de")] == [["wohlfahrtsbereich"]]
    assert "folded" not in explain("Wohlfahrtsbereiche", "de")[0]
