"""The web app over real HTTP on 127.0.0.1: the search page, the JSON API, health, and access control."""

import httpx
import pytest

from corpus.document import Document
from app.pipeline import run_pipeline, store_documents
from app.web.app import create_app


def test_healthz(web_url):
    response = httpx.get(f"{web_url}/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok" and response.json()["index_version"].startswith("v")


def test_api_search_shape_and_ranking(web_url):
    response = httpx.get(f"{web_url}/api/search", params={"q": "työryhmä"})
    assert response.status_code == 200
    body = response.json()
    assert body["total"] >= 7
    for hit in body["hits"]:
        assert {"id", "url", "title", "snippet", "score", "updated", "lang"} <= set(hit)
    top_urls = [h["url"] for h in body["hits"][:8]]
    assert sum("/uudistus/tyoryhmat/" in u for u in top_urls) >= 5, top_urls


def test_api_never_shows_internal_documents_anonymously(web_url):
    body = httpx.get(f"{web_url}/api/search", params={"q": "kaarnalaiva"}).json()
    assert body["total"] == 0 and body["hits"] == []
    for q in ("pöytäkirja", "muistio", "luonnos", "työryhmä"):
        hits = httpx.get(f"{web_url}/api/search", params={"q": q, "size": 100}).json()["hits"]
        assert not [h for h in hits if "/sisainen/" in h["url"]], q


@pytest.mark.parametrize("params", [{"q": ""}, {"q": "-sote"}, {"q": "sote", "size": "0"}, {"q": "sote", "page": "x"}])
def test_api_bad_requests_are_4xx_with_a_message(web_url, params):
    response = httpx.get(f"{web_url}/api/search", params=params)
    assert 400 <= response.status_code < 500
    assert response.json()


def test_search_page_renders_highlighted_results(web_url):
    response = httpx.get(f"{web_url}/", params={"q": "työryhmä"})
    assert response.status_code == 200
    html = response.text
    assert '<html lang="fi">' in html
    assert "<mark" in html and "127.0.0.1 › uudistus › tyoryhmat" in html  # hit addresses as breadcrumbs
    assert "kaarnalaiva" not in html


@pytest.mark.parametrize("path, lang, word", [("/", "fi", "Hae"), ("/sv/", "sv", "Sök"), ("/en/", "en", "Search")])
def test_search_page_languages(web_url, path, lang, word):
    html = httpx.get(f"{web_url}{path}").text
    assert f'<html lang="{lang}">' in html and f">{word}</button>" in html


def test_page_escapes_the_query(web_url):
    html = httpx.get(f"{web_url}/", params={"q": '<script>alert(1)</script> sote'}).text
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html


def test_without_index_the_api_answers_503(tmp_path, serve_app):
    url = serve_app(create_app(tmp_path))
    response = httpx.get(f"{url}/api/search", params={"q": "sote"})
    assert response.status_code == 503 and "sotehaku index" in response.json()["error"]
    assert httpx.get(f"{url}/healthz").status_code == 503
    page = httpx.get(f"{url}/", params={"q": "sote"})
    assert page.status_code == 503 and "Haku ei ole juuri nyt käytettävissä" in page.text


def test_broken_lexicon_is_503_not_500(tmp_path, serve_app):
    run_pipeline(tmp_path, store_documents([Document(id="a", text="kotihoito")]))
    (tmp_path / "lexicon.toml").write_text("[[synonyms]\n", encoding="utf-8")
    url = serve_app(create_app(tmp_path))
    response = httpx.get(f"{url}/api/search", params={"q": "kotihoito"})
    assert response.status_code == 503 and "lexicon.toml" in response.json()["error"]


def test_api_language_filter(web_url):
    body = httpx.get(f"{web_url}/api/search", params={"q": "hemvård kotihoito", "lang": "sv"}).json()
    assert body["hits"] and {h["lang"] for h in body["hits"]} == {"sv"}
    assert httpx.get(f"{web_url}/api/search", params={"q": "sote", "lang": "x1"}).status_code == 400
