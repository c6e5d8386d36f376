"""Importing documents (JSONL, a directory tree of files, WARC archives) and exporting them as JSONL."""

from __future__ import annotations

import datetime as dt
import json
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO
from urllib.parse import quote, urlsplit

from corpus import CorpusError
from corpus.document import VISIBILITIES, Document
from corpus.office import DOCX_TYPE
from corpus.parse import ParseError, document_kind, parse_document
from corpus.store import CorpusStore
from corpus.urls import normalize_url


class ImportFileError(CorpusError):
    """An import file that cannot be read at all."""


@dataclass
class ImportStats:
    """What an import did: documents stored, removed and ignored, and the lines or files rejected, with reasons."""

    imported: int = 0
    changed: int = 0
    removed: int = 0
    ignored: int = 0
    errors: list[str] = field(default_factory=list)


def read_jsonl(path: str | Path, *, source: str | None = None, visibility: str | None = None) -> Iterator[Document | str]:
    """Yield a Document per good line and an error message ('FILE:LINE: why') per bad one."""
    if visibility is not None:
        _check_visibility(visibility)
    path = Path(path)
    try:
        handle = path.open(encoding="utf-8")
    except OSError as exc:
        raise ImportFileError(f"Cannot read {path}: {exc.strerror}. Check the path and permissions.") from None
    with handle:
        try:
            for number, line in enumerate(handle, 1):
                if not line.strip():
                    continue
                try:
                    obj = json.loads(line)
                    if isinstance(obj, dict):
                        if source is not None:
                            obj["source"] = source
                        if visibility is not None:
                            obj["visibility"] = visibility
                        obj.setdefault("source", path.stem)
                    yield Document.from_json(obj)
                except json.JSONDecodeError as exc:
                    yield f"{path}:{number}: not valid JSON ({exc.msg} at column {exc.colno})"
                except ValueError as exc:
                    yield f"{path}:{number}: {exc}"
        except UnicodeDecodeError:
            raise ImportFileError(f"{path} is not UTF-8 text. Convert it to UTF-8 JSONL and import again.") from None


def import_jsonl(
    path: str | Path, store: CorpusStore, *, source: str | None = None, visibility: str | None = None
) -> ImportStats:
    """Store every valid document of a JSONL file; bad lines are reported in the stats, not fatal."""
    stats = ImportStats()
    docs = []
    for item in read_jsonl(path, source=source, visibility=visibility):
        if isinstance(item, str):
            stats.errors.append(item)
        else:
            docs.append(item)
    stats.changed = store.put_many(docs)
    stats.imported = len(docs)
    return stats


def export_jsonl(store: CorpusStore, out: TextIO) -> int:
    """Write every stored document as one JSON line; return how many."""
    count = 0
    for doc in store.iter_documents():
        out.write(json.dumps(doc.to_json(), ensure_ascii=False) + "\n")
        count += 1
    return count


# File types a directory import reads, by suffix, with the content type the parser is given.
FILE_TYPES = {
    ".html": "text/html",
    ".htm": "text/html",
    ".xhtml": "application/xhtml+xml",
    ".pdf": "application/pdf",
    ".docx": DOCX_TYPE,
    ".txt": "text/plain",
}
WARC_SUFFIXES = (".warc", ".warc.gz", ".arc", ".arc.gz")


def import_directory(
    root: str | Path,
    store: CorpusStore,
    *,
    source: str,
    visibility: str,
    base_url: str | None = None,
    progress: Callable[[ImportStats], None] | None = None,
) -> ImportStats:
    """Import every HTML, PDF, DOCX and TXT file under a directory (a drive), in one pass.

    Documents are identified by their file URL, or by `base_url` plus their relative path when the drive
    is also served on the web. Files that vanished since the last import of this directory are removed,
    so re-importing keeps the corpus in step with the drive. Unreadable files are reported and skipped.
    """
    root = Path(root).resolve()
    if not root.is_dir():
        raise ImportFileError(f"{root} is not a directory. Give the folder to import, or a .jsonl/.warc file.")
    _check_visibility(visibility)
    prefix = _url_prefix(root, base_url)
    stats = ImportStats()
    present: set[str] = set()
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if any(part.startswith((".", "~$")) for part in relative.parts) or not path.is_file():
            continue  # hidden files, editor lock files
        content_type = FILE_TYPES.get(path.suffix.lower())
        if content_type is None:
            stats.ignored += 1
            continue
        url = prefix + quote(relative.as_posix())
        present.add(url)
        try:
            content = path.read_bytes()
            page = parse_document(content, url, content_type=content_type, source=source, visibility=visibility)
        except OSError as exc:
            stats.errors.append(f"{path}: cannot read ({exc.strerror})")
            continue
        except ParseError as exc:
            stats.errors.append(f"{path}: {_reason(exc, url)}")
            continue
        if page.document is None:
            stats.ignored += 1
            continue
        document = page.document
        if document.updated is None:  # a drive's best date for a file without one in its text
            document = document.replace(updated=dt.date.fromtimestamp(path.stat().st_mtime))
        stats.imported += 1
        stats.changed += store.put(document)
        if progress:
            progress(stats)
    for doc_id in store.ids(source):
        if doc_id.startswith(prefix) and doc_id not in present:
            stats.removed += store.delete(doc_id)
    return stats


def import_warc(
    path: str | Path,
    store: CorpusStore,
    *,
    source: str,
    visibility: str,
    progress: Callable[[ImportStats], None] | None = None,
) -> ImportStats:
    """Import the HTML, PDF, DOCX and text responses of a WARC (or ARC) file, gzipped or not.

    Records are identified by their target URL, normalised as the crawler does, so an archive and a
    crawl of the same site agree; of several captures of one URL the last in the file is kept.
    """
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    _check_visibility(visibility)
    path = Path(path)
    stats = ImportStats()
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise ImportFileError(f"Cannot read {path}: {exc.strerror}. Check the path and permissions.") from None
    with handle:
        try:
            for record in ArchiveIterator(handle, arc2warc=True):
                if record.rec_type != "response" or record.http_headers is None:
                    continue
                uri = record.rec_headers.get_header("WARC-Target-URI") or ""
                url = normalize_url(uri)
                status = record.http_headers.get_statuscode()
                content_type = record.http_headers.get_header("Content-Type") or ""
                if url is None or status != "200" or document_kind(content_type, url) is None:
                    stats.ignored += 1
                    continue
                try:
                    page = parse_document(
                        record.content_stream().read(), url, content_type=content_type, source=source, visibility=visibility
                    )
                except ParseError as exc:
                    stats.errors.append(f"{path}: {uri}: {_reason(exc, url)}")
                    continue
                if page.document is None:
                    stats.ignored += 1
                    continue
                stats.imported += 1
                stats.changed += store.put(page.document, links=page.links)
                if progress:
                    progress(stats)
        except ArchiveLoadFailed as exc:
            stats.errors.append(f"{path}: not a readable WARC/ARC file after {stats.imported} documents ({exc.msg})")
        except (OSError, EOFError, zlib.error) as exc:
            stats.errors.append(f"{path}: the archive is truncated or corrupt after {stats.imported} documents ({exc})")
    return stats


def import_path(
    path: str | Path,
    store: CorpusStore,
    *,
    source: str | None = None,
    visibility: str | None = None,
    base_url: str | None = None,
    progress: Callable[[ImportStats], None] | None = None,
) -> ImportStats:
    """Import a JSONL file, a WARC file or a directory, chosen by what the path is."""
    path = Path(path)
    name = path.name.lower()
    if path.is_dir() or name.endswith(WARC_SUFFIXES):
        if visibility is None:
            raise ImportFileError(
                f"Importing {path} needs a visibility: pass --visibility public or --visibility internal "
                "(or --source naming a source of the configuration that has one)."
            )
        source = source or path.name.split(".")[0] or "import"
        if path.is_dir():
            return import_directory(path, store, source=source, visibility=visibility, base_url=base_url, progress=progress)
        return import_warc(path, store, source=source, visibility=visibility, progress=progress)
    if not path.exists():
        raise ImportFileError(f"{path} does not exist. Give a .jsonl file, a .warc(.gz) file or a directory.")
    return import_jsonl(path, store, source=source, visibility=visibility)


def _check_visibility(visibility: str) -> None:
    if visibility not in VISIBILITIES:
        raise ImportFileError(f"visibility must be one of {', '.join(VISIBILITIES)}, not {visibility!r}")


def _url_prefix(root: Path, base_url: str | None) -> str:
    if base_url is None:
        return root.as_uri() + "/"
    if urlsplit(base_url).scheme not in ("http", "https", "file"):
        raise ImportFileError(f"--base-url {base_url!r} must be an http(s) or file URL, such as https://intra.example.fi/asiakirjat/")
    return base_url.rstrip("/") + "/"


def _reason(exc: ParseError, url: str) -> str:
    """A parse error's message without the URL it starts with (the caller names the file)."""
    return str(exc).removeprefix(f"{url}: ")
