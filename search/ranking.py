"""Ranking rules every backend applies: the freshness boost and deterministic tie-breaking."""

from __future__ import annotations

import datetime as dt

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
