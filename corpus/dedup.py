"""Near-duplicate detection: one page under two URLs, or two versions of a page, marked so search shows one.

Each document becomes a set of word 4-shingles of its title and text. MinHash signatures (datasketch)
and LSH banding find candidate pairs without comparing every pair; the candidates' exact Jaccard
similarity decides: very similar texts are one page whatever their titles; fairly similar texts are
versions of one page only when their titles agree too, because decisions and minutes written on one
template share long standard paragraphs (appeal instructions) under different titles. Each group of
near-duplicates keeps one representative (the newest, then the shortest URL); the others record it as
`duplicate_of`.

The pass runs over the whole corpus at every import, so its cost is per shingle and it runs in numpy: a
shingle is a 64-bit number mixed from its words' hashes (each distinct word hashed once), not a string
hashed by SHA-1; the signatures of a batch of documents are computed together with datasketch's
permutations, not a MinHash object per document; and the LSH bands of all signatures are grouped in
one go, with datasketch's band and row counts for the threshold, instead of datasketch's `MinHashLSH`,
whose per-band Python work per document was a third of an import of 20,000 paragraphs.
"""

from __future__ import annotations

import functools
import hashlib
import multiprocessing
import os
import re
from collections.abc import Iterable, Iterator

import numpy as np

from corpus.document import Document
from corpus.store import CorpusStore

SHINGLE_WORDS = 4
# Texts sharing this share of their shingles are one page for a reader, whatever their titles.
SAME_PAGE_JACCARD = 0.8
# Versions of one page (a paragraph changed or added) share at least this much, and their titles;
# different pages of the sample site share under 0.09.
VERSION_JACCARD = 0.5
TITLE_JACCARD = 0.5
MIN_WORDS = 20  # shorter texts are too little evidence: two stub pages are not one page
NUM_PERM = 128
WORD = re.compile(r"\w+")
# Odd 64-bit constants: the multiplier that chains a shingle's word hashes, and splitmix64's finalizer.
_CHAIN = np.uint64(0x9E3779B97F4A7C15)
_MIX1, _MIX2 = np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB)
_WORD_CACHE_LIMIT = 2_000_000
# Characters of title and text in a batch of documents whose signatures are computed together: about
# 50,000 words, whose permuted hashes take 128 x 4 bytes per shingle, some 26 MB.
BATCH_CHARACTERS = 400_000
# From this many documents the signatures are computed in a process per core.
PARALLEL_MIN_DOCS = 2000


class _WordHashes(dict):
    """Stable 64-bit hashes of words, each distinct word hashed once (a corpus repeats its words)."""

    def __missing__(self, word: str) -> int:
        if len(self) > _WORD_CACHE_LIMIT:
            self.clear()
        value = self[word] = int.from_bytes(hashlib.blake2b(word.encode("utf-8"), digest_size=8).digest(), "little")
        return value

    def of(self, words: list[str]) -> np.ndarray:
        return np.fromiter(map(self.__getitem__, words), dtype=np.uint64, count=len(words))


_WORDS = _WordHashes()  # per process: a batch's worker keeps the words it has hashed


def _shingle_hashes(words: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """The 64-bit hashes of the word 4-grams of documents given as arrays of word hashes, each
    document's at least four words long, and the index of the document of each."""
    lengths = np.array([len(w) for w in words])
    hashes = np.concatenate(words)
    n = len(hashes) - SHINGLE_WORDS + 1
    mixed = hashes[:n].copy()
    for i in range(1, SHINGLE_WORDS):
        mixed = mixed * _CHAIN + hashes[i:i + n]
    mixed ^= mixed >> np.uint64(30)
    mixed *= _MIX1
    mixed ^= mixed >> np.uint64(27)
    mixed *= _MIX2
    mixed ^= mixed >> np.uint64(31)
    # A 4-gram starting at word j is a document's when its last word is in the same document.
    ends = np.cumsum(lengths)
    doc = np.repeat(np.arange(len(words)), lengths)[:n]
    inside = np.arange(n) + SHINGLE_WORDS <= ends[doc]
    return mixed[inside], doc[inside]


def shingles(doc: Document) -> np.ndarray:
    """Sorted distinct hashes of the word 4-grams of the title and text, lowercased; equal texts give
    equal hashes; none for fewer than four words.

    >>> len(shingles(Document(id="a", title="Otsikko", text="yksi kaksi kolme neljä")))
    2
    >>> bool((shingles(Document(id="a", text="Yksi kaksi kolme neljä")) == shingles(Document(id="b", text="yksi, kaksi kolme NELJÄ"))).all())
    True
    >>> len(shingles(Document(id="b", text="liian lyhyt")))
    0
    """
    words = WORD.findall(f"{doc.title} {doc.text}".lower())
    if len(words) < SHINGLE_WORDS:
        return np.zeros(0, dtype=np.uint64)
    return np.unique(_shingle_hashes([_WORDS.of(words)])[0])


@functools.cache
def _permutations() -> tuple[np.ndarray, np.ndarray]:
    """datasketch's MinHash permutations (its default 32-bit affine scheme: h -> a*h + b mod 2^32)."""
    from datasketch import MinHash  # imported here: with SciPy it costs every other command half a second

    a, b = MinHash(num_perm=NUM_PERM).permutations
    return a, b


def _signatures(texts: list[tuple[str, str]]) -> tuple[list[bool], np.ndarray, list[np.ndarray]]:
    """For a batch of (title, text): which are long enough to compare, and their MinHash signatures
    and sorted distinct shingle hashes. The batch's shingles go through numpy together: datasketch's
    permutations applied to the high 32 bits of each shingle hash (already mixed), the minimum taken
    per document."""
    included, words = [], []
    for title, text in texts:
        text_words = WORD.findall(text.lower())
        included.append(len(text_words) >= MIN_WORDS)
        if included[-1]:
            words.append(_WORDS.of(WORD.findall(title.lower()) + text_words))
    if not words:
        return included, np.zeros((0, NUM_PERM), dtype=np.uint32), []
    hashes, doc = _shingle_hashes(words)
    a, b = _permutations()
    permuted = (hashes >> np.uint64(32)).astype(np.uint32)[:, None] * a + b
    starts = np.flatnonzero(np.r_[True, doc[1:] != doc[:-1]])
    signatures = np.minimum.reduceat(permuted, starts, axis=0)
    order = np.lexsort((hashes, doc))
    hashes, doc = hashes[order], doc[order]
    distinct = np.r_[True, (hashes[1:] != hashes[:-1]) | (doc[1:] != doc[:-1])]
    hashes, doc = hashes[distinct], doc[distinct]
    return included, signatures, np.split(hashes, np.searchsorted(doc, np.arange(1, len(words))))


def _batches(documents: Iterable[Document], kept: list[Document]):
    """(title, text) batches of about BATCH_CHARACTERS; each document, without its text, goes to `kept`."""
    batch: list[tuple[str, str]] = []
    size = 0
    for doc in documents:
        batch.append((doc.title, doc.text))
        kept.append(_light(doc))
        size += len(doc.title) + len(doc.text)
        if size >= BATCH_CHARACTERS:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def near_duplicates(documents: Iterable[Document], *, procs: int = 1) -> dict[str, str]:
    """Map each near-duplicate's id to the id of its group's representative.

    Only documents of the same visibility are compared: a public page must never be hidden behind
    an internal copy that anonymous users cannot see. With procs > 1 the signatures are computed in
    that many processes, batch by batch, in order.
    """
    every: list[Document] = []
    if procs > 1:
        _permutations()  # drawn once, before the workers fork
        # The pool's feeding thread reads the documents (the store allows it: nothing else uses it meanwhile).
        with multiprocessing.get_context("fork").Pool(procs) as pool:
            results = list(pool.imap(_signatures, _batches(documents, every)))
    else:
        results = [_signatures(batch) for batch in _batches(documents, every)]
    included = [flag for flags, _, _ in results for flag in flags]
    docs = [doc for doc, flag in zip(every, included) if flag]
    signatures = np.concatenate([m for _, m, _ in results]) if results else np.zeros((0, NUM_PERM), dtype=np.uint32)
    sets = [s for _, _, batch_sets in results for s in batch_sets]
    parent = list(range(len(docs)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    compared: set[tuple[int, int]] = set()
    for members in _buckets(signatures, [d.visibility for d in docs]):
        for k, i in enumerate(members):
            for j in members[k + 1:]:
                # A pair met in several bands is compared once; one already in a group, not at all.
                if root(i) == root(j) or (i, j) in compared:
                    continue
                compared.add((i, j))
                if _same_page(_jaccard_hashes(sets[i], sets[j]), docs[i], docs[j]):
                    parent[root(i)] = root(j)
    groups: dict[int, list[int]] = {}
    for i in range(len(docs)):
        groups.setdefault(root(i), []).append(i)
    result = {}
    for members in groups.values():
        if len(members) > 1:
            keep = docs[min(members, key=lambda i: _preference(docs[i]))].id
            result.update({docs[m].id: keep for m in members if docs[m].id != keep})
    return result


def _buckets(signatures: np.ndarray, visibilities: list[str]) -> Iterable[list[int]]:
    """Rows, ascending, of each group of two or more signatures of one visibility that agree on all rows
    of one LSH band: the candidate pairs, with datasketch's band and row counts for the threshold."""
    from datasketch import MinHashLSH

    lsh = MinHashLSH(threshold=VERSION_JACCARD, num_perm=NUM_PERM)
    if len(signatures) < 2:
        return
    codes = {v: i for i, v in enumerate(sorted(set(visibilities)))}
    visibility = np.array([codes[v] for v in visibilities], dtype=signatures.dtype)
    for band in range(lsh.b):
        # A band's key: its rows and the visibility, one byte string per document.
        keys = np.ascontiguousarray(np.column_stack([signatures[:, band * lsh.r:(band + 1) * lsh.r], visibility]))
        keys = keys.view(np.dtype((np.void, keys.dtype.itemsize * keys.shape[1]))).ravel()
        order = np.argsort(keys, kind="stable")
        ordered = keys[order]
        bounds = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1], True])
        for start, end in zip(bounds[:-1], bounds[1:]):
            if end - start > 1:
                yield sorted(order[start:end].tolist())


def mark_near_duplicates(store: CorpusStore) -> int:
    """Detect near-duplicates over the whole store and record them; return how many documents are marked."""
    procs = min(os.cpu_count() or 1, 2) if store.count() >= PARALLEL_MIN_DOCS else 1
    duplicates = near_duplicates(store.iter_documents(), procs=procs)
    store.set_duplicates(duplicates)
    return len(duplicates)


def with_duplicates_marked(documents: Iterable[Document], duplicated: set[str]) -> Iterator[Document]:
    """The documents, each whose id is in `duplicated` (CorpusStore.duplicated_ids) marked has_duplicates."""
    for doc in documents:
        marked = doc.id in duplicated
        yield doc.replace(has_duplicates=marked) if marked != doc.has_duplicates else doc


def _light(doc: Document) -> Document:
    """The document without its text: the representative is chosen by date and URL, and memory matters."""
    return doc.replace(text="")


def _preference(doc: Document) -> tuple:
    """Sort key of the copy to show: the newest, then the shortest URL, then the smallest id."""
    return (-(doc.updated.toordinal() if doc.updated else 0), len(doc.url or doc.id), doc.id)


def _same_page(similarity: float, a: Document, b: Document) -> bool:
    if similarity >= SAME_PAGE_JACCARD:
        return True
    titles = [set(re.findall(r"[^\W\d_]+", doc.title.lower())) for doc in (a, b)]
    return similarity >= VERSION_JACCARD and _jaccard(*titles) >= TITLE_JACCARD


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 0.0


def _jaccard_hashes(a: np.ndarray, b: np.ndarray) -> float:
    """Jaccard similarity of two sorted arrays of distinct shingle hashes."""
    shared = np.intersect1d(a, b, assume_unique=True).size
    union = a.size + b.size - shared
    return shared / union if union else 0.0
