"""Near-duplicates: one page under two URLs, or two versions of one page, are marked; template siblings are not."""

from __future__ import annotations

import datetime as dt

from corpus.dedup import mark_near_duplicates, near_duplicates, with_duplicates_marked
from corpus.document import Document
from corpus.store import CorpusStore, open_data_store

APPEAL = (
    "Muutoksenhakuohje. Tähän päätökseen tyytymätön voi tehdä kirjallisen oikaisuvaatimuksen. Oikaisuvaatimus on "
    "tehtävä 14 päivän kuluessa päätöksen tiedoksisaannista. Oikaisuvaatimuksen saa tehdä se, johon päätös on "
    "kohdistettu tai jonka oikeuteen, velvollisuuteen tai etuun päätös välittömästi vaikuttaa, sekä alueen jäsen. "
    "Oikaisuvaatimus osoitetaan aluehallitukselle ja toimitetaan kirjaamoon ennen määräajan päättymistä. "
)
BODY = (
    "Kotihoidon palveluita uudistetaan koko hyvinvointialueella. Uudistuksessa yhdenmukaistetaan asiakasmaksut, "
    "laajennetaan yöpartion toimintaa ja otetaan käyttöön etähoiva. Asiakkaille lähetetään kirje muutoksista "
    "ennen niiden voimaantuloa, ja neuvontapuhelin palvelee arkisin kello kahdeksasta neljään."
)


def doc(doc_id, text, title="Kotihoidon uudistus", updated=None, visibility="public"):
    return Document(id=doc_id, url=doc_id, title=title, text=text, updated=updated, visibility=visibility)


def test_same_page_under_two_urls_is_one_and_the_shorter_url_is_kept():
    found = near_duplicates([doc("https://x.fi/kotihoito?sivu=1&lang=fi", BODY), doc("https://x.fi/kotihoito", BODY)])
    assert found == {"https://x.fi/kotihoito?sivu=1&lang=fi": "https://x.fi/kotihoito"}


def test_versions_of_a_page_are_one_and_the_newest_is_kept():
    old = doc("https://x.fi/kotihoito-2021", BODY, updated=dt.date(2021, 5, 1))
    new = doc("https://x.fi/kotihoito", BODY.replace("etähoiva.", "etähoiva ja kotikuntoutus. Kokeilu alkaa Heinolasta.") + " Lisätietoja antaa palveluohjaus.", updated=dt.date(2023, 1, 9))
    assert near_duplicates([old, new]) == {old.id: new.id}


def test_decisions_sharing_the_appeal_instructions_are_not_duplicates():
    first = doc("https://x.fi/paatos-45", "Aluehallitus hyväksyi talousarvion muutoksen. " + APPEAL, title="§ 45 Talousarvion muutos")
    second = doc("https://x.fi/paatos-46", "Aluehallitus valitsi hallintojohtajan. " + APPEAL, title="§ 46 Hallintojohtajan valinta")
    assert near_duplicates([first, second]) == {}


def test_public_page_is_never_grouped_under_an_internal_copy():
    public = doc("https://x.fi/kotihoito-julkinen-versio", BODY)
    internal = doc("https://x.fi/k", BODY, visibility="internal")
    assert near_duplicates([public, internal]) == {}


def test_short_stubs_are_not_duplicates():
    assert near_duplicates([doc("https://x.fi/a", "Sivua päivitetään."), doc("https://x.fi/b", "Sivua päivitetään.")]) == {}


def test_marks_are_recorded_and_cleared_when_pages_diverge():
    with CorpusStore(":memory:") as store:
        store.put(doc("https://x.fi/a-pitka-osoite", BODY))
        store.put(doc("https://x.fi/a", BODY))
        assert mark_near_duplicates(store) == 1
        assert store.get("https://x.fi/a-pitka-osoite").duplicate_of == "https://x.fi/a"
        store.put(doc("https://x.fi/a-pitka-osoite", APPEAL, title="Muutoksenhaku"))
        assert mark_near_duplicates(store) == 0
        assert store.get("https://x.fi/a-pitka-osoite").duplicate_of == ""


def test_the_documents_others_repeat_are_marked_for_indexing_and_index_again_when_that_changes():
    with CorpusStore(":memory:") as store:
        for doc_id in ("https://x.fi/a-pitka-osoite", "https://x.fi/a", "https://x.fi/b"):
            store.put(doc(doc_id, BODY if doc_id != "https://x.fi/b" else APPEAL, title=doc_id))
        assert store.duplicated_ids() == set()
        before = {d.id: d.fingerprint for d in store.iter_documents()}
        mark_near_duplicates(store)
        assert store.duplicated_ids() == {"https://x.fi/a"}
        marked = {d.id: d for d in with_duplicates_marked(store.iter_documents(), store.duplicated_ids())}
    assert {i for i, d in marked.items() if d.has_duplicates} == {"https://x.fi/a"}
    # The original's fingerprint changes (a backend indexes it again, with its group), the bystander's not.
    assert marked["https://x.fi/a"].fingerprint != before["https://x.fi/a"]
    assert marked["https://x.fi/b"].fingerprint == before["https://x.fi/b"]


def test_sample_site_versions_are_marked(crawled_data_dir):
    with open_data_store(crawled_data_dir) as store:
        marked = {d.url.split("/", 3)[3]: d.duplicate_of.split("/", 3)[3] for d in store.iter_documents() if d.duplicate_of}
    assert marked == {"uudistus/rakenneuudistus-2021.html": "uudistus/rakenneuudistus.html"}


def test_signatures_in_several_processes_find_what_one_process_finds(monkeypatch):
    """Batches of a large import go to a process per core; the groups found are the same, in any batching."""
    import random

    import corpus.dedup as dedup

    words = BODY.split()
    docs = []
    for i in range(60):
        body = " ".join(random.Random(i).choices(words, k=60))  # pages of one vocabulary, in other orders
        docs.append(doc(f"https://x.fi/sivu{i}", body, title=f"Palvelu {i}"))
        if i % 10 == 0:  # a second address of every tenth page, and a version of it with a sentence added
            docs.append(doc(f"https://x.fi/sivu{i}?print=1", body, title=f"Palvelu {i}"))
            docs.append(doc(f"https://x.fi/vanha/sivu{i}", body + " Sivua on päivitetty.", title=f"Palvelu {i}",
                            updated=dt.date(2020, 1, 1)))
    monkeypatch.setattr(dedup, "BATCH_CHARACTERS", 2_000)  # many small batches
    one = near_duplicates(docs)
    assert len(one) == 12  # two of each tenth page's three addresses
    assert near_duplicates(docs, procs=2) == one
