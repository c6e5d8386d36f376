"""Parsing saved pages: the body is kept, the site chrome is dropped, metadata is read."""

import datetime as dt

import pytest

from corpus.parse import ParseError, detect_language, parse_document, parse_html
from corpus.sample import SAMPLE_SITE_DIR

BASE = "http://sample.test"


def parse_sample(path):
    content = (SAMPLE_SITE_DIR / path).read_bytes()
    kind = "application/pdf" if path.endswith(".pdf") else "text/html"
    return parse_document(content, f"{BASE}/{path}", content_type=kind, source="t")


BOILERPLATE = ["evästeitä", "Hyväksy evästeet", "Keskussairaalankatu", "Saavutettavuusseloste", "Jaa sivu", "Liittyvät sivut", "Murupolku"]


@pytest.mark.parametrize(
    "path, title, body, updated",
    [
        ("uudistus/tyoryhmat/viestinta.html", "Viestintätyöryhmä", "Työryhmän tavoitteena on", dt.date(2021, 9, 14)),
        ("palvelut/palveluseteli.html", "Palveluseteli", "palveluseteli", dt.date(2022, 10, 31)),
        ("ajankohtaista/palveluseteleilla-valinnanvapautta.html", "Palveluseteli tuo asiakkaille lisää valinnanvapautta", "Palvelusetel", dt.date(2022, 10, 31)),
        ("ukk.html", "Usein kysytyt kysymykset", "?", dt.date(2023, 1, 10)),
    ],
)
def test_finnish_pages_keep_body_and_drop_chrome(path, title, body, updated):
    doc = parse_sample(path).document
    assert doc.title == title
    assert body in doc.text
    assert doc.updated == updated
    assert doc.lang == "fi"
    for phrase in BOILERPLATE:
        assert phrase not in doc.text, phrase
    first_line = doc.text.split("\n")[0]
    assert first_line != title and not first_line.startswith(("Etusivu", "Päivitetty"))


def test_breadcrumb_becomes_section_and_headings_are_kept():
    doc = parse_sample("uudistus/tyoryhmat/viestinta.html").document
    assert doc.section == "Etusivu > Sote-uudistus > Seitsemän työryhmää > Viestintätyöryhmä"
    assert "Jäsenet" in doc.headings
    assert doc.description


def test_table_cells_stay_apart():
    text = parse_sample("uudistus/tyoryhmat/viestinta.html").document.text
    assert "Nimi Rooli Organisaatio" in text


def test_links_are_absolute_normalised_and_include_navigation():
    page = parse_sample("uudistus/tyoryhmat/viestinta.html")
    assert f"{BASE}/palvelut/index.html" in page.links or f"{BASE}/palvelut/" in page.links
    assert all("#" not in link and "utm_" not in link for link in page.links)
    assert "https://soteuudistus.fi/" in page.links  # the crawler, not the parser, decides what is in scope


@pytest.mark.parametrize("path, lang, word", [("sv/hemvard.html", "sv", "Uppdaterad"), ("en/reform.html", "en", "Updated")])
def test_swedish_and_english_pages(path, lang, word):
    doc = parse_sample(path).document
    assert doc.lang == lang
    assert doc.updated is not None
    assert "cookie" not in doc.text.lower() and "kakor" not in doc.text.lower()


def test_pdf_attachment_text_keeps_umlauts():
    doc = parse_sample("liitteet/rakenneuudistus-loppuraportti.pdf").document
    assert doc.content_type == "application/pdf"
    assert doc.title == "Rakenneuudistushankkeen loppuraportti"
    assert "Päijät-Häme" in doc.text and doc.lang == "fi"


def test_noindex_page_gives_no_document_but_its_links():
    html = b'<html><head><meta name="robots" content="noindex"></head><body><a href="/a">a</a></body></html>'
    page = parse_html(html, f"{BASE}/x")
    assert page.document is None and page.links == (f"{BASE}/a",)


def test_title_falls_back_to_title_tag_without_site_suffix():
    html = "<html><head><title>Kotihoito | Päijät-Hämeen hyvinvointialue</title></head><body><p>Teksti</p></body></html>"
    assert parse_html(html.encode(), f"{BASE}/k").document.title == "Kotihoito"


def test_latin1_page_is_decoded():
    html = '<html><head><meta charset="iso-8859-1"></head><body><main><p>Hyvinvointialueen päätös</p></main></body></html>'
    doc = parse_html(html.encode("iso-8859-1"), f"{BASE}/l").document
    assert "Hyvinvointialueen päätös" in doc.text


def test_broken_pdf_is_a_parse_error():
    with pytest.raises(ParseError, match="unreadable PDF|no extractable text"):
        parse_document(b"%PDF-1.4 garbage", f"{BASE}/x.pdf", content_type="application/pdf")


def test_unsupported_type_is_a_parse_error():
    with pytest.raises(ParseError, match="unsupported content type 'image/png'"):
        parse_document(b"\x89PNG", f"{BASE}/x.png", content_type="image/png")


@pytest.mark.parametrize(
    "text, lang",
    [("Hyvinvointialue on kuntaa suurempi ja se järjestää palvelut", "fi"), ("The reform is a change of the services", "en"), ("Reformen är en del av välfärdsområdet och det", "sv")],
)
def test_detect_language(text, lang):
    assert detect_language(text) == lang
