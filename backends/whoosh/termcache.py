"""Recently used terms' postings as arrays (document numbers and their scores), kept per index version."""

from __future__ import annotations

import threading

import numpy as np
from cachetools import LRUCache

# Bytes of arrays a snapshot keeps for recently used terms. Decoding a frequent term's posting blocks
# (unpickling and decompressing) was about a third of a search's CPU at 20,239 documents; the terms of
# the 500 queries of benchmarks/search_inprocess.py took 8.9 MB there (10,608 entries, most of them
# empty: a query word absent from a field). At 200,000 documents a term in every other document takes
# 1.2 MB, so this holds some dozens of those.
TERM_CACHE_BYTES = 48 * 2**20
# What an entry costs beyond its arrays' data: the key, the tuple and two array headers.
ENTRY_OVERHEAD = 400


class TermScoreCache:
    """(document numbers, scores) per key, the least recently used dropped past `max_bytes`; shared by
    the threads that search one snapshot (cachetools' LRUCache is not thread-safe, hence the lock)."""

    def __init__(self, max_bytes: int = TERM_CACHE_BYTES):
        self._entries: LRUCache = LRUCache(maxsize=max_bytes, getsizeof=_size)
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            return self._entries.get(key)

    def put(self, key, docs: np.ndarray, scores: np.ndarray) -> None:
        docs.setflags(write=False)
        scores.setflags(write=False)
        entry = (docs, scores)
        if _size(entry) > self._entries.maxsize:
            return  # larger than the whole cache: computed again each time
        with self._lock:
            self._entries[key] = entry

    @property
    def nbytes(self) -> int:
        """The bytes the cache counts as held."""
        with self._lock:
            return int(self._entries.currsize)

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)


def _size(entry: tuple[np.ndarray, np.ndarray]) -> int:
    return entry[0].nbytes + entry[1].nbytes + ENTRY_OVERHEAD
