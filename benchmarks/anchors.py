"""The weight of anchor text, measured: link texts of the bundled sample site as queries, the pages they
link to as the answers.

The sample site is crawled as the demo crawls it (public site and intranet). Every link text of a public
page that names at most MAX_TARGETS public pages is a query ("Vårdreformen", "Kaikki uutiset", "omaishoidon
tuki"); the pages it links to are its relevant answers. Language-switcher labels ("Suomeksi", "På svenska")
name dozens of pages, so they are no query. Each query is searched as a visitor types it on the page of
its target's language (`SearchEngine.search`, anonymous, page 1 of 10, prefer_lang). The index is built
without anchor text, and with it at several weights (search.ranking.ANCHOR_BOOST), and with site-wide
menu labels dropped (corpus.anchors `max_share`).

The link texts are the queries, so anchor text has an easy job here: the table says how much weight
the field needs to put a page first for its own label without pushing other pages' own words down,
and the "without a word" column counts the queries whose words the target page does not have at all.

Run: .venv/bin/python benchmarks/anchors.py
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.pipeline import crawl_sources, run_pipeline  # noqa: E402
from backends.whoosh import schema  # noqa: E402
from backends.whoosh.backend import WhooshBackend  # noqa: E402
from corpus.anchors import anchor_texts, with_anchor_texts  # noqa: E402
from corpus.sample import demo_sources, serve_sample_site  # noqa: E402
from corpus.store import open_data_store  # noqa: E402
from search.engine import SearchEngine  # noqa: E402

MAX_TARGETS = 3
WEIGHTS = (0.5, 1.0, 1.5, 2.0, 3.0, 5.0)


def judged_table(store, anchors: dict[str, tuple[str, ...]]) -> dict[tuple[str, str], set[str]]:
    """(query, language) -> relevant document ids: each public link text and the public pages it names."""
    docs = {doc.id: doc for doc in store.iter_documents()}
    targets: dict[str, set[str]] = defaultdict(set)
    for target, texts in anchors.items():
        if docs[target].visibility == "public":
            for text in texts:
                targets[text.casefold()].add(target)
    table = {}
    for text, ids in sorted(targets.items()):
        if len(ids) <= MAX_TARGETS:
            lang = docs[sorted(ids)[0]].lang
            table[(text, lang)] = ids
    return table


def headings_table(store) -> dict[tuple[str, str], set[str]]:
    """A control: (heading, language) -> the public pages with that h2/h3 heading, for headings of at most
    MAX_TARGETS pages. Anchor text must not push the pages that have the words themselves down."""
    pages: dict[tuple[str, str], set[str]] = defaultdict(set)
    for doc in store.iter_documents():
        if doc.visibility == "public":
            for heading in doc.headings:
                pages[(heading.casefold(), doc.lang)].add(doc.id)
    return {key: ids for key, ids in sorted(pages.items()) if len(ids) <= MAX_TARGETS}


def evaluate(folder: Path, documents: list, tables: list[dict], weight: float) -> list[tuple[float, float, int]]:
    """Per table: MRR@10, share of queries with a relevant page first, and how many find none in 10."""
    schema.ANCHOR_BOOST = weight  # read when the schema is built
    backend = WhooshBackend(folder)
    backend.publish(lambda: documents, full=True)
    engine = SearchEngine(backend, lexicon_dir=folder)
    return [measure(engine, table) for table in tables]


def measure(engine: SearchEngine, table: dict) -> tuple[float, float, int]:
    reciprocal, first, missed = 0.0, 0, 0
    for (text, lang), relevant in table.items():
        hits = [h.id for h in engine.search(text, prefer_lang=lang).hits]
        rank = next((i for i, doc_id in enumerate(hits, 1) if doc_id in relevant), None)
        reciprocal += 1 / rank if rank else 0.0
        first += rank == 1
        missed += rank is None
    return reciprocal / len(table), first / len(table), missed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.parse_args()
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        with serve_sample_site() as url:
            run_pipeline(tmp / "data", crawl_sources(demo_sources(url)), publish=False)
        with open_data_store(tmp / "data") as store:
            plain = list(store.iter_documents())
            anchors = anchor_texts(store)
            table = judged_table(store, anchors)
            control = headings_table(store)
            anchored = list(with_anchor_texts(plain, anchors))
            menus_dropped = list(with_anchor_texts(plain, anchor_texts(store, max_share=0.5)))
        default = schema.ANCHOR_BOOST
        runs = [("no anchor text", plain, default)]
        runs += [(f"anchor text x{w:g}", anchored, w) for w in WEIGHTS]
        runs += [(f"x{default:g}, site-wide menus dropped", menus_dropped, default)]
        print(f"Sample site: {len(plain)} documents; {len(table)} link texts as queries (public, naming at most "
              f"{MAX_TARGETS} pages); control: {len(control)} h2/h3 headings as queries, their pages as answers")
        print(f"{'':<32} {'link texts':^28} {'control: headings':^28}")
        print(f"{'index':<32} {'MRR@10':>7} {'P@1':>6} {'none in 10':>10}   {'MRR@10':>7} {'P@1':>6} {'none in 10':>10}")
        for i, (name, documents, weight) in enumerate(runs):
            (mrr, p1, missed), (cmrr, cp1, cmissed) = evaluate(tmp / f"index-{i}", documents, [table, control], weight)
            print(f"{name:<32} {mrr:7.3f} {p1:6.3f} {missed:10d}   {cmrr:7.3f} {cp1:6.3f} {cmissed:10d}")
    print(f"({time.monotonic() - started:.0f} s)")


if __name__ == "__main__":
    main()
