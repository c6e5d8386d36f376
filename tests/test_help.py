"""Every command has help text and appears in the README."""

from pathlib import Path

import pytest
from click.testing import CliRunner

from search.cli import main

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
COMMANDS = sorted(main.commands)


def test_there_are_commands():
    assert {"crawl", "import", "export", "index", "search", "serve", "demo"} <= set(COMMANDS)


@pytest.mark.parametrize("command", COMMANDS)
def test_command_has_help(command):
    result = CliRunner().invoke(main, [command, "--help"])
    assert result.exit_code == 0
    assert main.commands[command].help and len(main.commands[command].help.strip()) > 20
    assert "Usage: " in result.output


@pytest.mark.parametrize("command", COMMANDS)
def test_command_is_in_readme(command):
    assert f"sotehaku {command}" in README
