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
