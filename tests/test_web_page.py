"""The search page without JavaScript, over real HTTP: results, facets, pages, did-you-mean, no results,
escaping, the embed page, and the query log behind it."""

import datetime as dt
import html as htmllib
import re
import shutil
import sqlite3
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from corpus.document import Document
from app.pipeline import run_pipeline, store_documents
from app.web.app import create_app


def hrefs(html, pattern):
    """The unescaped hrefs of links whose attributes or text match a pattern."""
    return [htmllib.unescape(m.group(1)) for m in re.finditer(r'<a href="([^"]+)"[^>]*>(?:(?!</a>).)*' + pattern, html, re.S)]


def heading(html):
    return htmllib.unescape(re.search(r'<h2 id="results-heading"[^>]*>(.*?)</h2>', html, re.S).group(1))


def test_a_hit_shows_title_link_address_date_and_snippet(web_url):
    html = httpx.get(f"{web_url}/", params={"q": "palveluseteli"}).text
    hit = re.search(r'<li class="hit">(.*?)</li>', html, re.S).group(1)
    link = htmllib.unescape(re.search(r'<h3 lang="fi"><a href="([^"]+)">Palveluseteli</a></h3>', hit).group(1))
    url = parse_qs(urlsplit(link).query)["id"][0]  # opened through /go, which counts the click (tests/test_services_web.py)
    assert link.startswith("/go?") and url.endswith("/palvelut/palveluseteli.html")
    assert '<span class="url">127.0.0.1 › palvelut › palveluseteli</span>' in hit  # the address as a breadcrumb
    day = dt.date.fromisoformat(re.search(r'<time datetime="([\d-]+)">', hit).group(1))
    assert f">{day.day}.{day.month}.{day.year}</time>" in hit
    assert "<mark>" in hit.lower() or "<mark" in hit


@pytest.mark.parametrize("path, month", [("/sv/", "oktober"), ("/en/", "October")])
def test_dates_are_written_in_the_page_language(web_url, path, month):
    html = httpx.get(f"{web_url}{path}", params={"q": "palveluseteli"}).text
    assert re.search(rf'<time datetime="\d{{4}}-\d\d-\d\d">\d{{1,2}} {month} \d{{4}}</time>', html)


def test_pdf_hits_have_a_type_badge(web_url):
    html = httpx.get(f"{web_url}/", params={"q": "loppuraportti", "type": "pdf"}).text
    hits = re.findall(r'<li class="hit">(.*?)</li>', html, re.S)
    assert hits and all('<span class="badge">PDF</span>' in h for h in hits)
    assert '<span class="badge">HTML</span>' not in httpx.get(f"{web_url}/", params={"q": "kotihoito"}).text


def test_facet_links_narrow_and_active_filters_can_be_removed(web_url):
    html = httpx.get(f"{web_url}/", params={"q": "sote"}).text
    total = int(re.search(r"\d+", heading(html)).group(0))
    assert '<h2 id="facets-heading">Rajaa hakua</h2>' in html
    for title in ("Osio", "Kieli", "Vuosi", "Tiedostotyyppi", "Lähde"):
        assert f">{title}</h3>" in html
    pdf = re.search(r'<a href="([^"]+)">PDF <span class="count">\((\d+)\)</span>', html)
    narrowed = httpx.get(f"{web_url}{htmllib.unescape(pdf.group(1))}").text
    assert heading(narrowed).startswith(f"{pdf.group(2)} tulos")
    assert int(pdf.group(2)) < total
    chip = re.search(r'<a href="([^"]+)" class="chip">Tiedostotyyppi: PDF<span class="visually-hidden"> \(poista rajaus\)</span>', narrowed)
    assert chip
    assert heading(httpx.get(f"{web_url}{htmllib.unescape(chip.group(1))}").text) == heading(html)


def test_pagination_links_and_current_page(web_url):
    first = httpx.get(f"{web_url}/", params={"q": "sote"}).text
    nav = re.search(r'<nav class="pagination" aria-label="Tulossivut">(.*?)</nav>', first, re.S).group(1)
    assert '<a href="/?q=sote" aria-label="Sivu 1" aria-current="page">1</a>' in nav
    assert 'rel="next" href="/?q=sote&amp;page=2"' in nav and 'rel="prev"' not in nav
    second = httpx.get(f"{web_url}/", params={"q": "sote", "page": "2"}).text
    nav2 = re.search(r'<nav class="pagination"[^>]*>(.*?)</nav>', second, re.S).group(1)
    assert 'aria-label="Sivu 2" aria-current="page">2</a>' in nav2 and 'rel="prev" href="/?q=sote"' in nav2
    assert '<ol class="hits" start="11">' in second
    first_urls = re.findall(r'<h3 lang="\w+"><a href="([^"]+)"', first)
    second_urls = re.findall(r'<h3 lang="\w+"><a href="([^"]+)"', second)
    assert len(first_urls) == 10 and second_urls and not set(first_urls) & set(second_urls)
    assert "(sivu 2) – sotehaku</title>" in second


def test_a_page_past_the_end_links_back_to_the_first(web_url):
    html = httpx.get(f"{web_url}/", params={"q": "sote", "page": "900"}).text
    assert "Tällä tulossivulla ei ole tuloksia." in html and '<a href="/?q=sote">Siirry ensimmäiselle tulossivulle</a>' in html


def test_corrected_search_says_so_and_offers_the_exact_words(web_url):
    html = httpx.get(f"{web_url}/", params={"q": "palvelusetli"}).text
    assert heading(html).endswith("tulosta haulle ”palveluseteli”")
    assert "Näytetään tulokset haulle" in html and "Hae sen sijaan täsmälleen:" in html
    exact = hrefs(html, r"palvelusetli</a>")[0]
    assert exact == "/?q=%22palvelusetli%22"
    original = httpx.get(f"{web_url}{exact}").text
    assert "Näytetään tulokset haulle" not in original and "ei löytynyt tuloksia" in heading(original)


def test_did_you_mean_when_the_correction_finds_nothing_either(web_url):
    html = httpx.get(f"{web_url}/en/", params={"q": "palvelusetli zzqxqz"}).text
    assert "Did you mean:" in html and "Showing results for" not in html
    assert hrefs(html, r"<strong>palveluseteli zzqxqz</strong>") == ["/en/?q=palveluseteli+zzqxqz"]
    assert "No results for “palvelusetli zzqxqz”." in html


def test_relaxed_search_says_so(web_url):
    html = httpx.get(f"{web_url}/sv/", params={"q": "palveluseteli zzqxqz"}).text
    assert "Ingen sida innehåller alla sökord" in html and '<li class="hit">' in html
    assert "Ingen sida har ordet ”zzqxqz”." in html


def test_unknown_compound_notice_names_the_word_and_its_head(web_url):
    """Issue 12: not "no page contains every word" for one word, but which word and what was searched."""
    html = httpx.get(f"{web_url}/en/", params={"q": "kvanttikotihoito"}).text
    assert "No page has the word “kvanttikotihoito”." in html
    assert "Showing pages with “kotihoito”, the last part of the compound “kvanttikotihoito”." in html
    assert '<li class="hit">' in html and "No page contains every word" not in html


def test_no_results_page_gives_tips(web_url):
    html = httpx.get(f"{web_url}/", params={"q": "zzqxqzwy"}).text
    assert heading(html) == "Haulla ”zzqxqzwy” ei löytynyt tuloksia."
    assert "<h3>Vinkkejä hakuun</h3>" in html and "Tarkista sanojen kirjoitusasu." in html
    filtered = httpx.get(f"{web_url}/", params={"q": "kotihoito", "type": "docx"}).text
    assert "valituilla rajauksilla" in heading(filtered)
    assert hrefs(filtered, r"Poista rajaukset</a>") == ["/?q=kotihoito"]


def test_query_errors_are_tied_to_the_search_field(web_url):
    response = httpx.get(f"{web_url}/", params={"q": "-sotekeskus"})
    assert response.status_code == 400
    assert 'aria-describedby="search-hint search-error" aria-invalid="true"' in response.text
    assert '<div id="search-error" class="error" role="alert">' in response.text
    assert "Haku vain sulkee sanoja pois" in response.text
    bad_filter = httpx.get(f"{web_url}/", params={"q": "sote", "updated": "2022-13"})
    assert bad_filter.status_code == 400 and "Päivämäärärajaus ei kelpaa" in bad_filter.text


def test_language_links_keep_the_search(web_url):
    html = httpx.get(f"{web_url}/", params={"q": "kotihoito", "type": "html"}).text
    assert '<a href="/sv/?q=kotihoito&amp;type=html" lang="sv" hreflang="sv">På svenska</a>' in html
    assert '<a href="/?q=kotihoito&amp;type=html" lang="fi" hreflang="fi" aria-current="true">Suomeksi</a>' in html


def test_results_fragment_is_the_results_section_alone(web_url):
    response = httpx.get(f"{web_url}/sv/results", params={"q": "kotihoito"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    assert "<html" not in response.text and '<div class="results-body"' in response.text
    assert 'data-title="kotihoito – sotehaku"' in response.text and "resultat för" in response.text


def test_embed_page_offers_a_plain_form_for_other_sites(web_url):
    html = httpx.get(f"{web_url}/sv/embed").text
    code = htmllib.unescape(re.search(r'<code id="embed-code">(.*?)</code>', html, re.S).group(1))
    assert f'<form action="{web_url}/sv/" method="get" role="search" data-sotehaku>' in code
    assert '<input id="sotehaku-q" name="q" type="search"' in code and '<label for="sotehaku-q">' in code
    assert f'<script src="{web_url}/static/embed.js" defer></script>' in code
    assert httpx.get(f"{web_url}/static/embed.js").status_code == 200
    assert httpx.get(f"{web_url}/static/combobox.js").status_code == 200


@pytest.fixture()
def hostile_url(tmp_path, serve_app):
    """A web app on an index of documents whose titles and text hold HTML, and one with a javascript: address."""
    data_dir = tmp_path
    run_pipeline(data_dir, store_documents([
        Document(id="x1", url="https://example.fi/x1", title="Kotihoito <script>alert(1)</script> <b>lihava</b>",
                 text="Kotihoito <script>alert(1)</script> ja <b>lihava</b> teksti <img src=x onerror=alert(2)> kotihoidosta."),
        Document(id="x2", url="javascript:alert(3)", title="Kotihoito linkki", text="Kotihoito ilman kelvollista osoitetta."),
    ]))
    return serve_app(create_app(data_dir))


def test_html_in_documents_is_shown_as_text(hostile_url):
    html = httpx.get(f"{hostile_url}/", params={"q": "kotihoito"}).text
    assert "<script>alert" not in html and "<b>lihava" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "&lt;b&gt;lihava" in html
    assert re.search(r'<p class="snippet" lang="fi">.*<mark>Kotihoito</mark>', html)
    assert 'href="javascript:' not in html and "<h3 lang=\"fi\">Kotihoito linkki</h3>" in html
    body = httpx.get(f"{hostile_url}/api/search", params={"q": "kotihoito"}).json()
    snippets = " ".join(h["snippet"] for h in body["hits"])
    assert "<script>" not in snippets and "&lt;script&gt;" in snippets and "<mark>" in snippets


def test_searches_are_logged_by_channel_without_suggestions_or_names(staff, staff_web_url):
    httpx.get(f"{staff_web_url}/", params={"q": "Lokitesti kotihoito"})
    httpx.get(f"{staff_web_url}/", params={"q": "lokitesti kotihoito", "page": "2"})
    httpx.get(f"{staff_web_url}/sv/", params={"q": "lokitesti hemvård"})
    httpx.get(f"{staff_web_url}/api/search", params={"q": "lokitesti palveluseteli", "lang": "fi"})
    httpx.get(f"{staff_web_url}/api/search", params={"q": "lokitesti 040 123 4567"}, headers={"Authorization": f"Bearer {staff.tokens['valid']}"})
    httpx.get(f"{staff_web_url}/api/suggest", params={"q": "lokitesti ko"})
    with sqlite3.connect(staff.data_dir / "querylog.sqlite3") as db:
        rows = db.execute("SELECT query, lang, channel, count FROM queries WHERE query LIKE 'lokitesti%' ORDER BY query").fetchall()
        everything = " ".join(str(r) for r in db.execute("SELECT * FROM queries"))
    assert rows == [
        ("lokitesti [phone]", "", "api", 1),
        ("lokitesti hemvård", "sv", "web", 1),
        ("lokitesti kotihoito", "fi", "web", 1),
        ("lokitesti palveluseteli", "fi", "api", 1),
    ]
    assert staff.name not in everything and "127.0.0.1" not in everything


def test_a_broken_query_log_never_fails_a_search(indexed_data_dir, tmp_path, serve_app):
    data_dir = tmp_path / "data"
    shutil.copytree(indexed_data_dir / "index", data_dir / "index")
    (data_dir / "querylog.sqlite3").mkdir()  # cannot be opened as a database
    url = serve_app(create_app(data_dir))
    assert httpx.get(f"{url}/", params={"q": "kotihoito"}).status_code == 200
    assert httpx.get(f"{url}/api/search", params={"q": "kotihoito"}).json()["total"] > 0


def test_a_newly_published_index_is_searched_without_a_restart(tmp_path, serve_app):
    first = Document(id="a", url="https://example.fi/a", title="Kotihoito", text="Kotihoito kotona.")
    run_pipeline(tmp_path, store_documents([first]))
    url = serve_app(create_app(tmp_path))
    assert httpx.get(f"{url}/api/search", params={"q": "neuvola"}).json()["total"] == 0
    run_pipeline(tmp_path, store_documents([first, Document(id="b", url="https://example.fi/b", title="Neuvola", text="Neuvola lapsiperheille.")]))
    assert httpx.get(f"{url}/api/search", params={"q": "neuvola"}).json()["total"] == 1
    assert "example.fi › b" in httpx.get(f"{url}/", params={"q": "neuvola"}).text  # its address, as a breadcrumb


def test_swedish_and_english_pages_list_their_language_first(web_url):
    """Issue 12: on /sv/ the results were Finnish first."""
    for prefix, lang in (("/sv/", "sv"), ("/en/", "en")):
        html = httpx.get(f"{web_url}{prefix}", params={"q": "Heinola"}).text
        first = _first_hit_address(html)
        assert f"/{lang}/" in first, first
    body = httpx.get(f"{web_url}/api/search", params={"q": "Heinola", "prefer_lang": "sv"}).json()
    assert body["hits"][0]["lang"] == "sv" and {h["lang"] for h in body["hits"]} >= {"fi", "sv"}
    assert httpx.get(f"{web_url}/api/search", params={"q": "Heinola", "prefer_lang": "de"}).status_code == 400


def test_swedish_menu_label_finds_its_page(web_url):
    """Issue 12: vårdreformen, the menu label of "Social- och hälsovårdsreformen", found nothing."""
    html = httpx.get(f"{web_url}/sv/", params={"q": "vårdreformen"}).text
    first = _first_hit_address(html)
    assert first.endswith("/sv/vardreformen.html"), first


@pytest.mark.parametrize("path, query, target", [
    ("/sv/", "dataskydd", "/tietosuoja.html"),  # the footer's "Dataskydd (på finska)"
    ("/sv/", "tillgänglighetsutlåtande", "/saavutettavuusseloste.html"),
    ("/en/", "accessibility statement", "/saavutettavuusseloste.html"),  # "Accessibility statement (in Finnish)"
    ("/", "palvelusivuilta", "/palvelut/index.html"),  # "...lisää palvelusivuilta": an inflected link text
])
def test_link_texts_find_the_pages_they_link(web_url, path, query, target):
    """Issue 12: the words of links pointing at a page (anchor text) counted for nothing: a Swedish visitor
    typing the footer's "Dataskydd" found no page, though it links to the privacy page (in Finnish)."""
    html = httpx.get(f"{web_url}{path}", params={"q": query}).text
    assert _first_hit_address(html).endswith(target)


def _first_hit_address(html: str) -> str:
    """The address the first hit of a results page opens (its link goes through /go?id=...)."""
    link = htmllib.unescape(re.search(r'<li class="hit"[^>]*>.*?href="([^"]+)"', html, re.S).group(1))
    return parse_qs(urlsplit(link).query)["id"][0]
