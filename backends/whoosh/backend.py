"""The embedded Whoosh index as a search backend: versions in the data directory, searched in process."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from pathlib import Path

from backends.whoosh.searcher import WhooshSnapshot
from backends.whoosh.versions import UNREADABLE, NoIndexError, current_version, index_root, open_index
from backends.whoosh.writer import index_stats, remove_documents, update_index
from corpus.document import Document
from indexer import IndexingError
from search.api import Published


class WhooshBackend:
    """The Whoosh index of a data directory (`index/`), picking up newly published versions by itself."""

    name = "whoosh"

    def __init__(self, data_dir: str | Path):
        self.data_dir = Path(data_dir)
        self._lock = threading.Lock()
        self._snapshot: WhooshSnapshot | None = None

    def snapshot(self) -> WhooshSnapshot:
        version = current_version(self.data_dir)
        snapshot = self._snapshot
        if snapshot is not None and snapshot.version == version:
            return snapshot
        with self._lock:
            if self._snapshot is None or self._snapshot.version != version:
                self._snapshot = self._open(version)
            return self._snapshot

    def _open(self, version: str | None) -> WhooshSnapshot:
        indexes = open_index(self.data_dir)
        path = index_root(self.data_dir) / str(version)
        try:
            return WhooshSnapshot(indexes, version, path)
        except (IndexingError, *UNREADABLE) as exc:
            raise NoIndexError(f"The index in {path} cannot be read ({exc}). Run 'sotehaku index --full' to rebuild it.") from None

    def publish(
        self,
        documents: Callable[[], Iterable[Document]],
        *,
        full: bool = False,
        procs: int = 1,
        progress: Callable[[int], None] | None = None,
    ) -> Published:
        return update_index(documents, self.data_dir, full=full, procs=procs, progress=progress)

    def remove(self, ids: Iterable[str]) -> int:
        return remove_documents(ids, self.data_dir)

    def stats(self, visibilities: tuple[str, ...], top: int = 20) -> dict:
        return index_stats(self.data_dir, visibilities, top=top)
