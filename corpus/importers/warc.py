"""WARC (and ARC) web archives, gzipped or not: their successful responses of document types."""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from pathlib import Path

from corpus.formats.bounds import LIMITS, Limits
from corpus.importers import Batch, Found, Ignored, ImportFileError, Item, Skipped, check_visibility
from corpus.parse import ParseError, document_kind, parse_document
from corpus.urls import normalize_url

WARC_SUFFIXES = (".warc", ".warc.gz", ".arc", ".arc.gz")


def read_warc(
    path: str | Path, *, source: str, visibility: str, limits: Limits = LIMITS, access: tuple[str, ...] = (),
) -> Batch:
    """The documents of a WARC file's 200 responses; records are identified by their target URL, normalised as the crawler does.

    An archive is a snapshot, not the whole site, so the batch covers no scope: nothing is removed. Of several
    captures of one URL, the last in the file is kept.
    """
    access = check_visibility(visibility, access)
    path = Path(path)
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise ImportFileError(f"Cannot read {path}: {exc.strerror}. Check the path and permissions.") from None
    return Batch(_records(handle, path, source, visibility, access, limits))


def _records(handle, path: Path, source: str, visibility: str, access: tuple[str, ...], limits: Limits) -> Iterator[Item]:
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    read = 0
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
                    yield Ignored()
                    continue
                content = record.content_stream().read(limits.max_bytes + 1)
                if len(content) > limits.max_bytes:
                    yield Skipped(f"{path}: {uri}: record over the {limits.max_bytes // 2**20} MB limit", url)
                    continue
                try:
                    page = parse_document(content, url, content_type=content_type, source=source, visibility=visibility)
                except ParseError as exc:
                    yield Skipped(f"{path}: {uri}: {str(exc).removeprefix(f'{url}: ')}", url)
                    continue
                if page.document is None:
                    yield Ignored(url)
                    continue
                read += 1
                yield Found(page.document.replace(access=access) if access else page.document, page.links, page.anchors)
        except ArchiveLoadFailed as exc:
            yield Skipped(f"{path}: not a readable WARC/ARC file after {read} documents ({exc.msg})")
        except (OSError, EOFError, zlib.error) as exc:
            yield Skipped(f"{path}: the archive is truncated or corrupt after {read} documents ({exc})")
