"""Looking up the completion vocabulary of an index version: words by prefix, also typed without umlauts."""

from __future__ import annotations

import bisect
import functools
import itertools

from corpus.document import VISIBILITIES
from indexer.analysis import fold_umlauts


class WordIndex:
    """The written words of a version's documents and their document counts, per visibility, sorted
    for prefix look-ups (and, on first use, by their umlaut-less forms)."""

    def __init__(self, snapshot):
        self.version = snapshot.version
        self.counts = {v: snapshot.word_counts(v) for v in VISIBILITIES}
        self.sorted_words = {v: sorted(counts) for v, counts in self.counts.items()}

    @functools.cached_property
    def folded_words(self) -> dict[str, list[tuple[str, str]]]:
        """(umlaut-less form, word) of every word with umlauts, sorted, per visibility."""
        out = {}
        for visibility, words in self.sorted_words.items():
            pairs = ((fold_umlauts(w), w) for w in words)
            out[visibility] = sorted((folded, w) for folded, w in pairs if folded != w)
        return out

    def with_prefix(self, visibility: str, prefix: str, limit: int, *, folded: bool = False) -> list[str]:
        """Up to `limit` words of a visibility's documents that start with `prefix`; with `folded`, the
        words with umlauts whose umlaut-less form starts with it ("tyory" -> "työryhmä")."""
        if folded:
            pairs = self.folded_words[visibility]
            start = bisect.bisect_left(pairs, (prefix,))
            return [w for key, w in itertools.takewhile(lambda p: p[0].startswith(prefix), pairs[start:start + limit])]
        words = self.sorted_words[visibility]
        start = bisect.bisect_left(words, prefix)
        return list(itertools.takewhile(lambda w: w.startswith(prefix), words[start:start + limit]))

    def count(self, visibilities: tuple[str, ...], word: str) -> int:
        """How many documents of these visibilities have this word as written."""
        return sum(self.counts[v].get(word, 0) for v in visibilities)
