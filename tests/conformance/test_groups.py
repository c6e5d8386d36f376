"""Conformance: a document limited to a group is seen by that group's members alone, on every path.

"Talousryhmän" memo is internal and limited to the group "talous"; it holds a word no other document
has (kvartaalikatsaus), a source, a year and a section no other document has. An anonymous viewer,
staff outside the group and staff of another group must meet none of them in hits, totals, facets,
snippets, completions, corrections, batch ranking, the document view or document counts; members do,
and see the document's groups on its hit.
"""

from __future__ import annotations

import datetime as dt

import pytest

from corpus.document import Document
from search.engine import ANONYMOUS, Viewer

from .conftest import publish

MEMBER = Viewer(name="tiina", staff=True, groups=("talous",))
BOTH = Viewer(name="olli", staff=True, groups=("hr", "talous"))
STAFF = Viewer(name="maija", staff=True)
OTHER_GROUP = Viewer(name="henna", staff=True, groups=("hr",))
OUTSIDERS = {"anonymous": ANONYMOUS, "staff": STAFF, "other group": OTHER_GROUP}
DOCS = [
    Document(id="julkinen", title="Sotekeskus", text="Sotekeskus palvelee koko aluetta. Talousarvio hyväksyttiin.",
             updated=dt.date(2023, 1, 1), section="Etusivu > Palvelut", source="sivusto"),
    Document(id="sisainen", title="Henkilöstötiedote", visibility="internal", source="intranet",
             text="Sotekeskuksen henkilöstö kokoontuu. Talousarvio esiteltiin.", updated=dt.date(2022, 5, 1),
             section="Etusivu > Tiedotteet"),
    Document(id="talousmuistio", title="Talousryhmän muistio", visibility="internal", access=("talous",),
             source="talousryhma", text="Kvartaalikatsaus: sotekeskuksen talousarvio ylittyy. Kvartaalikatsaus liitteenä.",
             updated=dt.date(2018, 3, 1), section="Etusivu > Talousryhmä"),
    Document(id="hr-muistio", title="Palkkamuistio", visibility="internal", access=("hr",), source="hr",
             text="Palkkaneuvottelu sotekeskuksen henkilöstön kanssa.", updated=dt.date(2021, 2, 1),
             section="Etusivu > HR"),
]
GROUP_MARKS = ("kvartaalikatsau", "talousmuistio", "talousryhm", "2018", "ylittyy")


@pytest.fixture(scope="module")
def engine(make_engine):
    return make_engine(DOCS, "groups")


def leaks(value) -> list[str]:
    text = str(value).lower()
    return [mark for mark in GROUP_MARKS if mark in text]


@pytest.mark.parametrize("who", sorted(OUTSIDERS))
def test_hits_totals_facets_and_snippets(engine, who):
    viewer = OUTSIDERS[who]
    for query in ("sotekeskus", "talousarvio", "sotekeskus talousarvio", "kvartaalikatsaus OR talousarvio"):
        results = engine.search(query, viewer=viewer)
        assert "talousmuistio" not in {h.id for h in results.hits}, query
        assert leaks({k: v for k, v in results.to_json().items() if k != "query"}) == [], (who, query)
    results = engine.search("kvartaalikatsaus", viewer=viewer)
    assert results.total == 0 and not results.hits, who


@pytest.mark.parametrize("who", sorted(OUTSIDERS))
def test_filters_completions_corrections_ranking_documents_counts(engine, who):
    viewer = OUTSIDERS[who]
    for filters in ({"source": "talousryhma"}, {"year": "2018"}, {"section": "Talousryhmä"}):
        assert engine.search("sotekeskus", filters=filters, viewer=viewer).total == 0, filters
    assert engine.search("source:talousryhma", viewer=viewer).total == 0
    assert engine.suggest("kvartaali", viewer=viewer) == []
    assert not leaks(engine.search("kvartaalikatsasu", viewer=viewer).suggestion or "")
    assert "talousmuistio" not in {doc for doc, _ in engine.rank("kvartaalikatsaus talousarvio", viewer=viewer)}
    assert engine.document("talousmuistio", viewer=viewer) is None
    seen = {"anonymous": 1, "staff": 2, "other group": 3}[who]
    assert engine.doc_count(viewer) == seen


def test_members_see_the_document_and_its_groups_on_every_path(engine):
    for viewer in (MEMBER, BOTH):
        results = engine.search("kvartaalikatsaus", viewer=viewer)
        assert [h.id for h in results.hits] == ["talousmuistio"] and results.total == 1
        hit = results.hits[0]
        assert hit.visibility == "internal" and hit.groups == ("talous",)
        assert "<mark>Kvartaalikatsaus</mark>" in hit.snippet
        assert hit.to_json()["groups"] == ["talous"]
        staff = engine.search("sotekeskus", viewer=viewer)
        assert dict(staff.facets["source"]).get("talousryhma") == 1 and dict(staff.facets["year"]).get("2018") == 1
        assert "kvartaalikatsaus" in " ".join(engine.suggest("kvartaali", viewer=viewer))
        assert engine.search("kvartaalikatsasu", viewer=viewer).suggestion == "kvartaalikatsaus"
        assert "talousmuistio" in {doc for doc, _ in engine.rank("kvartaalikatsaus", viewer=viewer)}
        assert engine.document("talousmuistio", viewer=viewer)["title"] == "Talousryhmän muistio"
    assert engine.doc_count(MEMBER) == 3 and engine.doc_count(BOTH) == 4
    # Internal documents without groups stay open to all staff, and say they have none.
    hits = {h.id: h for h in engine.search("henkilöstötiedote", viewer=STAFF).hits}
    assert hits["sisainen"].groups == () and hits["sisainen"].visibility == "internal"
    # One group does not open another's documents.
    assert engine.search("palkkaneuvottelu", viewer=MEMBER).total == 0
    assert engine.search("palkkaneuvottelu", viewer=BOTH).total == 1


def test_an_update_that_limits_a_document_to_a_group_hides_it(make_engine):
    engine = make_engine(DOCS[:2], "regrouped")
    assert engine.search("henkilöstö", viewer=STAFF).total == 1
    publish(engine, [DOCS[0], DOCS[1].replace(access=("hr",))])
    assert engine.search("henkilöstö", viewer=STAFF).total == 0
    assert engine.suggest("henkilöst", viewer=STAFF) == []
    assert engine.search("henkilöstö", viewer=OTHER_GROUP).hits[0].groups == ("hr",)
