"""Office, OpenDocument, RTF and scanned PDF files: real files made by the real tools, imported and found.

The fixtures in tests/fixtures/office were made once by LibreOffice, python-pptx and pdftoppm
(make_fixtures.py there); the legacy formats and the scanned PDF need LibreOffice and Tesseract at run
time, which `make test` installs.
"""

from __future__ import annotations

import datetime as dt
import difflib
import io
import shutil
import subprocess
import sys
import tracemalloc
import zipfile
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from corpus.crawl import crawl_source
from corpus.formats import BY_SUFFIX
from corpus.formats.bounds import Limits, run_tool
from corpus.ingest import import_directory, import_warc
from corpus.parse import ParseError, document_kind, parse_document
from corpus.sample import serve_sample_site
from corpus.sources import Source
from corpus.store import open_data_store
from app.backend import open_engine
from backends.whoosh.writer import build_index

FIXTURES = Path(__file__).parent / "fixtures" / "office"
SCANNED = "skannattu-poytakirja.pdf"


# file, title, a sentence of its text, a heading (or None), an inflected word that must find it
EXPECTED = [
    ("perhekeskukset.odt", "Perhekeskusten toimintamalli",
     "Lapsiperheiden perhekeskukset aloittavat toimintansa syksyllä kaikissa kunnissa.", "Palvelut", "perhekeskuksiin"),
    ("rokotusohjelma.docx", "Neuvolan rokotusohjelma",
     "Kansallinen rokotusohjelma annetaan neuvolassa maksutta kaikille lapsille.", "Aikataulu", "rokotusohjelmasta"),
    ("yhteistyosopimus.doc", "Pelastuslaitoksen yhteistyösopimus",
     "Ensihoidon ja pelastuslaitoksen yhteistyösopimus allekirjoitettiin aluehallituksen kokouksessa.",
     "Sopimuksen kesto", "yhteistyösopimuksesta"),
    ("sosiaalipaivystys.rtf", "Sosiaalipäivystyksen palvelukuvaus",
     "Sosiaalipäivystys palvelee kiireellisissä tilanteissa ympäri vuorokauden.", None, "sosiaalipäivystykseen"),
    ("talousarvio.ods", "Talousarvio 2023", "Omaishoidontuki 3200000", None, "omaishoidontuesta"),
    ("vammaispalvelut.xlsx", "Vammaispalvelujen kustannukset", "Vammaispalvelujen kuljetukset 1800000", None, "kuljetuksista"),
    ("paihdekuntoutus.xls", "Päihdekuntoutuksen palveluverkko", "Katkaisuhoitoasema 12", None, "katkaisuhoitoasemalla"),
    ("asumispalvelut.odp", "Ikäihmisten asumispalvelut",
     "Ikäihmisten asumispalvelut uudistuvat vaiheittain vuoden aikana.", "Aikataulu", "asumispalveluista"),
    ("etavastaanotto.pptx", "Digitaaliset palvelut",
     "Etävastaanotto laajenee kaikille sote-keskuksille ensi vuonna.", "Aikataulu", "etävastaanotolla"),
    ("kuntoutus.ppt", "Kuntoutuksen työryhmä",
     "Fysioterapeutit siirtyvät hyvinvointialueen palvelukseen tammikuussa.", "Aikataulu", "fysioterapeutille"),
    (SCANNED, "Aluehallituksen pöytäkirja 12.4.2023",
     "Aluehallitus päätti hammashoitolan peruskorjauksesta.", None, "hammashoitolaa"),
]
DAMAGED = {"rikki.odt": b"PK\x03\x04 not really a zip", "rikki.doc": b"plain text named .doc", "rikki.rtf": b"{\\rtf1 {"}


@pytest.fixture(scope="module")
def drive(tmp_path_factory) -> Path:
    """A folder with one file of each format, the scanned minutes, and damaged files."""
    root = tmp_path_factory.mktemp("asiakirjat")
    for name, *_ in EXPECTED:
        shutil.copy(FIXTURES / name, root / name)
    for name, content in DAMAGED.items():
        (root / name).write_bytes(content)
    return root


@pytest.fixture(scope="module")
def imported(drive, tmp_path_factory):
    """The drive imported (public, so an anonymous search sees it) and indexed: the stats, documents by file name, and an engine."""
    data_dir = tmp_path_factory.mktemp("office-data")
    with open_data_store(data_dir) as store:
        stats = import_directory(drive, store, source="asiakirjat", visibility="public")
        docs = {doc.url.rsplit("/", 1)[1]: doc for doc in store.iter_documents()}
        build_index(store.iter_documents(), data_dir)
    return stats, docs, open_engine(data_dir)


def test_a_folder_of_every_format_imports_and_damaged_files_are_skipped_with_reasons(imported, drive):
    stats, docs, _ = imported
    assert set(docs) == {name for name, *_ in EXPECTED}
    assert stats.imported == len(EXPECTED)
    assert sorted(error.split(": ", 1)[0] for error in stats.errors) == sorted(str(drive / name) for name in DAMAGED)
    reasons = " ".join(stats.errors)
    assert "unreadable ODT" in reasons and "not a DOC file" in reasons and "RTF has no text" in reasons


@pytest.mark.parametrize("name, title, sentence, heading, _", EXPECTED, ids=[e[0] for e in EXPECTED])
def test_each_format_has_title_text_headings_and_metadata_date(imported, name, title, sentence, heading, _):
    doc = imported[1][name]
    assert doc.title == title
    assert sentence in doc.text
    assert doc.content_type == BY_SUFFIX[Path(name).suffix].content_type
    if heading:
        assert heading in doc.headings
    # The files carry their dates only in their metadata (LibreOffice and the scanner wrote them).
    assert doc.updated == (dt.date(2023, 4, 12) if name == SCANNED else dt.date(2023, 4, 18))


@pytest.mark.parametrize("name, query", [(e[0], e[4]) for e in EXPECTED], ids=[e[0] for e in EXPECTED])
def test_each_format_is_found_by_an_inflected_finnish_word(imported, name, query):
    hits = imported[2].search(query).hits
    assert hits and hits[0].url.endswith("/" + name), [h.url for h in hits]


def test_ocr_reads_the_scanned_minutes_with_95_percent_character_accuracy(imported):
    doc = imported[1][SCANNED]
    source = " ".join((FIXTURES / "skannattu-poytakirja.txt").read_text(encoding="utf-8").split())
    read = " ".join(f"{doc.title}\n{doc.text}".split())  # the first line became the title
    accuracy = difflib.SequenceMatcher(None, source, read, autojunk=False).ratio()
    assert accuracy >= 0.95, (accuracy, read)
    assert doc.description.startswith("Teksti on tunnistettu skannatusta kuvasta (OCR, sivu 1, tunnistusvarmuus ")
    # Tesseract's confidence is kept with the document (and the store), as the description says it.
    assert 50 < doc.ocr_confidence <= 100
    assert f"tunnistusvarmuus {doc.ocr_confidence:.0f} %" in doc.description


def test_documents_without_ocr_text_have_no_confidence(imported):
    assert all(doc.ocr_confidence is None for name, doc in imported[1].items() if name != SCANNED)


def test_rtf_headings_come_from_the_style_sheet_as_the_odt_they_were_saved_from():
    # perhekeskukset.rtf is LibreOffice's RTF of perhekeskukset.odt (make_fixtures.py, CONVERTED).
    rtf = parse_document((FIXTURES / "perhekeskukset.rtf").read_bytes(), "file:///a/perhekeskukset.rtf", content_type="").document
    odt = parse_document((FIXTURES / "perhekeskukset.odt").read_bytes(), "file:///a/perhekeskukset.odt", content_type="").document
    assert rtf.content_type == "application/rtf"
    assert rtf.title == odt.title == "Perhekeskusten toimintamalli"  # Heading 1, which is also the title
    assert rtf.headings == odt.headings == ("Palvelut",)  # Heading 2
    assert rtf.text == odt.text and rtf.updated == odt.updated


def test_rtf_headings_by_outline_level_and_by_a_finnish_style_name_as_word_writes_them():
    raw = (rb"{\rtf1\ansi\ansicpg1252{\stylesheet{\s0 Normal;}{\*\cs10 \additive Default Paragraph Font;}"
           rb"{\s2\ql\sbasedon0 \snext0 Otsikko 2;}}"
           rb"\pard\plain\s2 {\b Tausta}\par\pard\plain\s0 Hyvinvointialue aloitti toimintansa.\par"
           rb"\pard\outlinelevel0 Yhteenveto\par\pard\outlinelevel9 Loppu {\pard\s2 ryhm\'e4ss\'e4}.\par}")
    doc = parse_document(raw, "file:///a/muistio.rtf", content_type="").document
    assert doc.title == "Tausta"  # no title in the info group: the first heading
    assert doc.headings == ("Yhteenveto",)  # outline level 9 is body text; the group's style ends with it
    assert doc.text == "Hyvinvointialue aloitti toimintansa.\nYhteenveto\nLoppu ryhmässä."


def test_without_tesseract_a_scanned_pdf_is_skipped_with_the_fix(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # no tesseract, no pdftoppm
    with pytest.raises(ParseError, match=r"PDF has no text layer; OCR needs tesseract and pdftoppm.*apt-get install tesseract-ocr"):
        parse_document((FIXTURES / SCANNED).read_bytes(), "file:///a/skannattu.pdf", content_type="application/pdf")


def test_without_libreoffice_a_legacy_file_is_skipped_with_the_fix(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(ParseError, match=r"reading \.xls files needs LibreOffice.*apt-get install libreoffice-calc-nogui"):
        parse_document((FIXTURES / "paihdekuntoutus.xls").read_bytes(), "file:///a/taulukko.xls", content_type="")


@pytest.mark.parametrize(
    "content_type, url, kind",
    [
        ("application/vnd.oasis.opendocument.spreadsheet", "https://x.fi/a", "ods"),
        ("application/vnd.ms-powerpoint", "https://x.fi/a", "ppt"),
        ("text/rtf", "https://x.fi/a", "rtf"),
        ("application/octet-stream", "https://x.fi/liitteet/Esitys.PPTX", "pptx"),
        ("application/zip", "https://x.fi/a.odp?versio=2", "odp"),
        ("", "file:///asema/muistio.doc", "doc"),
        ("text/html", "https://x.fi/sivu.doc", "html"),  # a server's declared HTML is believed
        ("application/x-tar", "https://x.fi/a.xlsx", None),
    ],
)
def test_document_kind_by_content_type_then_by_name(content_type, url, kind):
    assert document_kind(content_type, url) == kind


def test_warc_records_of_every_format_are_imported(tmp_path):
    archive = tmp_path / "arkisto.warc.gz"
    with archive.open("wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        for number, (name, *_) in enumerate(EXPECTED):
            # Half the records say their type, half are generic and named by their URL.
            content_type = BY_SUFFIX[Path(name).suffix].content_type if number % 2 else "application/octet-stream"
            http = StatusAndHeaders("200 OK", [("Content-Type", content_type)], protocol="HTTP/1.1")
            payload = io.BytesIO((FIXTURES / name).read_bytes())
            writer.write_record(writer.create_warc_record(f"https://x.fi/liitteet/{name}", "response", payload=payload, http_headers=http))
    with open_data_store(tmp_path / "data") as store:
        stats = import_warc(archive, store, source="arkisto", visibility="public")
        docs = {doc.id: doc for doc in store.iter_documents()}
    assert stats.imported == len(EXPECTED) and not stats.errors, stats.errors
    for name, title, sentence, heading, _ in EXPECTED:
        doc = docs[f"https://x.fi/liitteet/{name}"]
        assert doc.title == title and sentence in doc.text and (heading is None or heading in doc.headings)
        assert doc.content_type == BY_SUFFIX[Path(name).suffix].content_type


def test_every_format_is_crawled_as_an_attachment_of_its_page(tmp_path, drive):
    site = tmp_path / "sivusto"
    site.mkdir()
    links = []
    for name, *_ in EXPECTED:
        shutil.copy(drive / name, site / name)
        links.append(f'<li><a href="{name}">{name}</a></li>')
    (site / "index.html").write_text(
        '<!DOCTYPE html><html lang="fi"><head><meta charset="utf-8"><title>Asiakirjat</title></head><body>'
        f"<main><h1>Aluehallituksen asiakirjat</h1><p>Liitteet kokouksista.</p><ul>{''.join(links)}</ul></main></body></html>",
        encoding="utf-8",
    )
    with serve_sample_site(directory=site) as url, open_data_store(tmp_path / "data") as store:
        source = Source(name="asiakirjat", start_urls=(f"{url}/",), allowed_hosts=(url.split("//", 1)[1],))
        stats = crawl_source(source, store)
        docs = {doc.id.rsplit("/", 1)[1]: doc for doc in store.iter_documents()}
    assert not stats.skipped, stats.summary()
    for name, title, sentence, heading, _ in EXPECTED:
        doc = docs[name]
        assert doc.title == title and sentence in doc.text and (heading is None or heading in doc.headings)
        assert doc.parent == f"{url}/" and doc.content_type == BY_SUFFIX[Path(name).suffix].content_type


def test_a_spreadsheet_of_a_million_cells_is_cut_and_says_so(tmp_path):
    csv = tmp_path / "miljoona.csv"
    with csv.open("w", encoding="utf-8") as out:
        for row in range(1000):
            out.write(",".join(str(row * 1000 + column) for column in range(1000)) + "\n")
    subprocess.run(["soffice", f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless", "--convert-to",
                    "xlsx", "--outdir", str(tmp_path), str(csv)], check=True, capture_output=True, timeout=300)
    content = (tmp_path / "miljoona.xlsx").read_bytes()
    tracemalloc.start()
    try:
        doc = parse_document(content, "https://x.fi/miljoona.xlsx", content_type="")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert doc.document.title == "miljoona"  # no title in the metadata: the sheet's name
    assert sum(len(row.split()) for row in doc.document.text.split("\n")) == 50_000
    assert doc.document.description.startswith("Taulukko on katkaistu: siitä on luettu 50\N{NO-BREAK SPACE}000 solua")
    assert peak < 64 * 2**20


def bloated(name: str, member: str, padding: int) -> bytes:
    """The fixture with whitespace inserted into one XML part: well-formed, and compressed a thousand times or more."""
    out = io.BytesIO()
    with zipfile.ZipFile(FIXTURES / name) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == member:
                end = data.rindex(b"</")
                data = data[:end] + b" " * padding + data[end:]
            target.writestr(info.filename, data)
    return out.getvalue()


@pytest.mark.parametrize(
    "name, member",
    [("rokotusohjelma.docx", "word/document.xml"), ("perhekeskukset.odt", "content.xml"),
     ("talousarvio.ods", "content.xml"), ("asumispalvelut.odp", "content.xml"),
     ("vammaispalvelut.xlsx", "xl/worksheets/sheet1.xml"), ("etavastaanotto.pptx", "ppt/slides/slide1.xml")],
)
def test_a_zip_bomb_is_refused_before_parsing(name, member):
    with pytest.raises(ParseError, match=r"compressed \d+ times, over the limit of 100 \(a zip bomb\?\)"):
        parse_document(bloated(name, member, 4 * 2**20), f"https://x.fi/{name}", content_type="")


def test_a_docx_expanding_to_100_mb_is_refused_within_bounded_memory():
    bomb = bloated("rokotusohjelma.docx", "word/document.xml", 100 * 2**20)
    assert len(bomb) < 2**20
    tracemalloc.start()
    try:
        with pytest.raises(ParseError, match=r"part word/document.xml expands to 100 MB, over the 48 MB limit"):
            parse_document(bomb, "https://x.fi/pommi.docx", content_type="")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 4 * 2**20


def test_a_tool_that_hangs_is_stopped_at_its_time_limit(tmp_path):
    with pytest.raises(ParseError, match=r"x.doc: sleep took longer than 0.5 s and was stopped"):
        run_tool(["sleep", "30"], url="x.doc", workdir=tmp_path, limits=Limits(tool_seconds=0.5))


def test_a_tool_over_its_memory_limit_fails_and_is_skipped(tmp_path):
    hungry = [sys.executable, "-c", "b = bytearray(1024 ** 3)"]
    with pytest.raises(ParseError, match=r"x.ppt: python3?[\d.]* failed \(exit status 1: .*MemoryError\)"):
        run_tool(hungry, url="x.ppt", workdir=tmp_path, limits=Limits(tool_memory=256 * 2**20))


def test_a_tool_writing_past_its_output_limit_is_killed(tmp_path):
    flood = [sys.executable, "-c", "import sys\nwhile True: sys.stdout.buffer.write(b'x' * 65536)"]
    # A C program is killed by SIGXFSZ; Python ignores that signal and fails the write instead.
    with pytest.raises(ParseError, match=r"x.xls: python3?[\d.]* failed \(exit status 1: .*File too large\)"):
        run_tool(flood, url="x.xls", workdir=tmp_path, limits=Limits(tool_output=2**20))
