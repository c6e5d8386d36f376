"""The completion vocabulary of an index version: every written word with the number of documents that
have it, per access key (public, internal, and each group: corpus.document.access_keys), kept in a file
beside the Whoosh index (and in the SolrCloud collections' meta documents).

Search-as-you-type and did-you-mean offer words people recognise, as the documents write them, and
never a word only internal documents have to anonymous visitors, nor a word only one group's documents
have to anyone outside the group; so the counts are kept apart per access key. A counter written once per version is a fraction of the cost of indexing the same words
as Whoosh fields, and its counts are exact: a removed document's words are subtracted at once,
where a Whoosh lexicon would keep them until a merge.
"""

from __future__ import annotations

import gc
import json
import tempfile
from collections import Counter
from pathlib import Path

from corpus.document import VISIBILITIES, Document
from indexer import IndexingError
from indexer.analysis import vocabulary_words

VOCABULARY_FILE = "vocabulary.json"


class Vocabulary:
    """Words and their document counts per access key.

    >>> v = Vocabulary()
    >>> v.add(Document(id="a", title="Sotekeskus", text="Sotekeskus avautuu."))
    >>> v.add(Document(id="b", text="Sotekeskuksessa on neuvola.", visibility="internal"))
    >>> v.add(Document(id="c", text="Palkkaneuvottelu.", visibility="internal", access=("hr",)))
    >>> v.counts["public"]["sotekeskus"], v.counts["internal"]["neuvola"], "neuvola" in v.counts["public"]
    (1, 1, False)
    >>> v.counts["group:hr"]["palkkaneuvottelu"], "palkkaneuvottelu" in v.counts["internal"]
    (1, False)
    """

    def __init__(self, counts: dict[str, dict[str, int]] | None = None):
        self.counts = {key: Counter(words) for key, words in (counts or {}).items()}
        for visibility in VISIBILITIES:
            self.counts.setdefault(visibility, Counter())

    def add(self, doc: Document) -> None:
        """Count a document's distinct words under each of its access keys."""
        self.add_words(doc.access_keys, _words(doc.title, doc.text))

    def add_words(self, keys, words) -> None:
        """Count a document's distinct words under its access keys."""
        if not isinstance(words, list):
            words = list(words)  # counted once per key: not an iterator that the first key would use up
        for key in keys:
            self.counts.setdefault(key, Counter()).update(words)

    def remove(self, keys, title: str, text: str) -> None:
        """Uncount a removed document's words, under its access keys (or its visibility, a string)."""
        words = _words(title, text)
        for key in (keys,) if isinstance(keys, str) else keys:
            counts = self.counts.get(key)
            if counts is None:
                continue
            for word in words:
                left = counts[word] - 1
                if left > 0:
                    counts[word] = left
                else:
                    del counts[word]
            if not counts and key not in VISIBILITIES:
                del self.counts[key]

    def to_json(self, keys=None) -> str:
        """The counts (of the access keys in `keys`, or of all) as JSON, as `load` and the constructor read them.

        The encoder makes a tuple of every (word, count) it writes, hundreds of thousands for a large
        corpus, and so sets off Python's full cycle collections, each of which walks every object of the
        process: after an index run's analysis, the word caches' hundreds of thousands. On squad2-fi that
        was 4 of the 5 seconds of encoding (benchmarks/RESULTS.md, round 13). The encoding makes no
        cycles, so the collector waits until it ends.

        >>> Vocabulary({"public": {"sote": 2}}).to_json(["public"])
        '{"public": {"sote": 2}}'
        """
        counts = {k: c for k, c in self.counts.items() if keys is None or k in keys}
        enabled = gc.isenabled()  # left as it was: a caller may have paused it already
        gc.disable()
        try:
            return json.dumps(counts, ensure_ascii=False)
        finally:
            if enabled:
                gc.enable()

    def save(self, path: Path) -> None:
        """Write the counts as JSON (a new file: never through a hard link shared with another version)."""
        path.unlink(missing_ok=True)
        path.write_text(self.to_json(), encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> "Vocabulary":
        """Read the counts of a version; a missing or damaged file is an IndexingError naming the fix."""
        try:
            return cls(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError) as exc:
            raise IndexingError(
                f"The index's completion vocabulary {path} cannot be read ({exc}). Run 'sotehaku index --full'."
            ) from None


class WordSpool:
    """Documents' words written down as they are analysed, to be counted into a Vocabulary later.

    An index run can count a corpus's words when its own CPU would otherwise wait: the SolrCloud backend
    counts them while the cluster merges its segments at the end of a full run. Counted during the run,
    the counter's hundreds of thousands of words and the analysis's caches evict each other from the CPU's
    caches: on 200,000 generated documents counting took some 12 s in the run against 4-5 s alone
    (benchmarks/RESULTS.md, rounds 16 and 17). The words wait in an unnamed temporary file, not in
    memory: one line per document, so memory stays bounded whatever the corpus's size.

    >>> spool = WordSpool()
    >>> spool.add(["public"], ["sote", "keskus"])
    >>> spool.add(["internal", "group:hr"], ["sote"])
    >>> v = Vocabulary()
    >>> spool.count_into(v)
    >>> v.counts["public"]["sote"], v.counts["group:hr"]["sote"], "keskus" in v.counts["internal"]
    (1, 1, False)
    >>> spool.close()
    """

    def __init__(self):
        # The words are written words (indexer.analysis.vocabulary_words): never a space, tab or newline.
        self._file = tempfile.TemporaryFile("w+", encoding="utf-8", newline="\n", buffering=1 << 20)
        # Access keys name groups, whose names may hold spaces: a line names its keys by a number.
        self._keys: dict[tuple[str, ...], int] = {}

    def add(self, keys, words: list[str]) -> None:
        """Write down one document's distinct words and its access keys."""
        keys = tuple(keys)
        number = self._keys.setdefault(keys, len(self._keys))
        self._file.write(f"{number}\t{' '.join(words)}\n")

    def count_into(self, vocabulary: "Vocabulary") -> None:
        """Count every document written down so far into `vocabulary`, as Vocabulary.add_words would have."""
        keys = {number: key for key, number in self._keys.items()}
        self._file.flush()
        self._file.seek(0)
        for line in self._file:
            number, _, words = line[:-1].partition("\t")
            vocabulary.add_words(keys[int(number)], words.split(" ") if words else ())
        self._file.seek(0)
        self._file.truncate()

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> "WordSpool":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _words(title: str, text: str) -> list[str]:
    return vocabulary_words(f"{title}\n{text}")
