"""Signing in and out of the web pages: the sign-in form, its checks, sign-in through the organisation's
OpenID Connect provider (app.web.oidc), and the session cookie's start and end."""

from __future__ import annotations

import hmac
import logging
import math
from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from app.accounts import AccountError
from app.web.auth import client_key, safe_next
from app.web.i18n import TEXTS, UI_LANGUAGES
from app.web.oidc import LOGIN_SECONDS, OidcError, PendingLogin
from app.web.pages import PREFIX, page_context, ui_of_path, viewer_for_page
from app.web.settings import public_base, web_state

# The state of a sign-in under way at the provider, in this browser: the callback must bring the same
# one, so nobody can finish a sign-in they started in someone else's browser (login CSRF).
OIDC_STATE_COOKIE = "sotehaku_oidc_state"

log = logging.getLogger("sotehaku.web")
MAX_FORM_BYTES = 16 * 1024


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
    """The sign-in form, with an error and the fields to fix when a try failed."""
    state = web_state(request)
    texts = TEXTS[ui]
    viewer = viewer_for_page(request)
    context = page_context(request, ui, viewer=viewer, title=f"{texts['login_title']} – {texts['site_name']}",
                           switch=lambda code: PREFIX[code] + "login")
    token = state.auth.csrf_token(request)
    context.update(
        csrf=token, error=error, name=name, invalid=invalid, oidc=state.oidc is not None,
        next_path=safe_next(next_path or request.query_params.get("next"), state.root + PREFIX[ui], state.root),
    )
    response = state.templates.TemplateResponse(request, "login.html", context, status_code=status, headers=headers)
    state.auth.set_csrf_cookie(request, response, token)
    response.headers["Cache-Control"] = "no-store"
    return response


def login_get(ui: str):
    """The sign-in page of one page language."""

    def endpoint(request: Request):
        return login_page(request, ui)

    return endpoint


def login_post(ui: str):
    """The sign-in form's target: checks, throttling, the password, then a new session and a redirect."""

    async def endpoint(request: Request):
        state = web_state(request)
        auth = state.auth
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
        response = RedirectResponse(safe_next(next_path, state.root + PREFIX[ui], state.root), status_code=303)
        await run_in_threadpool(auth.start_session, request, response, name)
        return response

    return endpoint


async def logout(request: Request):
    """Sign out (a POST from the sign-out button, CSRF-checked) and go back where the button was."""
    state = web_state(request)
    form = await read_form(request)
    next_path = safe_next(form.get("next"), state.root + "/", state.root)
    ui = ui_of_path(next_path[len(state.root):])
    if not state.auth.csrf_ok(request, form):
        texts = TEXTS[ui]
        context = page_context(request, ui, title=texts["forbidden"], switch=lambda code: PREFIX[code])
        context.update(message=texts["csrf_failed"])
        return state.templates.TemplateResponse(request, "message.html", context, status_code=403)
    response = RedirectResponse(next_path, status_code=303)
    await run_in_threadpool(state.auth.end_session, request, response)
    return response


def _message(request: Request, ui: str, status: int, message: str) -> Response:
    state = web_state(request)
    texts = TEXTS[ui]
    context = page_context(request, ui, title=texts["login_title"], switch=lambda code: PREFIX[code] + "login")
    context.update(message=message)
    response = state.templates.TemplateResponse(request, "message.html", context, status_code=status)
    response.headers["Cache-Control"] = "no-store"
    return response


def _redirect_uri(request: Request) -> str:
    """The callback address registered at the provider: the public URL's, never the Host header's."""
    return public_base(request) + "/oidc/callback"


async def oidc_login(request: Request):
    """Start a sign-in at the provider: a fresh state, nonce and PKCE verifier, kept once server-side."""
    state = web_state(request)
    next_path = safe_next(request.query_params.get("next"), state.root + "/", state.root)
    ui = ui_of_path(next_path[len(state.root):])
    if state.oidc is None:
        return _message(request, ui, 404, TEXTS[ui]["not_found_text"])
    try:
        url, login_state, pending = await run_in_threadpool(state.oidc.start, _redirect_uri(request))
        await run_in_threadpool(
            state.auth.store().start_oidc_login, login_state, pending.nonce, pending.verifier, next_path, LOGIN_SECONDS,
        )
    except (OidcError, AccountError) as exc:
        log.error("sign-in through the identity provider unavailable: %s", exc)
        return _message(request, ui, 503, TEXTS[ui]["oidc_unavailable"])
    response = RedirectResponse(url, status_code=303)
    response.set_cookie(OIDC_STATE_COOKIE, login_state, max_age=LOGIN_SECONDS, path=state.auth.cookie_path,
                        httponly=True, samesite="lax", secure=state.auth.secure(request))
    response.headers["Cache-Control"] = "no-store"
    return response


async def oidc_callback(request: Request):
    """The provider's answer: the state must be this browser's and unused; the code is traded and the
    ID token verified (app.web.oidc) before a session with the user's groups starts."""
    state = web_state(request)
    params = request.query_params
    login_state = params.get("state", "")
    cookie = request.cookies.get(OIDC_STATE_COOKIE, "")
    ui = "fi"
    if state.oidc is None:
        return _message(request, ui, 404, TEXTS[ui]["oidc_failed"])
    pending = None
    if login_state and cookie and hmac.compare_digest(cookie.encode(), login_state.encode()):
        pending = await run_in_threadpool(state.auth.store().take_oidc_login, login_state)
    if pending is None:
        log.warning("sign-in through the identity provider refused: unknown, used or expired state")
        return _failed(request, ui, 400)
    nonce, verifier, next_path = pending
    ui = ui_of_path(next_path[len(state.root):])
    if params.get("error") or not params.get("code"):
        log.warning("the identity provider answered %s: %s", params.get("error"), params.get("error_description", ""))
        return _failed(request, ui, 400)
    try:
        identity = await run_in_threadpool(
            state.oidc.finish, params["code"], _redirect_uri(request), PendingLogin(nonce, verifier, next_path),
        )
    except OidcError as exc:
        log.warning("sign-in through the identity provider refused: %s", exc)
        return _failed(request, ui, 400)
    response = RedirectResponse(next_path, status_code=303)
    await run_in_threadpool(state.auth.start_session, request, response, identity.name, groups=identity.groups)
    response.delete_cookie(OIDC_STATE_COOKIE, path=state.auth.cookie_path, httponly=True, samesite="lax",
                           secure=state.auth.secure(request))
    log.info("%s signed in through the identity provider (groups: %s)", identity.name, ", ".join(identity.groups) or "none")
    return response


def _failed(request: Request, ui: str, status: int) -> Response:
    response = _message(request, ui, status, TEXTS[ui]["oidc_failed"])
    state = web_state(request)
    response.delete_cookie(OIDC_STATE_COOKIE, path=state.auth.cookie_path, httponly=True, samesite="lax",
                           secure=state.auth.secure(request))
    return response


router = APIRouter(include_in_schema=False)
router.add_api_route("/logout", logout, methods=["POST"])
router.add_api_route("/oidc/login", oidc_login, methods=["GET"])
router.add_api_route("/oidc/callback", oidc_callback, methods=["GET"])
for _ui in UI_LANGUAGES:
    router.add_api_route(f"{PREFIX[_ui]}login", login_get(_ui), methods=["GET"], response_class=HTMLResponse)
    router.add_api_route(f"{PREFIX[_ui]}login", login_post(_ui), methods=["POST"], response_class=HTMLResponse)
