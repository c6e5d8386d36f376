"""Files read again only when they change on disk (the lexicon, the best bets): one cache per kind of file."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Generic, TypeVar

T = TypeVar("T")


class ChangedFileCache(Generic[T]):
    """What was read from each file, kept until the file changes. A change is a new modification time,
    size or inode, so an edit within the clock's resolution (a new size) or a file replaced by another
    (os.replace: a new inode) is read again too."""

    def __init__(self) -> None:
        self._entries: dict[Path, tuple[tuple[int, int, int], T]] = {}
        self._lock = threading.Lock()

    def get(self, path: Path, stat: os.stat_result, read: Callable[[], T]) -> T:
        """The cached value of `path` if the file (as `stat` found it) is unchanged, else `read()`, kept."""
        key = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
        with self._lock:
            cached = self._entries.get(path)
            if cached and cached[0] == key:
                return cached[1]
        value = read()
        with self._lock:
            self._entries[path] = (key, value)
        return value
