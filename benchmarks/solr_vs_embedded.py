"""The embedded index against SolrCloud in one run: indexing throughput, indexing against the analysis
alone, search latency through sotehaku's HTTP API, and (on squad2-fi) MRR@10.

For each corpus (squad2-fi's 20,239 paragraphs, and/or a corpus of --docs documents made by
generate_corpus.py), in one run on the same machine:
- analysis alone: every document analysed into its SolrCloud fields (the work both backends share:
  sotehaku's Finnish analysis) in --procs processes, nothing sent;
- SolrCloud: `SolrBackend.publish` (analysis in --procs processes, batches sent to the cluster, commit),
  wall time, and its ratio to the analysis alone (the issue's goal: at most 1.2). The analysis alone
  and the full index runs alternate, A I A I ... A, each index run compared with the mean of the
  analyses just before and after it, since this machine's speed drifts within a run by more than the
  goal's margin. The first index run on a fresh cluster also pays for the JVMs' just-in-time
  compilation of Solr's indexing code (a long-running cluster has done it): it is reported as "cold";
  the cluster's CPU seconds for the same run keep falling for two or three runs more (164, 106, 78,
  45, 35 in one sequence), so the --warmup-rounds runs after it are shown but not counted, and the --index-rounds
  runs after those are "warm" (the median of their ratios is the figure); with the CPU seconds of
  sotehaku's processes and of the cluster's JVMs (local ones, found by their launcher's class). With
  --split-cores each warm index run is also compared with an analysis alone run beside a neighbour
  process that keeps the cluster's CPU as busy as the JVMs did during that run (timed_beside): on this
  machine's virtual CPUs a busy neighbour slows the analysis by up to 40 %;
- embedded: the Whoosh index built by the same publish call with --procs processes;
- search: `sotehaku serve` (one uvicorn process) per backend, GET /api/search?q=... one request at a
  time, as an anonymous visitor (page 1 with facets, snippets, did-you-mean), in --search-rounds rounds of
  --queries new queries of 1-3 words of the squad2-fi questions (benchmarks/latency.py); p50/p95 in
  milliseconds of the first round and of the second half of the rounds (the steady state). On a fresh
  cluster the first searches run before the JVMs' JIT compiler has compiled Solr's search code, some
  2,000 searches on this machine (README, "How the test cluster differs"; benchmarks/RESULTS.md, round
  19). Each round's p95 is printed, to show whether it settled;
- MRR@10 (squad2-fi only, --mrr-queries tune questions): `SearchEngine.rank` on both backends.
The cluster is the local one of the tests (ZooKeeper and --nodes Solr nodes as JVM processes on this
machine; a collection of --shards shards x 1 replica), or the running cluster named by --solr.
With --split-cores, while the analysis alone and the index runs are measured the cluster's JVMs run on
the last CPU alone and sotehaku on the others, as analysis workers and Solr nodes do on machines of their
own: then the ratio to the analysis alone says whether sending overlaps the analysis and the cluster
keeps up, where on shared CPUs it is bound by the sum of both sides' CPU seconds. The searches run on
every CPU. Each index run and the analysis alone run in a process forked for them, so that none starts
with analysis caches another one warmed.
Run: .venv/bin/python benchmarks/solr_vs_embedded.py [--data ../shared/data] [--corpus squad|generated|both]
     [--docs 200000 | --generated FILE] [--procs 2] [--queries 300] [--search-rounds 8] [--mrr-queries 3000] [--solr URL,...]
     [--backends embedded,solr] [--index-rounds 2] [--warmup-rounds 2] [--split-cores]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from generate_corpus import DEFAULT_SEED, write_corpus  # noqa: E402
from latency import free_port, measure, percentile, round_sample, start  # noqa: E402

DEFAULT_DATA = Path(os.environ.get("SOTEHAKU_SHARED_DATA") or HERE.parents[1] / "shared" / "data")
SOTEHAKU = Path(sys.executable).parent / "sotehaku"
INDEX_NAME = "bench"
CLUSTER_DIR: Path | None = None  # the local cluster's directory, when this run started it


def squad_jsonl(data: Path, out: Path) -> None:
    """squad2-fi's paragraphs in sotehaku's import shape (as benchmarks/latency.py has them)."""
    with out.open("w", encoding="utf-8") as sink, (data / "squad2-fi" / "corpus.jsonl").open(encoding="utf-8") as src:
        for line in src:
            obj = json.loads(line)
            sink.write(json.dumps({"id": obj["id"], "text": obj["text"], "lang": "fi", "source": "squad2-fi"},
                                  ensure_ascii=False) + "\n")


def store_corpus(jsonl: Path, data_dir: Path) -> int:
    """Import a JSONL file into a data directory's corpus store (not timed); the number of documents."""
    from app.pipeline import import_paths, run_pipeline

    return run_pipeline(data_dir, import_paths([jsonl]), publish=False).documents


def cluster_jvms() -> list[str]:
    """Process ids of the cluster's JVMs: the local cluster's (by its log directory), else every JVM of the
    local cluster's launcher on this machine (a running cluster of `python -m backends.solr.cluster run`)."""
    from backends.solr.cluster import LAUNCHER_CLASS

    pattern = f"-Dsolr.log.dir={CLUSTER_DIR} " if CLUSTER_DIR else LAUNCHER_CLASS
    return subprocess.run(["pgrep", "-f", "--", pattern], capture_output=True, text=True).stdout.split()


def cpu_seconds() -> tuple[float, float]:
    """CPU seconds so far of this process and its waited-for children, and of the local cluster's JVMs."""
    own = os.times()
    jvms = 0.0
    for pid in cluster_jvms():
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        jvms += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return own.user + own.system + own.children_user + own.children_system, jvms


ALL_CPUS = sorted(os.sched_getaffinity(0))


def split_cores(split: bool = True) -> None:
    """Pin the local cluster's JVMs (every thread: later ones inherit it) to the last CPU and this process
    (and the processes it starts) to the others; with split False, give every CPU back to both."""
    if len(ALL_CPUS) < 2:
        sys.exit("--split-cores needs at least two CPUs.")
    ours, theirs = (set(ALL_CPUS[:-1]), {ALL_CPUS[-1]}) if split else (set(ALL_CPUS), set(ALL_CPUS))
    jvms = cluster_jvms()
    if not jvms:
        sys.exit("--split-cores found no JVM of a local cluster on this machine: it pins the JVMs of "
                 "`python -m backends.solr.cluster run`, or of the cluster this benchmark starts.")
    for pid in jvms:
        for task in Path(f"/proc/{pid}/task").iterdir():
            try:
                os.sched_setaffinity(int(task.name), theirs)
            except (ProcessLookupError, FileNotFoundError):
                pass  # a thread that ended meanwhile
    os.sched_setaffinity(0, ours)


def _child(conn, function, args) -> None:
    conn.send(function(*args))
    conn.close()


def in_fresh_process(function, *args):
    """function(*args) in a process forked for it: every index run and the analysis alone start with the
    analysis caches (Voikko's words, lru_cache) as cold as each other, also with --procs 1, where the
    analysis runs in that process itself. Its CPU seconds count in this process's children's."""
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(send, function, args))
    process.start()
    send.close()
    try:
        result = receive.recv()
    except EOFError:
        result = None
    process.join()
    if process.exitcode or result is None:
        sys.exit(f"{function.__name__} failed in its process (exit code {process.exitcode}); see above.")
    return result


def analysis_alone(data_dir: Path, procs: int) -> float:
    """Seconds to analyse every stored document into its SolrCloud fields and completion words, as publish
    does, sending nothing: the documents as the index run receives them (app.pipeline.indexed_documents:
    with other pages' link texts and near-duplicate marks, read from the store alike)."""
    from app.pipeline import indexed_documents
    from backends.solr.backend import _analyse
    from corpus.store import open_data_store

    with open_data_store(data_dir) as store:
        started = time.perf_counter()
        items = ((doc, "bench") for doc in indexed_documents(store)())
        if procs > 1:
            with multiprocessing.get_context("fork").Pool(procs) as pool:
                for _ in pool.imap(_analyse, items, chunksize=16):
                    pass
        else:
            for item in items:
                _analyse(item)
        return time.perf_counter() - started


def publish(data_dir: Path, procs: int, solr: str | None) -> float:
    """Seconds for a full `sotehaku index` (in process) on the embedded index or the SolrCloud cluster."""
    from app.backend import use_solr
    from app.pipeline import index_corpus
    from corpus.store import open_data_store

    use_solr(solr)
    try:
        with open_data_store(data_dir) as store:
            started = time.perf_counter()
            index_corpus(store, data_dir, procs=procs, full=True)
            return time.perf_counter() - started
    finally:
        use_solr(None)


def latency(data_dir: Path, solr: str | None, rounds: list[list[str]]) -> list[list[float]]:
    """Milliseconds per GET /api/search through one `sotehaku serve`, one request at a time, for each round
    of queries in turn (30 warm-up requests before the first round only)."""
    port = free_port()
    options = ["--solr", solr] if solr else []
    server = start([str(SOTEHAKU), "--data-dir", str(data_dir), *options, "serve", "--port", str(port)],
                   f"http://127.0.0.1:{port}/healthz")
    try:
        with httpx.Client(timeout=60) as client:
            url = f"http://127.0.0.1:{port}/api/search"
            return [measure(client, url, queries, warmup=30 if i == 0 else 0) for i, queries in enumerate(rounds)]
    finally:
        server.terminate()
        server.wait(timeout=30)


def mrr(data_dir: Path, solr: str | None, data: Path, n: int) -> float:
    """MRR@10 of `SearchEngine.rank` on the first n squad2-fi tune questions."""
    from app.backend import open_engine, use_solr
    from search.evaluate import mrr_at, read_qrels, read_queries
    from search.query import QueryError

    queries = dict(list(read_queries(data / "squad2-fi" / "queries_tune.tsv").items())[:n])
    qrels = {q: r for q, r in read_qrels(data / "squad2-fi" / "qrels_tune.txt").items() if q in queries}
    use_solr(solr)
    try:
        engine = open_engine(data_dir)
        run = {}
        for qid, text in queries.items():
            try:
                run[qid] = [doc for doc, _ in engine.rank(text, limit=10)]
            except QueryError:
                run[qid] = []
        return mrr_at(run, qrels, 10)
    finally:
        use_solr(None)


def bench_corpus(name: str, jsonl: Path, work: Path, args, solr_urls: list[str], rounds: list[list[str]]) -> dict:
    from backends.solr.backend import setup

    data_dir = work / name
    documents = store_corpus(jsonl, data_dir)
    collection = f"{INDEX_NAME}_{name}"
    setup(solr_urls, collection, shards=args.shards, replicas=1)
    solr = ",".join(f"{url}/{collection}" for url in solr_urls)
    row = {"corpus": name, "documents": documents}
    if args.split_cores:
        split_cores()
    backends = [(b, solr if b == "solr" else None) for b in args.backends]
    # SolrCloud: the analysis alone and the index runs alternate (A I A I ... A), and each index run is
    # compared with the mean of the analyses before and after it: this machine's speed drifts within a
    # run, by as much as the goal's margin. The first index run is the cold one; the --warmup-rounds runs
    # after it (one after the other, then an analysis alone) are shown but not counted.
    # Every run in the order made (label, result, and a counted index run's place in solr_runs), and each
    # counted index run's analysis alone before it (its place in analysis; the one after it is the next).
    row["analysis"], row["solr_runs"], row["solr_after"], row["sequence"] = [], [], [], []

    def analysis() -> None:
        say(f"{name}: {documents:,} documents; analysis alone ({len(row['analysis']) + 1})...")
        row["analysis"].append(timed(analysis_alone, data_dir, args.procs))
        row["sequence"].append(("analysis", row["analysis"][-1], None))

    def index(label: str, counted: bool = True) -> None:
        say(f"{name}: solr index ({label}{'' if counted else ', not counted'})...")
        result = timed(publish, data_dir, args.procs, solr)
        if counted:
            row["solr_after"].append(len(row["analysis"]) - 1)
            row["solr_runs"].append(result)
        row["sequence"].append((f"solr {label}", result, len(row["solr_runs"]) - 1 if counted else None))

    analysis()
    if "solr" in args.backends:
        index("cold")
        analysis()
        for k in range(1, args.warmup_rounds + 1):
            index(f"warm-up {k}", counted=False)
        if args.warmup_rounds:
            analysis()
        for i in range(1, args.index_rounds + 1):
            index(f"warm {i}")
            if args.split_cores:
                wall, _own, jvms = row["solr_runs"][-1]
                share = min(1.0, jvms / wall)
                say(f"{name}: analysis alone beside a neighbour busy {share:.0%} of the time on the cluster's CPU...")
                row.setdefault("analysis_beside", []).append((share, timed_beside(share, analysis_alone, data_dir, args.procs)))
            analysis()
    if "embedded" in args.backends:
        say(f"{name}: embedded index...")
        row["embedded"] = timed(publish, data_dir, args.procs, None)
    if args.split_cores:
        split_cores(False)  # the searches (and MRR) on every CPU, as without --split-cores
    for backend, url in backends:
        say(f"{name}: {backend} search latency...")
        row[f"{backend}_ms"] = latency(data_dir, url, rounds)
    if name == "squad" and args.mrr_queries:
        for backend, url in backends:
            say(f"{name}: {backend} MRR@10...")
            row[f"{backend}_mrr"] = mrr(data_dir, url, args.data, args.mrr_queries)
    shutil.rmtree(data_dir, ignore_errors=True)
    return row


def timed(function, *args) -> tuple[float, float, float]:
    """function(*args) in a fresh process: its wall seconds (its result), then the CPU seconds it took of
    sotehaku (that process and its workers) and of the local cluster's JVMs."""
    before = cpu_seconds()
    wall = in_fresh_process(function, *args)
    after = cpu_seconds()
    return wall, after[0] - before[0], after[1] - before[1]


NEIGHBOUR = """
import sys, time
share = float(sys.argv[1])
while True:
    started = time.perf_counter()
    while time.perf_counter() - started < 0.01 * share:
        pass
    time.sleep(0.01 * (1 - share))
"""


def timed_beside(share: float, function, *args) -> tuple[float, float, float]:
    """timed(function, *args) while a neighbour process keeps the cluster's CPU busy `share` of the time
    (in 10 ms periods), as the cluster's JVMs kept it during an index run. On this machine's virtual CPUs
    the analysis alone took 65 s with the other CPU idle and 91 s beside a busy loop there: a busy
    neighbour slows the analysis, so with --split-cores the index runs' analysis runs slower than the
    analysis alone beside an idle CPU. The neighbour's own CPU seconds are not counted."""
    neighbour = subprocess.Popen([sys.executable, "-c", NEIGHBOUR, str(share)])
    try:
        os.sched_setaffinity(neighbour.pid, {ALL_CPUS[-1]})
        return timed(function, *args)
    finally:
        neighbour.kill()
        neighbour.wait()


def index_ratios(row: dict) -> list[float]:
    """Each counted SolrCloud index run's wall time over the mean of the analyses alone just before and after it."""
    analysis = [a[0] for a in row["analysis"]]
    return [run[0] / ((analysis[i] + analysis[i + 1]) / 2) for run, i in zip(row["solr_runs"], row["solr_after"])]


def beside_ratios(row: dict) -> list[float]:
    """Each warm index run's wall time over the analysis alone run after it beside a busy neighbour."""
    return [row["solr_runs"][i][0] / wall for i, (_share, (wall, _own, _jvms)) in enumerate(row["analysis_beside"], start=1)]


def bench_corpora(corpora, work: Path, args, solr_urls: list[str], rounds: list[list[str]]) -> list[dict]:
    if args.split_cores:
        args.nodes_text += (f"; while indexing, sotehaku on CPU {ALL_CPUS[:-1]} and the cluster's JVMs on CPU "
                            f"{ALL_CPUS[-1:]}")
    return [bench_corpus(name, path, work, args, solr_urls, rounds) for name, path in corpora]


def say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def report(rows: list[dict], args) -> None:
    print(f"Embedded index against SolrCloud ({args.nodes_text}), --procs {args.procs}, one run")
    print(f"{'corpus':10} {'docs':>8} {'analysis s':>10} {'solr cold s':>11} {'ratio':>6} {'solr warm s':>11} "
          f"{'ratio':>6} {'solr docs/s':>11} {'embedded s':>10} {'emb docs/s':>10}")
    nan = float("nan")
    for r in rows:
        analysis = statistics.median(a[0] for a in r["analysis"])
        runs, ratios = r["solr_runs"], index_ratios(r)
        cold_s, cold = (runs[0][0], ratios[0]) if runs else (nan, nan)
        warm_s = statistics.median(run[0] for run in runs[1:]) if len(runs) > 1 else nan
        warm = statistics.median(ratios[1:]) if len(ratios) > 1 else nan
        embedded_s = r["embedded"][0] if "embedded" in r else nan
        print(f"{r['corpus']:10} {r['documents']:>8,} {analysis:>10.1f} {cold_s:>11.1f} {cold:>6.2f} {warm_s:>11.1f} "
              f"{warm:>6.2f} {r['documents'] / warm_s:>11.0f} {embedded_s:>10.1f} {r['documents'] / embedded_s:>10.0f}")
    print("(analysis: the median of the analyses alone; warm: the medians of the warm runs and of their ratios)")
    print("\nEach run: wall and CPU seconds (sotehaku: the run's process and its workers; JVMs: the local "
          "cluster's); an index run's ratio is to the mean of the analyses alone before and after it")
    for r in rows:
        ratios = index_ratios(r)
        runs = [(label, result, None if i is None else ratios[i]) for label, result, i in r["sequence"]]
        if "embedded" in r:
            runs.append(("embedded", r["embedded"], None))
        for label, (wall, own, jvms), ratio in runs:
            ratio_text = f"  ratio {ratio:.2f}" if ratio is not None else ""
            print(f"{r['corpus']:10} {label:13} wall {wall:8.1f}  sotehaku {own:8.1f}  JVMs {jvms:8.1f}{ratio_text}")
    for r in rows:
        if r.get("analysis_beside"):
            print("\nWith --split-cores: each warm index run against the analysis alone run just after it beside a "
                  "neighbour\nprocess that kept the cluster's CPU as busy as the JVMs did during that index run")
            ratios = beside_ratios(r)
            for i, ((share, (wall, own, _jvms)), ratio) in enumerate(zip(r["analysis_beside"], ratios), start=1):
                print(f"{r['corpus']:10} warm {i}: neighbour busy {share:4.0%}  analysis wall {wall:8.1f}  sotehaku "
                      f"{own:8.1f}  index wall {r['solr_runs'][i][0]:8.1f}  ratio {ratio:.2f}")
            print(f"{r['corpus']:10} median ratio {statistics.median(ratios):.2f} (beside an idle CPU: "
                  f"{statistics.median(index_ratios(r)[1:]):.2f})")
    print(f"\nSearch through `sotehaku serve` (GET /api/search, anonymous, one request at a time): {args.search_rounds} "
          f"round(s) of {args.queries} new queries of 1-3 words, one server per backend; round 1 is the first after "
          "the index runs (a fresh cluster's JVMs have not yet compiled Solr's search code), steady is every "
          "request of the second half of the rounds")
    print(f"{'corpus':10} {'backend':9} {'round 1 p50/p95':>16} {'steady p50':>11} {'p95':>7} {'mean':>7}   each round's p95 (ms)")
    for r in rows:
        for backend in args.backends:
            rounds = r[f"{backend}_ms"]
            steady = [ms for times in rounds[len(rounds) // 2:] for ms in times]
            first = f"{percentile(rounds[0], 50):.1f}/{percentile(rounds[0], 95):.1f}"
            print(f"{r['corpus']:10} {backend:9} {first:>16} {percentile(steady, 50):11.1f} {percentile(steady, 95):7.1f} "
                  f"{statistics.fmean(steady):7.1f}   " + " ".join(f"{percentile(times, 95):.0f}" for times in rounds))
    for r in rows:
        if "solr_mrr" in r and "embedded_mrr" in r:
            print(f"\nMRR@10 on squad2-fi, first {args.mrr_queries} tune questions (SearchEngine.rank): "
                  f"embedded {r['embedded_mrr']:.4f}, SolrCloud {r['solr_mrr']:.4f}, "
                  f"difference {r['solr_mrr'] - r['embedded_mrr']:+.4f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the shared data directory (default ../shared/data)")
    parser.add_argument("--corpus", choices=("squad", "generated", "both"), default="both")
    parser.add_argument("--docs", type=int, default=200_000, help="documents of the generated corpus (default 200,000)")
    parser.add_argument("--generated", type=Path, metavar="FILE",
                        help="use this JSONL corpus of generate_corpus.py instead of generating --docs documents")
    parser.add_argument("--backends", default="embedded,solr",
                        help="the backends to index and search, comma-separated (default embedded,solr)")
    parser.add_argument("--procs", type=int, default=2, help="analysing processes for both backends (default 2)")
    parser.add_argument("--queries", type=int, default=300, help="search requests per round (default 300)")
    parser.add_argument("--search-rounds", type=int, default=8,
                        help="rounds of --queries new queries per backend and corpus, on one server; the second half "
                             "of them is the steady state (default 8)")
    parser.add_argument("--mrr-queries", type=int, default=3000, help="tune questions for MRR@10 (0: skip; default all 3,000)")
    parser.add_argument("--solr", help="node URLs of a running cluster (default: start the local one of the tests)")
    parser.add_argument("--nodes", type=int, default=2, help="Solr nodes of the local cluster (default 2)")
    parser.add_argument("--shards", type=int, default=2, help="shards of each collection, 1 replica each (default 2)")
    parser.add_argument("--index-rounds", type=int, default=2,
                        help="warm SolrCloud index runs after the cold one and the warm-ups, each between two analyses alone (default 2)")
    parser.add_argument("--warmup-rounds", type=int, default=2,
                        help="SolrCloud index runs after the cold one that are shown but not counted (default 2)")
    parser.add_argument("--split-cores", action="store_true",
                        help="run the cluster's JVMs on the last CPU and sotehaku on the others (give --procs to match)")
    args = parser.parse_args()
    args.backends = [b for b in ("embedded", "solr") if b in args.backends.split(",")]
    if not args.backends:
        sys.exit("--backends names neither embedded nor solr.")
    if not (args.data / "squad2-fi" / "corpus.jsonl").is_file():
        sys.exit(f"No squad2-fi in {args.data}: pass --data DIR or set SOTEHAKU_SHARED_DATA.")
    rounds = [round_sample(args.data, args.queries, i) for i in range(args.search_rounds)]
    work = Path(tempfile.mkdtemp(prefix="sotehaku-solr-bench-"))
    try:
        corpora = []
        if args.corpus in ("squad", "both"):
            squad_jsonl(args.data, work / "squad.jsonl")
            corpora.append(("squad", work / "squad.jsonl"))
        if args.corpus in ("generated", "both"):
            generated = args.generated
            if generated is None:
                generated = work / "generated.jsonl"
                with generated.open("w", encoding="utf-8") as out:
                    write_corpus(args.data, args.docs, DEFAULT_SEED, out)
            else:
                with generated.open("rb") as lines:
                    args.docs = sum(1 for _ in lines)
            corpora.append((f"gen{args.docs // 1000}k" if args.docs >= 1000 else f"gen{args.docs}", generated))
        if args.solr:
            args.nodes_text = f"running cluster {args.solr}, {args.shards} shards x 1 replica"
            rows = bench_corpora(corpora, work, args, args.solr.split(","), rounds)
        else:
            from backends.solr.cluster import LocalCluster

            args.nodes_text = f"local cluster: ZooKeeper + {args.nodes} Solr nodes, {args.shards} shards x 1 replica"
            say("starting the local SolrCloud cluster...")
            global CLUSTER_DIR
            CLUSTER_DIR = work / "cluster"
            with LocalCluster(CLUSTER_DIR, nodes=args.nodes) as cluster:
                rows = bench_corpora(corpora, work, args, cluster.node_urls, rounds)
        report(rows, args)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
