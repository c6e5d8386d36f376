"""Conformance: sorting by date, best bets, similar documents and the document counts of analysed terms.

Best bets and the choice of a document's terms live in the engine; each backend sorts, counts terms and
applies visibility. Similar documents are checked on the sample site (its crawled documents published
to each backend): the structural reform's final report is the reform page's most similar page.
"""

from __future__ import annotations

import datetime as dt
import os

import pytest

from corpus.document import Document
from corpus.store import open_data_store
from search.bestbets import BestBetsError
from search.engine import ANONYMOUS, Viewer
from search import SearchError
from search.access import visibilities

STAFF = Viewer(name="staff", staff=True)
TALOUS = Viewer(name="tiina", staff=True, groups=("talous",))
DAY = dt.date(2023, 1, 1)
DOCS = [
    Document(id="a-vanha", title="Kotihoito 2019", text="Kotihoidon asiakasmaksut muuttuivat.", updated=dt.date(2019, 5, 1)),
    Document(id="b-uusi", title="Kotihoito uudistuu", text="Kotihoito siirtyy hyvinvointialueelle.", updated=dt.date(2023, 3, 1)),
    Document(id="c-sama", title="Kotihoidon tiedote", text="Kotihoidossa uusi asiakasohje.", updated=dt.date(2023, 3, 1)),
    Document(id="d-kopio", title="Kotihoidon tiedote", text="Kotihoidossa uusi asiakasohje.", updated=dt.date(2023, 3, 1),
             duplicate_of="c-sama"),
    Document(id="e-paivaton", title="Kotihoito", text="Kotihoito kotihoito kotihoito, ohjeet.", updated=None),
    Document(id="f-keski", title="Kotihoidon palveluseteli", text="Palveluseteli kotihoitoon.", updated=dt.date(2021, 6, 1)),
    Document(id="g-sisainen", title="Kotihoidon luonnos", text="Sisäinen luonnos kotihoidosta ja rokotuksista.",
             updated=dt.date(2024, 1, 1), visibility="internal"),
    Document(id="m-talous", title="Talouden luonnos", text="Luonnos rokotusten budjetista.", updated=dt.date(2024, 2, 1),
             visibility="internal", access=("talous",)),
    Document(id="h-rokotus", title="Koronarokotukset", text="Koronarokotus annetaan terveysasemilla. Varaa aika.",
             updated=dt.date(2022, 1, 1)),
    Document(id="j-ohje", title="Ohjeita", text="Uusi asiakasohje julkaistiin verkossa.", updated=dt.date(2020, 1, 1)),
    Document(id="k-seteli", title="Valinnanvapaus", text="Palveluseteleillä valitaan tuottaja.", updated=dt.date(2020, 2, 1)),
    Document(id="l-seteli", title="Hakeminen", text="Palvelusetelin myöntää alue.", updated=dt.date(2020, 3, 1)),
    Document(id="i-tiedote", title="Rokotustiedote", text="Koronarokotuksen ajanvaraus avautui. Rokotus on maksuton.",
             updated=dt.date(2022, 2, 1)),
]


@pytest.fixture(scope="module")
def engine(make_engine):
    return make_engine(DOCS, "services")


def ids(results) -> list[str]:
    return [h.id for h in results.hits]


def test_sort_by_date_is_newest_first_undated_last_ties_by_id_duplicates_once(engine):
    results = engine.search("kotihoito", sort="date")
    assert ids(results) == ["b-uusi", "c-sama", "f-keski", "a-vanha", "e-paivaton"]
    assert results.sort == "date" and results.total == 5
    assert ids(engine.search("kotihoito", sort="date", viewer=STAFF))[0] == "g-sisainen"
    assert ids(engine.search("kotihoito", sort="date", size=2, page=2)) == ["f-keski", "a-vanha"]
    relevance = engine.search("kotihoito")
    assert relevance.sort == "relevance" and set(ids(relevance)) == set(ids(results)) and ids(relevance) != ids(results)
    assert ids(engine.search("kotihoito", sort="date", filters={"updated": ("2020..2022",)})) == ["f-keski"]
    with pytest.raises(SearchError, match="sort by relevance or date"):
        engine.search("kotihoito", sort="newest")


@pytest.fixture()
def bestbets(engine, tmp_path):
    path = tmp_path / "bestbets.toml"
    engine.bestbets = path
    yield path
    engine.bestbets = None


def write(path, text: str, bump: int = 0) -> None:
    path.write_text(text, encoding="utf-8")
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + bump))


def test_best_bets_pin_by_inflected_words_first_and_marked(engine, bestbets):
    write(bestbets, '[[bestbet]]\nquery = "koronarokotus"\ndocuments = ["h-rokotus", "puuttuu"]\n')
    for query in ("koronarokotuksen", "Koronarokotukset", "koronarokotus"):
        results = engine.search(query)
        assert results.hits[0].id == "h-rokotus" and results.hits[0].recommended, query
        assert [h.id for h in results.hits].count("h-rokotus") == 1  # not repeated among the other hits
        assert not any(h.recommended for h in results.hits[1:])
    assert engine.search("koronarokotuksen", sort="date").hits[0].id == "h-rokotus"  # pins come first in any order
    other = engine.search("koronarokotus ajanvaraus")  # other words: not the pinned query
    assert not any(h.recommended for h in other.hits)
    assert not any(h.recommended for h in engine.search("koronarokotus", filters={"lang": ("fi",)}).hits)
    # A pinned document that the query does not match still comes first, and counts.
    write(bestbets, '[[bestbet]]\nquery = "kotihoito"\ndocuments = ["h-rokotus"]\n', bump=1_000_000)
    results = engine.search("kotihoidon")
    assert results.hits[0].id == "h-rokotus" and results.hits[0].recommended and results.total == 6


def test_best_bets_show_a_pinned_document_only_to_viewers_who_may_see_it(engine, bestbets):
    write(bestbets, '[[bestbet]]\nquery = "rokotus"\ndocuments = ["g-sisainen", "i-tiedote"]\n')
    anonymous = engine.search("rokotuksia")
    assert anonymous.hits[0].id == "i-tiedote" and anonymous.hits[0].recommended
    assert "g-sisainen" not in ids(anonymous)
    staff = engine.search("rokotuksia", viewer=STAFF)
    assert [(h.id, h.recommended) for h in staff.hits[:2]] == [("g-sisainen", True), ("i-tiedote", True)]


def test_best_bets_file_errors_name_the_entry(engine, bestbets):
    write(bestbets, '[[bestbet]]\nquery = "rokotus"\ndocuments = []\n')
    with pytest.raises(BestBetsError, match=r"bestbets.toml: \[\[bestbet\]\] #1 needs 'documents'"):
        engine.search("rokotus")
    write(bestbets, '[[bestbet]]\nquery = "rokotus"\ndocuments = ["i-tiedote"]\n', bump=1_000_000)
    assert engine.search("rokotus").hits[0].recommended  # picked up again once fixed


def test_term_documents_count_only_visible_documents(engine):
    snap = engine.backend.snapshot()
    assert snap.term_documents("fi", ["kotihoito", "luonnos", "olematon"], ("public",)) == {
        "kotihoito": 6, "luonnos": 0, "olematon": 0,  # the near-duplicate too: it is indexed
    }
    assert snap.term_documents("fi", ["luonnos"], visibilities(STAFF)) == {"luonnos": 1}  # not the group's
    assert snap.term_documents("fi", ["luonnos"], visibilities(TALOUS)) == {"luonnos": 2}


def test_similar_leaves_out_the_document_and_its_near_duplicates(engine):
    for doc_id in ("c-sama", "d-kopio"):
        assert [h.id for h in engine.similar(doc_id)] == ["j-ohje"], doc_id


def test_similar_matches_base_forms_not_written_forms(engine):
    # "Palveluseteleillä" shares no written word with "Palvelusetelin" or "palveluseteli", only its base form.
    assert {h.id for h in engine.similar("k-seteli")} == {"f-keski", "l-seteli"}


def test_similar_respects_visibility(engine):
    assert "g-sisainen" in [h.id for h in engine.similar("i-tiedote", viewer=STAFF)]
    assert "m-talous" not in [h.id for h in engine.similar("g-sisainen", viewer=STAFF)]
    assert "m-talous" in [h.id for h in engine.similar("g-sisainen", viewer=TALOUS)]
    assert engine.similar("m-talous", viewer=STAFF) is None
    anonymous = [h.id for h in engine.similar("i-tiedote")]
    assert anonymous == ["h-rokotus"]
    assert engine.similar("g-sisainen") is None and engine.similar("ei-ole") is None


@pytest.fixture(scope="module")
def sample(make_engine, crawled_data_dir):
    """The sample site's crawled documents published to this backend, and the site's base address."""
    with open_data_store(crawled_data_dir) as store:
        documents = list(store.iter_documents())
    base = min((d.id for d in documents), key=len)
    return make_engine(documents, "sample"), base


def test_similar_ranks_the_known_related_page_first_on_the_sample_site(sample):
    engine, base = sample
    assert engine.similar(base + "uudistus/rakenneuudistus.html")[0].id == base + "liitteet/rakenneuudistus-loppuraportti.pdf"
    assert engine.similar(base + "palvelut/neuvola.html")[0].id == base + "liitteet/perhekeskus-toimintamalli.odt"
    top = {h.id for h in engine.similar(base + "palvelut/palveluseteli.html")[:2]}
    assert top == {base + "ajankohtaista/palveluseteleilla-valinnanvapautta.html", base + "liitteet/palveluseteli-saantokirja.pdf"}


def test_similar_never_shows_internal_documents_to_anonymous_viewers(sample):
    engine, base = sample
    snap = engine.backend.snapshot()
    internal = base + "sisainen/luonnos-palvelustrategia.html"
    assert engine.similar(internal) is None
    staff = [h.id for h in engine.similar(internal, viewer=STAFF)]
    assert any("/sisainen/" in i for i in staff)
    for page in ("palvelut/palveluseteli.html", "uudistus/tyoryhmat/palvelutuotanto.html", "uudistus/hyvinvointialue.html"):
        hits = engine.similar(base + page, viewer=ANONYMOUS, limit=20)
        assert hits and all(h.visibility == "public" and "/sisainen/" not in h.id for h in hits), page
    assert snap.doc_count(("public",)) < snap.doc_count(("public", "internal"))
