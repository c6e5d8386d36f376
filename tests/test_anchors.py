"""Anchor text from the page to the index: link texts as parsed and stored, resolved to their targets with
the site, self-link, repetition, cap and access rules of corpus.anchors, and kept through a real crawl."""

from __future__ import annotations

import pytest

from app.pipeline import crawl_sources, run_pipeline
from corpus import anchors
from corpus.anchors import anchor_texts, with_anchor_texts
from corpus.document import Document
from corpus.parse import MAX_LINK_TEXT_CHARS, MAX_LINK_TEXTS, parse_html
from corpus.sample import demo_sources
from corpus.store import CorpusStore, open_data_store

SITE = "https://alue.example"


def test_a_page_keeps_the_text_of_each_followed_link():
    html = f"""<html><body><nav><a href="/palvelut/">Palvelut</a> <a href="/palvelut/#alku">Palvelut</a>
    <a href="/kotihoito.html">  Koti-
      hoito </a><a href="/ohje.html" title="Ohjeet"><img src="i.png" alt=""></a>
    <a href="/kuva.html"><img src="k.png" alt="Kartta"></a><a href="/tyhja.html"> </a>
    <a href="/mainos.html" rel="nofollow">Mainos</a><a href="mailto:a@b.example">Sähköposti</a>
    <a href="/pitka.html">{"sana " * 100}</a></nav><main><h1>Etusivu</h1><p>Teksti.</p></main></body></html>"""
    page = parse_html(html, SITE + "/")
    assert page.anchors == (
        (SITE + "/palvelut/", "Palvelut"), (SITE + "/kotihoito.html", "Koti- hoito"), (SITE + "/ohje.html", "Ohjeet"),
        (SITE + "/kuva.html", "Kartta"), (SITE + "/pitka.html", ("sana " * 100).strip()[:MAX_LINK_TEXT_CHARS]),
    )


def test_a_page_of_very_many_links_keeps_a_bounded_number():
    html = "<html><body><main>" + "".join(f'<a href="/s{i}">Sivu {i}</a>' for i in range(MAX_LINK_TEXTS + 500)) + "</main></body></html>"
    assert len(parse_html(html, SITE + "/").anchors) == MAX_LINK_TEXTS


def test_noindex_nofollow_pages_lend_no_words():
    html = '<html><head><meta name="robots" content="noindex, nofollow"></head><body><a href="/a">Aa</a></body></html>'
    assert parse_html(html, SITE + "/").anchors == ()


def page(path: str, **fields) -> Document:
    return Document(id=SITE + path, url=SITE + path, title=path, text=f"Sivu {path}.", **fields)


def store_with(links: dict[str, list[tuple[str, str]]], documents) -> CorpusStore:
    store = CorpusStore(":memory:")
    for doc in documents:
        store.put(doc, anchors=tuple(links.get(doc.id, ())))
    return store


def test_repeated_texts_count_once_per_page_and_are_kept_once_per_target():
    pages = [page(f"/s{i}") for i in range(5)]
    target = page("/kohde")
    links = {p.id: [(target.url, "Kohde"), (target.url, "KOHDE"), (p.url, "Itse")] for p in pages}
    links[pages[0].id].append((target.url, "Harvinainen"))
    store = store_with(links, [*pages, target])
    assert anchor_texts(store) == {target.id: ("Kohde", "Harvinainen")}  # most pages' text first; self-links never
    # As site-wide boilerplate (used by more than half of the linking pages), the menu label goes:
    assert anchor_texts(store, max_share=0.5) == {target.id: ("Harvinainen",)}


def test_a_page_linked_from_thousands_of_pages_keeps_a_bounded_anchor_text():
    target = page("/suosittu")
    pages = [page(f"/s{i}") for i in range(anchors.MAX_ANCHOR_TEXTS * 3)]
    store = store_with({p.id: [(target.url, f"Linkki numero {i}")] for i, p in enumerate(pages)}, [*pages, target])
    texts = anchor_texts(store)[target.id]
    assert len(texts) == anchors.MAX_ANCHOR_TEXTS and sum(map(len, texts)) <= anchors.MAX_ANCHOR_CHARS


def test_links_to_other_sites_and_unknown_pages_lend_nothing():
    source, target = page("/a"), Document(id="https://muu.example/b", url="https://muu.example/b", text="Muu.")
    store = store_with({source.id: [(target.url, "Vieras"), (SITE + "/puuttuu", "Puuttuu")]}, [source, target])
    assert anchor_texts(store) == {}


def test_a_target_is_found_by_its_id_when_it_has_no_url():
    source, target = page("/a"), Document(id=SITE + "/b", text="Tuotu.")
    store = store_with({source.id: [(target.id, "Tuotu sivu")]}, [source, target])
    assert anchor_texts(store) == {target.id: ("Tuotu sivu",)}


def test_anchor_text_changes_a_documents_fingerprint_only_when_present():
    doc = page("/a")
    assert doc.replace(anchors=()).fingerprint == doc.fingerprint
    assert doc.replace(anchors=("Valikko",)).fingerprint != doc.fingerprint
    assert "anchors" not in doc.replace(anchors=("Valikko",)).to_json()  # the export shape stays the same
    assert list(with_anchor_texts([doc], {doc.id: ("Valikko",)}))[0].anchors == ("Valikko",)


def test_a_corpus_without_link_texts_reads_no_addresses():
    class Imported(CorpusStore):
        def link_targets(self):
            raise AssertionError("read the addresses of a corpus nothing links in")

    store = Imported(":memory:")
    store.put_many(page(f"/s{i}") for i in range(3))
    assert anchor_texts(store) == {}


@pytest.fixture(scope="module")
def crawled(tmp_path_factory, sample_site_url):
    data_dir = tmp_path_factory.mktemp("anchors-crawl")
    run_pipeline(data_dir, crawl_sources(demo_sources(sample_site_url)), publish=False)
    return data_dir


def test_the_sample_sites_menu_labels_become_anchor_text(crawled, sample_site_url):
    with open_data_store(crawled) as store:
        found = anchor_texts(store)
    assert "Vårdreformen" in found[f"{sample_site_url}/sv/vardreformen.html"]
    assert "Dataskydd (på finska)" in found[f"{sample_site_url}/tietosuoja.html"]
    # The intranet's link texts reach intranet pages only.
    internal = [t for doc_id, texts in found.items() if "/sisainen/" in doc_id for t in texts]
    assert internal and not any("Muistio:" in t for doc_id, texts in found.items() if "/sisainen/" not in doc_id for t in texts)
