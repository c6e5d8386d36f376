"""The search page for citizens and staff, in Finnish, Swedish and English; and what every page shares.

Pages are server-rendered and work without JavaScript; static/search.js only enhances them. Who may see
what is decided by the engine from the Viewer passed to it: anonymous unless a request proves otherwise.
"""

from __future__ import annotations

import logging
import math
from urllib.parse import urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from search.engine import MAX_PAGE, Results, Viewer

from app.accounts import AccountError
from app.web.errors import HANDLED, error_status
from app.web.i18n import LANGUAGE_NAMES, TEXTS, UI_LANGUAGES, format_date, query_error_text, value_label
from app.web.params import (
    FILTER_PARAMS, BadParameter, SearchState, exact_query, filters_from_params, page_number, page_numbers,
)
from app.web.recorder import logged_lang
from app.web.settings import route_path, web_state

log = logging.getLogger("sotehaku.web")
PAGE_SIZE = 10
MAX_FACET_VALUES = 12
PREFIX = {ui: "/" if ui == "fi" else f"/{ui}/" for ui in UI_LANGUAGES}
BADGE_TYPES = ("pdf", "docx")
LINKABLE_SCHEMES = ("http", "https", "ftp", "file")


def linkable(url: str) -> bool:
    """True for a document address a page may link to (not javascript: or data:)."""
    return urlsplit(url).scheme.lower() in LINKABLE_SCHEMES


def ui_of_path(path: str) -> str:
    """The page language a path belongs to, by its prefix (/sv/, /en/; Finnish otherwise)."""
    return next((u for u in UI_LANGUAGES if u != "fi" and path.startswith(PREFIX[u])), "fi")


def page_context(request: Request, ui: str, *, title: str, switch, viewer: Viewer | None = None) -> dict:
    """What every page's template gets: texts, language links, the viewer; `switch(code)` links another
    language (a path inside the app). `root` is the sub-path the app is served under: every link the
    templates write starts with it, and `prefix` (the page language's home) includes it."""
    texts = TEXTS[ui]
    root = web_state(request).root
    return {
        "ui": ui, "t": texts, "root": root, "prefix": root + PREFIX[ui], "title": title, "viewer": viewer or Viewer(),
        "language_links": [
            {"code": code, "name": name, "url": root + switch(code), "current": code == ui}
            for code, name in LANGUAGE_NAMES.items()
        ],
        "here": request.url.path + (f"?{request.url.query}" if request.url.query else ""),
        "format_date": lambda day: format_date(day, ui),
        "skip_target": "main", "skip_text": texts["skip_main"], "csrf": None,
    }


def signed_in_page(request: Request, response: Response, context: dict) -> Response:
    """Staff pages carry the sign-out form's CSRF token and are never stored by caches."""
    if context["viewer"].staff:
        web_state(request).auth.set_csrf_cookie(request, response, context["csrf"])
        response.headers["Cache-Control"] = "private, no-store"
    response.headers["Vary"] = "Cookie"
    return response


def viewer_for_page(request: Request) -> Viewer:
    """Who a page is for; anonymous when the account store cannot tell (pages show what everybody may see)."""
    try:
        return web_state(request).auth.page_viewer(request)
    except AccountError as exc:
        log.error("account store unavailable, serving the page anonymously: %s", exc)
        return Viewer()


def not_found_page(request: Request) -> Response:
    """The 404 page, in the language of the path asked for."""
    ui = ui_of_path(route_path(request))
    context = page_context(request, ui, title=TEXTS[ui]["not_found"], switch=lambda code: PREFIX[code])
    return web_state(request).templates.TemplateResponse(request, "message.html", context, status_code=404)


def search_context(request: Request, ui: str) -> tuple[dict, int]:
    """The search page's context and status for a request's query, filters and page."""
    state = web_state(request)
    texts = TEXTS[ui]
    params = request.query_params
    viewer = viewer_for_page(request)
    q = params.get("q", "")
    page = page_number(params.get("page"), MAX_PAGE)
    results: Results | None = None
    error, status = None, 200
    try:
        filters = filters_from_params(params)
    except BadParameter as exc:
        filters, error, status = {}, str(exc), error_status(exc)
    search = SearchState(state.root + PREFIX[ui], q, filters, page)
    searched = bool(q.strip() or filters)
    if error is None and searched:
        try:
            # The Swedish and English pages show pages in their language first; Finnish ones follow.
            prefer = ui if ui != "fi" else None
            results = state.engine.search(q, page=page, size=PAGE_SIZE, viewer=viewer, filters=filters, prefer_lang=prefer)
        except HANDLED as exc:
            status = error_status(exc)
            if status == 503:
                log.error("search unavailable: %s", exc)
            error = texts["unavailable"] if status == 503 else query_error_text(exc, ui)
        else:
            if page == 1:  # paging through one search is still one search
                state.recorder.record(q, results.total, lang=logged_lang(filters, ui), channel="web")
    context = page_context(
        request, ui, viewer=viewer, title=texts["site_name"],
        switch=lambda code: search.url(path=PREFIX[code]) if searched else PREFIX[code],
    )
    context.update(q=q, state=search, results=results, error=error, facet_groups=[], active_filters=[])
    if viewer.staff:
        context["csrf"] = state.auth.csrf_token(request)
    if searched:
        context.update(skip_target="results", skip_text=texts["skip"])
    shown_q = q.strip() or ", ".join(f"{texts['facet_' + n]}: {value_label(n, v, ui)}" for n, vs in filters.items() for v in vs)
    if results is not None:
        context.update(describe_results(results, search, ui, viewer, shown_q))
    elif error is not None:
        context.update(heading=texts["error"], status_text=f"{texts['error']}: {error}")
    if searched:
        suffix = f" ({texts['page_of'].format(page=page)})" if page > 1 else ""
        context["title"] = f"{context.get('shown_q', shown_q)}{suffix} – {texts['site_name']}"
    return context, status


def describe_results(results: Results, state: SearchState, ui: str, viewer: Viewer, shown_q: str) -> dict:
    """The heading, pager, facets and active filters of a page of results."""
    texts = TEXTS[ui]
    if results.corrected and results.suggestion:
        shown_q = results.suggestion
    if results.total == 1:
        heading = texts["one_result"].format(q=shown_q)
    elif results.total:
        heading = texts["results"].format(total=results.total, q=shown_q)
    else:
        heading = texts["no_results_filtered" if state.filters else "no_results"].format(q=shown_q)
    pages = min(math.ceil(results.total / results.size), MAX_PAGE)
    status_text = heading if results.page == 1 else f"{heading} ({texts['page_of'].format(page=results.page)})"
    missing = results.missing
    quotes = {"fi": "”{}”", "sv": "”{}”"}.get(ui, "“{}”")
    missing_text = (
        texts["missing_one"].format(words=missing[0]) if len(missing) == 1
        else texts["missing_many"].format(words=", ".join(quotes.format(w) for w in missing))
    ) if missing else ""
    return {
        "heading": heading,
        "missing_text": missing_text,
        "status_text": status_text,
        "shown_q": shown_q,
        "exact_q": exact_query(state.q),
        "pages": pages,
        "page_links": page_numbers(results.page, pages) if pages > 1 else [],
        "internal": internal_ids(results, viewer),
        "facet_groups": facet_groups(results, state, ui),
        "active_filters": [
            {"title": texts[f"facet_{name}"], "label": value_label(name, value, ui), "url": state.without_filter(name, value)}
            for name, values in state.filters.items() for value in values
        ],
    }


def internal_ids(results: Results, viewer: Viewer) -> set[str]:
    """The hits only staff may see, for their badge."""
    return {h.id for h in results.hits if h.visibility == "internal"} if viewer.staff else set()


def facet_groups(results: Results, state: SearchState, ui: str) -> list[dict]:
    """The facets beside the results: each value's count and the link that adds or removes it."""
    groups = []
    for name in FILTER_PARAMS:
        values = results.facets.get(name) or []
        options = [
            {
                "label": value_label(name, value, ui), "count": count, "active": state.has(name, value),
                "url": state.without_filter(name, value) if state.has(name, value) else state.with_filter(name, value),
            }
            for value, count in values[:MAX_FACET_VALUES]
        ]
        if options:
            groups.append({"name": name, "title": TEXTS[ui][f"facet_{name}"], "options": options})
    return groups


def search_view(ui: str, template: str):
    """The search page ("search.html") or its results section alone ("_results.html", for the script)."""

    def endpoint(request: Request):
        context, status = search_context(request, ui)
        response = web_state(request).templates.TemplateResponse(request, template, context, status_code=status)
        return signed_in_page(request, response, context)

    return endpoint


router = APIRouter(include_in_schema=False)
for _ui in UI_LANGUAGES:
    router.add_api_route(PREFIX[_ui], search_view(_ui, "search.html"), methods=["GET"], response_class=HTMLResponse)
    router.add_api_route(f"{PREFIX[_ui]}results", search_view(_ui, "_results.html"), methods=["GET"], response_class=HTMLResponse)
