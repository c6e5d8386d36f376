"""The JSON API over real HTTP: search with filters and pages, suggestions, OpenSearch, documents, CORS, errors."""

import re
import xml.etree.ElementTree as ET

import httpx
import pytest

from app.web.app import create_app

OPENSEARCH = "{http://a9.com/-/spec/opensearch/1.1/}"


def test_search_has_results_facets_and_suggestion_fields(web_url):
    body = httpx.get(f"{web_url}/api/search", params={"q": "palveluseteli"}).json()
    assert {"query", "total", "page", "size", "relaxed", "corrected", "suggestion", "missing", "replaced", "hits", "facets"} <= set(body)
    assert body["total"] >= 5 and body["page"] == 1 and body["size"] == 10 and body["suggestion"] is None
    assert set(body["facets"]) == {"section", "lang", "year", "type", "source"}
    assert sum(v["count"] for v in body["facets"]["type"]) == body["total"]
    hit = body["hits"][0]
    assert {"id", "url", "title", "snippet", "score", "updated", "lang", "type", "source", "section", "visibility", "groups", "recommended"} == set(hit)
    assert "<mark>" in hit["snippet"].lower() or "<mark" in hit["snippet"]


@pytest.mark.parametrize("q", ["Mikä", "Kuka oli"])
def test_a_query_of_only_common_words_is_200_with_no_hits(web_url, q):
    """Issue 12: 80 of 300 short question fragments got 400 "has only very common words"."""
    response = httpx.get(f"{web_url}/api/search", params={"q": q})
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["total"], body["hits"], body["common_words"]) == (0, [], True)


def test_a_page_of_only_common_words_asks_for_a_more_specific_word(web_url):
    response = httpx.get(f"{web_url}/", params={"q": "Kuka oli"})
    assert response.status_code == 200
    assert "Lisää tarkempi sana." in response.text and 'role="alert"' not in response.text


def test_misspelt_query_is_corrected_with_a_suggestion(web_url):
    body = httpx.get(f"{web_url}/api/search", params={"q": "palvelusetli"}).json()
    assert body["suggestion"] == "palveluseteli" and body["corrected"] is True and body["total"] > 0


@pytest.mark.parametrize("name, value", [("type", "pdf"), ("lang", "sv"), ("year", "2022"), ("section", "Palvelut")])
def test_filters_narrow_to_their_value(web_url, name, value):
    everything = httpx.get(f"{web_url}/api/search", params={"q": "palveluseteli OR hemvård OR sote", "size": 100}).json()
    narrowed = httpx.get(f"{web_url}/api/search", params={"q": "palveluseteli OR hemvård OR sote", "size": 100, name: value}).json()
    assert 0 < narrowed["total"] < everything["total"]
    assert [v["value"] for v in narrowed["facets"][name]] == [value]
    if name in ("type", "lang"):
        assert {h[name] for h in narrowed["hits"]} == {value}


def test_repeated_filter_values_are_alternatives(web_url):
    one = httpx.get(f"{web_url}/api/search", params={"q": "sote", "year": "2022"}).json()["total"]
    other = httpx.get(f"{web_url}/api/search", params={"q": "sote", "year": "2021"}).json()["total"]
    both = httpx.get(f"{web_url}/api/search", params=[("q", "sote"), ("year", "2022"), ("year", "2021")]).json()["total"]
    assert one and other and max(one, other) < both <= one + other  # near-duplicates across years count once


def test_updated_range_and_site_filters(web_url, sample_site_url):
    host = httpx.URL(sample_site_url).netloc.decode()
    in_2022 = httpx.get(f"{web_url}/api/search", params={"q": "sote", "updated": "2022-01..2022-12", "size": 100}).json()
    assert in_2022["total"] > 0 and all(h["updated"].startswith("2022") for h in in_2022["hits"])
    on_site = httpx.get(f"{web_url}/api/search", params={"q": "sote", "site": host}).json()
    assert on_site["total"] > 0
    elsewhere = httpx.get(f"{web_url}/api/search", params={"q": "sote", "site": "example.org"}).json()
    assert elsewhere["total"] == 0 and elsewhere["hits"] == []


def test_pages_do_not_overlap_and_cover_the_total(web_url):
    first = httpx.get(f"{web_url}/api/search", params={"q": "sote", "size": 5}).json()
    second = httpx.get(f"{web_url}/api/search", params={"q": "sote", "size": 5, "page": 2}).json()
    assert first["total"] == second["total"] > 10
    assert len(first["hits"]) == len(second["hits"]) == 5
    assert not {h["id"] for h in first["hits"]} & {h["id"] for h in second["hits"]}
    everything = httpx.get(f"{web_url}/api/search", params={"q": "sote", "size": 100}).json()
    assert [h["id"] for h in everything["hits"][:10]] == [h["id"] for h in first["hits"] + second["hits"]]


@pytest.mark.parametrize("params, words", [
    ({"q": "sote", "page": "x"}, ["'page'", "whole number"]),
    ({"q": "sote", "page": "0"}, ["'page'", "1 to 1000"]),
    ({"q": "sote", "size": "101"}, ["'size'", "1 to 100"]),
    ({"q": "sote", "size": "-1"}, ["'size'"]),
    ({"q": ""}, ["'q'", "is empty"]),
    ({"q": "sote", "lang": "x1"}, ["'x1'", "fi, sv or en"]),
    ({"q": "sote", "year": "22"}, ["'22'", "four digits"]),
    ({"q": "sote", "updated": "2022-13"}, ["not a date", "YYYY-MM"]),
    ({"q": "sote", "section": 'a"b'}, ["'section'", "double quotes"]),
    ({"q": "x" * 1001}, ["1000"]),
])
def test_bad_search_parameters_are_400_with_the_fix(web_url, params, words):
    response = httpx.get(f"{web_url}/api/search", params=params)
    assert response.status_code == 400
    error = response.json()["error"]
    for word in words:
        assert word in error, error


def test_missing_parameter_is_400_naming_it(web_url):
    response = httpx.get(f"{web_url}/api/suggest")
    assert response.status_code == 400 and "Parameter 'q' is missing" in response.json()["error"]
    response = httpx.get(f"{web_url}/api/document")
    assert response.status_code == 400 and "'id'" in response.json()["error"]


def test_suggest_completes_the_last_word(web_url):
    body = httpx.get(f"{web_url}/api/suggest", params={"q": "palvelus"}).json()
    assert body["query"] == "palvelus" and body["suggestions"]
    assert all(s.startswith("palvelus") for s in body["suggestions"]) and "palveluseteli" in body["suggestions"]
    assert body["completions"] == [{"text": s, "typed": len("palvelus")} for s in body["suggestions"]]
    two_words = httpx.get(f"{web_url}/api/suggest", params={"q": "kotihoito palvelus"}).json()["suggestions"]
    assert two_words and all(s.startswith("kotihoito palvelus") for s in two_words)
    assert httpx.get(f"{web_url}/api/suggest", params={"q": "p"}).json()["suggestions"] == []


def test_opensearch_description_points_at_the_page_and_the_suggestions(web_url):
    response = httpx.get(f"{web_url}/opensearch.xml")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/opensearchdescription+xml")
    root = ET.fromstring(response.content)
    urls = {u.get("type"): u.get("template") for u in root.iter(f"{OPENSEARCH}Url")}
    assert urls["text/html"] == f"{web_url}/?q={{searchTerms}}"
    assert urls["application/x-suggestions+json"] == f"{web_url}/api/suggest/opensearch?q={{searchTerms}}"
    assert root.find(f"{OPENSEARCH}ShortName").text == "sotehaku"
    swedish = ET.fromstring(httpx.get(f"{web_url}/sv/opensearch.xml").content)
    assert {u.get("template") for u in swedish.iter(f"{OPENSEARCH}Url")} >= {f"{web_url}/sv/?q={{searchTerms}}"}


@pytest.mark.parametrize("path", ["/", "/sv/", "/en/", "/login", "/en/embed", "/?q=sote"])
def test_every_page_links_its_opensearch_description(web_url, path):
    html = httpx.get(f"{web_url}{path}").text
    assert '<link rel="search" type="application/opensearchdescription+xml"' in html


def test_opensearch_suggestions_format(web_url):
    response = httpx.get(f"{web_url}/api/suggest/opensearch", params={"q": "kotih"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/x-suggestions+json")
    query, completions = response.json()
    assert query == "kotih" and "kotihoito" in completions
    assert httpx.get(f"{web_url}/api/suggest/opensearch", params={"q": ""}).json() == ["", []]


def test_document_by_id(web_url):
    hit = httpx.get(f"{web_url}/api/search", params={"q": "palveluseteli"}).json()["hits"][0]
    response = httpx.get(f"{web_url}/api/document", params={"id": hit["id"]})
    assert response.status_code == 200
    document = response.json()
    assert document["id"] == hit["id"] and document["url"] == hit["url"] and "palvelusetel" in document["text"].lower()
    missing = httpx.get(f"{web_url}/api/document", params={"id": "http://nowhere.example/"})
    assert missing.status_code == 404 and "No document with id" in missing.json()["error"]


def test_openapi_describes_the_api(web_url):
    spec = httpx.get(f"{web_url}/openapi.json").json()
    paths = spec["paths"]
    assert {"/api/search", "/api/suggest", "/api/suggest/opensearch", "/api/document", "/healthz"} <= set(paths)
    assert not any(p.startswith(("/login", "/logout", "/sv/", "/embed")) for p in paths)
    search = paths["/api/search"]["get"]
    assert {p["name"] for p in search["parameters"]} == {
        "q", "page", "size", "lang", "type", "site", "source", "section", "year", "updated", "sort", "prefer_lang",
    }
    assert {"200", "400", "401", "503"} <= set(search["responses"])
    schema = spec["components"]["schemas"]["SearchOut"]["properties"]
    assert {"total", "hits", "facets", "suggestion", "corrected", "relaxed"} <= set(schema)
    assert "404" in paths["/api/document"]["get"]["responses"]
    assert httpx.get(f"{web_url}/docs").status_code == 404  # no Swagger UI: it would load code from a CDN


def test_cors_is_off_by_default(web_url):
    response = httpx.get(f"{web_url}/api/search", params={"q": "sote"}, headers={"Origin": "https://www.kunta.fi"})
    assert response.status_code == 200 and "access-control-allow-origin" not in response.headers


def test_cors_allows_only_configured_origins_without_credentials(indexed_data_dir, serve_app):
    url = serve_app(create_app(indexed_data_dir, cors_origins=["https://www.kunta.fi"]))
    allowed = httpx.get(f"{url}/api/suggest", params={"q": "kotih"}, headers={"Origin": "https://www.kunta.fi"})
    assert allowed.headers["access-control-allow-origin"] == "https://www.kunta.fi"
    assert "access-control-allow-credentials" not in allowed.headers
    other = httpx.get(f"{url}/api/suggest", params={"q": "kotih"}, headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in other.headers
    preflight = httpx.options(
        f"{url}/api/search",
        headers={"Origin": "https://www.kunta.fi", "Access-Control-Request-Method": "GET"},
    )
    assert preflight.status_code == 200 and "GET" in preflight.headers["access-control-allow-methods"]
    assert "access-control-allow-credentials" not in preflight.headers
    with_token = httpx.options(
        f"{url}/api/search",
        headers={"Origin": "https://www.kunta.fi", "Access-Control-Request-Method": "GET",
                 "Access-Control-Request-Headers": "authorization"},
    )
    assert with_token.status_code == 400  # a staff token is never sent from another site's page
    evil = httpx.options(f"{url}/api/search", headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"})
    assert evil.status_code == 400


def test_no_index_is_503_for_every_endpoint(tmp_path, serve_app):
    url = serve_app(create_app(tmp_path))
    for path, params in [("/api/search", {"q": "sote"}), ("/api/suggest", {"q": "sote"}),
                         ("/api/suggest/opensearch", {"q": "sote"}), ("/api/document", {"id": "x"})]:
        response = httpx.get(f"{url}{path}", params=params)
        assert response.status_code == 503, path
        assert "sotehaku index" in response.json()["error"], path


def test_unknown_paths_are_404_pages_or_json(web_url):
    page = httpx.get(f"{web_url}/sv/ingenting")
    assert page.status_code == 404 and '<html lang="sv">' in page.text and "Sidan hittades inte" in page.text
    api = httpx.get(f"{web_url}/api/nothing")
    assert api.status_code == 404 and api.json()["error"]


def test_pages_have_a_content_security_policy(web_url):
    response = httpx.get(f"{web_url}/", params={"q": "sote"})
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy and "unsafe-inline" not in policy
    assert response.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize("name, values", [
    ("updated", ["2022", "2021"]), ("updated", ["2022", "2022"]), ("q", ["sote", "kotihoito"]), ("page", ["1", "2"]), ("size", ["5", "10"]),
])
def test_a_single_valued_parameter_given_twice_is_400_naming_it(web_url, name, values):
    params = ([] if name == "q" else [("q", "sote")]) + [(name, value) for value in values]
    response = httpx.get(f"{web_url}/api/search", params=params)
    assert response.status_code == 400
    assert f"Parameter '{name}' is given 2 times" in response.json()["error"]


@pytest.mark.parametrize("q", ["", "   "])
def test_blank_query_is_refused_as_the_schema_says(web_url, q):
    schema = httpx.get(f"{web_url}/openapi.json").json()
    (param,) = [p for p in schema["paths"]["/api/search"]["get"]["parameters"] if p["name"] == "q"]
    assert param["schema"]["minLength"] == 1 and param["schema"]["maxLength"] == 1000
    assert not re.search(param["schema"]["pattern"], q)  # the schema refuses it ...
    response = httpx.get(f"{web_url}/api/search", params={"q": q})
    assert response.status_code == 400 and "Parameter 'q' is empty" in response.json()["error"]  # ... and so does the server


def test_query_may_be_left_out_when_a_filter_is_given(web_url):
    body = httpx.get(f"{web_url}/api/search", params={"type": "pdf"}).json()
    assert body["total"] > 0 and {h["type"] for h in body["hits"]} == {"pdf"}
