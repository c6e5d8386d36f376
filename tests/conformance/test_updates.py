"""Conformance: incremental updates and deletions reach every path (hits, totals, documents, completions)."""

from __future__ import annotations

from corpus.document import Document
from search.engine import Viewer

from .conftest import publish

STAFF = Viewer(name="staff", staff=True)
BASE = [
    Document(id="kotihoito", title="Kotihoito", text="Kotihoito auttaa arjessa."),
    Document(id="neuvola", title="Neuvola", text="Neuvola seuraa lapsen kasvua."),
    Document(id="muistio", title="Muistio", text="Kaarnalaiva-hanke etenee.", visibility="internal"),
]
FILLER = [Document(id=f"sivu-{i}", text=f"Täytesivu numero {i}.") for i in range(6)]


def test_changed_added_and_removed_documents(make_engine):
    engine = make_engine(BASE + FILLER, "updates")
    unchanged = publish(engine, BASE + FILLER)
    assert (unchanged.added, unchanged.removed) == (0, 0)
    changed = FILLER + [
        BASE[0].replace(text="Kotihoito auttaa arjessa. Yöpartio käy tarvittaessa."),
        Document(id="hammashoito", title="Hammashoito", text="Hammashoitola hoitaa hampaat."),
    ]  # neuvola and the internal memo removed
    published = publish(engine, changed)
    assert (published.added, published.removed) == (2, 3)
    assert [h.id for h in engine.search("yöpartio").hits] == ["kotihoito"]
    assert [h.id for h in engine.search("hammashoitola").hits] == ["hammashoito"]
    assert engine.search("neuvola").total == 0 and engine.document("neuvola") is None
    assert engine.search("kaarnalaiva", viewer=STAFF).total == 0
    assert engine.suggest("kaarna", viewer=STAFF) == [] and "hammashoitola" in engine.suggest("hammas")
    assert engine.doc_count(STAFF) == 8
    again = publish(engine, changed)
    assert (again.added, again.removed, again.unchanged) == (0, 0, 8)
