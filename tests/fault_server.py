"""A loopback HTTP server whose pages misbehave on purpose: slow, flaky, looping, oversized, mis-encoded."""

from __future__ import annotations

import socket
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit


class Reply:
    """What a route answers: status, headers, body; `delay` seconds before answering; `drop` closes the socket;
    `drip` seconds between single bytes of the body (of the whole response, headers too, with `drip_headers`)."""

    def __init__(self, body: bytes | str = b"", status: int = 200, headers: dict | None = None,
                 delay: float = 0.0, drop: bool = False, chunked: bool = False, drip: float = 0.0,
                 drip_headers: bool = False):
        self.body = body.encode("utf-8") if isinstance(body, str) else body
        self.status = status
        self.headers = {"Content-Type": "text/html; charset=utf-8", **(headers or {})}
        self.delay = delay
        self.drop = drop
        self.chunked = chunked
        self.drip = drip
        self.drip_headers = drip_headers


def page(title: str, text: str, links: tuple[str, ...] = ()) -> str:
    """A small well-formed Finnish page."""
    anchors = "".join(f'<li><a href="{href}">{href}</a></li>' for href in links)
    return (
        f'<!doctype html><html lang="fi"><head><title>{title} | Testisivusto</title></head>'
        f"<body><main><h1>{title}</h1><p>{text}</p><ul>{anchors}</ul></main></body></html>"
    )


class _QuietServer(ThreadingHTTPServer):
    """A server that does not print a traceback when a client hangs up, as a crawler hitting a limit does."""

    def handle_error(self, request, client_address):
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class FaultServer:
    """Serve routes (path -> Reply, or a callable taking the request count and returning one) on 127.0.0.1:0.

    Every request is logged as (path, monotonic time), so tests can count fetches and measure waits.
    """

    def __init__(self, routes: dict[str, Reply | Callable[[int], Reply]]):
        self.routes = routes
        self.log: list[tuple[str, float]] = []
        self.hits: Counter = Counter()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def setup(self):
                super().setup()
                self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # no 40 ms delayed-ACK stalls

            def do_GET(self):  # noqa: N802 - the base class's naming
                path = urlsplit(self.path).path
                outer.hits[path] += 1
                outer.log.append((path, time.monotonic()))
                route = outer.routes.get(path)
                if route is None:
                    reply = Reply("<h1>Ei löydy</h1>", status=404)
                else:
                    reply = route(outer.hits[path]) if callable(route) else route
                if reply.delay:
                    time.sleep(reply.delay)
                if reply.drop:
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return
                if reply.drip:
                    self._drip(reply)
                    return
                self.send_response(reply.status)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                if reply.chunked:
                    self.send_header("Transfer-Encoding", "chunked")
                    self.end_headers()
                    for start in range(0, len(reply.body), 65536):
                        part = reply.body[start:start + 65536]
                        self.wfile.write(f"{len(part):x}\r\n".encode() + part + b"\r\n")
                    self.wfile.write(b"0\r\n\r\n")
                    return
                self.send_header("Content-Length", str(len(reply.body)))
                self.end_headers()
                self.wfile.write(reply.body)

            def _drip(self, reply: Reply) -> None:
                """Send the response a byte at a time until it ends or the client gives up."""
                head = f"HTTP/1.1 {reply.status} Drip\r\n" + "".join(f"{k}: {v}\r\n" for k, v in reply.headers.items())
                head = (head + f"Content-Length: {len(reply.body)}\r\n\r\n").encode("latin-1")
                self.close_connection = True
                try:
                    if not reply.drip_headers:
                        self.wfile.write(head)
                        self.wfile.flush()
                    for byte in (head if reply.drip_headers else b"") + reply.body:
                        self.wfile.write(bytes([byte]))
                        self.wfile.flush()
                        time.sleep(reply.drip)
                except OSError:
                    pass  # the client hung up: what a deadline is for

            def log_message(self, format, *args):  # noqa: A002 - the base class's signature
                """Quiet: tests read outer.log instead."""

        self.server = _QuietServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> "FaultServer":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()
