"""Who is asking: API tokens, login session cookies (local accounts or the identity provider), an SSO
proxy's user and groups headers, CSRF checks of the forms and a brake on password guessing.

Anonymous requests never touch the account store: it is opened on the first request that carries a token
or a session cookie, or that signs in.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

from fastapi import Request
from starlette.responses import Response

from app.accounts import AccountStore, open_accounts
from corpus.document import check_groups
from search.engine import ANONYMOUS, Viewer

log = logging.getLogger("sotehaku.web")
# The ASGI scope key under which the address of the connection's other end is kept, before a trusted
# proxy's X-Forwarded-For replaces the client address: trusted user headers are believed from it alone.
PEER_SCOPE_KEY = "sotehaku.peer"
MAX_PROXY_HEADER = 8192

SESSION_COOKIE = "sotehaku_session"
CSRF_COOKIE = "sotehaku_csrf"
CSRF_FIELD = "csrf_token"
# As long as app.accounts keeps a session (its create_session default), so the cookie and the session
# end together.
SESSION_SECONDS = 8 * 3600
# Failed sign-ins allowed per client address in the window before sign-in answers 429. Ten guesses per
# ten minutes per address against 12+ character scrypt-hashed passwords; an account is never locked, so
# nobody can lock staff out by guessing their name.
MAX_LOGIN_FAILURES = 10
LOGIN_WINDOW_SECONDS = 600.0


class Unauthorized(Exception):
    """An API request with an Authorization header that proves nothing: answered 401, never anonymously."""

    def __init__(self, error: str, message: str):
        super().__init__(message)
        self.error = error  # RFC 6750 error code for WWW-Authenticate


class LoginThrottle:
    """Failed sign-ins per client address in a sliding window; safe to share between threads."""

    def __init__(self, limit: int = MAX_LOGIN_FAILURES, window: float = LOGIN_WINDOW_SECONDS,
                 clock: Callable[[], float] = time.monotonic):
        self.limit, self.window, self._clock = limit, window, clock
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def retry_after(self, key: str) -> float:
        """Seconds until `key` may try again; 0 when it may now."""
        now = self._clock()
        with self._lock:
            times = self._recent(key, now)
            return 0.0 if len(times) < self.limit else times[0] + self.window - now

    def failed(self, key: str) -> None:
        """Count a failed sign-in."""
        now = self._clock()
        with self._lock:
            self._recent(key, now).append(now)
            if len(self._failures) > 10000:  # forget idle addresses rather than grow without end
                for idle in [k for k, v in self._failures.items() if not v or v[-1] <= now - self.window]:
                    del self._failures[idle]

    def succeeded(self, key: str) -> None:
        """Forget an address's failures once it signs in."""
        with self._lock:
            self._failures.pop(key, None)

    def _recent(self, key: str, now: float) -> deque[float]:
        times = self._failures.setdefault(key, deque())
        while times and times[0] <= now - self.window:
            times.popleft()
        return times


class WebAuth:
    """The web app's view of the data directory's staff accounts."""

    def __init__(self, data_dir: str | Path, *, secure_cookies: bool = False, max_login_failures: int = MAX_LOGIN_FAILURES,
                 cookie_path: str = "/", public_origin: str | None = None, trusted_proxies: tuple[str, ...] = (),
                 proxy_user_header: str | None = None, proxy_groups_header: str | None = None,
                 admin_group: str | None = None):
        self.data_dir = Path(data_dir)
        # A public https:// address means browsers reach us over TLS, whatever the proxy behind it speaks.
        self.secure_cookies = secure_cookies or bool(public_origin and public_origin.startswith("https://"))
        self.cookie_path = cookie_path  # the sub-path the app is served under: other apps on the host never get our cookies
        self.public_origin = public_origin
        self.throttle = LoginThrottle(max_login_failures)
        self.trusted_proxies = tuple(ipaddress.ip_network(p, strict=False) for p in trusted_proxies)
        self.proxy_user_header = proxy_user_header
        self.proxy_groups_header = proxy_groups_header
        self.admin_group = admin_group
        self._store: AccountStore | None = None
        self._lock = threading.Lock()

    def store(self) -> AccountStore:
        """The account store, opened once (AccountStore is safe to share between threads); AccountError if it cannot be."""
        with self._lock:
            if self._store is None:
                self._store = open_accounts(self.data_dir)
            return self._store

    def api_viewer(self, request: Request) -> Viewer:
        """Staff for a valid bearer token or session cookie; anonymous with neither; Unauthorized for a bad token."""
        header = request.headers.get("authorization")
        if header is not None:
            scheme, _, token = header.strip().partition(" ")
            if scheme.lower() != "bearer" or not token.strip():
                raise Unauthorized("invalid_request", "The Authorization header must be 'Bearer TOKEN'.")
            found = self.store().viewer_for_token(token.strip())
            if found is None:
                raise Unauthorized(
                    "invalid_token",
                    "The API token is wrong, expired or revoked. Ask an administrator for a new one "
                    "('sotehaku users token NAME'), or leave the Authorization header out to search public documents.",
                )
            return Viewer(name=found[0], staff=True, groups=found[1])
        return self.page_viewer(request)

    def page_viewer(self, request: Request) -> Viewer:
        """Staff named by a trusted SSO proxy's headers, or of a live session cookie, else anonymous (an
        expired session simply reads as anonymous)."""
        proxied = self.proxy_viewer(request)
        if proxied is not None:
            return proxied
        session = request.cookies.get(SESSION_COOKIE)
        if not session:
            return ANONYMOUS
        found = self.store().session_viewer(session)
        return Viewer(name=found[0], staff=True, groups=found[1]) if found else ANONYMOUS

    def proxy_viewer(self, request: Request) -> Viewer | None:
        """The staff member an SSO proxy (oauth2-proxy, mod_auth_openidc) vouches for in its user and groups
        headers, when the connection comes from one of the trusted proxies; None otherwise. From any other
        address the same headers are ignored: anyone can send them."""
        if not self.proxy_user_header or not self.trusted_proxies:
            return None
        name = _utf8(request.headers.get(self.proxy_user_header, "")).strip()
        if not name or not self.from_trusted_proxy(request):
            return None
        raw = _utf8(request.headers.get(self.proxy_groups_header, "")) if self.proxy_groups_header else ""
        if len(name) > 200 or len(raw) > MAX_PROXY_HEADER or any(ord(c) < 32 for c in name):
            log.warning("ignored the SSO proxy's headers: the user or groups header is too long or has control characters")
            return None
        try:
            groups = check_groups([g for g in raw.split(",") if g.strip()], f"header {self.proxy_groups_header}")
        except ValueError as exc:
            log.warning("ignored the SSO proxy's headers: %s", exc)
            return None
        return Viewer(name=name, staff=True, groups=groups)

    def from_trusted_proxy(self, request: Request) -> bool:
        """True if the connection's other end (not a forwarded client address) is a trusted proxy."""
        peer = request.scope.get(PEER_SCOPE_KEY) or request.scope.get("client")
        if not peer:
            return False
        try:
            address = ipaddress.ip_address(peer[0])
        except ValueError:
            return False
        return any(address in network for network in self.trusted_proxies)

    def roles(self, viewer: Viewer) -> frozenset[str]:
        """A viewer's roles, decided here alone; see viewer_roles."""
        return viewer_roles(viewer, self.admin_group)

    def secure(self, request: Request) -> bool:
        """Whether cookies get the Secure flag: when configured, or on a request that came over HTTPS."""
        return self.secure_cookies or request.url.scheme == "https"

    def start_session(self, request: Request, response: Response, name: str, *, groups=None) -> None:
        """Sign `name` in: a new session id (never one the browser brought) in an HttpOnly, SameSite=Lax cookie.
        `groups`: those the identity provider vouched for (a local account's come from the account store)."""
        session = self.store().create_session(name, ttl_seconds=SESSION_SECONDS, groups=groups)
        response.set_cookie(
            SESSION_COOKIE, session, max_age=SESSION_SECONDS, path=self.cookie_path, httponly=True, samesite="lax",
            secure=self.secure(request),
        )

    def end_session(self, request: Request, response: Response) -> None:
        """Sign out: the session ends on the server too, so a copied cookie stops working."""
        session = request.cookies.get(SESSION_COOKIE)
        if session:
            self.store().end_session(session)
        response.delete_cookie(SESSION_COOKIE, path=self.cookie_path, httponly=True, samesite="lax", secure=self.secure(request))

    # CSRF. The POST forms (sign-in, sign-out) are protected twice:
    # 1. Origin check: browsers send Origin on every cross-site POST, so a POST whose Origin (or, when a
    #    privacy tool strips Origin, Referer) names another site is refused outright.
    # 2. Double-submit token: the form carries a random token that must equal the one in an HttpOnly,
    #    SameSite=Strict cookie. Another site can make a browser post a form, but cannot read or set our
    #    cookie, so it cannot know the value to put in the form. This covers clients that send neither
    #    header. A stateless double-submit needs no server-side store for anonymous visitors of the sign-in
    #    page, and SameSite=Lax on the session cookie already keeps it off cross-site POSTs (sign-out CSRF).

    def csrf_token(self, request: Request) -> str:
        """The CSRF token of the browser's cookie, or a new one (set it with set_csrf_cookie)."""
        token = request.cookies.get(CSRF_COOKIE, "")
        return token if 32 <= len(token) <= 64 and token.isascii() else secrets.token_urlsafe(32)

    def set_csrf_cookie(self, request: Request, response: Response, token: str) -> None:
        """Give the browser the token its forms carry, unless it has it already."""
        if request.cookies.get(CSRF_COOKIE) != token:
            response.set_cookie(CSRF_COOKIE, token, path=self.cookie_path, httponly=True, samesite="strict", secure=self.secure(request))

    def csrf_ok(self, request: Request, form: dict[str, str]) -> bool:
        """True when a POST comes from this site's own form (see above)."""
        # Our own origin: the configured public one (behind a proxy the request's may differ), or the one
        # the request was sent to (a browser on another site cannot make it name ours and send its Origin).
        own = {f"{request.url.scheme}://{request.url.netloc}", self.public_origin}
        origin = request.headers.get("origin")
        if origin is not None:
            if origin not in own:  # includes "null", which sandboxed frames and some redirects send
                return False
        else:
            referer = request.headers.get("referer")
            if referer:
                parts = urlsplit(referer)
                if f"{parts.scheme}://{parts.netloc}" not in own:
                    return False
        cookie, field = request.cookies.get(CSRF_COOKIE, ""), form.get(CSRF_FIELD, "")
        return bool(cookie) and bool(field) and hmac.compare_digest(cookie.encode(), field.encode())


def _utf8(value: str) -> str:
    """A header value as the proxy wrote it: UTF-8 bytes (group names with ä, ö), which ASGI servers hand
    over as Latin-1; left as it is when it is not UTF-8.

    >>> _utf8("talous, Sote johtoryhmÃ¤")
    'talous, Sote johtoryhmä'
    """
    try:
        return value.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return value


def viewer_roles(viewer: Viewer, admin_group: str | None) -> frozenset[str]:
    """The one rule for a viewer's roles: "staff" when signed in (any way), "admin" also when in the
    configured administrators' group ([oidc] admin_group, also for SSO proxy and local account groups).

    >>> sorted(viewer_roles(Viewer("a", staff=True, groups=("it-admins",)), "it-admins"))
    ['admin', 'staff']
    >>> sorted(viewer_roles(Viewer("a", staff=True, groups=("hr",)), "it-admins")), sorted(viewer_roles(ANONYMOUS, "x"))
    (['staff'], [])
    """
    roles = set()
    if viewer.staff:
        roles.add("staff")
        if admin_group and admin_group in viewer.groups:
            roles.add("admin")
    return frozenset(roles)


def client_key(request: Request) -> str:
    """The address failed sign-ins are counted by: the connection's, or the one a trusted proxy forwarded
    (see WebSettings.trusted_proxies; behind a proxy that is not trusted all clients share its address)."""
    return request.client.host if request.client else "unknown"


def safe_next(path: str | None, default: str, root: str = "") -> str:
    """Where to go after signing in or out: a path of this app only (under `root`, the sub-path it is
    served under), never another site.

    >>> safe_next("/sv/?q=x", "/"), safe_next("//evil.example/", "/"), safe_next("https://evil.example/", "/")
    ('/sv/?q=x', '/', '/')
    >>> safe_next("/\\\\evil.example", "/")
    '/'
    >>> safe_next("/haku/sv/", "/haku/", "/haku"), safe_next("/muu/", "/haku/", "/haku")
    ('/haku/sv/', '/haku/')
    """
    if not path or not path.startswith("/") or path.startswith("//") or "\\" in path or any(ord(c) < 32 for c in path):
        return default
    if root and not path.startswith(root + "/"):
        return default
    return path
