"""Retrieval evaluation: TREC-style queries and qrels in, MRR and recall out."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path


def read_queries(path: str | Path) -> dict[str, str]:
    """qid<TAB>query lines; blank lines skipped."""
    queries = {}
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if line.strip():
            qid, _, text = line.partition("\t")
            queries[qid.strip()] = text.strip()
    return queries


def read_qrels(path: str | Path) -> dict[str, set[str]]:
    """TREC qrels ('qid 0 docid relevance'): the relevant documents of each query (relevance > 0)."""
    qrels: dict[str, set[str]] = {}
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) >= 4 and int(parts[3]) > 0:
            qrels.setdefault(parts[0], set()).add(parts[2])
    return qrels


def mrr_at(run: Mapping[str, Sequence[str]], qrels: Mapping[str, set[str]], k: int = 10) -> float:
    """Mean reciprocal rank of the first relevant document within the top k, over the judged queries."""
    total = 0.0
    for qid, relevant in qrels.items():
        for rank, doc in enumerate(run.get(qid, ())[:k], 1):
            if doc in relevant:
                total += 1.0 / rank
                break
    return total / len(qrels) if qrels else 0.0


def recall_at(run: Mapping[str, Sequence[str]], qrels: Mapping[str, set[str]], k: int) -> float:
    """Mean share of each judged query's relevant documents found in its top k."""
    total = 0.0
    for qid, relevant in qrels.items():
        total += len(relevant & set(run.get(qid, ())[:k])) / len(relevant)
    return total / len(qrels) if qrels else 0.0
