"""The citizen's page over real HTTP: the welfare area's branding from sotehaku.toml ([site]), the front
page, breadcrumb addresses, separated snippet lines, facets that keep their other values, the local API
documentation, and a search counted once in the query log."""

import html as htmllib
import re
import shutil
import sqlite3

import httpx
import pytest

from app.backend import open_engine
from app.pipeline import run_pipeline, store_documents
from app.querylog import staff_report
from app.web.app import create_app
from app.web.settings import DEMO_CONFIG, WebConfigError, WebSettings, read_web_config
from corpus.parse import parse_html


@pytest.fixture(scope="module")
def branded_url(indexed_data_dir):
    """The sample site's index served with the demo's branding (the configuration `make demo` uses)."""
    from conftest import ServerThread

    with ServerThread(create_app(WebSettings(indexed_data_dir, **read_web_config(DEMO_CONFIG)))) as url:
        yield url


def hits(html):
    return re.findall(r'<li class="hit">(.*?)</li>', html, re.S)


def test_the_demo_configuration_shows_every_branding_setting(branded_url):
    front = httpx.get(f"{branded_url}/").text
    assert '<title>Esimerkkialueen haku</title>' in front
    assert re.search(r'<p class="site-name"><a href="/"><img class="logo" src="/site/logo" alt="" height="40"><span>Esimerkkialueen haku</span>', front)
    assert '<link rel="stylesheet" href="/site/colors.css">' in front
    assert "Hae Esimerkin hyvinvointialueen sivuilta" in front
    assert re.search(r'<h2 id="examples-heading">Esimerkkihakuja</h2>', front)
    assert [htmllib.unescape(h) for h in re.findall(r'<li><a href="(/\?q=[^"]+)">', front)] == [
        "/?q=palveluseteli", "/?q=kotihoito", "/?q=ty%C3%B6ryhm%C3%A4",
    ]
    assert "Mitä haku kattaa" in front and "Hyvinvointialueen verkkosivut" in front
    assert re.search(r'Hakemisto päivitetty <time datetime="\d{4}-\d\d-\d\d">\d{1,2}\.\d{1,2}\.\d{4}</time>', front)
    assert '<a href="https://www.example.fi/saavutettavuus">Saavutettavuusseloste</a>' in front
    assert '<a href="mailto:palaute@example.fi">Anna palautetta</a>' in front
    swedish = httpx.get(f"{branded_url}/sv/?q=v%C3%A4lf%C3%A4rdsomr%C3%A5det").text
    assert "<span>Exempelområdets sökning</span>" in swedish and "Tillgänglighetsutlåtande</a>" in swedish
    assert re.search(r"<title>välfärdsområdet – Exempelområdets sökning</title>", swedish)
    english = httpx.get(f"{branded_url}/en/").text
    assert "Example Area search" in english and "What this search covers" in english and "Give feedback" in english

    logo = httpx.get(f"{branded_url}/site/logo")
    assert logo.status_code == 200 and logo.headers["content-type"] == "image/svg+xml" and b"<svg" in logo.content
    css = httpx.get(f"{branded_url}/site/colors.css")
    assert css.headers["content-type"].startswith("text/css")
    assert "--accent: #3d2b6b;" in css.text and "--link: #4a3a8c;" in css.text
    opensearch = httpx.get(f"{branded_url}/opensearch.xml").text
    assert "<ShortName>Esimerkkialueen haku</ShortName>" in opensearch


def test_without_a_site_table_the_page_is_sotehaku_and_has_no_extra_files(web_url):
    front = httpx.get(f"{web_url}/").text
    assert "<span>sotehaku</span>" in front and "/site/colors.css" not in front and 'class="logo"' not in front
    assert httpx.get(f"{web_url}/site/logo").status_code == 404


def write_config(tmp_path, text):
    path = tmp_path / "sotehaku.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("table, words", [
    ('[site]\ncolour = "red"', ["unknown key(s) colour", "known keys are name, logo"]),
    ('[site]\nname = 5', ["[site]: name must be a text or a table of page languages"]),
    ('[site]\nname = { fi = "Haku", de = "Suche" }', ["unknown language(s) de", "fi, sv, en"]),
    ('[site]\nlogo = "missing.svg"', ["logo", "missing.svg does not exist", "relative to"]),
    ('[site]\nlogo = "logo.gif"', ["is not an image the page can show", ".svg"]),
    ('[site.colors]\naccent = "#9bd"', ["colors.accent = '#9bd' has a contrast of", "needs 4.5:1", "darker"]),
    ('[site.colors]\naccent = "teal"', ["'teal' is not a colour", "#005a5b"]),
    ('[site.colors]\nbackground = "#000"', ["unknown colour(s) background", "accent, link, focus"]),
    ('[site]\nexamples = "sote"', ["examples must be a list of searches"]),
    ('[[site.links]]\nlabel = "X"\nurl = "javascript:alert(1)"', ["'javascript:alert(1)' is not an http(s) or mailto address"]),
    ('[[site.links]]\nurl = "https://x.fi/"', ["each link has a label and a url"]),
])
def test_a_bad_site_table_names_the_file_the_setting_and_the_fix(tmp_path, table, words):
    path = write_config(tmp_path, table)
    with pytest.raises(WebConfigError) as caught:
        read_web_config(path)
    message = str(caught.value)
    assert str(path) in message and "[site]" in message
    for word in words:
        assert word in message


def test_a_logo_path_is_read_next_to_the_configuration(tmp_path):
    (tmp_path / "brand").mkdir()
    (tmp_path / "brand" / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    site = read_web_config(write_config(tmp_path, '[site]\nname = "Kunnan haku"\nlogo = "brand/logo.png"'))["site"]
    assert site.logo == (tmp_path / "brand" / "logo.png").resolve() and site.logo_type == "image/png"
    assert site.text("name", "sv") == "Kunnan haku"


def test_addresses_are_breadcrumbs_without_index_html(web_url):
    html = httpx.get(f"{web_url}/", params={"q": "työryhmä"}).text
    addresses = re.findall(r'<span class="url">([^<]*)</span>', html)
    assert addresses
    for address in addresses:
        assert "index.html" not in address and "http://" not in address and ".html" not in address
    assert any(a.startswith("127.0.0.1 › uudistus › tyoryhmat") for a in addresses), addresses
    # Each document is still linked by its real address (through /go, which counts the click and redirects there).
    assert re.search(r'<h3 lang="fi"><a href="/go\?id=http%3A%2F%2F127\.0\.0\.1%3A\d+%2Fuudistus%2Ftyoryhmat%2F', html)


def test_headings_and_list_items_are_apart_in_snippets(engine):
    results = engine.search("lastenneuvola")
    snippet = next(h.snippet for h in results.hits if h.title == "Neuvola")
    assert "Lastenneuvola</mark> · <mark>Lastenneuvolassa</mark>" in snippet, snippet
    assert "\n" not in snippet


def test_a_list_keeps_its_items_apart_in_the_snippet(tmp_path):
    html = b"""<html lang="fi"><head><title>Hakeminen</title></head><body><main><h1>Hakeminen</h1>
    <p>Hakemukseen tarvitset:</p><ul><li>henkilotodistuksen</li><li>tuloselvityksen</li><li>vuokrasopimuksen</li></ul>
    </main></body></html>"""
    page = parse_html(html, "https://example.fi/hakeminen.html", source="t")
    run_pipeline(tmp_path, store_documents([page.document]))

    snippet = open_engine(tmp_path).search("tuloselvityksen").hits[0].snippet
    assert "tarvitset: henkilotodistuksen · <mark>tuloselvityksen</mark> · vuokrasopimuksen" in snippet, snippet


def test_a_narrowed_facet_keeps_its_other_values_to_add(web_url):
    wide = httpx.get(f"{web_url}/", params={"q": "sote"}).text
    years = re.findall(r'<a href="[^"]*year=(\d{4})[^"]*">\1 <span class="count">\((\d+)\)</span>', wide)
    assert len(years) >= 2, years
    chosen, count = years[0]
    narrowed = httpx.get(f"{web_url}/", params={"q": "sote", "year": chosen}).text
    assert f"{count} tulos" in narrowed
    facet = re.search(r'<h3 id="facet-year">Vuosi</h3>\s*<ul[^>]*>(.*?)</ul>', narrowed, re.S).group(1)
    links = dict(re.findall(r'<a href="([^"]+)"[^>]*>(\d{4}) <span class="count">', facet))
    shown = {year: href for href, year in links.items()}
    assert set(shown) == {y for y, _ in years}  # every other year is still there
    other = next(y for y, _ in years if y != chosen)
    widened = httpx.get(f"{web_url}{htmllib.unescape(shown[other])}").text  # adds it: either year
    assert f"year={chosen}&amp;year={other}" in shown[other] or f"year={chosen}&year={other}" in htmllib.unescape(shown[other])
    total = int(dict(years)[chosen]) + int(dict(years)[other])
    assert re.search(rf"<h2 id=\"results-heading\"[^>]*>{total} tulosta", widened)
    assert 'aria-current="true">' + chosen in facet  # the chosen one is marked and removes itself


def test_the_api_documentation_is_a_readable_page_not_raw_json(web_url):
    front = httpx.get(f"{web_url}/").text
    api_link = re.search(r'<a href="([^"]+)">Rajapinnan kuvaus</a>', front).group(1)
    assert api_link == "/api-docs"
    page = httpx.get(f"{web_url}{api_link}")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    html = page.text
    assert "<h1>Rajapinnan kuvaus</h1>" in html
    for operation in ("GET /api/search", "GET /api/suggest", "GET /api/document", "GET /healthz"):
        assert f"<code>{operation}</code></h2>" in html, operation
    assert re.search(r"<th scope=\"row\"><code>q</code></th>\s*<td lang=\"en\">string, ≤ 1000 characters</td>", html)
    assert re.search(r"<code>size</code></th>\s*<td lang=\"en\">integer, 1–100; oletus <code>10</code></td>", html)
    assert '<a href="/openapi.json">OpenAPI (JSON)</a>' in html
    assert not re.search(r'(?:src|href)="https?://', html)  # nothing from another site
    assert "<h1>API documentation</h1>" in httpx.get(f"{web_url}/en/api-docs").text
    assert "<h1>Beskrivning av gränssnittet</h1>" in httpx.get(f"{web_url}/sv/api-docs").text


@pytest.fixture()
def counted(indexed_data_dir, tmp_path, serve_app):
    """A web app on a copy of the index with its own empty query log: (url, data_dir, count(query))."""
    data_dir = tmp_path / "data"
    shutil.copytree(indexed_data_dir / "index", data_dir / "index")
    url = serve_app(create_app(data_dir))

    def count(query: str) -> dict:
        path = data_dir / "querylog.sqlite3"
        if not path.exists():
            return {}
        with sqlite3.connect(path) as db:
            rows = db.execute("SELECT channel, SUM(count) FROM queries WHERE query = ? GROUP BY channel", (query,)).fetchall()
        return dict(rows)

    return url, data_dir, count


def test_a_search_is_counted_once_not_for_facets_pages_or_the_pages_own_requests(counted):
    url, _, count = counted
    first = httpx.get(f"{url}/", params={"q": "työryhmä"})
    page_url = str(first.url)
    referer = {"Referer": page_url}
    assert count("työryhmä") == {"web": 1}
    facet = htmllib.unescape(re.search(r'<a href="([^"]+)">PDF <span class="count">', first.text).group(1))
    httpx.get(f"{url}{facet}", headers=referer)  # a facet, without the script
    httpx.get(f"{url}/results{facet[1:]}", headers=referer)  # the same by the script
    httpx.get(f"{url}/", params={"q": "työryhmä", "page": "2"}, headers=referer)
    httpx.get(f"{url}/results", params={"q": "työryhmä", "page": "2"})  # a later page, whatever the referrer
    httpx.get(f"{url}/", params={"q": "työryhmä", "type": "pdf"}, headers={"Referer": f"{url}/?q=ty%C3%B6ryhm%C3%A4&type=pdf&page=2"})
    httpx.get(f"{url}/api/search", params={"q": "työryhmä"}, headers=referer)  # the page's own script
    assert count("työryhmä") == {"web": 1}
    # A new search: typed on the results page of another, opened from a bookmark or another site, or by an API client.
    httpx.get(f"{url}/", params={"q": "neuvola"}, headers=referer)
    httpx.get(f"{url}/", params={"q": "työryhmä"})
    httpx.get(f"{url}/", params={"q": "työryhmä"}, headers={"Referer": "https://www.example.fi/?q=ty%C3%B6ryhm%C3%A4"})
    httpx.get(f"{url}/api/search", params={"q": "työryhmä"})
    assert count("työryhmä") == {"web": 3, "api": 1} and count("neuvola") == {"web": 1}


def test_searches_only_the_any_word_fallback_answered_are_logged_as_such(counted):
    url, data_dir, _ = counted
    body = httpx.get(f"{url}/api/search", params={"q": "kotihoito zzqxqzwy"}).json()
    assert body["relaxed"] and body["total"] > 0
    page = httpx.get(f"{url}/", params={"q": "neuvola zzqxqzwy"}).text
    assert "Näytetään tulokset, joissa on osa hakusanoista" in page or 'class="note"' in page
    httpx.get(f"{url}/", params={"q": "kotihoito"})
    report = staff_report(data_dir)
    assert report.queries.relaxed == [("kotihoito zzqxqzwy", 1), ("neuvola zzqxqzwy", 1)]
    assert ("kotihoito", 1) in report.queries.top and report.queries.total_queries == 3


def test_behind_a_proxy_the_public_address_is_this_site(indexed_data_dir, tmp_path, serve_app):
    data_dir = tmp_path / "data"
    shutil.copytree(indexed_data_dir / "index", data_dir / "index")
    url = serve_app(create_app(data_dir, public_url="https://www.kunta.fi/haku/"))
    httpx.get(f"{url}/haku/", params={"q": "neuvola"})
    httpx.get(f"{url}/haku/", params={"q": "neuvola", "type": "pdf"}, headers={"Referer": "https://www.kunta.fi/haku/?q=neuvola"})
    httpx.get(f"{url}/haku/", params={"q": "neuvola"}, headers={"Referer": "https://muu.example/?q=neuvola"})
    report = staff_report(data_dir)
    assert report.queries.top == [("neuvola", 2)]
