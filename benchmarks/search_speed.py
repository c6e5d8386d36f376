"""Search and ranking speed of this checkout against another one (the commit before a change), side by side.

Each round runs, in a fresh process per checkout and alternating their order, an index build of the
first N squad2-fi paragraphs (not timed) and then, timed in CPU seconds of the process: page 1 with
facets (`SearchEngine.search`) for the first Q tune questions cut to their first three words (what
people type), batch ranking (`SearchEngine.rank`) of the full questions, and completions of the first
word's first four letters. Medians over the rounds are printed. CPU time, not wall time, so that a
shared machine changes the figures less.
Run: .venv/bin/python benchmarks/search_speed.py --baseline DIR [--paragraphs 5000] [--queries 300] [--rounds 3]
where DIR holds the other checkout, e.g. `git archive 24c360e | tar -x -C DIR`.
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
import json, os, sys, tempfile, time
tree, data, n, q = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
sys.path.insert(0, tree)
from corpus.document import Document
if os.path.exists(tree + "/backends/whoosh/writer.py"):  # the layout since issue 9
    from backends.whoosh.writer import build_index
    from app.backend import open_engine
else:
    from indexer.build import build_index
    from search.engine import SearchEngine as open_engine
assert build_index.__code__.co_filename.startswith(tree)
docs = []
with open(data + "/squad2-fi/corpus.jsonl", encoding="utf-8") as handle:
    for line in handle:
        record = json.loads(line)
        docs.append(Document(id=record["id"], text=record["text"], lang="fi", source="squad2-fi"))
        if len(docs) >= n:
            break
questions = []
with open(data + "/squad2-fi/queries_tune.tsv", encoding="utf-8") as handle:
    for line in handle:
        questions.append(line.rstrip("\n").split("\t", 1)[1])
        if len(questions) >= q:
            break
out = {}
with tempfile.TemporaryDirectory() as work:
    build_index(docs, work)
    engine = open_engine(work)
    engine.search("hyvinvointialue")  # open the version: not part of any query's cost
    typed = [" ".join(w for w in question.replace("?", " ").split()[:3]) for question in questions]
    started = time.process_time()
    for text in typed:
        try:
            engine.search(text)
        except Exception:  # a question of only common words: refused by the older release
            pass
    out["search"] = (time.process_time() - started) / len(typed) * 1000
    started = time.process_time()
    for text in questions:
        engine.rank(text, limit=100)
    out["rank"] = (time.process_time() - started) / len(questions) * 1000
    started = time.process_time()
    for text in typed:
        engine.suggest(text.split()[0][:4] if text.split() else "hyvi")
    out["suggest"] = (time.process_time() - started) / len(typed) * 1000
print(json.dumps(out))
"""


def probe(tree: Path, data: Path, n: int, q: int) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", PROBE, str(tree), str(data), str(n), str(q)], capture_output=True, text=True, cwd=tree
    )
    if result.returncode:
        sys.exit(f"The run in {tree} failed:\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", type=Path, required=True, help="the other checkout")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--paragraphs", type=int, default=5000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    trees = {"baseline": args.baseline.resolve(), "this": HERE.parent}
    runs: dict[str, list[dict]] = {name: [] for name in trees}
    for round_number in range(args.rounds):
        order = list(trees) if round_number % 2 == 0 else list(reversed(trees))
        for name in order:
            result = probe(trees[name], args.data, args.paragraphs, args.queries)
            runs[name].append(result)
            print(f"round {round_number + 1} {name:<8} " + " ".join(f"{k} {v:.2f}" for k, v in result.items()), flush=True)
    print(f"\n{args.paragraphs} squad2-fi paragraphs, {args.queries} questions, median of {args.rounds} rounds (CPU ms per call)")
    print(f"{'checkout':<10} {'search':>8} {'rank':>8} {'suggest':>8}")
    medians = {name: {k: statistics.median(r[k] for r in results) for k in results[0]} for name, results in runs.items()}
    for name, m in medians.items():
        print(f"{name:<10} {m['search']:>8.2f} {m['rank']:>8.2f} {m['suggest']:>8.2f}")
    ratio = {k: medians["this"][k] / medians["baseline"][k] for k in medians["this"]}
    print(f"{'ratio':<10} {ratio['search']:>8.2f} {ratio['rank']:>8.2f} {ratio['suggest']:>8.2f}")


if __name__ == "__main__":
    main()
