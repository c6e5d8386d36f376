"""The search box other sites embed (its page with the code to copy) and the OpenSearch description."""

from __future__ import annotations

import html

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from app.web.i18n import TEXTS, UI_LANGUAGES
from app.web.pages import PREFIX, page_context, signed_in_page, site_name, viewer_for_page
from app.web.settings import public_base, web_state


def embed_page(ui: str):
    """The page that shows the embeddable search box and its code."""

    def endpoint(request: Request):
        state = web_state(request)
        texts = TEXTS[ui]
        base = public_base(request)
        context = page_context(request, ui, title=f"{texts['embed_title']} – {site_name(request, ui)}",
                               switch=lambda code: PREFIX[code] + "embed", viewer=viewer_for_page(request))
        if context["viewer"].staff:
            context["csrf"] = state.auth.csrf_token(request)
        context.update(code=embed_code(base, ui))
        return signed_in_page(request, state.templates.TemplateResponse(request, "embed.html", context), context)

    return endpoint


def embed_code(base: str, ui: str) -> str:
    """The search box for other sites' pages: a plain form, and a script line that adds suggestions;
    `base` is the app's public URL (its addresses are the ones other sites' visitors open)."""
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
    """The OpenSearch description that lets browsers offer the site search."""

    def endpoint(request: Request):
        context = {"ui": ui, "t": TEXTS[ui], "base": public_base(request), "prefix": PREFIX[ui], "site_name": site_name(request, ui)}
        return web_state(request).templates.TemplateResponse(
            request, "opensearch.xml", context, media_type="application/opensearchdescription+xml"
        )

    return endpoint


router = APIRouter(include_in_schema=False)
for _ui in UI_LANGUAGES:
    router.add_api_route(f"{PREFIX[_ui]}embed", embed_page(_ui), methods=["GET"], response_class=HTMLResponse)
    router.add_api_route(f"{PREFIX[_ui]}opensearch.xml", opensearch(_ui), methods=["GET"])
