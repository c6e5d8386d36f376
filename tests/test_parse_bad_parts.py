"""Never lose a page to one bad part: a broken link, attribute, date or charset label costs only that part.

A folder import of pages with such parts stores every document; what truly cannot be parsed is skipped with
its file and reason, and the import goes on. The dev pages of the extraction benchmark (474 saved pages of
many sites and languages, ../shared/data/extraction) are imported as one folder as well.
"""

import os
import shutil
from pathlib import Path

import pytest

from corpus.ingest import import_directory
from corpus.parse import parse_document, parse_html
from corpus.store import open_data_store

SHARED_DATA = Path(os.environ.get("SOTEHAKU_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"))
EXTRACTION_PAGES = SHARED_DATA / "extraction" / "pages"
URL = "https://www.example.fi/sivu"


def page(head: str = "", body: str = "", html_attrs: str = 'lang="fi"') -> bytes:
    return f"<html {html_attrs}><head>{head}</head><body>{body}<main><p>Sisältö jää.</p></main></body></html>".encode()


BAD_PARTS = {
    "bracketed-host-link": page(body='<a href="http://[ccpa-preferences]">Evästeasetukset</a>'),
    "bad-port-link": page(body='<a href="https://www.example.fi:99999/a">a</a>'),
    "space-in-host-link": page(body='<a href="http://www.exa mple.fi/">a</a>'),
    "bad-base": page(head='<base href="http://[oops">'),
    "bad-canonical": page(head='<link rel="canonical" href="http://[::1">'),
    "hex-charset": page(head='<meta charset="hex">'),
    "base64-charset": page(head='<meta http-equiv="Content-Type" content="text/html; charset=base64">'),
    "idna-charset": page(head='<meta charset="idna">'),
    "unknown-charset": page(head='<meta charset="x-klingon">'),
    "impossible-dates": page(
        head='<meta name="dcterms.modified" content="2023-13-45"><meta name="date" content="Tue, 99 Foo 2023">',
        body="<time itemprop='datePublished' datetime='99999-01-01'>x</time><p>Päivitetty 31.02.2022</p>",
    ),
    "control-characters-in-attributes": page(body='<div class="\x02" id="\x03" aria-label="\x04"></div>',
                                              html_attrs='lang="\x01"'),
    "xml-declaration": b'<?xml version="1.0" encoding="iso-8859-1"?>' + page(),
    "stray-bytes": page(body="<p>STRAY</p>").replace(b"STRAY", b"\xff\xfe\x00\xc3"),
}


@pytest.mark.parametrize("content", BAD_PARTS.values(), ids=BAD_PARTS.keys())
def test_a_bad_part_costs_only_itself(content):
    doc = parse_html(content, URL).document
    assert "Sisältö jää." in doc.text
    assert doc.url == URL


def test_bad_links_are_left_out_and_good_ones_kept():
    content = page(body='<a href="http://[ccpa-preferences]">x</a><a href="/palvelut">Palvelut</a>')
    assert parse_html(content, URL).links == ("https://www.example.fi/palvelut",)


def test_a_bad_charset_label_on_the_response_is_ignored():
    doc = parse_document("<p>Päätös</p>".encode(), URL, content_type="text/html; charset=hex").document
    assert doc.text == "Päätös"


def test_folder_import_keeps_every_page_with_a_bad_part(tmp_path):
    folder = tmp_path / "sivut"
    folder.mkdir()
    for name, content in BAD_PARTS.items():
        (folder / f"{name}.html").write_bytes(content)
    (folder / "rikki.pdf").write_bytes(b"%PDF-1.4 not really")  # truly unreadable: skipped with its reason
    with open_data_store(tmp_path / "data") as store:
        stats = import_directory(folder, store, source="sivut", visibility="public")
        texts = [doc.text for doc in store.iter_documents()]
    assert stats.imported == len(BAD_PARTS) == len(texts)
    assert all("Sisältö jää." in text for text in texts)
    assert len(stats.errors) == 1 and "rikki.pdf" in stats.errors[0] and "PDF" in stats.errors[0]


def test_the_474_dev_pages_of_the_extraction_benchmark_import_as_one_folder(tmp_path):
    if not EXTRACTION_PAGES.is_dir():
        pytest.fail(f"{EXTRACTION_PAGES} is missing: this test reads the extraction pages from ../shared/data "
                    "(or SOTEHAKU_SHARED_DATA).")
    folder = tmp_path / "pages"
    shutil.copytree(EXTRACTION_PAGES, folder)  # a temporary copy: the shared data stays untouched
    pages = len(list(folder.glob("*.html")))
    with open_data_store(tmp_path / "data") as store:
        stats = import_directory(folder, store, source="extraction", visibility="public")
    assert stats.errors == []
    assert stats.imported + stats.ignored == pages >= 474  # ignored: pages that ask not to be indexed
    assert stats.imported >= 460
