"""Who sees what over HTTP: anonymous visitors never see internal documents by any way out; staff do,
with an API token or a signed-in session; signing in is protected against CSRF, guessing and probing."""

import html as htmllib
import re
from urllib.parse import unquote

import httpx
import pytest

from app.web.app import create_app

WORD = "kaarnalaiva"  # only in an internal document of the sample site
INTERNAL_PATH = "/sisainen/"


def addresses_shown(html: str) -> str:
    """A page as its addresses read: hit links go through /go?id=<the address, URL-encoded>, so an internal
    document's address shows in a page only encoded; decoded, a check for INTERNAL_PATH can fail."""
    return unquote(htmllib.unescape(html))


def internal_id(staff_web_url, staff):
    body = httpx.get(f"{staff_web_url}/api/search", params={"q": WORD}, headers=bearer(staff.tokens["valid"])).json()
    assert body["total"] >= 1
    return body["hits"][0]["id"]


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def csrf_token(html):
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def sign_in(client: httpx.Client, base_url, name, password, path="/login", **extra):
    """Sign in through the form as a browser would: get the page (and its CSRF cookie), post it back."""
    token = csrf_token(client.get(f"{base_url}{path}").text)
    return client.post(f"{base_url}{path}", data={"name": name, "password": password, "csrf_token": token, **extra},
                       headers={"Origin": base_url})


# Anonymous: every way out


@pytest.mark.parametrize("q", [WORD, "kaarnalaiv", "kaarnalaivan", f"{WORD} pöytäkirja", f"{WORD} source:sample-intranet"])
def test_api_search_reveals_nothing_internal(staff_web_url, q):
    response = httpx.get(f"{staff_web_url}/api/search", params={"q": q, "size": 100})
    assert response.status_code == 200
    body = response.json()
    assert INTERNAL_PATH not in response.text
    assert WORD not in (body["suggestion"] or "")
    assert not [h for h in body["hits"] if WORD in (h["title"] + h["snippet"]).lower()]
    if WORD in q and q != f"{WORD} pöytäkirja":
        assert body["total"] == 0 and body["hits"] == []
        assert all(v["count"] == 0 for values in body["facets"].values() for v in values)


@pytest.mark.parametrize("filters", [{"type": "nothing"}, {"source": "sample-intranet"}, {"year": "1999"}, {"section": "Sisäinen"}])
def test_filters_that_match_nothing_public_count_nothing(staff_web_url, filters):
    body = httpx.get(f"{staff_web_url}/api/search", params={"q": WORD, **filters}).json()
    assert body["total"] == 0 and body["hits"] == [] and body["suggestion"] is None


def test_facets_and_totals_count_public_documents_only(staff_web_url, staff):
    anonymous = httpx.get(f"{staff_web_url}/api/search", params={"q": "työryhmä", "size": 100}).json()
    signed = httpx.get(f"{staff_web_url}/api/search", params={"q": "työryhmä", "size": 100}, headers=bearer(staff.tokens["valid"])).json()
    assert anonymous["total"] < signed["total"]
    assert {v["value"] for v in anonymous["facets"]["source"]} == {"sample-site"}
    assert "sample-intranet" in {v["value"] for v in signed["facets"]["source"]}
    assert sum(v["count"] for v in anonymous["facets"]["source"]) == anonymous["total"]


@pytest.mark.parametrize("q", [WORD, "kaarnalaiv", "kaarnalaivan"])
def test_search_page_reveals_nothing_internal(staff_web_url, q):
    html = httpx.get(f"{staff_web_url}/", params={"q": q}).text
    assert INTERNAL_PATH not in addresses_shown(html) and "Sisäinen" not in html
    assert html.count(WORD) == (html.count(q) if WORD in q else 0)  # only where the query itself is echoed
    assert "ei löytynyt tuloksia" in html


def test_results_fragment_reveals_nothing_internal(staff_web_url):
    html = httpx.get(f"{staff_web_url}/results", params={"q": "kaarnalaiv"}).text
    assert WORD not in html and INTERNAL_PATH not in addresses_shown(html)


@pytest.mark.parametrize("prefix", ["kaarna", "kaarnal", f"pöytäkirja {'kaarna'}"])
def test_suggestions_reveal_nothing_internal(staff_web_url, prefix):
    assert httpx.get(f"{staff_web_url}/api/suggest", params={"q": prefix}).json()["suggestions"] == []
    assert httpx.get(f"{staff_web_url}/api/suggest/opensearch", params={"q": prefix}).json() == [prefix, []]


def test_internal_document_looks_absent(staff_web_url, staff):
    doc_id = internal_id(staff_web_url, staff)
    internal = httpx.get(f"{staff_web_url}/api/document", params={"id": doc_id})
    absent = httpx.get(f"{staff_web_url}/api/document", params={"id": doc_id + "-no-such"})
    assert internal.status_code == absent.status_code == 404
    assert internal.json()["error"].replace(doc_id, "ID") == absent.json()["error"].replace(doc_id + "-no-such", "ID")
    assert WORD not in internal.text


@pytest.mark.parametrize("which", ["wrong", "expired", "removed", "malformed", "empty"])
def test_bad_credentials_are_refused_not_served_anonymously(staff_web_url, staff, which):
    header = {
        "wrong": "Bearer not-a-real-token-" + "x" * 30,
        "expired": f"Bearer {staff.tokens['expired']}",
        "removed": f"Bearer {staff.tokens['removed']}",
        "malformed": f"Basic {staff.tokens['valid']}",
        "empty": "Bearer",
    }[which]
    doc_id = internal_id(staff_web_url, staff)
    for path, params in [("/api/search", {"q": WORD}), ("/api/suggest", {"q": "kaarna"}),
                         ("/api/suggest/opensearch", {"q": "kaarna"}), ("/api/document", {"id": doc_id})]:
        response = httpx.get(f"{staff_web_url}{path}", params=params, headers={"Authorization": header})
        assert response.status_code == 401, (path, which)
        assert response.headers["www-authenticate"].startswith("Bearer")
        assert WORD not in response.text and "hits" not in response.json()
        assert response.json()["error"]


# Staff: a token or a signed-in session


def test_a_valid_token_shows_internal_documents(staff_web_url, staff):
    headers = bearer(staff.tokens["valid"])
    body = httpx.get(f"{staff_web_url}/api/search", params={"q": WORD}, headers=headers).json()
    assert body["total"] >= 1 and INTERNAL_PATH in body["hits"][0]["url"]
    assert httpx.get(f"{staff_web_url}/api/search", params={"q": "kaarnalaiv"}, headers=headers).json()["suggestion"] == WORD
    assert WORD in httpx.get(f"{staff_web_url}/api/suggest", params={"q": "kaarna"}, headers=headers).json()["suggestions"]
    document = httpx.get(f"{staff_web_url}/api/document", params={"id": body["hits"][0]["id"]}, headers=headers)
    assert document.status_code == 200 and WORD in document.json()["text"].lower()
    assert document.json()["visibility"] == "internal"


def test_signed_in_session_shows_internal_documents_until_sign_out(staff_web_url, staff):
    with httpx.Client() as client:
        response = sign_in(client, staff_web_url, staff.name, staff.password, next="/?q=" + WORD)
        assert response.status_code == 303 and response.headers["location"] == "/?q=" + WORD
        cookie = response.headers["set-cookie"]
        assert cookie.startswith("sotehaku_session=")
        flags = {f.strip().lower() for f in cookie.split(";")[1:]}
        assert {"httponly", "samesite=lax", "path=/"} <= flags and "secure" not in flags
        session = client.cookies["sotehaku_session"]

        page = client.get(f"{staff_web_url}/", params={"q": WORD})
        assert INTERNAL_PATH in addresses_shown(page.text) and '<span class="badge internal">Sisäinen</span>' in page.text
        assert f"Kirjautuneena: {staff.name}" in page.text
        assert page.headers["cache-control"] == "private, no-store"
        swedish = client.get(f"{staff_web_url}/sv/", params={"q": WORD})
        assert '<span class="badge internal">Intern</span>' in swedish.text
        api = client.get(f"{staff_web_url}/api/search", params={"q": WORD}).json()  # the page's own scripts
        assert api["total"] >= 1

        token = csrf_token(page.text)
        out = client.post(f"{staff_web_url}/logout", data={"csrf_token": token, "next": "/sv/"}, headers={"Origin": staff_web_url})
        assert out.status_code == 303 and out.headers["location"] == "/sv/"
        assert "sotehaku_session" not in client.cookies
        assert INTERNAL_PATH not in addresses_shown(client.get(f"{staff_web_url}/", params={"q": WORD}).text)
    # The old session id is dead on the server too, not only forgotten by the browser.
    replayed = httpx.get(f"{staff_web_url}/api/search", params={"q": WORD}, cookies={"sotehaku_session": session})
    assert replayed.json()["total"] == 0


def test_wrong_password_and_unknown_user_get_the_same_answer(staff_web_url, staff):
    answers = []
    for name, password in [(staff.name, "wrong-password-123"), ("ei.ole.olemassa", "wrong-password-123")]:
        with httpx.Client() as client:
            response = sign_in(client, staff_web_url, name, password)
            assert "sotehaku_session" not in client.cookies
        error = re.search(r'<div id="login-error".*?</div>', response.text, re.S).group(0)
        answers.append((response.status_code, error))
    assert answers[0] == answers[1]
    assert answers[0][0] == 400 and "Käyttäjätunnus tai salasana on väärin." in answers[0][1]


def test_missing_fields_are_marked_on_the_inputs(staff_web_url):
    with httpx.Client() as client:
        response = sign_in(client, staff_web_url, "", "", path="/en/login")
    assert response.status_code == 400 and "Type both your user name and your password." in response.text
    assert response.text.count('aria-invalid="true" aria-describedby="login-error"') == 2


@pytest.mark.parametrize("case", ["no token", "wrong token", "other origin", "other referer"])
def test_sign_in_without_csrf_proof_is_refused(staff_web_url, staff, case):
    with httpx.Client() as client:
        token = csrf_token(client.get(f"{staff_web_url}/login").text)
        data = {"name": staff.name, "password": staff.password, "csrf_token": token}
        headers = {"Origin": staff_web_url}
        if case == "no token":
            del data["csrf_token"]
        elif case == "wrong token":
            data["csrf_token"] = "x" * 43
        elif case == "other origin":
            headers = {"Origin": "https://evil.example"}
        else:
            headers = {"Referer": "https://evil.example/page"}
        response = client.post(f"{staff_web_url}/login", data=data, headers=headers)
        assert response.status_code == 403 and "sotehaku_session" not in client.cookies
        assert "Lomakkeen tarkistus epäonnistui" in response.text


def test_sign_out_without_csrf_proof_keeps_the_session(staff_web_url, staff):
    with httpx.Client() as client:
        assert sign_in(client, staff_web_url, staff.name, staff.password).status_code == 303
        response = client.post(f"{staff_web_url}/logout", data={"next": "/"}, headers={"Origin": "https://evil.example"})
        assert response.status_code == 403
        assert client.get(f"{staff_web_url}/api/search", params={"q": WORD}).json()["total"] >= 1


def test_sign_in_goes_only_to_pages_of_this_site(staff_web_url, staff):
    with httpx.Client() as client:
        response = sign_in(client, staff_web_url, staff.name, staff.password, next="//evil.example/")
        assert response.status_code == 303 and response.headers["location"] == "/"


def test_repeated_failures_are_slowed_down(staff, serve_app):
    url = serve_app(create_app(staff.data_dir, max_login_failures=2))
    with httpx.Client() as client:
        for _ in range(2):
            assert sign_in(client, url, staff.name, "wrong-password-123").status_code == 400
        blocked = sign_in(client, url, staff.name, staff.password)
        assert blocked.status_code == 429 and int(blocked.headers["retry-after"]) > 0
        assert "sotehaku_session" not in client.cookies and "Liian monta" in blocked.text


def test_secure_cookies_option(staff, serve_app):
    url = serve_app(create_app(staff.data_dir, secure_cookies=True))
    with httpx.Client() as client:
        response = client.get(f"{url}/login")
        assert "secure" in response.headers["set-cookie"].lower()
        token = csrf_token(response.text)
        # The CSRF cookie is Secure, so httpx keeps it from plain HTTP: send it as a browser on HTTPS would.
        response = client.post(f"{url}/login", data={"name": staff.name, "password": staff.password, "csrf_token": token},
                               headers={"Origin": url, "Cookie": f"sotehaku_csrf={token}"})
    assert response.status_code == 303
    flags = {f.strip().lower() for f in response.headers["set-cookie"].split(";")[1:]}
    assert {"httponly", "samesite=lax", "secure"} <= flags
