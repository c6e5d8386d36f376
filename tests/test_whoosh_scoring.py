"""The Whoosh backend's array path (matches and scores from posting blocks) agrees with Whoosh's own
collector: the same matching documents and the same top, score for score, tie for tie."""

import pytest

from backends.whoosh import searcher as whoosh_searcher
from backends.whoosh.translate import to_whoosh
from search.query import Filters

QUERIES = [
    "palveluseteli", "palvelusetelillä kotihoito", "hyvinvointialueella", "sote-keskuksissa", "tyoryhma",
    "hemvård", "service voucher", "sote -lapset", '"kotihoidon asiakasmaksu"', "asiakasmaksu OR palveluseteli",
    "alue", "kunta", "kvanttitietokone", "työryhmä type:pdf",
]


@pytest.mark.parametrize("text", QUERIES)
@pytest.mark.parametrize("visibilities", [("public",), ("public", "internal")])
def test_array_scores_agree_with_whoosh(engine, text, visibilities):
    snap = engine._snapshot()
    parsed = engine._parse(snap, text)
    searcher = snap.searcher(visibilities)
    checked = 0
    for node in (parsed.query(), parsed.query(relaxed=True), parsed.query(relaxed=True, parts=False)):
        query = to_whoosh(node)
        for filters in (parsed.filters, Filters({"lang": ("fi",)})):
            allowed = snap.allowed(visibilities, filters)
            mask = snap.allowed_mask(visibilities, filters)
            scored = snap.scored(searcher, query, mask)
            matching = snap.matching(searcher, query, mask)
            whoosh_all = whoosh_searcher._collect(searcher, query, allowed, max(1, snap.size))
            assert sorted(-d for _, d in whoosh_all.items) == list(matching.nonzero()[0])
            if scored is None:  # a phrase: scored by Whoosh's collector
                continue
            assert (scored[0] == matching).all()
            everything = sorted(whoosh_all.items, reverse=True)
            for k in (1, 3, 60):
                expected = everything[:k]
                assert sorted(whoosh_searcher._collect(searcher, query, allowed, k).items, reverse=True) == expected
                assert whoosh_searcher._exact_top(searcher, query, allowed, scored[0], scored[1], k) == expected
            checked += 1
    assert checked or '"' in text


@pytest.mark.parametrize("text", QUERIES + ["Kuka päättää hyvinvointialueen palveluista ja asiakasmaksuista?"])
def test_batch_ranking_agrees_with_whoosh(engine, text):
    """`rank` scores over arrays: the same documents in the same order as Whoosh's collector gives
    them, ties by id, scores equal up to float rounding."""
    snap = engine._snapshot()
    parsed = engine._parse(snap, text, plain=True)
    query = parsed.query(relaxed=True)
    searcher = snap.searcher(("public",))
    allowed = snap.allowed(("public",), parsed.filters)
    every = whoosh_searcher._collect(searcher, to_whoosh(query), allowed, max(1, snap.size)).items
    expected = sorted(((snap.ids[-negated], score) for score, negated in every), key=lambda r: (-r[1], r[0]))
    for limit in (1, 5, 1000):
        ranked = snap.rank(query, parsed.filters, ("public",), limit)
        assert [doc for doc, _ in ranked] == [doc for doc, _ in expected[:limit]]
        assert [score for _, score in ranked] == pytest.approx([score for _, score in expected[:limit]], rel=1e-12)
