"""The tables of sotehaku.toml: one check of a table's shape and keys, so every section reports a
mistyped key the same way."""

from __future__ import annotations

from pathlib import Path

from app.errors import AppError


def checked_table(table, name: str, known, path: Path, error: type[AppError]) -> str:
    """Check that the [name] value of a config file is a table holding only `known` keys; raise `error`
    naming the file, the table and the fix otherwise. Returns the place to name in later messages."""
    where = f"{path}, [{name}]"
    if not isinstance(table, dict):
        raise error(f"{where} must be a table ([{name}] followed by key = value lines).")
    unknown = sorted(set(table) - set(known))
    if unknown:
        raise error(f"{where}: unknown key(s) {', '.join(unknown)}; known keys are {', '.join(known)}.")
    return where
