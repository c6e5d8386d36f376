"""A folder of files (a drive): every file of a known type under it, identified by its file or web URL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, urlsplit

from corpus.formats import FORMATS
from corpus.formats.bounds import LIMITS, Limits
from corpus.importers import Batch, Found, Ignored, ImportFileError, Item, Scope, Skipped, check_visibility
from corpus.parse import ParseError, parse_document

# File types a folder import reads, by suffix, with the content type the parser is given.
FILE_TYPES = {
    ".html": "text/html",
    ".htm": "text/html",
    ".xhtml": "application/xhtml+xml",
    ".txt": "text/plain",
    **{suffix: fmt.content_type for fmt in FORMATS for suffix in fmt.suffixes},
}


def read_folder(
    root: str | Path, *, source: str, visibility: str, base_url: str | None = None, limits: Limits = LIMITS,
    access: tuple[str, ...] = (),
) -> Batch:
    """The documents of every file of a known type under `root`, in path order; hidden files and Office lock files are passed over.

    Documents are identified by their file URL, or by `base_url` plus their relative path when the drive is
    also served on the web. The batch covers that URL prefix in full, so files gone from the drive are removed.
    """
    root = Path(root).resolve()
    if not root.is_dir():
        raise ImportFileError(f"{root} is not a directory. Give the folder to import, or a .jsonl/.warc file.")
    access = check_visibility(visibility, access)
    prefix = url_prefix(root, base_url)
    return Batch(_files(root, prefix, source, visibility, access, limits), Scope(source, prefix))


def _files(root: Path, prefix: str, source: str, visibility: str, access: tuple[str, ...], limits: Limits) -> Iterator[Item]:
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if any(part.startswith((".", "~$")) for part in relative.parts) or not path.is_file():
            continue  # hidden files, editor lock files
        content_type = FILE_TYPES.get(path.suffix.lower())
        if content_type is None:
            yield Ignored()
            continue
        url = prefix + quote(relative.as_posix())
        item = _read_file(path, url, content_type, source, visibility, limits)
        if access and isinstance(item, Found):  # the folder's groups, on every document it holds
            item = Found(item.document.replace(access=access), item.links, item.anchors)
        yield item


def _read_file(path: Path, url: str, content_type: str, source: str, visibility: str, limits: Limits) -> Item:
    try:
        stat = path.stat()
        if stat.st_size > limits.max_bytes:
            return Skipped(f"{path}: file of {stat.st_size // 2**20} MB is over the {limits.max_bytes // 2**20} MB limit", url)
        page = parse_document(path.read_bytes(), url, content_type=content_type, source=source, visibility=visibility)
    except OSError as exc:
        return Skipped(f"{path}: cannot read ({exc.strerror})", url)
    except ParseError as exc:
        return Skipped(f"{path}: {str(exc).removeprefix(f'{url}: ')}", url)
    if page.document is None:
        return Ignored(url)
    document = page.document
    if document.updated is None:  # a drive's best date for a file without one in its text or metadata
        document = document.replace(updated=dt.date.fromtimestamp(stat.st_mtime))
    return Found(document, anchors=page.anchors)


def url_prefix(root: Path, base_url: str | None) -> str:
    """The URL every document id under `root` starts with."""
    if base_url is None:
        return root.as_uri() + "/"
    if urlsplit(base_url).scheme not in ("http", "https", "file"):
        raise ImportFileError(f"--base-url {base_url!r} must be an http(s) or file URL, such as https://intra.example.fi/asiakirjat/")
    return base_url.rstrip("/") + "/"
