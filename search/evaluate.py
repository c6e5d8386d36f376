"""Retrieval evaluation: TREC-style queries and qrels in; MRR, nDCG and recall out.

The measures are the standard trec_eval definitions, written out here (a few lines each) rather than
taken from ranx (which pulls in numba and LLVM) or pytrec_eval (a C extension without current wheels).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path

from search import SearchError


class EvaluationFileError(SearchError):
    """A queries or qrels file that cannot be read; the message names the file and line."""


def _lines(path: str | Path) -> list[str]:
    try:
        return Path(path).read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise EvaluationFileError(f"{path} does not exist. Check the path.") from None
    except UnicodeDecodeError:
        raise EvaluationFileError(f"{path} is not UTF-8 text. Convert it to UTF-8.") from None
    except OSError as exc:
        raise EvaluationFileError(f"Cannot read {path}: {exc.strerror}.") from None


def read_queries(path: str | Path) -> dict[str, str]:
    """qid<TAB>query lines; blank lines skipped; a line without a tab is an error naming it."""
    queries = {}
    for number, line in enumerate(_lines(path), 1):
        if not line.strip():
            continue
        qid, tab, text = line.partition("\t")
        if not tab or not qid.strip():
            raise EvaluationFileError(f"{path}:{number}: expected 'qid<TAB>query', got {line[:60]!r}.")
        queries[qid.strip()] = text.strip()
    return queries


def read_graded_qrels(path: str | Path) -> dict[str, dict[str, int]]:
    """TREC qrels ('qid 0 docid relevance'): each query's judged documents and their grades."""
    qrels: dict[str, dict[str, int]] = {}
    for number, line in enumerate(_lines(path), 1):
        parts = line.split()
        if not parts:
            continue
        if len(parts) != 4 or not parts[3].lstrip("-").isdigit():
            raise EvaluationFileError(f"{path}:{number}: expected 'qid 0 docid relevance', got {line[:60]!r}.")
        qrels.setdefault(parts[0], {})[parts[2]] = int(parts[3])
    return qrels


def read_qrels(path: str | Path) -> dict[str, set[str]]:
    """The relevant documents (relevance > 0) of each query that has any."""
    relevant = {qid: {d for d, grade in docs.items() if grade > 0} for qid, docs in read_graded_qrels(path).items()}
    return {qid: docs for qid, docs in relevant.items() if docs}


def ndcg_at(run: Mapping[str, Sequence[str]], qrels: Mapping[str, Mapping[str, int]], k: int = 10) -> float:
    """Mean nDCG@k (gain = grade, discount log2(rank + 1)) over the queries with a relevant document.

    >>> round(ndcg_at({"q": ["b", "a"]}, {"q": {"a": 1}}), 4)
    0.6309
    """
    total, judged = 0.0, 0
    for qid, grades in qrels.items():
        ideal = sorted((g for g in grades.values() if g > 0), reverse=True)[:k]
        if not ideal:
            continue
        judged += 1
        dcg = sum(grades.get(doc, 0) / math.log2(rank + 1) for rank, doc in enumerate(run.get(qid, ())[:k], 1) if grades.get(doc, 0) > 0)
        total += dcg / sum(g / math.log2(rank + 1) for rank, g in enumerate(ideal, 1))
    return total / judged if judged else 0.0


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
