"""Lemma recall on Universal Dependencies gold lemmas (../shared/data/ud): ours vs raw Voikko base forms.

Recall = share of NOUN, PROPN, VERB and ADJ tokens (alphabetic, hyphens allowed) whose gold lemma
(compound marks '#' removed, lower-cased) is among the terms emitted for that token.
Run: .venv/bin/python benchmarks/lemmas.py [--data ../shared/data]
"""

from __future__ import annotations

import argparse
import re
import time
from pathlib import Path

from indexer.analysis import FI_STOPWORDS, finnish_analyzer
from indexer.voikko import analyze_word

SCORED_POS = {"NOUN", "PROPN", "VERB", "ADJ"}
WORD = re.compile(r"^[^\W\d_]+(?:-[^\W\d_]+)*$")
DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def read_conllu(path: Path):
    """Sentences as lists of (form, gold lemma, upos); multiword-token lines and empty nodes skipped."""
    sentence = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            if sentence:
                yield sentence
            sentence = []
            continue
        if line.startswith("#"):
            continue
        cols = line.split("\t")
        if "-" in cols[0] or "." in cols[0]:
            continue
        sentence.append((cols[1], cols[2].replace("#", "").lower(), cols[3]))
    if sentence:
        yield sentence


def terms_per_token(analyzer, forms):
    """Join the forms with spaces, analyse, and give each token the set of terms emitted at its span."""
    starts, text = [], ""
    for form in forms:
        starts.append(len(text))
        text += form + " "
    terms = [set() for _ in forms]
    token_at = {}
    for i, (start, form) in enumerate(zip(starts, forms)):
        for c in range(start, start + len(form)):
            token_at[c] = i
    for t in analyzer(text, mode="query"):  # the index's terms, and stopwords marked
        i = token_at.get(t.start)
        if i is not None:
            terms[i].add(t.term)
    return terms


def raw_voikko_terms(form):
    """Base forms of every Voikko reading of the token alone, lower-cased (the baseline)."""
    return {(a.get("BASEFORM") or "").lower() for a in analyze_word(form)}


def score(path: Path) -> dict:
    """Recall of ours and of raw Voikko on one treebank file."""
    analyzer = finnish_analyzer()
    total = ours = raw = stopped = stopped_hits = 0
    started = time.perf_counter()
    for sentence in read_conllu(path):
        forms = [form for form, _, _ in sentence]
        emitted = terms_per_token(analyzer, forms)
        for (form, gold, upos), terms in zip(sentence, emitted):
            if upos not in SCORED_POS or not WORD.match(form):
                continue
            total += 1
            ours += gold in terms
            raw += gold in raw_voikko_terms(form)
            if form.lower() in FI_STOPWORDS:  # dropped from the index, so they emit nothing: misses
                stopped += 1
                stopped_hits += gold in terms
    return {
        "tokens": total,
        "raw_voikko": raw / total,
        "ours": ours / total,
        "ours_without_stopwords": (ours - stopped_hits) / (total - stopped),
        "stopword_tokens": stopped,
        "seconds": time.perf_counter() - started,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    args = parser.parse_args()
    print("Lemma recall on UD dev (NOUN/PROPN/VERB/ADJ)")
    print(f"{'treebank':<9} {'tokens':>7} {'raw Voikko':>11} {'sotehaku':>9} {'stopwords':>10} {'sotehaku w/o stopwords':>23}")
    for name in ("tdt", "ftb"):
        r = score(args.data / "ud" / f"fi_{name}-ud-dev.conllu")
        print(
            f"{name.upper():<9} {r['tokens']:>7} {r['raw_voikko']:>11.3f} {r['ours']:>9.3f} "
            f"{r['stopword_tokens']:>10} {r['ours_without_stopwords']:>23.3f}"
        )


if __name__ == "__main__":
    main()
