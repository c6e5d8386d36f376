"""The API's documentation page (/api/docs): Swagger UI over /openapi.json, its code and styles served
by this app from the fastapi-offline package, never from a CDN."""

from __future__ import annotations

from pathlib import Path

import fastapi_offline
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from app.web.i18n import TEXTS
from app.web.pages import PREFIX, site_name
from app.web.settings import web_state

# Swagger UI's code and styles, as the fastapi-offline package ships them.
ASSETS = Path(fastapi_offline.__file__).parent / "static"
ASSETS_PATH = "/api/docs/assets"
# Swagger UI sets inline styles on its elements: this page alone allows them. Its scripts are still only
# this server's files.
DOCS_CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)

router = APIRouter(include_in_schema=False)


@router.get("/api/docs", response_class=HTMLResponse)
def api_docs(request: Request):
    """Swagger UI for the JSON API, in English (as Swagger UI is), with a way back to the search page."""
    state = web_state(request)
    context = {
        "title": f"API – {site_name(request, 'en')}", "root": state.root, "assets": state.root + ASSETS_PATH,
        "back": state.root + PREFIX["fi"], "back_text": TEXTS["en"]["home"],
    }
    response = state.templates.TemplateResponse(request, "api_docs.html", context)
    response.headers["Content-Security-Policy"] = DOCS_CONTENT_SECURITY_POLICY
    return response


def mount_assets(app) -> None:
    """Serve Swagger UI's files under /api/docs/assets."""
    app.mount(ASSETS_PATH, StaticFiles(directory=str(ASSETS)), name="api-docs-assets")
