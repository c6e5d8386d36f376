"""Conformance: a fixed table of queries and the order every backend must rank their top hits in.

The table pins the ranking signals together: field weights (a word in the title beats the same word
in the text), whole lemmas above compound parts and folded matches, synonyms of the lexicon,
freshness between otherwise equal pages, and ties by id.
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
]


@pytest.fixture(scope="module")
def engine(make_engine):
    return make_engine(DOCS, "ranking")


@pytest.mark.parametrize(("query", "expected"), TABLE, ids=[q for q, _ in TABLE])
def test_ranking_order(engine, query, expected):
    assert [h.id for h in engine.search(query).hits][: len(expected)] == expected
