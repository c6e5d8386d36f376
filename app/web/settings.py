"""What the web app is built from: its settings (a dataclass tests fill in) and the state its routers share."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from fastapi import Request
from fastapi.templating import Jinja2Templates

from search.engine import SearchEngine

from app.web.auth import MAX_LOGIN_FAILURES, WebAuth
from app.web.recorder import QueryRecorder


@dataclass(frozen=True)
class WebSettings:
    """How to serve a data directory.

    `cors_origins`: other sites' origins (https://www.kunta.fi) whose pages may call the API from the
    browser, without cookies; none by default. `secure_cookies`: mark cookies Secure even when the
    request looks like plain HTTP (behind a TLS-terminating proxy). `max_login_failures`: failed sign-ins
    per client address per ten minutes before sign-in answers 429.
    """

    data_dir: Path
    cors_origins: tuple[str, ...] = ()
    secure_cookies: bool = False
    max_login_failures: int = MAX_LOGIN_FAILURES

    def __post_init__(self) -> None:
        object.__setattr__(self, "data_dir", Path(self.data_dir))
        object.__setattr__(self, "cors_origins", tuple(self.cors_origins or ()))


@dataclass
class WebState:
    """What every router reads from the app: the settings and the services built from them."""

    settings: WebSettings
    engine: SearchEngine
    auth: WebAuth
    recorder: QueryRecorder
    templates: Jinja2Templates = field(repr=False)


def web_state(request: Request) -> WebState:
    """The state of the app serving this request (set up by create_app)."""
    return request.app.state.sotehaku
