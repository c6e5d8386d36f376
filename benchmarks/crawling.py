"""Parse and crawl throughput: sotehaku's corpus stage against the bare minimum of the same work.

Parse: every page of the bundled sample site (HTML, PDF, DOCX), parsed again and again, in pages/s;
the baseline is the least any extractor does, BeautifulSoup with lxml and get_text(), no extraction.
Crawl: a generated site of N distinct pages served by another process on 127.0.0.1 with no delay.
sotehaku crawls it (robots, sitemap, normalising, parsing, SQLite store with frontier) and then
re-crawls it (every page revalidated, 304); the baseline GETs the same URLs with one httpx client
and does nothing with them.
Run: .venv/bin/python benchmarks/crawling.py [--pages N] [--rounds R]
"""

from __future__ import annotations

import argparse
import email.utils
import multiprocessing
import socket
import tempfile
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
from bs4 import BeautifulSoup

from corpus.crawl import Crawler
from corpus.parse import parse_document
from corpus.sample import SAMPLE_SITE_DIR
from corpus.sources import Source
from corpus.store import open_data_store

TYPES = {".html": "text/html; charset=utf-8", ".pdf": "application/pdf",
         ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}
TEMPLATE = (SAMPLE_SITE_DIR / "palvelut" / "palveluseteli.html").read_text(encoding="utf-8")
LAST_MODIFIED = email.utils.formatdate(1_667_000_000, usegmt=True)


def sample_pages() -> list[tuple[str, bytes, str]]:
    """(url, bytes, content type) of every document file of the sample site."""
    pages = []
    for path in sorted(SAMPLE_SITE_DIR.rglob("*")):
        if path.suffix in TYPES:
            url = "http://127.0.0.1/" + path.relative_to(SAMPLE_SITE_DIR).as_posix()
            pages.append((url, path.read_bytes(), TYPES[path.suffix]))
    return pages


def parse_rates(rounds: int) -> dict[str, tuple[int, float, float]]:
    """{kind: (pages, sotehaku pages/s, baseline pages/s)} over `rounds` passes of the sample site."""
    by_kind: dict[str, list] = {}
    for page in sample_pages():
        by_kind.setdefault(Path(page[0]).suffix.lstrip("."), []).append(page)
    rates = {}
    for kind, pages in by_kind.items():
        started = time.perf_counter()
        for _ in range(rounds):
            for url, content, content_type in pages:
                parse_document(content, url, content_type=content_type)
        ours = len(pages) * rounds / (time.perf_counter() - started)
        baseline = float("nan")
        if kind == "html":
            started = time.perf_counter()
            for _ in range(rounds):
                for _, content, _ in pages:
                    BeautifulSoup(content, "lxml").get_text()
            baseline = len(pages) * rounds / (time.perf_counter() - started)
        rates[kind] = (len(pages), ours, baseline)
    return rates


def page_html(i: int, pages: int) -> bytes:
    """Page i of the generated site: the sample page's chrome and text, made distinct, linking onwards."""
    links = "".join(f'<li><a href="/p/{j % pages}.html">Sivu {j % pages}</a></li>' for j in range(i + 1, i + 6))
    body = TEMPLATE.replace("<h1>Palveluseteli</h1>", f"<h1>Palveluseteli {i}</h1><p>Sivun numero {i}.</p><ul>{links}</ul>")
    return body.encode("utf-8")


class GeneratedSite(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    pages = 0

    def setup(self):
        super().setup()
        # Headers and body go out in two writes; without this, Nagle's algorithm and delayed ACKs add
        # 40 ms to every response on a kept-alive connection, and the benchmark would measure that.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def do_GET(self):  # noqa: N802 - the base class's naming
        if self.path == "/robots.txt":
            return self._send(200, b"User-agent: *\nAllow: /\n", "text/plain")
        if self.path.startswith("/p/") and self.path.endswith(".html"):
            number = self.path[3:-5]
            if number.isdigit() and int(number) < self.pages:
                if self.headers.get("If-Modified-Since") == LAST_MODIFIED:
                    return self._send(304, b"", None)
                return self._send(200, page_html(int(number), self.pages), "text/html; charset=utf-8")
        return self._send(404, b"<h1>Ei loydy</h1>", "text/html")

    def _send(self, status: int, body: bytes, content_type: str | None):
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
            self.send_header("Last-Modified", LAST_MODIFIED)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):  # noqa: A002
        pass


def serve(pages: int, port_queue) -> None:
    GeneratedSite.pages = pages
    server = ThreadingHTTPServer(("127.0.0.1", 0), GeneratedSite)
    port_queue.put(server.server_address[1])
    server.serve_forever()


def crawl_rates(pages: int) -> dict[str, float]:
    """Pages/s of the baseline GET loop, a first sotehaku crawl and a revalidating re-crawl."""
    ports = multiprocessing.Queue()
    server = multiprocessing.Process(target=serve, args=(pages, ports), daemon=True)
    server.start()
    try:
        base = f"http://127.0.0.1:{ports.get(timeout=10)}"
        urls = [f"{base}/p/{i}.html" for i in range(pages)]
        started = time.perf_counter()
        with httpx.Client() as client:
            statuses = Counter(client.get(url).status_code for url in urls)
        assert statuses == {200: pages}, statuses
        rates = {"baseline: httpx GET loop": pages / (time.perf_counter() - started)}
        source = Source(name="bench", start_urls=(f"{base}/p/0.html",), allowed_hosts=(base.split("//")[1],),
                        include=(r"/p/\d+\.html$",), max_pages=pages, max_depth=pages)
        with tempfile.TemporaryDirectory() as data_dir, open_data_store(data_dir) as store:
            for label in ("sotehaku: first crawl", "sotehaku: re-crawl (304s)"):
                started = time.perf_counter()
                stats = Crawler(source, store).run()
                elapsed = time.perf_counter() - started
                assert stats.fetched == pages and store.count() == pages, stats.summary()
                rates[label] = pages / elapsed
    finally:
        server.terminate()
    return rates


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=2000, help="pages of the generated site to crawl")
    parser.add_argument("--rounds", type=int, default=20, help="passes over the sample site when parsing")
    args = parser.parse_args()
    print(f"Parse throughput, sample site, {args.rounds} passes")
    print(f"{'type':6} {'pages':>5} {'sotehaku pages/s':>17} {'baseline pages/s':>17}")
    for kind, (count, ours, baseline) in parse_rates(args.rounds).items():
        print(f"{kind:6} {count:5} {ours:17.1f} {baseline:17.1f}")
    print(f"\nCrawl throughput, {args.pages} generated pages on 127.0.0.1, no delay")
    for label, rate in crawl_rates(args.pages).items():
        print(f"{label:28} {rate:8.1f} pages/s")


if __name__ == "__main__":
    main()
