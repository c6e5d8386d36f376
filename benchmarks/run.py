"""Run every benchmark in one go (`make bench`); results and commands are kept in benchmarks/RESULTS.md.

Each benchmark compares sotehaku with its baselines side by side in the same run.
Run: .venv/bin/python benchmarks/run.py [--data ../shared/data] [--quick]
"""

from __future__ import annotations

import argparse
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_DATA = HERE.parents[1] / "shared" / "data"
REDESIGN_BASELINE = "24c360e"  # the last commit before the core redesign of issue 9


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the shared evaluation data (default ../shared/data)")
    parser.add_argument("--quick", action="store_true", help="retrieval on the first 300 questions only")
    parser.add_argument("--big-data-dir", type=Path, help="a built data dir of generate_corpus.py's 200,000 documents: "
                        "in-process search latency and memory, and the load on sotehaku serve, there too "
                        "(only read; build: see benchmarks/RESULTS.md)")
    args = parser.parse_args()
    if not (args.data / "squad2-fi" / "corpus.jsonl").is_file():
        sys.exit(f"No evaluation data in {args.data}: put the shared data there or pass --data DIR.")
    print(f"sotehaku benchmarks, {time.strftime('%Y-%m-%d %H:%M')}, Python {platform.python_version()}, {platform.machine()}\n")
    work_dir = tempfile.TemporaryDirectory(prefix="sotehaku-bench-")  # data dirs shared by benchmarks, removed at the end
    work = Path(work_dir.name)
    commands = [
        [sys.executable, str(HERE / "crawling.py")],
        [sys.executable, str(HERE / "formats.py"), *(["--paragraphs", "20000"] if args.quick else [])],
        [sys.executable, str(HERE / "hostile_site.py"), *(["--bomb-mb", "200"] if args.quick else [])],
        [sys.executable, str(HERE / "lemmas.py"), "--data", str(args.data)],
        [sys.executable, str(HERE / "extraction.py"), "--data", str(args.data)],
        [sys.executable, str(HERE / "retrieval.py"), "--data", str(args.data), *(["--queries", "300"] if args.quick else [])],
        # HTTP latency, keeping its squad2-fi data dir for the in-process search benchmark that follows.
        [sys.executable, str(HERE / "latency.py"), "--data", str(args.data), "--work", str(work / "latency"),
         *(["--queries", "200"] if args.quick else [])],
        [sys.executable, str(HERE / "search_inprocess.py"), "--data", str(args.data), "--data-dir", str(work / "latency" / "sotehaku"),
         *(["--queries", "200"] if args.quick else [])],
        *([[sys.executable, str(HERE / "search_inprocess.py"), "--data", str(args.data), "--data-dir", str(args.big_data_dir),
            *(["--queries", "200"] if args.quick else [])]] if args.big_data_dir else []),
        [sys.executable, str(HERE / "load.py"), *(["--seconds", "15"] if args.quick else [])],
        # The same load on the 200,000 documents: latency and the server's memory under 4 clients.
        *([[sys.executable, str(HERE / "load.py"), "--data-dir", str(args.big_data_dir), "--data", str(args.data),
            *(["--seconds", "15"] if args.quick else [])]] if args.big_data_dir else []),
        # `sotehaku import` + `index` against main's checkout and stock Whoosh on plain tokens (issue 12).
        [sys.executable, str(HERE / "import_index.py"), "--data", str(args.data), *(["--paragraphs", "5000"] if args.quick else [])],
        # Embedded index against SolrCloud (a local cluster of Java processes): squad2-fi and a generated corpus.
        [sys.executable, str(HERE / "solr_vs_embedded.py"), "--data", str(args.data),
         *(["--docs", "20000", "--queries", "100", "--search-rounds", "2", "--mrr-queries", "300", "--index-rounds", "1", "--warmup-rounds", "0"] if args.quick else [])],
    ]
    with tempfile.TemporaryDirectory(prefix="sotehaku-baseline-") as baseline, work_dir:
        # The commit before the core redesign (issue 9): analysis, indexing and search speed side by side.
        archive = subprocess.run(["git", "archive", REDESIGN_BASELINE], cwd=HERE.parent, capture_output=True, check=True)
        subprocess.run(["tar", "-x", "-C", baseline], input=archive.stdout, check=True)
        commands += [
            [sys.executable, str(HERE / "analysis_speed.py"), "--baseline", baseline, "--data", str(args.data)],
            [sys.executable, str(HERE / "search_speed.py"), "--baseline", baseline, "--data", str(args.data)],
        ]
        for command in commands:
            sys.stdout.flush()
            subprocess.run(command, check=True)
            print()


if __name__ == "__main__":
    main()
