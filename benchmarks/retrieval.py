"""Retrieval quality and indexing time on squad2-fi: plain tokens, Whoosh's Snowball Finnish, sotehaku.

All three index the same 20,239 paragraphs in one run and answer the same 3,000 questions as OR
queries of their analysed words (BM25F, Whoosh defaults). Indexing times are single-process unless
marked, measured back to back on this machine.
Run: .venv/bin/python benchmarks/retrieval.py [--data ../shared/data] [--queries N] [--sotehaku-only]
With --data-dir DIR (and --solr URL,... for a SolrCloud collection it was indexed into), sotehaku's batch
ranking on that built index alone, both halves of the tune set reported: the SolrCloud parity check.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
import time
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh import query as q
from whoosh.analysis import LanguageAnalyzer, LowercaseFilter, RegexTokenizer
from whoosh.fields import ID, TEXT, Schema

from corpus.document import Document
from backends.whoosh.writer import build_index
from search.evaluate import mrr_at, read_qrels, read_queries, recall_at

from search.query import QueryError
from app.backend import open_engine, use_solr

DEFAULT_DATA = Path(os.environ.get("SOTEHAKU_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"))
BASELINES = {
    "plain": lambda: RegexTokenizer() | LowercaseFilter(),
    "snowball": lambda: LanguageAnalyzer("fi"),
}


def load_corpus(data: Path) -> list[Document]:
    """The squad2-fi paragraphs as documents (no titles: title_en is empty in this set)."""
    docs = []
    with (data / "squad2-fi" / "corpus.jsonl").open(encoding="utf-8") as handle:
        for line in handle:
            obj = json.loads(line)
            docs.append(Document(id=obj["id"], text=obj["text"], lang="fi", source="squad2-fi"))
    return docs


def build_baseline(name: str, docs: list[Document], path: Path) -> float:
    """Index the paragraphs into one text field with a baseline analyzer; return seconds."""
    started = time.perf_counter()
    schema = Schema(id=ID(stored=True, unique=True), text=TEXT(analyzer=BASELINES[name]()))
    ix = whoosh_index.create_in(path, schema)
    writer = ix.writer(limitmb=256)
    for doc in docs:
        writer.add_document(id=doc.id, text=doc.text)
    writer.commit()
    return time.perf_counter() - started


def run_baseline(path: Path, queries: dict[str, str], k: int = 100) -> dict[str, list[str]]:
    """Each question as an OR of its analysed words in the text field."""
    ix = whoosh_index.open_dir(path)
    analyzer = ix.schema["text"].analyzer
    run = {}
    with ix.searcher() as searcher:
        for qid, text in queries.items():
            terms = list(dict.fromkeys(t.text for t in analyzer(text, mode="query")))
            results = searcher.search(q.Or([q.Term("text", t) for t in terms]), limit=k) if terms else []
            run[qid] = [hit["id"] for hit in results]
    return run


def run_sotehaku(data_dir: Path, queries: dict[str, str], k: int = 100) -> dict[str, list[str]]:
    """Each question through the engine's batch ranking (sotehaku's analysis, OR of all words)."""
    engine = open_engine(data_dir)
    run = {}
    for qid, text in queries.items():
        try:
            run[qid] = [doc for doc, _ in engine.rank(text, limit=k)]
        except QueryError:  # a question of stopwords only: nothing to rank, as for the baselines
            run[qid] = []
    return run


def evaluate(run, qrels) -> dict[str, float]:
    return {"MRR@10": mrr_at(run, qrels, 10), "R@10": recall_at(run, qrels, 10), "R@100": recall_at(run, qrels, 100)}


TUNE_HALF = 1500  # issue 12: tune on the first 1,500 questions, report both halves


def halves(run, qrels) -> list[tuple[str, dict, float]]:
    """Rows of both halves of the tune set: ranking is tuned on the first half, so a gain only there shows."""
    ids = list(run)
    if len(ids) <= TUNE_HALF:
        return []
    return [(name, evaluate({k: run[k] for k in half}, {k: qrels[k] for k in half if k in qrels}), 0.0)
            for name, half in (("  q1-1500", ids[:TUNE_HALF]), ("  q1501-", ids[TUNE_HALF:]))]


def print_rows(rows) -> None:
    print(f"{'analyzer':<12} {'MRR@10':>7} {'R@10':>7} {'R@100':>7} {'query s':>8}")
    for name, m, seconds in rows:
        print(f"{name:<12} {m['MRR@10']:>7.4f} {m['R@10']:>7.4f} {m['R@100']:>7.4f} {seconds:>8.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--queries", type=int, default=0, help="only the first N questions (0: all 3,000)")
    parser.add_argument(
        "--sotehaku-only", action="store_true", help="no baselines, one single-process build: a quicker check of ranking"
    )
    parser.add_argument(
        "--data-dir", type=Path,
        help="rank with this data dir's built index instead of building one (no baselines, no indexing times)",
    )
    parser.add_argument("--solr", help="with --data-dir: the SolrCloud collection it was indexed into (as sotehaku's --solr)")
    args = parser.parse_args()
    queries = read_queries(args.data / "squad2-fi" / "queries_tune.tsv")
    if args.queries:
        queries = dict(list(queries.items())[: args.queries])
    qrels = {qid: rel for qid, rel in read_qrels(args.data / "squad2-fi" / "qrels_tune.txt").items() if qid in queries}
    if args.data_dir:
        use_solr(args.solr)
        started = time.perf_counter()
        run = run_sotehaku(args.data_dir, queries)
        seconds = time.perf_counter() - started
        print(f"Retrieval on squad2-fi: {args.data_dir} ({'SolrCloud ' + args.solr if args.solr else 'embedded index'}), "
              f"{len(queries)} questions as OR queries, {1000 * seconds / len(queries):.1f} ms per question")
        print_rows([("sotehaku", evaluate(run, qrels), seconds), *halves(run, qrels)])
        return
    docs = load_corpus(args.data)
    work = Path(tempfile.mkdtemp(prefix="sotehaku-bench-"))
    rows, times = [], {}
    try:
        for name in () if args.sotehaku_only else BASELINES:
            path = work / name
            path.mkdir()
            times[name] = build_baseline(name, docs, path)
            started = time.perf_counter()
            run = run_baseline(path, queries)
            rows.append((name, evaluate(run, qrels), time.perf_counter() - started))
        for procs in (1,) if args.sotehaku_only else (1, 2):
            started = time.perf_counter()
            build_index(docs, work / f"sotehaku-{procs}", procs=procs)
            times[f"sotehaku ({procs} proc{'s' if procs > 1 else ''})"] = time.perf_counter() - started
        started = time.perf_counter()
        run = run_sotehaku(work / "sotehaku-1", queries)
        rows.append(("sotehaku", evaluate(run, qrels), time.perf_counter() - started))
        rows += halves(run, qrels)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"Retrieval on squad2-fi: {len(docs)} paragraphs, {len(queries)} questions as OR queries")
    print_rows(rows)
    print("\nIndexing time, same corpus")
    plain = times.get("plain")
    for name, seconds in times.items():
        print(f"{name:<22} {seconds:>7.1f} s" + (f"   ratio to plain {seconds / plain:>5.2f}" if plain else ""))


if __name__ == "__main__":
    main()
