"""The one place the application picks its search backend: opening the engine and publishing the index.

Everything else in app (CLI, pipeline, web) goes through these functions, so swapping the backend
touches this module only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from corpus.document import Document
from indexer.build import BuiltIndex, default_procs, index_stats, update_index
from search.engine import SearchEngine


def open_engine(data_dir: str | Path) -> SearchEngine:
    """The search engine over a data directory's published index (opened lazily, on the first search)."""
    return SearchEngine(data_dir)


def publish_index(
    documents: Callable[[], Iterable[Document]],
    data_dir: str | Path,
    *,
    total: int,
    procs: int | None = None,
    full: bool = False,
    progress: Callable[[int], None] | None = None,
) -> BuiltIndex:
    """Bring the published index in step with the documents (only what changed unless `full`), and publish it."""
    return update_index(documents, data_dir, progress=progress, procs=procs or default_procs(total), full=full)


def describe_index(data_dir: str | Path, *, top: int = 20, internal: bool = False) -> dict:
    """The published index's version, size and top terms (IndexingError when there is none)."""
    return index_stats(data_dir, top=top, internal=internal)
