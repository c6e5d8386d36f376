"""`sotehaku crawl` of a hostile site: every trap is skipped with its URL and reason, within bounded memory,
and the normal page linked after the traps is stored."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from fault_server import FaultServer
from hostile import NORMAL_TEXT, hostile_routes

from corpus.store import open_data_store

MAX_RSS_MB = 500  # the goal for a crawl of the hostile site
# Linux carries a process's peak memory over fork and exec, so a crawl started from pytest would report
# pytest's own peak (over 500 MB late in a full run). A small launcher process, started fresh, starts
# the crawl and reports the peak of that child alone, which begins from the launcher's few megabytes.
PEAK_LAUNCHER = (
    "import os, subprocess, sys\n"
    "child = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL)\n"
    "_, status, usage = os.wait4(child.pid, 0)\n"
    "print(os.waitstatus_to_exitcode(status), usage.ru_maxrss)\n"
)


def test_crawl_of_the_hostile_site_skips_every_trap_and_stores_the_normal_page(tmp_path):
    routes: dict = {}
    with FaultServer(routes) as server:
        routes.update(hostile_routes(server.url))
        config = tmp_path / "sotehaku.toml"
        config.write_text(
            f'[[source]]\nname = "vihamielinen"\nstart_urls = ["{server.url}/"]\n'
            "timeout = 0.5\ndeadline = 2\nretries = 1\n", encoding="utf-8",
        )
        command = [str(Path(sys.executable).parent / "sotehaku"), "--data-dir", str(tmp_path / "data"), "-v",
                   "crawl", "--config", str(config)]
        log = tmp_path / "crawl.log"
        with log.open("w") as stderr_file:
            launcher = subprocess.run(
                [sys.executable, "-c", PEAK_LAUNCHER, *command], stdout=subprocess.PIPE, stderr=stderr_file, text=True
            )
        stderr = log.read_text()
        exit_code, peak_kb = (int(v) for v in launcher.stdout.split())
        assert exit_code == 0, stderr
        base = server.url
        assert server.hits["/salainen.html"] == 0  # the UTF-16 robots.txt is obeyed
        assert server.hits["/tippuva.html"] == 1 and server.hits["/tippuvat-otsakkeet.html"] == 1

    expected = {
        "/pommi.html": "too large (over 10485760 bytes)",
        "/tippuva.html": "took longer than 2 s in all",
        "/tippuvat-otsakkeet.html": "took longer than 2 s in all",
        "/sisakkain.html": "elements nested over 256 deep",
        "/katkennut.pdf": "unparseable",
        "/roskaa.pdf": "unparseable",
        "/rikki.docx": "unparseable",
        "/muistio.docx": "a zip bomb?",
        "/salainen.html": "disallowed by robots.txt",
    }
    for path, reason in expected.items():
        line = next((line for line in stderr.splitlines() if line.startswith(f"skipped {base}{path}: ")), "")
        assert reason in line, f"{path}: {line or 'no skip line'}"
    assert f"skipped sitemap {base}/sitemap.xml.gz: gzip expands" in stderr
    assert "Traceback" not in stderr
    assert peak_kb / 1024 < MAX_RSS_MB

    with open_data_store(tmp_path / "data") as store:
        stored = {doc.url.removeprefix(base): doc for doc in store.iter_documents()}
    assert set(stored) == {"/", "/tavallinen.html"}
    assert NORMAL_TEXT in stored["/tavallinen.html"].text
