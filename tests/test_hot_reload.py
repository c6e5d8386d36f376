"""A running server picks up each newly published index version, and keeps answering while indexing runs."""

from __future__ import annotations

import threading

import httpx

from corpus.document import Document
from backends.whoosh.versions import current_version
from backends.whoosh.writer import update_index
from app.web.app import create_app

BASE = [Document(id=f"tiedote-{i}", title=f"Tiedote {i}", text=f"Aluehallituksen tiedote numero {i} palveluverkosta.") for i in range(40)]


def test_new_versions_are_served_without_a_restart_and_searches_never_fail(tmp_path, serve_app):
    update_index(lambda: BASE, tmp_path)
    url = serve_app(create_app(tmp_path))
    assert httpx.get(f"{url}/api/search", params={"q": "yöpartio"}).json()["total"] == 0
    failures, statuses, stop = [], [], threading.Event()

    def search_continuously():
        with httpx.Client(timeout=10) as client:
            while not stop.is_set():
                response = client.get(f"{url}/api/search", params={"q": "palveluverkko"})
                statuses.append(response.status_code)
                if response.status_code != 200 or response.json()["total"] < 40:
                    failures.append((response.status_code, response.text[:200]))

    searcher = threading.Thread(target=search_continuously)
    searcher.start()
    try:
        versions = set()
        for round_ in range(4):  # four updates while searches run
            seen = len(statuses)
            while len(statuses) < seen + 5 and searcher.is_alive():
                stop.wait(0.01)
            docs = BASE + [Document(id=f"uusi-{round_}", title="Yöpartio", text=f"Yöpartio aloittaa kierroksella {round_}.")]
            versions.add(update_index(lambda: docs, tmp_path).version)
    finally:
        stop.set()
        searcher.join()
    assert len(versions) == 4 and len(statuses) > 10 and not failures
    latest = httpx.get(f"{url}/api/search", params={"q": "yöpartio"}).json()
    assert [hit["id"] for hit in latest["hits"]] == ["uusi-3"]  # the last published version, no restart
    assert httpx.get(f"{url}/healthz").json()["index_version"] == current_version(tmp_path)
