"""`sotehaku users` and `sotehaku report` through click's CliRunner, added to the real `sotehaku` group."""

import json

import pytest
from click.testing import CliRunner

import app.cli as cli
from app.accounts import open_accounts
from app.admin_cli import report, users
from app.querylog import open_query_log

PASSWORD = "oikea-hevonen-patteri-niitti"


@pytest.fixture()
def data_dir(tmp_path):
    return tmp_path / "data"


@pytest.fixture()
def run(data_dir):
    """Invoke sotehaku, with the admin commands added, on a temp data dir; returns the click Result."""
    added = [c for c in (users, report) if c.name not in cli.main.commands]
    for command in added:
        cli.main.add_command(command)
    runner = CliRunner()

    def invoke(*args, input=None):
        return runner.invoke(cli.main, ["--data-dir", str(data_dir), *args], input=input)

    yield invoke
    for command in added:  # leave the group as other tests (the README check) expect it
        del cli.main.commands[command.name]


def test_users_add_prints_a_working_token_last(run, data_dir):
    result = run("users", "add", "anna")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) >= 2 and "shown only this once" in result.stdout
    token = lines[-1]
    assert " " not in token and len(token) >= 43
    with open_accounts(data_dir) as accounts:
        assert accounts.user_for_token(token) == "anna"
        assert not accounts.check_password("anna", PASSWORD)


def test_users_add_reads_the_password_from_stdin(run, data_dir):
    result = run("users", "add", "anna", "--password-stdin", "--expires-days", "7", input=PASSWORD + "\nnext line\n")
    assert result.exit_code == 0, result.output
    assert "with a password" in result.stdout and "expires in 7 days" in result.stdout
    assert PASSWORD not in result.output
    with open_accounts(data_dir) as accounts:
        assert accounts.check_password("anna", PASSWORD)
        assert accounts.user_for_token(result.stdout.splitlines()[-1]) == "anna"


@pytest.mark.parametrize(
    "args, input, message",
    [
        (("users", "add", "anna", "--password-stdin"), "lyhyt\n", "too short (5 characters); use at least 12"),
        (("users", "add", "anna", "--password-stdin"), "", "No password on stdin for 'anna'"),
        (("users", "add", "matti meikäläinen"), None, "is not valid: use 1-64 letters"),
        (("users", "add", "anna", "--expires-days", "0"), None, "0 is not in the range x>=1"),
    ],
)
def test_users_add_bad_input_is_explained(run, data_dir, args, input, message):
    result = run(*args, input=input)
    assert result.exit_code != 0
    assert message in result.output and "Traceback" not in result.output
    with open_accounts(data_dir) as accounts:
        assert accounts.list_users() == []


def test_users_add_duplicate_is_one_line_error(run):
    assert run("users", "add", "anna").exit_code == 0
    result = run("users", "add", "anna")
    assert result.exit_code == 1
    assert result.output == "Error: An account named 'anna' already exists. Choose another name for 'anna'.\n"


def test_users_list_json_and_text_show_no_secrets(run):
    token = run("users", "add", "anna", "--password-stdin", input=PASSWORD + "\n").stdout.splitlines()[-1]
    run("users", "add", "ville")
    run("users", "token", "anna", "--expires-days", "30")
    result = run("users", "list", "--format", "json")
    assert result.exit_code == 0, result.output
    listed = json.loads(result.stdout)
    assert [(u["name"], u["password"], u["tokens"], u["last_used"]) for u in listed] == [
        ("anna", True, 2, None), ("ville", False, 1, None),
    ]
    assert set(listed[0]) == {"name", "created", "password", "tokens", "last_used", "groups"}
    text = run("users", "list")
    assert text.exit_code == 0
    assert text.stdout.splitlines()[0].split() == ["name", "created", "password", "tokens", "last", "used", "groups"]
    assert text.stdout.splitlines()[1].split()[2:] == ["yes", "2", "never"]
    for output in (result.stdout, text.stdout):
        assert token not in output and token[:6] not in output and PASSWORD not in output


def test_users_list_when_there_are_none(run):
    assert "No accounts in" in run("users", "list").stdout
    assert json.loads(run("users", "list", "--format", "json").stdout) == []


def test_users_token_issues_another_working_token(run, data_dir):
    first = run("users", "add", "anna").stdout.splitlines()[-1]
    result = run("users", "token", "anna", "--expires-days", "1")
    assert result.exit_code == 0, result.output
    second = result.stdout.splitlines()[-1]
    assert second != first
    with open_accounts(data_dir) as accounts:
        assert accounts.user_for_token(first) == accounts.user_for_token(second) == "anna"


def test_users_remove(run, data_dir):
    token = run("users", "add", "anna").stdout.splitlines()[-1]
    result = run("users", "remove", "anna")
    assert result.exit_code == 0 and "Removed the account anna" in result.stdout
    with open_accounts(data_dir) as accounts:
        assert accounts.user_for_token(token) is None
        assert accounts.list_users() == []


@pytest.mark.parametrize("command", ["remove", "token"])
def test_unknown_user_is_a_one_line_error(run, command):
    result = run("users", command, "ville")
    assert result.exit_code == 1
    assert result.output == "Error: No account named 'ville'. See the accounts with 'sotehaku users list'.\n"


@pytest.fixture()
def logged(data_dir):
    """A query log with a few searches in it."""
    with open_query_log(data_dir) as log:
        for query, total, times in [("sote", 12, 3), ("Omaolo", 0, 2), ("hetu 131052-308T", 0, 1), ("kela", 2, 1)]:
            for _ in range(times):
                log.record(query, total)
    return data_dir


def test_report_text(run, logged):
    result = run("report")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "7 queries in the last 30 days.",
        "",
        "Most frequent queries",
        "  3  sote",
        "  2  omaolo",
        "  1  hetu [hetu]",
        "  1  kela",
        "",
        "Queries that found nothing",
        "  2  omaolo",
        "  1  hetu [hetu]",
    ]


def test_report_json_with_limit(run, logged):
    result = run("report", "--format", "json", "--limit", "1", "--days", "7")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {
        "days": 7,
        "total_queries": 7,
        "top": [{"query": "sote", "count": 3}],
        "zero": [{"query": "omaolo", "count": 2}],
    }


def test_report_on_an_empty_log_says_so_and_creates_nothing(run, data_dir):
    result = run("report", "--days", "14")
    assert result.exit_code == 0
    assert result.stdout == f"No queries were logged in the last 14 days in {data_dir}.\n"
    assert json.loads(run("report", "--format", "json").stdout) == {"days": 30, "total_queries": 0, "top": [], "zero": []}
    assert not data_dir.exists()


def test_report_rejects_a_bad_window(run):
    result = run("report", "--days", "0")
    assert result.exit_code == 2 and "0 is not in the range x>=1" in result.output


@pytest.mark.parametrize("command", [("users",), ("users", "add"), ("users", "list"), ("users", "remove"), ("users", "token"), ("report",)])
def test_commands_have_help(run, command):
    result = run(*command, "--help")
    assert result.exit_code == 0 and "Usage: " in result.output
    target = cli.main
    for name in command:
        target = target.commands[name]
    assert target.help and len(target.help.strip()) > 20
