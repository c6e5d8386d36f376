"""Fixtures that build on each other: sample site server -> crawled store -> built index -> engine -> web server."""

from __future__ import annotations

import threading
import time

import pytest
import uvicorn

from corpus.crawl import crawl_source
from corpus.dedup import mark_near_duplicates
from corpus.sample import demo_sources, serve_sample_site
from corpus.store import open_data_store
from indexer.build import build_index
from search.engine import SearchEngine
from search.web.app import create_app


@pytest.fixture(scope="session")
def sample_site_url():
    """The bundled sample site served on 127.0.0.1, on a free port."""
    with serve_sample_site() as url:
        yield url


@pytest.fixture(scope="session")
def crawled_data_dir(tmp_path_factory, sample_site_url):
    """A data directory whose store holds the demo's crawl of the sample site (public site + intranet)."""
    data_dir = tmp_path_factory.mktemp("crawled")
    with open_data_store(data_dir) as store:
        for source in demo_sources(sample_site_url):
            crawl_source(source, store)
        mark_near_duplicates(store)
    return data_dir


@pytest.fixture(scope="session")
def indexed_data_dir(crawled_data_dir):
    """The crawled data directory with a published index."""
    with open_data_store(crawled_data_dir) as store:
        build_index(store.iter_documents(), crawled_data_dir)
    return crawled_data_dir


@pytest.fixture(scope="session")
def engine(indexed_data_dir):
    """A search engine on the sample site's index."""
    return SearchEngine(indexed_data_dir)


class ServerThread:
    """A real uvicorn server on 127.0.0.1, port 0, in a background thread."""

    def __init__(self, app):
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> str:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the test web server did not start")
            time.sleep(0.01)
        port = self.server.servers[0].sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}"

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture(scope="session")
def web_url(indexed_data_dir):
    """Base URL of the web app serving the sample site's index."""
    with ServerThread(create_app(indexed_data_dir)) as url:
        yield url


@pytest.fixture()
def serve_app():
    """Start a web app of the test's own on a free port; yields a function app -> base URL."""
    servers = []

    def start(app) -> str:
        server = ServerThread(app)
        servers.append(server)
        return server.__enter__()

    yield start
    for server in servers:
        server.__exit__(None, None, None)
