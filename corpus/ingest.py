"""The ingest step: store what an importer found, count and report it, remove what vanished; and JSONL export.

Importers (corpus.importers: JSONL, folder, WARC) read and parse; `ingest` is the one place that writes
their documents to the store. `import_path` picks the importer for a path, as `sotehaku import` does.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from corpus.importers import Batch, Found, Ignored, ImportFileError, Skipped
from corpus.importers.folder import FILE_TYPES, read_folder
from corpus.importers.jsonl import read_jsonl
from corpus.importers.warc import WARC_SUFFIXES, read_warc
from corpus.store import CorpusStore

__all__ = [
    "FILE_TYPES", "WARC_SUFFIXES", "ImportFileError", "ImportStats", "export_jsonl", "import_directory", "import_jsonl",
    "import_path", "import_warc", "ingest", "read_jsonl",
]
# File names that 'sotehaku import' reads as JSON lines; any other single file is refused by name.
JSONL_SUFFIXES = (".jsonl", ".ndjson", ".jsonlines")
# Documents stored in one transaction: large enough that a JSONL import is not one commit per line.
CHUNK = 500


@dataclass
class ImportStats:
    """What an import did: documents stored, removed and ignored, and the lines or files rejected, with reasons."""

    imported: int = 0
    changed: int = 0
    removed: int = 0
    ignored: int = 0
    errors: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)  # ids of taken-down documents left out


def ingest(batch: Batch, store: CorpusStore, *, progress: Callable[[ImportStats], None] | None = None) -> ImportStats:
    """Store the documents of a batch, count what was ignored, collect the skip reasons, and remove the
    documents of the batch's scope that it no longer holds (files gone from a re-imported folder).

    A skipped item with an id keeps its stored version: a file that fails to parse today is not a file that vanished.
    """
    stats = ImportStats()
    present: set[str] = set()
    chunk: list[Found] = []
    for item in batch.items:
        if isinstance(item, Found):
            present.add(item.document.id)
            if store.is_blocked(item.document.id, item.document.url):
                stats.blocked.append(item.document.id)
                continue
            chunk.append(item)
            if len(chunk) >= CHUNK:
                _store(chunk, store, stats, progress)
        elif isinstance(item, Skipped):
            stats.errors.append(item.reason)
            if item.id:
                present.add(item.id)
        elif isinstance(item, Ignored):
            stats.ignored += 1
            if item.id:
                present.add(item.id)
    _store(chunk, store, stats, progress)
    if batch.scope is not None:
        for doc_id in store.ids(batch.scope.source):
            if doc_id.startswith(batch.scope.prefix) and doc_id not in present:
                stats.removed += store.delete(doc_id)
    return stats


def _store(chunk: list[Found], store: CorpusStore, stats: ImportStats, progress) -> None:
    if not chunk:
        return
    plain = [found.document for found in chunk if not found.links and not found.anchors]
    stats.changed += store.put_many(plain)  # one transaction
    for found in chunk:
        if found.links or found.anchors:
            stats.changed += store.put(found.document, links=found.links, anchors=found.anchors)
    stats.imported += len(chunk)
    chunk.clear()
    if progress:
        progress(stats)


def import_jsonl(
    path: str | Path, store: CorpusStore, *, source: str | None = None, visibility: str | None = None,
    access: tuple[str, ...] = (),
) -> ImportStats:
    """Store every valid document of a JSONL file; bad lines are reported in the stats, not fatal."""
    return ingest(read_jsonl(path, source=source, visibility=visibility, access=access), store)


def import_directory(
    root: str | Path,
    store: CorpusStore,
    *,
    source: str,
    visibility: str,
    base_url: str | None = None,
    progress: Callable[[ImportStats], None] | None = None,
    access: tuple[str, ...] = (),
) -> ImportStats:
    """Import every file of a known type under a directory (a drive), limited to the groups in `access` if
    any; files gone since the last import are removed."""
    return ingest(
        read_folder(root, source=source, visibility=visibility, base_url=base_url, access=access), store, progress=progress,
    )


def import_warc(
    path: str | Path,
    store: CorpusStore,
    *,
    source: str,
    visibility: str,
    progress: Callable[[ImportStats], None] | None = None,
    access: tuple[str, ...] = (),
) -> ImportStats:
    """Import the document responses of a WARC (or ARC) file, gzipped or not."""
    return ingest(read_warc(path, source=source, visibility=visibility, access=access), store, progress=progress)


def import_path(
    path: str | Path,
    store: CorpusStore,
    *,
    source: str | None = None,
    visibility: str | None = None,
    base_url: str | None = None,
    progress: Callable[[ImportStats], None] | None = None,
    access: tuple[str, ...] = (),
) -> ImportStats:
    """Import a JSONL file, a WARC file or a directory, chosen by what the path is; `access`: the groups
    every imported document is limited to (internal documents only)."""
    path = Path(path)
    name = path.name.lower()
    if path.is_dir() or name.endswith(WARC_SUFFIXES):
        if visibility is None:
            raise ImportFileError(
                f"Importing {path} needs a visibility: pass --visibility public or --visibility internal "
                "(or --source naming a source of the configuration that has one)."
            )
        source = source or path.name.split(".")[0] or "import"
        if path.is_dir():
            return import_directory(
                path, store, source=source, visibility=visibility, base_url=base_url, progress=progress, access=access,
            )
        return import_warc(path, store, source=source, visibility=visibility, progress=progress, access=access)
    if not path.exists():
        raise ImportFileError(f"{path} does not exist. Give a .jsonl file, a .warc(.gz) file or a directory.")
    if not name.endswith(JSONL_SUFFIXES):
        kind = f"{path.suffix} files" if path.suffix else "files without a suffix"
        raise ImportFileError(
            f"{path}: 'sotehaku import' reads JSONL files ({', '.join(JSONL_SUFFIXES)}), WARC files and folders, "
            f"not {kind}. To import single documents (HTML, PDF, office files), put them in a folder and import the folder."
        )
    return import_jsonl(path, store, source=source, visibility=visibility, access=access)


def export_jsonl(store: CorpusStore, out: TextIO) -> int:
    """Write every stored document as one JSON line; return how many."""
    count = 0
    for doc in store.iter_documents():
        out.write(json.dumps(doc.to_json(), ensure_ascii=False) + "\n")
        count += 1
    return count
