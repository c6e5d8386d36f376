"""Fixtures that build on each other: sample site server -> crawled store -> built index -> engine -> web server."""

from __future__ import annotations

import shutil
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvicorn

from app.accounts import DAY, open_accounts
from app.backend import open_engine
from app.pipeline import crawl_sources, run_pipeline
from app.web.app import create_app
from corpus.sample import demo_sources, serve_sample_site


class Clock:
    """A clock the test moves by hand (set .now), for code that takes a `clock` callable."""

    def __init__(self, now=1_700_000_000.0):  # 2023-11-14 22:13:20 UTC
        self.now = now

    def __call__(self):
        return self.now


@pytest.fixture()
def clock():
    return Clock()


@pytest.fixture(scope="session")
def sample_site_url():
    """The bundled sample site served on 127.0.0.1, on a free port."""
    with serve_sample_site() as url:
        yield url


@pytest.fixture(scope="session")
def crawled_data_dir(tmp_path_factory, sample_site_url):
    """A data directory whose store holds the demo's crawl of the sample site (public site + intranet)."""
    data_dir = tmp_path_factory.mktemp("crawled")
    run_pipeline(data_dir, crawl_sources(demo_sources(sample_site_url)), publish=False)
    return data_dir


@pytest.fixture(scope="session")
def indexed_data_dir(crawled_data_dir):
    """The crawled data directory with a published index (the pipeline's last stage, as 'sotehaku index')."""
    run_pipeline(crawled_data_dir)
    return crawled_data_dir


@pytest.fixture(scope="session")
def engine(indexed_data_dir):
    """A search engine on the sample site's index."""
    return open_engine(indexed_data_dir)


class ServerThread:
    """A real uvicorn server on 127.0.0.1, port 0, in a background thread."""

    def __init__(self, app):
        # As `sotehaku serve`: the app reads forwarded headers itself (from its trusted proxies only).
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", proxy_headers=False))
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


@dataclass(frozen=True)
class Staff:
    """A data directory with staff accounts: one that can sign in, and API tokens that should and should not work."""

    data_dir: Path
    name: str
    password: str
    tokens: dict[str, str]  # "valid", "expired" (a day-long token made three days ago), "removed" (its account is gone)


@pytest.fixture(scope="session")
def staff(indexed_data_dir, tmp_path_factory):
    """A copy of the indexed data directory with staff accounts, so that the shared one has none."""
    copy = tmp_path_factory.mktemp("staff") / "data"
    shutil.copytree(indexed_data_dir, copy, ignore=shutil.ignore_patterns("querylog.sqlite3*", "accounts.sqlite3*"))
    name, password = "anna.virtanen", "kaarna-ja-kuori-2024"
    with open_accounts(copy) as accounts:
        valid = accounts.add_user(name, password)
        removed = accounts.add_user("lahtenyt.tyontekija")
        accounts.remove_user("lahtenyt.tyontekija")
    with open_accounts(copy, clock=lambda: time.time() - 3 * DAY) as accounts:
        expired = accounts.new_token(name, expires_days=1)
    return Staff(copy, name, password, {"valid": valid, "expired": expired, "removed": removed})


@pytest.fixture(scope="session")
def staff_web_url(staff):
    """Base URL of a web app on the staff data directory (signing in works there)."""
    with ServerThread(create_app(staff.data_dir)) as url:
        yield url


@pytest.fixture(scope="session")
def chromium():
    """Debian's Chromium, headless, driven by Playwright; one per test session."""
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium") or "/usr/bin/chromium"
    # The machine's network is closed: without these flags Chromium keeps trying to reach Google's hosts.
    args = [
        "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync",
    ]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=args)
        yield browser
        browser.close()


# The SolrCloud cluster fixtures live in their own module; importing them here shares them with every test.
from solrcloud_fixture import solrcloud, solrcloud_collection  # noqa: E402,F401
