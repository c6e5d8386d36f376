"""Looking up the completion vocabulary of an index version: words by prefix, also typed without umlauts."""

from __future__ import annotations

import bisect
import itertools
import threading

from indexer.analysis import fold_umlauts


class WordIndex:
    """The written words of a version's documents and their document counts, per access key (public,
    internal, each group), sorted for prefix look-ups (and, on first use, by their umlaut-less forms).
    A key's words are read from the snapshot the first time a viewer holding it asks."""

    def __init__(self, snapshot):
        self.version = snapshot.version
        self._snapshot = snapshot
        self._lock = threading.Lock()
        self.counts: dict[str, dict[str, int]] = {}
        self.sorted_words: dict[str, list[str]] = {}
        self._folded: dict[str, list[tuple[str, str]]] = {}
        self._key("public")

    def _key(self, key: str) -> None:
        if key in self.counts:
            return
        counts = self._snapshot.word_counts(key)
        words = sorted(counts)
        with self._lock:
            self.sorted_words.setdefault(key, words)
            self.counts.setdefault(key, counts)

    def folded_words(self, key: str) -> list[tuple[str, str]]:
        """(umlaut-less form, word) of every word with umlauts of one key's documents, sorted."""
        self._key(key)
        pairs = self._folded.get(key)
        if pairs is None:
            found = ((fold_umlauts(w), w) for w in self.sorted_words[key])
            pairs = self._folded.setdefault(key, sorted((folded, w) for folded, w in found if folded != w))
        return pairs

    def with_prefix(self, key: str, prefix: str, limit: int, *, folded: bool = False) -> list[str]:
        """Up to `limit` words of the documents carrying an access key that start with `prefix`; with
        `folded`, the words with umlauts whose umlaut-less form starts with it ("tyory" -> "työryhmä")."""
        if folded:
            pairs = self.folded_words(key)
            start = bisect.bisect_left(pairs, (prefix,))
            return [w for key, w in itertools.takewhile(lambda p: p[0].startswith(prefix), pairs[start:start + limit])]
        self._key(key)
        words = self.sorted_words[key]
        start = bisect.bisect_left(words, prefix)
        return list(itertools.takewhile(lambda w: w.startswith(prefix), words[start:start + limit]))

    def count(self, keys: tuple[str, ...], word: str) -> int:
        """How many documents carrying these access keys have this word as written (a document limited
        to several of the viewer's groups counts once per group: an order of commonness, not a census)."""
        total = 0
        for key in keys:
            self._key(key)
            total += self.counts[key].get(word, 0)
        return total
