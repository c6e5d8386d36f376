"""The one place the application picks its search backend: opening the engine and publishing the index.

Everything else in app (CLI, pipeline, web) goes through these functions, so swapping the backend
touches this module only. The embedded Whoosh index in the data directory is the default; a SolrCloud
cluster is used instead when one is named, first found of: the `--solr URL[,URL...]` option
(`use_solr`), the SOTEHAKU_SOLR environment variable, a `[solr]` table in ./sotehaku.toml:

    [solr]
    urls = ["http://solr1:8983/solr", "http://solr2:8983/solr"]
    collection = "sotehaku"   # optional; the index's collections are sotehaku_public and sotehaku_all

A URL may also end in the collection's name (http://solr1:8983/solr/sotehaku).
"""

from __future__ import annotations

import os
import threading
import tomllib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from backends.whoosh.backend import WhooshBackend
from backends.whoosh.writer import default_procs
from corpus.document import Document
from search.access import EVERYTHING, PUBLIC
from search.api import Backend, Published
from search.engine import SearchEngine

from app.errors import AppError

SOLR_ENV = "SOTEHAKU_SOLR"
SOLR_COLLECTION_ENV = "SOTEHAKU_SOLR_COLLECTION"
CONFIG_FILE = Path("sotehaku.toml")
BESTBETS_FILE = CONFIG_FILE.parent / "bestbets.toml"  # beside the configuration (search.bestbets)
DEFAULT_SOLR_COLLECTION = "sotehaku"


class BackendConfigError(AppError):
    """The SolrCloud settings (--solr, SOTEHAKU_SOLR, [solr] in sotehaku.toml) are unusable."""


@dataclass(frozen=True)
class SolrSettings:
    """Which SolrCloud cluster and index to use: node base URLs (ending in /solr) and the index name."""

    urls: tuple[str, ...]
    collection: str = DEFAULT_SOLR_COLLECTION


_chosen: SolrSettings | None = None
_solr_backends: dict[SolrSettings, Backend] = {}
_lock = threading.Lock()


def parse_solr(value, collection: str | None = None, where: str = "--solr") -> SolrSettings:
    """Settings from comma-separated node or collection URLs.

    >>> parse_solr("http://a:8983/solr/haku,http://b:8983/solr/haku/")
    SolrSettings(urls=('http://a:8983/solr', 'http://b:8983/solr'), collection='haku')
    >>> parse_solr("http://a:8983/solr").collection
    'sotehaku'
    """
    items = value.split(",") if isinstance(value, str) else list(value or ())
    urls, names = [], set()
    for item in (str(i).strip().rstrip("/") for i in items):
        if not item:
            continue
        parts = urlsplit(item)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise BackendConfigError(
                f"{where}: {item!r} is not a Solr URL. Give node URLs such as http://127.0.0.1:8983/solr "
                "(or a collection's, http://127.0.0.1:8983/solr/sotehaku), separated by commas."
            )
        segments = parts.path.strip("/").split("/") if parts.path.strip("/") else []
        if len(segments) >= 2 and segments[-2] == "solr":
            names.add(segments[-1])
            segments = segments[:-1]
        urls.append(urlunsplit((parts.scheme, parts.netloc, "/" + "/".join(segments) if segments else "", "", "")))
    if not urls:
        raise BackendConfigError(f"{where} names no Solr URL. Give node URLs such as http://127.0.0.1:8983/solr.")
    if len(names) > 1:
        raise BackendConfigError(f"{where} names different collections ({', '.join(sorted(names))}); name one.")
    name = collection or (names.pop() if names else DEFAULT_SOLR_COLLECTION)
    return SolrSettings(tuple(urls), name)


def use_solr(value: str | None, collection: str | None = None) -> None:
    """Use this SolrCloud cluster in this process (the CLI's --solr); None: decide from the environment."""
    global _chosen
    _chosen = parse_solr(value, collection) if value else None


def solr_settings(config: Path = CONFIG_FILE) -> SolrSettings | None:
    """The SolrCloud cluster to use, or None for the embedded index (see the module's docstring)."""
    if _chosen is not None:
        return _chosen
    collection = os.environ.get(SOLR_COLLECTION_ENV) or None
    if os.environ.get(SOLR_ENV, "").strip():
        return parse_solr(os.environ[SOLR_ENV], collection, where=SOLR_ENV)
    try:
        data = tomllib.loads(config.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise BackendConfigError(f"Cannot read {config} for its [solr] settings: {exc}. Fix it and run again.") from None
    table = data.get("solr")
    if table is None:
        return None
    if not isinstance(table, dict) or not table.get("urls"):
        raise BackendConfigError(f"{config}: the [solr] table needs urls = [\"http://host:8983/solr\", ...].")
    unknown = sorted(set(table) - {"urls", "collection"})
    if unknown:
        raise BackendConfigError(f"{config}: unknown [solr] setting {', '.join(unknown)}; the settings are urls and collection.")
    return parse_solr(table["urls"], collection or table.get("collection"), where=f"{config} [solr] urls")


def open_backend(data_dir: str | Path) -> Backend:
    """The backend in use: the SolrCloud index when one is named, else the Whoosh index in `data_dir/index/`."""
    settings = solr_settings()
    if settings is None:
        return WhooshBackend(data_dir)
    with _lock:
        backend = _solr_backends.get(settings)
        if backend is None:
            from backends.solr.backend import SolrBackend

            backend = _solr_backends[settings] = SolrBackend(list(settings.urls), settings.collection)
        return backend


def open_engine(data_dir: str | Path, backend: Backend | None = None, bestbets: str | Path | None = None) -> SearchEngine:
    """The search engine over a data directory's backend (opened lazily, on the first search), with the
    data directory's lexicon and the best bets file (default ./bestbets.toml, beside ./sotehaku.toml)."""
    return SearchEngine(backend or open_backend(data_dir), lexicon_dir=data_dir, bestbets=bestbets or BESTBETS_FILE)


def publish_index(
    documents: Callable[[], Iterable[Document]],
    data_dir: str | Path,
    *,
    total: int,
    procs: int | None = None,
    full: bool = False,
    progress: Callable[[int], None] | None = None,
    partition: tuple[int, int] | None = None,
) -> Published:
    """Bring the published index in step with the documents (only what changed unless `full`), and publish it.
    With `partition` (K, N), only partition K's share of the documents (SolrCloud only: see SolrBackend.publish)."""
    backend = open_backend(data_dir)
    procs = procs or default_procs(total)
    if partition is None:
        return backend.publish(documents, progress=progress, procs=procs, full=full)
    if not hasattr(backend, "missing_partitions"):
        raise BackendConfigError(
            "--partition splits indexing across machines that all send to one SolrCloud cluster; the embedded "
            "index is built on one machine. Name the cluster with --solr URL[,URL...] (or SOTEHAKU_SOLR), or "
            "leave --partition out."
        )
    return backend.publish(documents, progress=progress, procs=procs, full=full, partition=partition)


def missing_partitions(data_dir: str | Path, n: int) -> list[int]:
    """The partitions K of N whose share is not yet in the SolrCloud index (see publish_index)."""
    return open_backend(data_dir).missing_partitions(n)


def describe_index(data_dir: str | Path, *, top: int = 20, internal: bool = False) -> dict:
    """The published index's version, documents of the viewer's visibilities, size and top terms."""
    return open_backend(data_dir).stats(EVERYTHING if internal else PUBLIC, top=top)
