"""Main-text extraction quality and speed: sotehaku's parser, trafilatura and bare get_text() side by side.

Data: ../shared/data/extraction (or $SOTEHAKU_SHARED_DATA/extraction, or --data): half of trafilatura's
evaluation set, saved pages with snippets that must ("with") and must not ("without") be in the main text.
Scoring as trafilatura's evaluation does (see the data's README): whitespace is normalised; a "with" snippet
found in title + text is a true positive, else a false negative; a "without" snippet found is a false
positive, else a true negative; precision, recall and F1 over all snippets of all pages. A page for which an
extractor produces no document (or raises) scores as empty text, and is counted and named.
Time is wall time per page of each extractor's whole call on bytes already in memory (sotehaku's includes
decoding, metadata, dates and links), the median of --rounds passes, extractors interleaved page by page.
Run: .venv/bin/python benchmarks/extraction.py [--data DIR] [--limit N] [--rounds R]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import trafilatura
from bs4 import BeautifulSoup, XMLParsedAsHTMLWarning

from corpus.parse import ParseError, parse_document

warnings.filterwarnings("ignore", category=XMLParsedAsHTMLWarning)  # a few pages are XHTML
HERE = Path(__file__).resolve().parent
DEFAULT_DATA = Path(os.environ.get("SOTEHAKU_SHARED_DATA") or HERE.parents[1] / "shared" / "data")


@dataclass
class Score:
    """Counts of one extractor over the benchmark."""

    tp: int = 0
    fn: int = 0
    fp: int = 0
    tn: int = 0
    seconds: list[float] = field(default_factory=list)
    empty: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def normalise(text: str) -> str:
    return " ".join(text.split())


def sotehaku(content: bytes, url: str) -> str:
    doc = parse_document(content, url, content_type="text/html").document
    return f"{doc.title}\n{doc.text}" if doc else ""


def trafilatura_default(content: bytes, url: str) -> str:
    """trafilatura with its default settings, as the data's README measures it (main text, no metadata)."""
    return trafilatura.extract(content, url=url) or ""


def get_text(content: bytes, url: str) -> str:
    """The floor: every string of the page."""
    return BeautifulSoup(content, "lxml").get_text(" ")


EXTRACTORS: dict[str, Callable[[bytes, str], str]] = {
    "sotehaku": sotehaku,
    "trafilatura 2.3.1": trafilatura_default,
    "get_text()": get_text,
}


def load(data: Path, limit: int | None) -> list[tuple[str, bytes, list[str], list[str]]]:
    """(url, page bytes, with, without) per page of the set, in file order."""
    folder = data / "extraction"
    evaldata = folder / "evaldata.json"
    if not evaldata.is_file():
        sys.exit(f"No extraction benchmark in {folder}: put the shared data in ../shared/data, "
                 "set SOTEHAKU_SHARED_DATA or pass --data DIR.")
    cases = json.loads(evaldata.read_text(encoding="utf-8"))
    pages = []
    for key, case in sorted(cases.items(), key=lambda item: item[1]["file"]):
        url = re.sub(r"^\w+::", "https://", key) if "://" not in key else key
        pages.append((url, (folder / "pages" / case["file"]).read_bytes(), case["with"], case["without"]))
    return pages[:limit] if limit else pages


def run(pages, rounds: int) -> dict[str, Score]:
    scores = {name: Score() for name in EXTRACTORS}
    for url, content, with_, without in pages:
        for name, extract in EXTRACTORS.items():
            times = []
            for _ in range(rounds):
                started = time.perf_counter()
                try:
                    text = extract(content, url)
                except ParseError:
                    text = ""
                times.append(time.perf_counter() - started)
            score = scores[name]
            score.seconds.append(statistics.median(times))
            text = normalise(text)
            if not text:
                score.empty.append(url)
            found = [normalise(s) in text for s in with_]
            score.tp += sum(found)
            score.fn += len(found) - sum(found)
            leaked = [normalise(s) in text for s in without]
            score.fp += sum(leaked)
            score.tn += len(leaked) - sum(leaked)
    return scores


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the shared data (default ../shared/data)")
    parser.add_argument("--limit", type=int, help="only the first N pages")
    parser.add_argument("--rounds", type=int, default=1, help="timed passes per page; the median counts")
    args = parser.parse_args()
    pages = load(args.data, args.limit)
    for url, content, *_ in pages[:3]:  # imports and caches warm up outside the measurement
        for extract in EXTRACTORS.values():
            extract(content, url)
    scores = run(pages, args.rounds)
    reference = sum(scores["trafilatura 2.3.1"].seconds)
    print(f"Main-text extraction on {len(pages)} pages of {args.data / 'extraction'}, {args.rounds} round(s)\n")
    print(f"{'extractor':<20} {'P':>6} {'R':>6} {'F1':>6} {'ms/page':>8} {'× traf.':>8} {'empty':>6}")
    for name, s in scores.items():
        total = sum(s.seconds)
        print(f"{name:<20} {s.precision:6.3f} {s.recall:6.3f} {s.f1:6.3f} {1000 * total / len(pages):8.1f} "
              f"{total / reference:8.2f} {len(s.empty):6d}")
    if scores["sotehaku"].empty:
        print("\nsotehaku gave no text for:", *scores["sotehaku"].empty[:20], sep="\n  ")


if __name__ == "__main__":
    main()
