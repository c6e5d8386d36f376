"""Absolute URLs come from the one configured public URL, never from the Host header, and the app is
served under that URL's path (/haku/) whether or not the proxy in front strips it."""

import re
import xml.etree.ElementTree as ET

import httpx
import pytest

from app.web.app import create_app
from app.web.settings import WebConfigError, WebSettings

from test_web_access import csrf_token

EVIL = "evil.example"
PUBLIC = "https://www.kunta.fi/haku/"
OPENSEARCH = "{http://a9.com/-/spec/opensearch/1.1/}"
# Every address a page writes for the browser to follow, load or send to.
LINK = re.compile(r'(?:href|src|action|data-suggest|data-fragment)="(/[^"]*)"')


@pytest.fixture(scope="module")
def haku_url(indexed_data_dir):
    """The sample index served as if behind a proxy at https://www.kunta.fi/haku/."""
    from conftest import ServerThread

    with ServerThread(create_app(indexed_data_dir, public_url=PUBLIC)) as url:
        yield url


def opensearch_templates(response) -> set[str]:
    root = ET.fromstring(response.content)
    return {u.get("template") for u in root.iter(f"{OPENSEARCH}Url")} | {root.find("{http://www.mozilla.org/2006/browser/search/}SearchForm").text}


@pytest.mark.parametrize("path", ["/embed", "/sv/embed", "/opensearch.xml", "/en/opensearch.xml"])
def test_host_header_never_reaches_absolute_urls(web_url, path):
    response = httpx.get(f"{web_url}{path}", headers={"Host": EVIL})
    assert response.status_code == 200
    assert EVIL not in response.text
    # Without a public URL: the address the server listens on.
    assert f"{web_url}/" in response.text


def test_opensearch_without_public_url_uses_the_listening_address(web_url):
    templates = opensearch_templates(httpx.get(f"{web_url}/sv/opensearch.xml", headers={"Host": EVIL, "X-Forwarded-Host": EVIL}))
    assert templates and all(t.startswith(f"{web_url}/") for t in templates), templates


@pytest.mark.parametrize("path, location", [("/sv", "/sv/"), ("/en?q=sote", "/en/?q=sote"), ("/login/", "/login")])
def test_slash_redirects_are_paths_not_the_host_header(web_url, path, location):
    response = httpx.get(f"{web_url}{path}", headers={"Host": EVIL})
    assert response.status_code == 307 and response.headers["location"] == location


@pytest.mark.parametrize("path", ["/haku/embed", "/embed", "/haku/en/opensearch.xml", "/en/opensearch.xml"])
def test_public_url_makes_the_absolute_urls(haku_url, path):
    response = httpx.get(f"{haku_url}{path}", headers={"Host": EVIL})
    assert response.status_code == 200
    assert EVIL not in response.text and "127.0.0.1" not in response.text
    if path.endswith("embed"):
        assert "https://www.kunta.fi/haku/static/embed.js" in response.text
        assert "action=&#34;https://www.kunta.fi/haku/&#34;" in response.text
    else:
        templates = opensearch_templates(response)
        assert "https://www.kunta.fi/haku/en/?q={searchTerms}" in templates
        assert all(t.startswith(PUBLIC) for t in templates), templates


@pytest.mark.parametrize("path", ["/haku/?q=palveluseteli", "/?q=palveluseteli", "/haku/sv/embed", "/haku/en/login", "/haku/nowhere"])
def test_every_link_of_a_page_carries_the_sub_path_and_works(haku_url, path):
    response = httpx.get(f"{haku_url}{path}")
    assert response.status_code == (404 if "nowhere" in path else 200)
    links = set(LINK.findall(response.text))
    assert links and all(link.startswith("/haku/") for link in links), sorted(links)
    for link in {link for link in links if "/static/" in link or link.endswith("opensearch.xml")}:
        assert httpx.get(f"{haku_url}{link}").status_code == 200, link
    if "q=" in path:
        facet_links = [link for link in links if "type=" in link]
        assert facet_links and all(link.startswith("/haku/?") for link in facet_links)


def test_sub_path_with_and_without_the_proxy_stripping_it(haku_url):
    passed = httpx.get(f"{haku_url}/haku/api/search", params={"q": "palveluseteli"}).json()
    stripped = httpx.get(f"{haku_url}/api/search", params={"q": "palveluseteli"}).json()
    assert passed.pop("search_id") != stripped.pop("search_id")  # two searches, logged apart
    assert passed["total"] > 0 and passed == stripped
    assert httpx.get(f"{haku_url}/haku/healthz").json()["status"] == "ok"
    assert httpx.get(f"{haku_url}/haku/openapi.json").json()["servers"] == [{"url": "/haku"}]


@pytest.mark.parametrize("path", ["/static/nowhere.css", "/static/nowhere/", "/api/nowhere", "/nowhere/"])
def test_missing_paths_are_404_not_redirects(web_url, path):
    assert httpx.get(f"{web_url}{path}").status_code == 404


@pytest.mark.parametrize("path, location", [("/haku", "/haku/"), ("/haku/sv", "/haku/sv/"), ("/sv?q=a", "/haku/sv/?q=a")])
def test_redirects_carry_the_sub_path(haku_url, path, location):
    response = httpx.get(f"{haku_url}{path}", headers={"Host": EVIL})
    assert response.status_code == 307 and response.headers["location"] == location


def test_signing_in_under_the_sub_path(serve_app, staff):
    url = serve_app(create_app(staff.data_dir, public_url="http://www.kunta.fi/haku/"))
    with httpx.Client() as client:
        token = csrf_token(client.get(f"{url}/haku/login").text)
        form = {"name": staff.name, "password": staff.password, "csrf_token": token}
        # The browser is on the public address: its Origin is that one, not the proxy's upstream address.
        response = client.post(f"{url}/haku/login", data={**form, "next": "/haku/sv/?q=sote"},
                               headers={"Origin": "http://www.kunta.fi"})
        assert response.status_code == 303 and response.headers["location"] == "/haku/sv/?q=sote"
        flags = {f.strip().lower() for f in response.headers["set-cookie"].split(";")[1:]}
        assert "path=/haku" in flags and "secure" not in flags
        page = client.get(f"{url}/haku/")
        assert f"Kirjautuneena: {staff.name}" in page.text and 'action="/haku/logout"' in page.text
        logout = client.post(f"{url}/haku/logout", data={"csrf_token": csrf_token(page.text), "next": "/muu/"},
                             headers={"Origin": "http://www.kunta.fi"})
        assert logout.status_code == 303 and logout.headers["location"] == "/haku/"  # never off the app


def test_https_public_url_makes_cookies_secure(indexed_data_dir):
    from fastapi.testclient import TestClient

    client = TestClient(create_app(indexed_data_dir, public_url=PUBLIC))
    cookie = client.get("/haku/login").headers["set-cookie"].lower()
    assert "secure" in cookie and "path=/haku" in cookie


@pytest.mark.parametrize("url, words", [
    ("ftp://www.kunta.fi/", ["not an http(s) URL"]),
    ("www.kunta.fi/haku", ["not an http(s) URL"]),
    ("https://www.kunta.fi/haku/?x=1", ["query"]),
    ("https://user@www.kunta.fi/", ["user name"]),
    ("https://www.kunta.fi/ha ku/", ["escaping"]),
    ("https://www.kunta.fi/haku\"><script>/", ["escaping"]),
])
def test_bad_public_url_is_refused_with_the_fix(tmp_path, url, words):
    with pytest.raises(WebConfigError) as error:
        WebSettings(tmp_path, public_url=url)
    for word in [*words, "https://www.kunta.fi/haku/"]:
        assert word in str(error.value)
