"""What the web app is built from: its settings (a dataclass tests fill in, or the [web] table of
sotehaku.toml) and the state its routers share."""

from __future__ import annotations

import ipaddress
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from fastapi import Request
from fastapi.templating import Jinja2Templates

from search.engine import SearchEngine

from app.config import checked_table
from app.errors import AppError
from app.web.auth import MAX_LOGIN_FAILURES, WebAuth
from app.web.oidc import OidcClient, OidcConfigError, OidcSettings, read_oidc_config
from app.web.recorder import QueryRecorder

# A path of plain segments (letters, digits, - . _ ~ and %-escapes): it is written into pages and headers as is.
PUBLIC_PATH = re.compile(r"(/[A-Za-z0-9._~%-]+)*/?")
ORIGIN = re.compile(r"https?://[^/\s]+")
WEB_KEYS = ("public_url", "trusted_proxies", "cors_origins", "secure_cookies", "proxy_user_header", "proxy_groups_header")
HEADER_NAME = re.compile(r"[A-Za-z0-9-]{1,100}")
SITE_KEYS = ("name", "logo", "intro", "covers", "examples", "colors", "links")
# The colours a site may set, with the background each must stand out from (white text on the accent) and
# the contrast ratio WCAG 2.1 AA asks of it: text 4.5:1, a focus ring 3:1.
SITE_COLORS = {"accent": ("#ffffff", 4.5), "link": ("#ffffff", 4.5), "focus": ("#ffffff", 3.0)}
HEX_COLOR = re.compile(r"#(?:[0-9a-fA-F]{3}){1,2}")
LOGO_TYPES = {".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".webp": "image/webp"}
MAX_LOGO_BYTES = 512 * 1024
MAX_EXAMPLES = 8
# The configuration `sotehaku demo` serves with: a [site] table that shows every branding setting.
DEMO_CONFIG = Path(__file__).parent / "demo" / "site.toml"
PAGE_LANGUAGES = ("fi", "sv", "en")


class WebConfigError(AppError):
    """A web setting (from the command line or the [web] table) that cannot be used; the message says why and the fix."""


@dataclass(frozen=True)
class SiteLink:
    """A footer link: its text in each page language and its address."""

    label: dict[str, str]
    url: str


@dataclass(frozen=True)
class SiteSettings:
    """The welfare area's branding (the [site] table of sotehaku.toml): its name in the header and the
    titles, a logo file, colours, footer links, and the front page's intro, coverage note and example
    searches. Texts are per page language ({"fi": ..., "sv": ..., "en": ...}); a language left out falls
    back to Finnish, then to sotehaku's own texts."""

    name: dict[str, str] = field(default_factory=dict)
    logo: Path | None = None
    intro: dict[str, str] = field(default_factory=dict)
    covers: dict[str, str] = field(default_factory=dict)
    examples: tuple[str, ...] = ()
    colors: dict[str, str] = field(default_factory=dict)
    links: tuple[SiteLink, ...] = ()

    def text(self, key: str, ui: str) -> str:
        """One of the site's texts in a page language ('' when the site has none)."""
        texts = getattr(self, key)
        return texts.get(ui) or texts.get("fi") or ""

    @property
    def logo_type(self) -> str:
        return LOGO_TYPES[self.logo.suffix.lower()] if self.logo else ""

    def stylesheet(self) -> str:
        """The site's colours as CSS custom properties, overriding style.css's defaults."""
        lines = [f"  --{name}: {value};" for name, value in sorted(self.colors.items())]
        return ":root {\n" + "\n".join(lines) + "\n}\n" if lines else ""


@dataclass(frozen=True)
class WebSettings:
    """How to serve a data directory.

    `public_url`: the one address people reach the app at (https://www.kunta.fi/haku/); every absolute
    URL the app writes starts with it, never with the request's Host header, and its path is the sub-path
    the app is served under (behind a proxy that may or may not strip it). Without it, links are paths from
    `/` and absolute URLs use the address the server listens on. `trusted_proxies`: the addresses or
    networks (CIDR) of the reverse proxies whose X-Forwarded-For and X-Forwarded-Proto are believed; from
    anyone else they are ignored. `cors_origins`: other sites' origins (https://www.kunta.fi) whose pages
    may call the API from the browser, without cookies; none by default. `secure_cookies`: mark cookies
    Secure even when the request looks like plain HTTP (behind a TLS-terminating proxy). `max_login_failures`:
    failed sign-ins per client address per ten minutes before sign-in answers 429. `proxy_user_header`,
    `proxy_groups_header`: the headers in which an SSO proxy at a trusted address names the signed-in user
    and their comma-separated groups (off unless the user header is set). `oidc`: sign-in through an
    OpenID Connect provider (the [oidc] table), or None. `bestbets`: the best
    bets file (search.bestbets), read again when it changes; `sotehaku serve` uses bestbets.toml beside
    its configuration file.
    """

    data_dir: Path
    cors_origins: tuple[str, ...] = ()
    secure_cookies: bool = False
    max_login_failures: int = MAX_LOGIN_FAILURES
    public_url: str | None = None
    trusted_proxies: tuple[str, ...] = ()
    bestbets: Path | None = None  # the best bets file; None: ./bestbets.toml (app.backend)
    proxy_user_header: str | None = None
    proxy_groups_header: str | None = None
    oidc: OidcSettings | None = None
    site: SiteSettings = field(default_factory=lambda: SiteSettings())

    def __post_init__(self) -> None:
        object.__setattr__(self, "data_dir", Path(self.data_dir))
        object.__setattr__(self, "cors_origins", tuple(self.cors_origins or ()))
        object.__setattr__(self, "public_url", check_public_url(self.public_url) if self.public_url else None)
        object.__setattr__(self, "trusted_proxies", tuple(check_proxy(p) for p in self.trusted_proxies or ()))
        for header in (self.proxy_user_header, self.proxy_groups_header):
            if header is not None and not HEADER_NAME.fullmatch(header):
                raise WebConfigError(f"Header name {header!r} is not valid; give one such as X-Forwarded-User.")
        if self.proxy_user_header and not self.trusted_proxies:
            raise WebConfigError(
                "proxy_user_header needs trusted_proxies: the user header is believed only from the SSO proxy's address."
            )
        for origin in self.cors_origins:
            if not ORIGIN.fullmatch(origin):
                raise WebConfigError(f"CORS origin {origin!r} is not an origin; give scheme and host, such as https://www.kunta.fi.")

    @property
    def root(self) -> str:
        """The path the app is served under, without the final slash: '' at the top, '/haku' under /haku/."""
        return urlsplit(self.public_url).path.rstrip("/") if self.public_url else ""

    @property
    def public_origin(self) -> str | None:
        """The scheme and host of the public URL (https://www.kunta.fi), if one is configured."""
        if not self.public_url:
            return None
        parts = urlsplit(self.public_url)
        return f"{parts.scheme}://{parts.netloc}"


def check_public_url(url: str) -> str:
    """The public base URL, checked and without its final slash.

    >>> check_public_url("https://www.kunta.fi/haku/")
    'https://www.kunta.fi/haku'
    """
    parts = urlsplit(url.strip())
    fix = "give the address people open, such as https://www.kunta.fi/haku/"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise WebConfigError(f"Public URL {url!r} is not an http(s) URL; {fix}.")
    if parts.username or parts.password or parts.query or parts.fragment or "?" in url or "#" in url:
        raise WebConfigError(f"Public URL {url!r} may not have a user name, a query or a fragment; {fix}.")
    if not PUBLIC_PATH.fullmatch(parts.path) or "//" in parts.path:
        raise WebConfigError(f"Public URL {url!r} has a path of characters that need escaping; {fix}.")
    try:
        parts.port
    except ValueError:
        raise WebConfigError(f"Public URL {url!r} has a bad port; {fix}.") from None
    return f"{parts.scheme}://{parts.netloc.lower()}{parts.path.rstrip('/')}"


def check_proxy(value: str) -> str:
    """A trusted proxy: an IP address or a network in CIDR notation (a host name cannot be checked per request).

    >>> check_proxy("10.0.0.0/8"), check_proxy(" ::1 ")
    ('10.0.0.0/8', '::1')
    """
    text = str(value).strip()
    try:
        if "/" in text:
            return str(ipaddress.ip_network(text, strict=False))
        return str(ipaddress.ip_address(text))
    except ValueError:
        raise WebConfigError(
            f"Trusted proxy {value!r} is not an IP address or a network; give one such as 127.0.0.1, ::1 or 10.0.0.0/8."
        ) from None


def read_web_config(path: str | Path) -> dict:
    """The [web] table of a sotehaku.toml as WebSettings keywords, checked; {} when the file has none."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise WebConfigError(f"Configuration {path} does not exist. Create it (see README) or pass another --config.") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise WebConfigError(f"Cannot read configuration {path}: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise WebConfigError(f"{path} is not valid TOML: {exc}. Fix the syntax and run again.") from None
    settings = _web_table(data.get("web", {}), path)
    try:
        oidc = read_oidc_config(path, data)
    except OidcConfigError as exc:
        raise WebConfigError(str(exc)) from None
    if oidc is not None:
        settings["oidc"] = oidc
    if "site" in data:
        settings["site"] = read_site_table(data["site"], path)
    return settings


def _web_table(table, path: Path) -> dict:
    where = checked_table(table, "web", WEB_KEYS, path, WebConfigError)
    settings: dict = {}
    if "public_url" in table:
        if not isinstance(table["public_url"], str):
            raise WebConfigError(f"{where}: public_url must be a string, such as \"https://www.kunta.fi/haku/\".")
        settings["public_url"] = table["public_url"]
    for key in ("trusted_proxies", "cors_origins"):
        if key in table:
            value = table[key]
            value = [value] if isinstance(value, str) else value
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise WebConfigError(f"{where}: {key} must be a list of strings.")
            settings[key] = tuple(value)
    for key in ("proxy_user_header", "proxy_groups_header"):
        if key in table:
            if not isinstance(table[key], str):
                raise WebConfigError(f"{where}: {key} must be a header name, such as \"X-Forwarded-User\".")
            settings[key] = table[key]
    if "secure_cookies" in table:
        if not isinstance(table["secure_cookies"], bool):
            raise WebConfigError(f"{where}: secure_cookies must be true or false.")
        settings["secure_cookies"] = table["secure_cookies"]
    try:
        WebSettings(Path("."), **settings)
    except WebConfigError as exc:
        raise WebConfigError(f"{where}: {exc}") from None
    return settings


def read_site_table(table, path: Path) -> SiteSettings:
    """The [site] table of a sotehaku.toml as SiteSettings, checked; a logo path is read relative to the file."""
    where = checked_table(table, "site", SITE_KEYS, path, WebConfigError)
    site: dict = {}
    for key in ("name", "intro", "covers"):
        if key in table:
            site[key] = _texts(table[key], f"{where}: {key}")
    if "logo" in table:
        site["logo"] = _logo(table["logo"], path, where)
    if "examples" in table:
        examples = table["examples"]
        if not isinstance(examples, list) or not all(isinstance(e, str) and e.strip() for e in examples):
            raise WebConfigError(f"{where}: examples must be a list of searches, such as [\"palveluseteli\", \"kotihoito\"].")
        if len(examples) > MAX_EXAMPLES:
            raise WebConfigError(f"{where}: examples has {len(examples)} searches; give at most {MAX_EXAMPLES}.")
        site["examples"] = tuple(e.strip() for e in examples)
    if "colors" in table:
        site["colors"] = _colors(table["colors"], where)
    if "links" in table:
        links = table["links"]
        if not isinstance(links, list) or not all(isinstance(link, dict) for link in links):
            raise WebConfigError(f"{where}: links must be [[site.links]] tables with label and url.")
        site["links"] = tuple(_link(link, f"{where}.links") for link in links)
    return SiteSettings(**site)


def _texts(value, where: str) -> dict[str, str]:
    """A text for every page language: a plain string (the same in all) or a table of fi, sv, en."""
    if isinstance(value, str) and value.strip():
        return {ui: value.strip() for ui in PAGE_LANGUAGES}
    example = '{ fi = "...", sv = "...", en = "..." }'
    if not isinstance(value, dict) or not value:
        raise WebConfigError(f"{where} must be a text or a table of page languages, such as {example}.")
    unknown = sorted(set(value) - set(PAGE_LANGUAGES))
    if unknown:
        raise WebConfigError(f"{where}: unknown language(s) {', '.join(unknown)}; the page languages are fi, sv, en.")
    if not all(isinstance(v, str) and v.strip() for v in value.values()):
        raise WebConfigError(f"{where}: every language's text must be a non-empty string, such as {example}.")
    return {ui: text.strip() for ui, text in value.items()}


def _logo(value, path: Path, where: str) -> Path:
    if not isinstance(value, str) or not value.strip():
        raise WebConfigError(f"{where}: logo must be the path of an image file, such as \"logo.svg\".")
    logo = (path.parent / value).resolve()
    if logo.suffix.lower() not in LOGO_TYPES:
        raise WebConfigError(f"{where}: logo {value!r} is not an image the page can show; use one of {', '.join(LOGO_TYPES)}.")
    try:
        size = logo.stat().st_size
    except OSError:
        raise WebConfigError(f"{where}: logo {logo} does not exist; give its path relative to {path}.") from None
    if size > MAX_LOGO_BYTES:
        raise WebConfigError(f"{where}: logo {logo} is {size // 1024} KiB; make it at most {MAX_LOGO_BYTES // 1024} KiB.")
    return logo


def _colors(value, where: str) -> dict[str, str]:
    if not isinstance(value, dict):
        raise WebConfigError(f"{where}: colors must be a table ([site.colors] with accent, link, focus).")
    unknown = sorted(set(value) - set(SITE_COLORS))
    if unknown:
        raise WebConfigError(f"{where}: unknown colour(s) {', '.join(unknown)}; known colours are {', '.join(SITE_COLORS)}.")
    colors = {}
    for name, color in value.items():
        if not isinstance(color, str) or not HEX_COLOR.fullmatch(color.strip()):
            raise WebConfigError(f"{where}: colors.{name} = {color!r} is not a colour; give one such as \"#005a5b\".")
        background, needed = SITE_COLORS[name]
        ratio = contrast(color.strip(), background)
        if ratio < needed:
            raise WebConfigError(
                f"{where}: colors.{name} = {color!r} has a contrast of {ratio:.1f}:1 with white; WCAG 2.1 AA needs "
                f"{needed:g}:1. Choose a darker colour."
            )
        colors[name] = color.strip().lower()
    return colors


def _link(value: dict, where: str) -> SiteLink:
    unknown = sorted(set(value) - {"label", "url"})
    if unknown or "label" not in value or "url" not in value:
        raise WebConfigError(f"{where}: each link has a label and a url, nothing else.")
    url = value["url"]
    if not isinstance(url, str) or urlsplit(url.strip()).scheme not in ("http", "https", "mailto"):
        raise WebConfigError(f"{where}: url {url!r} is not an http(s) or mailto address.")
    return SiteLink(label=_texts(value["label"], f"{where}: label"), url=url.strip())


def contrast(color: str, other: str) -> float:
    """The WCAG contrast ratio of two #rgb or #rrggbb colours.

    >>> round(contrast("#005a5b", "#fff"), 1), round(contrast("#000", "#ffffff"), 1)
    (8.0, 21.0)
    """

    def luminance(hex_color: str) -> float:
        digits = hex_color.lstrip("#")
        if len(digits) == 3:
            digits = "".join(d * 2 for d in digits)
        channels = [int(digits[i : i + 2], 16) / 255 for i in (0, 2, 4)]
        r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    high, low = sorted((luminance(color), luminance(other)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@dataclass
class WebState:
    """What every router reads from the app: the settings and the services built from them."""

    settings: WebSettings
    engine: SearchEngine
    auth: WebAuth
    recorder: QueryRecorder
    templates: Jinja2Templates = field(repr=False)
    oidc: OidcClient | None = None

    @property
    def root(self) -> str:
        """The path every link the app writes starts with ('' or '/haku')."""
        return self.settings.root


def web_state(request: Request) -> WebState:
    """The state of the app serving this request (set up by create_app)."""
    return request.app.state.sotehaku


def public_base(request: Request) -> str:
    """The absolute URL the app is reached at, without the final slash: the configured public URL, or
    else the scheme and the address of the socket that took the request, never the Host header (which
    whoever sends the request chooses)."""
    settings = web_state(request).settings
    if settings.public_url:
        return settings.public_url
    scheme = request.url.scheme
    host, port = request.scope.get("server") or ("127.0.0.1", 80)
    if ":" in host:
        host = f"[{host}]"
    default = {"http": 80, "https": 443}.get(scheme)
    return f"{scheme}://{host}" + ("" if port == default or port is None else f":{port}")


def route_path(request: Request) -> str:
    """The request's path inside the app, without the sub-path it is served under ('/sv/' for /haku/sv/)."""
    root = request.scope.get("root_path", "")
    path = request.url.path
    if root and (path == root or path.startswith(root + "/")):
        return path[len(root):] or "/"
    return path
