"""Concurrent load on `sotehaku serve`: four clients at once for 60 s must get no error; one client is the baseline.

The sample site (public pages and intranet) is crawled and indexed into a temporary data folder and
served by the real `sotehaku serve` in its own process on 127.0.0.1. Each client repeats a fixed mix of
GET /api/search (three result pages), GET /api/suggest and the search page GET /?q=..., one request at a
time. First one client runs for the duration (the baseline), then four at once; the table gives answers,
errors (transport failures and any status but 200), answers per second, latency percentiles and the
server's memory: its peak resident set over the run, and of it the part that is the process's own
(anonymous) rather than pages of the index's mapped files, which the kernel shares and can drop.

With --data-dir, a built data dir (e.g. generate_corpus.py's 200,000 documents) is served instead, and
the clients ask 1-3 word fragments of the squad2-fi questions and their prefixes (benchmarks/latency.py
draws them) instead of the fixed mix. That data dir is only read: the server runs on a temporary data
dir whose index is a link to it, and keeps its accounts and query log there.
Run: .venv/bin/python benchmarks/load.py [--seconds 60] [--data-dir DIR [--data ../shared/data]]
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
DEFAULT_DATA = Path(os.environ.get("SOTEHAKU_SHARED_DATA", HERE.parents[1] / "shared" / "data"))
SOTEHAKU = Path(sys.executable).parent / "sotehaku"
QUERIES = ["palveluseteli", "kotihoito", "sote", "hemvård", "palvelusetli", "työryhmä type:pdf", "sote -lapset",
           "hyvinvointialue", "asiakasmaksu", "home care"]


def build_data(data_dir: Path) -> None:
    """The demo's crawl of the sample site, indexed, as the tests build it."""
    from app.pipeline import crawl_sources, run_pipeline
    from corpus.sample import demo_sources, serve_sample_site

    with serve_sample_site() as url:
        run_pipeline(data_dir, crawl_sources(demo_sources(url)))


def link_data(big: Path, data_dir: Path) -> None:
    """A data dir of its own whose index is the built one's, which is only read."""
    if not (big / "index" / "CURRENT").is_file():
        sys.exit(f"No published index in {big}: build it with 'sotehaku --data-dir {big} index' first.")
    data_dir.mkdir()
    (data_dir / "index").symlink_to((big / "index").resolve(), target_is_directory=True)


def memory(pid: int) -> dict[str, float]:
    """A process's peak resident set and its anonymous resident part now, in MB (Linux /proc)."""
    fields = {}
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            name, _, value = line.partition(":")
            if name in ("VmHWM", "RssAnon"):
                fields[name] = int(value.split()[0]) / 1024
    return fields


def start_server(data_dir: Path) -> tuple[subprocess.Popen, str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    process = subprocess.Popen([str(SOTEHAKU), "--data-dir", str(data_dir), "serve", "--port", str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                return process, url
        except httpx.TransportError:
            time.sleep(0.2)
    process.kill()
    sys.exit("sotehaku serve did not start in 60 s")


def run_clients(url: str, clients: int, seconds: float, pid: int, queries: list[str] = QUERIES,
                prefixes: list[str] | None = None) -> dict:
    """Answers, errors and latencies of `clients` clients asking one request at a time for `seconds`,
    and the server's memory (sampled every 0.2 s)."""
    latencies: list[list[float]] = [[] for _ in range(clients)]
    errors: list[str] = []
    stop = time.monotonic() + seconds
    own = 0.0  # the largest anonymous part seen; the kernel keeps the peak resident set (VmHWM)

    def client(n: int) -> None:
        with httpx.Client(base_url=url, timeout=30) as http:
            i = n
            while time.monotonic() < stop:
                q = queries[i % len(queries)]
                prefix = prefixes[i % len(prefixes)] if prefixes else q[:4]
                for path, params in (("/api/search", {"q": q, "page": 1 + i % 3}), ("/api/suggest", {"q": prefix}), ("/", {"q": q})):
                    started = time.perf_counter()
                    try:
                        status = http.get(path, params=params).status_code
                    except httpx.HTTPError as exc:
                        errors.append(f"{path}: {exc!r}")
                        continue
                    latencies[n].append(time.perf_counter() - started)
                    if status != 200:
                        errors.append(f"{path} {params}: {status}")
                i += clients

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    while any(thread.is_alive() for thread in threads):
        own = max(own, memory(pid)["RssAnon"])
        time.sleep(0.2)
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    every = sorted(t for per_client in latencies for t in per_client)
    cuts = statistics.quantiles(every, n=100) if len(every) > 1 else [every[0]] * 99
    return {
        "answers": len(every), "errors": len(errors), "first_errors": errors[:3], "per_second": len(every) / elapsed,
        "p50": cuts[49] * 1000, "p95": cuts[94] * 1000, "max": every[-1] * 1000,
        "least_served": min(len(per_client) for per_client in latencies),
        "anon": own, "hwm": memory(pid)["VmHWM"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="how long each run lasts (default 60)")
    parser.add_argument("--data-dir", type=Path, help="serve this built data dir (only read) instead of the sample site's")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the shared data (squad2-fi questions), with --data-dir")
    args = parser.parse_args()
    queries, prefixes = QUERIES, None
    if args.data_dir:
        sys.path.insert(0, str(HERE))
        from latency import sample_queries

        queries, prefixes = sample_queries(args.data, 500)
    with tempfile.TemporaryDirectory(prefix="sotehaku-load-") as work:
        data_dir = Path(work) / "data"
        if args.data_dir:
            link_data(args.data_dir, data_dir)
        else:
            build_data(data_dir)
        process, url = start_server(data_dir)
        try:
            rows = [(n, run_clients(url, n, args.seconds, process.pid, queries, prefixes)) for n in (1, 4)]
        finally:
            process.terminate()
            process.wait(timeout=30)
    load = os.getloadavg()
    print(f"Load on sotehaku serve ({args.data_dir or 'sample site index'}), {args.seconds:.0f} s per run, "
          f"load average {load[0]:.2f}")
    print(f"{'clients':>7} {'answers':>8} {'errors':>6} {'answers/s':>9} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7} "
          f"{'least served client':>19} {'peak RSS MB':>11} {'own MB':>7}")
    for clients, row in rows:
        print(f"{clients:>7} {row['answers']:>8} {row['errors']:>6} {row['per_second']:>9.1f} {row['p50']:>7.1f} "
              f"{row['p95']:>7.1f} {row['max']:>7.0f} {row['least_served']:>19} {row['hwm']:>11.0f} {row['anon']:>7.0f}")
        for error in row["first_errors"]:
            print(f"        error: {error}")
    if any(row["errors"] for _, row in rows):
        sys.exit("errors under load")


if __name__ == "__main__":
    main()
