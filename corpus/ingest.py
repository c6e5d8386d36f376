"""Importing and exporting documents as JSONL, one JSON object per line."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from corpus import CorpusError
from corpus.document import VISIBILITIES, Document
from corpus.store import CorpusStore


class ImportFileError(CorpusError):
    """An import file that cannot be read at all."""


@dataclass
class ImportStats:
    """What an import did: documents stored and lines rejected, with reasons."""

    imported: int = 0
    changed: int = 0
    errors: list[str] = field(default_factory=list)


def read_jsonl(path: str | Path, *, source: str | None = None, visibility: str | None = None) -> Iterator[Document | str]:
    """Yield a Document per good line and an error message ('FILE:LINE: why') per bad one."""
    if visibility is not None and visibility not in VISIBILITIES:
        raise ImportFileError(f"visibility must be one of {', '.join(VISIBILITIES)}, not {visibility!r}")
    path = Path(path)
    try:
        handle = path.open(encoding="utf-8")
    except OSError as exc:
        raise ImportFileError(f"Cannot read {path}: {exc.strerror}. Check the path and permissions.") from None
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
                        obj.setdefault("source", path.stem)
                    yield Document.from_json(obj)
                except json.JSONDecodeError as exc:
                    yield f"{path}:{number}: not valid JSON ({exc.msg} at column {exc.colno})"
                except ValueError as exc:
                    yield f"{path}:{number}: {exc}"
        except UnicodeDecodeError:
            raise ImportFileError(f"{path} is not UTF-8 text. Convert it to UTF-8 JSONL and import again.") from None


def import_jsonl(
    path: str | Path, store: CorpusStore, *, source: str | None = None, visibility: str | None = None
) -> ImportStats:
    """Store every valid document of a JSONL file; bad lines are reported in the stats, not fatal."""
    stats = ImportStats()
    docs = []
    for item in read_jsonl(path, source=source, visibility=visibility):
        if isinstance(item, str):
            stats.errors.append(item)
        else:
            docs.append(item)
    stats.changed = store.put_many(docs)
    stats.imported = len(docs)
    return stats


def export_jsonl(store: CorpusStore, out: TextIO) -> int:
    """Write every stored document as one JSON line; return how many."""
    count = 0
    for doc in store.iter_documents():
        out.write(json.dumps(doc.to_json(), ensure_ascii=False) + "\n")
        count += 1
    return count
