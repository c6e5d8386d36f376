"""Concurrent load on `sotehaku serve`: four clients at once for 60 s must get no error; one client is the baseline.

The sample site (public pages and intranet) is crawled and indexed into a temporary data folder and
served by the real `sotehaku serve` in its own process on 127.0.0.1. Each client repeats a fixed mix of
GET /api/search (three result pages), GET /api/suggest and the search page GET /?q=..., one request at a
time. First one client runs for the duration (the baseline), then four at once; the table gives answers,
errors (transport failures and any status but 200), answers per second and latency percentiles.
Run: .venv/bin/python benchmarks/load.py [--seconds 60]
"""

from __future__ import annotations

import argparse
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

SOTEHAKU = Path(sys.executable).parent / "sotehaku"
QUERIES = ["palveluseteli", "kotihoito", "sote", "hemvård", "palvelusetli", "työryhmä type:pdf", "sote -lapset",
           "hyvinvointialue", "asiakasmaksu", "home care"]


def build_data(data_dir: Path) -> None:
    """The demo's crawl of the sample site, indexed, as the tests build it."""
    from app.pipeline import crawl_sources, run_pipeline
    from corpus.sample import demo_sources, serve_sample_site

    with serve_sample_site() as url:
        run_pipeline(data_dir, crawl_sources(demo_sources(url)))


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


def run_clients(url: str, clients: int, seconds: float) -> dict:
    """Answers, errors and latencies of `clients` clients asking one request at a time for `seconds`."""
    latencies: list[list[float]] = [[] for _ in range(clients)]
    errors: list[str] = []
    stop = time.monotonic() + seconds

    def client(n: int) -> None:
        with httpx.Client(base_url=url, timeout=30) as http:
            i = n
            while time.monotonic() < stop:
                q = QUERIES[i % len(QUERIES)]
                for path, params in (("/api/search", {"q": q, "page": 1 + i % 3}), ("/api/suggest", {"q": q[:4]}), ("/", {"q": q})):
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
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    every = sorted(t for per_client in latencies for t in per_client)
    cuts = statistics.quantiles(every, n=100) if len(every) > 1 else [every[0]] * 99
    return {
        "answers": len(every), "errors": len(errors), "first_errors": errors[:3], "per_second": len(every) / elapsed,
        "p50": cuts[49] * 1000, "p95": cuts[94] * 1000, "least_served": min(len(per_client) for per_client in latencies),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="how long each run lasts (default 60)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="sotehaku-load-") as work:
        data_dir = Path(work) / "data"
        build_data(data_dir)
        process, url = start_server(data_dir)
        try:
            rows = [(n, run_clients(url, n, args.seconds)) for n in (1, 4)]
        finally:
            process.terminate()
            process.wait(timeout=30)
    print(f"Load on sotehaku serve (sample site index), {args.seconds:.0f} s per run")
    print(f"{'clients':>7} {'answers':>8} {'errors':>6} {'answers/s':>9} {'p50 ms':>7} {'p95 ms':>7} {'least served client':>19}")
    for clients, row in rows:
        print(f"{clients:>7} {row['answers']:>8} {row['errors']:>6} {row['per_second']:>9.1f} {row['p50']:>7.1f} "
              f"{row['p95']:>7.1f} {row['least_served']:>19}")
        for error in row["first_errors"]:
            print(f"        error: {error}")
    if any(row["errors"] for _, row in rows):
        sys.exit("errors under load")


if __name__ == "__main__":
    main()
