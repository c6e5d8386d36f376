"""The one place where errors become HTTP statuses and JSON bodies.

A bad query or parameter is 400; a request with a bad token 401; no index, a broken lexicon or index, or
an account store or query log that cannot be opened 503. Pages ask `error_status` too, and show the
error in their language instead of JSON.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from corpus import CorpusError
from indexer import IndexingError
from search import SearchError
from search.api import IndexUnavailableError
from search.bestbets import BestBetsError
from search.lexicon import LexiconError

from app.accounts import AccountError
from app.errors import AppError
from app.web.auth import Unauthorized
from app.web.params import BadParameter
from app.web.settings import route_path

log = logging.getLogger("sotehaku.web")

# Search errors that are the service's side, not the query's: no index (or an unreadable one), a broken
# lexicon or best bets file.
SERVICE_ERRORS = (IndexUnavailableError, LexiconError, BestBetsError)
# Errors a request may end in on purpose; anything else is a bug and stays a 500.
HANDLED = (SearchError, IndexingError, CorpusError, AppError, Unauthorized)


def error_status(exc: Exception) -> int:
    """The HTTP status of an error: 400 for what the caller can fix, 401 for a bad token, else 503."""
    if isinstance(exc, Unauthorized):
        return 401
    if isinstance(exc, SERVICE_ERRORS):
        return 503
    if isinstance(exc, (SearchError, BadParameter)):
        return 400
    return 503  # IndexingError, CorpusError, AccountError and QueryLogError: the service's side


def error_message(exc: Exception) -> str:
    """The JSON body's message: the error's own, except where it would show the server's files to a caller."""
    if isinstance(exc, AccountError):
        return "Signing in is not available right now; try again later."
    return str(exc)


def error_response(exc: Exception) -> JSONResponse:
    """An error as a JSON answer with its status (and the Bearer challenge for a bad token)."""
    status = error_status(exc)
    if status == 503:
        log.error("%s unavailable: %s", "account store" if isinstance(exc, AccountError) else "search", exc)
    headers = {"WWW-Authenticate": f'Bearer realm="sotehaku", error="{exc.error}"'} if isinstance(exc, Unauthorized) else None
    return JSONResponse({"error": error_message(exc)}, status_code=status, headers=headers)


def validation_message(exc: RequestValidationError, hints: dict[str, str]) -> str:
    """FastAPI's parameter errors as one sentence per parameter, naming it and what would do."""
    parts = []
    for error in exc.errors():
        name = str(error.get("loc", ("?",))[-1])
        hint = hints.get(name, "a valid value")
        if error.get("type") == "missing":
            parts.append(f"Parameter '{name}' is missing: give {hint}.")
        elif isinstance(error.get("input"), str) and not error["input"].strip():
            parts.append(f"Parameter '{name}' is empty: give {hint}.")
        else:
            got = str(error.get("input", ""))[:50]
            parts.append(f"Parameter '{name}' is not valid ({error.get('msg', 'bad value')}, got {got!r}): give {hint}.")
    return " ".join(parts) or "The request's parameters are not valid."


def install_error_handlers(app: FastAPI, *, not_found_page, hints: dict[str, str]) -> None:
    """Answer every handled error, invalid parameter and HTTP error; `not_found_page(request)` renders a 404 page."""

    async def handled(request: Request, exc: Exception):
        return error_response(exc)

    for error in HANDLED:
        app.add_exception_handler(error, handled)

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError):
        return JSONResponse({"error": validation_message(exc, hints)}, status_code=400)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        path = route_path(request)
        if exc.status_code == 404 and (redirect := slash_redirect(request)) is not None:
            return redirect
        if path.startswith(("/api/", "/static/", "/healthz", "/openapi")) or exc.status_code != 404:
            return JSONResponse({"error": str(exc.detail)}, status_code=exc.status_code, headers=exc.headers)
        return not_found_page(request)


def slash_redirect(request: Request) -> RedirectResponse | None:
    """For a GET of /sv (or /login/), a redirect to /sv/ (or /login) when that is a page; None otherwise.
    The Location is a path (with the sub-path the app is served under), never built from the Host header."""
    if request.method not in ("GET", "HEAD"):
        return None
    path = request.url.path
    other = path.rstrip("/") if path.endswith("/") else path + "/"
    if not other or other == path:
        return None

    def routed(candidate: str) -> bool:
        scope = {**request.scope, "path": candidate}
        return any(route.matches(scope)[0] is Match.FULL for route in request.app.router.routes)

    # A path that has a route (a missing static file) is simply missing: redirecting it would loop.
    if routed(path) or not routed(other):
        return None
    query = request.url.query
    return RedirectResponse(other + (f"?{query}" if query else ""), status_code=307)
