"""An interrupted crawl (Ctrl-C or a kill) keeps what it fetched, and the next run resumes where it stopped."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from fault_server import FaultServer, Reply, page

from corpus.crawl import Crawler
from corpus.sources import Source
from corpus.store import open_data_store

PAGES = 12


def chain_site(delay: float = 0.0) -> dict:
    """A front page and PAGES pages, each linking to the next, so the frontier grows as the crawl goes."""
    routes = {"/": Reply(page("Etusivu", "Alku.", ("/sivu1",)), delay=delay)}
    for i in range(1, PAGES + 1):
        routes[f"/sivu{i}"] = Reply(page(f"Sivu {i}", f"Työryhmän kokous numero {i}.", (f"/sivu{i + 1}",)), delay=delay)
    return routes


class Interrupt(Exception):
    """Stands in for Ctrl-C without disturbing pytest's own KeyboardInterrupt handling."""


def test_interrupted_crawl_keeps_pages_and_resumes_without_refetching(tmp_path):
    with FaultServer(chain_site()) as server:
        source = Source.for_url(server.url + "/")

        def stop_after_five(stats):
            if stats.fetched == 5:
                raise Interrupt

        with open_data_store(tmp_path) as store:
            with pytest.raises(Interrupt):
                Crawler(source, store, progress=stop_after_five).run()
            assert store.count() == 5
            pending, _ = store.frontier(source.name)
            assert [url for url, _, _ in pending] == [server.url + "/sivu5"]
            resumed = Crawler(source, store).run()
            assert store.count() == PAGES + 1
            assert store.frontier(source.name) == ([], set())  # a finished crawl leaves no frontier
        pages = {path: n for path, n in server.hits.items() if path.startswith("/sivu") or path == "/"}
    assert resumed.resumed == 1 and resumed.fetched == PAGES + 2 - 5  # the rest, and the missing /sivu13
    assert set(pages.values()) == {1}  # no page fetched twice across the two runs


def test_killed_crawl_process_resumes(tmp_path):
    """SIGKILL mid-crawl: the store stays readable, and the next run fetches only what is left."""
    with FaultServer(chain_site(delay=0.15)) as server:
        data_dir = tmp_path / "data"
        command = [str(Path(sys.executable).parent / "sotehaku"), "--data-dir", str(data_dir), "crawl", server.url + "/"]
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            deadline = time.monotonic() + 30
            while server.hits["/sivu4"] == 0 and time.monotonic() < deadline:
                time.sleep(0.02)
            time.sleep(0.05)
            os.kill(process.pid, signal.SIGKILL)
        finally:
            process.wait(timeout=10)
        with open_data_store(data_dir) as store:
            kept = store.count()
        assert 3 <= kept < PAGES + 1
        before = dict(server.hits)
        done = subprocess.run(command, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        assert "resumed with 1 queued" in done.stdout
        with open_data_store(data_dir) as store:
            assert store.count() == PAGES + 1
        refetched = [p for p, n in server.hits.items() if p.startswith("/sivu") and n > 1]
    assert len(refetched) <= 1, (before, refetched)  # at most the page being fetched at the kill


def test_ctrl_c_says_what_was_kept_and_how_to_resume(tmp_path):
    with FaultServer(chain_site(delay=0.15)) as server:
        command = [str(Path(sys.executable).parent / "sotehaku"), "--data-dir", str(tmp_path), "crawl", server.url + "/"]
        # Ctrl-C reaches the crawl as a terminal would deliver it, even when this test runs in a background
        # job, whose children inherit SIGINT ignored (and Python then installs no KeyboardInterrupt handler).
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                   preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
        deadline = time.monotonic() + 30
        while server.hits["/sivu3"] == 0 and time.monotonic() < deadline:
            time.sleep(0.02)
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=20)
    assert process.returncode == 130
    assert "Run the same command again to resume" in stderr and "Traceback" not in stderr
    assert re.search(r"the [1-9]\d* documents in the corpus are kept", stderr)
