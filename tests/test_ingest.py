"""JSONL import (bad lines reported, good ones kept) and export in the same shape."""

import io
import json

import pytest

from corpus.ingest import ImportFileError, export_jsonl, import_jsonl
from corpus.store import open_data_store


def write_lines(path, lines):
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_import_keeps_good_lines_and_reports_bad_ones(tmp_path):
    src = write_lines(
        tmp_path / "docs.jsonl",
        [
            json.dumps({"id": "1", "text": "Palveluseteli on vaihtoehto.", "title": "Palveluseteli", "updated": "2022-10-31"}),
            "{not json",
            json.dumps({"id": "2"}),
            "",
            json.dumps({"id": "3", "text": "Pöytäkirja", "visibility": "internal", "lang": "fi"}),
        ],
    )
    with open_data_store(tmp_path / "data") as store:
        stats = import_jsonl(src, store)
        assert stats.imported == 2
        assert len(stats.errors) == 2
        assert stats.errors[0].startswith(f"{src}:2: not valid JSON")
        assert stats.errors[1] == f"{src}:3: missing required field 'text'"
        assert store.get("1").source == "docs"
        assert store.get("3").visibility == "internal"


def test_import_overrides_source_and_visibility(tmp_path):
    src = write_lines(tmp_path / "d.jsonl", [json.dumps({"id": "1", "text": "x", "visibility": "public"})])
    with open_data_store(tmp_path / "data") as store:
        import_jsonl(src, store, source="intra", visibility="internal")
        assert (store.get("1").source, store.get("1").visibility) == ("intra", "internal")


def test_missing_and_non_utf8_files_are_clear_errors(tmp_path):
    with open_data_store(tmp_path / "data") as store:
        with pytest.raises(ImportFileError, match="Cannot read .*nope.jsonl"):
            import_jsonl(tmp_path / "nope.jsonl", store)
        latin = tmp_path / "latin.jsonl"
        latin.write_bytes('{"id": "1", "text": "Hämeenlinna"}\n'.encode("latin-1"))
        with pytest.raises(ImportFileError, match="not UTF-8"):
            import_jsonl(latin, store)


def test_export_writes_what_import_reads(tmp_path):
    original = {"id": "a", "text": "Kotihoito", "title": "K", "url": "http://x/a", "lang": "fi",
                "visibility": "public", "updated": "2021-05-04", "source": "s"}
    src = write_lines(tmp_path / "in.jsonl", [json.dumps(original)])
    with open_data_store(tmp_path / "data") as store:
        import_jsonl(src, store)
        out = io.StringIO()
        assert export_jsonl(store, out) == 1
    exported = json.loads(out.getvalue())
    for key, value in original.items():
        assert exported[key] == value
