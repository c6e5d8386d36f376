"""The crawler against the sample site served on 127.0.0.1: scope, robots, sitemaps, visibility, revalidation."""

import io
import json
from urllib.parse import urlsplit

import httpx

from corpus.crawl import Crawler, crawl_source
from corpus.document import Document
from corpus.ingest import export_jsonl
from corpus.sample import demo_sources
from corpus.sources import Source
from corpus.store import open_data_store


def stored(data_dir):
    with open_data_store(data_dir) as store:
        return {doc.id: doc for doc in store.iter_documents()}


def paths(docs):
    return {urlsplit(doc_id).path for doc_id in docs}


def test_whole_public_site_is_crawled(crawled_data_dir):
    public = {i: d for i, d in stored(crawled_data_dir).items() if d.visibility == "public"}
    assert len(public) >= 45
    assert {"/uudistus/tyoryhmat/viestinta.html", "/palvelut/palveluseteli.html", "/sv/hemvard.html", "/en/reform.html"} <= paths(public)
    assert {d.lang for d in public.values()} == {"fi", "sv", "en"}


def test_robots_disallow_is_obeyed(crawled_data_dir):
    assert not [p for p in paths(stored(crawled_data_dir)) if p.startswith("/yllapito/")]
    assert not [d for d in stored(crawled_data_dir).values() if "ylläpitokonsoli" in d.text.lower()]


def test_sitemap_only_page_is_found(crawled_data_dir):
    assert "/ajankohtaista/arkisto-2021.html" in paths(stored(crawled_data_dir))


def test_pdf_attachments_are_documents(crawled_data_dir):
    pdfs = [d for d in stored(crawled_data_dir).values() if d.content_type == "application/pdf"]
    assert len(pdfs) >= 2 and all(d.visibility == "public" for d in pdfs)


def test_internal_area_is_internal_and_only_there(crawled_data_dir):
    docs = stored(crawled_data_dir).values()
    internal = [d for d in docs if d.visibility == "internal"]
    assert len(internal) >= 10
    assert all(urlsplit(d.id).path.startswith("/sisainen/") for d in internal)
    assert all(d.visibility == "internal" for d in docs if urlsplit(d.id).path.startswith("/sisainen/"))
    assert any("kaarnalaiva" in d.text.lower() for d in internal)


def test_never_leaves_the_host_and_urls_are_normalised(crawled_data_dir, sample_site_url):
    host = urlsplit(sample_site_url).netloc
    for doc_id in stored(crawled_data_dir):
        parts = urlsplit(doc_id)
        assert parts.netloc == host and not parts.fragment and "utm_" not in parts.query


def test_one_page_under_two_urls_is_stored_once(crawled_data_dir):
    found = paths(stored(crawled_data_dir))
    assert not ({"/", "/index.html"} <= found)
    assert not ({"/sv/", "/sv/index.html"} <= found)


def test_recrawl_revalidates_instead_of_refetching(tmp_path, sample_site_url):
    """First crawl: every page requested once. Second crawl: every page only revalidated (304)."""
    source = demo_sources(sample_site_url)[0]
    requests = []
    hooks = {"request": [lambda r: requests.append((r.url.path, "if-modified-since" in r.headers))]}
    with open_data_store(tmp_path) as store, httpx.Client(event_hooks=hooks) as client:
        first = Crawler(source, store, client=client).run()
        count = store.count()
        first_requests, requests[:] = list(requests), []
        second = Crawler(source, store, client=client).run()
        assert store.count() == count
    pages = [path for path, _ in first_requests if path not in ("/robots.txt", "/sitemap.xml")]
    assert len(pages) == len(set(pages)) >= count
    assert first.changed == count and first.not_modified == 0
    assert second.changed == 0 and second.not_modified == count
    revalidated = [path for path, conditional in requests if path not in ("/robots.txt", "/sitemap.xml")]
    stored_paths = {urlsplit(doc_id).path for doc_id in stored(tmp_path)}
    assert all(conditional for path, conditional in requests if path in stored_paths)
    assert len(revalidated) == len(set(revalidated))


def test_recrawl_follows_stored_links_of_unchanged_pages(tmp_path, sample_site_url):
    """The intranet has no sitemap: its pages are reached only through links of pages that answer 304."""
    source = demo_sources(sample_site_url)[1]
    with open_data_store(tmp_path) as store:
        first = crawl_source(source, store)
        second = crawl_source(source, store)
    assert first.changed >= 10
    assert second.not_modified == first.changed


def test_page_gone_is_removed(tmp_path, sample_site_url):
    missing = f"{sample_site_url}/uudistus/poistettu-sivu.html"
    source = Source(name="one", start_urls=(missing,), allowed_hosts=(urlsplit(missing).netloc,), include=("poistettu",))
    with open_data_store(tmp_path) as store:
        store.put(Document(id=missing, url=missing, text="vanha sivu"))
        stats = crawl_source(source, store)
        assert store.get(missing) is None
    assert stats.removed == 1


def test_max_pages_is_respected(tmp_path, sample_site_url):
    source = Source(name="small", start_urls=(f"{sample_site_url}/",), allowed_hosts=(urlsplit(sample_site_url).netloc,), max_pages=3)
    with open_data_store(tmp_path) as store:
        stats = crawl_source(source, store)
        assert stats.fetched == 3 and store.count() <= 3


def test_sitemap_is_read_once_per_host(tmp_path, sample_site_url):
    """Two start URLs on one host: robots.txt and sitemap.xml are each fetched once."""
    requests = []
    source = Source(
        name="two-starts", start_urls=(f"{sample_site_url}/palvelut/", f"{sample_site_url}/uudistus/"),
        allowed_hosts=(urlsplit(sample_site_url).netloc,), max_pages=2,
    )
    with open_data_store(tmp_path) as store, httpx.Client(event_hooks={"request": [lambda r: requests.append(r.url.path)]}) as client:
        Crawler(source, store, client=client).run()
    assert requests.count("/sitemap.xml") == 1 and requests.count("/robots.txt") == 1


BOILERPLATE_LINES = (
    "Käytämme sivustollamme evästeitä", "Hyväksy evästeet", "Siirry sisältöön", "Hae sivustolta", "Suomeksi",
    "På svenska", "Usein kysyttyä", "Jaa sivu", "Liittyvät sivut", "Saavutettavuusseloste",
    "Muualla verkossa", "Sivun alkuun", "Päivitetty:", "window.dataLayer",
)


def test_export_of_the_sample_corpus_is_clean_text(crawled_data_dir):
    """Every exported line is the page's own text: no menus, cookie banner, share links, footer or date line."""
    out = io.StringIO()
    with open_data_store(crawled_data_dir) as store:
        count = export_jsonl(store, out)
    records = [json.loads(line) for line in out.getvalue().splitlines()]
    assert count == len(records) >= 60
    for record in records:
        assert {"id", "url", "title", "text", "lang", "visibility", "updated"} <= set(record)
        lines = record["text"].split("\n")
        assert all(line.strip() == line and line for line in lines), record["id"]
        leaked = [phrase for phrase in BOILERPLATE_LINES if any(line.startswith(phrase) for line in lines)]
        assert not leaked, (record["id"], leaked)
        assert record["title"] != lines[0], record["id"]  # the h1 is the title, not repeated as the first line
    voucher = next(r for r in records if r["url"].endswith("/palvelut/palveluseteli.html"))
    assert voucher["updated"] == "2022-10-31" and voucher["text"].startswith("Palveluseteli on yksi tapa")
    assert voucher["text"].endswith("merkitty ennakkoperintärekisteriin.")


def test_max_depth_limits_link_hops(tmp_path, sample_site_url):
    """max_depth 0: the start page and the sitemap's entries, nothing found only through links."""
    host = urlsplit(sample_site_url).netloc
    source = Source(name="shallow", start_urls=(f"{sample_site_url}/sisainen/",), allowed_hosts=(host,), include=("/sisainen/",), max_depth=0)
    with open_data_store(tmp_path) as store:
        stats = crawl_source(source, store)
        assert store.ids() == [f"{sample_site_url}/sisainen/"]
    assert stats.fetched == 1


def test_configured_sitemap_alone_drives_a_crawl(tmp_path, sample_site_url):
    host = urlsplit(sample_site_url).netloc
    source = Source(name="from-sitemap", start_urls=(), sitemap_urls=(f"{sample_site_url}/sitemap.xml",), allowed_hosts=(host,), max_depth=0)
    with open_data_store(tmp_path) as store:
        crawl_source(source, store)
        found = paths(store.ids())
    assert "/ajankohtaista/arkisto-2021.html" in found and len(found) >= 20
