"""Importing a drive (a folder of HTML/PDF/DOCX/TXT files) and WARC web archives into the store."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import docx
import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from corpus.ingest import ImportFileError, import_directory, import_path, import_warc
from corpus.sample import SAMPLE_SITE_DIR
from corpus.store import open_data_store

PDF = SAMPLE_SITE_DIR / "liitteet" / "palveluseteli-saantokirja.pdf"
SOTEHAKU = str(Path(sys.executable).parent / "sotehaku")


def docx_bytes(title: str, text: str) -> bytes:
    document = docx.Document()
    document.add_heading(title, level=1)
    document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


@pytest.fixture
def drive(tmp_path) -> Path:
    """A small internal drive: nested folders, every supported type, one broken file, noise to ignore."""
    root = tmp_path / "asemat" / "valmistelu"
    (root / "muistiot" / "2022").mkdir(parents=True)
    (root / "ohjeet").mkdir()
    (root / ".git").mkdir()
    (root / "muistiot" / "2022" / "johtoryhmä 14.3.docx").write_bytes(
        docx_bytes("Johtoryhmän muistio", "Aluevaltuusto järjestäytyy maaliskuussa; kaarnalaiva-hanke etenee.")
    )
    (root / "ohjeet" / "asiakasmaksut.html").write_bytes(
        '<html lang="fi"><head><meta charset="iso-8859-1"><title>Asiakasmaksut | Intra</title></head><body>'
        "<nav>Etusivu Ohjeet</nav><main><h1>Asiakasmaksuohje</h1><p>Päivitetty 2.5.2022</p>"
        "<p>Kotihoidon maksu määräytyy tulojen mukaan.</p></main></body></html>".encode("iso-8859-1")
    )
    (root / "ohjeet" / "palveluseteli.pdf").write_bytes(PDF.read_bytes())
    (root / "lue minut.txt").write_text("Valmistelun yhteinen kansio.\nTänne tallennetaan muistiot ja ohjeet.", encoding="utf-8")
    (root / "rikki.pdf").write_bytes(b"%PDF-1.4 this is not really a pdf")
    (root / "kuva.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (root / ".git" / "config.txt").write_text("[core]", encoding="utf-8")
    (root / "muistiot" / "~$hojaryhmä.docx").write_bytes(b"lock")
    os.utime(root / "lue minut.txt", (1_650_000_000, 1_650_000_000))  # 2022-04-15
    return root


def test_directory_import_reads_every_supported_file_and_reports_the_broken_one(tmp_path, drive):
    with open_data_store(tmp_path / "data") as store:
        stats = import_directory(drive, store, source="valmistelu", visibility="internal")
        docs = {doc.id.removeprefix(drive.as_uri() + "/"): doc for doc in store.iter_documents()}
    assert set(docs) == {
        "muistiot/2022/johtoryhm%C3%A4%2014.3.docx", "ohjeet/asiakasmaksut.html", "ohjeet/palveluseteli.pdf", "lue%20minut.txt",
    }
    assert stats.imported == 4 and stats.ignored == 1  # kuva.png; hidden folders and lock files are not even counted
    assert len(stats.errors) == 1 and stats.errors[0].startswith(f"{drive / 'rikki.pdf'}: ")
    assert all(doc.visibility == "internal" and doc.source == "valmistelu" for doc in docs.values())
    memo = docs["muistiot/2022/johtoryhm%C3%A4%2014.3.docx"]
    assert memo.title == "Johtoryhmän muistio" and "kaarnalaiva-hanke" in memo.text
    page = docs["ohjeet/asiakasmaksut.html"]
    assert page.title == "Asiakasmaksuohje" and "Kotihoidon maksu määräytyy" in page.text and "Etusivu" not in page.text
    assert str(page.updated) == "2022-05-02"
    assert str(docs["lue%20minut.txt"].updated) == "2022-04-15"  # no date in the text: the file's own
    assert docs["ohjeet/palveluseteli.pdf"].content_type == "application/pdf"


def test_reimporting_a_directory_removes_files_that_are_gone(tmp_path, drive):
    with open_data_store(tmp_path / "data") as store:
        import_directory(drive, store, source="valmistelu", visibility="internal")
        (drive / "lue minut.txt").unlink()
        again = import_directory(drive, store, source="valmistelu", visibility="internal")
        assert again.removed == 1 and again.changed == 0
        assert store.count() == 3


def test_base_url_maps_files_to_web_addresses(tmp_path, drive):
    with open_data_store(tmp_path / "data") as store:
        import_directory(drive, store, source="intra", visibility="internal", base_url="https://intra.example.fi/valmistelu")
        ids = store.ids()
    assert "https://intra.example.fi/valmistelu/ohjeet/asiakasmaksut.html" in ids


def warc_file(path: Path, records: list[tuple[str, str, str, bytes]], *, gzip: bool = True) -> Path:
    """Write (url, status, content type, body) response records, plus a request record, to a WARC file."""
    with path.open("wb") as handle:
        writer = WARCWriter(handle, gzip=gzip)
        for url, status, content_type, body in records:
            http = StatusAndHeaders(status, [("Content-Type", content_type)], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=http))
            writer.write_record(writer.create_warc_record(url, "request", payload=io.BytesIO(b"GET / HTTP/1.1\r\n\r\n")))
    return path


ARCHIVE = [
    ("https://www.phhyky.fi/fi/sote-uudistus?utm_source=x#alku", "200 OK", "text/html; charset=utf-8",
     '<html lang="fi"><body><header>Valikko</header><main><h1>Sote-uudistus</h1><p>Julkaistu 1.2.2023</p>'
     "<p>Hyvinvointialue vastaa sosiaali- ja terveyspalveluista vuoden 2023 alusta.</p></main></body></html>".encode()),
    ("https://www.phhyky.fi/liitteet/saanto.pdf", "200 OK", "application/pdf", PDF.read_bytes()),
    ("https://www.phhyky.fi/kuva.jpg", "200 OK", "image/jpeg", b"\xff\xd8\xff"),
    ("https://www.phhyky.fi/poistettu", "404 Not Found", "text/html", b"<h1>Ei loydy</h1>"),
]


@pytest.mark.parametrize("gzip", [True, False], ids=["warc.gz", "warc"])
def test_warc_import_keeps_documents_and_ignores_the_rest(tmp_path, gzip):
    archive = warc_file(tmp_path / ("arkisto.warc.gz" if gzip else "arkisto.warc"), ARCHIVE, gzip=gzip)
    with open_data_store(tmp_path / "data") as store:
        stats = import_warc(archive, store, source="arkisto", visibility="public")
        docs = {doc.id: doc for doc in store.iter_documents()}
    assert set(docs) == {"https://www.phhyky.fi/fi/sote-uudistus", "https://www.phhyky.fi/liitteet/saanto.pdf"}
    page = docs["https://www.phhyky.fi/fi/sote-uudistus"]
    assert page.title == "Sote-uudistus" and str(page.updated) == "2023-02-01" and "Valikko" not in page.text
    assert stats.imported == 2 and stats.ignored == 2 and not stats.errors


def test_truncated_warc_keeps_what_was_read_and_reports_the_rest(tmp_path):
    archive = warc_file(tmp_path / "kokonainen.warc.gz", ARCHIVE)
    broken = tmp_path / "katkennut.warc.gz"
    broken.write_bytes(archive.read_bytes()[: archive.stat().st_size * 2 // 3])
    with open_data_store(tmp_path / "data") as store:
        stats = import_warc(broken, store, source="arkisto", visibility="public")
        assert store.get("https://www.phhyky.fi/fi/sote-uudistus") is not None
    assert len(stats.errors) == 1 and "katkennut.warc.gz" in stats.errors[0]


def test_folder_or_archive_without_visibility_is_refused_with_the_fix(tmp_path, drive):
    with open_data_store(tmp_path / "data") as store, pytest.raises(ImportFileError, match="--visibility public or --visibility internal"):
        import_path(drive, store)
    with open_data_store(tmp_path / "data") as store:
        assert store.count() == 0


def test_cli_imports_folder_archive_and_jsonl_together_and_reports_bad_input(tmp_path, drive):
    archive = warc_file(tmp_path / "arkisto.warc.gz", ARCHIVE)
    jsonl = tmp_path / "lisat.jsonl"
    jsonl.write_text('{"id": "j1", "text": "Sotekeskus avautuu.", "visibility": "public"}\n{"id": ""}\n', encoding="utf-8")
    data = tmp_path / "data"
    result = subprocess.run(
        [SOTEHAKU, "--data-dir", str(data), "import", "--visibility", "internal", str(drive), str(archive), str(jsonl),
         str(tmp_path / "puuttuu.jsonl")],
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 1  # some input was bad ...
    assert f"{drive}: imported 4 documents" in result.stdout  # ... and everything else was imported
    assert f"{archive}: imported 2 documents" in result.stdout
    assert "rikki.pdf" in result.stderr and "puuttuu.jsonl does not exist" in result.stderr
    assert "lisat.jsonl:2: missing required field 'id'" in result.stderr
    assert "Traceback" not in result.stderr
    with open_data_store(data) as store:
        assert store.count() == 4 + 2 + 1


def test_cli_takes_visibility_from_the_configured_source(tmp_path, drive):
    config = tmp_path / "sotehaku.toml"
    config.write_text('[[source]]\nname = "intra"\nstart_urls = ["https://intra.example.fi/"]\nvisibility = "internal"\n', encoding="utf-8")
    data = tmp_path / "data"
    result = subprocess.run(
        [SOTEHAKU, "--data-dir", str(data), "import", "--config", str(config), "--source", "intra", str(drive)],
        capture_output=True, text=True, timeout=120,
    )
    assert "imported 4 documents" in result.stdout, result.stderr
    with open_data_store(data) as store:
        assert store.counts("visibility") == {"internal": 4} and store.counts("source") == {"intra": 4}
