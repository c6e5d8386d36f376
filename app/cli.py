"""The `sotehaku` command line: parses arguments, wires the stages together, explains errors."""

from __future__ import annotations

import csv
import html
import io
import json
import logging
import os
import re
import socket
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import click

import languages

from corpus import CorpusError
from corpus.ingest import ImportStats, export_jsonl
from corpus.sample import demo_sources, serve_sample_site
from corpus.sources import Source, load_sources
from corpus.store import open_data_store

if TYPE_CHECKING:
    from corpus.crawl import CrawlStats
from indexer import IndexingError
from indexer.analysis import explain
from indexer.fields import content_kind
from search import SearchError
from search.access import EVERYTHING, PUBLIC
from search.api import SORTS, IndexUnavailableError
from search.engine import ANONYMOUS, MAX_PAGE_SIZE, MAX_SIMILAR, SIMILAR_LIMIT, SearchEngine, Viewer
from search.evaluate import mrr_at, ndcg_at, read_graded_qrels, read_queries, recall_at

from app.admin_cli import backup, remove, report, require_data_dir, restore, unblock, users
from app.backend import BESTBETS_FILE, describe_index, missing_partitions, open_engine, solr_settings, use_solr
from app.errors import USER_ERRORS, cli_message
from app.querylog import read_retention
from app.pipeline import (
    chain, crawl_sources, documents_to_index, forget_sources, import_paths, index_corpus, run_pipeline,
)

DEFAULT_DATA_DIR = "sotehaku-data"
DEFAULT_CONFIG = "sotehaku.toml"


class SotehakuGroup(click.Group):
    """A click group that turns the library's own errors into messages without tracebacks."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except USER_ERRORS as exc:
            raise click.ClickException(cli_message(exc)) from None


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
@click.option(
    "--solr",
    "solr_urls",
    envvar="SOTEHAKU_SOLR",
    metavar="URL[,URL...]",
    help="Index to and search a SolrCloud cluster through these nodes (also SOTEHAKU_SOLR, or [solr] in "
    "./sotehaku.toml) instead of the embedded index.",
)
@click.version_option(package_name="sotehaku")
@click.pass_context
def main(ctx: click.Context, data_dir: Path, verbose: bool, solr_urls: str | None) -> None:
    """sotehaku: search for Finnish social and health care reform documents."""
    use_solr(solr_urls)
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

    failed: list[str] = []

    def crawled(stats: CrawlStats) -> None:
        if sys.stderr.isatty():
            click.echo(err=True)
        click.echo(stats.summary())
        if stats.fetched == 0:
            reasons = ", ".join(f"{reason}: {n}" for reason, n in sorted(stats.skipped.items())) or "no page to fetch"
            failed.append(f"{stats.source} ({reasons})")

    refresh = crawl_sources(sources, progress=lambda source: _progress_printer(source.name), done=crawled)
    try:
        run = run_pipeline(data_dir, refresh, publish=False)
    except KeyboardInterrupt:
        with open_data_store(data_dir) as store:
            kept = store.count()
        click.echo(
            f"\nInterrupted: the {kept} documents in the corpus are kept. "
            "Run the same command again to resume the crawl where it stopped.", err=True,
        )
        sys.exit(130)
    _echo_corpus(run.documents, run.duplicates)
    if failed:
        # A scheduled crawl that fetched nothing must not look like success to cron or systemd.
        raise click.ClickException(
            f"The crawl of source {'; '.join(failed)} fetched nothing. Check that the address is right and the site is "
            "reachable from this machine; run with -v to see every skipped URL."
        )


def _echo_corpus(documents: int, duplicates: int) -> None:
    """The closing line of crawl and import, which leave indexing to 'sotehaku index'."""
    click.echo(f"The corpus has {documents} documents ({duplicates} near-duplicates). Run 'sotehaku index' to make them searchable.")


@main.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--source", help="Source name for the imported documents (default: the file or folder name). "
              "When the configuration has a source of this name, its visibility is used.")
@click.option("--visibility", type=click.Choice(["public", "internal"]), help="Visibility of every imported document "
              "(required for folders and WARC files unless --source names a configured source).")
@click.option("--access", "access", multiple=True, metavar="GROUP", help="A group the imported internal documents "
              "are limited to (repeat for several; members of any may read them). Default: the configured "
              "source's 'access', else any signed-in staff.")
@click.option("--base-url", help="For a folder: the web address it is served under, for links in results "
              "(default: file:// URLs).")
@click.option("--config", "config", type=click.Path(dir_okay=False, path_type=Path), help=f"Sources file (default ./{DEFAULT_CONFIG}, if present).")
@click.pass_obj
def import_(data_dir: Path, paths: tuple[Path, ...], source: str | None, visibility: str | None,
            access: tuple[str, ...], base_url: str | None, config: Path | None) -> None:
    """Import JSONL files, folders of documents (a drive: HTML, PDF, office and OpenDocument files, RTF, text;
    see the README's "Document formats") and WARC web archives.

    Bad lines and files are reported and skipped; the rest are imported. Re-importing a folder
    removes the documents of files that are no longer there.
    """
    if source and visibility is None:
        configured = _configured_source(source, config)
        if configured is not None:
            visibility = configured.visibility
            access = access or configured.access
    if access and visibility is None:
        visibility = "internal"  # groups limit internal documents only
    failed = 0

    def unreadable(path: Path, exc: CorpusError) -> None:
        nonlocal failed
        click.echo(f"skipped {exc}", err=True)
        failed += 1

    def imported(path: Path, stats: ImportStats) -> None:
        nonlocal failed
        for error in stats.errors:
            click.echo(f"skipped {error}", err=True)
        failed += len(stats.errors)
        for doc_id in stats.blocked:
            click.echo(f"skipped {doc_id}: blocked (taken down; 'sotehaku unblock' lets it back)", err=True)
        click.echo(
            f"{path}: imported {stats.imported} documents ({stats.changed} new or changed"
            + (f", {stats.removed} removed" if stats.removed else "")
            + f"), skipped {len(stats.errors)}"
            + (f", left out {len(stats.blocked)} blocked" if stats.blocked else "")
            + (f", ignored {stats.ignored} other files or records" if stats.ignored else "") + "."
        )

    refresh = import_paths(
        paths, source=source, visibility=visibility, base_url=base_url, access=access, done=imported, failed=unreadable,
    )
    run = run_pipeline(data_dir, refresh, publish=False)
    _echo_corpus(run.documents, run.duplicates)
    if failed:
        sys.exit(1)


def _configured_source(source: str, config: Path | None):
    """The configured source of this name (for its visibility and groups), if the configuration file has one."""
    path = config or Path(DEFAULT_CONFIG)
    if config is None and not path.exists():
        return None
    for configured in load_sources(path):
        if configured.name == source:
            return configured
    return None


@main.command()
@click.option("--format", "fmt", type=click.Choice(["jsonl"]), default="jsonl", show_default=True, help="Output format.")
@click.option("-o", "--output", type=click.File("w", encoding="utf-8"), default="-", help="Output file (default stdout).")
@click.pass_obj
def export(data_dir: Path, fmt: str, output) -> None:
    """Write the corpus out as JSONL, in the shape 'import' reads."""
    require_data_dir(data_dir)
    with open_data_store(data_dir) as store:
        count = export_jsonl(store, output)
    click.echo(f"exported {count} documents", err=True)


class PartitionType(click.ParamType):
    """K/N: the K-th of N shares of the documents (1 <= K <= N)."""

    name = "K/N"

    def convert(self, value, param, ctx):
        if isinstance(value, tuple):
            return value
        match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", str(value))
        if not match or not 1 <= int(match[1]) <= int(match[2]):
            self.fail(f"{value!r} is not a partition K/N with 1 <= K <= N, such as 1/4.", param, ctx)
        return int(match[1]), int(match[2])


@main.command()
@click.option("--procs", type=click.IntRange(1, 64), help="Processes that analyse documents (default: one per core for large corpora).")
@click.option("--full", is_flag=True, help="Rebuild from scratch instead of updating only what changed.")
@click.option("--partition", type=PartitionType(), help="SolrCloud only: analyse and send only share K of N (by a "
              "hash of the document id); run K = 1..N on N machines with the same corpus.")
@click.pass_obj
def index(data_dir: Path, procs: int | None, full: bool, partition: tuple[int, int] | None) -> None:
    """Bring the search index in step with the corpus store and publish it.

    Only new and changed documents are analysed; removed ones are dropped. The server keeps answering
    from the previous version until the new one is published. With --partition K/N each machine
    analyses its share; the run that completes the N shares publishes the new version.
    """
    require_data_dir(data_dir)
    with open_data_store(data_dir) as store:
        total = documents_to_index(store, data_dir)
        started = time.monotonic()
        with click.progressbar(length=total, label="Indexing", file=sys.stderr, show_pos=True) as bar:
            built = index_corpus(store, data_dir, procs=procs, full=full, progress=lambda n: bar.update(1),
                                 partition=partition)
    elapsed = time.monotonic() - started
    if partition is not None:
        k, n = partition
        click.echo(
            f"Partition {k}/{n} in {elapsed:.1f} s: {built.added} added or changed, {built.removed} removed, "
            f"{built.unchanged} unchanged of its {built.documents} documents."
        )
        missing = missing_partitions(data_dir, n)
        if missing:
            click.echo(f"The new version is published when partitions {', '.join(f'{m}/{n}' for m in missing)} have run too.")
        else:
            click.echo(f"All {n} partitions are in: the index is published as version {built.version}.")
        return
    if built.full:
        click.echo(f"Indexed {built.documents} documents in {elapsed:.1f} s as version {built.version}.")
    elif built.added or built.removed:
        click.echo(
            f"Updated the index in {elapsed:.1f} s as version {built.version}: {built.added} added or changed, "
            f"{built.removed} removed, {built.unchanged} unchanged."
        )
    else:
        click.echo(f"The index is up to date ({built.documents} documents, version {built.version}).")


FILTER_OPTIONS = ("type", "site", "source", "section", "year", "updated")


def _filter_options(command):
    """The field filters of the query language as options: --type pdf, --site www.phhyky.fi, ..."""
    helps = {
        "type": "Only this document type: html, pdf, docx or text.",
        "site": "Only documents of this host (subdomains included).",
        "source": "Only documents of this source.",
        "section": "Only documents of this top section (as in the facets).",
        "year": "Only documents updated in this year.",
        "updated": "Only documents updated in this range: 2022-01-01..2022-12-31, 2022, 2022-03.., ..2021.",
    }
    for name in reversed(FILTER_OPTIONS):
        command = click.option(f"--{name}", f"filter_{name}", help=helps[name])(command)
    return command


@main.command()
@click.argument("query", required=False)
@click.option("--limit", default=10, show_default=True, type=click.IntRange(1, 1000), help="Hits per page (per query with --batch).")
@click.option("--page", default=1, show_default=True, type=click.IntRange(1, 1000), help="Page of results.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "csv", "trec"]), help="Output format (default: text; trec with --batch).")
@click.option("--lang", help="Only documents in this language (fi, sv, en); default: every language.")
@_filter_options
@click.option("--batch", "batch", type=click.Path(dir_okay=False, path_type=Path), help="Run every 'qid<TAB>query' line of this file.")
@click.option("--run-tag", default="sotehaku", show_default=True, help="The run name in TREC output.")
@click.option("--internal", is_flag=True, help="Include internal documents (staff use).")
@click.option("--sort", type=click.Choice(SORTS), default="relevance", show_default=True, help="Order of the hits: relevance, or date (newest first).")
@click.pass_obj
def search(data_dir: Path, query: str | None, limit: int, page: int, fmt: str | None, lang: str | None,
           batch: Path | None, run_tag: str, internal: bool, sort: str, **filter_values) -> None:
    """Search the index and print ranked hits with snippets.

    QUERY uses the query language: words, "phrases", -exclusions, OR, title:, site:, lang:, type:,
    updated:2022-01-01..2022-12-31. Documents pinned for the query in ./bestbets.toml come first, marked
    [recommended]. With --batch, natural-language questions are ranked by any of
    their words and printed as TREC run lines: qid Q0 docid rank score tag.
    """
    viewer = Viewer(name=os.environ.get("USER"), staff=True) if internal else ANONYMOUS
    filters = {name: filter_values[f"filter_{name}"] for name in FILTER_OPTIONS if filter_values[f"filter_{name}"]}
    engine = open_engine(data_dir)
    if batch is not None:
        if query:
            raise click.UsageError("Give either QUERY or --batch FILE, not both.")
        _batch(engine, batch, limit, fmt or "trec", lang, filters, run_tag, viewer)
        return
    if not query:
        raise click.UsageError("Give a QUERY to search for, or --batch QUERIES.tsv.")
    fmt = fmt or "text"
    if fmt == "trec":
        raise click.UsageError("--format trec is for --batch runs; use text, json or csv for one query.")
    if limit > MAX_PAGE_SIZE:
        raise click.UsageError(f"--limit is at most {MAX_PAGE_SIZE} hits per page for one query; use --page for more.")
    results = engine.search(query, page=page, size=limit, viewer=viewer, lang=lang, filters=filters, sort=sort)
    if fmt == "json":
        click.echo(json.dumps(results.to_json(), ensure_ascii=False, indent=2))
        return
    if fmt == "csv":
        _write_csv(results, page, limit)
        return
    for word in results.missing:
        head = results.replaced.get(word)
        instead = f"; showing pages with {head!r}, the last part of the compound" if head else ""
        click.echo(f"No page has the word {word!r}{instead}.")
    if results.common_words:
        click.echo(f"{query!r} has only very common words, which no page is searched by; add a more specific word.")
    if not results.hits:
        click.echo(f"No results for {query!r}.")
        return
    if results.corrected:
        click.echo(f"Nothing found for {query!r}; showing results for {results.suggestion!r}.")
    elif results.suggestion:
        click.echo(f"Did you mean {results.suggestion!r}?")
    note = " (no page has every word; showing pages with any of them)" if results.relaxed else ""
    click.echo(f"{results.total} results for {query!r}{note}:")
    for rank, hit in enumerate(results.hits, (page - 1) * limit + 1):
        date = f"  {hit.updated.isoformat()}" if hit.updated else ""
        mark = "[recommended] " if hit.recommended else ""
        click.echo(f"\n{rank}. {mark}{hit.title}  [{hit.score:.3f}]{date}")
        click.echo(f"   {hit.url or hit.id}")
        click.echo(f"   {_terminal_snippet(hit.snippet)}")


@main.command()
@click.argument("doc_id", metavar="ID")
@click.option("--limit", default=SIMILAR_LIMIT, show_default=True, type=click.IntRange(1, MAX_SIMILAR), help="How many similar documents.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True, help="Output format.")
@click.option("--internal", is_flag=True, help="Include internal documents (staff use).")
@click.pass_obj
def similar(data_dir: Path, doc_id: str, limit: int, fmt: str, internal: bool) -> None:
    """List the documents most similar to the document ID (a search hit's id), by their shared words'
    base forms; near-duplicates of the document are left out."""
    viewer = Viewer(name=os.environ.get("USER"), staff=True) if internal else ANONYMOUS
    hits = open_engine(data_dir).similar(doc_id, viewer=viewer, limit=limit)
    if hits is None:
        hint = "" if internal else " (an internal one needs --internal)"
        raise click.ClickException(f"No document with id {doc_id!r}{hint}. Take ids from 'sotehaku search --format json'.")
    if fmt == "json":
        click.echo(json.dumps({"id": doc_id, "hits": [h.to_json() for h in hits]}, ensure_ascii=False, indent=2))
        return
    if not hits:
        click.echo(f"No documents similar to {doc_id!r}.")
        return
    click.echo(f"Documents similar to {doc_id!r}:")
    for rank, hit in enumerate(hits, 1):
        date = f"  {hit.updated.isoformat()}" if hit.updated else ""
        click.echo(f"\n{rank}. {hit.title}{date}")
        click.echo(f"   {hit.url or hit.id}")


def _write_csv(results, page: int, limit: int) -> None:
    """One row per hit, with the snippet as plain text (marks dropped), for spreadsheets."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["rank", "id", "url", "title", "score", "updated", "lang", "type", "source", "snippet"])
    for rank, hit in enumerate(results.hits, (page - 1) * limit + 1):
        snippet = html.unescape(re.sub(r"</?mark>", "", hit.snippet))
        writer.writerow([rank, hit.id, hit.url, hit.title, f"{hit.score:.6f}", hit.updated or "", hit.lang, hit.type, hit.source, snippet])
    click.echo(out.getvalue(), nl=False)


def _batch(engine: SearchEngine, path: Path, limit: int, fmt: str, lang: str | None, filters: dict,
           run_tag: str, viewer: Viewer) -> None:
    """Rank every query of a qid<TAB>query file; a bad line or query is reported and skipped."""
    if fmt not in ("trec", "json"):
        raise click.UsageError("--batch prints --format trec (default) or json (one JSON object per query and line).")
    if re.search(r"\s", run_tag):
        raise click.UsageError(f"--run-tag {run_tag!r} has whitespace, which TREC run files cannot hold.")
    failed = 0
    for qid, text in read_queries(path).items():
        try:
            ranked = engine.rank(text, limit=limit, viewer=viewer, lang=lang, filters=filters)
        except SearchError as exc:
            click.echo(f"{path}: query {qid}: skipped: {exc}", err=True)
            failed += 1
            continue
        if not ranked:
            click.echo(f"{path}: query {qid}: no hits", err=True)
        if fmt == "json":
            click.echo(json.dumps({"qid": qid, "query": text, "hits": [{"id": d, "score": round(s, 6)} for d, s in ranked]}, ensure_ascii=False))
            continue
        for rank, (doc_id, score) in enumerate(ranked, 1):
            click.echo(f"{qid} Q0 {doc_id} {rank} {score:.6f} {run_tag}")
    if failed:
        sys.exit(1)


@main.command("eval")
@click.option("--queries", "queries_path", required=True, type=click.Path(dir_okay=False, path_type=Path), help="qid<TAB>query lines.")
@click.option("--qrels", "qrels_path", required=True, type=click.Path(dir_okay=False, path_type=Path), help="TREC qrels: qid 0 docid relevance.")
@click.option("--lang", help="Only documents in this language.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True, help="Output format.")
@click.option("--internal", is_flag=True, help="Include internal documents.")
@click.pass_obj
def evaluate(data_dir: Path, queries_path: Path, qrels_path: Path, lang: str | None, fmt: str, internal: bool) -> None:
    """Evaluate ranking against judged queries: MRR@10, nDCG@10, Recall@10 and Recall@100.

    Queries are ranked as --batch ranks them; queries without a relevant document are left out.
    """
    viewer = Viewer(staff=True) if internal else ANONYMOUS
    queries = read_queries(queries_path)
    graded = read_graded_qrels(qrels_path)
    judged = {qid: grades for qid, grades in graded.items() if qid in queries and any(g > 0 for g in grades.values())}
    if not judged:
        raise click.ClickException(f"No query of {queries_path} has a relevant document in {qrels_path}. Check that their query ids match.")
    engine = open_engine(data_dir)
    run = {}
    for qid in judged:
        try:
            run[qid] = [doc_id for doc_id, _ in engine.rank(queries[qid], limit=100, viewer=viewer, lang=lang)]
        except SearchError as exc:
            click.echo(f"query {qid}: no ranking ({exc})", err=True)
            run[qid] = []
    relevant = {qid: {d for d, g in grades.items() if g > 0} for qid, grades in judged.items()}
    scores = {
        "queries": len(judged),
        "MRR@10": mrr_at(run, relevant, 10),
        "nDCG@10": ndcg_at(run, judged, 10),
        "Recall@10": recall_at(run, relevant, 10),
        "Recall@100": recall_at(run, relevant, 100),
    }
    if fmt == "json":
        click.echo(json.dumps({k: (round(v, 4) if isinstance(v, float) else v) for k, v in scores.items()}))
        return
    for name, value in scores.items():
        click.echo(f"{name:<11} {value:.4f}" if isinstance(value, float) else f"{name:<11} {value}")


@main.command()
@click.argument("prefix")
@click.option("--limit", default=8, show_default=True, type=click.IntRange(1, 50), help="Completions to show.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True, help="Output format.")
@click.option("--internal", is_flag=True, help="Complete from internal documents too.")
@click.pass_obj
def suggest(data_dir: Path, prefix: str, limit: int, fmt: str, internal: bool) -> None:
    """Search-as-you-type completions of the last word of PREFIX."""
    viewer = Viewer(staff=True) if internal else ANONYMOUS
    completions = open_engine(data_dir).suggest(prefix, viewer=viewer, limit=limit)
    if fmt == "json":
        click.echo(json.dumps({"query": prefix, "suggestions": completions}, ensure_ascii=False))
    else:
        for completion in completions:
            click.echo(completion)


@main.command()
@click.option("--top", default=20, show_default=True, type=click.IntRange(0, 1000), help="How many top terms to list.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True, help="Output format.")
@click.option("--internal", is_flag=True, help="Count internal documents too (staff use), in the corpus and the top terms.")
@click.pass_obj
def stats(data_dir: Path, top: int, fmt: str, internal: bool) -> None:
    """Corpus and index statistics: documents by source, language and type (as the type filter names them),
    index size, top terms; of public documents, or with --internal of all (and by visibility)."""
    require_data_dir(data_dir)
    visibilities = EVERYTHING if internal else PUBLIC  # internal documents are counted for staff only, like search
    with open_data_store(data_dir) as store:
        corpus = {
            "documents": sum(store.counts("visibility", visibilities).values()),
            "by_source": store.counts("source", visibilities),
            "by_language": store.counts("lang", visibilities),
            "by_type": {},
        }
        if internal:
            corpus["by_visibility"] = store.counts("visibility")
        for content_type, count in store.counts("content_type", visibilities).items():
            kind = content_kind(content_type)  # the values the type filter takes: html, pdf, docx, ...
            corpus["by_type"][kind] = corpus["by_type"].get(kind, 0) + count
        corpus["by_type"] = dict(sorted(corpus["by_type"].items()))
    info = {"corpus": corpus, "index": None}
    try:
        info["index"] = describe_index(data_dir, top=top, internal=internal)
    except (IndexingError, SearchError) as exc:
        info["index_error"] = str(exc)
    if fmt == "json":
        click.echo(json.dumps(info, ensure_ascii=False, indent=2))
        return
    click.echo(f"Corpus: {corpus['documents']} {'documents' if internal else 'public documents (--internal counts all)'}")
    for key, label in (("by_source", "source"), ("by_language", "language"), ("by_visibility", "visibility"), ("by_type", "type")):
        if key in corpus:
            click.echo(f"  by {label}: " + ", ".join(f"{k or '-'} {n}" for k, n in corpus[key].items()))
    index = info["index"]
    if index is None:
        click.echo(f"Index: none ({info['index_error']})")
        return
    click.echo(f"Index: version {index['version']}, {index['documents']} documents, {index['bytes'] / 1e6:.1f} MB on disk")
    if index["top_terms"]:
        click.echo(f"Top terms ({'all' if internal else 'public'} documents, by number of documents):")
        for term in index["top_terms"]:
            click.echo(f"  {term['term']:<30} {term['documents']}")


def _terminal_snippet(snippet: str) -> str:
    """The HTML snippet as terminal text, marks shown in bold where the terminal supports it."""
    parts = re.split(r"<mark[^>]*>(.*?)</mark>", snippet)
    return "".join(
        click.style(html.unescape(p), bold=True) if i % 2 else html.unescape(p) for i, p in enumerate(parts)
    )


@main.command()
@click.argument("text", required=False)
@click.option("--lang", type=click.Choice(languages.CODES), default="fi", show_default=True, help="Language of the text.")
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


def _run_web(settings, host: str, port: int, *, access_log: bool = False, querylog_days: int | None = None) -> None:
    import uvicorn

    from app.web.accesslog import AccessLog, log as access_log_writer
    from app.web.app import create_app

    _check_port_free(host, port)
    app = create_app(settings)
    if querylog_days is not None:
        app.state.sotehaku.recorder.retain_days = querylog_days
    if access_log:
        app.add_middleware(AccessLog)
        access_log_writer.setLevel(logging.INFO)  # on stderr (the journal under systemd), whatever -v says
    listening = f"http://{host}:{port}/"
    if settings.public_url:
        click.echo(f"Search page: {settings.public_url}/  (served on {listening}; Ctrl-C stops)")
    else:
        click.echo(f"Search page: {listening}  (Ctrl-C stops)")
    # The app reads forwarded headers itself, from its trusted proxies only; uvicorn's own reading would
    # also trust 127.0.0.1 (or FORWARDED_ALLOW_IPS), so it stays off.
    uvicorn.run(app, host=host, port=port, log_level="warning", proxy_headers=False)


def web_settings(data_dir: Path, config: Path | None, *, use_file: bool = True, **options):
    """The web settings: the [web] table of the config file (./sotehaku.toml if there is one), with the
    command line's options in place of the file's."""
    from app.web.settings import WebSettings, read_web_config

    path = config or Path(DEFAULT_CONFIG)
    settings = read_web_config(path) if use_file and (config is not None or path.exists()) else {}
    settings.update({key: value for key, value in options.items() if value})
    settings.setdefault("bestbets", path.parent / BESTBETS_FILE.name)  # best bets beside the configuration
    return WebSettings(data_dir, **settings)


@main.command()
@click.option("--public-url", help="The address people open (https://www.kunta.fi/haku/): absolute links start with it, "
              "its path is the sub-path the app is served under. Also [web] public_url.")
@click.option("--trusted-proxy", "trusted_proxies", multiple=True, help="Address or network (CIDR) of a reverse proxy "
              "whose X-Forwarded-For/-Proto are believed; repeatable. Also [web] trusted_proxies.")
@click.option("--cors-origin", "cors_origins", multiple=True, help="An origin (https://www.kunta.fi) whose pages may call the API from the browser; repeatable.")
@click.option("--secure-cookies", is_flag=True, help="Mark the sign-in cookie Secure even over plain HTTP (behind a TLS proxy).")
@click.option("--config", "config", type=click.Path(dir_okay=False, path_type=Path), help=f"Settings file with a [web] table (default ./{DEFAULT_CONFIG} if present).")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="Port to listen on.")
@click.option("--access-log", is_flag=True, help="Log one line per request to stderr: time, method, path, status, "
              "duration. No client address, cookies or query strings.")
@click.pass_obj
def serve(data_dir: Path, host: str, port: int, public_url: str | None, trusted_proxies: tuple[str, ...],
          cors_origins: tuple[str, ...], secure_cookies: bool, config: Path | None, access_log: bool) -> None:
    """Serve the search page and the JSON API.

    A new index version published by 'sotehaku index' is picked up without a restart.
    """
    settings = web_settings(data_dir, config, public_url=public_url, trusted_proxies=trusted_proxies,
                            cors_origins=cors_origins, secure_cookies=secure_cookies)
    require_data_dir(data_dir)  # a mistyped --data-dir: say so now, not on every request
    try:
        open_engine(data_dir).version
    except IndexUnavailableError as exc:
        # Missing or damaged: serve anyway, so that /healthz tells monitoring (503) and the version that
        # 'sotehaku index' publishes next is picked up without a restart.
        click.echo(f"Warning: {exc} Until then the server answers 503.", err=True)
    querylog_days = read_retention(config or Path(DEFAULT_CONFIG))
    _run_web(settings, host, port, access_log=access_log, querylog_days=querylog_days)


@main.command()
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="Port of the search page.")
@click.pass_obj
def demo(data_dir: Path, port: int) -> None:
    """Serve the bundled sample site, crawl it, index it and serve the search page on it."""
    _check_port_free("127.0.0.1", port)
    with serve_sample_site() as base_url:
        click.echo(f"Sample site: {base_url}/")
        sources = demo_sources(base_url)
        refresh = chain(forget_sources(sources), crawl_sources(sources, done=lambda stats: click.echo(stats.summary())))
        run = run_pipeline(data_dir, refresh)
        click.echo(f"Indexed {run.index.documents} documents.")
        from app.web.settings import DEMO_CONFIG

        _run_web(web_settings(data_dir, DEMO_CONFIG), "127.0.0.1", port)  # the bundled demo branding


main.add_command(users)
main.add_command(report)
main.add_command(remove)
main.add_command(unblock)
main.add_command(backup)
main.add_command(restore)


@main.group()
def solr() -> None:
    """Set up the SolrCloud cluster named by --solr, SOTEHAKU_SOLR or [solr] in ./sotehaku.toml."""


@solr.command("setup")
@click.option("--shards", type=click.IntRange(min=1), default=1, show_default=True, help="Shards of each collection.")
@click.option("--replicas", type=click.IntRange(min=1), default=1, show_default=True, help="Replicas of each shard.")
@click.option("--configset", "configset_dir", type=click.Path(file_okay=False, exists=True, path_type=Path),
              help="Upload this configset folder instead of the package's (a copy of backends/solr/configset "
              "with local changes, such as other BM25 settings).")
def solr_setup(shards: int, replicas: int, configset_dir: Path | None) -> None:
    """Upload the package's configset and create the index's collections (NAME_public for anonymous
    searches, NAME_all for staff), or reload them with the configset if they exist."""
    from backends.solr.backend import setup
    from backends.solr.errors import SolrError

    settings = solr_settings()
    if settings is None:
        raise click.ClickException(
            "No SolrCloud cluster is named. Give its nodes with --solr URL[,URL...], SOTEHAKU_SOLR or a [solr] "
            "table in ./sotehaku.toml."
        )
    try:
        extra = {"directory": configset_dir} if configset_dir else {}
        states = setup(list(settings.urls), settings.collection, shards=shards, replicas=replicas, **extra)
    except SolrError as exc:
        raise click.ClickException(" ".join(str(exc).split())) from None
    for part, state in states.items():
        click.echo(f"{settings.collection}_{part}: {len(state['shards'])} shards x {replicas} replicas, active")
