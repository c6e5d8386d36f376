"""The SQLite corpus store and the Document contract."""

import datetime as dt

import pytest

from corpus.document import Document
from corpus.store import CorpusStore, StoreError, open_data_store


def test_put_get_and_change_detection(tmp_path):
    with open_data_store(tmp_path) as store:
        doc = Document(id="u1", text="Kotihoito tukee kotona asumista.", title="Kotihoito", updated=dt.date(2022, 10, 31))
        assert store.put(doc) is True
        assert store.put(doc) is False  # same content: nothing to re-index
        assert store.put(doc.replace(text="Kotihoito muuttuu.")) is True
        assert store.get("u1").text == "Kotihoito muuttuu."
        assert store.get("u1").updated == dt.date(2022, 10, 31)
        assert store.get("missing") is None


def test_documents_survive_reopening(tmp_path):
    with open_data_store(tmp_path) as store:
        store.put(Document(id="a", text="yksi", source="s1", headings=("Otsikko",)))
        store.put(Document(id="b", text="kaksi", source="s2", visibility="internal"))
    with open_data_store(tmp_path) as store:
        assert store.count() == 2
        assert store.ids("s1") == ["a"]
        assert store.get("a").headings == ("Otsikko",)
        assert store.get("b").visibility == "internal"
        assert store.delete("a") and not store.delete("a")
        assert [d.id for d in store.iter_documents()] == ["b"]


def test_unopenable_store_names_the_file(tmp_path):
    bad = tmp_path / "not-a-db.sqlite3"
    bad.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match="not-a-db.sqlite3"):
        CorpusStore(bad)


@pytest.mark.parametrize(
    "obj, message",
    [
        ({"text": "x"}, "missing required field 'id'"),
        ({"id": "1"}, "missing required field 'text'"),
        ({"id": "1", "text": "x", "visibility": "secret"}, "visibility"),
        ({"id": "1", "text": "x", "updated": "31.10.2022"}, "ISO date"),
        (["not", "an", "object"], "JSON object"),
    ],
)
def test_from_json_rejects_bad_records(obj, message):
    with pytest.raises(ValueError, match=message):
        Document.from_json(obj)


def test_json_round_trip():
    doc = Document(id="x", text="t", title="T", url="http://h/x", lang="sv", updated=dt.date(2023, 1, 1), source="s")
    assert Document.from_json(doc.to_json()) == doc
