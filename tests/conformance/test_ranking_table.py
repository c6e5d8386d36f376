"""Conformance: a fixed table of queries and the order every backend must rank their top hits in.

The table pins the ranking signals together: field weights (a word in the title beats the same word
in the text), whole lemmas above compound parts and folded matches, synonyms of the lexicon,
freshness between otherwise equal pages, ties by id, the lower weight of text read by OCR with
low confidence, and of question words (kuinka, milloin) that are no stopwords.
"""

from __future__ import annotations

import datetime as dt

import pytest

from corpus.document import Document
from search.engine import Viewer

STAFF = Viewer(name="staff", staff=True)

D = dt.date
DOCS = [
    Document(id="otsikko", title="Palveluseteli", text="Tällä sivulla kerrotaan asiasta.", updated=D(2022, 1, 1)),
    Document(id="teksti", title="Asiakasmaksut", text="Palveluseteli on yksi tapa saada palveluja.", updated=D(2022, 1, 1)),
    Document(id="osa", title="Kotihoito", text="Palvelusetelihakemus lähetetään kunnalle.", updated=D(2022, 1, 1)),
    Document(id="tyoryhma", title="Työryhmät", text="Työryhmän kokous pidettiin hyvinvointialueella.", updated=D(2022, 1, 1)),
    Document(id="ryhma", title="Ryhmätoiminta", text="Ryhmä kokoontuu viikoittain.", updated=D(2022, 1, 1)),
    Document(id="hyte", title="Hyvinvoinnin ja terveyden edistäminen", text="Edistäminen kuuluu kaikille.", updated=D(2022, 1, 1)),
    Document(id="hyte-lyhyt", title="Hyte-kerroin", text="Hyte-kerroin vaikuttaa rahoitukseen.", updated=D(2022, 1, 1)),
    Document(id="uusi", title="Päivystys", text="Päivystys palvelee ympäri vuorokauden.", updated=D(2024, 6, 1)),
    Document(id="vanha", title="Päivystys", text="Päivystys palvelee ympäri vuorokauden.", updated=D(2020, 6, 1)),
    Document(id="tasa-b", title="Neuvola", text="Neuvola palvelee perheitä.", updated=D(2022, 1, 1)),
    Document(id="tasa-a", title="Neuvola", text="Neuvola palvelee perheitä.", updated=D(2022, 1, 1)),
    # Equal scanned minutes but for Tesseract's confidence in their text (None: a text layer, no OCR).
    Document(id="ocr-a", title="Pöytäkirja", text="Aluehallitus hyväksyi talousarvion.", updated=D(2022, 1, 1), ocr_confidence=30.0),
    Document(id="ocr-b", title="Pöytäkirja", text="Aluehallitus hyväksyi talousarvion.", updated=D(2022, 1, 1), ocr_confidence=60.0),
    Document(id="ocr-c", title="Pöytäkirja", text="Aluehallitus hyväksyi talousarvion.", updated=D(2022, 1, 1)),
    # A page of questions: a question word says what kind of answer is wanted, not what it is about.
    Document(id="kysymys", title="Kysymyksiä", text="Kuinka haen? Kuinka valitan?", updated=D(2022, 1, 1)),
    Document(id="kotiapu", title="Kotiapu", text="Kotiapua saa myös kotihoitona, kun kunta niin päättää.", updated=D(2022, 1, 1)),
]
TABLE = [
    ("palveluseteli", ["otsikko", "teksti"]),  # title above text; the compound part only in the any-word fallback
    ("palvelusetelillä", ["otsikko", "teksti"]),  # any inflected form
    ("työryhmä", ["tyoryhma"]),  # the whole word, not the page about a ryhmä
    ("tyoryhma", ["tyoryhma"]),  # typed without umlauts
    ("hyte", ["hyte", "hyte-lyhyt"]),  # the lexicon's synonym, all three of its words in a title, comes first
    ("päivystys", ["uusi", "vanha"]),  # freshness between equal pages
    ("neuvola", ["tasa-a", "tasa-b"]),  # ties by id
    ("ryhmä", ["ryhma", "tyoryhma"]),  # a whole word above a compound part
    ("pöytäkirjat", ["ocr-c", "ocr-b", "ocr-a"]),  # the less sure the OCR, the lower (against the order of ids)
    ("Kuinka kotihoito järjestetään", ["osa", "kotiapu"]),  # the topic's pages above the page of question words
]


@pytest.fixture(scope="module")
def engine(make_engine):
    return make_engine(DOCS, "ranking")


@pytest.mark.parametrize(("query", "expected"), TABLE, ids=[q for q, _ in TABLE])
def test_ranking_order(engine, query, expected):
    assert [h.id for h in engine.search(query).hits][: len(expected)] == expected


def test_a_clean_text_ranks_above_many_low_confidence_scans_that_match_better(make_engine):
    # Sixty short scans of low confidence (weight 0.5) outscore the longer clean text by BM25, but not
    # after their weight: the text must come first even though more than a page of scans lies above it
    # by BM25 alone (a backend that re-scores only a window of the best BM25 matches misses it).
    scans = [Document(id=f"skannaus-{i:02d}", title=f"Pöytäkirja {i}", ocr_confidence=0.0,
                      text="Hammashoitola avataan, hammashoitola." if i < 30 else "Hammashoitola avataan.")
             for i in range(60)]
    text = Document(id="teksti", title="Tiedote", text="Hammashoitola avataan uudelleen keväällä.")
    engine = make_engine([*scans, text], "ocr-window")
    hits = engine.search("hammashoitola").hits
    assert hits[0].id == "teksti", [h.id for h in hits]
    assert {h.id for h in hits[1:]} <= {d.id for d in scans}


# The same words in the same numbers, so BM25F ties them; only the distance between kotihoito and maksu
# differs. Without the proximity of query words the tie goes by id (a-erillaan first).
APART = "Kotihoito on tärkeä palvelu. Asiakas saa apua arkeen, siivoukseen, ruokailuun ja lääkkeisiin joka päivä. Maksu määräytyy tulojen mukaan."
NEAR = "Asiakas saa apua arkeen, siivoukseen, ruokailuun ja lääkkeisiin joka päivä. Kotihoito on tärkeä palvelu. Maksu määräytyy tulojen mukaan."
PROXIMITY_DOCS = [
    Document(id="a-erillaan", title="Palvelut", text=APART, updated=D(2022, 1, 1)),
    Document(id="b-vierekkain", title="Palvelut", text=NEAR, updated=D(2022, 1, 1)),
    Document(id="c-sisainen", title="Palvelut", text=NEAR, updated=D(2022, 1, 1), visibility="internal"),
]


@pytest.fixture(scope="module")
def proximity_engine(make_engine):
    return make_engine(PROXIMITY_DOCS, "proximity")


def test_query_words_near_each_other_rank_first_in_search_and_batch_ranking(proximity_engine):
    assert [h.id for h in proximity_engine.search("kotihoito maksu").hits] == ["b-vierekkain", "a-erillaan"]
    assert [h.id for h in proximity_engine.search("kotihoidon maksusta", size=1).hits] == ["b-vierekkain"]
    assert [doc for doc, _ in proximity_engine.rank("Mikä on kotihoidon maksu?")] == ["b-vierekkain", "a-erillaan"]
    # One word has no proximity: the tie stays with the id.
    assert [h.id for h in proximity_engine.search("kotihoito").hits] == ["a-erillaan", "b-vierekkain"]
    # Staff see the internal copy too; it ties with the public one near each other and goes by id.
    assert [doc for doc, _ in proximity_engine.rank("kotihoito maksu", viewer=STAFF)] == ["b-vierekkain", "c-sisainen", "a-erillaan"]

def test_the_backends_report_where_terms_start_only_in_documents_the_viewer_may_see(proximity_engine):
    snap = proximity_engine.backend.snapshot()
    terms = {("fi", "kotihoito"), ("fi", "maksu")}
    starts = snap.term_starts(["a-erillaan", "b-vierekkain", "c-sisainen", "puuttuu"], terms, ("public",))
    assert starts == {"a-erillaan": {("fi", "kotihoito"): [0], ("fi", "maksu"): [APART.index("Maksu")]},
                      "b-vierekkain": {("fi", "kotihoito"): [NEAR.index("Kotihoito")], ("fi", "maksu"): [NEAR.index("Maksu")]}}
    assert set(snap.term_starts(["c-sisainen"], terms, ("public", "internal"))) == {"c-sisainen"}
