"""`sotehaku import` + `sotehaku index` against another checkout and against stock Whoosh, side by side.

Issue 12's goal: import plus index of squad2-fi's paragraphs, with Finnish analysis and the default
processes, no slower than stock Whoosh indexing the same paragraphs as plain tokens in one process.
Each round runs, alternating, in fresh processes:
- this checkout: `sotehaku import FILE` then `sotehaku index` into a new data dir (default processes);
- the baseline checkout (a commit before a change, its directory first on the module path): the same;
- stock Whoosh: RegexTokenizer + LowercaseFilter, id and stored text, `writer(limitmb=256)`, one process,
  reading the same JSONL file (as benchmarks/latency.py builds its baseline).
For each it prints wall time and CPU time (the process and its children: the index's worker processes),
import and index apart, and the load average; medians over the rounds. On a shared machine the CPU
seconds and their ratios are the figures to compare; wall time is the goal's measure on an idle one.
Ratios are taken within each round (the builds of a round run one after another, each round starting
with the next build in turn) and their median printed with the rounds' range: the speed of a shared
machine drifts by tens of percent over minutes, which a ratio of medians over all rounds would mix in.
Run: .venv/bin/python benchmarks/import_index.py [--baseline-ref main | --baseline DIR | --no-baseline] [--paragraphs N] [--rounds 1]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_DATA = Path(os.environ.get("SOTEHAKU_SHARED_DATA", HERE.parents[1] / "shared" / "data"))

# Runs the CLI of a checkout: its directory first on sys.path, so that its modules are the ones imported.
CLI = r"""
import sys
tree = sys.argv.pop(1)
sys.path.insert(0, tree)
from app.cli import main
assert sys.modules["app.cli"].__file__.startswith(tree), sys.modules["app.cli"].__file__
sys.argv[0] = "sotehaku"
main()
"""

# Stock Whoosh on plain tokens in one process (the goal's baseline), as benchmarks/latency.py builds it.
PLAIN = r"""
import sys
from pathlib import Path
sys.path.insert(0, sys.argv[3])
from latency import build_plain
build_plain(Path(sys.argv[1]), Path(sys.argv[2]))
"""


def timed(command: list[str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the command and its children) of one command, which must succeed."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{result.stdout}\n{result.stderr}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def run_sotehaku(tree: Path, corpus: Path, data_dir: Path) -> dict[str, float]:
    out = {}
    for step, args in (("import", ["import", str(corpus), "--source", "squad2-fi"]), ("index", ["index"])):
        wall, cpu = timed([sys.executable, "-c", CLI, str(tree), "--data-dir", str(data_dir), *args])
        out[f"{step} wall"], out[f"{step} cpu"] = wall, cpu
    out["wall"], out["cpu"] = out["import wall"] + out["index wall"], out["import cpu"] + out["index cpu"]
    return out


def run_plain(corpus: Path, index_dir: Path) -> dict[str, float]:
    wall, cpu = timed([sys.executable, "-c", PLAIN, str(corpus), str(index_dir), str(HERE)])
    return {"wall": wall, "cpu": cpu}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--paragraphs", type=int, help="the first N paragraphs (default: all 20,239)")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--baseline", type=Path, help="a checkout to compare with (e.g. `git archive COMMIT | tar -x -C DIR`)")
    parser.add_argument("--baseline-ref", default="main", help="without --baseline: the commit to compare with (default main)")
    parser.add_argument("--no-baseline", action="store_true", help="only this checkout against stock Whoosh")
    args = parser.parse_args()
    if not (args.data / "squad2-fi" / "corpus.jsonl").is_file():
        sys.exit(f"No squad2-fi data in {args.data}: pass --data DIR or set SOTEHAKU_SHARED_DATA.")
    with tempfile.TemporaryDirectory(prefix="sotehaku-import-index-") as tmp:
        work = Path(tmp)
        baseline = args.baseline
        label = str(args.baseline) if baseline else args.baseline_ref
        if baseline is None:
            baseline = work / "baseline"
            baseline.mkdir()
            archive = subprocess.run(["git", "archive", args.baseline_ref], cwd=HERE.parent, capture_output=True, check=True)
            subprocess.run(["tar", "-x", "-C", str(baseline)], input=archive.stdout, check=True)
            label = subprocess.run(["git", "rev-parse", "--short", args.baseline_ref], cwd=HERE.parent, capture_output=True,
                                   text=True, check=True).stdout.strip()
        corpus = work / "corpus.jsonl"
        sys.path.insert(0, str(HERE))
        from latency import write_corpus

        n = write_corpus(args.data, corpus, args.paragraphs)
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=HERE.parent, capture_output=True, text=True).stdout.strip()
        order = ["this", "whoosh"] if args.no_baseline else ["this", "baseline", "whoosh"]
        runs: dict[str, list[dict]] = {name: [] for name in order}
        loads = []
        names = {"this": f"this checkout ({head})", "baseline": f"baseline ({label})", "whoosh": "stock Whoosh, plain, 1 proc"}
        for r in range(args.rounds):
            loads.append(os.getloadavg()[0])
            # Each round starts with the next build, so that none is always first (or last) of a round.
            for name in order[r % len(order):] + order[: r % len(order)]:
                target = work / f"{name}-{r}"
                if name == "whoosh":
                    runs[name].append(run_plain(corpus, target))
                else:
                    runs[name].append(run_sotehaku(HERE.parent if name == "this" else baseline, corpus, target))
                print(f"round {r + 1}: {names[name]:28} wall {runs[name][-1]['wall']:6.1f} s, CPU {runs[name][-1]['cpu']:6.1f} s",
                      flush=True)
            loads.append(os.getloadavg()[0])
        median = {name: {k: statistics.median(run[k] for run in rs) for k in rs[0]} for name, rs in runs.items()}
    print(f"import + index of {n} squad2-fi paragraphs, {args.rounds} round(s), median; load average (1 min) "
          f"{min(loads):.1f}-{max(loads):.1f}, {os.cpu_count()} cores")
    print(f"{'build':28} {'wall s':>8} {'CPU s':>8} {'import wall':>12} {'import CPU':>11} {'index wall':>11} {'index CPU':>10}")
    for name, m in median.items():
        parts = "".join(f" {m[k]:>{w}.1f}" for k, w in (("import wall", 12), ("import cpu", 11), ("index wall", 11), ("index cpu", 10))) \
            if "import wall" in m else ""
        print(f"{names[name]:28} {m['wall']:8.1f} {m['cpu']:8.1f}{parts}")
    # The machine's speed drifts (a shared host): each ratio is taken within a round, builds that ran
    # minutes apart, and the rounds' ratios are summarised, rather than dividing medians of all rounds.
    pairs = [(names["this"], "this", "stock Whoosh", "whoosh")]
    if "baseline" in order:
        pairs += [(names["baseline"], "baseline", "stock Whoosh", "whoosh"), ("this", "this", "baseline", "baseline")]
    for label_a, a, label_b, b in pairs:
        print(f"{label_a} / {label_b}: wall {_ratios(runs, a, b, 'wall')}, CPU {_ratios(runs, a, b, 'cpu')}")


def _ratios(runs: dict[str, list[dict]], a: str, b: str, key: str) -> str:
    """The median of the rounds' ratios a/b of one figure, with the lowest and highest."""
    ratios = sorted(x[key] / y[key] for x, y in zip(runs[a], runs[b]))
    spread = f" (rounds {ratios[0]:.2f}-{ratios[-1]:.2f})" if len(ratios) > 1 else ""
    return f"{statistics.median(ratios):.2f}x{spread}"


if __name__ == "__main__":
    main()
