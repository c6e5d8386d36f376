"""Writing the Whoosh backend's index: full builds and incremental updates, each published as a new version."""

from __future__ import annotations

import contextlib
import ctypes
import datetime as dt
import fcntl
import heapq
import multiprocessing.util
import os
import shutil
import signal
from collections.abc import Callable, Iterable
from pathlib import Path

from whoosh import index as whoosh_index

import languages

from backends.whoosh.codec import SotehakuCodec
from backends.whoosh.schema import ANCHOR_FIELDS, HEADINGS_FIELDS, TEXT_FIELDS, TITLE_FIELDS, build_schema, index_language
from backends.whoosh.versions import (
    BUILDING_SUFFIX, FORMAT_FILE, INDEX_FORMAT, PARTS, UNREADABLE, copy_version, current_version, index_root, is_current_format,
    new_version_name, open_index, publish_version, remove_old_versions,
)
from corpus.document import GROUP_PREFIX, Document
from indexer import IndexingError
from indexer.fields import filter_values, ranking_weight
from indexer.vocabulary import VOCABULARY_FILE, Vocabulary
from search.api import Published

# Below this many documents a second process costs more to start than it saves (sample site: 64 docs).
PARALLEL_MIN_DOCS = 2000
# Postings one writing process holds in memory (Whoosh's estimate) before it sorts them out to temporary
# runs on disk. Once a process has spilled a run, every one of its postings is pickled out and read back
# for the merge, which cost a 3,000-paragraph build a quarter more CPU (benchmarks/RESULTS.md, round 4):
# 384 MB holds about two million postings, some 17,000 squad2-fi paragraphs per process. A writer that gets
# few documents (the other visibility's) holds only what it gets.
WRITER_MEMORY_MB = 384
BUILD_LOCK = "BUILD_LOCK"
PR_SET_PDEATHSIG = 1  # from <sys/prctl.h>
STOPWORDS = languages.all_stopwords()  # left out of the statistics' top terms
# When more than this share of the corpus changed, a fresh (parallel) build is quicker than an update.
UPDATE_MAX_SHARE = 0.5


def default_procs(documents: int) -> int:
    """Processes for a build: one per core (each with its own Voikko handle) for large corpora."""
    return max(1, os.cpu_count() or 1) if documents >= PARALLEL_MIN_DOCS else 1


def document_fields(doc: Document) -> dict:
    """The Whoosh field values of one document; its text goes to its language's fields."""
    lang = index_language(doc.lang)
    values = filter_values(doc)
    fields = {
        "id": doc.id,
        "url": doc.url,
        "lang": doc.lang,
        "visibility": doc.visibility,
        # Its access keys, newline-separated (group names may hold spaces): search.access matches them.
        "access": "\n".join(doc.access_keys),
        "source": doc.source,
        "type": values["type"],
        "content_hash": doc.content_hash,
        "fingerprint": doc.fingerprint,
        "parent": doc.parent,
        "duplicate_of": doc.duplicate_of,
        "title": doc.title,
        "text": doc.text,
        "description": doc.description,
        "section": doc.section,
        TITLE_FIELDS[lang]: doc.title,
        HEADINGS_FIELDS[lang]: "\n".join(doc.headings),
        TEXT_FIELDS[lang]: doc.text,
        "title_folded": doc.title,
        "text_folded": doc.text,
        # Other pages' link texts, one per line (a phrase never runs from one into the next).
        ANCHOR_FIELDS[lang]: "\n".join(doc.anchors),
        "anchors_folded": "\n".join(doc.anchors),
        "site": values["site"],
        "section_top": values["section"],
        "weight": ranking_weight(doc),
    }
    if doc.updated:
        fields["updated"] = dt.datetime.combine(doc.updated, dt.time())
        fields["year"] = values["year"]
    return fields


def build_index(
    documents: Iterable[Document],
    data_dir: str | Path,
    *,
    progress: Callable[[int], None] | None = None,
    procs: int = 1,
) -> Published:
    """Index the documents into a new version and publish it; a failed build leaves the old one live.

    With procs > 1 Whoosh's multi-process writer analyses in that many processes, each opening its
    own Voikko handle and cache; their segments are kept as they are rather than merged.
    """
    root = index_root(data_dir)
    root.mkdir(parents=True, exist_ok=True)
    count = 0
    vocabulary = Vocabulary()

    def add_all(writers) -> None:
        nonlocal count
        for doc in documents:
            writers[doc.visibility].add_document(**document_fields(doc))
            vocabulary.add(doc)
            count += 1
            if progress:
                progress(count)

    version, final = _write_version(root, add_all, vocabulary, procs=procs)
    return Published(version=version, documents=count, added=count)


def update_index(
    documents: Callable[[], Iterable[Document]],
    data_dir: str | Path,
    *,
    progress: Callable[[int], None] | None = None,
    procs: int = 1,
    full: bool = False,
) -> Published:
    """Bring the published index in step with the documents, re-analysing only what changed.

    `documents` is called for a fresh iteration of the corpus (once, or twice when a full build turns
    out to be quicker). A document whose fingerprint is already indexed is kept as it is; changed and
    new documents are added, and those no longer in the corpus removed, in a copy of the live version
    that is then published like a full build. When nothing changed, nothing is published. An index of
    another format, or `full=True`, gets a full build.
    """
    root = index_root(data_dir)
    live = current_version(data_dir)
    if full or live is None or not is_current_format(root / live):
        return build_index(documents(), data_dir, progress=progress, procs=procs)
    try:
        indexed = _indexed_fingerprints(root / live)
    except UNREADABLE:  # a damaged live version: rebuild it from the corpus rather than patch it
        return build_index(documents(), data_dir, progress=progress, procs=procs)
    fresh, kept = [], set()
    for doc in documents():
        fingerprint = doc.fingerprint
        if fingerprint in indexed:
            kept.add(fingerprint)
            if progress:
                progress(1)
        else:
            fresh.append(doc)
    stale = indexed - kept
    total = len(kept) + len(fresh)
    if not fresh and not stale:
        return Published(version=live, documents=total, unchanged=total, full=False)
    if len(fresh) > UPDATE_MAX_SHARE * total:
        return build_index(documents(), data_dir, progress=progress, procs=procs)
    try:
        vocabulary = Vocabulary.load(root / live / VOCABULARY_FILE)
    except IndexingError:  # a damaged vocabulary: rebuild the version rather than patch it
        return build_index(documents(), data_dir, progress=progress, procs=procs)

    def apply_changes(writers) -> None:
        for writer in writers.values():
            with writer.searcher() as searcher:
                reader = searcher.reader()
                for fingerprint in stale:
                    if ("fingerprint", fingerprint) not in reader:
                        continue
                    for docnum in reader.postings("fingerprint", fingerprint).all_ids():
                        if not reader.is_deleted(docnum):
                            old = searcher.stored_fields(docnum)
                            keys = old.get("access") or old["visibility"]
                            vocabulary.remove(keys.split("\n"), old.get("title", ""), old.get("text", ""))
            for fingerprint in stale:
                writer.delete_by_term("fingerprint", fingerprint)
        for doc in fresh:
            writers[doc.visibility].add_document(**document_fields(doc))
            vocabulary.add(doc)
            if progress:
                progress(1)

    version, final = _write_version(root, apply_changes, vocabulary, base=root / live)
    return Published(
        version=version, documents=total, added=len(fresh), removed=len(stale), unchanged=len(kept), full=False
    )


def remove_documents(ids: Iterable[str], data_dir: str | Path) -> int:
    """Publish a copy of the live version without these documents; return how many it held (0: nothing
    published, nor any version written)."""
    root = index_root(data_dir)
    live = current_version(data_dir)
    if live is None or not is_current_format(root / live):
        return 0
    ids = sorted(set(ids))
    try:
        vocabulary = Vocabulary.load(root / live / VOCABULARY_FILE)
        parts = open_index(data_dir)
    except (IndexingError, *UNREADABLE):
        return 0
    try:
        held = 0
        for part in parts.values():
            with part.searcher() as searcher:
                held += sum(1 for doc_id in ids if searcher.document_number(id=doc_id) is not None)
    finally:
        for part in parts.values():
            part.close()
    if not held:
        return 0

    def delete(writers) -> None:
        for writer in writers.values():
            with writer.searcher() as searcher:
                for doc_id in ids:
                    docnum = searcher.document_number(id=doc_id)
                    if docnum is not None:
                        old = searcher.stored_fields(docnum)
                        keys = old.get("access") or old["visibility"]
                        vocabulary.remove(keys.split("\n"), old.get("title", ""), old.get("text", ""))
            for doc_id in ids:
                writer.delete_by_term("id", doc_id)

    _write_version(root, delete, vocabulary, base=root / live)
    return held


def index_stats(data_dir: str | Path, visibilities: tuple[str, ...], *, top: int = 20) -> dict:
    """The published version's name, its documents of these visibilities, its size on disk, and the most
    widespread words of those documents.

    Top terms come from the completion vocabulary (words as written, stopwords left out): statistics
    are a way out of the index like any other, so only the visibilities asked for are counted; "internal"
    (the administrator's `sotehaku stats --internal`) covers every internal document, of any group.
    """
    ix = open_index(data_dir)
    version = current_version(data_dir)
    path = index_root(data_dir) / version
    try:
        documents = sum(ix[v].doc_count() for v in visibilities if v in ix)
    finally:
        for part in ix.values():
            part.close()
    vocabulary = Vocabulary.load(path / VOCABULARY_FILE)
    counts: dict[str, int] = {}
    for key in stats_keys(vocabulary.counts, visibilities):
        for word, n in vocabulary.counts[key].items():
            if word not in STOPWORDS:
                counts[word] = counts.get(word, 0) + n
    best = heapq.nsmallest(top, counts.items(), key=lambda item: (-item[1], item[0]))
    return {
        "version": version,
        "documents": documents,
        "bytes": sum(p.stat().st_size for p in path.rglob("*") if p.is_file()),
        "top_terms": [{"term": word, "documents": n} for word, n in best],
    }


def _write_version(
    root: Path, fill: Callable, vocabulary: Vocabulary, *, base: Path | None = None, procs: int = 1
) -> tuple[str, Path]:
    """Write a new version beside the live one and publish it: a new index, or a copy of `base`, to which
    `fill(writers)` makes its changes (one writer per visibility), with the completion vocabulary as `fill`
    left it. Anything failing (or a kill) leaves the live version as it was and no half-written version behind."""
    with _build_lock(root):
        _remove_stale_builds(root)
        return _write_locked(root, fill, vocabulary, base=base, procs=procs)


def _write_locked(root: Path, fill: Callable, vocabulary: Vocabulary, *, base: Path | None, procs: int) -> tuple[str, Path]:
    version = new_version_name()
    building = root / f"{version}{BUILDING_SUFFIX}"
    try:
        if procs > 1:
            workers_die_with_parent()
        if base is None:
            building.mkdir()
            schema = build_schema()
            indexes = {}
            for part in PARTS:
                (building / part).mkdir()
                indexes[part] = whoosh_index.create_in(building / part, schema)
        else:
            copy_version(base, building)
            indexes = {part: whoosh_index.open_dir(building / part) for part in PARTS}
        if procs > 1:
            writers = {p: ix.writer(procs=procs, limitmb=WRITER_MEMORY_MB, multisegment=True, codec=SotehakuCodec())
                       for p, ix in indexes.items()}
        else:
            writers = {p: ix.writer(limitmb=WRITER_MEMORY_MB, codec=SotehakuCodec()) for p, ix in indexes.items()}
        try:
            fill(writers)
        except BaseException:
            for writer in writers.values():
                writer.cancel()
            raise
        for writer in writers.values():
            writer.commit()
        for ix in indexes.values():
            ix.close()
        vocabulary.save(building / VOCABULARY_FILE)
        format_file = building / FORMAT_FILE
        format_file.unlink(missing_ok=True)  # a hard link to the base's file: never write through it
        format_file.write_text(INDEX_FORMAT + "\n", encoding="utf-8")
        final = root / version
        os.rename(building, final)
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    publish_version(root, version)
    remove_old_versions(root, version)
    return version, final


@contextlib.contextmanager
def _build_lock(root: Path):
    """One build at a time per data directory: a second `sotehaku index` waits for the first."""
    with open(root / BUILD_LOCK, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _remove_stale_builds(root: Path) -> None:
    """Remove what builds that were killed left behind; no build runs while the lock is held."""
    for path in root.iterdir():
        if path.is_dir() and path.name.endswith(BUILDING_SUFFIX):
            shutil.rmtree(path, ignore_errors=True)


class _AfterFork:
    """A holder for multiprocessing's after-fork hook (it keeps weak references to such objects)."""


_AFTER_FORK = _AfterFork()


def workers_die_with_parent() -> None:
    """Make the build's worker processes (Whoosh's multi-process writer forks them) die with this
    process, so that a `kill -9` of `sotehaku index --procs N` leaves no worker running (Linux)."""
    multiprocessing.util.register_after_fork(_AFTER_FORK, _die_with_parent)


def _die_with_parent(_holder) -> None:
    """In a forked worker: ask the kernel for SIGKILL when the parent dies; if it already has, go."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # not Linux: nothing to ask for
        return
    if os.getppid() == 1:
        os._exit(1)


def _indexed_fingerprints(path: Path) -> set[str]:
    """Fingerprints of the documents a version holds, over both visibilities."""
    indexed = set()
    for part in PARTS:
        live_ix = whoosh_index.open_dir(path / part)
        try:
            with live_ix.reader() as reader:
                indexed |= _live_fingerprints(reader)
        finally:
            live_ix.close()
    return indexed


def _live_fingerprints(reader) -> set[str]:
    """Fingerprints of the documents a reader sees, leaving out deleted ones whose terms linger until a merge."""
    found = set()
    for term in reader.lexicon("fingerprint"):
        postings = reader.postings("fingerprint", term)
        if any(not reader.is_deleted(docnum) for docnum in postings.all_ids()):
            found.add(term.decode("utf-8"))
    return found




def stats_keys(counts: dict, visibilities: tuple[str, ...]) -> list[str]:
    """The vocabulary keys statistics of these visibilities read: "internal" brings every group's too.

    >>> stats_keys({"public": {}, "internal": {}, "group:hr": {}}, ("public", "internal"))
    ['public', 'internal', 'group:hr']
    """
    everything = "internal" in visibilities
    return [k for k in counts if k in visibilities or (everything and k.startswith(GROUP_PREFIX))]
