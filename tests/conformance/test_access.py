"""Conformance: what a viewer may not see never leaves the backend, on any path.

The internal documents hold words no public document has (kaarnalaiva, salaisuusjaosto) and share a
section, a year and a source value no public document has; anonymous viewers must meet none of them
in hits, totals, facet values or counts, snippets, completions, corrections, batch ranking, the
document view, document counts or statistics. Staff see everything.
"""

from __future__ import annotations

import datetime as dt

import pytest

from corpus.document import Document
from search.access import EVERYTHING, PUBLIC
from search.engine import ANONYMOUS, Viewer

STAFF = Viewer(name="staff", staff=True)
DOCS = [
    Document(id="julkinen", title="Sotekeskus", text="Sotekeskus palvelee koko aluetta. Työryhmä kokoontui.",
             updated=dt.date(2023, 1, 1), section="Etusivu > Palvelut", source="sivusto"),
    Document(id="toinen", title="Neuvola", text="Neuvola ja sotekeskus ovat samassa talossa.",
             updated=dt.date(2022, 1, 1), section="Etusivu > Palvelut", source="sivusto"),
    Document(id="muistio", title="Salaisuusjaoston muistio", visibility="internal", source="intranet",
             text="Kaarnalaiva-hanke etenee. Salaisuusjaosto käsitteli sotekeskuksen työryhmää.",
             updated=dt.date(2019, 6, 1), section="Etusivu > Sisäinen"),
    Document(id="poytakirja", title="Pöytäkirja", visibility="internal", source="intranet",
             text="Kaarnalaivan talousarvio hyväksyttiin.", updated=dt.date(2019, 7, 1), section="Etusivu > Sisäinen"),
]
INTERNAL_MARKS = ("kaarnalaiv", "salaisuusjaost", "muistio", "poytakirja", "pöytäkirja", "2019", "intranet", "sisäinen")


@pytest.fixture(scope="module")
def engine(make_engine):
    return make_engine(DOCS, "access")


def leaks(value) -> list[str]:
    text = str(value).lower()
    return [mark for mark in INTERNAL_MARKS if mark in text]


def test_hits_totals_facets_and_snippets(engine):
    results = engine.search("sotekeskus")
    assert [h.id for h in results.hits] == ["julkinen", "toinen"] and results.total == 2
    assert leaks(results.to_json()) == []
    staff = engine.search("sotekeskus", viewer=STAFF)
    assert {h.id for h in staff.hits} == {"julkinen", "toinen", "muistio"} and staff.total == 3
    assert dict(staff.facets["year"])["2019"] == 1 and dict(staff.facets["source"])["intranet"] == 1


def test_internal_only_words_find_nothing_and_are_never_corrected_towards(engine):
    for query in ("kaarnalaiva", "salaisuusjaosto", "kaarnalaiv", "kaarnalaiva sotekeskus"):
        results = engine.search(query)
        assert all(h.id in ("julkinen", "toinen") for h in results.hits), query
        # The query and the typed words no visible document has (`missing`) echo what was typed.
        assert leaks({k: v for k, v in results.to_json().items() if k not in ("query", "missing")}) == [], query
        assert set(results.missing) <= set(query.split()), query
    assert {h.id for h in engine.search("kaarnalaiva", viewer=STAFF).hits} == {"muistio", "poytakirja"}
    assert engine.search("kaarnalaivva", viewer=STAFF).suggestion == "kaarnalaiva"


def test_filters_on_internal_values_find_nothing(engine):
    for filters in ({"source": "intranet"}, {"year": "2019"}, {"section": "Sisäinen"}):
        assert engine.search("sotekeskus", filters=filters).total == 0, filters
        assert engine.search("sotekeskus", filters=filters, viewer=STAFF).total == 1, filters
    assert engine.search("source:intranet").total == 0
    assert engine.search("source:intranet", viewer=STAFF).total == 2


def test_completions(engine):
    assert engine.suggest("kaarna") == [] and engine.suggest("salai") == []
    assert "kaarnalaiva" in " ".join(engine.suggest("kaarna", viewer=STAFF))


def test_batch_ranking(engine):
    assert [doc for doc, _ in engine.rank("kaarnalaiva talousarvio")] == []
    assert {doc for doc, _ in engine.rank("kaarnalaiva talousarvio", viewer=STAFF)} == {"muistio", "poytakirja"}


def test_document_view_and_counts(engine):
    assert engine.document("muistio") is None
    assert engine.document("muistio", viewer=STAFF)["title"] == "Salaisuusjaoston muistio"
    assert engine.document("julkinen", viewer=ANONYMOUS)["title"] == "Sotekeskus"
    assert engine.doc_count() == 2 and engine.doc_count(STAFF) == 4


def test_statistics(engine):
    public = engine.backend.stats(PUBLIC, top=50)
    assert public["documents"] == 2 and leaks(public["top_terms"]) == []
    everything = engine.backend.stats(EVERYTHING, top=50)
    assert everything["documents"] == 4 and any("kaarnalaiva" in t["term"] for t in everything["top_terms"])


def test_anonymous_scores_do_not_depend_on_internal_documents(make_engine):
    """Term statistics are a side channel: if internal documents counted in an anonymous search's
    BM25 statistics, a public page's score would tell whether internal documents hold a word."""
    public = [d for d in DOCS if d.visibility == "public"]
    extra = [Document(id=f"sisainen-{i}", text="Sotekeskus ja työryhmä. " * (i + 1), visibility="internal") for i in range(10)]
    alone, mixed = make_engine(public, "public-only"), make_engine(public + extra, "with-internal")
    for query in ("sotekeskus", "työryhmä", "sotekeskus työryhmä", "neuvola OR kaarnalaiva"):
        scores = [[(h.id, h.score) for h in engine.search(query).hits] for engine in (alone, mixed)]
        assert scores[0] == scores[1] and scores[0], query
        ranked = [engine.rank(query) for engine in (alone, mixed)]
        assert ranked[0] == ranked[1], query
    assert mixed.search("sotekeskus", viewer=STAFF).total == 12
