"""The completion vocabulary of an index version: every written word with the number of documents that
have it, per visibility, kept in a file beside the Whoosh index.

Search-as-you-type and did-you-mean offer words people recognise, as the documents write them, and
never a word only internal documents have to anonymous visitors; so the counts are kept apart per
visibility. A counter written once per version is a fraction of the cost of indexing the same words
as Whoosh fields, and its counts are exact: a removed document's words are subtracted at once,
where a Whoosh lexicon would keep them until a merge.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from corpus.document import VISIBILITIES, Document
from indexer import IndexingError
from indexer.analysis import vocabulary_words

VOCABULARY_FILE = "vocabulary.json"


class Vocabulary:
    """Words and their document counts per visibility.

    >>> v = Vocabulary()
    >>> v.add(Document(id="a", title="Sotekeskus", text="Sotekeskus avautuu."))
    >>> v.add(Document(id="b", text="Sotekeskuksessa on neuvola.", visibility="internal"))
    >>> v.counts["public"]["sotekeskus"], v.counts["internal"]["neuvola"], "neuvola" in v.counts["public"]
    (1, 1, False)
    """

    def __init__(self, counts: dict[str, dict[str, int]] | None = None):
        self.counts = {visibility: Counter((counts or {}).get(visibility, {})) for visibility in VISIBILITIES}

    def add(self, doc: Document) -> None:
        """Count a document's distinct words under its visibility."""
        self.counts[doc.visibility].update(_words(doc.title, doc.text))

    def remove(self, visibility: str, title: str, text: str) -> None:
        """Uncount a removed document's words."""
        counts = self.counts[visibility]
        for word in _words(title, text):
            left = counts[word] - 1
            if left > 0:
                counts[word] = left
            else:
                del counts[word]

    def save(self, path: Path) -> None:
        """Write the counts as JSON (a new file: never through a hard link shared with another version)."""
        path.unlink(missing_ok=True)
        path.write_text(json.dumps({v: dict(c) for v, c in self.counts.items()}, ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> "Vocabulary":
        """Read the counts of a version; a missing or damaged file is an IndexingError naming the fix."""
        try:
            return cls(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError) as exc:
            raise IndexingError(
                f"The index's completion vocabulary {path} cannot be read ({exc}). Run 'sotehaku index --full'."
            ) from None


def _words(title: str, text: str) -> list[str]:
    return vocabulary_words(f"{title}\n{text}").split()
