"""Staff accounts on a real SQLite file: tokens and passwords work and are stored only as hashes."""

import hashlib
import sqlite3

import pytest

from app.errors import AppError
from search import SearchError
from app.accounts import ACCOUNTS_FILENAME, AccountError, open_accounts

PASSWORD = "oikea-hevonen-patteri-niitti"


@pytest.fixture()
def accounts(tmp_path, clock):
    with open_accounts(tmp_path / "data", clock=clock) as store:
        yield store


def all_stored_values(path):
    """Every value in every column of every table of an SQLite file."""
    db = sqlite3.connect(path)
    tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    values = [v for t in tables for row in db.execute(f"SELECT * FROM {t}") for v in row]
    db.close()
    return values


def test_token_works_and_is_new_every_time(accounts):
    first = accounts.add_user("anna")
    second = accounts.new_token("anna")
    assert first != second and len(first) >= 43
    assert accounts.user_for_token(first) == "anna"
    assert accounts.user_for_token(second) == "anna"


def test_secrets_are_stored_only_as_hashes(tmp_path, accounts):
    token = accounts.add_user("anna", PASSWORD)
    other = accounts.new_token("anna")
    session = accounts.create_session("anna")
    path = tmp_path / "data" / ACCOUNTS_FILENAME
    values = [str(v) for v in all_stored_values(path)]
    assert hashlib.sha256(token.encode()).hexdigest() in values  # the lookup key is there...
    for secret in (token, other, session, PASSWORD):
        assert not any(secret in v for v in values)  # ...the secret is not
    accounts.close()  # checkpoint the WAL into the file, then look at every byte
    raw = b"".join(p.read_bytes() for p in path.parent.glob(ACCOUNTS_FILENAME + "*"))
    assert b"anna" in raw
    for secret in (token, other, session, PASSWORD):
        assert secret.encode() not in raw


def test_password_hash_is_salted_scrypt(tmp_path, accounts):
    accounts.add_user("anna", PASSWORD)
    accounts.add_user("ville", PASSWORD)
    db = sqlite3.connect(tmp_path / "data" / ACCOUNTS_FILENAME)
    stored = [r[0] for r in db.execute("SELECT password FROM users ORDER BY name")]
    db.close()
    assert all(s.startswith("scrypt$16384$8$1$") for s in stored)
    assert stored[0] != stored[1]  # same password, different salt


@pytest.mark.parametrize("token", ["", "x", "A" * 43, None])
def test_unknown_token_is_none(accounts, token):
    accounts.add_user("anna")
    assert accounts.user_for_token(token) is None


def test_expired_token_is_none(accounts, clock):
    short = accounts.add_user("anna", expires_days=1)
    forever = accounts.new_token("anna")
    clock.now += 86400 - 1
    assert accounts.user_for_token(short) == "anna"
    clock.now += 1
    assert accounts.user_for_token(short) is None
    assert accounts.user_for_token(forever) == "anna"
    assert accounts.list_users()[0].tokens == 1


def test_revoked_and_removed_tokens_are_none(accounts):
    anna = accounts.add_user("anna")
    ville = accounts.add_user("ville")
    assert accounts.revoke_tokens("anna") == 1
    assert accounts.user_for_token(anna) is None
    accounts.remove_user("ville")
    assert accounts.user_for_token(ville) is None
    assert [u.name for u in accounts.list_users()] == ["anna"]


def test_remove_user_ends_sessions_and_frees_the_name(accounts):
    accounts.add_user("anna", PASSWORD)
    session = accounts.create_session("anna")
    accounts.remove_user("anna")
    assert accounts.user_for_session(session) is None
    assert not accounts.check_password("anna", PASSWORD)
    accounts.add_user("anna")
    assert accounts.user_for_session(session) is None


def test_last_used_is_recorded_at_most_once_a_minute(accounts, clock):
    token = accounts.add_user("anna")
    assert accounts.list_users()[0].last_used is None
    accounts.user_for_token(token)
    first = accounts.list_users()[0].last_used
    assert first == "2023-11-14T22:13:20+00:00"
    clock.now += 30
    accounts.user_for_token(token)
    assert accounts.list_users()[0].last_used == first
    clock.now += 30
    accounts.user_for_token(token)
    assert accounts.list_users()[0].last_used == "2023-11-14T22:14:20+00:00"


def test_password_check(accounts):
    accounts.add_user("anna", PASSWORD)
    accounts.add_user("ville")
    assert accounts.check_password("anna", PASSWORD)
    assert not accounts.check_password("anna", PASSWORD + "x")
    assert not accounts.check_password("anna", "")
    assert not accounts.check_password("ville", PASSWORD)  # no password: token only
    assert not accounts.check_password("nobody", PASSWORD)
    accounts.set_password("ville", "toinen-pitkä-salasana")
    assert accounts.check_password("ville", "toinen-pitkä-salasana")


def test_short_password_is_refused_and_not_echoed(accounts):
    with pytest.raises(AccountError, match="too short .11 characters.; use at least 12") as info:
        accounts.add_user("anna", "lyhyt-sala1")
    assert "lyhyt-sala1" not in str(info.value)
    assert accounts.list_users() == []
    accounts.add_user("anna", "x" * 12)
    with pytest.raises(AccountError, match="too short"):
        accounts.set_password("anna", "short")
    assert accounts.check_password("anna", "x" * 12)


@pytest.mark.parametrize("name", ["", "matti meikäläinen", "a" * 65, "anna/../x", "ånna\n", "аnna"])  # last: Cyrillic а
def test_invalid_names_are_refused(accounts, name):
    with pytest.raises(AccountError, match="is not valid: use 1-64 letters"):
        accounts.add_user(name)


@pytest.mark.parametrize("name", ["a", "matti.meikäläinen@hyvinvointialue.fi", "Åsa_Öberg-2", "x" * 64])
def test_valid_names_are_accepted(accounts, name):
    accounts.add_user(name)
    assert [u.name for u in accounts.list_users()] == [name]


def test_decomposed_letters_find_the_same_account(accounts):
    token = accounts.add_user("p\u00e4ivi")
    assert accounts.user_for_token(token) == "päivi"
    accounts.remove_user("pa\u0308ivi")  # as macOS types it
    assert accounts.list_users() == []


def test_duplicate_and_unknown_names_are_explained(accounts):
    accounts.add_user("Anna")
    with pytest.raises(AccountError, match="An account named 'Anna' already exists. Choose another name for 'anna'"):
        accounts.add_user("anna")
    for call in (accounts.remove_user, accounts.new_token, accounts.create_session, accounts.revoke_tokens):
        with pytest.raises(AccountError, match="No account named 'ville'. See the accounts with 'sotehaku users list'"):
            call("ville")
    with pytest.raises(AccountError, match="No account named 'ville'"):
        accounts.set_password("ville", PASSWORD)
    # An account problem is the application's, not a bad query: the web maps it to 503, never 400.
    assert issubclass(AccountError, AppError) and not issubclass(AccountError, SearchError)


@pytest.mark.parametrize("days", [0, -1, 1.5])
def test_bad_token_lifetime_is_refused(accounts, days):
    with pytest.raises(AccountError, match="not a whole number of days"):
        accounts.add_user("anna", expires_days=days)
    assert accounts.list_users() == []


def test_failed_add_leaves_no_half_account(accounts):
    accounts.add_user("anna")
    with pytest.raises(AccountError):
        accounts.add_user("ANNA")
    assert [(u.name, u.tokens) for u in accounts.list_users()] == [("anna", 1)]


def test_list_users_shows_no_secrets(accounts):
    token = accounts.add_user("anna", PASSWORD)
    accounts.new_token("anna", expires_days=30)
    accounts.add_user("ville")
    infos = accounts.list_users()
    assert [(u.name, u.has_password, u.tokens, u.last_used) for u in infos] == [
        ("anna", True, 2, None), ("ville", False, 1, None),
    ]
    assert infos[0].created == "2023-11-14T22:13:20+00:00"
    text = repr(infos)
    assert token not in text and token[:6] not in text and PASSWORD not in text and "scrypt" not in text


def test_sessions_expire_and_end(accounts, clock):
    accounts.add_user("anna", PASSWORD)
    session = accounts.create_session("anna", ttl_seconds=60)
    other = accounts.create_session("anna")
    assert session != other
    assert accounts.user_for_session(session) == "anna"
    assert accounts.user_for_session("made-up") is None
    clock.now += 60
    assert accounts.user_for_session(session) is None
    assert accounts.user_for_session(other) == "anna"
    accounts.end_session(other)
    assert accounts.user_for_session(other) is None
    accounts.end_session("made-up")  # no error


def test_expired_sessions_are_deleted(tmp_path, accounts, clock):
    accounts.add_user("anna")
    accounts.create_session("anna", ttl_seconds=1)
    clock.now += 1
    accounts.create_session("anna")
    db = sqlite3.connect(tmp_path / "data" / ACCOUNTS_FILENAME)
    assert db.execute("SELECT COUNT(*) FROM sessions").fetchone()[0] == 1
    db.close()


def test_accounts_survive_reopening(tmp_path, clock):
    with open_accounts(tmp_path / "data", clock=clock) as store:
        token = store.add_user("anna", PASSWORD)
    with open_accounts(tmp_path / "data", clock=clock) as store:
        assert store.user_for_token(token) == "anna"
        assert store.check_password("anna", PASSWORD)


def test_store_files_are_private(tmp_path, accounts):
    accounts.add_user("anna")
    files = list((tmp_path / "data").glob(ACCOUNTS_FILENAME + "*"))
    assert len(files) == 3  # the database, its write-ahead log and shared memory
    assert all(f.stat().st_mode & 0o077 == 0 for f in files)


def test_unopenable_store_names_the_path(tmp_path):
    (tmp_path / "data" / ACCOUNTS_FILENAME).mkdir(parents=True)
    with pytest.raises(AccountError, match=f"Cannot open the account store .*{ACCOUNTS_FILENAME}"):
        open_accounts(tmp_path / "data")
    (tmp_path / "file").write_text("not a folder")
    with pytest.raises(AccountError, match="Cannot create the data directory .*file.*Pass another --data-dir"):
        open_accounts(tmp_path / "file" / "data")
