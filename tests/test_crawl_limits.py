"""Limits on what one hostile server can cost a crawl: bombs, drips, deep nesting, odd robots.txt, resumed budgets."""

from __future__ import annotations

import dataclasses
import gzip
import logging
import tracemalloc
from pathlib import Path

import pytest
from fault_server import FaultServer, Reply, page
from hostile import TEXT, crawl, gzip_bomb, nested_html, robots_utf16

from corpus.crawl import Crawler
from corpus.parse import ParseError, parse_html
from corpus.robots import RobotsRules, SitemapError, parse_sitemap
from corpus.sources import Source, SourceConfigError, load_sources
from corpus.store import open_data_store

EXAMPLE = Path(__file__).resolve().parents[1] / "sotehaku.toml.example"
URLSET = '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{}</urlset>'


def test_gzip_bomb_sitemap_is_refused_without_expanding_it():
    bomb = gzip_bomb(200 << 20)  # 200 MB of zeros in about 200 KB
    tracemalloc.start()
    try:
        with pytest.raises(SitemapError, match="gzip expands"):
            parse_sitemap(bomb)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 20 << 20


def test_sitemap_over_the_size_limit_is_refused_even_at_a_plausible_ratio():
    entries = "".join(f"<url><loc>https://example.fi/sivu/{i}</loc></url>" for i in range(20_000))
    with pytest.raises(SitemapError, match="gzip expands to over 97.7 KB"):
        parse_sitemap(gzip.compress(URLSET.format(entries).encode()), max_bytes=100_000)
    with pytest.raises(SitemapError, match="more than 1000 URLs"):
        parse_sitemap(URLSET.format(entries).encode(), max_urls=1000)


def test_bomb_and_broken_sitemaps_are_skipped_with_url_and_reason(tmp_path, caplog):
    routes = {"/": Reply(page("Etusivu", "Ei linkkejä."))}
    with FaultServer(routes) as server:
        sitemaps = ("pommi.xml.gz", "rikki.xml", "html.xml", "hyva.xml")
        routes["/robots.txt"] = Reply(
            "User-agent: *\n" + "".join(f"Sitemap: {server.url}/{name}\n" for name in sitemaps), headers={"Content-Type": TEXT}
        )
        routes["/pommi.xml.gz"] = Reply(gzip_bomb(100 << 20), headers={"Content-Type": "application/gzip"})
        routes["/rikki.xml"] = Reply(b"\x1f\x8b\x08\x00 not gzip at all", headers={"Content-Type": "application/xml"})
        routes["/html.xml"] = Reply(page("Ei sivukartta", "Tämä on HTML-sivu."))
        routes["/hyva.xml"] = Reply(URLSET.format(f"<url><loc>{server.url}/piilossa</loc></url>"), headers={"Content-Type": "application/xml"})
        routes["/piilossa"] = Reply(page("Piilossa", "Vain sivukartassa."))
        with caplog.at_level(logging.INFO, logger="sotehaku.crawl"):
            _, docs = crawl(server, tmp_path)
        assert f"skipped sitemap {server.url}/pommi.xml.gz: gzip expands" in caplog.text
        assert f"skipped sitemap {server.url}/rikki.xml: not valid gzip data" in caplog.text
        assert f"skipped sitemap {server.url}/html.xml: not a sitemap" in caplog.text
    assert "/piilossa" in docs  # the good sitemap after the bad ones still counts


def test_utf16_robots_txt_with_a_bom_is_obeyed(tmp_path):
    routes = {
        "/": Reply(page("Etusivu", "Etusivu.", ("/salainen", "/julkinen"))),
        "/robots.txt": Reply(robots_utf16("User-agent: *\nDisallow: /salainen\n"), headers={"Content-Type": TEXT}),
        "/salainen": Reply(page("Salainen", "Ei saa hakea.")),
        "/julkinen": Reply(page("Julkinen", "Saa hakea.")),
    }
    with FaultServer(routes) as server:
        stats, docs = crawl(server, tmp_path)
        assert server.hits["/salainen"] == 0
    assert "/julkinen" in docs and stats.skipped["disallowed by robots.txt"] == 1


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16-le", "utf-16-be", "utf-32"])
def test_robots_rules_in_any_unicode_encoding_with_a_bom(encoding):
    text = "User-agent: *\nDisallow: /salainen\n"
    raw = text.encode(encoding)
    if encoding.startswith("utf-16-"):
        raw = "\ufeff".encode(encoding) + raw
    rules = RobotsRules.from_bytes(raw, "sotehaku")
    assert not rules.allowed("http://a.fi/salainen") and rules.allowed("http://a.fi/julkinen")


@pytest.mark.parametrize("drip_headers", [False, True], ids=["body", "headers"])
def test_slow_drip_response_ends_at_the_request_deadline(tmp_path, drip_headers):
    """One byte every 0.03 s never trips the 0.5 s read timeout; the 1.5 s deadline for the whole request ends it."""
    slow = Reply(page("Tippuva", "Tavu kerrallaan. " * 20), drip=0.03, drip_headers=drip_headers)
    routes = {"/": Reply(page("Etusivu", "Etusivu.", ("/tippuva", "/tavallinen"))), "/tippuva": slow,
              "/tavallinen": Reply(page("Tavallinen", "Tavallinen sivu."))}
    with FaultServer(routes) as server:
        stats, docs = crawl(server, tmp_path, deadline=1.5, retries=2)
        assert server.hits["/tippuva"] == 1  # not retried: another try would cost another deadline
    assert "/tippuva" not in docs and "/tavallinen" in docs
    assert stats.skipped["took longer than 1.5 s in all"] == 1


def test_deeply_nested_html_is_refused_fast():
    with pytest.raises(ParseError, match="nested over 256 deep"):
        parse_html(nested_html(200_000), "http://127.0.0.1/sisakkain")


def test_html_with_too_much_nesting_overall_is_refused():
    """Within the depth limit, but a megabyte of it: the work of walking every element's ancestors is bounded too."""
    block = "<div>" * 100 + "x" + "</div>" * 100
    with pytest.raises(ParseError, match="too much nesting"):
        parse_html(f"<html><body>{block * 900}</body></html>", "http://127.0.0.1/sisakkain")


def test_nesting_within_the_limits_is_parsed():
    page_ = parse_html(nested_html(200, "Syvällä mutta sallitusti."), "http://127.0.0.1/syva")
    assert "Syvällä mutta sallitusti." in page_.document.text


def test_deeply_nested_page_is_skipped_and_the_crawl_goes_on(tmp_path, caplog):
    routes = {"/": Reply(page("Etusivu", "Etusivu.", ("/sisakkain", "/tavallinen"))),
              "/sisakkain": Reply(nested_html(3000)), "/tavallinen": Reply(page("Tavallinen", "Tavallinen sivu."))}
    with FaultServer(routes) as server, caplog.at_level(logging.INFO, logger="sotehaku.crawl"):
        stats, docs = crawl(server, tmp_path)
        assert f"skipped {server.url}/sisakkain: unparseable ({server.url}/sisakkain: elements nested over 256 deep)" in caplog.text
    assert "/sisakkain" not in docs and "/tavallinen" in docs and stats.skipped["unparseable"] == 1


def test_max_pages_holds_across_a_resumed_crawl(tmp_path):
    routes = {"/": Reply(page("Etusivu", "Alku.", ("/sivu1",)))}
    for i in range(1, 10):
        routes[f"/sivu{i}"] = Reply(page(f"Sivu {i}", f"Kokous {i}.", (f"/sivu{i + 1}",)))

    class Interrupt(Exception):
        pass

    def stop_after_three(stats):
        if stats.fetched == 3:
            raise Interrupt

    with FaultServer(routes) as server:
        source = dataclasses.replace(Source.for_url(server.url + "/"), max_pages=5)
        with open_data_store(tmp_path) as store:
            with pytest.raises(Interrupt):
                Crawler(source, store, progress=stop_after_three).run()
            resumed = Crawler(source, store).run()
            assert store.count() == 5
        assert sum(n for path, n in server.hits.items() if path != "/robots.txt" and "sitemap" not in path) == 5
    assert resumed.fetched == 2


def test_deadline_is_a_source_setting(tmp_path):
    config = tmp_path / "sotehaku.toml"
    config.write_text('[[source]]\nname = "s"\nstart_urls = ["https://www.example.fi/"]\ndeadline = 5\n', encoding="utf-8")
    assert load_sources(config)[0].deadline == 5.0
    assert load_sources(EXAMPLE)[0].deadline == 60.0
    config.write_text('[[source]]\nname = "s"\nstart_urls = ["https://www.example.fi/"]\ndeadline = 0\n', encoding="utf-8")
    with pytest.raises(SourceConfigError, match="deadline must be a number of seconds above 0"):
        load_sources(config)


def test_a_parser_bug_on_one_page_skips_that_page_not_the_crawl(tmp_path):
    """A link urllib cannot split raised ValueError out of the HTML parser and ended every crawl at that page."""
    routes = {
        "/": Reply(page("Etusivu", "Etusivu.", ("/rikkinainen-linkki", "/tavallinen"))),
        "/rikkinainen-linkki": Reply(page("Linkki", "Huono linkki.", ("http://[::1",))),
        "/tavallinen": Reply(page("Tavallinen", "Tavallinen sivu.")),
    }
    with FaultServer(routes) as server:
        stats, docs = crawl(server, tmp_path)
    assert "/tavallinen" in docs
    # Skipped as a parser error today; stored once normalize_url drops such links.
    assert "/rikkinainen-linkki" in docs or stats.skipped["parser error"] == 1


def test_html_over_the_size_limit_is_refused_before_parsing():
    """The crawler stops at 10 MB, but a file on a drive or a WARC record may be any size."""
    with pytest.raises(ParseError, match="over 10.0 MB of markup"):
        parse_html("<p>" + "sana " * (2 << 20) + "</p>", "file:///asiakirjat/valtava.html")
