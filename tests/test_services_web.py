"""Sorting, best bets, similar documents and click counts through the page, the JSON API and the CLI,
over real HTTP on the sample site's index."""

from __future__ import annotations

import json
import re
import sqlite3
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from click.testing import CliRunner

from app.cli import main
from app.querylog import QUERYLOG_FILENAME
from app.web.app import create_app

INTERNAL = "sisainen/luonnos-palvelustrategia.html"


@pytest.fixture(scope="module")
def base(web_url):
    """The sample site's address, as its document ids start."""
    hit = httpx.get(f"{web_url}/api/search", params={"q": "palveluseteli"}).json()["hits"][0]
    return hit["id"].split("/liitteet/")[0].split("/palvelut/")[0].split("/ajankohtaista/")[0] + "/"


def clicks(data_dir, search_id: str) -> list[tuple]:
    with sqlite3.connect(data_dir / QUERYLOG_FILENAME) as db:
        return db.execute("SELECT search_id, rank, doc_id FROM clicks WHERE search_id = ?", (search_id,)).fetchall()


# Sorting


def test_api_sorts_by_date_newest_first(web_url):
    body = httpx.get(f"{web_url}/api/search", params={"q": "palveluseteli", "sort": "date", "size": 20}).json()
    dates = [h["updated"] for h in body["hits"] if h["updated"]]
    assert body["sort"] == "date" and dates == sorted(dates, reverse=True) and len(dates) >= 5
    undated = [i for i, h in enumerate(body["hits"]) if not h["updated"]]
    assert all(i >= len(dates) for i in undated)  # undated last
    relevance = httpx.get(f"{web_url}/api/search", params={"q": "palveluseteli", "size": 20}).json()
    assert relevance["sort"] == "relevance" and [h["id"] for h in relevance["hits"]] != [h["id"] for h in body["hits"]]
    bad = httpx.get(f"{web_url}/api/search", params={"q": "palveluseteli", "sort": "newest"})
    assert bad.status_code == 400 and "sort" in bad.json()["error"]


def test_page_offers_both_orders(web_url):
    page = httpx.get(f"{web_url}/", params={"q": "palveluseteli"}).text
    assert '<strong aria-current="true">Osuvimmat ensin</strong>' in page
    assert 'href="/?q=palveluseteli&amp;sort=date">Uusimmat ensin</a>' in page
    by_date = httpx.get(f"{web_url}/sv/", params={"q": "palveluseteli", "sort": "date"}).text
    assert '<strong aria-current="true">Nyaste först</strong>' in by_date
    assert "sort=date&amp;page=2" in by_date  # the pager keeps the order
    dates = re.findall(r'<time datetime="([\d-]+)">', by_date)
    assert dates == sorted(dates, reverse=True)


def test_cli_sorts_by_date(indexed_data_dir):
    result = CliRunner().invoke(main, ["--data-dir", str(indexed_data_dir), "search", "palveluseteli", "--sort", "date", "--format", "json"])
    assert result.exit_code == 0, result.output
    dates = [h["updated"] for h in json.loads(result.output)["hits"] if h["updated"]]
    assert dates == sorted(dates, reverse=True)


# Similar documents


def test_api_similar_respects_visibility(web_url, staff_web_url, staff, base):
    body = httpx.get(f"{web_url}/api/similar", params={"id": base + "uudistus/rakenneuudistus.html"}).json()
    assert body["hits"][0]["id"] == base + "liitteet/rakenneuudistus-loppuraportti.pdf" and len(body["hits"]) == 5
    assert all(h["visibility"] == "public" for h in body["hits"])
    assert len(httpx.get(f"{web_url}/api/similar", params={"id": body["id"], "size": 2}).json()["hits"]) == 2
    hidden = httpx.get(f"{staff_web_url}/api/similar", params={"id": base + INTERNAL})
    assert hidden.status_code == 404 and "No document" in hidden.json()["error"]
    shown = httpx.get(f"{staff_web_url}/api/similar", params={"id": base + INTERNAL},
                      headers={"Authorization": f"Bearer {staff.tokens['valid']}"})
    assert shown.status_code == 200 and any("/sisainen/" in h["id"] for h in shown.json()["hits"])
    assert httpx.get(f"{web_url}/api/similar", params={"id": base, "size": 0}).status_code == 400
    assert "/api/similar" in httpx.get(f"{web_url}/openapi.json").json()["paths"]


@pytest.mark.parametrize("prefix, heading", [("/", "Samankaltaisia sivuja"), ("/sv/", "Liknande sidor"), ("/en/", "Similar pages")])
def test_document_page_lists_similar_pages(web_url, base, prefix, heading):
    page = httpx.get(f"{web_url}{prefix}document", params={"id": base + "palvelut/neuvola.html"})
    assert page.status_code == 200
    assert f'<h2 id="similar-heading">{heading}</h2>' in page.text
    similar = re.findall(r'<li lang="\w+"><a href="([^"]+)">', page.text)
    assert similar and parse_qs(urlsplit(similar[0]).query)["id"] == [base + "liitteet/perhekeskus-toimintamalli.odt"]


def test_document_page_of_an_internal_document_is_not_found_anonymously(staff_web_url, base):
    assert httpx.get(f"{staff_web_url}/document", params={"id": base + INTERNAL}).status_code == 404


def test_results_link_to_the_document_page(web_url, base):
    page = httpx.get(f"{web_url}/en/", params={"q": "neuvola"}).text
    assert f'href="/en/document?id={base.replace(":", "%3A").replace("/", "%2F")}' in page
    assert "Details and similar pages" in page


def test_cli_similar(indexed_data_dir, base):
    run = CliRunner().invoke
    result = run(main, ["--data-dir", str(indexed_data_dir), "similar", base + "uudistus/rakenneuudistus.html", "--limit", "2"])
    assert result.exit_code == 0, result.output
    assert "1. Rakenneuudistushankkeen loppuraportti" in result.output and "\n3." not in result.output
    hidden = run(main, ["--data-dir", str(indexed_data_dir), "similar", base + INTERNAL])
    assert hidden.exit_code == 1 and "an internal one needs --internal" in hidden.output
    shown = run(main, ["--data-dir", str(indexed_data_dir), "similar", base + INTERNAL, "--internal", "--format", "json"])
    assert shown.exit_code == 0 and json.loads(shown.output)["hits"]


# Clicks


def test_a_click_through_the_redirect_is_counted_once_and_kept_anonymous(web_url, indexed_data_dir):
    page = httpx.get(f"{web_url}/", params={"q": "neuvola"}).text
    links = re.findall(r'<h3[^>]*><a href="(/go\?[^"]+)">', page)
    assert links
    link = links[1].replace("&amp;", "&")
    params = parse_qs(urlsplit(link).query)
    assert set(params) == {"id", "search", "rank"} and params["rank"] == ["2"]
    for visitor in ("10.0.0.1", "10.0.0.2"):  # the same result opened twice (another address, another cookie)
        response = httpx.get(f"{web_url}{link}", headers={"X-Forwarded-For": visitor}, cookies={"sotehaku_session": visitor})
        assert response.status_code == 303 and response.headers["location"] == params["id"][0]
        assert response.headers["cache-control"] == "no-store"
    assert clicks(indexed_data_dir, params["search"][0]) == [(params["search"][0], 2, params["id"][0])]
    with sqlite3.connect(indexed_data_dir / QUERYLOG_FILENAME) as db:
        columns = {table: [row[1] for row in db.execute(f"PRAGMA table_info({table})")] for table in ("searches", "clicks")}
    assert columns == {"searches": ["id", "hour", "query", "total"], "clicks": ["search_id", "doc_id", "rank"]}


@pytest.mark.parametrize("params", [
    {"id": "https://evil.example/"}, {"url": "https://evil.example/"}, {"id": ""},
    {"id": "https://evil.example/", "search": "x" * 22, "rank": "1"},
])
def test_the_redirect_takes_document_ids_only(web_url, params):
    response = httpx.get(f"{web_url}/go", params=params)
    assert response.status_code == 404 and "location" not in response.headers


def test_the_redirect_opens_internal_documents_for_staff_only(staff_web_url, base):
    assert httpx.get(f"{staff_web_url}/go", params={"id": base + INTERNAL}).status_code == 404


def test_api_clicks_count_once_and_only_for_a_logged_search(web_url, indexed_data_dir):
    body = httpx.get(f"{web_url}/api/search", params={"q": "kotihoito"}).json()
    search_id, hit = body["search_id"], body["hits"][0]
    assert re.fullmatch(r"[A-Za-z0-9_-]{22}", search_id)
    assert httpx.get(f"{web_url}/api/search", params={"q": "kotihoito", "page": 2}).json()["search_id"] is None
    for _ in range(2):
        response = httpx.post(f"{web_url}/api/click", json={"search_id": search_id, "rank": 1, "id": hit["id"]})
        assert response.status_code == 204
    assert clicks(indexed_data_dir, search_id) == [(search_id, 1, hit["id"])]
    unknown = "A" * 22
    assert httpx.post(f"{web_url}/api/click", json={"search_id": unknown, "rank": 1, "id": hit["id"]}).status_code == 204
    assert clicks(indexed_data_dir, unknown) == []
    bad = httpx.post(f"{web_url}/api/click", json={"search_id": search_id, "rank": 0, "id": hit["id"]})
    assert bad.status_code == 400


# Best bets


@pytest.fixture()
def pinned(indexed_data_dir, serve_app, tmp_path, base):
    """A web app whose best bets pin the service-voucher rules (a PDF) and an internal page for "kotihoito"."""
    path = tmp_path / "bestbets.toml"
    path.write_text(
        f'[[bestbet]]\nquery = "kotihoito"\ndocuments = ["{base}{INTERNAL}", "{base}liitteet/palveluseteli-saantokirja.pdf"]\n',
        encoding="utf-8",
    )
    return serve_app(create_app(indexed_data_dir, bestbets=path)), path


def test_best_bets_on_the_page_and_in_the_api(pinned, base):
    url, _ = pinned
    page = httpx.get(f"{url}/", params={"q": "kotihoidon"}).text
    first = page.split('<li class="hit')[1]
    assert first.startswith(' recommended">') and '<span class="badge recommended">Suositeltu</span>' in first
    assert "palveluseteli-saantokirja.pdf" in first and INTERNAL not in page
    assert '<span class="badge recommended">Recommended</span>' in httpx.get(f"{url}/en/", params={"q": "kotihoitoa"}).text
    body = httpx.get(f"{url}/api/search", params={"q": "Kotihoito"}).json()
    assert [(h["id"], h["recommended"]) for h in body["hits"][:2]] == [
        (base + "liitteet/palveluseteli-saantokirja.pdf", True), (body["hits"][1]["id"], False),
    ]


def test_best_bets_in_the_cli(indexed_data_dir, tmp_path, base, monkeypatch):
    (tmp_path / "bestbets.toml").write_text(
        f'[[bestbet]]\nquery = "kotihoito"\ndocuments = ["{base}liitteet/palveluseteli-saantokirja.pdf"]\n', encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)  # bestbets.toml beside ./sotehaku.toml
    result = CliRunner().invoke(main, ["--data-dir", str(indexed_data_dir), "search", "kotihoidosta", "--limit", "2"])
    assert result.exit_code == 0, result.output
    assert "\n1. [recommended] Palvelusetelin sääntökirja" in result.output and "\n2. [recommended]" not in result.output
