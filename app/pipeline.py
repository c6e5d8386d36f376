"""The pipeline, wired once: refresh the corpus (crawl sources, import paths), mark near-duplicates, index.

`sotehaku crawl`, `import` and `demo` and the test fixtures all run `run_pipeline` with a refresh step;
`sotehaku index` runs its last stage, `index_corpus`. The index is brought up to date incrementally, as
`sotehaku index` does: only new and changed documents are analysed (a page whose anchor text, the words of
other pages' links to it, changed is one of them).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING
from dataclasses import dataclass
from pathlib import Path

from corpus import CorpusError
from corpus.anchors import anchor_texts, with_anchor_texts
from corpus.dedup import mark_near_duplicates, with_duplicates_marked
from corpus.document import Document
from corpus.ingest import ImportStats, import_path
from corpus.sources import Source
from corpus.store import CorpusStore, open_data_store

if TYPE_CHECKING:  # the crawler (httpx, Beautiful Soup) is imported when a crawl runs: other commands start quicker
    from corpus.crawl import CrawlStats
from search.api import Published

from app.backend import publish_index
from app.errors import EmptyCorpusError

# A refresh step changes the corpus store: crawls, imports, removals.
Refresh = Callable[[CorpusStore], None]


@dataclass(frozen=True)
class PipelineRun:
    """What a pipeline run left: documents in the corpus, how many are near-duplicates, the index published."""

    documents: int
    duplicates: int
    index: Published | None = None


def run_pipeline(
    data_dir: str | Path,
    refresh: Refresh | None = None,
    *,
    publish: bool = True,
    procs: int | None = None,
    full: bool = False,
    progress: Callable[[int], None] | None = None,
) -> PipelineRun:
    """Refresh the corpus, mark its near-duplicates and (unless `publish` is False) bring the index up to date.

    A refresh that fails or is interrupted leaves what it stored (every store write is its own
    transaction) and the previous index, which stays published until a new version replaces it.
    """
    with open_data_store(data_dir) as store:
        if refresh is not None:
            refresh(store)
        duplicates = mark_near_duplicates(store)
        built = index_corpus(store, data_dir, procs=procs, full=full, progress=progress) if publish else None
        return PipelineRun(documents=store.count(), duplicates=duplicates, index=built)


def index_corpus(
    store: CorpusStore,
    data_dir: str | Path,
    *,
    procs: int | None = None,
    full: bool = False,
    progress: Callable[[int], None] | None = None,
    partition: tuple[int, int] | None = None,
) -> Published:
    """Bring the data directory's index in step with the corpus store (the last stage of the pipeline);
    with `partition` (K, N), only partition K's share of it (see app.backend.publish_index)."""
    total = documents_to_index(store, data_dir)
    return publish_index(indexed_documents(store), data_dir, total=total, procs=procs, full=full, progress=progress,
                         partition=partition)


def indexed_documents(store: CorpusStore) -> Callable[[], Iterable[Document]]:
    """The corpus's documents as an index receives them: with the link texts of the pages that point to
    them and their near-duplicate marks (read once here; each call iterates the store afresh)."""
    anchors = anchor_texts(store)
    duplicated = store.duplicated_ids()

    def documents() -> Iterable[Document]:
        return with_duplicates_marked(with_anchor_texts(store.iter_documents(), anchors), duplicated)

    return documents


def documents_to_index(store: CorpusStore, data_dir: str | Path) -> int:
    """How many documents the store holds; EmptyCorpusError when there is nothing to index."""
    total = store.count()
    if total == 0:
        raise EmptyCorpusError(f"The corpus in {data_dir} is empty. Run 'sotehaku crawl' or 'sotehaku import' first.")
    return total


def crawl_sources(
    sources: Iterable[Source],
    *,
    progress: Callable[[Source], Callable[[CrawlStats], None] | None] | None = None,
    done: Callable[[CrawlStats], None] | None = None,
) -> Refresh:
    """A refresh that crawls each source in turn and records its outcome in the store (see
    CorpusStore.record_crawl); `progress(source)` gives its progress callback, `done` sees its stats."""
    from corpus.crawl import crawl_source

    sources = list(sources)

    def refresh(store: CorpusStore) -> None:
        for source in sources:
            started = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
            try:
                stats = crawl_source(source, store, progress=progress(source) if progress else None)
            except CorpusError as exc:
                store.record_crawl(source.name, started_at=started, fetched=0, error=str(exc))
                raise
            store.record_crawl(
                source.name, started_at=started, fetched=stats.fetched, changed=stats.changed,
                removed=stats.removed, skipped=stats.skipped,
            )
            if done:
                done(stats)

    return refresh


def import_paths(
    paths: Iterable[Path],
    *,
    source: str | None = None,
    visibility: str | None = None,
    base_url: str | None = None,
    access: tuple[str, ...] = (),
    done: Callable[[Path, ImportStats], None] | None = None,
    failed: Callable[[Path, CorpusError], None] | None = None,
) -> Refresh:
    """A refresh that imports JSONL files, folders and WARC files; a path that cannot be read at all goes to
    `failed` (or is raised without it) and the others are still imported."""
    paths = list(paths)

    def refresh(store: CorpusStore) -> None:
        for path in paths:
            try:
                stats = import_path(path, store, source=source, visibility=visibility, base_url=base_url, access=access)
            except CorpusError as exc:
                if failed is None:
                    raise
                failed(path, exc)
                continue
            if done:
                done(path, stats)

    return refresh


def store_documents(documents: Iterable[Document]) -> Refresh:
    """A refresh that stores ready-made documents (for programs and tests that have them in hand)."""
    documents = list(documents)

    def refresh(store: CorpusStore) -> None:
        store.put_many(documents)

    return refresh


def forget_sources(sources: Iterable[Source]) -> Refresh:
    """A refresh that removes the sources' documents and any interrupted crawl's queue (the demo's site
    moves to a new port on every run, so its old documents would never be found again)."""
    names = [source.name for source in sources]

    def refresh(store: CorpusStore) -> None:
        for name in names:
            for doc_id in store.ids(name):
                store.delete(doc_id)
            store.clear_frontier(name)

    return refresh


def chain(*steps: Refresh) -> Refresh:
    """One refresh that runs several in order."""

    def refresh(store: CorpusStore) -> None:
        for step in steps:
            step(store)

    return refresh
