"""JSONL files in the export shape: one document per line; bad lines are skipped with their line number."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from corpus.document import Document
from corpus.importers import Batch, Found, ImportFileError, Item, Skipped, check_visibility


def read_jsonl(
    path: str | Path, *, source: str | None = None, visibility: str | None = None, access: tuple[str, ...] = (),
) -> Batch:
    """The documents of a JSONL file; `source`, `visibility` and `access` (groups) override the lines' own
    (the source defaults to the file name)."""
    if visibility is not None or access:
        access = check_visibility(visibility or "internal", access)
    path = Path(path)
    try:
        handle = path.open(encoding="utf-8")
    except OSError as exc:
        raise ImportFileError(f"Cannot read {path}: {exc.strerror}. Check the path and permissions.") from None
    return Batch(_lines(handle, path, source, visibility, access))


def _lines(handle, path: Path, source: str | None, visibility: str | None, access: tuple[str, ...]) -> Iterator[Item]:
    with handle:
        try:
            for number, line in enumerate(handle, 1):
                if not line.strip():
                    continue
                try:
                    obj = json.loads(line)
                    if isinstance(obj, dict):
                        if source is not None:
                            obj["source"] = source
                        if visibility is not None:
                            obj["visibility"] = visibility
                        if access:
                            obj["access"] = list(access)
                        obj.setdefault("source", path.stem)
                    yield Found(Document.from_json(obj))
                except json.JSONDecodeError as exc:
                    yield Skipped(f"{path}:{number}: not valid JSON ({exc.msg} at column {exc.colno})")
                except ValueError as exc:
                    yield Skipped(f"{path}:{number}: {exc}")
        except UnicodeDecodeError:
            raise ImportFileError(f"{path} is not UTF-8 text. Convert it to UTF-8 JSONL and import again.") from None
