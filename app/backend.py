"""The one place the application picks its search backend: opening the engine and publishing the index.

Everything else in app (CLI, pipeline, web) goes through these functions, so swapping the backend
touches this module only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from backends.whoosh.backend import WhooshBackend
from backends.whoosh.writer import default_procs
from corpus.document import Document
from search.access import EVERYTHING, PUBLIC
from search.api import Backend, Published
from search.engine import SearchEngine


def open_backend(data_dir: str | Path) -> Backend:
    """The backend of a data directory: the embedded Whoosh index in `index/`."""
    return WhooshBackend(data_dir)


def open_engine(data_dir: str | Path, backend: Backend | None = None) -> SearchEngine:
    """The search engine over a data directory's backend (opened lazily, on the first search), with the
    data directory's lexicon."""
    return SearchEngine(backend or open_backend(data_dir), lexicon_dir=data_dir)


def publish_index(
    documents: Callable[[], Iterable[Document]],
    data_dir: str | Path,
    *,
    total: int,
    procs: int | None = None,
    full: bool = False,
    progress: Callable[[int], None] | None = None,
) -> Published:
    """Bring the published index in step with the documents (only what changed unless `full`), and publish it."""
    return open_backend(data_dir).publish(documents, progress=progress, procs=procs or default_procs(total), full=full)


def describe_index(data_dir: str | Path, *, top: int = 20, internal: bool = False) -> dict:
    """The published index's version, documents of the viewer's visibilities, size and top terms."""
    return open_backend(data_dir).stats(EVERYTHING if internal else PUBLIC, top=top)
