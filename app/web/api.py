"""The JSON API: search, completions (also in the OpenSearch format), documents and health, described by
OpenAPI; and the one place where errors become HTTP statuses."""

from __future__ import annotations

from fastapi import Depends, FastAPI, Query
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from indexer import IndexingError
from search import SearchError
from search.api import IndexUnavailableError
from search.lexicon import LexiconError
from app.accounts import AccountError
from search.engine import MAX_PAGE, MAX_PAGE_SIZE, SearchEngine, Viewer
from app.querylog import QueryLogError
from app.web.auth import WebAuth
from app.web.models import ERROR_RESPONSES, DocumentOut, ErrorOut, HealthOut, SearchOut, SuggestOut
from app.web.params import DATE_PARAM, MAX_SUGGEST_CHARS, clean_filters
from app.web.recorder import QueryRecorder, logged_lang

PAGE_SIZE = 10
PARAMETER_HINTS = {
    "q": "the words to search for, such as q=palveluseteli",
    "page": f"a whole number from 1 to {MAX_PAGE}",
    "size": f"a whole number from 1 to {MAX_PAGE_SIZE}",
    "id": "a document id from a search hit's 'id'",
}
FILTER_DESCRIPTIONS = {
    "section": "Only this section of a site (a facet value, such as Palvelut)",
    "lang": "Only documents in this language: fi, sv or en",
    "year": "Only documents last updated this year (YYYY)",
    "type": "Only this file type: html, pdf or docx",
    "source": "Only documents of this source",
    "site": "Only this site (host name, with the port if any; example.fi also matches www.example.fi)",
}


def error_status(exc: Exception) -> int:
    """The one place errors become HTTP statuses: a bad query or parameter is 400; no index, a broken
    lexicon or an unreadable account store 503."""
    unavailable = (AccountError, QueryLogError, IndexUnavailableError, LexiconError)
    return 400 if isinstance(exc, SearchError) and not isinstance(exc, unavailable) else 503


def validation_message(exc: RequestValidationError) -> str:
    """FastAPI's parameter errors as one sentence per parameter, naming it and what would do."""
    parts = []
    for error in exc.errors():
        name = str(error.get("loc", ("?",))[-1])
        hint = PARAMETER_HINTS.get(name, "a valid value")
        if error.get("type") == "missing":
            parts.append(f"Parameter '{name}' is missing: give {hint}.")
        else:
            got = str(error.get("input", ""))[:50]
            parts.append(f"Parameter '{name}' is not valid ({error.get('msg', 'bad value')}, got {got!r}): give {hint}.")
    return " ".join(parts) or "The request's parameters are not valid."


def _filter_param(name: str):
    return Query([], alias=name, description=FILTER_DESCRIPTIONS[name] + "; repeat for any of several")


def add_api_routes(app: FastAPI, *, engine: SearchEngine, auth: WebAuth, recorder: QueryRecorder) -> None:
    """Add the JSON API's endpoints; the caller is staff for a valid bearer token or session cookie."""

    @app.exception_handler(RequestValidationError)
    async def bad_request(request, exc: RequestValidationError):
        return JSONResponse({"error": validation_message(exc)}, status_code=400)

    def failed(exc: Exception) -> JSONResponse:
        return JSONResponse({"error": str(exc)}, status_code=error_status(exc))

    @app.get("/api/search", response_model=SearchOut, responses=ERROR_RESPONSES, tags=["search"], summary="Search the documents")
    def api_search(
        q: str = Query("", description="The query, words in any inflected form; see the query language in the README"),
        page: int = Query(1, ge=1, le=MAX_PAGE),
        size: int = Query(PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE),
        section: list[str] = _filter_param("section"),
        lang: list[str] = _filter_param("lang"),
        year: list[str] = _filter_param("year"),
        doc_type: list[str] = _filter_param("type"),
        source: list[str] = _filter_param("source"),
        site: list[str] = _filter_param("site"),
        updated: str | None = Query(None, description="Only documents updated in this range: 2022, 2022-03.., ..2021-12-31, 2022-01-01..2022-06-30"),
        viewer: Viewer = Depends(auth.api_viewer),
    ):
        """Ranked hits with highlighted snippets, facet counts and a did-you-mean suggestion."""
        try:
            filters = clean_filters({
                "section": section, "lang": lang, "year": year, "type": doc_type, "source": source, "site": site,
                DATE_PARAM: updated,
            })
            results = engine.search(q, page=page, size=size, viewer=viewer, filters=filters)
        except (SearchError, IndexingError) as exc:
            return failed(exc)
        if page == 1:  # paging through one search is still one search
            recorder.record(q, results.total, lang=logged_lang(filters, None), channel="api")
        return results.to_json()

    @app.get("/api/suggest", response_model=SuggestOut, responses=ERROR_RESPONSES, tags=["search"], summary="Complete the last word")
    def api_suggest(
        q: str = Query(..., max_length=MAX_SUGGEST_CHARS, description="What has been typed so far"),
        viewer: Viewer = Depends(auth.api_viewer),
    ):
        """Completions of the last word typed, from the words of the documents the caller may see."""
        try:
            return {"query": q, "suggestions": engine.suggest(q, viewer=viewer)}
        except (SearchError, IndexingError) as exc:
            return failed(exc)

    @app.get(
        "/api/suggest/opensearch", tags=["search"], summary="Completions for browsers' search bars",
        responses={200: {"description": "OpenSearch suggestions: [query, [completions]]",
                         "content": {"application/x-suggestions+json": {"example": ["kotih", ["kotihoito", "kotihoidon"]]}}},
                   **ERROR_RESPONSES},
    )
    def api_suggest_opensearch(
        q: str = Query("", max_length=MAX_SUGGEST_CHARS, description="What has been typed so far"),
        viewer: Viewer = Depends(auth.api_viewer),
    ):
        """The same completions in the OpenSearch suggestions format browsers ask for."""
        try:
            completions = engine.suggest(q, viewer=viewer) if q.strip() else []
        except (SearchError, IndexingError) as exc:
            return failed(exc)
        return JSONResponse([q, completions], media_type="application/x-suggestions+json")

    @app.get(
        "/api/document", response_model=DocumentOut, tags=["documents"], summary="One stored document",
        responses={**ERROR_RESPONSES, 404: {"model": ErrorOut, "description": "No document with this id that the caller may see"}},
    )
    def api_document(
        id: str = Query(..., min_length=1, max_length=2000, description="A document id, from a search hit's 'id'"),
        viewer: Viewer = Depends(auth.api_viewer),
    ):
        """A document's stored fields and text; an internal one looks absent (404) to anonymous callers."""
        try:
            document = engine.document(id, viewer=viewer)
        except (SearchError, IndexingError) as exc:
            return failed(exc)
        if document is None:
            return JSONResponse({"error": f"No document with id {id!r}. Take ids from the hits of /api/search."}, status_code=404)
        return document

    @app.get("/healthz", response_model=HealthOut, summary="Liveness and index status", tags=["service"],
             responses={503: {"description": "No index yet"}})
    def healthz():
        """Whether the service is up, and which index version it searches."""
        try:
            version = engine.version
        except IndexUnavailableError as exc:
            return JSONResponse({"status": "no index", "error": str(exc)}, status_code=503)
        return {"status": "ok", "index_version": version}
