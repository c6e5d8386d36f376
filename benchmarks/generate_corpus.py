"""Generate an N-document corpus (JSONL, sotehaku's import shape) from the squad2-fi sentences, reproducibly.

One generator for every benchmark that needs a corpus larger than squad2-fi's 20,239 paragraphs (the
SolrCloud benchmark of issue 10, the embedded-index speed of issue 12). Each new document mixes the
sentences of one squad2-fi article (so it stays on one topic, as a real page does) with a few sentences
from other articles, and gets a title (the opening words of one of its sentences), a source (one of a
fixed list of Finnish public-sector publishers), an update date (2015-2026), a visibility (about 85 %
public, 15 % internal), a URL and, for one in three, a heading. The same seed and source data give the
same file byte for byte.

Memory stays bounded whatever N is: the squad2-fi sentences are read once (about 100,000 sentences, some
tens of MB), and documents are written one by one as they are made.

Run: .venv/bin/python benchmarks/generate_corpus.py [--docs 200000] [--seed 10] [--data ../shared/data] [--out FILE]
(the data directory also comes from SOTEHAKU_SHARED_DATA; without --out the JSONL goes to standard output).
Import it with `sotehaku import FILE.jsonl` or read it with corpus.importers.jsonl.read_jsonl.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import re
import sys
from collections.abc import Iterator
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_DATA = Path(os.environ.get("SOTEHAKU_SHARED_DATA") or HERE.parents[1] / "shared" / "data")
DEFAULT_DOCS = 200_000
DEFAULT_SEED = 10

# Publishers of Finnish public-sector reform documents, (source name, URL host); weights make a few large.
SOURCES = (
    ("stm", "stm.fi", 6),
    ("thl", "thl.fi", 5),
    ("kela", "www.kela.fi", 5),
    ("soteuudistus", "soteuudistus.fi", 4),
    ("hus", "www.hus.fi", 3),
    ("pirha", "www.pirha.fi", 2),
    ("varha", "www.varha.fi", 2),
    ("pohde", "pohde.fi", 1),
    ("keusote", "www.keusote.fi", 1),
    ("vm", "vm.fi", 2),
    ("kuntaliitto", "www.kuntaliitto.fi", 2),
    ("valvira", "valvira.fi", 1),
)
SECTIONS = ("uutiset", "julkaisut", "ohjeet", "paatokset", "palvelut", "hankkeet")
INTERNAL_SHARE = 0.15
FIRST_DAY = dt.date(2015, 1, 1)
DAYS = (dt.date(2026, 6, 30) - FIRST_DAY).days
# A sentence ends at . ! or ? followed by space and an upper-case letter, a digit or a quote.
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-ZÅÄÖÜ0-9\"'(])")


def read_articles(corpus: Path) -> list[list[str]]:
    """The sentences of each squad2-fi article, in file order (paragraphs of one article are consecutive)."""
    articles: list[list[str]] = []
    current = None
    with corpus.open(encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            if record["article"] != current:
                current = record["article"]
                articles.append([])
            articles[-1].extend(s for s in (p.strip() for p in SENTENCE_END.split(record["text"])) if s)
    return articles


def make_title(sentence: str, rng: random.Random) -> str:
    """The first four to eight words of a sentence, without trailing punctuation."""
    words = sentence.split()[: rng.randint(4, 8)]
    return " ".join(words).rstrip(".,;:!?)(\"'")


def generate(articles: list[list[str]], docs: int, seed: int) -> Iterator[dict]:
    """`docs` documents as JSON-ready dicts; the same arguments give the same documents."""
    rng = random.Random(seed)
    names = [name for name, _host, _weight in SOURCES]
    hosts = {name: host for name, host, _weight in SOURCES}
    weights = [weight for _name, _host, weight in SOURCES]
    width = len(str(docs))
    for number in range(1, docs + 1):
        article = articles[rng.randrange(len(articles))]
        # Mostly a run of consecutive sentences from one article, as a page on one subject.
        length = min(len(article), rng.randint(2, 6))
        start = rng.randrange(len(article) - length + 1)
        sentences = article[start:start + length]
        # A few sentences from elsewhere, as the asides and boilerplate of real pages.
        for _ in range(rng.choice((0, 0, 0, 1, 1, 2))):
            other = articles[rng.randrange(len(articles))]
            sentences.insert(rng.randrange(len(sentences) + 1), other[rng.randrange(len(other))])
        source = rng.choices(names, weights)[0]
        section = rng.choice(SECTIONS)
        doc_id = f"gen-{number:0{width}d}"
        record = {
            "id": doc_id,
            "title": make_title(rng.choice(sentences), rng),
            "text": " ".join(sentences),
            "url": f"https://{hosts[source]}/{section}/{doc_id}",
            "lang": "fi",
            "visibility": "internal" if rng.random() < INTERNAL_SHARE else "public",
            "updated": (FIRST_DAY + dt.timedelta(days=rng.randrange(DAYS + 1))).isoformat(),
            "source": source,
            "section": section,
        }
        if rng.random() < 1 / 3:
            record["headings"] = [make_title(rng.choice(sentences), rng)]
        yield record


def write_corpus(data: Path, docs: int, seed: int, out) -> int:
    """Write the corpus as JSONL to the open text file `out`; returns the number of documents."""
    corpus = data / "squad2-fi" / "corpus.jsonl"
    if not corpus.is_file():
        raise FileNotFoundError(
            f"No squad2-fi corpus at {corpus}: pass --data DIR (holding squad2-fi/) or set SOTEHAKU_SHARED_DATA."
        )
    written = 0
    for record in generate(read_articles(corpus), docs, seed):
        out.write(json.dumps(record, ensure_ascii=False))
        out.write("\n")
        written += 1
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=DEFAULT_DOCS, help=f"number of documents (default {DEFAULT_DOCS:,})")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the shared data directory (default ../shared/data)")
    parser.add_argument("--out", type=Path, help="the JSONL file to write (default: standard output)")
    args = parser.parse_args()
    if args.docs < 1:
        parser.error("--docs must be at least 1")
    try:
        if args.out is None:
            count = write_corpus(args.data, args.docs, args.seed, sys.stdout)
        else:
            partial = args.out.with_name(args.out.name + ".partial")
            with partial.open("w", encoding="utf-8") as out:
                count = write_corpus(args.data, args.docs, args.seed, out)
            partial.replace(args.out)  # a killed run leaves no half-written corpus under the real name
    except FileNotFoundError as exc:
        sys.exit(str(exc))
    print(f"{count:,} documents written{' to ' + str(args.out) if args.out else ''} (seed {args.seed})", file=sys.stderr)


if __name__ == "__main__":
    main()
