"""The Whoosh backend's array path (matches and scores from posting blocks) agrees with Whoosh's own
collector: the same matching documents and the same top, tie for tie, scores equal up to float rounding."""

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
                # The arrays sum a document's term scores in another order than Whoosh's tree of
                # matchers, so scores may differ in the last bits; documents and order are the same.
                top = whoosh_searcher._array_top(scored[0], scored[1], k)
                assert [d for _, d in top] == [d for _, d in expected]
                assert [score for score, _ in top] == pytest.approx([score for score, _ in expected], rel=1e-12)
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


def test_match_spans_find_every_posting_across_blocks_and_segments(tmp_path):
    """The spans of the shown documents come from the postings, whose blocks are skipped by their
    largest id and searched: against reading each document's postings one by one, over two segments
    of more than one block each."""
    from whoosh import fields, index

    ix = index.create_in(tmp_path, fields.Schema(text_fi=fields.TEXT(phrase=True, chars=True)))
    for segment in range(2):
        with ix.writer() as writer:
            for i in range(700):
                words = ["alue"] * (i % 3 == 0) + ["kunta"] * (i % 7 == 0) + ["muu"]
                writer.add_document(text_fi=" ".join(words))
    with ix.searcher() as searcher:
        assert len(searcher.leaf_searchers()) == 2
        shown = [0, 3, 5, 127, 128, 129, 384, 699, 700, 703, 1050, 1051, 1399]
        terms = {("text_fi", "alue"), ("text_fi", "kunta"), ("text_fi", "puuttuu")}
        expected = {d: set() for d in shown}
        for field, term in terms:
            if (field, term) not in searcher.reader():
                continue
            for d in shown:
                postings = searcher.reader().postings(field, term)
                postings.skip_to(d)
                if postings.is_active() and postings.id() == d:
                    expected[d].update((s, e) for _, s, e in postings.value_as("characters"))
        spans = {d: found[0] for d, found in whoosh_searcher.match_text(searcher, shown, terms).items()}
        assert spans == expected
        assert len([d for d in shown if spans[d]]) >= 8 and any(len(found) == 2 for found in spans.values())
        assert any(not found for found in spans.values())


def test_term_cache_stays_within_its_bytes():
    from backends.whoosh.termcache import ENTRY_OVERHEAD, TermScoreCache
    import numpy as np

    cache = TermScoreCache(max_bytes=10_000)
    for i in range(20):
        cache.put(i, np.arange(100, dtype=np.int32), np.ones(100))  # 1,200 bytes of arrays each
    assert cache.nbytes <= 10_000 and len(cache) == 10_000 // (1_200 + ENTRY_OVERHEAD)
    assert cache.get(0) is None and cache.get(19)[0][99] == 99  # the oldest went first
    cache.put("big", np.arange(10_000, dtype=np.int32), np.ones(10_000))  # larger than the cache
    assert cache.get("big") is None and cache.get(19) is not None
    with pytest.raises(ValueError):
        cache.get(19)[1][0] = 2.0  # entries are shared between searches: read-only
