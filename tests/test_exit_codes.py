"""Exit codes a scheduler can trust: a crawl that fetched nothing fails naming the source and the reason,
a file type 'import' does not read is refused by name, a mistyped --data-dir is named as missing."""

from __future__ import annotations

import socket
import subprocess
import sys

import pytest
from click.testing import CliRunner

from app.cli import main
from corpus.store import open_data_store

SOTEHAKU = [sys.executable, "-c", "from app.cli import main; main()"]


def closed_port() -> int:
    """A port on 127.0.0.1 where nothing listens (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_a_crawl_that_fetched_nothing_exits_non_zero_naming_source_and_reason(tmp_path):
    port = closed_port()
    done = subprocess.run([*SOTEHAKU, "--data-dir", str(tmp_path / "data"), "crawl", f"http://127.0.0.1:{port}/"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stdout + done.stderr
    assert f"The crawl of source 127.0.0.1:{port} (connection failed: 1) fetched nothing" in done.stderr
    assert "Traceback" not in done.stderr
    with open_data_store(tmp_path / "data") as store:  # recorded for /metrics and schedulers
        [run] = store.crawl_runs()
    assert (run["source"], run["ok"], run["fetched"], run["skipped"]) == (f"127.0.0.1:{port}", False, 0, {"connection failed": 1})


def test_a_crawl_that_fetched_pages_exits_zero_and_is_recorded(tmp_path, sample_site_url):
    done = subprocess.run([*SOTEHAKU, "--data-dir", str(tmp_path / "data"), "crawl", f"{sample_site_url}/en/reform.html"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    with open_data_store(tmp_path / "data") as store:
        runs = store.crawl_runs()
    assert runs and all(run["ok"] and run["fetched"] > 0 for run in runs)


@pytest.mark.parametrize("name", ["README.md", "notes.txt", "page.html", "LICENSE"])
def test_import_refuses_a_file_type_it_does_not_read(tmp_path, name):
    path = tmp_path / name
    path.write_text("# Otsikko\n\nTämä ei ole JSONia.\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["--data-dir", str(tmp_path / "data"), "import", str(path)])
    assert result.exit_code == 1
    assert f"{path}: 'sotehaku import' reads JSONL files" in result.output
    assert "not valid JSON" not in result.output
    with open_data_store(tmp_path / "data") as store:
        assert store.count() == 0


@pytest.mark.parametrize("command", [["search", "kela"], ["stats"], ["index"], ["export"], ["suggest", "ke"],
                                     ["remove", "x"], ["backup", "backup-dir"]])
def test_a_missing_data_dir_is_named_as_missing(tmp_path, command):
    typo = tmp_path / "sotehaku-dta"
    result = CliRunner().invoke(main, ["--data-dir", str(typo), *command])
    assert result.exit_code != 0
    assert f"The data directory {typo} does not exist" in result.output
    assert "Run 'sotehaku index'" not in result.output and not typo.exists()
