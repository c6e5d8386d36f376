"""Choosing the search backend: the one place that knows which backend runs."""

from __future__ import annotations

from pathlib import Path

from backends.whoosh.backend import WhooshBackend
from search.api import Backend
from search.engine import SearchEngine


def open_backend(data_dir: str | Path) -> Backend:
    """The backend of a data directory: the embedded Whoosh index in `index/`."""
    return WhooshBackend(data_dir)


def open_engine(data_dir: str | Path, backend: Backend | None = None) -> SearchEngine:
    """The search engine over a data directory's backend, with the data directory's lexicon."""
    return SearchEngine(backend or open_backend(data_dir), lexicon_dir=data_dir)
