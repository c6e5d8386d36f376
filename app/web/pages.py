"""The search page for citizens and staff, in Finnish, Swedish and English; and what every page shares.

Pages are server-rendered and work without JavaScript; static/search.js only enhances them. Who may see
what is decided by the engine from the Viewer passed to it: anonymous unless a request proves otherwise.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import re
from dataclasses import replace
from urllib.parse import unquote, urlencode, urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from search.engine import MAX_PAGE, Results, Viewer

from app.accounts import AccountError
from app.web.errors import HANDLED, error_status
from app.web.i18n import LANGUAGE_NAMES, QUERY_ERRORS, TEXTS, UI_LANGUAGES, format_date, query_error_text, value_label
from app.web.params import (
    FILTER_PARAMS, BadParameter, SearchState, exact_query, filters_from_params, page_number, page_numbers, sort_order,
)
from app.web.recorder import counts_as_new_search, logged_lang
from app.web.settings import route_path, web_state

log = logging.getLogger("sotehaku.web")
PAGE_SIZE = 10
MAX_FACET_VALUES = 12
PREFIX = {ui: "/" if ui == "fi" else f"/{ui}/" for ui in UI_LANGUAGES}
BADGE_TYPES = ("pdf", "docx")
LINKABLE_SCHEMES = ("http", "https", "ftp", "file")
# The file a server answers for a folder's address: left out of the address a result shows.
FOLDER_PAGE = re.compile(r"(index|default)\.(html?|php|aspx?)", re.IGNORECASE)
PAGE_SUFFIX = re.compile(r"\.(html?|php|aspx?)$", re.IGNORECASE)
# Index versions are named by the UTC time they were published (v20261130T103534841954Z), on every backend.
VERSION_TIME = re.compile(r"v(\d{8}T\d{6})")


def address_crumbs(url: str) -> list[str]:
    """A result's address as a breadcrumb: the host, then the folders and the page, without the scheme,
    the query, a folder's index.html, a page's .html or %-escapes (a document's file name stays whole).

    >>> address_crumbs("https://www.example.fi/uudistus/ty%C3%B6ryhm%C3%A4t/index.html?x=1")
    ['www.example.fi', 'uudistus', 'työryhmät']
    >>> address_crumbs("https://www.example.fi/palvelut/seteli.html"), address_crumbs("http://x.fi/a/liite.pdf")
    (['www.example.fi', 'palvelut', 'seteli'], ['x.fi', 'a', 'liite.pdf'])
    >>> address_crumbs("https://www.example.fi/"), address_crumbs("urn:x")
    (['www.example.fi'], ['urn:x'])
    """
    parts = urlsplit(url)
    if not parts.netloc:
        return [url]
    segments = [unquote(s) for s in parts.path.split("/") if s]
    if segments and FOLDER_PAGE.fullmatch(segments[-1]):
        segments.pop()
    elif segments:
        segments[-1] = PAGE_SUFFIX.sub("", segments[-1]) or segments[-1]
    return [parts.hostname or parts.netloc, *segments]


def published_on(version: str | None) -> dt.date | None:
    """The day an index version was published, from its name.

    >>> published_on("v20261130T103534841954Z"), published_on("weird")
    (datetime.date(2026, 11, 30), None)
    """
    match = VERSION_TIME.match(version or "")
    return dt.datetime.strptime(match.group(1), "%Y%m%dT%H%M%S").date() if match else None


def site_name(request: Request, ui: str) -> str:
    """The site's name in a page language: the configured one ([site] name), else sotehaku's."""
    return web_state(request).settings.site.text("name", ui) or TEXTS[ui]["site_name"]


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
    state = web_state(request)
    root = state.root
    site = state.settings.site
    return {
        "ui": ui, "t": texts, "root": root, "prefix": root + PREFIX[ui], "title": title, "viewer": viewer or Viewer(),
        "site": site, "site_name": site_name(request, ui),
        "site_links": [{"label": link.label.get(ui) or link.label.get("fi"), "url": link.url} for link in site.links],
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
    sort = sort_order(params.get("sort"))
    results: Results | None = None
    search_id = None
    error, status = None, 200
    try:
        filters = filters_from_params(params)
    except BadParameter as exc:
        filters, error, status = {}, str(exc), error_status(exc)
    search = SearchState(state.root + PREFIX[ui], q, filters, page, sort)
    searched = bool(q.strip() or filters)
    if error is None and searched:
        try:
            # The Swedish and English pages show pages in their language first; Finnish ones follow.
            prefer = ui if ui != "fi" else None
            results = state.engine.search(q, page=page, size=PAGE_SIZE, viewer=viewer, filters=filters, sort=sort, prefer_lang=prefer)
        except HANDLED as exc:
            status = error_status(exc)
            if status == 503:
                log.error("search unavailable: %s", exc)
            error = texts["unavailable"] if status == 503 else query_error_text(exc, ui)
        else:
            # A search is counted once: not again for its facets, its pages or the results script.
            if counts_as_new_search(request, q, state.settings.public_url):
                search_id = state.recorder.record(q, results.total, relaxed=results.relaxed, lang=logged_lang(filters, ui), channel="web")
            results = with_other_values(state.engine, results, q, viewer, filters)
    context = page_context(
        request, ui, viewer=viewer, title=site_name(request, ui),
        switch=lambda code: search.url(path=PREFIX[code]) if searched else PREFIX[code],
    )
    context.update(q=q, state=search, results=results, error=error, facet_groups=[], active_filters=[])
    if searched and error is None:
        context["feed_url"] = search.feed_url(state.root + PREFIX[ui] + "feed")
    context["open_url"] = lambda hit, rank: open_url(state.root, hit.id, search_id, rank)
    context["details_url"] = lambda hit: f"{state.root}{PREFIX[ui]}document?{urlencode({'id': hit.id})}"
    if viewer.staff:
        context["csrf"] = state.auth.csrf_token(request)
    if searched:
        context.update(skip_target="results", skip_text=texts["skip"])
    else:
        context.update(front_page(request, ui))
    shown_q = q.strip() or ", ".join(f"{texts['facet_' + n]}: {value_label(n, v, ui)}" for n, vs in filters.items() for v in vs)
    if results is not None:
        context.update(describe_results(results, search, ui, viewer, shown_q))
    elif error is not None:
        context.update(heading=texts["error"], status_text=f"{texts['error']}: {error}")
    if searched:
        suffix = f" ({texts['page_of'].format(page=page)})" if page > 1 else ""
        context["title"] = f"{context.get('shown_q', shown_q)}{suffix} – {context['site_name']}"
    return context, status


def front_page(request: Request, ui: str) -> dict:
    """The front page's intro, example searches and what the search covers, as of the index's last update."""
    state = web_state(request)
    site = state.settings.site
    try:
        updated = published_on(state.engine.version)
    except HANDLED:
        updated = None  # no index yet: the page says nothing about its age
    search = SearchState(state.root + PREFIX[ui], "", {}, 1)
    return {
        "intro": site.text("intro", ui),
        "covers": site.text("covers", ui),
        "index_updated": updated,
        "examples": [{"q": q, "url": search.search_for(q)} for q in site.examples],
    }


def with_other_values(engine, results: Results, q: str, viewer: Viewer, filters: dict) -> Results:
    """The results with each narrowed facet's counts as they are without its own filter, so that the
    other values (the other years, when one is chosen) stay there to add (values of one facet are
    alternatives). One small extra search per narrowed facet."""
    facets = dict(results.facets)
    for name in filters:
        if name not in FILTER_PARAMS:
            continue
        others = {n: v for n, v in filters.items() if n != name}
        try:
            wider = engine.search(q, page=1, size=1, viewer=viewer, filters=others)
        except HANDLED as exc:
            log.warning("facet %s: other values not shown: %s", name, exc)
            continue
        facets[name] = wider.facets.get(name, facets.get(name, []))
    return replace(results, facets=facets) if facets != results.facets else results


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
        "common_words_text": QUERY_ERRORS["common_words"][ui] if results.common_words else "",
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
        # A chosen value beyond the first MAX_FACET_VALUES still shows, so that it can be removed here.
        options += [
            {"label": value_label(name, value, ui), "count": count, "active": True, "url": state.without_filter(name, value)}
            for value, count in values[MAX_FACET_VALUES:] if state.has(name, value)
        ]
        if options:
            groups.append({"name": name, "title": TEXTS[ui][f"facet_{name}"], "options": options})
    return groups


def open_url(root: str, doc_id: str, search_id: str | None, rank: int) -> str:
    """The link that opens a hit through /go, counting the click of a logged search (no address,
    cookie or account is kept: app.querylog); without a search id, the same redirect without a count."""
    params = {"id": doc_id, **({"search": search_id, "rank": str(rank)} if search_id else {})}
    return f"{root}/go?{urlencode(params)}"


def go(request: Request):
    """Open a document by its id (never a URL, so the redirect cannot be pointed elsewhere): a 303 to the
    address the index holds for it, when the viewer may see it; counts the click of a logged search once."""
    state = web_state(request)
    params = request.query_params
    doc_id = params.get("id", "")
    document = state.engine.document(doc_id, viewer=viewer_for_page(request)) if 0 < len(doc_id) <= 2000 else None
    if document is None or not linkable(document.get("url", "")):
        return not_found_page(request)
    search_id, rank = params.get("search"), params.get("rank", "")
    if search_id and rank.isdigit():
        state.recorder.record_click(search_id, int(rank), doc_id)
    response = RedirectResponse(document["url"], status_code=303)
    response.headers["Cache-Control"] = "no-store"
    return response


def document_view(ui: str):
    """A document's page: its details, a link to it and the documents similar to it."""

    def endpoint(request: Request):
        state = web_state(request)
        texts = TEXTS[ui]
        viewer = viewer_for_page(request)
        doc_id = request.query_params.get("id", "")
        document = state.engine.document(doc_id, viewer=viewer) if 0 < len(doc_id) <= 2000 else None
        if document is None:
            return not_found_page(request)
        try:
            similar = state.engine.similar(doc_id, viewer=viewer) or []
        except HANDLED as exc:
            log.error("similar documents unavailable: %s", exc)
            similar = []
        here = f"document?{urlencode({'id': doc_id})}"
        context = page_context(
            request, ui, viewer=viewer, title=f"{document.get('title') or doc_id} – {texts['site_name']}",
            switch=lambda code: PREFIX[code] + here,
        )
        updated = document.get("updated")
        context.update(
            updated=dt.date.fromisoformat(updated[:10]) if isinstance(updated, str) and updated else None,
            document=document, similar=similar, internal=document.get("visibility") == "internal" and viewer.staff,
            open_url=lambda doc, rank=0: open_url(state.root, doc if isinstance(doc, str) else doc.id, None, rank),
            details_url=lambda hit: f"{state.root}{PREFIX[ui]}document?{urlencode({'id': hit.id})}",
        )
        if viewer.staff:
            context["csrf"] = state.auth.csrf_token(request)
        response = state.templates.TemplateResponse(request, "document.html", context)
        return signed_in_page(request, response, context)

    return endpoint


def search_view(ui: str, template: str):
    """The search page ("search.html") or its results section alone ("_results.html", for the script)."""

    def endpoint(request: Request):
        context, status = search_context(request, ui)
        response = web_state(request).templates.TemplateResponse(request, template, context, status_code=status)
        return signed_in_page(request, response, context)

    return endpoint


def site_logo(request: Request) -> Response:
    """The configured logo ([site] logo), read when asked so that a replaced file shows without a restart."""
    site = web_state(request).settings.site
    try:
        content = site.logo.read_bytes() if site.logo else None
    except OSError as exc:
        log.error("site logo %s unreadable: %s", site.logo, exc)
        content = None
    if content is None:
        return not_found_page(request)
    return Response(content, media_type=site.logo_type, headers={"Cache-Control": "public, max-age=3600"})


def site_colors(request: Request) -> Response:
    """The configured colours ([site.colors]) as CSS custom properties over style.css's."""
    return Response(web_state(request).settings.site.stylesheet(), media_type="text/css",
                    headers={"Cache-Control": "public, max-age=3600"})


router = APIRouter(include_in_schema=False)
router.add_api_route("/site/logo", site_logo, methods=["GET"])
router.add_api_route("/site/colors.css", site_colors, methods=["GET"])
for _ui in UI_LANGUAGES:
    router.add_api_route(PREFIX[_ui], search_view(_ui, "search.html"), methods=["GET"], response_class=HTMLResponse)
    router.add_api_route(f"{PREFIX[_ui]}results", search_view(_ui, "_results.html"), methods=["GET"], response_class=HTMLResponse)
    router.add_api_route(f"{PREFIX[_ui]}document", document_view(_ui), methods=["GET"], response_class=HTMLResponse)
router.add_api_route("/go", go, methods=["GET"])
