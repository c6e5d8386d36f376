"""Search and suggestion latency through the HTTP API on squad2-fi, against Whoosh's default query path.

Both indexes hold the 20,239 squad2-fi paragraphs and are served over HTTP on 127.0.0.1 by uvicorn in
their own processes, one request at a time:
- sotehaku: `sotehaku serve`, GET /api/search?q=... (strict then relaxed query, freshness, facets,
  did-you-mean, snippets) and GET /api/suggest?q=...;
- baseline: Whoosh's default path on a plain index of the same text (RegexTokenizer + LowercaseFilter):
  QueryParser("text").parse(q), searcher.search(limit=10), hit.highlights("text") for snippets; for
  suggestions, the index words with the prefix ranked by document frequency.
Queries are 1-3 consecutive content words of the squad2-fi questions, suggestions 3-6 letter prefixes of
their words, both drawn with a fixed seed.
Run: .venv/bin/python benchmarks/latency.py [--data ../shared/data] [--queries N]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
DEFAULT_DATA = HERE.parents[1] / "shared" / "data"
SOTEHAKU = Path(sys.executable).parent / "sotehaku"
WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")


QUERY_SEED = 7


def sample_queries(data: Path, n: int, seed: int = QUERY_SEED) -> tuple[list[str], list[str]]:
    """(1-3 word queries, completion prefixes) from the squad2-fi questions."""
    from indexer.analysis import FI_STOPWORDS

    rng = random.Random(seed)
    lines = (data / "squad2-fi" / "queries_tune.tsv").read_text(encoding="utf-8").splitlines()
    rng.shuffle(lines)
    queries, prefixes = [], []
    for line in lines:
        words = [w for w in WORD.findall(line.partition("\t")[2]) if w.lower() not in FI_STOPWORDS and len(w) > 2]
        if not words:
            continue
        k = rng.randint(1, min(3, len(words)))
        start = rng.randrange(len(words) - k + 1)
        queries.append(" ".join(words[start:start + k]))
        word = rng.choice(words).lower()
        if len(word) >= 4:
            prefixes.append(word[: rng.randint(3, min(6, len(word)))])
        if len(queries) >= n and len(prefixes) >= n:
            break
    return queries[:n], prefixes[:n]


def round_sample(data: Path, n: int, round_number: int) -> list[str]:
    """The 1-3 word queries of round `round_number` of a benchmark that searches in rounds (round 0: the
    default sample): each round has a seed of its own, so that a server's caches answer nothing from an
    earlier round."""
    return sample_queries(data, n, seed=QUERY_SEED + round_number)[0]


def write_corpus(data: Path, out: Path, n: int | None = None) -> int:
    """The first n squad2-fi paragraphs (all of them if n is None) as the JSONL `sotehaku import` reads."""
    count = 0
    with out.open("w", encoding="utf-8") as dst, (data / "squad2-fi" / "corpus.jsonl").open(encoding="utf-8") as src:
        for line in src:
            if n is not None and count >= n:
                break
            obj = json.loads(line)
            dst.write(json.dumps({"id": obj["id"], "text": obj["text"], "lang": "fi", "visibility": "public"}, ensure_ascii=False) + "\n")
            count += 1
    return count


def build_plain(corpus: Path, out: Path) -> None:
    """Stock Whoosh on plain tokens in one process (RegexTokenizer + LowercaseFilter, id and stored text):
    the baseline that issue 12 compares sotehaku's indexing and searching with."""
    from whoosh import index as whoosh_index
    from whoosh.analysis import LowercaseFilter, RegexTokenizer
    from whoosh.fields import ID, TEXT, Schema

    out.mkdir()
    schema = Schema(id=ID(stored=True, unique=True), text=TEXT(analyzer=RegexTokenizer() | LowercaseFilter(), stored=True))
    ix = whoosh_index.create_in(out, schema)
    writer = ix.writer(limitmb=256)
    with corpus.open(encoding="utf-8") as src:
        for line in src:
            obj = json.loads(line)
            writer.add_document(id=obj["id"], text=obj["text"])
    writer.commit()


def build_indexes(data: Path, work: Path) -> dict[str, float]:
    """The sotehaku data dir (store + index, as `sotehaku import` and `index` make them) and the plain index."""
    corpus = work / "corpus.jsonl"
    write_corpus(data, corpus)
    times = {}
    started = time.perf_counter()
    for args in (["import", str(corpus), "--source", "squad2-fi"], ["index"]):
        subprocess.run([str(SOTEHAKU), "--data-dir", str(work / "sotehaku"), *args], check=True, capture_output=True)
    times["sotehaku"] = time.perf_counter() - started
    started = time.perf_counter()
    build_plain(corpus, work / "plain")
    times["baseline"] = time.perf_counter() - started
    return times


def baseline_app(index_dir: str):
    """Whoosh's default query path behind FastAPI, as a site would first write it."""
    from fastapi import FastAPI
    from whoosh import index as whoosh_index
    from whoosh.qparser import QueryParser

    ix = whoosh_index.open_dir(index_dir)
    parser = QueryParser("text", ix.schema)
    app = FastAPI()

    @app.get("/search")
    def search(q: str):
        with ix.searcher() as searcher:
            results = searcher.search(parser.parse(q), limit=10)
            return {
                "total": len(results),
                "hits": [{"id": hit["id"], "score": hit.score, "snippet": hit.highlights("text")} for hit in results],
            }

    @app.get("/suggest")
    def suggest(q: str):
        with ix.searcher() as searcher:
            reader = searcher.reader()
            words = [t.decode("utf-8") for t in reader.expand_prefix("text", q.lower())]
            words.sort(key=lambda w: -reader.doc_frequency("text", w))
            return {"suggestions": words[:8]}

    return app


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start(command: list[str], url: str) -> subprocess.Popen:
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=1).status_code < 500:
                return process
        except httpx.TransportError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit(f"server did not start: {' '.join(command)}\n{process.stderr.read().decode()}")


def measure(client: httpx.Client, url: str, param_values: list[str], warmup: int = 30) -> list[float]:
    """Milliseconds per request, one at a time, after a warm-up."""
    for value in param_values[:warmup]:
        client.get(url, params={"q": value})
    times = []
    for value in param_values:
        started = time.perf_counter()
        response = client.get(url, params={"q": value})
        times.append((time.perf_counter() - started) * 1000)
        if response.status_code >= 500:
            raise SystemExit(f"{url}?q={value}: HTTP {response.status_code}")
    return times


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--queries", type=int, default=500)
    parser.add_argument("--work", type=Path, help="keep the built indexes here (default: a temp dir, removed)")
    parser.add_argument("--serve-baseline", nargs=2, metavar=("INDEX", "PORT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_baseline:
        import uvicorn

        uvicorn.run(baseline_app(args.serve_baseline[0]), host="127.0.0.1", port=int(args.serve_baseline[1]), log_level="warning")
        return
    work = args.work or Path(tempfile.mkdtemp(prefix="sotehaku-latency-"))
    try:
        if not (work / "plain").is_dir():
            work.mkdir(parents=True, exist_ok=True)
            built = build_indexes(args.data, work)
            print(f"built: sotehaku import+index {built['sotehaku']:.0f} s, baseline {built['baseline']:.0f} s")
        queries, prefixes = sample_queries(args.data, args.queries)
        ours_port, base_port = free_port(), free_port()
        ours = start([str(SOTEHAKU), "--data-dir", str(work / "sotehaku"), "serve", "--port", str(ours_port)],
                     f"http://127.0.0.1:{ours_port}/healthz")
        base = start([sys.executable, __file__, "--serve-baseline", str(work / "plain"), str(base_port)],
                     f"http://127.0.0.1:{base_port}/search?q=warm")
        try:
            with httpx.Client(timeout=30) as client:
                rows = [
                    ("search", "sotehaku", measure(client, f"http://127.0.0.1:{ours_port}/api/search", queries)),
                    ("search", "baseline", measure(client, f"http://127.0.0.1:{base_port}/search", queries)),
                    ("suggest", "sotehaku", measure(client, f"http://127.0.0.1:{ours_port}/api/suggest", prefixes)),
                    ("suggest", "baseline", measure(client, f"http://127.0.0.1:{base_port}/suggest", prefixes)),
                ]
        finally:
            for process in (ours, base):
                process.terminate()
                process.wait(timeout=10)
        print(f"\nLatency through HTTP on 127.0.0.1, squad2-fi ({len(queries)} queries of 1-3 words, {len(prefixes)} prefixes)")
        print(f"{'request':8} {'engine':9} {'p50 ms':>7} {'p95 ms':>7} {'mean ms':>8}")
        for kind, engine, times in rows:
            print(f"{kind:8} {engine:9} {percentile(times, 50):7.1f} {percentile(times, 95):7.1f} {statistics.fmean(times):8.1f}")
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    main()
