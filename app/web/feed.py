"""Search feeds: the newest documents matching a search (its words and filters) as an Atom feed (RFC 4287).

Anyone may follow a search's feed of public documents, without an account. Internal documents appear
only in a feed fetched with a staff credential in the Authorization header: an API token as
`Bearer TOKEN`, or as the password of HTTP Basic authentication, which feed readers send from an
address such as https://feed:TOKEN@www.kunta.fi/haku/feed?q=... (the token travels in a header, so it
never appears in a request line or an access log; revoking the token ends the feed's access). A session
cookie is not enough: a feed URL is made to be shared and fetched by programs.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import html
import re

from fastapi import APIRouter, Request
from fastapi.responses import Response
from lxml import etree
from lxml.builder import ElementMaker

from search.api import ANONYMOUS, Hit, Viewer

from app.web.auth import Unauthorized
from app.web.i18n import TEXTS, UI_LANGUAGES
from app.web.pages import PREFIX, linkable
from app.web.params import SearchState, filters_from_params
from app.web.settings import public_base, web_state

ATOM = "http://www.w3.org/2005/Atom"
FEED_SIZE = 20
MEDIA_TYPE = "application/atom+xml"
TAG = re.compile(r"<[^>]+>")
# Characters XML 1.0 cannot hold (control characters, lone surrogates, non-characters): left out of a feed.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

router = APIRouter()
# The feed reads its parameters itself (any filter, repeated), so OpenAPI is told them here.
FEED_PARAMETERS = [
    {"name": "q", "in": "query", "required": False, "schema": {"type": "string", "maxLength": 1000},
     "description": "The search's words, as for /api/search; may be left out when a filter is given"},
    *({"name": name, "in": "query", "required": False, "schema": {"type": "array", "items": {"type": "string"}},
       "description": f"Only documents with this {name}, as for /api/search; repeat for any of several"}
      for name in ("section", "lang", "year", "type", "source", "site")),
    {"name": "updated", "in": "query", "required": False, "schema": {"type": "string"},
     "description": "Only documents updated in this range, as for /api/search"},
]
FEED_RESPONSES = {
    200: {"description": "An Atom feed (RFC 4287) of the newest dated documents matching the search",
          "content": {MEDIA_TYPE: {"schema": {"type": "string"}}}},
    400: {"description": "A bad parameter; the message names it and the fix"},
    401: {"description": "An Authorization header with a wrong, expired or revoked token"},
    503: {"description": "No index yet, or the index cannot be read"},
}


def feed_viewer(request: Request) -> Viewer:
    """Staff for a valid API token in the Authorization header (Bearer, or Basic with the token as the
    password); anonymous without the header; Unauthorized (401) for a wrong, expired or revoked token."""
    header = request.headers.get("authorization")
    if header is None:
        return ANONYMOUS
    auth = web_state(request).auth
    scheme, _, value = header.strip().partition(" ")
    if scheme.lower() == "basic":
        try:
            _, _, token = base64.b64decode(value.strip(), validate=True).decode("utf-8").partition(":")
        except (binascii.Error, UnicodeDecodeError):
            token = ""
        name = auth.store().user_for_token(token) if token else None
        if name is None:
            raise Unauthorized(
                "invalid_token", "The feed token (the password of the feed's address) is wrong, expired or revoked. "
                "Ask an administrator for a new one ('sotehaku users token NAME'), or follow the public feed.",
            )
        return Viewer(name=name, staff=True)
    return auth.api_viewer(request)


def xml_text(text: str) -> str:
    r"""Text that an XML document can hold: characters XML forbids are left out.

    >>> xml_text("a\x1eb\x00c")
    'abc'
    """
    return NOT_XML.sub("", text)


def _text(snippet: str) -> str:
    return xml_text(html.unescape(TAG.sub("", snippet)))


def _timestamp(day: dt.date) -> str:
    return f"{day.isoformat()}T00:00:00Z"


def atom_feed(hits: list[Hit], *, title: str, feed_url: str, page_url: str, author: str, lang: str) -> bytes:
    """An Atom feed document of dated hits, newest first as given: the feed's id is its own address,
    an entry's id its document's address (or a tag URI of its id when it has none that can be linked)."""
    atom = ElementMaker(namespace=ATOM, nsmap={None: ATOM})
    title, feed_url, page_url = xml_text(title), xml_text(feed_url), xml_text(page_url)
    newest = max((h.updated for h in hits if h.updated), default=None)
    feed = atom.feed(
        atom.title(title),
        atom.id(feed_url),
        atom.updated(_timestamp(newest) if newest else dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")),
        atom.author(atom.name(author)),
        atom.link(rel="self", type=MEDIA_TYPE, href=feed_url),
        atom.link(rel="alternate", type="text/html", href=page_url),
        atom.generator("sotehaku"),
    )
    feed.set("{http://www.w3.org/XML/1998/namespace}lang", lang)
    for hit in hits:
        address = xml_text(hit.url if linkable(hit.url) else f"tag:sotehaku,2024:{hit.id}")
        entry = atom.entry(
            atom.title(xml_text(hit.title or hit.url or hit.id)),
            atom.id(address),
            atom.updated(_timestamp(hit.updated)),
            atom.summary(_text(hit.snippet)),
        )
        if linkable(hit.url):
            entry.append(atom.link(rel="alternate", href=address))
        else:
            entry.append(atom.content(_text(hit.snippet)))
        if hit.lang:
            entry.set("{http://www.w3.org/XML/1998/namespace}lang", xml_text(hit.lang))
        if hit.type:
            entry.append(atom.category(term=xml_text(hit.type)))
        feed.append(entry)
    return etree.tostring(feed, xml_declaration=True, encoding="utf-8")


def feed_view(ui: str):
    """The Atom feed of a search: its newest dated matches the caller may see."""

    def endpoint(request: Request):
        state = web_state(request)
        viewer = feed_viewer(request)
        params = request.query_params
        q = params.get("q", "")
        filters = filters_from_params(params)
        results = state.engine.search(q, size=FEED_SIZE, viewer=viewer, filters=filters, sort="date", facets=False,
                                       bestbets=False)
        hits = [h for h in results.hits if h.updated]
        texts = TEXTS[ui]
        search = SearchState(PREFIX[ui], q, filters)
        base = public_base(request)
        shown = q.strip() or ", ".join(v for vs in filters.values() for v in vs)
        body = atom_feed(
            hits, title=texts["feed_title"].format(q=shown) if shown else texts["feed_all"],
            feed_url=base + search.feed_url(PREFIX[ui] + "feed"), page_url=base + search.url(sort="date"),
            author=texts["site_name"], lang=ui,
        )
        response = Response(body, media_type=MEDIA_TYPE)
        response.headers["Vary"] = "Authorization"
        if viewer.staff:
            response.headers["Cache-Control"] = "private, no-store"
        return response

    return endpoint


for _ui in UI_LANGUAGES:
    router.add_api_route(
        f"{PREFIX[_ui]}feed", feed_view(_ui), methods=["GET"], include_in_schema=_ui == "fi", tags=["search"],
        summary="A search's newest documents as an Atom feed", response_class=Response, responses=FEED_RESPONSES,
        openapi_extra={"parameters": FEED_PARAMETERS},
        description="The 20 newest dated documents matching the search, newest first (/sv/feed and /en/feed "
        "give Swedish and English titles). Internal documents need an API token in the Authorization header: "
        "`Bearer TOKEN`, or HTTP Basic with the token as the password.",
    )
