"""Building and publishing index versions: a build writes a new version, then swaps it in atomically."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from whoosh import index as whoosh_index

from corpus.document import Document
from indexer import IndexingError
from indexer.schema import HEADINGS_FIELDS, TEXT_FIELDS, TITLE_FIELDS, build_schema, index_language

INDEX_DIRNAME = "index"
CURRENT_FILE = "CURRENT"
BUILDING_SUFFIX = ".building"
KEEP_VERSIONS = 2  # the live version and the one before it, which open searchers may still read
# Below this many documents a second process costs more to start than it saves (sample site: 64 docs).
PARALLEL_MIN_DOCS = 2000
WRITER_MEMORY_MB = 256


def default_procs(documents: int) -> int:
    """Processes for a build: one per core (each with its own Voikko handle) for large corpora."""
    return max(1, os.cpu_count() or 1) if documents >= PARALLEL_MIN_DOCS else 1


class NoIndexError(IndexingError):
    """There is no published index in the data directory."""


@dataclass(frozen=True)
class BuiltIndex:
    """A published index version."""

    version: str
    path: Path
    documents: int


def index_root(data_dir: str | Path) -> Path:
    """The folder that holds every index version and the CURRENT pointer."""
    return Path(data_dir) / INDEX_DIRNAME


def current_version(data_dir: str | Path) -> str | None:
    """Name of the published index version, or None when nothing has been published."""
    try:
        version = (index_root(data_dir) / CURRENT_FILE).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    return version or None


def open_index(data_dir: str | Path):
    """Open the published Whoosh index of a data directory, or explain how to build one."""
    version = current_version(data_dir)
    path = index_root(data_dir) / version if version else None
    if path is None or not whoosh_index.exists_in(path):
        raise NoIndexError(f"No index in {index_root(data_dir)}. Run 'sotehaku index' first.")
    return whoosh_index.open_dir(path)


def document_fields(doc: Document) -> dict:
    """The field values one document contributes to the index; its text goes to its language's fields."""
    lang = index_language(doc.lang)
    headings = "\n".join(doc.headings)
    fields = {
        "id": doc.id,
        "url": doc.url,
        "lang": doc.lang,
        "visibility": doc.visibility,
        "source": doc.source,
        "type": content_kind(doc.content_type),
        "content_hash": doc.content_hash,
        "title": doc.title,
        "text": doc.text,
        "description": doc.description,
        "section": doc.section,
        TITLE_FIELDS[lang]: doc.title,
        HEADINGS_FIELDS[lang]: headings,
        TEXT_FIELDS[lang]: doc.text,
        "title_folded": doc.title,
        "text_folded": doc.text,
    }
    if doc.updated:
        fields["updated"] = dt.datetime.combine(doc.updated, dt.time())
    return fields


def content_kind(content_type: str) -> str:
    """Short document type for the type: filter and facets: html, pdf, docx or text."""
    kind = content_type.split(";")[0].strip().lower()
    return {
        "application/pdf": "pdf",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
        "text/plain": "text",
    }.get(kind, "html")


def build_index(
    documents: Iterable[Document],
    data_dir: str | Path,
    *,
    progress: Callable[[int], None] | None = None,
    procs: int = 1,
) -> BuiltIndex:
    """Index the documents into a new version and publish it; a failed build leaves the old one live.

    With procs > 1 Whoosh's multi-process writer analyses in that many processes, each opening its
    own Voikko handle and cache; their segments are kept as they are rather than merged.
    """
    root = index_root(data_dir)
    root.mkdir(parents=True, exist_ok=True)
    version = dt.datetime.now(dt.timezone.utc).strftime("v%Y%m%dT%H%M%S%fZ")
    building = root / f"{version}{BUILDING_SUFFIX}"
    building.mkdir()
    count = 0
    try:
        ix = whoosh_index.create_in(building, build_schema())
        if procs > 1:
            writer = ix.writer(procs=procs, limitmb=WRITER_MEMORY_MB // procs, multisegment=True)
        else:
            writer = ix.writer(limitmb=WRITER_MEMORY_MB)
        try:
            for doc in documents:
                writer.add_document(**document_fields(doc))
                count += 1
                if progress:
                    progress(count)
        except BaseException:
            writer.cancel()
            raise
        writer.commit()
        ix.close()
        final = root / version
        os.rename(building, final)
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    _publish(root, version)
    _remove_old_versions(root, version)
    return BuiltIndex(version=version, path=final, documents=count)


def _publish(root: Path, version: str) -> None:
    tmp = root / f"{CURRENT_FILE}.{os.getpid()}.tmp"
    tmp.write_text(version + "\n", encoding="utf-8")
    os.replace(tmp, root / CURRENT_FILE)


def _remove_old_versions(root: Path, live: str) -> None:
    versions = sorted(p for p in root.iterdir() if p.is_dir() and p.name.startswith("v") and not p.name.endswith(BUILDING_SUFFIX))
    for old in versions[:-KEEP_VERSIONS]:
        if old.name != live:
            shutil.rmtree(old, ignore_errors=True)
