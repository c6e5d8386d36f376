"""The `sotehaku` command line: parses arguments, wires the stages together, explains errors."""

from __future__ import annotations

import html
import json
import logging
import os
import re
import socket
import sys
import time
from pathlib import Path

import click

from corpus import CorpusError
from corpus.crawl import CrawlStats, crawl_source
from corpus.dedup import mark_near_duplicates
from corpus.ingest import export_jsonl, import_path
from corpus.sample import demo_sources, serve_sample_site
from corpus.sources import Source, load_sources
from corpus.store import open_data_store
from indexer import IndexingError
from indexer.analysis import explain
from indexer.build import build_index, default_procs, update_index
from search import SearchError
from search.admin_cli import report, users
from search.engine import ANONYMOUS, SearchEngine, Viewer

DEFAULT_DATA_DIR = "sotehaku-data"
DEFAULT_CONFIG = "sotehaku.toml"


class SotehakuGroup(click.Group):
    """A click group that turns the library's own errors into messages without tracebacks."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except (CorpusError, IndexingError, SearchError) as exc:
            raise click.ClickException(str(exc)) from None


@click.group(cls=SotehakuGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--data-dir",
    envvar="SOTEHAKU_DATA_DIR",
    default=DEFAULT_DATA_DIR,
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder of the corpus store and the index (also SOTEHAKU_DATA_DIR).",
)
@click.option("-v", "--verbose", is_flag=True, help="Log every skipped URL and other details to stderr.")
@click.version_option(package_name="sotehaku")
@click.pass_context
def main(ctx: click.Context, data_dir: Path, verbose: bool) -> None:
    """sotehaku: search for Finnish social and health care reform documents."""
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="%(message)s", stream=sys.stderr)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request drowns the skip reasons
    ctx.obj = data_dir


def _progress_printer(label: str):
    """A callback that redraws one progress line on a terminal, or prints a line every few seconds elsewhere."""
    tty = sys.stderr.isatty()
    last = [0.0]

    def show(stats: CrawlStats) -> None:
        now = time.monotonic()
        if not tty and now - last[0] < 5:
            return
        last[0] = now
        line = (
            f"{label}: fetched {stats.fetched}, queued {stats.queued}, "
            f"skipped {sum(stats.skipped.values())}, {stats.rate:.1f} pages/s"
        )
        click.echo(f"\r{line}\x1b[K" if tty else line, err=True, nl=not tty)

    return show


@main.command()
@click.argument("urls", nargs=-1)
@click.option("--config", "config", type=click.Path(dir_okay=False, path_type=Path), help=f"Sources file (default ./{DEFAULT_CONFIG} when no URL is given).")
@click.option("--source", "source_names", multiple=True, help="Crawl only this source of the config (repeatable).")
@click.pass_obj
def crawl(data_dir: Path, urls: tuple[str, ...], config: Path | None, source_names: tuple[str, ...]) -> None:
    """Fetch the sources' pages over HTTP into the corpus store.

    A bare URL means that host only, public. Without URLs the sources come from the config file.
    """
    sources = [Source.for_url(url) for url in urls]
    if config or not urls:
        config = config or Path(DEFAULT_CONFIG)
        configured = load_sources(config)
        if source_names:
            unknown = sorted(set(source_names) - {s.name for s in configured})
            if unknown:
                raise click.ClickException(
                    f"No source named {', '.join(unknown)} in {config}; it has {', '.join(s.name for s in configured)}."
                )
            configured = [s for s in configured if s.name in source_names]
        sources.extend(configured)
    with open_data_store(data_dir) as store:
        for source in sources:
            stats = crawl_source(source, store, progress=_progress_printer(source.name))
            if sys.stderr.isatty():
                click.echo(err=True)
            click.echo(stats.summary())
        duplicates = mark_near_duplicates(store)
        click.echo(f"The corpus has {store.count()} documents ({duplicates} near-duplicates). Run 'sotehaku index' to make them searchable.")


@main.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--source", help="Source name for the imported documents (default: the file or folder name). "
              "When the configuration has a source of this name, its visibility is used.")
@click.option("--visibility", type=click.Choice(["public", "internal"]), help="Visibility of every imported document "
              "(required for folders and WARC files unless --source names a configured source).")
@click.option("--base-url", help="For a folder: the web address it is served under, for links in results "
              "(default: file:// URLs).")
@click.option("--config", "config", type=click.Path(dir_okay=False, path_type=Path), help=f"Sources file (default ./{DEFAULT_CONFIG}, if present).")
@click.pass_obj
def import_(data_dir: Path, paths: tuple[Path, ...], source: str | None, visibility: str | None,
            base_url: str | None, config: Path | None) -> None:
    """Import JSONL files, folders of HTML/PDF/DOCX/TXT files (a drive) and WARC web archives.

    Bad lines and files are reported and skipped; the rest are imported. Re-importing a folder
    removes the documents of files that are no longer there.
    """
    if source and visibility is None:
        visibility = _configured_visibility(source, config)
    failed = 0
    with open_data_store(data_dir) as store:
        for path in paths:
            try:
                stats = import_path(path, store, source=source, visibility=visibility, base_url=base_url)
            except CorpusError as exc:
                click.echo(f"skipped {exc}", err=True)
                failed += 1
                continue
            for error in stats.errors:
                click.echo(f"skipped {error}", err=True)
            failed += len(stats.errors)
            click.echo(
                f"{path}: imported {stats.imported} documents ({stats.changed} new or changed"
                + (f", {stats.removed} removed" if stats.removed else "")
                + f"), skipped {len(stats.errors)}"
                + (f", ignored {stats.ignored} other files or records" if stats.ignored else "") + "."
            )
        duplicates = mark_near_duplicates(store)
        click.echo(f"The corpus has {store.count()} documents ({duplicates} near-duplicates). Run 'sotehaku index' to make them searchable.")
    if failed:
        sys.exit(1)


def _configured_visibility(source: str, config: Path | None) -> str | None:
    """The visibility of a configured source of this name, if the configuration file has one."""
    path = config or Path(DEFAULT_CONFIG)
    if config is None and not path.exists():
        return None
    for configured in load_sources(path):
        if configured.name == source:
            return configured.visibility
    return None


@main.command()
@click.option("--format", "fmt", type=click.Choice(["jsonl"]), default="jsonl", show_default=True, help="Output format.")
@click.option("-o", "--output", type=click.File("w", encoding="utf-8"), default="-", help="Output file (default stdout).")
@click.pass_obj
def export(data_dir: Path, fmt: str, output) -> None:
    """Write the corpus out as JSONL, in the shape 'import' reads."""
    with open_data_store(data_dir) as store:
        count = export_jsonl(store, output)
    click.echo(f"exported {count} documents", err=True)


@main.command()
@click.option("--procs", type=click.IntRange(1, 64), help="Processes that analyse documents (default: one per core for large corpora).")
@click.option("--full", is_flag=True, help="Rebuild from scratch instead of updating only what changed.")
@click.pass_obj
def index(data_dir: Path, procs: int | None, full: bool) -> None:
    """Bring the search index in step with the corpus store and publish it.

    Only new and changed documents are analysed; removed ones are dropped. The server keeps answering
    from the previous version until the new one is published.
    """
    with open_data_store(data_dir) as store:
        total = store.count()
        if total == 0:
            raise click.ClickException(f"The corpus in {data_dir} is empty. Run 'sotehaku crawl' or 'sotehaku import' first.")
        started = time.monotonic()
        with click.progressbar(length=total, label="Indexing", file=sys.stderr, show_pos=True) as bar:
            built = update_index(
                store.iter_documents, data_dir, progress=lambda n: bar.update(1),
                procs=procs or default_procs(total), full=full,
            )
    elapsed = time.monotonic() - started
    if built.full:
        click.echo(f"Indexed {built.documents} documents in {elapsed:.1f} s as version {built.version}.")
    elif built.added or built.removed:
        click.echo(
            f"Updated the index in {elapsed:.1f} s as version {built.version}: {built.added} added or changed, "
            f"{built.removed} removed, {built.unchanged} unchanged."
        )
    else:
        click.echo(f"The index is up to date ({built.documents} documents, version {built.version}).")


@main.command()
@click.argument("query")
@click.option("--limit", default=10, show_default=True, type=click.IntRange(1, 100), help="Hits per page.")
@click.option("--page", default=1, show_default=True, type=click.IntRange(1, 1000), help="Page of results.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True, help="Output format.")
@click.option("--lang", help="Only documents in this language (fi, sv, en); default: every language.")
@click.option("--internal", is_flag=True, help="Include internal documents (staff use).")
@click.pass_obj
def search(data_dir: Path, query: str, limit: int, page: int, fmt: str, lang: str | None, internal: bool) -> None:
    """Search the index and print ranked hits with snippets."""
    viewer = Viewer(name=os.environ.get("USER"), staff=True) if internal else ANONYMOUS
    results = SearchEngine(data_dir).search(query, page=page, size=limit, viewer=viewer, lang=lang)
    if fmt == "json":
        click.echo(json.dumps(results.to_json(), ensure_ascii=False, indent=2))
        return
    if not results.hits:
        click.echo(f"No results for {query!r}.")
        return
    note = " (no page has every word; showing pages with any of them)" if results.relaxed else ""
    click.echo(f"{results.total} results for {query!r}{note}:")
    for rank, hit in enumerate(results.hits, (page - 1) * limit + 1):
        date = f"  {hit.updated.isoformat()}" if hit.updated else ""
        click.echo(f"\n{rank}. {hit.title}  [{hit.score:.3f}]{date}")
        click.echo(f"   {hit.url or hit.id}")
        click.echo(f"   {_terminal_snippet(hit.snippet)}")


def _terminal_snippet(snippet: str) -> str:
    """The HTML snippet as terminal text, marks shown in bold where the terminal supports it."""
    parts = re.split(r"<mark[^>]*>(.*?)</mark>", snippet)
    return "".join(
        click.style(html.unescape(p), bold=True) if i % 2 else html.unescape(p) for i, p in enumerate(parts)
    )


@main.command()
@click.argument("text", required=False)
@click.option("--lang", type=click.Choice(["fi", "sv", "en"]), default="fi", show_default=True, help="Language of the text.")
@click.option("--format", "fmt", type=click.Choice(["text", "jsonl"]), default="text", show_default=True, help="Output format.")
def analyze(text: str | None, lang: str, fmt: str) -> None:
    """Show the index terms of each word, to see why a document matched.

    Reads TEXT, or else one text per line from standard input. With --format jsonl it writes one JSON
    object per input line: {"tokens": [{"text", "start", "end", "terms", "folded"}]}.
    """
    lines = [text] if text is not None else (line.rstrip("\n") for line in click.get_text_stream("stdin"))
    for line in lines:
        tokens = explain(line, lang)
        if fmt == "jsonl":
            click.echo(json.dumps({"tokens": tokens}, ensure_ascii=False))
            continue
        for token in tokens:
            folded = f"   (without umlauts: {', '.join(token['folded'])})" if token.get("folded") else ""
            click.echo(f"{token['text']:<24} {', '.join(token['terms'])}{folded}")


def _check_port_free(host: str, port: int) -> None:
    with socket.socket() as sock:
        try:
            sock.bind((host, port))
        except OSError as exc:
            raise click.ClickException(f"Cannot listen on {host}:{port}: {exc.strerror}. Pass another --port.") from None


def _run_web(data_dir: Path, host: str, port: int) -> None:
    import uvicorn

    from search.web.app import create_app

    _check_port_free(host, port)
    click.echo(f"Search page: http://{host}:{port}/  (Ctrl-C stops)")
    uvicorn.run(create_app(data_dir), host=host, port=port, log_level="warning")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="Port to listen on.")
@click.pass_obj
def serve(data_dir: Path, host: str, port: int) -> None:
    """Serve the search page and the JSON API."""
    SearchEngine(data_dir).version  # fail now, with the fix, rather than on the first request
    _run_web(data_dir, host, port)


@main.command()
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="Port of the search page.")
@click.pass_obj
def demo(data_dir: Path, port: int) -> None:
    """Serve the bundled sample site, crawl it, index it and serve the search page on it."""
    _check_port_free("127.0.0.1", port)
    with serve_sample_site() as base_url, open_data_store(data_dir) as store:
        click.echo(f"Sample site: {base_url}/")
        sources = demo_sources(base_url)
        for source in sources:
            for doc_id in store.ids(source.name):  # the site's port differs on every run
                store.delete(doc_id)
        for source in sources:
            click.echo(crawl_source(source, store).summary())
        mark_near_duplicates(store)
        built = build_index(store.iter_documents(), data_dir)
        click.echo(f"Indexed {built.documents} documents.")
        _run_web(data_dir, "127.0.0.1", port)


main.add_command(users)
main.add_command(report)
