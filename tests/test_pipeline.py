"""The one pipeline (refresh the corpus -> near-duplicates -> index) that crawl, import, demo and the fixtures run."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from app.backend import open_engine
from app.errors import EmptyCorpusError
from app.pipeline import chain, crawl_sources, forget_sources, import_paths, run_pipeline, store_documents
from corpus.document import Document
from corpus.ingest import ImportFileError
from corpus.sample import demo_sources
from corpus.store import open_data_store
from backends.whoosh.versions import current_version

DOCS = [
    Document(id="kh", url="https://example.fi/kotihoito", title="Kotihoito", text="Kotihoito auttaa asumaan kotona."),
    Document(id="ps", url="https://example.fi/palveluseteli", title="Palveluseteli", text="Palvelusetelillä valitset tuottajan."),
    Document(id="nv", url="https://example.fi/neuvola", title="Neuvola", text="Neuvola tukee lapsiperheitä."),
]


def ids(engine, query):
    return [hit.id for hit in engine.search(query).hits]


def test_pipeline_publishes_then_updates_only_what_changed(tmp_path):
    first = run_pipeline(tmp_path, store_documents(DOCS))
    assert (first.documents, first.duplicates) == (3, 0)
    assert first.index.full and first.index.documents == 3
    assert ids(open_engine(tmp_path), "kotihoidon") == ["kh"]

    unchanged = run_pipeline(tmp_path)
    assert unchanged.index.version == first.index.version and unchanged.index.unchanged == 3

    changed = DOCS[2].replace(text="Neuvola ja kotihoito tekevät yhteistyötä.")
    update = run_pipeline(tmp_path, store_documents([changed]))
    assert not update.index.full  # incremental, as 'sotehaku index' (the demo used to rebuild everything)
    assert (update.index.added, update.index.removed, update.index.unchanged) == (1, 1, 2)
    assert set(ids(open_engine(tmp_path), "kotihoito")) == {"kh", "nv"}


def test_pipeline_marks_near_duplicates(tmp_path):
    long_text = " ".join(["Kotihoito auttaa ikäihmisiä asumaan kotona, ja hoitaja käy kotona päivittäin."] * 4)
    page = DOCS[0].replace(text=long_text)
    copy = page.replace(id="kh-tulostettava", url="https://example.fi/kotihoito-tulostettava")
    run = run_pipeline(tmp_path, store_documents([page, copy, *DOCS[1:]]), publish=False)
    assert run.duplicates == 1 and run.index is None
    assert current_version(tmp_path) is None  # publish=False leaves indexing to 'sotehaku index'


def test_failed_refresh_keeps_the_published_index(tmp_path):
    version = run_pipeline(tmp_path, store_documents(DOCS)).index.version

    def broken(store):
        store.put(Document(id="new", text="Uusi sivu."))
        raise RuntimeError("the crawl died")

    with pytest.raises(RuntimeError):
        run_pipeline(tmp_path, broken)
    assert current_version(tmp_path) == version
    assert ids(open_engine(tmp_path), "neuvola") == ["nv"]


def test_empty_corpus_is_a_clear_error(tmp_path):
    with pytest.raises(EmptyCorpusError, match="sotehaku crawl' or 'sotehaku import"):
        run_pipeline(tmp_path)


def test_import_step_reports_unreadable_paths_and_goes_on(tmp_path):
    good = tmp_path / "docs.jsonl"
    good.write_text('{"id": "a", "text": "Kotihoito."}\n', encoding="utf-8")
    failed, done = [], []
    refresh = import_paths([tmp_path / "missing.jsonl", good], done=lambda p, s: done.append((p, s.imported)),
                           failed=lambda p, exc: failed.append(p))
    run = run_pipeline(tmp_path / "data", refresh)
    assert failed == [tmp_path / "missing.jsonl"] and done == [(good, 1)]
    assert run.index.documents == 1
    with pytest.raises(ImportFileError):
        run_pipeline(tmp_path / "data", import_paths([tmp_path / "missing.jsonl"]))


def test_forget_and_crawl_replace_a_moved_site(tmp_path, sample_site_url):
    data_dir = tmp_path / "data"
    with open_data_store(data_dir) as store:
        store.put(Document(id="http://127.0.0.1:1/old", url="http://127.0.0.1:1/old", source="sample-site", text="Vanha."))
        store.queue_urls("sample-site", [("http://127.0.0.1:1/next", 1, "")])
    sources = demo_sources(sample_site_url)[:1]
    run = run_pipeline(data_dir, chain(forget_sources(sources), crawl_sources(sources)))
    with open_data_store(data_dir) as store:
        assert "http://127.0.0.1:1/old" not in store.ids()
        assert store.frontier("sample-site") == ([], set())
    assert run.index.documents == run.documents > 40
    assert ids(open_engine(data_dir), "työryhmä")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.parametrize("runs", [2])
def test_demo_serves_the_sample_site_search_twice(tmp_path, runs):
    """`sotehaku demo` end to end, run twice on one data directory (the sample site's port changes)."""
    sotehaku = Path(sys.executable).with_name("sotehaku")
    for _ in range(runs):
        port = _free_port()
        process = subprocess.Popen(
            [str(sotehaku), "--data-dir", str(tmp_path / "data"), "demo", "--port", str(port)],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        try:
            lines = []
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                line = process.stdout.readline()
                if not line:
                    break
                lines.append(line)
                if line.startswith("Search page:"):
                    break
            assert any(line.startswith("Indexed ") for line in lines), lines
            for _ in range(50):  # uvicorn listens a moment after the line is printed
                try:
                    answer = httpx.get(f"http://127.0.0.1:{port}/api/search", params={"q": "työryhmä"}, timeout=10)
                    break
                except httpx.TransportError:
                    time.sleep(0.1)
            assert answer.status_code == 200
            hits = answer.json()["hits"]
            assert hits and all(h["visibility"] == "public" for h in hits)
        finally:
            process.terminate()
            process.wait(timeout=20)


def test_crawl_and_import_commands_report_the_corpus_and_leave_indexing_to_index(tmp_path, sample_site_url):
    from click.testing import CliRunner

    from app.cli import main

    data_dir = tmp_path / "data"
    crawled = CliRunner().invoke(main, ["--data-dir", str(data_dir), "crawl", f"{sample_site_url}/uudistus/tyoryhmat/"])
    assert crawled.exit_code == 0, crawled.output
    last = crawled.output.strip().splitlines()[-1]
    assert re.fullmatch(r"The corpus has \d+ documents \(\d+ near-duplicates\)\. Run 'sotehaku index' to make them searchable\.", last)
    assert current_version(data_dir) is None
    jsonl = tmp_path / "docs.jsonl"
    jsonl.write_text('{"id": "a", "text": "Kotihoito."}\n', encoding="utf-8")
    imported = CliRunner().invoke(main, ["--data-dir", str(data_dir), "import", str(jsonl)])
    assert imported.exit_code == 0 and imported.output.strip().splitlines()[-1].startswith("The corpus has ")
    indexed = CliRunner().invoke(main, ["--data-dir", str(data_dir), "index"])
    assert indexed.exit_code == 0 and indexed.output.strip().splitlines()[-1].startswith("Indexed ")
