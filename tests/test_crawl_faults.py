"""The crawler against a server that misbehaves on purpose: every fault is skipped or retried, never fatal."""

from __future__ import annotations

import dataclasses
import gzip
import io
import logging
from pathlib import Path

import docx
import pytest

from corpus.crawl import Crawler
from corpus.sample import SAMPLE_SITE_DIR
from corpus.sources import Source
from corpus.store import open_data_store
from fault_server import FaultServer, Reply, page

HTML = "text/html; charset=utf-8"


def crawl(server: FaultServer, data_dir: Path, *, start: str = "/", **options):
    """Crawl the fault server from one path with quick retries; return (stats, {url: document})."""
    fields = {"timeout": 0.5, "retries": 2, **{k: v for k, v in options.items() if k in ("timeout", "retries", "max_pages")}}
    source = dataclasses.replace(Source.for_url(server.url + start), **fields)
    crawler_options = {k: v for k, v in options.items() if k in ("max_bytes", "max_retry_wait", "progress")}
    with open_data_store(data_dir) as store:
        stats = Crawler(source, store, backoff=0.05, **crawler_options).run()
        docs = {doc.url.removeprefix(server.url): doc for doc in store.iter_documents()}
    return stats, docs


def site(**routes) -> dict:
    """A front page linking to every route, plus the routes (keyword names with _ for / and - kept)."""
    paths = {"/" + name.replace("__", "/"): reply for name, reply in routes.items()}
    front = Reply(page("Etusivu", "Testisivuston etusivu.", tuple(paths)))
    return {"/": front, **paths}


def test_redirect_loop_is_skipped_and_the_rest_is_crawled(tmp_path):
    routes = site(
        kehä=Reply(status=302, headers={"Location": "/kierto"}),
        toimiva=Reply(page("Toimiva sivu", "Tämä sivu toimii.")),
    )
    routes["/kierto"] = Reply(status=301, headers={"Location": "/keha"})
    routes["/keha"] = routes.pop("/kehä")
    routes["/"] = Reply(page("Etusivu", "Etusivu.", ("/keha", "/toimiva")))
    with FaultServer(routes) as server:
        stats, docs = crawl(server, tmp_path)
        assert server.hits["/keha"] == 1 and server.hits["/kierto"] == 1  # bounded: each hop once
    assert "/keha" not in docs and "/toimiva" in docs
    assert stats.skipped["redirect loop at " + server.url + "/keha"] == 1


def test_redirect_chain_longer_than_the_limit_is_skipped(tmp_path):
    routes = site(r0=Reply(status=302, headers={"Location": "/r1"}))
    for i in range(1, 9):
        routes[f"/r{i}"] = Reply(status=302, headers={"Location": f"/r{i + 1}"})
    routes["/r9"] = Reply(page("Perillä", "Ketjun loppu."))
    with FaultServer(routes) as server:
        stats, docs = crawl(server, tmp_path)
    assert "/r9" not in docs
    assert any(reason.startswith("more than") for reason in stats.skipped)


def test_redirect_to_another_host_is_refused_without_a_request_there(tmp_path):
    with FaultServer({"/": Reply(page("Muualla", "Tämä on toisella palvelimella."))}) as elsewhere:
        routes = site(pois=Reply(status=302, headers={"Location": elsewhere.url + "/"}))
        routes["/"] = Reply(page("Etusivu", "Etusivu.", ("/pois", elsewhere.url + "/suora")))
        with FaultServer(routes) as server:
            stats, docs = crawl(server, tmp_path)
        assert sum(elsewhere.hits.values()) == 0  # neither the redirect nor the direct link reached it
    assert set(docs) == {"/"}
    assert any(reason.startswith("redirect to") and "outside the source" in reason for reason in stats.skipped)


def test_slow_response_times_out_and_is_retried_then_skipped(tmp_path):
    routes = site(hidas=Reply(page("Hidas", "Liian hidas."), delay=1.5), nopea=Reply(page("Nopea", "Heti.")))
    with FaultServer(routes) as server:
        stats, docs = crawl(server, tmp_path, timeout=0.3, retries=1)
        assert server.hits["/hidas"] == 2  # the first try and one retry
    assert "/hidas" not in docs and "/nopea" in docs
    assert stats.skipped["timed out"] == 1 and stats.retried == 1


def test_503_then_success_is_retried_and_stored(tmp_path):
    flaky = lambda n: Reply("Huolto", status=503, headers={"Retry-After": "0"}) if n < 3 else Reply(page("Palautui", "Sivu toimii taas."))
    with FaultServer(site(vaihteleva=flaky)) as server:
        stats, docs = crawl(server, tmp_path)
        assert server.hits["/vaihteleva"] == 3
    assert "Sivu toimii taas." in docs["/vaihteleva"].text
    assert stats.retried == 2 and not stats.skipped


def test_429_retry_after_is_honoured(tmp_path):
    limited = lambda n: Reply("Hidasta", status=429, headers={"Retry-After": "1"}) if n == 1 else Reply(page("Rajoitettu", "Nyt saa hakea."))
    with FaultServer(site(rajattu=limited)) as server:
        stats, docs = crawl(server, tmp_path)
        times = [t for path, t in server.log if path == "/rajattu"]
    assert "/rajattu" in docs and len(times) == 2
    assert times[1] - times[0] >= 0.95  # waited the second the server asked for, not the 0.05 s backoff


def test_retry_after_beyond_the_limit_is_skipped_not_waited(tmp_path):
    with FaultServer(site(huolto=Reply("Huoltokatko", status=503, headers={"Retry-After": "3600"}))) as server:
        stats, docs = crawl(server, tmp_path, max_retry_wait=5)
        assert server.hits["/huolto"] == 1
    assert "/huolto" not in docs
    assert any("asks to wait 3600 s" in reason for reason in stats.skipped)


def test_persistent_server_error_gives_up_after_the_retries(tmp_path):
    with FaultServer(site(rikki=Reply("Virhe", status=500))) as server:
        stats, docs = crawl(server, tmp_path, retries=2)
        assert server.hits["/rikki"] == 3
    assert stats.skipped["HTTP 500"] == 1 and "/" in docs


def test_dropped_connection_is_retried_then_skipped(tmp_path):
    with FaultServer(site(katkeaa=Reply(drop=True))) as server:
        stats, docs = crawl(server, tmp_path, retries=1)
        assert server.hits["/katkeaa"] == 2
    assert "/katkeaa" not in docs and any(r.startswith("connection failed") for r in stats.skipped)


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_oversize_page_is_skipped(tmp_path, chunked):
    huge = page("Iso", "sana " * 40_000)
    with FaultServer(site(iso=Reply(huge, chunked=chunked), pieni=Reply(page("Pieni", "Pieni sivu.")))) as server:
        stats, docs = crawl(server, tmp_path, max_bytes=100_000)
    assert "/iso" not in docs and "/pieni" in docs
    assert any(reason.startswith("too large") for reason in stats.skipped)


def test_latin1_and_windows1252_pages_are_decoded(tmp_path):
    latin1 = page("Hyvinvointialueen päätös", "Päijät-Hämeen hyvinvointialue järjestää sosiaali- ja terveyspalvelut.")
    meta_only = latin1.replace("<head>", '<head><meta http-equiv="Content-Type" content="text/html; charset=windows-1252">')
    with FaultServer(site(
        latin=Reply(latin1.encode("iso-8859-1"), headers={"Content-Type": "text/html; charset=ISO-8859-1"}),
        vanha=Reply(meta_only.replace("</p>", " Lisätietoa: €5.</p>").encode("cp1252"), headers={"Content-Type": "text/html"}),
    )) as server:
        stats, docs = crawl(server, tmp_path)
    for path in ("/latin", "/vanha"):
        assert docs[path].title == "Hyvinvointialueen päätös"
        assert "Päijät-Hämeen hyvinvointialue järjestää" in docs[path].text
        assert "\ufffd" not in docs[path].text and "Ã" not in docs[path].text
    assert "Lisätietoa: €5." in docs["/vanha"].text


def test_broken_html_still_gives_text(tmp_path):
    broken = (
        '<html lang=fi><body><div class=content><h1>Rikkinäinen sivu<p>Ensimmäinen kappale <b>lihavoitu'
        "<p>Toinen kappale kertoo asiakasmaksuista.</div></div></span><li>Lista ilman listaa"
        '<script>var s = "</div>";</script><p>Viimeinen kappale'
    )
    with FaultServer(site(rikki=Reply(broken))) as server:
        _, docs = crawl(server, tmp_path)
    doc = docs["/rikki"]
    assert doc.title == "Rikkinäinen sivu"
    for words in ("Ensimmäinen kappale", "Toinen kappale kertoo asiakasmaksuista.", "Lista ilman listaa", "Viimeinen kappale"):
        assert words in doc.text
    assert "var s" not in doc.text


def test_non_document_content_is_skipped_with_its_type(tmp_path):
    with FaultServer(site(kuva=Reply(b"\x89PNG\r\n\x1a\n" + b"0" * 100, headers={"Content-Type": "image/png"}))) as server:
        stats, docs = crawl(server, tmp_path)
    assert "/kuva" not in docs and stats.skipped["not a document"] == 1


def _docx_bytes() -> bytes:
    document = docx.Document()
    document.core_properties.title = "Työryhmän muistio"
    document.add_heading("Työryhmän muistio", level=1)
    document.add_paragraph("Kotihoidon yöpartio laajenee koko alueelle syksyllä.")
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "Vastuuhenkilö"
    table.rows[0].cells[1].text = "Palvelupäällikkö"
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_pdf_and_docx_attachments_become_documents_with_their_page_as_parent(tmp_path):
    pdf = (SAMPLE_SITE_DIR / "liitteet" / "palveluseteli-saantokirja.pdf").read_bytes()
    routes = {
        "/": Reply(page("Etusivu", "Etusivu.", ("/liitteet.html",))),
        "/liitteet.html": Reply(page("Liitteet", "Kokouksen liitteet.", ("/liite/saanto.pdf", "/liite/muistio.docx"))),
        "/liite/saanto.pdf": Reply(pdf, headers={"Content-Type": "application/pdf"}),
        "/liite/muistio.docx": Reply(_docx_bytes(), headers={"Content-Type": "application/octet-stream"}),
    }
    with FaultServer(routes) as server:
        _, docs = crawl(server, tmp_path)
        parent = server.url + "/liitteet.html"
    pdf_doc, docx_doc = docs["/liite/saanto.pdf"], docs["/liite/muistio.docx"]
    assert pdf_doc.content_type == "application/pdf" and pdf_doc.parent == parent
    assert "palveluseteli" in pdf_doc.text.lower()
    assert docx_doc.parent == parent and docx_doc.title == "Työryhmän muistio"
    assert "Kotihoidon yöpartio laajenee" in docx_doc.text and "Vastuuhenkilö Palvelupäällikkö" in docx_doc.text
    assert docs["/liitteet.html"].parent == ""


def test_every_skip_is_logged_with_url_and_reason(tmp_path, caplog):
    with FaultServer(site(puuttuu=Reply(status=404), rikki=Reply("x", status=500))) as server:
        with caplog.at_level(logging.INFO, logger="sotehaku.crawl"):
            stats, _ = crawl(server, tmp_path, retries=0)
        assert f"skipped {server.url}/rikki: HTTP 500" in caplog.text
        assert f"skipped {server.url}/puuttuu: HTTP 404" in caplog.text
    assert "skipped 2 (HTTP 404: 1, HTTP 500: 1)" in stats.summary()


def test_robots_crawl_delay_spaces_requests(tmp_path):
    routes = site(yksi=Reply(page("Yksi", "Ensimmäinen.")), kaksi=Reply(page("Kaksi", "Toinen.")))
    routes["/robots.txt"] = Reply("User-agent: *\nCrawl-delay: 0.5\n", headers={"Content-Type": "text/plain"})
    with FaultServer(routes) as server:
        _, docs = crawl(server, tmp_path)
        times = [t for path, t in server.log if path in ("/", "/yksi", "/kaksi")]
    assert len(docs) == 3 and len(times) == 3
    assert min(b - a for a, b in zip(times, times[1:])) >= 0.45


def test_gzipped_sitemap_index_named_in_robots_is_read(tmp_path):
    """robots.txt names a gzipped sitemap index, which names a gzipped sitemap listing an unlinked page."""
    routes = {"/": Reply(page("Etusivu", "Ei linkkejä."))}
    with FaultServer(routes) as server:
        index = f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><sitemap><loc>{server.url}/kartat/sivut.xml.gz</loc></sitemap></sitemapindex>'
        pages = f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>{server.url}/piilossa</loc></url></urlset>'
        routes["/robots.txt"] = Reply(f"User-agent: *\nAllow: /\nSitemap: {server.url}/kartat/index.xml.gz\n", headers={"Content-Type": "text/plain"})
        routes["/kartat/index.xml.gz"] = Reply(gzip.compress(index.encode()), headers={"Content-Type": "application/gzip"})
        routes["/kartat/sivut.xml.gz"] = Reply(gzip.compress(pages.encode()), headers={"Content-Type": "application/x-gzip"})
        routes["/piilossa"] = Reply(page("Piilossa", "Vain sivukartassa mainittu sivu."))
        _, docs = crawl(server, tmp_path)
        assert server.hits["/sitemap.xml"] == 0  # robots.txt named the sitemaps; no guessing
    assert "Vain sivukartassa mainittu sivu." in docs["/piilossa"].text
