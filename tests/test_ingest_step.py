"""The one ingest step: importers yield items; ingest stores, counts, reports and removes what vanished."""

from __future__ import annotations

from corpus.document import Document
from corpus.importers import Batch, Found, Ignored, Scope, Skipped
from corpus.ingest import import_directory, ingest
from corpus.store import open_data_store

PREFIX = "file:///asema/"


def doc(name: str, text: str = "Hyvinvointialue aloittaa.") -> Document:
    return Document(id=PREFIX + name, url=PREFIX + name, text=text, source="asema")


def test_ingest_stores_counts_reports_and_removes_what_vanished_from_its_scope(tmp_path):
    with open_data_store(tmp_path / "data") as store:
        ingest(Batch(iter([Found(doc("a.txt")), Found(doc("b.txt")), Found(doc("c.txt"))])), store)
        store.put(Document(id="https://muu.fi/x", text="Toinen lähde.", source="asema"))  # same source, outside the scope
        stats = ingest(
            Batch(iter([Found(doc("a.txt")), Found(doc("d.txt")), Skipped("/asema/b.txt: unreadable", PREFIX + "b.txt"),
                        Ignored(), Skipped("/asema/e.txt: too large")]), Scope("asema", PREFIX)),
            store,
        )
        ids = set(store.ids())
    assert (stats.imported, stats.changed, stats.removed, stats.ignored) == (2, 1, 1, 1)
    assert stats.errors == ["/asema/b.txt: unreadable", "/asema/e.txt: too large"]
    # c vanished; b failed today but was not removed; the document outside the scope stays.
    assert ids == {PREFIX + "a.txt", PREFIX + "b.txt", PREFIX + "d.txt", "https://muu.fi/x"}


def test_without_a_scope_nothing_is_removed(tmp_path):
    with open_data_store(tmp_path / "data") as store:
        ingest(Batch(iter([Found(doc("a.txt"))])), store)
        stats = ingest(Batch(iter([Found(doc("b.txt"))])), store)
        assert stats.removed == 0 and store.count() == 2


def test_progress_is_reported_as_documents_are_stored(tmp_path):
    seen = []
    with open_data_store(tmp_path / "data") as store:
        items = (Found(doc(f"{n}.txt", f"Asiakirja numero {n}.")) for n in range(1201))
        ingest(Batch(items), store, progress=lambda stats: seen.append(stats.imported))
    assert seen == [500, 1000, 1201]


def test_a_file_that_breaks_keeps_its_stored_version_on_reimport(tmp_path):
    drive = tmp_path / "asema"
    drive.mkdir()
    (drive / "ohje.rtf").write_bytes(b"{\\rtf1\\ansi Kotihoidon ohje on voimassa.\\par}")
    with open_data_store(tmp_path / "data") as store:
        import_directory(drive, store, source="asema", visibility="internal")
        (drive / "ohje.rtf").write_bytes(b"{\\rtf1 {")  # saved half-way by an editor
        stats = import_directory(drive, store, source="asema", visibility="internal")
        kept = [d.text for d in store.iter_documents()]
    assert stats.removed == 0 and len(stats.errors) == 1 and "RTF has no text" in stats.errors[0]
    assert kept == ["Kotihoidon ohje on voimassa."]
