"""Search latency through the HTTP API (`sotehaku serve`, GET /api/search) of this checkout and, optionally,
another one on copies of the same data dir, side by side, with the server's CPU time per request.

Each checkout serves its own copy of the data dir (the server writes its query log there; the given data
dir is only read) from a fresh process on 127.0.0.1; one client asks latency.py's 1-3 word queries one at
a time after 30 warm-up requests. Printed per checkout: wall percentiles and the server process's CPU
milliseconds per request (user + system, from /proc), which stay comparable on a loaded machine. With
--baseline the checkouts alternate over --rounds and the table gives medians.
With SOTEHAKU_SOLR set, both serve that SolrCloud index; --fresh-queries and --baseline-solr as in
search_inprocess.py.
Run: .venv/bin/python benchmarks/search_http.py --data-dir DIR [--baseline CHECKOUT] [--queries 300]
     [--rounds N] [--fresh-queries] [--baseline-solr URL,...]
"""

from __future__ import annotations

import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
SERVE = "import sys; sys.path.insert(0, sys.argv.pop(1)); from app.cli import main; main()"


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_checkout(tree: Path, data_dir: Path, queries: list[str], solr: str | None = None) -> dict:
    sys.path.insert(0, str(HERE))
    from latency import free_port, percentile, start

    port = free_port()
    options = ["--solr", solr] if solr else []
    command = [sys.executable, "-c", SERVE, str(tree), "--data-dir", str(data_dir), *options, "serve", "--port", str(port)]
    url = f"http://127.0.0.1:{port}"
    server = start(command, f"{url}/healthz")
    try:
        with httpx.Client(timeout=60) as client:
            for text in queries[:30]:
                client.get(f"{url}/api/search", params={"q": text})
            cpu = cpu_seconds(server.pid)
            wall = []
            for text in queries:
                started = time.perf_counter()
                response = client.get(f"{url}/api/search", params={"q": text})
                wall.append((time.perf_counter() - started) * 1000)
                if response.status_code >= 500:
                    sys.exit(f"{tree}: /api/search?q={text}: HTTP {response.status_code}")
            cpu = cpu_seconds(server.pid) - cpu
    finally:
        server.terminate()
        server.wait(timeout=20)
    return {"p50": percentile(wall, 50), "p95": percentile(wall, 95), "max": max(wall), "mean": statistics.fmean(wall),
            "server CPU ms/req": 1000 * cpu / len(queries)}


def main() -> None:
    sys.path.insert(0, str(HERE))
    from search_inprocess import round_queries, side_by_side

    args, sampled, trees = side_by_side(__doc__.splitlines()[0], 300, "a data dir with a built index (copied, only read)",
                                        "another checkout to serve a copy of the same data dir")
    work = Path(tempfile.mkdtemp(prefix="sotehaku-http-"))
    try:
        runs: dict[str, list[dict]] = {name: [] for name in trees}
        for round_number in range(args.rounds):
            order = list(trees) if round_number % 2 == 0 else list(reversed(trees))
            queries = round_queries(args, sampled, round_number)
            for name in order:
                copy = work / name
                if not copy.exists():
                    shutil.copytree(args.data_dir, copy)
                result = run_checkout(trees[name], copy, queries, args.solr[name])
                runs[name].append(result)
                print(f"round {round_number + 1} {name:<8} p50 {result['p50']:.1f} p95 {result['p95']:.1f} ms, "
                      f"server CPU {result['server CPU ms/req']:.1f} ms/request", flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    load = os.getloadavg()
    print(f"\nGET /api/search through HTTP on 127.0.0.1, one client, {len(queries)} queries of 1-3 words, "
          f"{args.data_dir}; median of {args.rounds} round(s); load average {load[0]:.2f}")
    keys = ["p50", "p95", "max", "mean", "server CPU ms/req"]
    print(f"{'checkout':<10}" + "".join(f"{k:>19}" for k in keys))
    for name, results in runs.items():
        print(f"{name:<10}" + "".join(f"{statistics.median(r[k] for r in results):>19.1f}" for k in keys))


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    main()
