"""The bundled sample welfare-area site and a loopback HTTP server for it (demo and tests)."""

from __future__ import annotations

import contextlib
import functools
import io
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

from corpus.sources import Source

SAMPLE_SITE_DIR = Path(__file__).parent / "sample_site"
BASE_URL_PLACEHOLDER = b"{{BASE_URL}}"


class SampleSiteHandler(SimpleHTTPRequestHandler):
    """Serves the site's files; robots.txt and sitemaps get the server's real base URL filled in."""

    def send_head(self):
        path = Path(self.translate_path(self.path))
        if path.suffix not in (".txt", ".xml") or not path.is_file():
            return super().send_head()
        body = path.read_bytes().replace(BASE_URL_PLACEHOLDER, self.base_url().encode())
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; charset=utf-8" if path.suffix == ".txt" else "application/xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)

    def base_url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def log_message(self, format, *args):  # noqa: A002 - the base class's signature
        """Stay quiet: the crawler logs what matters."""


@contextlib.contextmanager
def serve_sample_site(host: str = "127.0.0.1", port: int = 0, directory: Path = SAMPLE_SITE_DIR) -> Iterator[str]:
    """Serve a site directory on a loopback port in a background thread; yield its base URL."""
    handler = functools.partial(SampleSiteHandler, directory=str(directory))
    server = ThreadingHTTPServer((host, port), handler)
    thread = threading.Thread(target=server.serve_forever, name="sample-site", daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def demo_sources(base_url: str) -> list[Source]:
    """The demo's two sources on a served sample site: the public site, and the staff area marked internal."""
    host = urlsplit(base_url).netloc
    return [
        Source(
            name="sample-site",
            start_urls=(f"{base_url}/",),
            allowed_hosts=(host,),
            exclude=(r"/sisainen/",),
            visibility="public",
        ),
        Source(
            name="sample-intranet",
            start_urls=(f"{base_url}/sisainen/",),
            allowed_hosts=(host,),
            include=(r"/sisainen/",),
            visibility="internal",
        ),
    ]
