"""The web front end: a search page and a JSON API over the one search engine."""

from __future__ import annotations

import logging
from pathlib import Path

from fastapi import FastAPI, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from indexer import IndexingError
from indexer.build import NoIndexError
from search import SearchError
from search.engine import ANONYMOUS, MAX_PAGE, MAX_PAGE_SIZE, SearchEngine
from search.web.i18n import LANGUAGE_NAMES, TEXTS, UI_LANGUAGES

WEB_DIR = Path(__file__).parent
log = logging.getLogger("sotehaku.web")
PAGE_SIZE = 10


def error_status(exc: Exception) -> int:
    """The one place errors become HTTP statuses: a bad query is 400; no index or a broken lexicon 503."""
    return 400 if isinstance(exc, SearchError) else 503


def create_app(data_dir: str | Path, *, engine: SearchEngine | None = None) -> FastAPI:
    """Build the web app for a data directory (tests pass a temp one)."""
    engine = engine or SearchEngine(data_dir)
    app = FastAPI(title="sotehaku", summary="Search Finnish social and health care reform documents", version="0.1.0")
    templates = Jinja2Templates(directory=str(WEB_DIR / "templates"))
    app.mount("/static", StaticFiles(directory=str(WEB_DIR / "static")), name="static")

    def render_page(request: Request, ui: str, q: str, page: int) -> HTMLResponse:
        texts = TEXTS[ui]
        context = {"ui": ui, "t": texts, "q": q, "results": None, "error": None, "languages": LANGUAGE_NAMES}
        status = 200
        if q.strip():
            try:
                context["results"] = engine.search(q, page=page, size=PAGE_SIZE, viewer=ANONYMOUS)
            except (SearchError, IndexingError) as exc:
                status = error_status(exc)
                if status == 503:
                    log.error("search unavailable: %s", exc)
                context["error"] = texts["unavailable"] if status == 503 else str(exc)
        return templates.TemplateResponse(request, "search.html", context, status_code=status)

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def search_page_fi(request: Request, q: str = "", page: int = Query(1, ge=1, le=MAX_PAGE)):
        return render_page(request, "fi", q, page)

    @app.get("/{ui}/", response_class=HTMLResponse, include_in_schema=False)
    def search_page_other(request: Request, ui: str, q: str = "", page: int = Query(1, ge=1, le=MAX_PAGE)):
        if ui not in UI_LANGUAGES or ui == "fi":
            return JSONResponse({"error": f"No page /{ui}/. The search page is at /, /sv/ and /en/."}, status_code=404)
        return render_page(request, ui, q, page)

    @app.get("/api/search", summary="Search public documents")
    def api_search(
        q: str = Query(..., description="The query, in any inflected form"),
        page: int = Query(1, ge=1, le=MAX_PAGE),
        size: int = Query(PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE),
        lang: str | None = Query(None, description="Only documents in this language: fi, sv or en"),
    ):
        try:
            results = engine.search(q, page=page, size=size, viewer=ANONYMOUS, lang=lang)
        except (SearchError, IndexingError) as exc:
            return JSONResponse({"error": str(exc)}, status_code=error_status(exc))
        return results.to_json()

    @app.get("/healthz", summary="Liveness and index status")
    def healthz():
        try:
            version = engine.version
        except NoIndexError as exc:
            return JSONResponse({"status": "no index", "error": str(exc)}, status_code=503)
        return {"status": "ok", "index_version": version}

    return app
