"""The API's documentation page (/api/docs): the app's own OpenAPI description (FastAPI builds it from
the routes) written out as a server-rendered page in the site's frame, readable without JavaScript and
with nothing loaded from another site. Programs read the same description at /openapi.json."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from app.web.i18n import TEXTS, UI_LANGUAGES
from app.web.pages import PREFIX, page_context, signed_in_page, site_name, viewer_for_page
from app.web.settings import public_base, web_state

router = APIRouter(include_in_schema=False)


def type_name(schema: dict) -> str:
    """A parameter's type as the page shows it.

    >>> type_name({"type": "integer", "minimum": 1, "maximum": 100}), type_name({"anyOf": [{"type": "string"}, {"type": "null"}]})
    ('integer, 1–100', 'string')
    >>> type_name({"type": "array", "items": {"type": "string"}})
    'string, repeatable'
    """
    if "anyOf" in schema:
        kinds = [type_name(s) for s in schema["anyOf"] if s.get("type") != "null"]
        return " | ".join(kinds) or "null"
    if schema.get("type") == "array":
        return f"{type_name(schema.get('items', {}))}, repeatable"
    name = schema.get("type", "any")
    if "minimum" in schema and "maximum" in schema:
        name += f", {schema['minimum']}–{schema['maximum']}"
    elif "maxLength" in schema:
        name += f", ≤ {schema['maxLength']} characters"
    return name


def operations(schema: dict) -> list[dict]:
    """The operations of an OpenAPI description: method, path, summary, description, parameters, responses."""
    found = []
    for path, methods in schema.get("paths", {}).items():
        for method, op in methods.items():
            found.append({
                "id": op.get("operationId") or f"{method}-{path}",
                "method": method.upper(), "path": path, "summary": op.get("summary", ""), "description": op.get("description", ""),
                "params": [
                    {"name": p["name"], "in": p.get("in", ""), "required": p.get("required", False),
                     "type": type_name(p.get("schema", {})), "description": p.get("description") or p.get("schema", {}).get("description", ""),
                     "default": p.get("schema", {}).get("default")}
                    for p in op.get("parameters", [])
                ],
                "responses": [(code, r.get("description", "")) for code, r in op.get("responses", {}).items()],
            })
    return found


def api_docs(ui: str):
    def endpoint(request: Request):
        state = web_state(request)
        texts = TEXTS[ui]
        viewer = viewer_for_page(request)
        schema = request.app.openapi()
        context = page_context(request, ui, viewer=viewer, title=f"{texts['api_title']} – {site_name(request, ui)}",
                               switch=lambda code: PREFIX[code] + "api-docs")
        if viewer.staff:
            context["csrf"] = state.auth.csrf_token(request)
        context.update(info=schema.get("info", {}), operations=operations(schema), base=public_base(request) + state.root)
        response = state.templates.TemplateResponse(request, "api_docs.html", context)
        return signed_in_page(request, response, context)

    return endpoint


for _ui in UI_LANGUAGES:
    router.add_api_route(PREFIX[_ui] + "api-docs", api_docs(_ui), methods=["GET"], response_class=HTMLResponse)
