"""Near-duplicate detection: one page under two URLs, or two versions of a page, marked so search shows one.

Each document becomes a set of word 4-shingles of its title and text. MinHash signatures and LSH
(datasketch) find candidate pairs without comparing every pair; the candidates' exact Jaccard
similarity decides: very similar texts are one page whatever their titles; fairly similar texts are
versions of one page only when their titles agree too, because decisions and minutes written on one
template share long standard paragraphs (appeal instructions) under different titles. Each group of near-duplicates keeps one representative (the newest, then the
shortest URL); the others record it as `duplicate_of`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from datasketch import MinHash, MinHashLSH

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


def shingles(doc: Document) -> set[str]:
    """Word 4-grams of the title and text, lowercased.

    >>> sorted(shingles(Document(id="a", title="Otsikko", text="yksi kaksi kolme neljä")))
    ['otsikko yksi kaksi kolme', 'yksi kaksi kolme neljä']
    >>> shingles(Document(id="b", text="liian lyhyt"))
    {'liian lyhyt'}
    """
    words = WORD.findall(f"{doc.title} {doc.text}".lower())
    if len(words) < SHINGLE_WORDS:
        return {" ".join(words)}
    return {" ".join(words[i:i + SHINGLE_WORDS]) for i in range(len(words) - SHINGLE_WORDS + 1)}


def near_duplicates(documents: Iterable[Document]) -> dict[str, str]:
    """Map each near-duplicate's id to the id of its group's representative.

    Only documents of the same visibility are compared: a public page must never be hidden behind
    an internal copy that anonymous users cannot see.
    """
    lsh = {visibility: MinHashLSH(threshold=VERSION_JACCARD, num_perm=NUM_PERM) for visibility in ("public", "internal")}
    sets: dict[str, set[str]] = {}
    docs: dict[str, Document] = {}
    parent: dict[str, str] = {}

    def root(doc_id: str) -> str:
        while parent[doc_id] != doc_id:
            parent[doc_id] = parent[parent[doc_id]]
            doc_id = parent[doc_id]
        return doc_id

    # Each signature starts as a copy of one empty MinHash: a new one would draw its 128 permutations
    # again from the seed, which cost more than hashing a document's shingles.
    empty = MinHash(num_perm=NUM_PERM)
    for doc in documents:
        if len(WORD.findall(doc.text)) < MIN_WORDS:
            continue
        grams = shingles(doc)
        signature = empty.copy()
        signature.update_batch([g.encode("utf-8") for g in grams])
        index = lsh[doc.visibility]
        docs[doc.id], sets[doc.id], parent[doc.id] = _light(doc), grams, doc.id
        for other in index.query(signature):
            if _same_page(_jaccard(grams, sets[other]), doc, docs[other]):
                parent[root(doc.id)] = root(other)
        index.insert(doc.id, signature)
    groups: dict[str, list[str]] = {}
    for doc_id in docs:
        groups.setdefault(root(doc_id), []).append(doc_id)
    result = {}
    for members in groups.values():
        if len(members) > 1:
            keep = min(members, key=lambda i: _preference(docs[i]))
            result.update({member: keep for member in members if member != keep})
    return result


def mark_near_duplicates(store: CorpusStore) -> int:
    """Detect near-duplicates over the whole store and record them; return how many documents are marked."""
    duplicates = near_duplicates(store.iter_documents())
    store.set_duplicates(duplicates)
    return len(duplicates)


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
