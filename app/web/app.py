"""The web front end: a search page for citizens and staff and a JSON API, both over the one search engine.

Pages are server-rendered and work without JavaScript; static/search.js only enhances them. Who may see
what is decided by the engine from the Viewer passed to it: anonymous unless a request proves otherwise.
"""

from __future__ import annotations

import html
import logging
import math
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from indexer import IndexingError
from search import SearchError
from app.accounts import AccountError
from app.backend import open_engine
from search.engine import MAX_PAGE, Results, SearchEngine, Viewer
from app.web.api import PAGE_SIZE, add_api_routes, error_status
from app.web.auth import CSRF_FIELD, SESSION_COOKIE, Unauthorized, WebAuth, client_key, safe_next
from app.web.i18n import LANGUAGE_NAMES, TEXTS, UI_LANGUAGES, format_date, query_error_text, value_label
from app.web.params import (
    FILTER_PARAMS, BadParameter, SearchState, exact_query, filters_from_params, page_number, page_numbers,
)
from app.web.recorder import QueryRecorder, logged_lang

WEB_DIR = Path(__file__).parent
log = logging.getLogger("sotehaku.web")
MAX_FACET_VALUES = 12
MAX_FORM_BYTES = 16 * 1024
PREFIX = {ui: "/" if ui == "fi" else f"/{ui}/" for ui in UI_LANGUAGES}
BADGE_TYPES = ("pdf", "docx")
LINKABLE_SCHEMES = ("http", "https", "ftp", "file")
# Pages load scripts and styles from this server only: no inline script can run even if some text
# slipped through escaping. Other sites may not frame the pages (the sign-out button).
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)


def linkable(url: str) -> bool:
    """True for a document address a page may link to (not javascript: or data:)."""
    return urlsplit(url).scheme.lower() in LINKABLE_SCHEMES


def create_app(
    data_dir: str | Path,
    *,
    engine: SearchEngine | None = None,
    cors_origins: list[str] | None = None,
    secure_cookies: bool = False,
    max_login_failures: int = 10,
) -> FastAPI:
    """Build the web app for a data directory (tests pass a temp one).

    `cors_origins`: other sites' origins (https://www.kunta.fi) whose pages may call the API from the
    browser, without cookies; none by default. `secure_cookies`: mark cookies Secure even when the
    request looks like plain HTTP (behind a TLS-terminating proxy). `max_login_failures`: failed sign-ins
    per client address per ten minutes before sign-in answers 429.
    """
    data_dir = Path(data_dir)
    engine = engine or open_engine(data_dir)
    auth = WebAuth(data_dir, secure_cookies=secure_cookies, max_login_failures=max_login_failures)
    recorder = QueryRecorder(data_dir)
    app = FastAPI(
        title="sotehaku",
        summary="Search Finnish social and health care reform documents",
        description="Anonymous callers see public documents; `Authorization: Bearer TOKEN` (from "
        "`sotehaku users add`) also shows internal ones. A wrong, expired or revoked token is refused with 401.",
        version="0.1.0",
        docs_url=None,  # Swagger UI and ReDoc load their code from a CDN; /openapi.json is what clients need
        redoc_url=None,
    )
    if cors_origins:
        # Cross-origin callers get public results only: no cookies (allow_credentials=False) and no
        # Authorization header, so a staff token is never put in another site's page.
        app.add_middleware(
            CORSMiddleware, allow_origins=list(cors_origins), allow_credentials=False, allow_methods=["GET"],
            allow_headers=[], max_age=3600,
        )
    templates = Jinja2Templates(directory=str(WEB_DIR / "templates"))
    templates.env.globals.update(BADGE_TYPES=BADGE_TYPES, CSRF_FIELD=CSRF_FIELD, linkable=linkable)
    app.mount("/static", StaticFiles(directory=str(WEB_DIR / "static")), name="static")

    @app.middleware("http")
    async def security_headers(request: Request, call_next):
        response = await call_next(request)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        if request.url.path.startswith("/api/"):
            # Answers depend on who asks: never let a cache hand a staff answer to someone else.
            response.headers["Vary"] = "Authorization, Cookie"
            if "authorization" in request.headers or SESSION_COOKIE in request.cookies:
                response.headers["Cache-Control"] = "private, no-store"
        if response.headers.get("content-type", "").startswith("text/html"):
            response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
            response.headers.setdefault("X-Frame-Options", "DENY")
        return response

    # Errors

    @app.exception_handler(Unauthorized)
    async def unauthorized(request: Request, exc: Unauthorized):
        challenge = f'Bearer realm="sotehaku", error="{exc.error}"'
        return JSONResponse({"error": str(exc)}, status_code=401, headers={"WWW-Authenticate": challenge})

    @app.exception_handler(AccountError)
    async def accounts_unavailable(request: Request, exc: AccountError):
        log.error("account store unavailable: %s", exc)
        return JSONResponse({"error": "Signing in is not available right now; try again later."}, status_code=503)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        path = request.url.path
        if path.startswith(("/api/", "/static/", "/healthz", "/openapi")) or exc.status_code != 404:
            return JSONResponse({"error": str(exc.detail)}, status_code=exc.status_code, headers=exc.headers)
        ui = next((u for u in UI_LANGUAGES if u != "fi" and path.startswith(PREFIX[u])), "fi")
        context = page_context(request, ui, title=TEXTS[ui]["not_found"], switch=lambda code: PREFIX[code])
        return templates.TemplateResponse(request, "message.html", context, status_code=404)

    # Context shared by every page

    def page_context(request: Request, ui: str, *, title: str, switch, viewer: Viewer | None = None) -> dict:
        texts = TEXTS[ui]
        return {
            "ui": ui, "t": texts, "prefix": PREFIX[ui], "title": title, "viewer": viewer or Viewer(),
            "language_links": [
                {"code": code, "name": name, "url": switch(code), "current": code == ui}
                for code, name in LANGUAGE_NAMES.items()
            ],
            "here": request.url.path + (f"?{request.url.query}" if request.url.query else ""),
            "format_date": lambda day: format_date(day, ui),
            "skip_target": "main", "skip_text": texts["skip_main"], "csrf": None,
        }

    def signed_in_page(request: Request, response: Response, context: dict) -> Response:
        """Staff pages carry the sign-out form's CSRF token and are never stored by caches."""
        if context["viewer"].staff:
            auth.set_csrf_cookie(request, response, context["csrf"])
            response.headers["Cache-Control"] = "private, no-store"
        response.headers["Vary"] = "Cookie"
        return response

    def viewer_for_page(request: Request) -> Viewer:
        try:
            return auth.page_viewer(request)
        except AccountError as exc:  # cannot tell who it is: show what everybody may see
            log.error("account store unavailable, serving the page anonymously: %s", exc)
            return Viewer()

    # The search page

    def search_context(request: Request, ui: str) -> tuple[dict, int]:
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
            filters, error, status = {}, str(exc), 400
        state = SearchState(PREFIX[ui], q, filters, page)
        if error is None and (q.strip() or filters):
            try:
                results = engine.search(q, page=page, size=PAGE_SIZE, viewer=viewer, filters=filters)
            except (SearchError, IndexingError) as exc:
                status = error_status(exc)
                if status == 503:
                    log.error("search unavailable: %s", exc)
                error = texts["unavailable"] if status == 503 else query_error_text(exc, ui)
            else:
                if page == 1:  # paging through one search is still one search
                    recorder.record(q, results.total, lang=logged_lang(filters, ui), channel="web")
        searched = bool(q.strip() or filters)
        context = page_context(
            request, ui, viewer=viewer, title=texts["site_name"],
            switch=lambda code: state.url(path=PREFIX[code]) if searched else PREFIX[code],
        )
        context.update(q=q, state=state, results=results, error=error, facet_groups=[], active_filters=[])
        if viewer.staff:
            context["csrf"] = auth.csrf_token(request)
        if searched:
            context.update(skip_target="results", skip_text=texts["skip"])
        shown_q = q.strip() or ", ".join(f"{texts['facet_' + n]}: {value_label(n, v, ui)}" for n, vs in filters.items() for v in vs)
        if results is not None:
            context.update(describe_results(results, state, ui, viewer, shown_q))
        elif error is not None:
            context.update(heading=texts["error"], status_text=f"{texts['error']}: {error}")
        if searched:
            suffix = f" ({texts['page_of'].format(page=page)})" if page > 1 else ""
            context["title"] = f"{context.get('shown_q', shown_q)}{suffix} – {texts['site_name']}"
        return context, status

    def describe_results(results: Results, state: SearchState, ui: str, viewer: Viewer, shown_q: str) -> dict:
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
        return {
            "heading": heading,
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
            response = templates.TemplateResponse(request, template, context, status_code=status)
            return signed_in_page(request, response, context)
        return endpoint

    # Signing in and out

    async def read_form(request: Request) -> dict[str, str]:
        """A urlencoded POST body's fields (the first value of each); {} for anything else."""
        if request.headers.get("content-type", "").split(";")[0].strip() != "application/x-www-form-urlencoded":
            return {}
        body = await request.body()
        if len(body) > MAX_FORM_BYTES:
            return {}
        try:
            fields = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True, max_num_fields=20)
        except ValueError:
            return {}
        return {name: values[0] for name, values in fields.items()}

    def login_page(request: Request, ui: str, *, status: int = 200, error: str | None = None, name: str = "",
                   invalid: tuple[str, ...] = (), next_path: str | None = None, headers: dict | None = None) -> Response:
        texts = TEXTS[ui]
        viewer = viewer_for_page(request)
        context = page_context(request, ui, viewer=viewer, title=f"{texts['login_title']} – {texts['site_name']}",
                               switch=lambda code: PREFIX[code] + "login")
        token = auth.csrf_token(request)
        context.update(
            csrf=token, error=error, name=name, invalid=invalid,
            next_path=safe_next(next_path or request.query_params.get("next"), PREFIX[ui]),
        )
        response = templates.TemplateResponse(request, "login.html", context, status_code=status, headers=headers)
        auth.set_csrf_cookie(request, response, token)
        response.headers["Cache-Control"] = "no-store"
        return response

    def login_get(ui: str):
        def endpoint(request: Request):
            return login_page(request, ui)
        return endpoint

    def login_post(ui: str):
        async def endpoint(request: Request):
            texts = TEXTS[ui]
            form = await read_form(request)
            name, password, next_path = form.get("name", "").strip(), form.get("password", ""), form.get("next")
            if not auth.csrf_ok(request, form):
                return login_page(request, ui, status=403, error=texts["csrf_failed"], name=name, next_path=next_path)
            key = client_key(request)
            wait = auth.throttle.retry_after(key)
            if wait > 0:
                minutes = max(1, math.ceil(wait / 60))
                return login_page(request, ui, status=429, error=texts["login_throttled"].format(minutes=minutes),
                                  name=name, next_path=next_path, headers={"Retry-After": str(math.ceil(wait))})
            if not name or not password:
                invalid = tuple(f for f, v in (("name", name), ("password", password)) if not v)
                return login_page(request, ui, status=400, error=texts["login_missing"], name=name, invalid=invalid, next_path=next_path)
            try:
                # scrypt takes tens of milliseconds: keep it off the event loop. An unknown name takes as
                # long as a wrong password and gets the same answer, so names cannot be probed.
                valid = await run_in_threadpool(auth.store().check_password, name, password)
            except AccountError as exc:
                log.error("account store unavailable: %s", exc)
                return login_page(request, ui, status=503, error=texts["login_unavailable"], name=name, next_path=next_path)
            if not valid:
                auth.throttle.failed(key)
                return login_page(request, ui, status=400, error=texts["login_failed"], name=name,
                                  invalid=("name", "password"), next_path=next_path)
            auth.throttle.succeeded(key)
            response = RedirectResponse(safe_next(next_path, PREFIX[ui]), status_code=303)
            await run_in_threadpool(auth.start_session, request, response, name)
            return response
        return endpoint

    @app.post("/logout", include_in_schema=False)
    async def logout(request: Request):
        form = await read_form(request)
        next_path = safe_next(form.get("next"), "/")
        ui = next((u for u in UI_LANGUAGES if u != "fi" and next_path.startswith(PREFIX[u])), "fi")
        if not auth.csrf_ok(request, form):
            texts = TEXTS[ui]
            context = page_context(request, ui, title=texts["forbidden"], switch=lambda code: PREFIX[code])
            context.update(message=texts["csrf_failed"])
            return templates.TemplateResponse(request, "message.html", context, status_code=403)
        response = RedirectResponse(next_path, status_code=303)
        await run_in_threadpool(auth.end_session, request, response)
        return response

    # The embeddable search box and the OpenSearch description

    def embed_page(ui: str):
        def endpoint(request: Request):
            texts = TEXTS[ui]
            base = str(request.base_url).rstrip("/")
            context = page_context(request, ui, title=f"{texts['embed_title']} – {texts['site_name']}",
                                   switch=lambda code: PREFIX[code] + "embed", viewer=viewer_for_page(request))
            if context["viewer"].staff:
                context["csrf"] = auth.csrf_token(request)
            context.update(base=base, code=embed_code(base, ui))
            return signed_in_page(request, templates.TemplateResponse(request, "embed.html", context), context)
        return endpoint

    def embed_code(base: str, ui: str) -> str:
        """The search box for other sites' pages: a plain form, and a script line that adds suggestions."""
        texts = TEXTS[ui]
        attr = html.escape
        return (
            f'<form action="{attr(base + PREFIX[ui])}" method="get" role="search" data-sotehaku>\n'
            f'  <label for="sotehaku-q">{attr(texts["embed_label"])}</label>\n'
            f'  <input id="sotehaku-q" name="q" type="search" autocomplete="off">\n'
            f'  <button type="submit">{attr(texts["button"])}</button>\n'
            f"</form>\n"
            f'<script src="{attr(base)}/static/embed.js" defer></script>'
        )

    def opensearch(ui: str):
        def endpoint(request: Request):
            context = {"ui": ui, "t": TEXTS[ui], "base": str(request.base_url).rstrip("/"), "prefix": PREFIX[ui]}
            return templates.TemplateResponse(
                request, "opensearch.xml", context, media_type="application/opensearchdescription+xml"
            )
        return endpoint

    for ui in UI_LANGUAGES:
        prefix = PREFIX[ui]
        app.add_api_route(prefix, search_view(ui, "search.html"), methods=["GET"], response_class=HTMLResponse, include_in_schema=False)
        app.add_api_route(f"{prefix}results", search_view(ui, "_results.html"), methods=["GET"], response_class=HTMLResponse, include_in_schema=False)
        app.add_api_route(f"{prefix}login", login_get(ui), methods=["GET"], response_class=HTMLResponse, include_in_schema=False)
        app.add_api_route(f"{prefix}login", login_post(ui), methods=["POST"], response_class=HTMLResponse, include_in_schema=False)
        app.add_api_route(f"{prefix}embed", embed_page(ui), methods=["GET"], response_class=HTMLResponse, include_in_schema=False)
        app.add_api_route(f"{prefix}opensearch.xml", opensearch(ui), methods=["GET"], include_in_schema=False)

    add_api_routes(app, engine=engine, auth=auth, recorder=recorder)
    return app
