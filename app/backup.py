"""Backups of a data directory: consistent snapshots of its SQLite stores and the live index version.

`backup_data_dir` copies the corpus store, the staff accounts and the query log with SQLite's online
backup API (each copy is one consistent state of its file, WAL included, taken while `sotehaku serve`,
a crawl or an index run keeps writing), the lexicon if the data directory has its own, and the published
index version of the embedded (Whoosh) backend, which never changes once published. A SolrCloud index
is not copied: the manifest records its version, and it is restored by re-indexing the corpus (or with
Solr's own collection backups). `restore_data_dir` puts a backup back, refusing to overwrite unless told.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sqlite3
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version as package_version
from pathlib import Path

from backends.whoosh.versions import BUILDING_SUFFIX, CURRENT_FILE, current_version, index_root, publish_version
from corpus.migrate import schema_version
from corpus.store import STORE_FILENAME
from search.lexicon import LEXICON_FILENAME

from app.accounts import ACCOUNTS_FILENAME
from app.backend import open_backend, solr_settings
from app.errors import AppError
from app.querylog import QUERYLOG_FILENAME

MANIFEST = "sotehaku-backup.json"
DATABASES = (STORE_FILENAME, ACCOUNTS_FILENAME, QUERYLOG_FILENAME)
BACKUP_FORMAT = 1
# SQLite pages copied per step of the online backup: small steps let writers in between.
PAGES_PER_STEP = 1024


class BackupError(AppError):
    """A backup or restore that cannot be done as asked; the message names the folder and the fix."""


@dataclass(frozen=True)
class Manifest:
    """What a backup holds: its SQLite files (with their schema versions) and the index version."""

    created: str
    databases: dict[str, int]
    backend: str
    index_version: str | None
    lexicon: bool

    def to_json(self) -> dict:
        """The manifest as written to sotehaku-backup.json."""
        return {
            "format": BACKUP_FORMAT, "created": self.created, "sotehaku": _sotehaku_version(), "databases": self.databases,
            "index": {"backend": self.backend, "version": self.index_version}, "lexicon": self.lexicon,
        }


def backup_data_dir(data_dir: str | Path, target: str | Path) -> Manifest:
    """Copy a data directory's stores and live index version into `target`, a new or empty folder."""
    data_dir, target = Path(data_dir), Path(target)
    if not data_dir.is_dir():
        raise BackupError(f"The data directory {data_dir} does not exist. Check --data-dir.")
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise BackupError(f"{target} already exists and is not an empty folder. Give a new folder for each backup.")
    target.mkdir(parents=True, exist_ok=True)
    databases = {}
    for name in DATABASES:
        if (data_dir / name).is_file():
            databases[name] = _copy_database(data_dir / name, target / name, self_contained=True)
    lexicon = (data_dir / LEXICON_FILENAME).is_file()
    if lexicon:
        shutil.copy2(data_dir / LEXICON_FILENAME, target / LEXICON_FILENAME)
    if solr_settings() is not None:
        backend = "solr"
        try:
            index_version = open_backend(data_dir).snapshot().version
        except AppError:
            index_version = None
    else:
        backend, index_version = "whoosh", _copy_index(data_dir, target)
    manifest = Manifest(dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"), databases, backend, index_version, lexicon)
    # Written last: a backup without its manifest is an unfinished one, and restore refuses it.
    (target / MANIFEST).write_text(json.dumps(manifest.to_json(), indent=2) + "\n", encoding="utf-8")
    return manifest


def read_manifest(source: str | Path) -> dict:
    """The manifest of a backup folder; BackupError if the folder is not a finished sotehaku backup."""
    path = Path(source) / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BackupError(
            f"{source} is not a sotehaku backup (it has no {MANIFEST}; a backup that was interrupted has none either). "
            "Give a folder written by 'sotehaku backup'."
        ) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BackupError(f"Cannot read {path}: {exc}. Give a folder written by 'sotehaku backup'.") from None
    if not isinstance(manifest, dict) or manifest.get("format") != BACKUP_FORMAT:
        raise BackupError(f"{path} is of a backup format this sotehaku does not know; restore it with the sotehaku that wrote it.")
    return manifest


def restore_data_dir(source: str | Path, data_dir: str | Path, *, force: bool = False) -> dict:
    """Put a backup back into a data directory (created if missing); return its manifest.

    A data directory that already holds a store or an index is overwritten only with `force`. The SQLite
    files are written through the backup API too, so a server holding them open sees the restored state;
    the index version is copied in and published like a new one.
    """
    source, data_dir = Path(source), Path(data_dir)
    manifest = read_manifest(source)
    present = [name for name in DATABASES if (data_dir / name).exists()] + (["index"] if current_version(data_dir) else [])
    if present and not force:
        raise BackupError(
            f"The data directory {data_dir} already holds {', '.join(present)}. Restoring replaces them: pass --force "
            "to do so (take a backup of it first if you may need it), or restore into a new --data-dir."
        )
    for name in manifest.get("databases", {}):
        if not (source / name).is_file():
            raise BackupError(f"The backup {source} lacks {name}, which its manifest lists. Use another backup.")
    data_dir.mkdir(parents=True, exist_ok=True)
    for name in manifest.get("databases", {}):
        _copy_database(source / name, data_dir / name)
    if manifest.get("lexicon"):
        shutil.copy2(source / LEXICON_FILENAME, data_dir / LEXICON_FILENAME)
    index = manifest.get("index") or {}
    version = index.get("version")
    if index.get("backend") == "whoosh" and version:
        root = index_root(data_dir)
        root.mkdir(parents=True, exist_ok=True)
        if not (root / version).is_dir():
            staging = root / f"{version}.restoring{BUILDING_SUFFIX}"  # removed by the next build if this dies
            shutil.rmtree(staging, ignore_errors=True)
            shutil.copytree(index_root(source) / version, staging)
            staging.rename(root / version)
        publish_version(root, version)
    return manifest


def _copy_database(source: Path, target: Path, *, self_contained: bool = False) -> int:
    """Copy one SQLite file with the online backup API (a consistent state even while others write); return
    its schema version. `self_contained`: leave the copy in rollback-journal mode, one file with no WAL beside it."""
    try:
        src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        try:
            dst = sqlite3.connect(target)
            try:
                src.backup(dst, pages=PAGES_PER_STEP)
                if self_contained:
                    dst.execute("PRAGMA journal_mode=DELETE")
                return schema_version(dst)
            finally:
                dst.close()
        finally:
            src.close()
    except sqlite3.Error as exc:
        raise BackupError(f"Cannot copy {source} to {target}: {exc}. Check that both folders are readable and writable.") from None


def _copy_index(data_dir: Path, target: Path) -> str | None:
    """Copy the live Whoosh index version (retried if a newer one is published and the old one removed meanwhile)."""
    for _ in range(3):
        version = current_version(data_dir)
        if version is None:
            return None
        destination = index_root(target) / version
        try:
            shutil.copytree(index_root(data_dir) / version, destination, ignore=shutil.ignore_patterns("*_LOCK"))
        except (FileNotFoundError, shutil.Error):
            shutil.rmtree(destination, ignore_errors=True)
            continue
        (index_root(target) / CURRENT_FILE).write_text(version + "\n", encoding="utf-8")
        return version
    raise BackupError(f"The index in {index_root(data_dir)} changed three times during the backup. Run 'sotehaku backup' again.")


def _sotehaku_version() -> str:
    try:
        return package_version("sotehaku")
    except PackageNotFoundError:
        return "unknown"
