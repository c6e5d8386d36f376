"""The JSON API: search, completions (also in the OpenSearch format), documents and health, described by
OpenAPI. Errors raised here are answered by app.web.errors."""

from __future__ import annotations

from dataclasses import replace
from typing import Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response

import languages
from search.api import IndexUnavailableError
from search.engine import MAX_PAGE, MAX_PAGE_SIZE, MAX_SIMILAR, SIMILAR_LIMIT, Viewer, typed_length
from search.query import MAX_QUERY_CHARS

from app.web.models import ERROR_RESPONSES, ClickIn, DocumentOut, ErrorOut, HealthOut, SearchOut, SimilarOut, SuggestOut
from app.web.pages import PAGE_SIZE
from app.web.params import DATE_PARAM, MAX_SUGGEST_CHARS, BadParameter, clean_filters
from app.web.recorder import counts_as_new_search, logged_lang
from app.web.settings import web_state

PARAMETER_HINTS = {
    "q": f"the words to search for (at most {MAX_QUERY_CHARS} characters), such as q=palveluseteli",
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

# One value each: a second one is refused rather than silently replacing the first (as FastAPI would).
SINGLE_VALUED = ("q", "page", "size", "sort", DATE_PARAM)
# A query has a word in it: the schema says what the server refuses, so generated clients and fuzzers agree.
NON_BLANK = r"^\s*\S"

router = APIRouter()


def api_viewer(request: Request) -> Viewer:
    """Staff for a valid bearer token or session cookie; anonymous with neither; 401 for a bad token."""
    return web_state(request).auth.api_viewer(request)


def _filter_param(name: str):
    return Query([], alias=name, description=FILTER_DESCRIPTIONS[name] + "; repeat for any of several")


@router.get("/api/search", response_model=SearchOut, responses=ERROR_RESPONSES, tags=["search"], summary="Search the documents")
def api_search(
    request: Request,
    q: str = Query(
        "", min_length=1, max_length=MAX_QUERY_CHARS, pattern=NON_BLANK,
        description="The query, words in any inflected form; see the query language in the README. "
        "May be left out when a filter is given (then every document the filters allow matches)",
    ),
    page: int = Query(1, ge=1, le=MAX_PAGE),
    size: int = Query(PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE),
    section: list[str] = _filter_param("section"),
    lang: list[str] = _filter_param("lang"),
    year: list[str] = _filter_param("year"),
    doc_type: list[str] = _filter_param("type"),
    source: list[str] = _filter_param("source"),
    site: list[str] = _filter_param("site"),
    updated: str | None = Query(None, description="Only documents updated in this range: 2022, 2022-03.., ..2021-12-31, 2022-01-01..2022-06-30"),
    sort: Literal["relevance", "date"] = Query("relevance", description="relevance (default), or date: newest first, undated last"),
    prefer_lang: str | None = Query(
        None, pattern=f"^({'|'.join(languages.CODES)})$",
        description="Rank documents in this language (fi, sv or en) first, the others after them; `lang` filters instead",
    ),
    viewer: Viewer = Depends(api_viewer),
):
    """Ranked hits with highlighted snippets, facet counts and a did-you-mean suggestion. Documents the
    web team pinned for the query (best bets) come first, with `recommended` true."""
    state = web_state(request)
    for name in SINGLE_VALUED:
        given = len(request.query_params.getlist(name))
        if given > 1:
            raise BadParameter(name, f"Parameter '{name}' is given {given} times; give it once.")
    filters = clean_filters({
        "section": section, "lang": lang, "year": year, "type": doc_type, "source": source, "site": site,
        DATE_PARAM: updated,
    })
    results = state.engine.search(q, page=page, size=size, viewer=viewer, filters=filters, sort=sort, prefer_lang=prefer_lang)
    if counts_as_new_search(request, q, state.settings.public_url):  # not a later page, nor a search a page of this site has counted
        search_id = state.recorder.record(q, results.total, relaxed=results.relaxed, lang=logged_lang(filters, None), channel="api")
        results = replace(results, search_id=search_id)
    return results.to_json()


@router.get(
    "/api/similar", response_model=SimilarOut, tags=["documents"], summary="Documents similar to a document",
    responses={**ERROR_RESPONSES, 404: {"model": ErrorOut, "description": "No document with this id that the caller may see"}},
)
def api_similar(
    request: Request,
    id: str = Query(..., min_length=1, max_length=2000, description="A document id, from a search hit's 'id'"),
    size: int = Query(SIMILAR_LIMIT, ge=1, le=MAX_SIMILAR, description="How many similar documents"),
    viewer: Viewer = Depends(api_viewer),
):
    """Documents sharing the most characteristic words (base forms) of a document, most similar first;
    its near-duplicates are left out, and an internal one looks absent (404) to anonymous callers."""
    hits = web_state(request).engine.similar(id, viewer=viewer, limit=size)
    if hits is None:
        return JSONResponse({"error": f"No document with id {id!r}. Take ids from the hits of /api/search."}, status_code=404)
    return {"id": id, "hits": [h.to_json() for h in hits]}


@router.post(
    "/api/click", status_code=204, tags=["search"], summary="Count an opened result",
    responses={400: {"model": ErrorOut, "description": "A bad search id, rank or document id"}},
)
def api_click(request: Request, click: ClickIn):
    """Count that a result of a logged search (its `search_id`) was opened: the search id, the hit's rank
    and its document id only, once per search and document; nothing about who clicked is kept."""
    web_state(request).recorder.record_click(click.search_id, click.rank, click.id)
    return Response(status_code=204)


@router.get("/api/suggest", response_model=SuggestOut, responses=ERROR_RESPONSES, tags=["search"], summary="Complete the last word")
def api_suggest(
    request: Request,
    q: str = Query(..., max_length=MAX_SUGGEST_CHARS, description="What has been typed so far"),
    viewer: Viewer = Depends(api_viewer),
):
    """Completions of the last word typed, from the words of the documents the caller may see; each
    also with how many of its leading characters were typed, which a client emphasises."""
    suggestions = web_state(request).engine.suggest(q, viewer=viewer)
    completions = [{"text": s, "typed": typed_length(q, s)} for s in suggestions]
    return {"query": q, "suggestions": suggestions, "completions": completions}


@router.get(
    "/api/suggest/opensearch", tags=["search"], summary="Completions for browsers' search bars",
    responses={200: {"description": "OpenSearch suggestions: [query, [completions]]",
                     "content": {"application/x-suggestions+json": {"example": ["kotih", ["kotihoito", "kotihoidon"]]}}},
               **ERROR_RESPONSES},
)
def api_suggest_opensearch(
    request: Request,
    q: str = Query("", max_length=MAX_SUGGEST_CHARS, description="What has been typed so far"),
    viewer: Viewer = Depends(api_viewer),
):
    """The same completions in the OpenSearch suggestions format browsers ask for."""
    completions = web_state(request).engine.suggest(q, viewer=viewer) if q.strip() else []
    return JSONResponse([q, completions], media_type="application/x-suggestions+json")


@router.get(
    "/api/document", response_model=DocumentOut, tags=["documents"], summary="One stored document",
    responses={**ERROR_RESPONSES, 404: {"model": ErrorOut, "description": "No document with this id that the caller may see"}},
)
def api_document(
    request: Request,
    id: str = Query(..., min_length=1, max_length=2000, description="A document id, from a search hit's 'id'"),
    viewer: Viewer = Depends(api_viewer),
):
    """A document's stored fields and text; an internal one looks absent (404) to anonymous callers."""
    document = web_state(request).engine.document(id, viewer=viewer)
    if document is None:
        return JSONResponse({"error": f"No document with id {id!r}. Take ids from the hits of /api/search."}, status_code=404)
    return document


@router.get("/healthz", response_model=HealthOut, summary="Liveness and index status", tags=["service"],
            responses={503: {"description": "No index yet"}})
def healthz(request: Request):
    """Whether the service is up, and which index version it searches."""
    try:
        version = web_state(request).engine.version
    except IndexUnavailableError as exc:
        return JSONResponse({"status": "no index", "error": str(exc)}, status_code=503)
    return {"status": "ok", "index_version": version}
