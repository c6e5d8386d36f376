"""An access log without personal data: one line per request with the time, method, path, status and duration.

Left out on purpose: the client's address, cookies, the Authorization header, the user agent, the referrer
and the query string. Queries are not personal as such, but people do type names and identity codes into a
search box; the query log (app.querylog) keeps them redacted and counted, so the access log must not keep
them verbatim beside it.

>>> access_line("GET", "/haku/api/search", 200, 0.0123, when=0)
'1970-01-01T00:00:00Z GET /haku/api/search 200 12.3ms'
"""

from __future__ import annotations

import logging
import time
from urllib.parse import quote

from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("sotehaku.access")


def access_line(method: str, path: str, status: int, seconds: float, *, when: float | None = None) -> str:
    """One log line; the path is percent-encoded, so a request cannot write spaces or line breaks into the log."""
    stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() if when is None else when))
    return f"{stamp} {method} {quote(path, safe='/-._~%!$&()*+,;=:@')} {status} {seconds * 1000:.1f}ms"


class AccessLog:
    """ASGI middleware writing one `access_line` per HTTP request to the `sotehaku.access` logger, outermost,
    so the path is the one the client (or the reverse proxy) asked for."""

    def __init__(self, app: ASGIApp, logger: logging.Logger = log):
        self.app, self.logger = app, logger

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # what the client gets if the app fails before answering

        async def watch(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, watch)
        finally:
            self.logger.info(access_line(scope["method"], scope["path"], status, time.perf_counter() - started))
