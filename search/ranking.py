"""Ranking rules every backend applies: the freshness boost, deterministic tie-breaking and the
proximity of query words."""

from __future__ import annotations

import bisect
import datetime as dt
import math

# A mild preference for recently updated pages: +8 % for a page updated today, +4 % a year ago.
FRESHNESS_WEIGHT = 0.08
FRESHNESS_HALF_LIFE_DAYS = 365
# The weight of a page's anchor text (the words of other pages' links to it, corpus.anchors) against its body
# text's 1.0, in every backend: measured on the sample site's link texts (benchmarks/anchors.py, RESULTS.md).
ANCHOR_BOOST = 1.5
# Ties are broken by id so that runs are reproducible (pyserini's (-score, docid) order). Backends
# fetch the top hits plus this margin by score and re-sort them by (-score, id).
TIE_MARGIN = 20


def freshness(updated: dt.date | None, today: dt.date | None = None) -> float:
    """The mild boost of recently updated documents: up to +FRESHNESS_WEIGHT, halving every half-life.

    >>> round(freshness(dt.date(2020, 1, 1), today=dt.date(2020, 1, 1)), 3)
    1.08
    >>> round(freshness(dt.date(2019, 1, 1), today=dt.date(2020, 1, 1)), 3)
    1.04
    >>> freshness(None)
    1.0
    """
    if not updated:
        return 1.0
    age = max(0, ((today or dt.date.today()) - updated).days)
    return 1.0 + FRESHNESS_WEIGHT * 0.5 ** (age / FRESHNESS_HALF_LIFE_DAYS)


# Proximity of query words (in the spirit of the sequential dependence model): the best PROXIMITY_DEPTH
# documents of a relevance ranking (the first page) are re-ranked, the same in every backend, from the
# character starts of the query words' terms in each document's text. Each pair of the query's words adds
# PROXIMITY_WEIGHT x (the lower of the two words' weights) x c / (c + 1), where c counts the first word's
# occurrences with the second one at most PROXIMITY_WINDOW characters away (either side); a word's weight
# is its query weight times the Lucene idf of its rarest term. Characters, not word positions, because
# both backends keep the characters (the snippets' offsets); a Finnish word is some 7-8 characters with
# its space, so 80 is about ten words. Tuned on squad2-fi's first 1,500 tune questions
# (benchmarks/RESULTS.md, "Proximity of query words"): every pair gained more than adjacent pairs only,
# and re-ranking deeper than the first ten gained nothing.
PROXIMITY_WEIGHT = 1.0
PROXIMITY_WINDOW = 80
PROXIMITY_DEPTH = 10
# The query words counted, the first ones once each (a word typed twice adds no pair): the cost grows with
# the square of the words, and a query may have some 140 (search.query.MAX_QUERY_CHARS).
PROXIMITY_MAX_WORDS = 16


def idf(documents: int, frequency: int) -> float:
    """Lucene's BM25 idf, as both backends rank with it: log(1 + (N - df + 0.5) / (df + 0.5)).

    >>> round(idf(20000, 10), 2), round(idf(20000, 10000), 2)
    (7.55, 0.69)
    """
    return math.log(1.0 + (documents - frequency + 0.5) / (frequency + 0.5))


def proximity_bonus(starts: list[list[int]], weights: list[float]) -> float:
    """The proximity bonus of one document: `starts[i]` are the sorted character starts of the i-th
    query word's terms in its text (empty when it has none), `weights[i]` that word's weight.

    >>> proximity_bonus([[0, 150], [10], [500]], [2.0, 1.0, 3.0])   # words 1 and 2 once near: 1 x 1/2
    0.5
    >>> proximity_bonus([[0, 30], [20, 300], [105]], [1.0, 1.0, 0.5])  # 1-2 twice, 1-3 once: 2/3 + 0.5 x 1/2
    0.9166666666666666
    """
    bonus = 0.0
    for i, first in enumerate(starts):
        for k in range(i + 1, len(starts)):
            second = starts[k]
            if not first or not second:
                continue
            near = 0
            for start in first:
                j = bisect.bisect_left(second, start - PROXIMITY_WINDOW)
                if j < len(second) and second[j] <= start + PROXIMITY_WINDOW:
                    near += 1
            if near:
                bonus += min(weights[i], weights[k]) * near / (near + 1)
    return PROXIMITY_WEIGHT * bonus
