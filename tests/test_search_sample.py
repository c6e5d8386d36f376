"""Finnish-aware search on the sample site: inflections, compounds, missing umlauts, languages, highlights."""

import re

import pytest

from search import SearchError


def paths(results, n=3):
    return [h.url.split("/", 3)[3] for h in results.hits[:n]]


def marked(results):
    return {m.lower() for h in results.hits for m in re.findall(r"<mark>(.*?)</mark>", h.snippet)}


@pytest.mark.parametrize(
    "query, expected_top",
    [
        ("palveluseteli", "palvelut/palveluseteli.html"),
        ("palvelusetelillä", "palvelut/palveluseteli.html"),
        ("hyvinvointialueella", "uudistus/hyvinvointialue.html"),
        ("sotekeskus", "palvelut/sote-keskus.html"),
        ("sote-keskuksissa", "palvelut/sote-keskus.html"),
        ("kotihoidon", "palvelut/kotihoito.html"),
        ("aluevaltuustoon", "uudistus/aluevaltuusto.html"),
        ("hemvård", "sv/hemvard.html"),
        ("service voucher", "en/service-voucher.html"),
    ],
)
def test_right_page_first(engine, query, expected_top):
    assert paths(engine.search(query), 1) == [expected_top]


@pytest.mark.parametrize("query", ["tyoryhma", "tyoryhmien", "työryhmien"])
def test_working_groups_found_with_and_without_umlauts(engine, query):
    results = engine.search(query, size=10)
    assert sum(p.startswith("uudistus/tyoryhmat/") for p in paths(results, 10)) >= 7
    assert any(m.startswith("työryhm") for m in marked(results))


def test_missing_umlauts_in_a_name(engine):
    results = engine.search("paijat-hame")
    assert results.total >= 20
    assert {"päijät-hämeen", "päijät-hämeessä"} & marked(results)


def test_exact_spelling_ranks_above_folded(engine):
    exact = engine.search("Päijät-Hämeessä", size=1).hits[0].score
    folded = engine.search("paijat-hameessa", size=1).hits[0].score
    assert exact > folded


def test_compound_part_finds_longer_compounds(engine):
    results = engine.search("digityöryhmä")
    assert paths(results, 1) == ["uudistus/tyoryhmat/ict-ja-digi.html"]


def test_coordinated_compound_is_found_and_marked(engine):
    results = engine.search("sosiaalipalvelut", size=10)
    assert results.total >= 5
    assert "sosiaali-" in marked(results)


def test_inflected_forms_are_highlighted_whole(engine):
    results = engine.search("työryhmä")
    words = marked(results)
    assert {"työryhmän", "työryhmä"} <= words
    for hit in results.hits:
        for word in re.findall(r"<mark>(.*?)</mark>", hit.snippet):
            assert re.fullmatch(r"[\w:-]+", word), word


def test_lexicon_synonym_on_the_sample_site(engine):
    assert "uudistus/tyoryhmat/hyvinvoinnin-ja-terveyden-edistaminen.html" in paths(engine.search("hyte"), 3)


def test_queries_search_every_language_unless_filtered(engine):
    every = engine.search("palveluseteli service voucher servicesedel", size=50)
    assert {h.lang for h in every.hits} == {"fi", "sv", "en"}
    swedish = engine.search("palveluseteli service voucher servicesedel", size=50, lang="sv")
    assert swedish.hits and {h.lang for h in swedish.hits} == {"sv"}


def test_bad_language_filter_is_explained(engine):
    with pytest.raises(SearchError, match="not a language code"):
        engine.search("sote", lang="suomi")


@pytest.mark.parametrize(
    "query, expected_top",
    [
        ("palveluseteli", "palvelut/palveluseteli.html"),
        ("hyvinvointialueella", "uudistus/hyvinvointialue.html"),
        ("sotekeskus", "palvelut/sote-keskus.html"),
        ("paijat-hame", None),
        ("tyoryhma", "uudistus/tyoryhmat/"),
        ("hyvinvontialue", "uudistus/hyvinvointialue.html"),
    ],
)
def test_citizens_find_the_right_page_with_highlights_facets_and_suggestions(engine, query, expected_top):
    """Issue 5's acceptance queries: the right page, a highlighted snippet, facet counts, completions."""
    results = engine.search(query)
    assert results.hits and "<mark>" in results.hits[0].snippet
    if expected_top:
        assert paths(results, 1)[0].startswith(expected_top)
    assert sum(n for _, n in results.facets["lang"]) == results.total
    assert results.facets["section"] and results.facets["year"]
    assert engine.suggest(query[:5])


def test_misspelling_on_the_sample_site_is_corrected(engine):
    results = engine.search("hyvinvontialue")
    assert results.corrected and results.suggestion == "hyvinvointialue"
