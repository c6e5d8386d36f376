"""Pinned retrieval quality on a fixed slice of squad2-fi (../shared/data), so ranking changes are seen.

Change PINNED_MRR only in a commit that says why the new figure is right.
"""

import json
import os
from pathlib import Path

import pytest

from corpus.document import Document
from backends.whoosh.writer import build_index

from search.evaluate import mrr_at, read_qrels, read_queries, recall_at
from app.backend import open_engine

SHARED_DATA = Path(os.environ.get("SOTEHAKU_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"))
SQUAD = SHARED_DATA / "squad2-fi"
ARTICLES = range(10)  # articles 0-9: 694 paragraphs and the tune questions written about them
PINNED_MRR = 0.792  # 0.802 before the proximity of query words re-ranked the first ten (search.ranking: +0.018 on all 3,000 tune questions, +0.017 on q1-1500 and +0.019 on q1501-3000, but these 95 questions of one 694-paragraph slice lose 0.010, about one first place); 0.793 with Whoosh's idf at K1=0.75, B=0.75; 0.799 at BM25F K1=0.9 (K1=0.75 gains on q1-1500 but loses these 95 questions); 0.770 before a word's readings shared its weight (search.query.READINGS_POWER); 0.758 before question words (kuinka, milloin) weighed 0.3; 0.762 before the invented plurals went; see RESULTS.md
PINNED_RECALL_100 = 0.989


@pytest.fixture(scope="module")
def slice_engine(tmp_path_factory):
    if not SQUAD.is_dir():
        pytest.fail(f"{SQUAD} is missing: the regression test reads squad2-fi from ../shared/data (or SOTEHAKU_SHARED_DATA).")
    docs = []
    with (SQUAD / "corpus.jsonl").open(encoding="utf-8") as handle:
        for line in handle:
            obj = json.loads(line)
            if obj["article"] in ARTICLES:
                docs.append(Document(id=obj["id"], text=obj["text"], source="squad2-fi"))
    data_dir = tmp_path_factory.mktemp("squad-slice")
    build_index(docs, data_dir)
    return open_engine(data_dir), {d.id for d in docs}


def test_pinned_mrr_on_squad_slice(slice_engine):
    engine, doc_ids = slice_engine
    qrels = {qid: rel for qid, rel in read_qrels(SQUAD / "qrels_tune.txt").items() if rel <= doc_ids}
    queries = {qid: text for qid, text in read_queries(SQUAD / "queries_tune.tsv").items() if qid in qrels}
    assert len(queries) >= 90
    run = {qid: [doc for doc, _ in engine.rank(text, limit=100)] for qid, text in queries.items()}
    mrr, recall = mrr_at(run, qrels, 10), recall_at(run, qrels, 100)
    assert (round(mrr, 3), round(recall, 3)) == (PINNED_MRR, PINNED_RECALL_100)
