"""The sample site's office attachments are crawled as documents of their page and found by inflected words."""

import pytest

from corpus.formats import BY_SUFFIX
from corpus.store import open_data_store

ATTACHMENTS = {
    "liitteet/perhekeskus-toimintamalli.odt": ("palvelut/neuvola.html", "Perhekeskuksen toimintamalli", "vertaisryhmistä"),
    "liitteet/asukastilaisuus-1-11-2022.odp": (
        "ajankohtaista/keskustelutilaisuus-1-11-2022.html", "Asukastilaisuus 1.11.2022", "asiointikanaviin"),
    "liitteet/talousarvio-2023.xlsx": ("uudistus/hyvinvointialue.html", "Talousarvio 2023: määrärahat palveluittain", "terveyspalveluille"),
}


@pytest.mark.parametrize("path", sorted(ATTACHMENTS))
def test_attachment_is_crawled_with_its_page_and_type(crawled_data_dir, sample_site_url, path):
    page, title, _ = ATTACHMENTS[path]
    with open_data_store(crawled_data_dir) as store:
        doc = store.get(f"{sample_site_url}/{path}")
    assert doc is not None and doc.title == title and doc.visibility == "public"
    assert doc.parent == f"{sample_site_url}/{page}"
    assert doc.content_type == BY_SUFFIX["." + path.rsplit(".", 1)[1]].content_type


@pytest.mark.parametrize("path", sorted(ATTACHMENTS))
def test_attachment_is_found_by_an_inflected_word(engine, path):
    query = ATTACHMENTS[path][2]
    assert path in [hit.url.split("/", 3)[3] for hit in engine.search(query).hits[:3]]
