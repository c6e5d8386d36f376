"""Conformance: the search engine on small indexes of every backend: ranking order, fallback, snippets,
visibility, errors, new versions picked up, failed builds."""

import pytest

from corpus.document import Document
from search.api import IndexUnavailableError
from search.engine import ANONYMOUS, SearchEngine, Viewer
from search.query import QueryError

DOCS = [
    Document(id="wg", title="Viestintätyöryhmä", text="Työryhmän tehtävänä on viestiä uudistuksesta. Työryhmässä on seitsemän jäsentä."),
    Document(id="voucher", title="Palveluseteli", text="Palvelusetelillä asiakas valitsee palveluntuottajan itse."),
    Document(id="html", title="Ohje <b>lihavointiin</b>", text='Kirjoita <script>alert("x")</script> kotihoito & muuta.'),
    Document(id="secret", title="Pöytäkirja", text="Hanke kaarnalaiva etenee. Työryhmä kokoontui.", visibility="internal"),
    Document(id="tie-b", text="tasapeli sana"),
    Document(id="tie-a", text="tasapeli sana"),
]


@pytest.fixture(scope="module")
def small_engine(make_engine):
    return make_engine(DOCS, "small")


def test_inflected_query_finds_and_marks_inflected_forms(small_engine):
    results = small_engine.search("työryhmät")
    assert [h.id for h in results.hits] == ["wg"]
    assert "Työryhmän</mark>" in results.hits[0].snippet
    assert "Työryhmässä</mark>" in results.hits[0].snippet


def test_all_words_preferred_then_any_word(small_engine):
    strict = small_engine.search("palveluseteli asiakas")
    assert [h.id for h in strict.hits] == ["voucher"] and not strict.relaxed
    relaxed = small_engine.search("palveluseteli kotihoito")
    assert {h.id for h in relaxed.hits} == {"voucher", "html"} and relaxed.relaxed


def test_document_html_is_escaped_in_snippets(small_engine):
    snippet = small_engine.search("kotihoito").hits[0].snippet
    assert "<script>" not in snippet and "&lt;script&gt;" in snippet
    assert "<mark" in snippet and "&amp;" in snippet


def test_anonymous_viewers_never_see_internal_documents(small_engine):
    assert small_engine.search("kaarnalaiva").total == 0
    assert "secret" not in [h.id for h in small_engine.search("työryhmä", viewer=ANONYMOUS).hits]
    staff = Viewer(name="tester", staff=True)
    assert [h.id for h in small_engine.search("kaarnalaiva", viewer=staff).hits] == ["secret"]
    assert small_engine.doc_count() == len(DOCS) - 1
    assert small_engine.doc_count(staff) == len(DOCS)


def test_ties_are_broken_by_id(small_engine):
    hits = small_engine.search("tasapeli").hits
    assert [h.id for h in hits] == ["tie-a", "tie-b"]
    assert hits[0].score == hits[1].score


def test_pagination(small_engine):
    first = small_engine.search("tasapeli", size=1)
    second = small_engine.search("tasapeli", size=1, page=2)
    assert first.total == second.total == 2
    assert [h.id for h in first.hits + second.hits] == ["tie-a", "tie-b"]


@pytest.mark.parametrize("query, message", [("", "empty"), ("   ", "empty"), ("x" * 1001, "shorten")])
def test_unsearchable_queries_explain_themselves(small_engine, query, message):
    with pytest.raises(QueryError, match=message):
        small_engine.search(query)


@pytest.mark.parametrize("query", ["ja on se", "Mikä", "Kuka oli"])
def test_a_query_of_only_common_words_is_answered_with_no_hits_and_says_why(small_engine, query):
    """Issue 12: "Mikä" or "Kuka oli" was refused as a bad query (the API's 400, the CLI's exit 1); a
    citizen's query is answered: no hits, and the results say every word was a very common one."""
    results = small_engine.search(query)
    assert (results.total, results.hits, results.common_words) == (0, [], True)
    assert results.to_json()["common_words"] is True


def test_a_query_with_a_searchable_word_is_not_flagged_common(small_engine):
    results = small_engine.search("kuka tasapeli")
    assert results.total == 2 and not results.common_words


def test_missing_index_says_how_to_build_one(make_backend):
    with pytest.raises(IndexUnavailableError, match="Run 'sotehaku index'"):
        SearchEngine(make_backend("empty")).search("sote")


def test_new_index_version_is_picked_up_without_restart(make_engine):
    engine = make_engine([Document(id="old", text="vanha kotihoito")], "reload")
    assert [h.id for h in engine.search("kotihoito").hits] == ["old"]
    first = engine.version
    engine.backend.publish(lambda: [Document(id="new", text="uusi kotihoito")], full=True)
    assert engine.version != first
    assert [h.id for h in engine.search("kotihoito").hits] == ["new"]


def test_failed_build_leaves_the_published_index_usable(make_engine):
    engine = make_engine([Document(id="kept", text="kotihoito")], "failed")
    version = engine.version

    def exploding():
        yield Document(id="x", text="kotihoito")
        raise RuntimeError("disk full")

    for full in (True, False):
        with pytest.raises(RuntimeError):
            engine.backend.publish(exploding, full=full)
        assert engine.version == version
        assert [h.id for h in engine.search("kotihoito").hits] == ["kept"]


def test_parallel_build_finds_the_same_documents(make_engine):
    docs = [Document(id=f"d{i:03d}", text=f"Työryhmän kokous numero {i}. Hyvinvointialueen palvelut.") for i in range(250)]
    one = make_engine(docs, "one", procs=1).search("työryhmät hyvinvointialueella", size=100)
    two = make_engine(docs, "two", procs=2).search("työryhmät hyvinvointialueella", size=100)
    assert one.total == two.total == 250
    assert [h.id for h in one.hits] == [h.id for h in two.hits]


def test_totals_never_count_internal_documents(small_engine):
    # "kaarnalaiva" is only in the internal document; its compound parts are in no public one.
    results = small_engine.search("kaarnalaiva")
    assert (results.total, results.hits) == (0, [])
    both = small_engine.search("työryhmä kaarnalaiva")
    assert both.total == len(both.hits) == 1 and both.hits[0].id == "wg"


HONEST_DOCS = [
    Document(id="computer", title="Tietokone lainaan", text="Kirjasto lainaa tietokoneita asiakkaille."),
    Document(id="info", title="Tietoa palveluista", text="Tietoa hyvinvointialueen palveluista ja tiedon käytöstä."),
    Document(id="quantum", title="Kvanttifysiikka", text="Kvantti on fysiikan käsite."),
]


@pytest.fixture(scope="module")
def honest_engine(make_engine):
    return make_engine(HONEST_DOCS, "honest")


def test_unknown_compound_is_searched_by_its_head_never_by_a_modifier(honest_engine):
    """Issue 12: kvanttitietokone, which no page has, gave the pages that share only "tieto" under "no
    page has every word"; now the notice names the missing word and the head searched instead."""
    results = honest_engine.search("kvanttitietokone")
    assert [h.id for h in results.hits] == ["computer"]
    assert results.missing == ["kvanttitietokone"] and results.replaced == {"kvanttitietokone": "tietokone"}
    assert not results.relaxed and not results.corrected


def test_a_word_no_page_has_is_named_and_finds_nothing_without_a_head(honest_engine):
    results = honest_engine.search("tietosuojavaltuutettu")  # its head (valtuutettu) is on no page
    assert (results.total, results.missing, results.replaced) == (0, ["tietosuojavaltuutettu"], {})
    assert not results.relaxed


def test_any_word_fallback_of_several_words_names_the_missing_one(honest_engine):
    results = honest_engine.search("tietokone tietosuojavaltuutettu")
    assert [h.id for h in results.hits] == ["computer"]
    assert results.relaxed and results.missing == ["tietosuojavaltuutettu"] and results.replaced == {}


LANG_DOCS = [
    Document(id="fi-1", title="Heinola", text="Heinola Heinola Heinola. Heinolan palvelut."),
    Document(id="fi-2", title="Heinola", text="Heinola ja Heinolan kaupunki."),
    Document(id="sv-1", title="Tjänster", text="Tjänster i Heinola kommun och i hela området.", lang="sv"),
    Document(id="en-1", title="Services", text="Services in the town of Heinola for everyone living there.", lang="en"),
    Document(id="sv-reform", title="Social- och hälsovårdsreformen", text="Reformen flyttar ansvaret till välfärdsområdet.", lang="sv"),
]


@pytest.fixture(scope="module")
def lang_engine(make_engine):
    return make_engine(LANG_DOCS, "languages")


def test_the_page_language_ranks_first(lang_engine):
    """Issue 12: the Swedish page listed Finnish pages first."""
    plain = lang_engine.search("Heinola")
    assert plain.hits[0].lang == "fi" and plain.total == 4
    for lang in ("sv", "en"):
        preferred = lang_engine.search("Heinola", prefer_lang=lang)
        assert [h.lang for h in preferred.hits][0] == lang
        assert preferred.total == 4 and sorted(h.id for h in preferred.hits) == sorted(h.id for h in plain.hits)
        assert [h.id for h in preferred.hits[1:]] == [h.id for h in plain.hits if h.lang != lang]
        second_page = lang_engine.search("Heinola", prefer_lang=lang, size=2, page=2)
        assert [h.id for h in second_page.hits] == [h.id for h in preferred.hits[2:4]]
    assert [h.id for h in lang_engine.search("Heinola", prefer_lang="sv", lang="fi").hits][0].startswith("fi")


@pytest.mark.parametrize("query", ["vårdreformen", "välfärdsområdena", "hälsovårdsreform"])
def test_swedish_inflected_and_compound_words_find_their_page(lang_engine, query):
    """Issue 12: vårdreformen, the tail of hälsovårdsreformen, found nothing."""
    results = lang_engine.search(query, prefer_lang="sv")
    assert [h.id for h in results.hits] == ["sv-reform"] and not results.relaxed
