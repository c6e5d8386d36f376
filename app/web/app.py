"""The web front end's app factory: a search page for citizens and staff and a JSON API over one engine.

The routes live in routers of their own (pages, session, embed, api); errors become statuses in
app.web.errors. `create_app` only builds the services from the settings and puts the pieces together.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.types import ASGIApp, Receive, Scope, Send
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from search.engine import SearchEngine

from app.backend import open_engine
from app.web import api, embed, metrics, pages, session
from app.web.auth import CSRF_FIELD, PEER_SCOPE_KEY, SESSION_COOKIE, WebAuth
from app.web.errors import install_error_handlers
from app.web.oidc import OidcClient
from app.web.recorder import QueryRecorder
from app.web.settings import WebSettings, WebState, route_path

WEB_DIR = Path(__file__).parent
# Pages load scripts and styles from this server only: no inline script can run even if some text
# slipped through escaping. Other sites may not frame the pages (the sign-out button).
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)


def create_app(settings: WebSettings | str | Path, *, engine: SearchEngine | None = None, **options) -> FastAPI:
    """Build the web app from its settings, or from a data directory and WebSettings' other fields as
    keywords (tests pass a temp directory). `engine` replaces the one opened on the data directory."""
    if not isinstance(settings, WebSettings):
        settings = WebSettings(Path(settings), **options)
    elif options:
        raise TypeError(f"pass either WebSettings or keyword options, not both: {sorted(options)}")
    app = FastAPI(
        title="sotehaku",
        summary="Search Finnish social and health care reform documents",
        description="Anonymous callers see public documents; `Authorization: Bearer TOKEN` (from "
        "`sotehaku users add`) also shows internal ones. A wrong, expired or revoked token is refused with 401.",
        version="0.1.0",
        docs_url=None,  # Swagger UI and ReDoc load their code from a CDN; /openapi.json is what clients need
        redoc_url=None,
    )
    engine = engine or open_engine(settings.data_dir)
    app.state.metrics = metrics.SearchMetrics(settings.data_dir, engine)
    app.state.sotehaku = WebState(
        settings=settings,
        engine=metrics.MeasuredEngine(engine, app.state.metrics),
        auth=WebAuth(
            settings.data_dir, secure_cookies=settings.secure_cookies, max_login_failures=settings.max_login_failures,
            cookie_path=settings.root or "/", public_origin=settings.public_origin,
            trusted_proxies=settings.trusted_proxies, proxy_user_header=settings.proxy_user_header,
            proxy_groups_header=settings.proxy_groups_header,
            admin_group=settings.oidc.admin_group if settings.oidc else None,
        ),
        oidc=OidcClient(settings.oidc) if settings.oidc else None,
        recorder=QueryRecorder(settings.data_dir),
        templates=_templates(),
    )
    if settings.cors_origins:
        # Cross-origin callers get public results only: no cookies (allow_credentials=False) and no
        # Authorization header, so a staff token is never put in another site's page.
        app.add_middleware(
            CORSMiddleware, allow_origins=list(settings.cors_origins), allow_credentials=False, allow_methods=["GET"],
            allow_headers=[], max_age=3600,
        )
    app.middleware("http")(security_headers)
    install_error_handlers(app, not_found_page=pages.not_found_page, hints=api.PARAMETER_HINTS)
    app.mount("/static", StaticFiles(directory=str(WEB_DIR / "static")), name="static")
    for router in (pages.router, session.router, embed.router, api.router, metrics.router):
        app.include_router(router)
    # Starlette's own slash redirect writes the Host header into its Location; app.web.errors redirects
    # with a path instead.
    app.router.redirect_slashes = False
    # The outermost layers: who the client is (from a trusted proxy's headers only), then where the app is.
    app.add_middleware(ServedUnder, root=settings.root)
    if settings.trusted_proxies:
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=list(settings.trusted_proxies))
    app.add_middleware(KeepPeer)  # outermost: the connection's own address, before any proxy header
    return app


class KeepPeer:
    """Keep the address of the connection's other end in the scope (PEER_SCOPE_KEY) before a trusted
    proxy's X-Forwarded-For replaces the client address: an SSO proxy's user headers are believed only
    when the connection itself comes from a trusted proxy."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            scope = {**scope, PEER_SCOPE_KEY: scope.get("client")}
        await self.app(scope, receive, send)


class ServedUnder:
    """Serve the app under its public sub-path (/haku): a request's path may come with the sub-path (a
    proxy that passes it on) or without it (a proxy that strips it, or a request straight to the server);
    either way the app sees the full public path with the sub-path as its ASGI root_path, so every link
    it builds from the request carries the prefix and its routes match the rest."""

    def __init__(self, app: ASGIApp, root: str):
        self.app, self.root = app, root

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.root and scope["type"] in ("http", "websocket"):
            path = scope["path"]
            if not (path == self.root or path.startswith(self.root + "/")):
                raw = scope.get("raw_path") or path.encode()
                scope = {**scope, "path": self.root + path, "raw_path": self.root.encode() + raw}
            scope = {**scope, "root_path": self.root}
        await self.app(scope, receive, send)


def _templates() -> Jinja2Templates:
    templates = Jinja2Templates(directory=str(WEB_DIR / "templates"))
    templates.env.globals.update(BADGE_TYPES=pages.BADGE_TYPES, CSRF_FIELD=CSRF_FIELD, linkable=pages.linkable)
    return templates


async def security_headers(request: Request, call_next):
    """Headers every answer carries: no sniffing, CSP and no framing on pages, no shared caching of API answers."""
    response = await call_next(request)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    if route_path(request).startswith("/api/"):
        # Answers depend on who asks: never let a cache hand a staff answer to someone else.
        response.headers["Vary"] = "Authorization, Cookie"
        if "authorization" in request.headers or SESSION_COOKIE in request.cookies:
            response.headers["Cache-Control"] = "private, no-store"
    if response.headers.get("content-type", "").startswith("text/html"):
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Frame-Options", "DENY")
    return response
