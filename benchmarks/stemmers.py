"""Snowball stemmers outside Whoosh: do PyStemmer and snowballstemmer stem like Whoosh's, and how fast?

Every distinct word of the squad2-fi paragraphs (lower-cased, as sotehaku's tokenizer cuts them) goes
through Whoosh's Finnish, Swedish and English stemmers (what sotehaku used until issue 9) and through
the Snowball project's two Python packages: PyStemmer (C) and snowballstemmer (pure Python).
Run: .venv/bin/python benchmarks/stemmers.py [--data ../shared/data] [--words N]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import time
from pathlib import Path

import snowballstemmer
import Stemmer
from whoosh.lang import stemmer_for_language

DEFAULT_DATA = Path(os.environ.get("SOTEHAKU_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"))
WORD = re.compile(r"\w+(?:[-:]\w+)*-?")
ALGORITHMS = {"fi": "finnish", "sv": "swedish", "en": "english"}


def corpus_words(data: Path, limit: int) -> list[str]:
    """The distinct lower-cased words of the squad2-fi paragraphs, in order of first use."""
    words: dict[str, None] = {}
    with (data / "squad2-fi" / "corpus.jsonl").open(encoding="utf-8") as handle:
        for line in handle:
            words.update(dict.fromkeys(WORD.findall(json.loads(line)["text"].lower())))
            if limit and len(words) >= limit:
                break
    return list(words)[: limit or None]


def timed(stem, words: list[str]) -> tuple[list[str], float]:
    started = time.perf_counter()
    out = [stem(w) for w in words]
    return out, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--words", type=int, default=0, help="only the first N distinct words (0: all)")
    args = parser.parse_args()
    words = corpus_words(args.data, args.words)
    print(f"Stemmers on {len(words):,} distinct squad2-fi words (each word stemmed once, no cache)")
    print(f"{'lang':<5} {'stemmer':<16} {'differs from Whoosh':>20} {'µs/word':>8}")
    for lang, algorithm in ALGORITHMS.items():
        reference, seconds = timed(stemmer_for_language(lang), words)
        print(f"{lang:<5} {'whoosh':<16} {'':>20} {seconds / len(words) * 1e6:>8.2f}")
        candidates = {
            "PyStemmer": Stemmer.Stemmer(algorithm, 0).stemWord,
            "snowballstemmer": snowballstemmer.stemmer(algorithm).stemWord,
        }
        for name, stem in candidates.items():
            out, seconds = timed(stem, words)
            diffs = [(w, r, o) for w, r, o in zip(words, reference, out) if r != o]
            print(f"{lang:<5} {name:<16} {len(diffs):>20,} {seconds / len(words) * 1e6:>8.2f}")
            for w, r, o in diffs[:5]:
                print(f"      {w!r}: whoosh {r!r}, {name} {o!r}")


if __name__ == "__main__":
    main()
