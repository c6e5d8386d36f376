"""`sotehaku users revoke NAME [--token-id ID]`, `users tokens NAME` and `users password NAME`."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from app.accounts import TOKEN_PREFIX_LENGTH, open_accounts
from app.cli import main

OLD, NEW = "vanha-salasana-123", "uusi-pitka-salasana-456"


@pytest.fixture()
def data_dir(tmp_path):
    data = tmp_path / "data"
    with open_accounts(data) as accounts:
        first = accounts.add_user("anna", OLD)
        second = accounts.new_token("anna")
        other = accounts.add_user("ville")
    return data, first, second, other


def sotehaku(data, *args, input=None):
    return CliRunner().invoke(main, ["--data-dir", str(data), *args], input=input)


def test_one_token_is_revoked_by_its_id_and_the_others_keep_working(data_dir):
    data, first, second, other = data_dir
    listed = sotehaku(data, "users", "tokens", "anna")
    assert listed.exit_code == 0 and first[:TOKEN_PREFIX_LENGTH] in listed.output and second[:TOKEN_PREFIX_LENGTH] in listed.output
    assert first not in listed.output  # an id, never the token
    result = sotehaku(data, "users", "revoke", "anna", "--token-id", first[:TOKEN_PREFIX_LENGTH])
    assert result.exit_code == 0, result.output
    with open_accounts(data) as accounts:
        assert accounts.user_for_token(first) is None
        assert accounts.user_for_token(second) == "anna" and accounts.user_for_token(other) == "ville"
        assert accounts.check_password("anna", OLD)  # the account stays


def test_revoke_without_an_id_revokes_every_token_of_that_account_only(data_dir):
    data, first, second, other = data_dir
    result = sotehaku(data, "users", "revoke", "anna")
    assert result.exit_code == 0 and "Revoked 2 token(s) of anna" in result.output
    with open_accounts(data) as accounts:
        assert accounts.user_for_token(first) is None and accounts.user_for_token(second) is None
        assert accounts.user_for_token(other) == "ville"


@pytest.mark.parametrize("args, message", [
    (["users", "revoke", "anna", "--token-id", "zzzzzz"], "'anna' has no token with the id 'zzzzzz'"),
    (["users", "revoke", "kalle"], "No account named 'kalle'"),
    (["users", "password", "kalle", "--password-stdin"], "No account named 'kalle'"),
    (["users", "tokens", "kalle"], "No account named 'kalle'"),
])
def test_mistakes_are_one_line_errors(data_dir, args, message):
    result = sotehaku(data_dir[0], *args, input=f"{NEW}\n")
    assert result.exit_code == 1 and message in result.output and "Traceback" not in result.output


def test_password_is_reset_from_the_prompt_and_sessions_end(data_dir):
    data = data_dir[0]
    with open_accounts(data) as accounts:
        session = accounts.create_session("anna")
    result = sotehaku(data, "users", "password", "anna", input=f"{NEW}\n{NEW}\n")
    assert result.exit_code == 0, result.output
    assert NEW not in result.output  # the prompt does not echo it
    with open_accounts(data) as accounts:
        assert accounts.check_password("anna", NEW) and not accounts.check_password("anna", OLD)
        assert accounts.user_for_session(session) is None


def test_password_from_stdin_and_too_short_ones(data_dir):
    data = data_dir[0]
    assert sotehaku(data, "users", "password", "ville", "--password-stdin", input=f"{NEW}\n").exit_code == 0
    with open_accounts(data) as accounts:
        assert accounts.check_password("ville", NEW)
    result = sotehaku(data, "users", "password", "ville", "--password-stdin", input="lyhyt\n")
    assert result.exit_code == 1 and "12" in result.output
