"""Importers: each reads one kind of input (JSONL, a folder, a WARC archive) and yields what it found.

An importer parses and never stores: it yields one item per document, per file or record it skipped (with
the reason) and per file or record it ignored. `corpus.ingest.ingest` stores, counts, reports, and removes
what vanished from the part of the corpus the importer covers in full.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from corpus import CorpusError
from corpus.document import VISIBILITIES, Document, check_groups


class ImportFileError(CorpusError):
    """An import file that cannot be read at all."""


@dataclass(frozen=True)
class Found:
    """A document an importer read, with the links it makes (for the store, as a crawl keeps them)."""

    document: Document
    links: tuple[str, ...] = ()
    anchors: tuple[tuple[str, str], ...] = ()  # (target URL, text) of its links (corpus.anchors)


@dataclass(frozen=True)
class Skipped:
    """Input that could not be read, and why ("FILE: reason"); its document id when known, so that a version
    stored earlier is kept rather than removed as vanished."""

    reason: str
    id: str = ""


@dataclass(frozen=True)
class Ignored:
    """Input that is not a document (an image, a 404 record, a page that asks not to be indexed)."""

    id: str = ""


Item = Found | Skipped | Ignored


@dataclass(frozen=True)
class Scope:
    """The part of the corpus an import covers in full: stored documents of `source` whose id starts with `prefix`."""

    source: str
    prefix: str


@dataclass(frozen=True)
class Batch:
    """What an importer reads: its items, produced as they are read, and the scope it covers in full (if any)."""

    items: Iterator[Item]
    scope: Scope | None = None


def check_visibility(visibility: str, access: tuple[str, ...] = ()) -> tuple[str, ...]:
    """Refuse a visibility the corpus does not know, naming the ones it does, and groups (`access`) for
    anything but internal documents; return the groups checked and sorted."""
    if visibility not in VISIBILITIES:
        raise ImportFileError(f"visibility must be one of {', '.join(VISIBILITIES)}, not {visibility!r}")
    if access and visibility != "internal":
        raise ImportFileError("groups (--access) limit internal documents only: pass --visibility internal with them")
    try:
        return check_groups(access, "access")
    except ValueError as exc:
        raise ImportFileError(str(exc)) from None
