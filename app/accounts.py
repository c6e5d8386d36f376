"""Staff accounts: names, scrypt-hashed passwords, hashed API tokens and login sessions in one SQLite file.

No secret is stored in a form that can be used: API tokens and session ids are random 256-bit values, so
a plain SHA-256 of them is enough; passwords are low-entropy, so they get salted scrypt.

>>> store = AccountStore(":memory:")
>>> token = store.add_user("anna.virtanen")
>>> store.user_for_token(token)
'anna.virtanen'
>>> store.user_for_token("not-a-token") is None
True
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import os
import re
import secrets
import sqlite3
import threading
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from app.errors import AppError
from corpus.document import check_groups
from corpus.migrate import migrate

ACCOUNTS_FILENAME = "accounts.sqlite3"

SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    name     TEXT PRIMARY KEY,
    created  REAL NOT NULL,
    password TEXT               -- 'scrypt$n$r$p$salt_hex$hash_hex', or NULL: token access only
);
CREATE TABLE IF NOT EXISTS tokens (
    hash      TEXT PRIMARY KEY, -- SHA-256 hex of the token
    prefix    TEXT NOT NULL,    -- its first characters, to tell tokens apart; not enough to use one
    user      TEXT NOT NULL,
    created   REAL NOT NULL,
    expires   REAL,             -- NULL: never
    last_used REAL
);
CREATE INDEX IF NOT EXISTS tokens_user ON tokens(user);
CREATE TABLE IF NOT EXISTS sessions (
    hash    TEXT PRIMARY KEY,   -- SHA-256 hex of the session id
    user    TEXT NOT NULL,
    expires REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS sessions_user ON sessions(user);
"""

# Schema upgrades in order (see corpus.migrate): append a step for every change, never edit one.
MIGRATIONS = (
    SCHEMA,  # 1: release 0.1
    # 2: groups of local accounts (JSON lists); a session's own groups (NULL: its account's, read per
    # request; a list: a sign-in through the identity provider, which has no local account); and the
    # sign-ins under way at the provider, each usable once.
    """
    ALTER TABLE users ADD COLUMN groups TEXT NOT NULL DEFAULT '[]';
    ALTER TABLE sessions ADD COLUMN groups TEXT;
    CREATE TABLE IF NOT EXISTS oidc_logins (
        state_hash TEXT PRIMARY KEY,  -- SHA-256 hex of the state sent to the provider
        nonce      TEXT NOT NULL,
        verifier   TEXT NOT NULL,     -- the PKCE code verifier
        next_path  TEXT NOT NULL,
        expires    REAL NOT NULL
    );
    """,
)

NAME_PATTERN = re.compile(r"[A-Za-z0-9äöåÄÖÅ._@-]{1,64}")
MIN_PASSWORD_LENGTH = 12
TOKEN_PREFIX_LENGTH = 6
# scrypt cost: n=2**14, r=8 takes 16 MiB and about 25 ms per check (measured on the development machine
# with `python -m timeit -s "import hashlib" "hashlib.scrypt(b'x'*12, salt=b's'*16, n=2**14, r=8, p=1)"`).
# OWASP now suggests n=2**17 (128 MiB). The parameters are stored with each hash, so raising them later
# leaves existing passwords checkable.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
SCRYPT_SALT_BYTES, SCRYPT_KEY_BYTES = 16, 32
# last_used is written at most this often per token, so a busy API client does not write on every request.
LAST_USED_RESOLUTION = 60.0
DAY = 86400.0

logger = logging.getLogger(__name__)


class AccountError(AppError):
    """An account operation got a bad name, password or duration, or the account store cannot be opened."""


@dataclass(frozen=True)
class UserInfo:
    """What may be shown about an account: never a secret or a hash."""

    name: str
    created: str
    has_password: bool
    tokens: int
    last_used: str | None
    groups: tuple[str, ...] = ()


class AccountStore:
    """Staff accounts in SQLite; safe to share between the web server's threads."""

    def __init__(self, path: str | Path, *, clock: Callable[[], float] = time.time):
        self.path = str(path)
        self._clock = clock
        self._lock = threading.Lock()
        try:
            if self.path != ":memory:" and not os.path.exists(self.path):
                # Hashes only, but still nobody else's business: create the file readable by its owner alone.
                os.close(os.open(self.path, os.O_CREAT | os.O_WRONLY, 0o600))
            self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA busy_timeout=5000")
            migrate(self._db, MIGRATIONS)
        except (OSError, sqlite3.DatabaseError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) else str(exc)
            raise AccountError(
                f"Cannot open the account store {self.path}: {reason}. Check the file or pass another --data-dir."
            ) from None

    def close(self) -> None:
        """Close the database connection."""
        self._db.close()

    def __enter__(self) -> "AccountStore":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # Accounts

    def add_user(self, name: str, password: str | None = None, *, expires_days: int | None = None) -> str:
        """Create an account (with a password for the web login, if given) and return its first API token."""
        name = _check_name(name)
        stored_password = _hash_password(name, password) if password is not None else None
        expires = self._expiry(expires_days)
        with self._transaction():
            taken = [row[0] for row in self._db.execute("SELECT name FROM users")]
            clash = next((t for t in taken if t.casefold() == name.casefold()), None)
            if clash is not None:
                raise AccountError(f"An account named {clash!r} already exists. Choose another name for {name!r}.")
            self._db.execute(
                "INSERT INTO users (name, created, password) VALUES (?, ?, ?)", (name, self._clock(), stored_password)
            )
            return self._insert_token(name, expires)

    def remove_user(self, name: str) -> None:
        """Delete an account with all its tokens and sessions."""
        name = _nfc(name)
        with self._transaction():
            self._require(name)
            self._db.execute("DELETE FROM tokens WHERE user = ?", (name,))
            self._db.execute("DELETE FROM sessions WHERE user = ?", (name,))
            self._db.execute("DELETE FROM users WHERE name = ?", (name,))

    def list_users(self) -> list[UserInfo]:
        """Every account by name, with its number of valid tokens and when a token was last used."""
        now = self._clock()
        with self._lock:
            rows = self._db.execute(
                """
                SELECT u.name, u.created, u.password IS NOT NULL,
                       COUNT(CASE WHEN t.expires IS NULL OR t.expires > ? THEN 1 END), MAX(t.last_used), u.groups
                FROM users u LEFT JOIN tokens t ON t.user = u.name
                GROUP BY u.name ORDER BY u.name
                """,
                (now,),
            ).fetchall()
        return [
            UserInfo(name, _iso(created), bool(has_password), tokens, _iso(last_used) if last_used else None,
                     tuple(json.loads(groups)))
            for name, created, has_password, tokens, last_used, groups in rows
        ]

    # Groups

    def set_groups(self, name: str, groups) -> tuple[str, ...]:
        """Replace an account's groups (which decide the internal documents limited to groups it sees,
        on the web pages and through its API tokens); return them as stored."""
        name = _nfc(name)
        try:
            checked = check_groups(groups, f"groups of {name!r}")
        except ValueError as exc:
            raise AccountError(f"{exc}.") from None
        with self._transaction():
            self._require(name)
            self._db.execute("UPDATE users SET groups = ? WHERE name = ?", (json.dumps(list(checked), ensure_ascii=False), name))
        return checked

    def groups_of(self, name: str) -> tuple[str, ...]:
        """An account's groups (none for an unknown account)."""
        with self._lock:
            row = self._db.execute("SELECT groups FROM users WHERE name = ?", (_nfc(name),)).fetchone()
        return tuple(json.loads(row[0])) if row else ()

    # API tokens

    def new_token(self, name: str, expires_days: int | None = None) -> str:
        """Issue another API token for an account (for rotation: hand out the new one, then revoke the old)."""
        name = _nfc(name)
        expires = self._expiry(expires_days)
        with self._transaction():
            self._require(name)
            return self._insert_token(name, expires)

    def revoke_tokens(self, name: str) -> int:
        """Revoke every API token of an account (a leaked token, staff leaving); return how many there were."""
        name = _nfc(name)
        with self._transaction():
            self._require(name)
            return self._db.execute("DELETE FROM tokens WHERE user = ?", (name,)).rowcount

    def list_tokens(self, name: str) -> list[dict]:
        """An account's API tokens, oldest first: id (the token's first characters), created, expires, last used."""
        name = _nfc(name)
        with self._lock:
            self._require(name)
            rows = self._db.execute(
                "SELECT prefix, created, expires, last_used FROM tokens WHERE user = ? ORDER BY created, prefix", (name,)
            ).fetchall()
        return [
            {"id": prefix, "created": _iso(created), "expires": _iso(expires) if expires else None,
             "last_used": _iso(last_used) if last_used else None, "expired": expires is not None and expires <= self._clock()}
            for prefix, created, expires, last_used in rows
        ]

    def revoke_token(self, name: str, token_id: str) -> None:
        """Revoke one API token of an account, named by its id (its first characters, as list_tokens shows)."""
        name = _nfc(name)
        with self._transaction():
            self._require(name)
            found = self._db.execute("SELECT hash FROM tokens WHERE user = ? AND prefix = ?", (name, token_id)).fetchall()
            if not found:
                raise AccountError(f"{name!r} has no token with the id {token_id!r}. 'sotehaku users tokens {name}' lists its tokens.")
            if len(found) > 1:
                raise AccountError(f"{name!r} has {len(found)} tokens with the id {token_id!r}; revoke them all with 'sotehaku users revoke {name}'.")
            self._db.execute("DELETE FROM tokens WHERE hash = ?", (found[0][0],))

    def viewer_for_token(self, token: str) -> tuple[str, tuple[str, ...]] | None:
        """The account an API token belongs to and its groups, or None for an unknown, expired or revoked token."""
        name = self.user_for_token(token)
        return None if name is None else (name, self.groups_of(name))

    def user_for_token(self, token: str) -> str | None:
        """The account an API token belongs to, or None for an unknown, expired or revoked token."""
        if not isinstance(token, str) or not token:
            return None
        digest = _sha256(token)
        now = self._clock()
        with self._lock:
            row = self._db.execute(
                "SELECT hash, user, expires, last_used FROM tokens WHERE hash = ?", (digest,)
            ).fetchone()
            if row is None or not hmac.compare_digest(row[0], digest):
                return None
            stored, user, expires, last_used = row
            if expires is not None and expires <= now:
                return None
            if last_used is None or now - last_used >= LAST_USED_RESOLUTION:
                try:
                    self._db.execute("UPDATE tokens SET last_used = ? WHERE hash = ?", (now, stored))
                except sqlite3.OperationalError as exc:  # a busy or full disk must not refuse a valid token
                    logger.warning("account store %s: last use of a token not recorded: %s", self.path, exc)
        return user

    # Passwords

    def set_password(self, name: str, password: str) -> None:
        """Set or replace an account's password, signing out its web sessions (whoever knew the old one)."""
        name = _nfc(name)
        stored = _hash_password(name, password)
        with self._transaction():
            self._require(name)
            self._db.execute("UPDATE users SET password = ? WHERE name = ?", (stored, name))
            self._db.execute("DELETE FROM sessions WHERE user = ?", (name,))

    def check_password(self, name: str, password: str) -> bool:
        """True if the password is the account's; unknown accounts take as long to say False."""
        name = _nfc(name)
        with self._lock:
            row = self._db.execute("SELECT password FROM users WHERE name = ?", (name,)).fetchone()
        stored = row[0] if row and row[0] else None
        if stored is None or not isinstance(password, str):
            _scrypt("" if not isinstance(password, str) else password, _DUMMY_SALT, SCRYPT_N, SCRYPT_R, SCRYPT_P)
            return False
        scheme, n, r, p, salt, expected = stored.split("$")
        if scheme != "scrypt":
            return False
        actual = _scrypt(password, bytes.fromhex(salt), int(n), int(r), int(p))
        return hmac.compare_digest(actual.hex(), expected)

    # Web login sessions

    def create_session(self, name: str, ttl_seconds: float = 8 * 3600, *, groups=None) -> str:
        """Start a login session and return its id (for a cookie); only its hash is kept. Without `groups`
        it is a local account's session (its groups are the account's, as they are at each request); with
        them, a sign-in through the identity provider, which vouched for the name and the groups."""
        name = _nfc(name)
        session_id = secrets.token_urlsafe(32)
        now = self._clock()
        stored_groups = None if groups is None else json.dumps(list(groups), ensure_ascii=False)
        with self._transaction():
            if groups is None:
                self._require(name)
            self._db.execute("DELETE FROM sessions WHERE expires <= ?", (now,))
            self._db.execute(
                "INSERT INTO sessions (hash, user, expires, groups) VALUES (?, ?, ?, ?)",
                (_sha256(session_id), name, now + ttl_seconds, stored_groups),
            )
        return session_id

    def session_viewer(self, session_id: str) -> tuple[str, tuple[str, ...]] | None:
        """The user of a live session and their groups, or None for an unknown or expired session."""
        name = self.user_for_session(session_id)
        if name is None:
            return None
        with self._lock:
            row = self._db.execute(
                "SELECT s.groups, u.groups FROM sessions s LEFT JOIN users u ON u.name = s.user WHERE s.hash = ?",
                (_sha256(session_id),),
            ).fetchone()
        if row is None:
            return None
        own, account = row
        return name, tuple(json.loads(own if own is not None else (account or "[]")))

    # Sign-ins under way at the identity provider

    def start_oidc_login(self, state: str, nonce: str, verifier: str, next_path: str, ttl_seconds: float) -> None:
        """Keep what the provider's callback needs, under the state's hash, for `ttl_seconds`."""
        now = self._clock()
        with self._transaction():
            self._db.execute("DELETE FROM oidc_logins WHERE expires <= ?", (now,))
            self._db.execute(
                "INSERT INTO oidc_logins (state_hash, nonce, verifier, next_path, expires) VALUES (?, ?, ?, ?, ?)",
                (_sha256(state), nonce, verifier, next_path, now + ttl_seconds),
            )

    def take_oidc_login(self, state: str) -> tuple[str, str, str] | None:
        """(nonce, verifier, next path) of a sign-in under way, removed as it is read: a state works once.
        None for an unknown, used or expired state."""
        if not isinstance(state, str) or not state:
            return None
        digest = _sha256(state)
        with self._transaction():
            row = self._db.execute(
                "SELECT nonce, verifier, next_path, expires FROM oidc_logins WHERE state_hash = ?", (digest,)
            ).fetchone()
            self._db.execute("DELETE FROM oidc_logins WHERE state_hash = ?", (digest,))
        if row is None or row[3] <= self._clock():
            return None
        return row[0], row[1], row[2]

    def user_for_session(self, session_id: str) -> str | None:
        """The account of a live session, or None for an unknown or expired one (which is deleted)."""
        if not isinstance(session_id, str) or not session_id:
            return None
        digest = _sha256(session_id)
        now = self._clock()
        with self._lock:
            row = self._db.execute("SELECT user, expires FROM sessions WHERE hash = ?", (digest,)).fetchone()
            if row is None:
                return None
            if row[1] <= now:
                self._db.execute("DELETE FROM sessions WHERE hash = ?", (digest,))
                return None
        return row[0]

    def end_session(self, session_id: str) -> None:
        """Log a session out; unknown ids are ignored."""
        if isinstance(session_id, str) and session_id:
            with self._lock:
                self._db.execute("DELETE FROM sessions WHERE hash = ?", (_sha256(session_id),))

    # Helpers

    def _transaction(self):
        return _Transaction(self._db, self._lock)

    def _require(self, name: str) -> None:
        if self._db.execute("SELECT 1 FROM users WHERE name = ?", (name,)).fetchone() is None:
            raise AccountError(f"No account named {name!r}. See the accounts with 'sotehaku users list'.")

    def _insert_token(self, name: str, expires: float | None) -> str:
        token = secrets.token_urlsafe(32)
        self._db.execute(
            "INSERT INTO tokens (hash, prefix, user, created, expires) VALUES (?, ?, ?, ?, ?)",
            (_sha256(token), token[:TOKEN_PREFIX_LENGTH], name, self._clock(), expires),
        )
        return token

    def _expiry(self, expires_days: int | None) -> float | None:
        if expires_days is None:
            return None
        if isinstance(expires_days, bool) or not isinstance(expires_days, int) or expires_days < 1:
            raise AccountError(f"Token lifetime {expires_days!r} is not a whole number of days; give 1 or more.")
        return self._clock() + expires_days * DAY


class _Transaction:
    """Holds the store's lock for one BEGIN ... COMMIT, rolling back if the body raises."""

    def __init__(self, db: sqlite3.Connection, lock: threading.Lock):
        self._db, self._lock = db, lock

    def __enter__(self) -> None:
        self._lock.acquire()
        try:
            self._db.execute("BEGIN IMMEDIATE")
        except BaseException:
            self._lock.release()
            raise

    def __exit__(self, exc_type, *exc) -> None:
        try:
            self._db.execute("ROLLBACK" if exc_type else "COMMIT")
        finally:
            self._lock.release()


def open_accounts(data_dir: str | Path, *, clock: Callable[[], float] = time.time) -> AccountStore:
    """The account store of a data directory, created (with the directory) on first use."""
    data_dir = Path(data_dir)
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise AccountError(f"Cannot create the data directory {data_dir}: {exc.strerror}. Pass another --data-dir.") from None
    return AccountStore(data_dir / ACCOUNTS_FILENAME, clock=clock)


def _check_name(name: str) -> str:
    """The account name in NFC (so a typed 'ä' matches a pasted one), or AccountError saying what is allowed.

    >>> _check_name("matti.meikäläinen@example.fi")
    'matti.meikäläinen@example.fi'
    >>> _check_name("matti meikäläinen")
    Traceback (most recent call last):
    ...
    app.accounts.AccountError: Account name 'matti meikäläinen' is not valid: use 1-64 letters (a-z, å, ä, ö), digits, '.', '_', '-' or '@'.
    """
    name = _nfc(name)
    if not isinstance(name, str) or not NAME_PATTERN.fullmatch(name):
        raise AccountError(
            f"Account name {name!r} is not valid: use 1-64 letters (a-z, å, ä, ö), digits, '.', '_', '-' or '@'."
        )
    return name


def _nfc(name: str) -> str:
    """A name as it is stored: in NFC, so a decomposed 'ä' (as macOS types it) finds the account."""
    return unicodedata.normalize("NFC", name) if isinstance(name, str) else name


def _hash_password(name: str, password: str) -> str:
    """The stored form of a password: scheme, scrypt parameters, salt and hash, '$'-separated."""
    if not isinstance(password, str) or len(password) < MIN_PASSWORD_LENGTH:
        length = len(password) if isinstance(password, str) else 0
        raise AccountError(
            f"The password for {name!r} is too short ({length} characters); use at least {MIN_PASSWORD_LENGTH}."
        )
    salt = secrets.token_bytes(SCRYPT_SALT_BYTES)
    key = _scrypt(password, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${salt.hex()}${key.hex()}"


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=256 * n * r + (1 << 20), dklen=SCRYPT_KEY_BYTES
    )


def _sha256(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _iso(timestamp: float) -> str:
    return dt.datetime.fromtimestamp(timestamp, dt.timezone.utc).isoformat(timespec="seconds")


_DUMMY_SALT = secrets.token_bytes(SCRYPT_SALT_BYTES)
