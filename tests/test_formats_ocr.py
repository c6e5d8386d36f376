"""Tesseract's confidence in a document's OCR text is kept with the document: in the corpus store (a
schema step of its own), in JSONL exports and imports, and as the weight the indexes rank it with."""

from __future__ import annotations

import io
import json
import sqlite3

import pytest

from corpus import store as corpus_store
from corpus.document import Document
from corpus.ingest import export_jsonl, import_jsonl
from corpus.migrate import migrate, schema_version
from corpus.store import CorpusStore, open_data_store
from indexer.fields import OCR_MIN_WEIGHT, ranking_weight

SCAN = Document(id="poytakirja", text="Aluehallitus päätti hammashoitolan peruskorjauksesta.", content_type="application/pdf",
                description="Teksti on tunnistettu skannatusta kuvasta (OCR, sivu 1, tunnistusvarmuus 71 %).", ocr_confidence=71.4)


def test_the_confidence_survives_the_store_and_a_jsonl_export_and_import(tmp_path):
    with open_data_store(tmp_path / "a") as store:
        store.put(SCAN)
        store.put(Document(id="teksti", text="Hammashoitola avataan."))
        out = io.StringIO()
        export_jsonl(store, out)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [line["ocr_confidence"] for line in lines] == [71.4, None]
    exported = tmp_path / "export.jsonl"
    exported.write_text(out.getvalue(), encoding="utf-8")
    with open_data_store(tmp_path / "b") as store:
        assert import_jsonl(exported, store).imported == 2
        assert store.get("poytakirja") == SCAN
        assert store.get("teksti").ocr_confidence is None


def test_a_store_of_the_schema_before_the_confidence_is_upgraded_in_place(tmp_path):
    path = tmp_path / "corpus.sqlite3"
    db = sqlite3.connect(path, isolation_level=None)
    migrate(db, corpus_store.MIGRATIONS[:1])  # the store as release 0.1 wrote it
    db.execute("INSERT INTO documents (id, text, content_hash, fetched_at) VALUES ('vanha', 'Kotihoito.', 'x', '2023-01-01')")
    db.close()
    with CorpusStore(path) as store:
        assert schema_version(store._db) == len(corpus_store.MIGRATIONS)
        assert store.get("vanha").ocr_confidence is None
        store.put(SCAN)
        assert store.get("poytakirja").ocr_confidence == 71.4


@pytest.mark.parametrize("value", ["71", 101, -1, True, [50]])
def test_an_imported_record_with_a_bad_confidence_is_refused_naming_the_field(value):
    with pytest.raises(ValueError, match=r"field 'ocr_confidence' must be a number from 0 to 100, or null"):
        Document.from_json({"id": "a", "text": "x", "ocr_confidence": value})


def test_the_weight_falls_with_the_confidence_and_never_below_the_floor():
    weights = [ranking_weight(SCAN.replace(ocr_confidence=c)) for c in (0.0, 30.0, 60.0, 89.0, 90.0, 99.0)]
    assert weights == sorted(weights) and weights[0] == OCR_MIN_WEIGHT and weights[-2:] == [1.0, 1.0]
    assert ranking_weight(SCAN.replace(ocr_confidence=None)) == 1.0
