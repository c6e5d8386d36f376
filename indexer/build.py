"""Building and publishing index versions: a build writes a new version, then swaps it in atomically."""

from __future__ import annotations

import datetime as dt
import heapq
import os
import shutil
from urllib.parse import urlsplit
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from whoosh import index as whoosh_index

from corpus.document import Document
from indexer import IndexingError
from indexer.analysis import EN_STOPWORDS, FI_STOPWORDS, SV_STOPWORDS
from indexer.vocabulary import VOCABULARY_FILE, Vocabulary
from indexer.schema import HEADINGS_FIELDS, TEXT_FIELDS, TITLE_FIELDS, build_schema, index_language

INDEX_DIRNAME = "index"
CURRENT_FILE = "CURRENT"
BUILDING_SUFFIX = ".building"
KEEP_VERSIONS = 2  # the live version and the one before it, which open searchers may still read
# Below this many documents a second process costs more to start than it saves (sample site: 64 docs).
PARALLEL_MIN_DOCS = 2000
WRITER_MEMORY_MB = 256
STOPWORDS = frozenset(FI_STOPWORDS) | frozenset(SV_STOPWORDS) | frozenset(EN_STOPWORDS)
# Written into every version. Bump it whenever the schema or the analysis of indexed text changes:
# an index of another format is rebuilt from scratch rather than updated, so queries and index agree.
INDEX_FORMAT = "sotehaku-index-7"
FORMAT_FILE = "FORMAT"
# When more than this share of the corpus changed, a fresh (parallel) build is quicker than an update.
UPDATE_MAX_SHARE = 0.5


def default_procs(documents: int) -> int:
    """Processes for a build: one per core (each with its own Voikko handle) for large corpora."""
    return max(1, os.cpu_count() or 1) if documents >= PARALLEL_MIN_DOCS else 1


class NoIndexError(IndexingError):
    """There is no published index in the data directory."""


@dataclass(frozen=True)
class BuiltIndex:
    """A published index version, and what the build or update did."""

    version: str
    path: Path
    documents: int
    added: int = 0
    removed: int = 0
    unchanged: int = 0
    full: bool = True


def index_root(data_dir: str | Path) -> Path:
    """The folder that holds every index version and the CURRENT pointer."""
    return Path(data_dir) / INDEX_DIRNAME


def current_version(data_dir: str | Path) -> str | None:
    """Name of the published index version, or None when nothing has been published."""
    try:
        version = (index_root(data_dir) / CURRENT_FILE).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    return version or None


def open_index(data_dir: str | Path):
    """Open the published Whoosh index of a data directory, or explain how to build one."""
    version = current_version(data_dir)
    path = index_root(data_dir) / version if version else None
    if path is None or not whoosh_index.exists_in(path):
        raise NoIndexError(f"No index in {index_root(data_dir)}. Run 'sotehaku index' first.")
    return whoosh_index.open_dir(path)


def document_fields(doc: Document) -> dict:
    """The field values one document contributes to the index; its text goes to its language's fields."""
    lang = index_language(doc.lang)
    headings = "\n".join(doc.headings)
    fields = {
        "id": doc.id,
        "url": doc.url,
        "lang": doc.lang,
        "visibility": doc.visibility,
        "source": doc.source,
        "type": content_kind(doc.content_type),
        "content_hash": doc.content_hash,
        "fingerprint": doc.fingerprint,
        "parent": doc.parent,
        "duplicate_of": doc.duplicate_of,
        "title": doc.title,
        "text": doc.text,
        "description": doc.description,
        "section": doc.section,
        TITLE_FIELDS[lang]: doc.title,
        HEADINGS_FIELDS[lang]: headings,
        TEXT_FIELDS[lang]: doc.text,
        "title_folded": doc.title,
        "text_folded": doc.text,
        "site": urlsplit(doc.url).netloc.lower() if doc.url else "",
        "section_top": section_top(doc.section),
    }
    if doc.updated:
        fields["updated"] = dt.datetime.combine(doc.updated, dt.time())
        fields["year"] = str(doc.updated.year)
    return fields


def section_top(section: str) -> str:
    """The top section of a breadcrumb trail, below the home page: the facet a citizen recognises.

    >>> section_top("Etusivu > Palvelut > Palveluseteli")
    'Palvelut'
    >>> section_top("Sote-uudistus")
    'Sote-uudistus'
    """
    crumbs = [c.strip() for c in section.split(" > ") if c.strip()]
    return crumbs[1] if len(crumbs) > 1 else crumbs[0] if crumbs else ""


def content_kind(content_type: str) -> str:
    """Short document type for the type: filter and facets: html, pdf, docx or text."""
    kind = content_type.split(";")[0].strip().lower()
    return {
        "application/pdf": "pdf",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
        "text/plain": "text",
    }.get(kind, "html")


def build_index(
    documents: Iterable[Document],
    data_dir: str | Path,
    *,
    progress: Callable[[int], None] | None = None,
    procs: int = 1,
) -> BuiltIndex:
    """Index the documents into a new version and publish it; a failed build leaves the old one live.

    With procs > 1 Whoosh's multi-process writer analyses in that many processes, each opening its
    own Voikko handle and cache; their segments are kept as they are rather than merged.
    """
    root = index_root(data_dir)
    root.mkdir(parents=True, exist_ok=True)
    count = 0
    vocabulary = Vocabulary()

    def add_all(writer) -> None:
        nonlocal count
        for doc in documents:
            writer.add_document(**document_fields(doc))
            vocabulary.add(doc)
            count += 1
            if progress:
                progress(count)

    version, final = _write_version(root, add_all, vocabulary, procs=procs)
    return BuiltIndex(version=version, path=final, documents=count, added=count)


def update_index(
    documents: Callable[[], Iterable[Document]],
    data_dir: str | Path,
    *,
    progress: Callable[[int], None] | None = None,
    procs: int = 1,
    full: bool = False,
) -> BuiltIndex:
    """Bring the published index in step with the documents, re-analysing only what changed.

    `documents` is called for a fresh iteration of the corpus (once, or twice when a full build turns
    out to be quicker). A document whose fingerprint is already indexed is kept as it is; changed and
    new documents are added, and those no longer in the corpus removed, in a copy of the live version
    that is then published like a full build. When nothing changed, nothing is published. An index of
    another format, or `full=True`, gets a full build.
    """
    root = index_root(data_dir)
    live = current_version(data_dir)
    if full or live is None or not _updatable(root / live):
        return build_index(documents(), data_dir, progress=progress, procs=procs)
    live_ix = whoosh_index.open_dir(root / live)
    try:
        with live_ix.reader() as reader:
            indexed = _live_fingerprints(reader)
    finally:
        live_ix.close()
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
        return BuiltIndex(version=live, path=root / live, documents=total, unchanged=total, full=False)
    if len(fresh) > UPDATE_MAX_SHARE * total:
        return build_index(documents(), data_dir, progress=progress, procs=procs)
    vocabulary = Vocabulary.load(root / live / VOCABULARY_FILE)

    def apply_changes(writer) -> None:
        with writer.searcher() as searcher:
            for fingerprint in stale:
                for docnum in searcher.reader().postings("fingerprint", fingerprint).all_ids():
                    if not searcher.reader().is_deleted(docnum):
                        old = searcher.stored_fields(docnum)
                        vocabulary.remove(old["visibility"], old.get("title", ""), old.get("text", ""))
        for fingerprint in stale:
            writer.delete_by_term("fingerprint", fingerprint)
        for doc in fresh:
            writer.add_document(**document_fields(doc))
            vocabulary.add(doc)
            if progress:
                progress(1)

    version, final = _write_version(root, apply_changes, vocabulary, base=root / live)
    return BuiltIndex(
        version=version, path=final, documents=total, added=len(fresh), removed=len(stale), unchanged=len(kept), full=False
    )


def index_stats(data_dir: str | Path, *, top: int = 20, internal: bool = False) -> dict:
    """The published version's name, documents and size on disk, and its most widespread words.

    Top terms come from the completion vocabulary (words as written, stopwords left out), of public
    documents only unless `internal`: statistics are a way out of the index like any other.
    """
    version = current_version(data_dir)
    ix = open_index(data_dir)
    path = index_root(data_dir) / version
    try:
        with ix.reader() as reader:
            documents = reader.doc_count()
    finally:
        ix.close()
    vocabulary = Vocabulary.load(path / VOCABULARY_FILE)
    counts: dict[str, int] = {}
    for visibility in ("public", "internal") if internal else ("public",):
        for word, n in vocabulary.counts[visibility].items():
            if word not in STOPWORDS:
                counts[word] = counts.get(word, 0) + n
    best = heapq.nsmallest(top, counts.items(), key=lambda item: (-item[1], item[0]))
    return {
        "version": version,
        "documents": documents,
        "bytes": sum(p.stat().st_size for p in path.iterdir() if p.is_file()),
        "top_terms": [{"term": word, "documents": n} for word, n in best],
    }


def _write_version(
    root: Path, fill: Callable, vocabulary: Vocabulary, *, base: Path | None = None, procs: int = 1
) -> tuple[str, Path]:
    """Write a new version beside the live one and publish it: a new index, or a copy of `base`, to which
    `fill(writer)` makes its changes, with the completion vocabulary as `fill` left it. Anything failing
    (or a kill) leaves the live version as it was and no half-written version behind."""
    version = _new_version_name()
    building = root / f"{version}{BUILDING_SUFFIX}"
    try:
        if base is None:
            building.mkdir()
            ix = whoosh_index.create_in(building, build_schema())
        else:
            _copy_version(base, building)
            ix = whoosh_index.open_dir(building)
        if procs > 1:
            writer = ix.writer(procs=procs, limitmb=WRITER_MEMORY_MB // procs, multisegment=True)
        else:
            writer = ix.writer(limitmb=WRITER_MEMORY_MB)
        try:
            fill(writer)
        except BaseException:
            writer.cancel()
            raise
        writer.commit()
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
    _publish(root, version)
    _remove_old_versions(root, version)
    return version, final


def _updatable(path: Path) -> bool:
    """True if a version was written in the current format, so documents can be added to it as they are."""
    try:
        return (path / FORMAT_FILE).read_text(encoding="utf-8").strip() == INDEX_FORMAT
    except OSError:
        return False


def _live_fingerprints(reader) -> set[str]:
    """Fingerprints of the documents a reader sees, leaving out deleted ones whose terms linger until a merge."""
    found = set()
    for term in reader.lexicon("fingerprint"):
        postings = reader.postings("fingerprint", term)
        if any(not reader.is_deleted(docnum) for docnum in postings.all_ids()):
            found.add(term.decode("utf-8"))
    return found


def _copy_version(source: Path, target: Path) -> None:
    """Copy an index version's files; hard links where possible, since Whoosh never rewrites a written file."""
    target.mkdir()
    for path in source.iterdir():
        if path.is_file() and not path.name.endswith("_LOCK"):
            try:
                os.link(path, target / path.name)
            except OSError:
                shutil.copy2(path, target / path.name)


def _new_version_name() -> str:
    return dt.datetime.now(dt.timezone.utc).strftime("v%Y%m%dT%H%M%S%fZ")


def _publish(root: Path, version: str) -> None:
    tmp = root / f"{CURRENT_FILE}.{os.getpid()}.tmp"
    tmp.write_text(version + "\n", encoding="utf-8")
    os.replace(tmp, root / CURRENT_FILE)


def _remove_old_versions(root: Path, live: str) -> None:
    versions = sorted(p for p in root.iterdir() if p.is_dir() and p.name.startswith("v") and not p.name.endswith(BUILDING_SUFFIX))
    for old in versions[:-KEEP_VERSIONS]:
        if old.name != live:
            shutil.rmtree(old, ignore_errors=True)
