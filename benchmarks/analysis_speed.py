"""Analysis and indexing speed of this checkout against another one (the commit before a change), side by side.

Each round runs, in a fresh process per checkout and alternating between them, (1) the Finnish and
folded analyzers as the index calls them (through Whoosh) over N squad2-fi paragraphs twice: a cold
pass that fills the Voikko caches and a warm pass that shows the pipeline's own cost; (2) a
single-process index build of the same paragraphs. It also prints the terms both analyzers emit per
word of text and the size of the built index. Times are the process's CPU time, which other
work on a shared machine disturbs far less than wall-clock time; medians over the rounds are printed.
Run: .venv/bin/python benchmarks/analysis_speed.py --baseline DIR [--paragraphs 5000] [--rounds 3]
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
import json, sys, tempfile, time
tree, data, n, task = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
sys.path.insert(0, tree)
import os
if os.path.exists(tree + "/backends/whoosh/writer.py"):  # where index builds live since issue 9
    from backends.whoosh.writer import build_index
else:
    from indexer.build import build_index
assert build_index.__code__.co_filename.startswith(tree), build_index.__code__.co_filename
from corpus.document import Document
texts = []
with open(data + "/squad2-fi/corpus.jsonl", encoding="utf-8") as handle:
    for line in handle:
        texts.append(json.loads(line)["text"])
        if len(texts) >= n:
            break
out = {}
if task == "analysis":
    import os
    if os.path.exists(tree + "/backends/whoosh/analysis.py"):  # the adapters the index uses since issue 9
        from backends.whoosh.analysis import finnish_analyzer, folded_analyzer
    else:
        from indexer.analysis import finnish_analyzer, folded_analyzer
    assert finnish_analyzer.__code__.co_filename.startswith(tree)
    analyzers = (finnish_analyzer(), folded_analyzer())
    for name in ("cold", "warm"):
        started, tokens = time.process_time(), 0
        for text in texts:
            for analyzer in analyzers:
                for t in analyzer(text, positions=True, chars=True, mode="index"):
                    tokens += 1
        out[name] = time.process_time() - started
    out["tokens"] = tokens
    import re
    out["words"] = sum(len(re.findall(r"\w+(?:[-:]\w+)*-?", text)) for text in texts)
else:
    docs = [Document(id=str(i), text=text, lang="fi", source="squad2-fi") for i, text in enumerate(texts)]
    with tempfile.TemporaryDirectory() as work:
        started = time.process_time()
        build_index(docs, work)
        out["build"] = time.process_time() - started
        out["bytes"] = sum(f.stat().st_size for f in __import__("pathlib").Path(work).rglob("*") if f.is_file())
print(json.dumps(out))
"""


def probe(tree: Path, data: Path, n: int, task: str) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", PROBE, str(tree), str(data), str(n), task], capture_output=True, text=True, cwd=tree
    )
    if result.returncode:
        sys.exit(f"The {task} run in {tree} failed:\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", type=Path, required=True, help="a checkout of the commit to compare with")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--paragraphs", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if not (args.baseline / "indexer" / "analysis.py").is_file():
        sys.exit(f"{args.baseline} is not a sotehaku checkout: make one with `git archive COMMIT | tar -x -C DIR`.")
    trees = {"baseline": args.baseline.resolve(), "this": HERE.parent}
    results: dict[str, list[dict]] = {name: [] for name in trees}
    for round_ in range(args.rounds):
        for name, tree in (trees.items() if round_ % 2 == 0 else reversed(trees.items())):
            measured = probe(tree, args.data, args.paragraphs, "analysis") | probe(tree, args.data, args.paragraphs, "build")
            results[name].append(measured)
            shown = {k: v for k, v in measured.items() if k not in ("tokens", "words", "bytes")}
            print(f"round {round_ + 1} {name:<9} " + " ".join(f"{k} {v:.2f}" for k, v in shown.items()), flush=True)
    print(f"\n{args.paragraphs} squad2-fi paragraphs, median of {args.rounds} rounds (CPU s)")
    print(
        f"{'checkout':<10} {'analysis cold':>14} {'analysis warm':>14} {'index build':>12} {'tokens':>9}"
        f" {'terms/word':>11} {'index MB':>9}"
    )
    medians = {}
    for name, rows in results.items():
        medians[name] = {k: statistics.median(r[k] for r in rows) for k in ("cold", "warm", "build")}
        m, first = medians[name], rows[0]
        print(
            f"{name:<10} {m['cold']:>14.2f} {m['warm']:>14.2f} {m['build']:>12.2f} {first['tokens']:>9,}"
            f" {first['tokens'] / first['words']:>11.3f} {first['bytes'] / 1e6:>9.2f}"
        )
    ratio = {k: medians["this"][k] / medians["baseline"][k] for k in ("cold", "warm", "build")}
    print(f"{'ratio':<10} {ratio['cold']:>14.2f} {ratio['warm']:>14.2f} {ratio['build']:>12.2f}")


if __name__ == "__main__":
    main()
