"""The staff dashboard (/admin): searches per day as a chart, the top queries, the queries that found
nothing or only any-word results, click-through per query and the queries whose results nobody opened,
and the freshness of the corpus and the index, each table as CSV too; and the best bets, edited in place.

The numbers come from app.querylog.staff_report, the same function `sotehaku report` prints. Only viewers
with the admin role (WebAuth.roles) open it; other staff get 403 and anonymous visitors the sign-in page.
Best bets are added and removed by CSRF-checked POST forms that rewrite the file the engine reads
(search.bestbets.edit_bestbets); the engine picks the change up on the next search.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
from pathlib import Path
from urllib.parse import parse_qs, quote, urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from search import SearchError
from search.bestbets import MAX_PINNED, BestBets, BestBetsError, edit_bestbets, has_words, load_bestbets
from search.engine import Viewer

from app.accounts import AccountError
from app.errors import AppError
from app.querylog import StaffReport, staff_report
from app.web.i18n import TEXTS, UI_LANGUAGES, format_date
from app.web.pages import PREFIX, page_context, signed_in_page, site_name, viewer_for_page
from app.web.session import read_form
from app.web.settings import web_state

log = logging.getLogger("sotehaku.web")
DEFAULT_DAYS, MAX_DAYS = 30, 366
TABLE_LIMIT = 20
MAX_BESTBET_FIELD = 2000  # characters of a form's query words or document id
DONE = {"add": "added", "remove": "removed"}  # ?done= after a best bet edit: the confirmation the page shows
# The chart's drawing area in SVG units; it scales to the page's width.
CHART_WIDTH, CHART_HEIGHT, CHART_LEFT, CHART_BOTTOM = 640, 200, 40, 24


def may_administer(request: Request, viewer: Viewer) -> bool:
    """Whether a viewer may open the staff dashboard: the admin role, as WebAuth.roles (the one rule)
    gives it: a local account's admin flag, or the identity provider's administrators' group."""
    if not viewer.staff:
        return False
    try:
        return "admin" in web_state(request).auth.roles(viewer)
    except AccountError as exc:
        log.error("account store unavailable, the dashboard is refused: %s", exc)
        return False


def admin_path(ui: str) -> str:
    return PREFIX[ui] + "admin"


def days_param(request: Request) -> int:
    """The days the dashboard covers (?days=7), bounded; the default for anything else."""
    value = request.query_params.get("days", "")
    return min(int(value), MAX_DAYS) if value.isdigit() and int(value) > 0 else DEFAULT_DAYS


def _refused(request: Request, ui: str, viewer: Viewer) -> Response | None:
    """The answer to someone who may not see the dashboard: the sign-in page, or 403; None for an admin."""
    state = web_state(request)
    if not viewer.staff:
        here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"{state.root}{PREFIX[ui]}login?next={quote(here, safe='/')}", status_code=303)
    if may_administer(request, viewer):
        return None
    texts = TEXTS[ui]
    context = page_context(request, ui, viewer=viewer, title=f"{texts['admin_forbidden']} – {site_name(request, ui)}",
                           switch=lambda code: admin_path(code))
    context.update(message=texts["admin_forbidden_text"], csrf=state.auth.csrf_token(request))
    response = state.templates.TemplateResponse(request, "message.html", context, status_code=403)
    return signed_in_page(request, response, context)


def chart(per_day: list[tuple[str, int]]) -> dict:
    """Bars of searches per day, laid out for the template's SVG: positions in SVG units."""
    top = max((n for _, n in per_day), default=0)
    scale = max(top, 1)
    height = CHART_HEIGHT - CHART_BOTTOM
    step = (CHART_WIDTH - CHART_LEFT) / max(len(per_day), 1)
    bars = []
    for i, (day, n) in enumerate(per_day):
        h = round(n / scale * (height - 10), 1)
        bars.append({"x": round(CHART_LEFT + i * step + step * 0.1, 1), "y": round(height - h, 1), "width": round(step * 0.8, 1),
                     "height": h, "day": day, "count": n})
    label_every = max(1, len(per_day) // 6)
    labels = [{"x": round(b["x"] + b["width"] / 2, 1), "text": b["day"][5:]} for b in bars[::label_every]]
    return {"bars": bars, "labels": labels, "top": top, "width": CHART_WIDTH, "height": CHART_HEIGHT,
            "left": CHART_LEFT, "base": height}


def dashboard(ui: str):
    async def endpoint(request: Request):
        viewer = viewer_for_page(request)
        refused = _refused(request, ui, viewer)
        if refused is not None:
            return refused
        done = request.query_params.get("done")
        return await render_dashboard(request, ui, viewer, done=done if done in DONE.values() else None)

    return endpoint


async def render_dashboard(request: Request, ui: str, viewer: Viewer, *, status: int = 200, done: str | None = None,
                           bestbet_error: str | None = None, bestbet_form: dict | None = None) -> Response:
    """The dashboard page; after a best bet edit, its confirmation (`done`) or its error with the typed form."""
    state = web_state(request)
    days = days_param(request)
    texts = TEXTS[ui]
    try:
        report: StaffReport | None = await run_in_threadpool(
            staff_report, state.settings.data_dir, days=days, limit=TABLE_LIMIT
        )
        error = None
    except AppError as exc:
        log.error("dashboard: report unavailable: %s", exc)
        report, error = None, texts["unavailable"]
    context = page_context(request, ui, viewer=viewer, title=f"{texts['admin_title']} – {site_name(request, ui)}",
                           switch=lambda code: admin_path(code))
    context.update(report=report, error=error, days=days, csrf=state.auth.csrf_token(request),
                   csv_base=state.root + PREFIX[ui] + "admin/")
    if report is not None:
        context["chart"] = chart(report.queries.per_day)
        clicks = report.queries.clicks
        context["clicks"] = clicks
        context["click_rows"] = [(q, n, c, percent(r, ui)) for q, n, c, r in (clicks.per_query if clicks else [])]
        context["source_rows"] = [
            (s.source, s.documents, _when(s.last_crawl, ui), ", ".join(f"{r}: {n}" for r, n in sorted(s.skipped.items())) or "–")
            for s in report.sources
        ]
    context.update(await run_in_threadpool(bestbets_context, request, ui, viewer))
    context.update(bestbet_done=texts[f"admin_bestbets_{done}"] if done else None, bestbet_error=bestbet_error,
                   bestbet_form=bestbet_form or {})
    response = state.templates.TemplateResponse(request, "admin.html", context, status_code=status)
    return signed_in_page(request, response, context)


def bestbets_path(request: Request) -> Path | None:
    """The best bets file the engine reads (the one the dashboard edits), or None when it reads none."""
    path = web_state(request).engine.bestbets
    return Path(path) if path is not None else None


def bestbets_context(request: Request, ui: str, viewer: Viewer) -> dict:
    """The pinned queries and their documents (with titles, as the admin sees them) for the template."""
    path = bestbets_path(request)
    if path is None:
        return {"bestbets_path": None, "bestbets": [], "bestbets_broken": None}
    try:
        bets = load_bestbets(path)
    except BestBetsError as exc:
        return {"bestbets_path": str(path.resolve()), "bestbets": [], "bestbets_broken": TEXTS[ui]["admin_bestbets_broken"].format(error=exc)}
    engine = web_state(request).engine
    rows = []
    for bet in bets.bets:
        documents = []
        for doc_id in bet.documents:
            try:
                stored = engine.document(doc_id, viewer=viewer)
            except SearchError as exc:  # an index that cannot be read must not hide the pins
                log.warning("dashboard: best bet document %s not looked up: %s", doc_id, exc)
                stored = None
            documents.append({"id": doc_id, "title": (stored or {}).get("title") or "", "found": stored is not None})
        rows.append({"query": bet.query, "documents": documents})
    return {"bestbets_path": str(path.resolve()), "bestbets": rows, "bestbets_broken": None}


def document_id(value: str) -> str:
    """The document id an admin typed or pasted: the id itself (a document's address), or a link to its
    details page on this site (…/document?id=…), whose id is taken.

    >>> document_id(" https://www.example.fi/a.html ")
    'https://www.example.fi/a.html'
    >>> document_id("https://haku.example.fi/en/document?id=https%3A%2F%2Fwww.example.fi%2Fa.html")
    'https://www.example.fi/a.html'
    """
    value = value.strip()
    parts = urlsplit(value)
    if parts.path.endswith("/document") and parts.query:
        ids = parse_qs(parts.query).get("id")
        if ids:
            return ids[0].strip()
    return value


def find_document(request: Request, viewer: Viewer, value: str) -> str | None:
    """The id of the document the admin means (as typed, or with or without its final slash), or None."""
    doc_id = document_id(value)
    engine = web_state(request).engine
    candidates = [doc_id]
    if doc_id.startswith(("http://", "https://")):
        candidates.append(doc_id[:-1] if doc_id.endswith("/") else doc_id + "/")
    return next((c for c in candidates if engine.document(c, viewer=viewer) is not None), None)


def bestbet_edit(ui: str, action: str):
    """The target of the add and remove forms: admins only, CSRF-checked; then back to the dashboard."""

    async def endpoint(request: Request):
        viewer = viewer_for_page(request)
        state = web_state(request)
        if not viewer.staff:  # signed out meanwhile: sign in, then back to the dashboard (not to this POST target)
            return RedirectResponse(f"{state.root}{PREFIX[ui]}login?next={quote(state.root + admin_path(ui), safe='/')}", status_code=303)
        refused = _refused(request, ui, viewer)
        if refused is not None:
            return refused
        texts = TEXTS[ui]
        form = await read_form(request)
        if not state.auth.csrf_ok(request, form):
            context = page_context(request, ui, viewer=viewer, title=f"{texts['forbidden']} – {site_name(request, ui)}",
                                   switch=lambda code: admin_path(code))
            context.update(message=texts["csrf_failed"], csrf=state.auth.csrf_token(request))
            response = state.templates.TemplateResponse(request, "message.html", context, status_code=403)
            return signed_in_page(request, response, context)
        query = " ".join(form.get("query", "").split())[:MAX_BESTBET_FIELD]
        typed = form.get("document", "")[:MAX_BESTBET_FIELD]
        path = bestbets_path(request)

        def refuse(message: str, status: int = 400):
            return render_dashboard(request, ui, viewer, status=status, bestbet_error=message,
                                    bestbet_form={"query": query, "document": typed.strip()} if action == "add" else {})

        if path is None:
            return await refuse(texts["admin_bestbets_off"], 409)
        if action == "add":
            if not has_words(query):
                return await refuse(texts["admin_bestbets_no_words"])
            if not typed.strip():
                return await refuse(texts["admin_bestbets_no_document"])
            doc_id = await run_in_threadpool(find_document, request, viewer, typed)
            if doc_id is None:
                return await refuse(texts["admin_bestbets_unknown"].format(id=document_id(typed)))
            try:
                current = await run_in_threadpool(load_bestbets, path)
            except BestBetsError as exc:
                return await refuse(texts["admin_bestbets_broken"].format(error=exc), 409)
            bet = current.bet_for(query)
            if bet is not None and doc_id not in bet.documents and len(bet.documents) >= MAX_PINNED:
                return await refuse(texts["admin_bestbets_full"].format(query=bet.query, max=MAX_PINNED))

            def change(bets: BestBets) -> BestBets:
                return bets.pin(query, doc_id)
        else:
            doc_id = form.get("document", "").strip()

            def change(bets: BestBets) -> BestBets:
                return bets.unpin(query, doc_id)
        try:
            await run_in_threadpool(edit_bestbets, path, change)
        except BestBetsError as exc:
            log.error("dashboard: best bets not saved: %s", exc)
            return await refuse(texts["admin_bestbets_broken"].format(error=exc), 409)
        log.info("best bet %s by %s: %r -> %s", action, viewer.name, query, doc_id)
        return RedirectResponse(f"{state.root}{admin_path(ui)}?done={DONE[action]}#bestbets-heading", status_code=303)

    return endpoint


def csv_table(ui: str):
    async def endpoint(request: Request, table: str):
        viewer = viewer_for_page(request)
        refused = _refused(request, ui, viewer)
        if refused is not None:
            return refused
        state = web_state(request)
        days = days_param(request)
        report = await run_in_threadpool(staff_report, state.settings.data_dir, days=days, limit=TABLE_LIMIT)
        tables = report.tables()
        if table not in tables:
            return Response(f"No table {table!r}; the tables are {', '.join(tables)}.\n", status_code=404, media_type="text/plain")
        header, rows = tables[table]
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(header)
        writer.writerows(rows)
        return Response(
            out.getvalue(), media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="sotehaku-{table}-{days}d.csv"',
                     "Cache-Control": "private, no-store", "Vary": "Cookie"},
        )

    return endpoint


def percent(share: float, ui: str) -> str:
    """A share as the page's language writes a percentage: '50 %' in Finnish and Swedish, '50%' in English.

    >>> percent(0.5, "fi"), percent(1 / 3, "en")
    ('50\\xa0%', '33%')
    """
    return f"{share * 100:.0f}" + ("%" if ui == "en" else "\u00a0%")


def _when(value: str | None, ui: str) -> str:
    """An ISO 8601 time as the page shows it: its day in the page's language, and the time (UTC)."""
    if not value:
        return TEXTS[ui]["admin_never"]
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return value
    return f"{format_date(moment.date(), ui)} {moment:%H.%M} UTC"


router = APIRouter(include_in_schema=False)
for _ui in UI_LANGUAGES:
    router.add_api_route(admin_path(_ui), dashboard(_ui), methods=["GET"], response_class=HTMLResponse)
    router.add_api_route(admin_path(_ui) + "/{table}.csv", csv_table(_ui), methods=["GET"])
    for _action in ("add", "remove"):
        router.add_api_route(admin_path(_ui) + f"/bestbets/{_action}", bestbet_edit(_ui, _action), methods=["POST"])
