"""The Whoosh adapters over the neutral analyzers: Whoosh's flags, pickling, and a real index."""

import ast
import pickle
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh import query as q
from whoosh.fields import ID, TEXT, Schema

from whoosh.formats import Characters, Positions

from backends.whoosh.analysis import (
    NeutralAnalyzer, NeutralCharacters, NeutralPositions, analyzer_for, english_analyzer, finnish_analyzer, folded_analyzer,
)

ROOT = Path(__file__).resolve().parent.parent


def test_the_neutral_analysis_modules_do_not_import_whoosh():
    for name in ("analysis", "morphology", "voikko", "vocabulary"):
        tree = ast.parse((ROOT / "indexer" / f"{name}.py").read_text(encoding="utf-8"))
        modules = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        modules |= {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
        assert not any(m.split(".")[0] == "whoosh" for m in modules), name
    assert "languages" in (ROOT / "indexer" / "morphology.py").read_text(encoding="utf-8")


def whoosh_tokens(analyzer, text, **kwargs):
    return [(t.text, t.pos, t.startchar, t.endchar, t.boost, t.stopped) for t in analyzer(text, **kwargs)]


def test_positions_and_offsets_follow_start_pos_and_start_char():
    plain = whoosh_tokens(finnish_analyzer(), "Kuusi on puu", positions=True, chars=True)
    shifted = whoosh_tokens(finnish_analyzer(), "Kuusi on puu", positions=True, chars=True, start_pos=10, start_char=100)
    assert plain == [("kuu", 0, 0, 5, 1.0, False), ("kuusi", 0, 0, 5, 1.0, False), ("puu", 2, 9, 12, 1.0, False)]
    assert shifted == [(t, p + 10, s + 100, e + 100, b, st) for t, p, s, e, b, st in plain]


def test_stopwords_only_in_queries_that_keep_them():
    kept = whoosh_tokens(finnish_analyzer(), "Kuusi on puu", positions=True, mode="query", removestops=False)
    assert ("on", 1) in [(t[0], t[1]) for t in kept if t[5]]
    for kwargs in ({"mode": "query"}, {"mode": "index"}, {"mode": "index", "removestops": False}, {}):
        assert not any(t[5] for t in whoosh_tokens(finnish_analyzer(), "Kuusi on puu", **kwargs)), kwargs


def test_keeporiginal_and_whole_value_tokens():
    tokens = [(t.text, t.original) for t in english_analyzer()("The Services", keeporiginal=True)]
    assert tokens == [("servic", "Services")]
    assert [t.text for t in english_analyzer()("The Services", tokenize=False)] == ["The Services"]


def test_pickles_as_the_name_of_its_analysis():
    analyzer = folded_analyzer()
    list(analyzer("Päijät-Hämeessä"))  # builds the neutral analyzer it holds
    assert analyzer.__getstate__() == {"name": "folded"}
    clone = pickle.loads(pickle.dumps(analyzer))
    assert clone == analyzer and clone._neutral is None
    assert [t.text for t in clone("Päijät-Hämeessä")] == ["paijat-hame", "paijathame", "paijat-ham"]
    assert analyzer_for("xx") == NeutralAnalyzer("fi") and analyzer_for("sv") == NeutralAnalyzer("sv")


def test_a_whoosh_index_matches_lemmas_parts_and_folded_forms(tmp_path):
    schema = Schema(id=ID(stored=True), text=TEXT(analyzer=finnish_analyzer(), chars=True), folded=TEXT(analyzer=folded_analyzer()))
    ix = whoosh_index.create_in(tmp_path, schema)
    with ix.writer() as writer:
        text = "Päijät-Hämeen työryhmien kokouksessa käsiteltiin sosiaali- ja terveyspalveluita."
        writer.add_document(id="1", text=text, folded=text)
    ix = whoosh_index.open_dir(tmp_path)  # the schema and its analyzers come back from the pickle
    with ix.searcher() as searcher:
        for field, term in (("text", "työryhmä"), ("text", "ryhmä"), ("text", "sosiaalipalvelu"), ("folded", "paijat-hame")):
            assert [hit["id"] for hit in searcher.search(q.Term(field, term))] == ["1"], (field, term)
        postings = searcher.reader().postings("text", "kokous")
        (position, start, end), = postings.value_as("characters")
        assert (position, text[start:end]) == (2, "kokouksessa")  # the surface word, not the lemma


FORMAT_TEXTS = [
    "Päijät-Hämeen hyvinvointialue järjestää sosiaali- ja terveyspalvelut. Hyvinvointialueella on työryhmä.",
    "Työryhmän kokous: työryhmä kokoontuu, ja työryhmien muistiot julkaistaan. Kuusi on puu.",
    "",
    "on ja",  # stopwords only
]


def test_neutral_formats_write_whoosh_formats_postings():
    """The formats that read the neutral tokens directly give the postings Whoosh's own formats give."""
    for ours, stock in ((NeutralPositions, Positions), (NeutralCharacters, Characters)):
        for name in ("fi", "folded", "sv"):
            analyzer = NeutralAnalyzer(name)
            for text in FORMAT_TEXTS:
                for boost in (1.0, 3.0):
                    expected = sorted(stock(field_boost=boost).word_values(text, analyzer, mode="index"))
                    assert sorted(ours(field_boost=boost).word_values(text, analyzer, mode="index")) == expected
            # Whoosh's own path for what the shortcut does not cover: a start position, query mode.
            text = FORMAT_TEXTS[0]
            assert sorted(ours().word_values(text, analyzer, mode="index", start_pos=5)) == \
                sorted(stock().word_values(text, analyzer, mode="index", start_pos=5))
            assert sorted(ours().word_values(text, analyzer, mode="query")) == sorted(stock().word_values(text, analyzer, mode="query"))
