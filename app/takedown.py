"""Takedowns: a document removed from the corpus and the live index at once, and kept out until unblocked.

Personal data published by mistake cannot wait for the next crawl and index run: `remove_document` deletes
the document from the corpus store and takes it out of
the published index of whichever backend is in use; with `block`, crawls and imports skip it (reason
"blocked") until `unblock_document`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from corpus.store import CorpusStore

from app.backend import open_backend
from app.errors import AppError


class TakedownError(AppError):
    """A takedown that cannot be done as asked; the message says why and what to do."""


@dataclass(frozen=True)
class Removal:
    """What a takedown did: the id taken out, whether the corpus held it, how many index entries went, whether it is blocked."""

    key: str
    ids: tuple[str, ...]
    in_corpus: bool
    from_index: int
    blocked: bool


def remove_document(store: CorpusStore, data_dir: str | Path, key: str, *, block: bool = False) -> Removal:
    """Remove the document with this id or address from the corpus and the live index;
    with `block`, keep it (by id and address) from being crawled or imported again.

    A key that is in neither the corpus nor the index is refused, unless it is blocked in advance."""
    document = store.find(key)
    ids = [document.id] if document else [key]
    if block:
        store.block(document.id if document else key, document.url if document else "")
    if document:
        store.erase(document.id)
    from_index = open_backend(data_dir).remove(ids)
    if document is None and not from_index and not block:
        raise TakedownError(
            f"No document with the id or address {key!r} in the corpus or the index of {data_dir}. "
            "Check the address (as in the search results), or pass --block to keep it out of future crawls anyway."
        )
    return Removal(key=key, ids=tuple(ids), in_corpus=document is not None, from_index=from_index, blocked=block)


def unblock_document(store: CorpusStore, key: str) -> int:
    """Let a blocked document (by id or address) be crawled and imported again; TakedownError if none was."""
    lifted = store.unblock(key)
    if not lifted:
        raise TakedownError(f"Nothing with the id or address {key!r} is blocked. 'sotehaku unblock --list' lists what is.")
    return lifted
