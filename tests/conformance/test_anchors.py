"""Conformance: anchor text, the words of a site's links to a page, find that page on every backend, reach
no one who may not read the linking page, and follow the linking pages through incremental updates.

The documents go the way `sotehaku index` takes them: stored with their link texts in a real corpus
store, resolved by corpus.anchors, published through the backend."""

from __future__ import annotations

import pytest

from corpus.anchors import anchor_texts, with_anchor_texts
from corpus.document import Document
from corpus.store import CorpusStore, open_data_store
from search.engine import Viewer

from .conftest import publish

SITE = "https://www.alue.example"
STAFF = Viewer(name="staff", staff=True)
HR = Viewer(name="hr", staff=True, groups=("hr",))


def page(path: str, title: str, text: str, lang: str = "fi", **fields) -> Document:
    return Document(id=SITE + path, url=SITE + path, title=title, text=text, lang=lang, **fields)


FRONT = page("/", "Etusivu", "Tervetuloa hyvinvointialueen sivuille.")
# Named otherwise than its menu label, so that only anchor text (not Swedish compound splitting) finds it.
REFORM_SV = page("/sv/reform", "Reformen", "Ansvaret för social- och hälsovården flyttades till välfärdsområdena 2023.", lang="sv")
DENTAL = page("/suu", "Suun terveydenhuolto", "Hammashoitola hoitaa hampaat ja ikenet.")
MEMO = page("/sisainen/muistio", "Muistio", "Valmistelun tilannekuva.", visibility="internal")
HR_PAGE = page("/sisainen/hr", "Henkilöstöasiat", "Siirtymä uuteen organisaatioon.", visibility="internal", access=("hr",))
HR_NOTES = page("/sisainen/hr-muistiot", "HR-muistiot", "Henkilöstöryhmän muistiot.", visibility="internal", access=("hr",))
FILLER = [page(f"/sivu-{i}", f"Sivu {i}", f"Täytesivu numero {i} hyvinvointialueelta.") for i in range(6)]
LINKS = {
    FRONT.id: [(REFORM_SV.url, "Vårdreformen"), (DENTAL.url, "Hammashuolto"), (FRONT.url, "Kotisivu")],
    # Internal pages link with words of their own: they may name internal pages only.
    MEMO.id: [(DENTAL.url, "Kaarnalaivahanke"), (MEMO.url, "Tilannekuvamuistio"), (HR_PAGE.url, "Ylläpitoryhmä")],
    HR_PAGE.id: [(MEMO.url, "Salaisuusjaosto"), (HR_NOTES.url, "Palkkaharmonisointi"), (DENTAL.url, "Salaisuusjaosto")],
    HR_NOTES.id: [(HR_PAGE.url, "Palkkaharmonisointi")],
    FILLER[0].id: [(MEMO.url, "Muistiokansio"), ("https://muu.example/suu", "Vieraslinkki"), (DENTAL.url, "Hammashuolto")],
}
DOCS = [FRONT, REFORM_SV, DENTAL, MEMO, HR_PAGE, HR_NOTES, *FILLER]


def stored(folder, links: dict) -> CorpusStore:
    """A corpus store holding the documents, each with its links' (URL, text) pairs, as a crawl stores them."""
    store = open_data_store(folder)
    for doc in DOCS:
        store.put(doc, anchors=tuple(links.get(doc.id, ())))
    return store


def indexed(store: CorpusStore) -> list[Document]:
    """The documents as the pipeline indexes them: anchor text attached."""
    return list(with_anchor_texts(store.iter_documents(), anchor_texts(store)))


@pytest.fixture(scope="module")
def engine(make_engine, tmp_path_factory):
    with stored(tmp_path_factory.mktemp("anchors"), LINKS) as store:
        return make_engine(indexed(store), "anchors")


def ids(results) -> list[str]:
    return [h.id for h in results.hits]


def unknown(engine, word: str, viewer: Viewer | None = None) -> bool:
    """True if no document the viewer may see has the word (any hits come from a fallback, which says so)."""
    results = engine.search(word, **({"viewer": viewer} if viewer else {}))
    return results.total == 0 or word in results.missing


def test_a_menu_label_finds_the_page_it_links(engine):
    """Issue 12: the menu label of a page (Vårdreformen, Hammashuolto) finds it, though the page never says it."""
    results = engine.search("vårdreformen", prefer_lang="sv")
    assert ids(results) == [REFORM_SV.id] and not results.missing and not results.relaxed
    assert ids(engine.search("hammashuolto")) == [DENTAL.id]
    assert ids(engine.search("hammashuollon")) == [DENTAL.id]  # analysed like any field: inflected forms too
    assert ids(engine.search("vardreformen")) == [REFORM_SV.id]  # and umlaut-free


def test_anchor_text_is_never_shown_as_the_page_says_it(engine):
    hit = engine.search("hammashuolto").hits[0]
    assert "hammashuolto" not in hit.snippet.lower() and "hammashoitola" in hit.snippet.lower()


def test_self_links_and_other_sites_lend_nothing(engine):
    assert unknown(engine, "kotisivu") and unknown(engine, "vieraslinkki")


def test_internal_link_texts_never_reach_a_public_page(engine):
    """An intranet page's link text to a public page finds it for no one: anonymous visitors would learn the
    intranet's words, and staff would see a public page for words it does not have."""
    for viewer in (None, STAFF, HR):
        assert unknown(engine, "kaarnalaivahanke", viewer) and unknown(engine, "salaisuusjaosto", viewer)
    assert unknown(engine, "muistiokansio")  # a public page's link to an internal page: no hit for visitors
    assert ids(engine.search("muistiokansio", viewer=STAFF)) == [MEMO.id]  # but staff find the memo by it


def test_group_link_texts_reach_only_pages_of_the_same_groups(engine):
    # The hr group's page names the memo (any staff may read it) "Salaisuusjaosto": not lent, since staff
    # outside hr would find the memo by a word only hr may read (test_internal_link_texts_...).
    assert set(ids(engine.search("palkkaharmonisointi", viewer=HR))) == {HR_PAGE.id, HR_NOTES.id}
    assert unknown(engine, "palkkaharmonisointi", STAFF)
    # The memo (any staff) names the hr page: everyone who may read the hr page may read the memo.
    assert ids(engine.search("ylläpitoryhmä", viewer=HR)) == [HR_PAGE.id]
    assert unknown(engine, "ylläpitoryhmä", STAFF)


def test_a_changed_or_removed_link_reindexes_its_target(make_engine, tmp_path_factory):
    store = stored(tmp_path_factory.mktemp("anchor-updates"), LINKS)
    engine = make_engine(indexed(store), "anchor-updates")
    assert ids(engine.search("hammashuolto")) == [DENTAL.id]
    # The menus rename their link: the dental page is indexed again, though the page itself did not change.
    store.put(FRONT, anchors=((REFORM_SV.url, "Vårdreformen"), (DENTAL.url, "Hammasklinikka")))
    store.put(FILLER[0], anchors=((MEMO.url, "Muistiokansio"),))
    published = publish(engine, indexed(store))
    assert (published.added, published.removed) == (1, 1)  # the dental page's new version in, its old one out
    assert ids(engine.search("hammasklinikka")) == [DENTAL.id]
    assert unknown(engine, "hammashuolto")
    # The front page is removed: its link texts go with it; the pages it linked stay.
    store.delete(FRONT.id)
    published = publish(engine, indexed(store))
    assert (published.added, published.removed) == (2, 3)  # the front page, and its two targets' old versions
    assert unknown(engine, "hammasklinikka") and ids(engine.search("hammashoitola")) == [DENTAL.id]
    again = publish(engine, indexed(store))
    assert (again.added, again.removed) == (0, 0)
    store.close()
