"""Conformance: the query language and the engine's extras on a small index, on every backend: phrases,
exclusion, OR, field filters, date ranges, freshness, did-you-mean, completions, facets, near-duplicates,
pagination, document views."""

from __future__ import annotations

import datetime as dt

import pytest

from corpus.document import Document
from search.engine import ANONYMOUS, Viewer
from search.query import QueryError

STAFF = Viewer(name="staff", staff=True)
D = dt.date
DOCS = [
    Document(id="uutinen-2023", url="https://www.phhyky.fi/uutiset/sotekeskus", title="Sotekeskus avautui",
             text="Uusi sotekeskus avautui Lahdessa. Sotekeskuksessa toimivat terveysasema ja neuvola.",
             updated=D(2023, 5, 2), section="Etusivu > Ajankohtaista > Uutiset"),
    Document(id="arkisto-2021", url="https://vanha.example.fi/sote", title="Sotekeskukset suunnitteilla",
             text="Sotekeskusten verkosto suunnitellaan Heinolaan ja Orimattilaan.",
             updated=D(2021, 1, 15), section="Etusivu > Arkisto"),
    Document(id="saantokirja", url="https://www.phhyky.fi/liitteet/saantokirja.pdf", title="Palvelusetelin sääntökirja",
             text="Palveluseteli myönnetään palvelutarpeen arvioinnin jälkeen. Hyvinvointialue hyväksyy tuottajat.",
             updated=D(2022, 3, 1), content_type="application/pdf"),
    Document(id="jarjestys", url="https://www.phhyky.fi/jarjestaminen", title="Palvelujen järjestäminen",
             text="Hyvinvointialue järjestää sosiaali- ja terveyspalvelut koko alueella.", updated=D(2022, 6, 1)),
    Document(id="kaanteinen", url="https://www.phhyky.fi/kaanteinen", title="Terveyspalvelut",
             text="Terveyspalvelut ja sosiaali-infrastruktuuri ovat eri asioita.", updated=D(2022, 6, 1)),
    Document(id="sv-sida", url="https://www.phhyky.fi/sv/vard", title="Social- och hälsovård", lang="sv",
             text="Välfärdsområdet ordnar social- och hälsovården i hela området.", updated=D(2022, 6, 1)),
    Document(id="salainen", url="https://intra.example.fi/muistio", title="Muistio", visibility="internal",
             text="Kaarnalaiva-hanke etenee. Sotekeskus saa uuden johtajan.", updated=D(2023, 1, 1)),
    Document(id="yopartio", url="https://www.phhyky.fi/yopartio", title="Yöpartio",
             text="Kotihoidon yöpartio käy asiakkaiden luona öisin koko alueella.", updated=D(2023, 2, 1)),
    Document(id="yopartio-vanha", url="https://www.phhyky.fi/yopartio-2022", title="Yöpartio",
             text="Kotihoidon yöpartio käy asiakkaiden luona öisin koko alueella.", updated=D(2022, 2, 1),
             duplicate_of="yopartio"),
    Document(id="tasa-b", text="tasapelisana", updated=D(2022, 1, 1)),
    Document(id="tasa-a", text="tasapelisana", updated=D(2022, 1, 1)),
    Document(id="tuore-z", text="tuoreussana", updated=D(2024, 1, 1)),
    Document(id="tuore-a", text="tuoreussana", updated=D(2019, 1, 1)),
    *[Document(id=f"sivu-{i:02}", text=f"Sivutussana numero {i}.", updated=D(2022, 1, 1)) for i in range(25)],
]


@pytest.fixture(scope="module")
def engine(make_engine):
    return make_engine(DOCS, "query-language")


def ids(results):
    return [hit.id for hit in results.hits]


def test_phrase_wants_the_words_in_order(engine):
    assert ids(engine.search('"sosiaali- ja terveyspalvelut"')) == ["jarjestys"]
    assert set(ids(engine.search("terveyspalvelut sosiaali"))) >= {"jarjestys", "kaanteinen"}


def test_exclusion_leaves_out_every_inflected_form(engine):
    assert set(ids(engine.search("sotekeskus"))) == {"uutinen-2023", "arkisto-2021"}
    assert ids(engine.search("sotekeskus -lahti")) == ["arkisto-2021"]  # the page says "Lahdessa"
    assert ids(engine.search('sotekeskus -"uusi sotekeskus"')) == ["arkisto-2021"]


def test_or_takes_either_word_and_binds_tighter_than_space(engine):
    assert set(ids(engine.search("sääntökirja OR yöpartio"))) == {"saantokirja", "yopartio"}
    assert ids(engine.search("kotihoidon OR sääntökirja palveluseteli")) == ["saantokirja"]
    assert set(ids(engine.search("sääntökirja TAI yöpartio"))) == {"saantokirja", "yopartio"}


def test_field_filters(engine):
    assert ids(engine.search("title:sääntökirja")) == ["saantokirja"]
    assert ids(engine.search("title:hyvinvointialue")) == []  # in the text only
    assert ids(engine.search("sotekeskus site:phhyky.fi")) == ["uutinen-2023"]  # www.phhyky.fi counts
    assert ids(engine.search("hyvinvointialue type:pdf")) == ["saantokirja"]
    assert ids(engine.search("type:pdf")) == ["saantokirja"]  # filters alone list what passes them
    assert ids(engine.search("välfärdsområdet lang:sv")) == ["sv-sida"]
    assert ids(engine.search("sotekeskus", filters={"year": "2021"})) == ["arkisto-2021"]
    assert ids(engine.search("sotekeskus section:Ajankohtaista")) == ["uutinen-2023"]


def test_date_ranges(engine):
    assert ids(engine.search("sotekeskus updated:2023")) == ["uutinen-2023"]
    assert ids(engine.search("sotekeskus updated:..2021-12-31")) == ["arkisto-2021"]
    assert ids(engine.search("sotekeskus updated:2021-01-15..2021-01-15")) == ["arkisto-2021"]
    assert ids(engine.search("sotekeskus päivitetty:2022..")) == ["uutinen-2023"]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("sotekeskus updated:2022-13-01", "is not a date"),
        ("sotekeskus updated:2023..2021", "ends before it starts"),
        ("-sotekeskus", "Add a word to search for besides the excluded ones"),
        ("sotekeskus lang:suomi", "not a language code"),
    ],
)
def test_malformed_queries_get_a_message_that_says_what_to_do(engine, query, message):
    with pytest.raises(QueryError, match=message):
        engine.search(query)


def test_repairable_queries_are_repaired(engine):
    assert ids(engine.search('"sosiaali- ja terveyspalvelut')) == ["jarjestys"]  # unclosed quote
    assert ids(engine.search("sääntökirja OR")) == ["saantokirja"]  # dangling OR
    assert ids(engine.search("OR sääntökirja")) == ["saantokirja"]


def test_freshness_breaks_otherwise_equal_scores_and_ties_go_by_id(engine):
    assert ids(engine.search("tuoreussana")) == ["tuore-z", "tuore-a"]  # newer first, despite its id
    assert ids(engine.search("tasapelisana")) == ["tasa-a", "tasa-b"]
    fresh, old = engine.search("tuoreussana").hits
    assert 1.0 < fresh.score / old.score < 1.1  # mild


def test_misspelling_is_corrected_and_searched(engine):
    results = engine.search("hyvinvontialue")
    assert results.suggestion == "hyvinvointialue" and results.corrected
    assert set(ids(results)) == {"saantokirja", "jarjestys"}
    assert "<mark>Hyvinvointialue</mark>" in results.hits[0].snippet


def test_misspelt_inflected_word_is_corrected_to_a_written_form(engine):
    results = engine.search("sotekeskuksesa")
    assert results.suggestion == "sotekeskuksessa" and results.corrected


def test_did_you_mean_never_offers_an_internal_word(engine):
    anonymous = engine.search("kaarnalaiv sotekeskus")
    assert anonymous.suggestion is None or "kaarnalaiva" not in anonymous.suggestion
    assert engine.search("kaarnalaivva", viewer=STAFF).suggestion == "kaarnalaiva"


def test_completions_are_written_forms_and_respect_visibility(engine):
    completions = engine.suggest("sotek")
    assert completions and completions[0] == "sotekeskus"
    assert engine.suggest("kaarna") == []
    assert engine.suggest("kaarna", viewer=STAFF) == ["kaarnalaiva", "kaarnalaiva-hanke"]
    assert engine.suggest("uusi sotek")[0] == "uusi sotekeskus"
    assert engine.suggest("s") == []  # too short to be useful


def test_facets_count_what_the_viewer_may_see(engine):
    results = engine.search("sotekeskus")
    assert results.total == 2
    assert dict(results.facets["year"]) == {"2023": 1, "2021": 1}
    assert dict(results.facets["section"]) == {"Ajankohtaista": 1, "Arkisto": 1}
    staff = engine.search("sotekeskus", viewer=STAFF)
    assert staff.total == 3 and dict(staff.facets["year"]) == {"2023": 2, "2021": 1}
    types = dict(engine.search("hyvinvointialue").facets["type"])
    assert types == {"pdf": 1, "html": 1}


def test_near_duplicates_are_collapsed(engine):
    results = engine.search("yöpartio")
    assert ids(results) == ["yopartio"] and results.total == 1
    assert dict(results.facets["year"]) == {"2023": 1}


def test_pages_continue_without_overlap(engine):
    first, second, third = (engine.search("sivutussana", page=p, size=10) for p in (1, 2, 3))
    assert first.total == second.total == 25
    assert len(ids(first)) == len(ids(second)) == 10 and len(ids(third)) == 5
    assert not set(ids(first)) & set(ids(second)) and sorted(ids(first) + ids(second) + ids(third)) == [f"sivu-{i:02}" for i in range(25)]


def test_document_view_hides_internal_documents(engine):
    assert engine.document("salainen", viewer=ANONYMOUS) is None
    assert engine.document("salainen", viewer=STAFF)["title"] == "Muistio"
    assert engine.document("saantokirja")["updated"] == "2022-03-01"


def test_ranking_questions_reads_quotes_and_hyphens_as_punctuation(engine):
    """'"Yöpartio" -sivu' is Finnish orthography in a question, not a phrase and an exclusion."""
    ranked = [doc_id for doc_id, _ in engine.rank('Mitä "Yöpartio" -sivulla kerrotaan kotihoidosta?')]
    assert ranked[0] in ("yopartio", "yopartio-vanha")
    assert ids(engine.search('"Yöpartio" -kotihoidon')) == []  # typed into the box, it is an exclusion


def test_filter_parameters_are_values_not_syntax(engine):
    assert ids(engine.search("sotekeskus", filters={"section": 'Ajankohtaista" OR x'})) == []
    assert ids(engine.search("sotekeskus", filters={"section": "Ajankohtaista"})) == ["uutinen-2023"]
    assert ids(engine.search("sotekeskus", filters={"updated": "2023"})) == ["uutinen-2023"]
    with pytest.raises(QueryError, match="Unknown filter 'colour'"):
        engine.search("sotekeskus", filters={"colour": "red"})
    with pytest.raises(QueryError, match="Give one updated range"):
        engine.search("sotekeskus", filters={"updated": ["2022", "2023"]})


def test_hits_say_their_visibility(engine):
    assert {h.visibility for h in engine.search("sotekeskus", viewer=STAFF).hits} == {"public", "internal"}


COMPLETION_DOCS = [
    Document(id="c1", text="Hyvinvointia edistetään. Hyvinvointiautoa odotetaan. Hyvinvointialuestrategian luonnos."),
    Document(id="c2", text="Hyvinvointia ja hyvinvointiautoa. Työryhmän kokous. Kunnan ja kunnan palvelut."),
    Document(id="c3", text="Hyvinvointialuestrategian toteutus. Työryhmässä puhuttiin. Kunnat sopivat."),
]


@pytest.fixture(scope="module")
def completion_engine(make_engine):
    return make_engine(COMPLETION_DOCS, "completions")


def test_completions_are_base_forms_or_the_commonest_written_form(completion_engine):
    """Issue 12: hyvinvointi completed to hyvinvointia, hyvinvointiautoa, hyvinvointialuestrategian."""
    assert set(completion_engine.suggest("hyvinvointi")) == {"hyvinvointi", "hyvinvointiauto", "hyvinvointialuestrategia"}
    assert completion_engine.suggest("tyory") == ["työryhmä"]  # typed without umlauts
    assert completion_engine.suggest("kunn") == ["kunnan"]  # kunta does not start as typed: the commonest form
