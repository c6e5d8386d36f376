"""JSONL import refuses records whose fields have the wrong type or hold a NUL, naming the line and the field."""

from __future__ import annotations

import json

import pytest

from corpus.document import Document
from corpus.ingest import import_jsonl
from corpus.store import CorpusStore


@pytest.mark.parametrize(
    "record, message",
    [
        ({"id": "a", "text": ["a"]}, "field 'text' must be a string, not a list"),
        ({"id": "a", "text": {"fi": "a"}}, "field 'text' must be a string, not an object"),
        ({"id": "a", "text": 5}, "field 'text' must be a string, not a number"),
        ({"id": "a\u0000b", "text": "x"}, "field 'id' holds a NUL character"),
        ({"id": "a", "text": "x", "url": "http://a.fi/\u0000"}, "field 'url' holds a NUL character"),
        ({"id": ["a"], "text": "x"}, "field 'id' must be a string, not a list"),
        ({"id": True, "text": "x"}, "field 'id' must be a string, not a boolean"),
        ({"id": "a", "text": "x", "title": ["T"]}, "field 'title' must be a string, not a list"),
        ({"id": "a", "text": "x", "headings": "Otsikko"}, "field 'headings' must be a list of strings"),
        ({"id": "a", "text": "x", "headings": [1, 2]}, "field 'headings' must be a list of strings"),
    ],
)
def test_jsonl_import_refuses_wrong_types_and_nul(tmp_path, record, message):
    src = tmp_path / "docs.jsonl"
    src.write_text(json.dumps({"id": "ok", "text": "Hyvä rivi."}) + "\n" + json.dumps(record) + "\n", encoding="utf-8")
    store = CorpusStore(tmp_path / "c.sqlite3")
    stats = import_jsonl(src, store)
    assert stats.imported == 1 and store.ids() == ["ok"]
    assert stats.errors == [f"{src}:2: {message}"]


def test_numeric_ids_and_null_optional_fields_still_import():
    doc = Document.from_json({"id": 42, "text": "Teksti.", "title": None, "updated": None, "headings": None})
    assert doc.id == "42" and doc.title == "" and doc.headings == ()
