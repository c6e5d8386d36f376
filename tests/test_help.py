"""Every command has help text and appears in the README."""

import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from app.cli import main

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


def console_examples():
    """(command line, expected output) of every ```console block in the README."""
    examples = []
    for block in README.split("```console\n")[1:]:
        lines = block.split("```", 1)[0].splitlines()
        command, output = lines[0], lines[1:]
        examples.append((command.removeprefix("$ "), "\n".join(output)))
    return examples


@pytest.mark.parametrize("command, expected", console_examples())
def test_readme_console_examples_are_real_output(command, expected):
    args = shlex.split(command)
    assert args[0] == "sotehaku"
    result = CliRunner().invoke(main, args[1:])
    assert result.exit_code == 0
    assert result.output.rstrip("\n") == expected
