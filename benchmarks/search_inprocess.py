"""In-process search latency and memory of `SearchEngine.search` on a built data dir, optionally against
another checkout on the same data dir, side by side.

Each checkout runs in a fresh process that opens the data dir's index (`app.backend.open_engine`), warms
up on 30 queries, then asks page 1 with facets, anonymously, for each query: 1-3 consecutive content
words of the squad2-fi questions drawn as benchmarks/latency.py draws them. Printed per checkout: wall
and CPU latency percentiles, the worst query, and the process's peak RSS (ru_maxrss, which includes
opening the index). With --baseline the checkouts alternate over --rounds and the table gives medians.
The data dir is only read. Build one with `sotehaku --data-dir DIR import CORPUS; sotehaku --data-dir DIR
index` (squad2-fi: benchmarks/latency.py --work keeps its own; 200,000 documents: generate_corpus.py).
With SOTEHAKU_SOLR set, both checkouts search that SolrCloud index (the data dir then gives the lexicon);
--fresh-queries draws new queries each round, so that Solr's caches answer nothing from an earlier round;
--baseline-solr URL,... has the baseline search another SolrCloud index (with no --baseline, this checkout
against itself: two layouts of one corpus, such as 1 shard x 2 replicas against 2 shards x 1 replica).
Run: .venv/bin/python benchmarks/search_inprocess.py --data-dir DIR [--baseline CHECKOUT] [--queries 500]
     [--rounds N] [--fresh-queries] [--baseline-solr URL,...]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_DATA = Path(os.environ.get("SOTEHAKU_SHARED_DATA", HERE.parents[1] / "shared" / "data"))

# Runs inside the measured checkout: its directory comes first on sys.path.
PROBE = r"""
import json, resource, sys, time
tree, data_dir, queries = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
sys.path.insert(0, tree)
from app.backend import open_engine
from search import SearchError
engine = open_engine(data_dir)
opened = time.perf_counter()
engine.search("hyvinvointialue")
opened = time.perf_counter() - opened
for text in queries[:30]:
    try:
        engine.search(text)
    except SearchError:
        pass
wall, cpu = [], []
for text in queries:
    w, c = time.perf_counter(), time.process_time()
    try:
        engine.search(text)
    except SearchError:  # a query of only very common words, refused by older releases
        pass
    wall.append((time.perf_counter() - w) * 1000)
    cpu.append((time.process_time() - c) * 1000)
print(json.dumps({"wall": wall, "cpu": cpu, "open_s": opened, "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def probe(tree: Path, data_dir: Path, queries: list[str], solr: str | None = None) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", PROBE, str(tree), str(data_dir), json.dumps(queries)],
        capture_output=True, text=True, cwd=tree,
        env={**os.environ, "PYTHONHASHSEED": "0", **({"SOTEHAKU_SOLR": solr} if solr else {})},
    )
    if result.returncode:
        sys.exit(f"The run in {tree} failed:\n{result.stderr}")
    out = json.loads(result.stdout.strip().splitlines()[-1])
    worst = max(range(len(queries)), key=lambda i: out["wall"][i])
    return {
        "p50": percentile(out["wall"], 50), "p95": percentile(out["wall"], 95), "p99": percentile(out["wall"], 99),
        "max": out["wall"][worst], "cpu p50": percentile(out["cpu"], 50), "cpu p95": percentile(out["cpu"], 95),
        "cpu mean": statistics.fmean(out["cpu"]), "open s": out["open_s"], "rss MB": out["rss_mb"],
        "worst": queries[worst],
    }


def side_by_side(description: str, queries: int, data_dir_help: str, baseline_help: str):
    """The command line of a benchmark that runs this checkout and, optionally, a baseline checkout on
    one built data dir: (its arguments, the sampled queries, {name: checkout}), the baseline first."""
    sys.path.insert(0, str(HERE))
    from latency import sample_queries

    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--data-dir", type=Path, required=True, help=data_dir_help)
    parser.add_argument("--baseline", type=Path, help=baseline_help)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the shared data (squad2-fi questions)")
    parser.add_argument("--queries", type=int, default=queries)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--fresh-queries", action="store_true",
                        help="a new sample of queries each round (the same for every checkout), so that a server's "
                             "own caches (SolrCloud's) answer nothing from an earlier round")
    parser.add_argument("--baseline-solr", metavar="URL,...",
                        help="the baseline (this checkout, unless --baseline names another) searches this SolrCloud "
                             "index, and this checkout SOTEHAKU_SOLR's: e.g. two layouts of the same documents")
    args = parser.parse_args()
    sampled, _ = sample_queries(args.data, args.queries)
    trees = {"this": HERE.parent}
    if args.baseline or args.baseline_solr:
        trees = {"baseline": (args.baseline or HERE.parent).resolve(), **trees}
    # The SolrCloud index each checkout searches (None: SOTEHAKU_SOLR's, or the embedded one).
    args.solr = {"baseline": args.baseline_solr, "this": None}
    return args, sampled, trees


def round_queries(args, sampled: list[str], round_number: int) -> list[str]:
    """The queries of a round: those sampled, or with --fresh-queries a sample of the round's own."""
    if not args.fresh_queries or round_number == 0:
        return sampled
    from latency import round_sample

    return round_sample(args.data, args.queries, round_number)


def main() -> None:
    args, sampled, trees = side_by_side(__doc__.splitlines()[0], 500, "a data dir with a built index (only read)",
                                        "another checkout to measure on the same data dir")
    runs: dict[str, list[dict]] = {name: [] for name in trees}
    for round_number in range(args.rounds):
        order = list(trees) if round_number % 2 == 0 else list(reversed(trees))
        queries = round_queries(args, sampled, round_number)
        for name in order:
            result = probe(trees[name], args.data_dir.resolve(), queries, args.solr[name])
            runs[name].append(result)
            print(f"round {round_number + 1} {name:<8} p50 {result['p50']:.1f} p95 {result['p95']:.1f} ms, "
                  f"max {result['max']:.0f} ms ({result['worst']!r}), rss {result['rss MB']:.0f} MB", flush=True)
    load = os.getloadavg()
    print(f"\nIn-process SearchEngine.search, page 1 with facets, anonymous, {len(queries)} queries of 1-3 words, "
          f"{args.data_dir}; median of {args.rounds} round(s); load average {load[0]:.2f}")
    keys = ["p50", "p95", "p99", "max", "cpu p50", "cpu p95", "cpu mean", "open s", "rss MB"]
    print(f"{'checkout':<10}" + "".join(f"{k:>10}" for k in keys))
    for name, results in runs.items():
        print(f"{name:<10}" + "".join(f"{statistics.median(r[k] for r in results):>10.1f}" for k in keys))


if __name__ == "__main__":
    main()
