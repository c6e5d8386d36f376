"""Signing staff in with the organisation's OpenID Connect provider (Entra ID, Keycloak, ...).

The authorization code flow with PKCE: /oidc/login sends the browser to the provider with a fresh
state, nonce and code verifier (kept server-side in the account store, under the state's hash, and the
state also in a cookie of this browser); /oidc/callback takes them back once (a replayed state finds
nothing), trades the code for tokens, and verifies the ID token's signature against the provider's
published keys (JWKS) and its issuer, audience, expiry and nonce before a session starts. The session
carries the user's groups from the configured claim, which decide what internal documents they see.

Authlib builds the request (PKCE challenge, random values, the authorization URL, discovery checks);
its JOSE library joserfc verifies the ID token. Nothing here signs or parses JOSE by hand.
"""

from __future__ import annotations

import os
import threading
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import httpx
from authlib.common.security import generate_token
from authlib.oauth2.rfc6749.parameters import prepare_grant_uri
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from authlib.oidc.discovery import OpenIDProviderMetadata
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from app.config import checked_table
from app.errors import AppError
from corpus.document import check_groups

OIDC_KEYS = (
    "issuer", "client_id", "client_secret_env", "client_secret_file", "scopes", "groups_claim", "username_claim",
    "admin_group", "clock_skew_seconds",
)
DEFAULT_SCOPES = ("openid", "profile", "email")
LOGIN_SECONDS = 600  # a sign-in must come back from the provider within this time
DISCOVERY_SECONDS = 3600.0  # provider metadata and keys are re-read at most this often (and on an unknown key)
MAX_GROUPS = 1000


class OidcConfigError(AppError):
    """The [oidc] table of sotehaku.toml cannot be used; the message says why and the fix."""


class OidcError(AppError):
    """A sign-in through the provider failed: the provider cannot be reached, or a token does not verify."""


@dataclass(frozen=True)
class OidcSettings:
    """How to sign staff in with an OpenID Connect provider (the [oidc] table of sotehaku.toml).

    `issuer`: the provider's issuer URL (its /.well-known/openid-configuration is read from it).
    `client_id`, `client_secret`: this app's registration at the provider (the secret comes from an
    environment variable or a file, never from the TOML). `groups_claim`: the ID token claim listing the
    user's groups. `username_claim`: the claim that names the user (else `sub`). `admin_group`: members
    of this group get the administrator role (see app.web.auth.viewer_roles). `clock_skew_seconds`: how
    far the provider's clock may be off when expiry is checked.
    """

    issuer: str
    client_id: str
    client_secret: str = field(default="", repr=False)
    scopes: tuple[str, ...] = DEFAULT_SCOPES
    groups_claim: str = "groups"
    username_claim: str = "preferred_username"
    admin_group: str | None = None
    clock_skew_seconds: int = 60
    timeout: float = 10.0


def read_oidc_config(path: str | Path, data: dict | None = None) -> OidcSettings | None:
    """The [oidc] table of a sotehaku.toml as OidcSettings, checked; None when there is none."""
    path = Path(path)
    if data is None:
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise OidcConfigError(f"Cannot read configuration {path}: {exc}") from None
    table = data.get("oidc")
    if table is None:
        return None
    where = checked_table(table, "oidc", OIDC_KEYS, path, OidcConfigError)
    for key in ("issuer", "client_id"):
        if not isinstance(table.get(key), str) or not table[key].strip():
            raise OidcConfigError(f"{where}: {key} is required, a string such as the one the provider's app registration shows.")
    issuer = table["issuer"].strip().rstrip("/")
    parts = urlsplit(issuer)
    if parts.scheme not in ("https", "http") or not parts.hostname or (parts.scheme == "http" and parts.hostname not in ("127.0.0.1", "localhost", "::1")):
        raise OidcConfigError(f"{where}: issuer {issuer!r} must be an https:// URL (http:// only for a provider on this machine).")
    secret = _client_secret(where, table)
    scopes = table.get("scopes", list(DEFAULT_SCOPES))
    if not isinstance(scopes, list) or not all(isinstance(s, str) and s and " " not in s for s in scopes) or "openid" not in scopes:
        raise OidcConfigError(f"{where}: scopes must be a list of scope names that includes \"openid\".")
    options = {}
    for key in ("groups_claim", "username_claim", "admin_group"):
        if key in table:
            if not isinstance(table[key], str) or not table[key].strip():
                raise OidcConfigError(f"{where}: {key} must be a non-empty string.")
            options[key] = table[key].strip()
    if "clock_skew_seconds" in table:
        skew = table["clock_skew_seconds"]
        if not isinstance(skew, int) or isinstance(skew, bool) or not 0 <= skew <= 600:
            raise OidcConfigError(f"{where}: clock_skew_seconds must be a whole number from 0 to 600.")
        options["clock_skew_seconds"] = skew
    return OidcSettings(issuer=issuer, client_id=table["client_id"].strip(), client_secret=secret, scopes=tuple(scopes), **options)


def _client_secret(where: str, table: dict) -> str:
    """The client secret, from the environment variable or the file the table names (one of them)."""
    env, file = table.get("client_secret_env"), table.get("client_secret_file")
    if env is not None and file is not None:
        raise OidcConfigError(f"{where}: give client_secret_env or client_secret_file, not both.")
    if env is not None:
        if not isinstance(env, str) or not env:
            raise OidcConfigError(f"{where}: client_secret_env must name an environment variable.")
        secret = os.environ.get(env, "")
        if not secret:
            raise OidcConfigError(f"{where}: the environment variable {env} that should hold the client secret is not set.")
        return secret
    if file is not None:
        try:
            secret = Path(str(file)).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise OidcConfigError(f"{where}: cannot read the client secret file {file}: {exc.strerror}.") from None
        if not secret:
            raise OidcConfigError(f"{where}: the client secret file {file} is empty.")
        return secret
    raise OidcConfigError(
        f"{where}: give client_secret_env (an environment variable) or client_secret_file (a file) holding the client secret."
    )


@dataclass(frozen=True)
class Identity:
    """Who signed in: the name to show and log, and their groups."""

    name: str
    groups: tuple[str, ...]


@dataclass(frozen=True)
class PendingLogin:
    """What the callback needs from the start of a sign-in: the nonce, the PKCE verifier and where to go."""

    nonce: str
    verifier: str
    next_path: str


class OidcClient:
    """The provider as this app sees it: its metadata and keys (cached), and the steps of one sign-in."""

    def __init__(self, settings: OidcSettings, *, http: httpx.Client | None = None, clock=time.time):
        self.settings = settings
        self._http = http or httpx.Client(timeout=settings.timeout, follow_redirects=False)
        self._clock = clock
        self._lock = threading.Lock()
        self._metadata: dict | None = None
        self._keys: KeySet | None = None
        self._read_at = 0.0

    def metadata(self) -> dict:
        """The provider's discovery document, checked (its issuer must be the configured one)."""
        with self._lock:
            if self._metadata is None or self._clock() - self._read_at > DISCOVERY_SECONDS:
                url = self.settings.issuer + "/.well-known/openid-configuration"
                document = self._get_json(url)
                metadata = OpenIDProviderMetadata(document)
                try:
                    metadata.validate()
                except ValueError as exc:
                    raise OidcError(f"The provider's discovery document {url} is not valid: {exc}") from None
                if document.get("issuer", "").rstrip("/") != self.settings.issuer:
                    raise OidcError(
                        f"The provider at {url} says its issuer is {document.get('issuer')!r}, not {self.settings.issuer!r}: "
                        "set [oidc] issuer to the provider's own issuer URL."
                    )
                self._metadata, self._keys, self._read_at = document, None, self._clock()
            return self._metadata

    def keys(self, *, refresh: bool = False) -> KeySet:
        """The provider's signing keys (JWKS); re-read on `refresh` (a token signed with a new key)."""
        metadata = self.metadata()
        with self._lock:
            if self._keys is None or refresh:
                try:
                    self._keys = KeySet.import_key_set(self._get_json(metadata["jwks_uri"]))
                except (JoseError, ValueError, TypeError, KeyError) as exc:
                    raise OidcError(f"The provider's keys at {metadata['jwks_uri']} cannot be read: {exc}") from None
            return self._keys

    def _get_json(self, url: str) -> dict:
        try:
            response = self._http.get(url)
            response.raise_for_status()
            return response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise OidcError(f"The identity provider cannot be read at {url}: {exc}") from None

    # -- one sign-in -------------------------------------------------------------------------------

    def start(self, redirect_uri: str) -> tuple[str, str, PendingLogin]:
        """A new sign-in: (the provider URL to send the browser to, the state, what the callback needs)."""
        state, nonce, verifier = generate_token(43), generate_token(43), generate_token(64)
        url = prepare_grant_uri(
            self.metadata()["authorization_endpoint"], self.settings.client_id, "code", redirect_uri=redirect_uri,
            scope=" ".join(self.settings.scopes), state=state, nonce=nonce,
            code_challenge=create_s256_code_challenge(verifier), code_challenge_method="S256",
        )
        return url, state, PendingLogin(nonce=nonce, verifier=verifier, next_path="")

    def finish(self, code: str, redirect_uri: str, pending: PendingLogin) -> Identity:
        """Trade the code for tokens (with the PKCE verifier) and verify the ID token; OidcError if anything fails."""
        tokens = self.tokens(code, redirect_uri, pending.verifier)
        return self.identity(self.verify_id_token(tokens["id_token"], pending.nonce))

    def tokens(self, code: str, redirect_uri: str, verifier: str) -> dict:
        """The provider's token response for a code (it holds an ID token); OidcError if refused."""
        endpoint = self.metadata()["token_endpoint"]
        try:
            response = self._http.post(
                endpoint,
                data={"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri,
                      "code_verifier": verifier},
                auth=(self.settings.client_id, self.settings.client_secret),
            )
        except httpx.HTTPError as exc:
            raise OidcError(f"The identity provider's token endpoint {endpoint} cannot be reached: {exc}") from None
        try:
            tokens = response.json()
        except ValueError:
            tokens = {}
        if response.status_code != 200 or not isinstance(tokens.get("id_token"), str):
            error = tokens.get("error_description") or tokens.get("error") or f"HTTP {response.status_code}"
            raise OidcError(f"The identity provider refused the sign-in code: {error}")
        return tokens

    def verify_id_token(self, id_token: str, nonce: str) -> dict:
        """The claims of an ID token whose signature verifies against the provider's keys and whose
        issuer, audience, expiry, issue time and nonce are right; OidcError naming what is wrong."""
        metadata = self.metadata()
        algorithms = [a for a in metadata.get("id_token_signing_alg_values_supported", ["RS256"]) if a != "none"]
        try:
            try:
                token = jwt.decode(id_token, self.keys(), algorithms=algorithms)
            except JoseError as exc:
                if "key" not in str(exc).lower():
                    raise
                token = jwt.decode(id_token, self.keys(refresh=True), algorithms=algorithms)  # the provider rotated its keys
        except (JoseError, ValueError) as exc:
            raise OidcError(f"The ID token's signature does not verify against the provider's keys ({_reason(exc)}).") from None
        claims = token.claims
        registry = jwt.JWTClaimsRegistry(
            leeway=self.settings.clock_skew_seconds,
            iss={"essential": True, "value": self.settings.issuer},
            aud={"essential": True, "value": self.settings.client_id},
            exp={"essential": True},
            iat={"essential": True},
            sub={"essential": True},
            nonce={"essential": True, "value": nonce},
        )
        try:
            registry.validate(claims)
        except JoseError as exc:
            raise OidcError(f"The ID token was refused: {_reason(exc)}.") from None
        audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
        if len(audiences) > 1 and claims.get("azp") != self.settings.client_id:
            raise OidcError("The ID token was refused: it has several audiences and this app is not its authorized party (azp).")
        return claims

    def identity(self, claims: dict) -> Identity:
        """The user's name and groups from verified claims."""
        name = claims.get(self.settings.username_claim) or claims["sub"]
        raw = claims.get(self.settings.groups_claim, [])
        if isinstance(raw, str):
            raw = [g for g in raw.replace(",", " ").split()]
        if not isinstance(raw, list) or len(raw) > MAX_GROUPS:
            raise OidcError(f"The ID token's claim {self.settings.groups_claim!r} is not a list of groups.")
        try:
            groups = check_groups([str(g) for g in raw], f"claim {self.settings.groups_claim!r}")
        except ValueError as exc:
            raise OidcError(str(exc)) from None
        return Identity(name=str(name)[:200], groups=groups)


def _reason(exc: Exception) -> str:
    """What JOSE said was wrong, for the log."""
    return str(exc) or exc.__class__.__name__
