"""Incremental index updates: only changed documents are analysed; the live version is never touched."""

from __future__ import annotations

import pickle
import subprocess
import sys
from pathlib import Path

import pytest

from corpus.document import Document
from corpus.store import open_data_store
from backends.whoosh.writer import update_index
from backends.whoosh.versions import FORMAT_FILE, current_version, index_root
from search.engine import Viewer
from app.backend import open_engine

STAFF = Viewer(name="staff", staff=True)
DOCS = [
    Document(id="kotihoito", title="Kotihoito", text="Kotihoito auttaa arjessa kotona."),
    Document(id="seteli", title="Palveluseteli", text="Palvelusetelillä valitset palveluntuottajan."),
    Document(id="neuvola", title="Neuvola", text="Neuvola tukee lapsiperheitä."),
]


def ids(engine, query: str) -> set[str]:
    return {hit.id for hit in engine.search(query, viewer=STAFF).hits}


def test_a_documents_fingerprint_is_computed_once_and_follows_its_fields():
    """An index run reads a document's fingerprint to skip it when unchanged and again to store it: one
    computation per document, and a changed copy (replace) has its own."""
    doc = DOCS[0]
    first = doc.fingerprint
    assert doc.fingerprint is first
    assert doc.replace(text="Kotihoito auttaa arjessa.").fingerprint != first
    assert doc.replace(text=doc.text).fingerprint == first
    assert pickle.loads(pickle.dumps(doc)).fingerprint == first  # as analysis workers receive it


def test_unchanged_corpus_publishes_nothing(tmp_path):
    first = update_index(lambda: DOCS, tmp_path)
    again = update_index(lambda: DOCS, tmp_path)
    assert first.full and first.added == 3
    assert not again.full and again.version == first.version and again.unchanged == 3 and again.added == 0


FILLER = [Document(id=f"uutinen-{i}", title=f"Uutinen {i}", text=f"Tiedote numero {i} aluehallituksen kokouksesta.") for i in range(6)]


def test_changed_added_and_removed_documents_are_applied(tmp_path):
    first = update_index(lambda: DOCS + FILLER, tmp_path)
    old_engine_dir = index_root(tmp_path) / first.version
    changed = FILLER + [
        DOCS[0].replace(text="Kotihoito auttaa arjessa kotona. Yöpartio käy tarvittaessa."),
        DOCS[1],
        Document(id="hammashoito", title="Hammashoito", text="Hammashoitola hoitaa hampaat."),
        Document(id="perhekeskus", title="Perhekeskus", text="Perhekeskus kokoaa lapsiperheiden palvelut."),
    ]  # neuvola removed
    analysed = []
    second = update_index(lambda: changed, tmp_path, progress=analysed.append)
    assert not second.full and second.version != first.version
    assert (second.added, second.removed, second.unchanged, second.documents) == (3, 2, 7, 10)
    assert len(analysed) == 10  # progress covers kept and added documents alike
    engine = open_engine(tmp_path)
    assert ids(engine, "yöpartio") == {"kotihoito"}
    assert ids(engine, "neuvola") == set()
    assert ids(engine, "hammashoitola") == {"hammashoito"}
    assert ids(engine, "palveluseteli") == {"seteli"}
    assert engine.doc_count(STAFF) == 10
    assert old_engine_dir.is_dir() and (old_engine_dir / FORMAT_FILE).is_file()  # open searchers may still read it


def test_many_updates_in_a_row_stay_consistent(tmp_path):
    docs = DOCS + FILLER
    update_index(lambda: docs, tmp_path)
    for round_ in range(4):
        docs[0] = docs[0].replace(text=f"Kotihoito kierros{round_} auttaa.")
        assert not update_index(lambda: docs, tmp_path).full
    engine = open_engine(tmp_path)
    assert ids(engine, "kierros3") == {"kotihoito"} and ids(engine, "kierros2") == set()
    assert engine.doc_count(STAFF) == 9
    assert len([p for p in index_root(tmp_path).iterdir() if p.is_dir()]) == 2  # the live version and one before


def test_index_of_another_format_is_rebuilt_in_full(tmp_path):
    first = update_index(lambda: DOCS, tmp_path)
    (index_root(tmp_path) / first.version / FORMAT_FILE).write_text("sotehaku-index-0\n", encoding="utf-8")
    again = update_index(lambda: DOCS, tmp_path)
    assert again.full and again.version != first.version and again.added == 3


def test_failed_update_leaves_the_live_version_and_no_debris(tmp_path):
    first = update_index(lambda: DOCS, tmp_path)

    def broken():
        yield Document(id="uusi", text="Uusi sivu.")
        raise OSError("disk gone")

    with pytest.raises(OSError):
        update_index(broken, tmp_path)
    assert current_version(tmp_path) == first.version
    assert not [p for p in index_root(tmp_path).iterdir() if p.name.endswith(".building")]
    assert ids(open_engine(tmp_path), "kotihoito") == {"kotihoito"}


def test_cli_index_twice_reports_up_to_date(tmp_path):
    with open_data_store(tmp_path) as store:
        store.put_many(DOCS + FILLER)
    sotehaku = str(Path(sys.executable).parent / "sotehaku")
    first = subprocess.run([sotehaku, "--data-dir", str(tmp_path), "index"], capture_output=True, text=True, timeout=120)
    second = subprocess.run([sotehaku, "--data-dir", str(tmp_path), "index"], capture_output=True, text=True, timeout=120)
    assert "Indexed 9 documents" in first.stdout
    assert "The index is up to date (9 documents" in second.stdout
    with open_data_store(tmp_path) as store:
        store.delete("neuvola")
    third = subprocess.run([sotehaku, "--data-dir", str(tmp_path), "index"], capture_output=True, text=True, timeout=120)
    assert "0 added or changed, 1 removed, 8 unchanged" in third.stdout


def test_completions_follow_updates_exactly(tmp_path):
    """A document that becomes internal or goes away takes its words out of anonymous completions at once."""
    docs = DOCS + FILLER + [Document(id="hanke", title="Hanke", text="Kaarnalaiva-hanke etenee.")]
    update_index(lambda: docs, tmp_path)
    assert open_engine(tmp_path).suggest("kaarna") == ["kaarnalaiva", "kaarnalaiva-hanke"]
    docs[-1] = docs[-1].replace(visibility="internal")
    assert not update_index(lambda: docs, tmp_path).full
    engine = open_engine(tmp_path)
    assert engine.suggest("kaarna") == []
    assert engine.search("kaarnalaivva").suggestion is None
    assert engine.suggest("kaarna", viewer=STAFF) == ["kaarnalaiva", "kaarnalaiva-hanke"]
    update_index(lambda: docs[:-1], tmp_path)
    assert open_engine(tmp_path).suggest("kaarna", viewer=STAFF) == []
