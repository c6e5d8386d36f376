"""Index versions of the Whoosh backend: each build writes a new folder, then a CURRENT pointer is swapped.

A version is never changed once published, so searchers keep reading the version they opened while a
newer one is built; a build that fails or is killed leaves no half-written version behind.
"""

from __future__ import annotations

import datetime as dt
import os
import pickle
import shutil
import struct
import zlib
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.index import IndexError as WhooshIndexError

from backends.whoosh import mapped  # noqa: F401  (segment files read in place from one map per process, not copied per reader)
from corpus.document import VISIBILITIES
from search.api import IndexUnavailableError

INDEX_DIRNAME = "index"
CURRENT_FILE = "CURRENT"
BUILDING_SUFFIX = ".building"
KEEP_VERSIONS = 2  # the live version and the one before it, which open searchers may still read
# Written into every version. Bump it whenever the schema or the analysis of indexed text changes:
# an index of another format is rebuilt from scratch rather than updated, so queries and index agree.
INDEX_FORMAT = "sotehaku-index-14"  # 9: access keys; 10: OCR weights; 11: no invented plurals, Swedish base forms and parts; 12: anchor text; 13: inlined postings (backends.whoosh.codec), neutral formats; 14: posting blocks with arrays apart from values
# Each version holds one Whoosh index per visibility, so that an anonymous search reads (and takes its
# BM25 statistics from) public documents only: its scores cannot reveal what internal documents say.
# Staff search both through one reader, public documents first, so a public document has the same
# number in either view.
PARTS = VISIBILITIES
FORMAT_FILE = "FORMAT"


# What reading a damaged index version raises (Whoosh's files are pickles, structs and zlib streams):
# such a version cannot be searched and is rebuilt from the corpus store, not patched.
UNREADABLE = (
    WhooshIndexError, OSError, EOFError, ValueError, KeyError, IndexError, TypeError,
    struct.error, zlib.error, pickle.UnpicklingError,
)


class NoIndexError(IndexUnavailableError):
    """There is no published index in the data directory, or it was written in another format."""


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


def open_index(data_dir: str | Path) -> dict:
    """Open the published version of a data directory (its Whoosh index per visibility), or explain how
    to build one: an index of another format (written by another version of sotehaku) or one that cannot
    be read is no index."""
    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        raise NoIndexError(f"The data directory {data_dir} does not exist. Check --data-dir, or crawl or import into it first.")
    version = current_version(data_dir)
    path = index_root(data_dir) / version if version else None
    if path is None or not path.is_dir():
        raise NoIndexError(f"No index in {index_root(data_dir)}. Run 'sotehaku index' first.")
    if not is_current_format(path):
        raise NoIndexError(
            f"The index in {path} was written by another version of sotehaku. Run 'sotehaku index' to rebuild it."
        )
    try:
        return {part: whoosh_index.open_dir(path / part) for part in PARTS}
    except UNREADABLE as exc:
        raise NoIndexError(f"The index in {path} cannot be read ({exc}). Run 'sotehaku index --full' to rebuild it.") from None


def is_current_format(path: Path) -> bool:
    """True if a version was written in the current format, so documents can be added to it as they are."""
    try:
        return (path / FORMAT_FILE).read_text(encoding="utf-8").strip() == INDEX_FORMAT
    except OSError:
        return False


def copy_version(source: Path, target: Path) -> None:
    """Copy an index version's files; hard links where possible, since Whoosh never rewrites a written file."""
    target.mkdir()
    for path in source.iterdir():
        if path.is_dir():
            copy_version(path, target / path.name)
        elif path.is_file() and not path.name.endswith("_LOCK"):
            try:
                os.link(path, target / path.name)
            except OSError:
                shutil.copy2(path, target / path.name)


def new_version_name() -> str:
    """A version name that sorts by creation time."""
    return dt.datetime.now(dt.timezone.utc).strftime("v%Y%m%dT%H%M%S%fZ")


def publish_version(root: Path, version: str) -> None:
    """Make a written version the live one, atomically."""
    tmp = root / f"{CURRENT_FILE}.{os.getpid()}.tmp"
    tmp.write_text(version + "\n", encoding="utf-8")
    os.replace(tmp, root / CURRENT_FILE)


def remove_old_versions(root: Path, live: str) -> None:
    """Remove versions older than the KEEP_VERSIONS newest (never the live one)."""
    versions = sorted(p for p in root.iterdir() if p.is_dir() and p.name.startswith("v") and not p.name.endswith(BUILDING_SUFFIX))
    for old in versions[:-KEEP_VERSIONS]:
        if old.name != live:
            shutil.rmtree(old, ignore_errors=True)
