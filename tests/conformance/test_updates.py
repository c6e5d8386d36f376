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


def test_removal_takes_documents_out_of_every_path_at_once(make_engine):
    url_id = "https://www.example.fi/sivu?a=1,2"  # an id (a URL) with characters a query syntax would split on
    documents = BASE + FILLER + [Document(id=url_id, url=url_id, title="Kaarnalaivasivu", text="Kaarnalaiva julkisesti.")]
    engine = make_engine(documents, "removal")
    before = engine.search("kaarnalaiva", viewer=STAFF).total
    assert before == 2 and engine.document(url_id) is not None
    assert engine.backend.remove([url_id, "muistio", "no-such-document"]) == 2
    assert engine.search("kaarnalaiva", viewer=STAFF).total == 0
    assert engine.document(url_id) is None and engine.document("muistio", viewer=STAFF) is None
    assert engine.suggest("kaarna", viewer=STAFF) == []
    assert engine.doc_count(STAFF) == len(documents) - 2
    assert [h.id for h in engine.search("neuvola").hits] == ["neuvola"]  # the rest stays searchable
    assert engine.backend.remove(["muistio"]) == 0  # already gone: nothing to publish
    # The next update from a corpus without them agrees with the removal.
    published = publish(engine, [d for d in documents if d.id not in (url_id, "muistio")])
    assert (published.added, published.removed) == (0, 0)


def test_a_near_duplicate_added_or_dropped_by_an_update_collapses_with_its_original_or_stops(make_engine):
    original = Document(id="b-ohje", title="Asiakasohje", text="Kotihoidon uusi asiakasohje julkaistiin.")
    # Its copy under another address: an exact copy, so the two score the same and the tie goes by id.
    copy = Document(id="a-kopio", title="Asiakasohje", text="Kotihoidon uusi asiakasohje julkaistiin.",
                    duplicate_of="b-ohje")
    engine = make_engine([original] + FILLER, "duplicates")
    # The original gains its first near-duplicate: it is indexed again (its old version replaced) with its
    # group, and the two are one hit.
    grown = publish(engine, [original, copy] + FILLER)
    assert (grown.added, grown.removed) == (2, 1)
    results = engine.search("asiakasohje")
    assert [h.id for h in results.hits] == ["a-kopio"] and results.total == 1
    assert dict(results.facets["lang"]) == {"fi": 1}
    # The copy marks itself a duplicate no more (the pages differ now): both are found again.
    apart = publish(engine, [original, copy.replace(duplicate_of="")] + FILLER)
    assert (apart.added, apart.removed) == (2, 2)
    assert [h.id for h in engine.search("asiakasohje").hits] == ["a-kopio", "b-ohje"]
