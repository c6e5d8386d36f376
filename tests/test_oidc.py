"""Signing staff in with a real OpenID Connect provider (oidc-provider on Node.js, tests/oidc_fixture.py):
the code flow with PKCE through the web app, groups from the ID token deciding what is seen, sign-out,
and the ID tokens and callbacks that must be refused (tampered, another audience, expired, a replayed
state, another browser's state)."""

from __future__ import annotations

import base64
import json
import time
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from app.web.app import create_app
from app.web.oidc import OidcClient, OidcConfigError, OidcError, OidcSettings, read_oidc_config
from app.web.settings import WebSettings, read_web_config
from backends.whoosh.backend import WhooshBackend
from corpus.document import Document
from oidc_fixture import oidc_provider, sign_in_at_provider

from test_web_access import csrf_token

PUBLIC_URL = "http://localhost:18923"  # the app's public address: the provider sends browsers back here
CALLBACK = PUBLIC_URL + "/oidc/callback"
SECRET = "test-client-secret-0123456789"
CLIENTS = [
    {"client_id": "sotehaku", "client_secret": SECRET, "redirect_uris": [CALLBACK]},
    {"client_id": "toinen-sovellus", "client_secret": "other-secret-0123456789", "redirect_uris": [CALLBACK]},
    {"client_id": "lyhytikainen", "client_secret": "short-secret-0123456789", "redirect_uris": [CALLBACK], "id_token_ttl": 1},
]
GROUPS = {"tiina": ["talous", "Sote johtoryhmä"], "henna": ["hr"], "it-paakayttaja": ["it-admins"]}
DOCS = [
    Document(id="julkinen", title="Sotekeskus", text="Sotekeskus palvelee. Talousarvio hyväksyttiin."),
    Document(id="talousmuistio", title="Talousryhmän muistio", visibility="internal", access=("talous",),
             text="Kvartaalikatsaus: talousarvio ylittyy."),
]


@pytest.fixture(scope="module")
def issuer():
    with oidc_provider(CLIENTS, GROUPS) as url:
        yield url


def settings_for(issuer: str, client_id: str = "sotehaku", secret: str = SECRET, skew: int = 0) -> OidcSettings:
    return OidcSettings(issuer=issuer, client_id=client_id, client_secret=secret,
                        scopes=("openid", "profile", "groups"), clock_skew_seconds=skew, admin_group="it-admins")


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("oidc-data")
    WhooshBackend(folder).publish(lambda: DOCS, full=True)
    return folder


@pytest.fixture(scope="module")
def app_url(issuer, data_dir):
    from conftest import ServerThread

    app = create_app(WebSettings(data_dir, public_url=PUBLIC_URL, oidc=settings_for(issuer)))
    with ServerThread(app) as url:
        yield url


def local(app_url: str, public: str) -> str:
    """A public URL of the app as the address the test server really listens on."""
    return app_url + public[len(PUBLIC_URL):]


def sign_in(app_url: str, login: str, next_path: str = "/") -> tuple[httpx.Client, httpx.Response, str]:
    """The whole flow as a browser: the app's /oidc/login, the provider's form, the app's callback."""
    browser = httpx.Client()
    start = browser.get(f"{app_url}/oidc/login", params={"next": next_path}, follow_redirects=False)
    assert start.status_code == 303, start.text
    query = parse_qs(urlsplit(start.headers["location"]).query)
    assert query["code_challenge_method"] == ["S256"] and query["code_challenge"][0] and query["nonce"][0]
    callback = sign_in_at_provider(browser, start.headers["location"], login, CALLBACK)
    done = browser.get(local(app_url, callback), follow_redirects=False)
    return browser, done, callback


def search(browser: httpx.Client, app_url: str, q: str) -> dict:
    return browser.get(f"{app_url}/api/search", params={"q": q}).json()


def test_sign_in_with_groups_and_sign_out(app_url):
    browser, done, _ = sign_in(app_url, "tiina", "/sv/")
    assert done.status_code == 303 and done.headers["location"] == "/sv/"
    found = search(browser, app_url, "kvartaalikatsaus")
    assert [h["id"] for h in found["hits"]] == ["talousmuistio"]
    assert found["hits"][0]["visibility"] == "internal" and found["hits"][0]["groups"] == ["talous"]
    page = browser.get(f"{app_url}/sv/", params={"q": "kvartaalikatsaus"}).text
    assert "Endast för grupperna: talous" in page and "Inloggad: tiina" in page
    document = browser.get(f"{app_url}/api/document", params={"id": "talousmuistio"})
    assert document.status_code == 200 and document.json()["title"] == "Talousryhmän muistio"
    assert document.json()["groups"] == ["talous"] and "access" not in document.json()
    assert browser.get(f"{app_url}/api/suggest", params={"q": "kvartaali"}).json()["suggestions"] == ["kvartaalikatsaus"]
    # Sign-out ends the session on the server: the same cookie no longer signs anyone in.
    session = browser.cookies.get("sotehaku_session")
    token = csrf_token(browser.get(f"{app_url}/login").text)
    out = browser.post(f"{app_url}/logout", data={"csrf_token": token, "next": "/"}, headers={"Origin": PUBLIC_URL})
    assert out.status_code == 303
    copied = httpx.get(f"{app_url}/api/search", params={"q": "kvartaalikatsaus"}, cookies={"sotehaku_session": session})
    assert copied.json()["total"] == 0


def test_a_member_of_another_group_does_not_see_the_document(app_url):
    browser, done, _ = sign_in(app_url, "henna")
    assert done.status_code == 303
    assert search(browser, app_url, "kvartaalikatsaus")["total"] == 0
    assert browser.get(f"{app_url}/api/suggest", params={"q": "kvartaali"}).json()["suggestions"] == []
    assert browser.get(f"{app_url}/api/document", params={"id": "talousmuistio"}).status_code == 404
    assert search(browser, app_url, "sotekeskus")["total"] == 1  # signed in: public documents as before


def test_a_replayed_state_is_refused(app_url):
    browser, done, callback = sign_in(app_url, "tiina")
    assert done.status_code == 303
    again = browser.get(local(app_url, callback), follow_redirects=False)
    assert again.status_code == 400 and "epäonnistui" in again.text
    # Nor does another browser get in with a state and code it saw (no state cookie there).
    stranger = httpx.get(local(app_url, callback), follow_redirects=False)
    assert stranger.status_code == 400 and "sotehaku_session" not in stranger.headers.get("set-cookie", "")


def test_a_state_from_another_browser_is_refused(app_url):
    """Login CSRF: an attacker's own callback URL, opened in a victim's browser, signs nobody in."""
    attacker = httpx.Client()
    start = attacker.get(f"{app_url}/oidc/login", follow_redirects=False)
    callback = sign_in_at_provider(attacker, start.headers["location"], "henna", CALLBACK)
    victim = httpx.Client()
    victim.get(f"{app_url}/oidc/login", follow_redirects=False)  # the victim has a state cookie of their own
    answer = victim.get(local(app_url, callback), follow_redirects=False)
    assert answer.status_code == 400 and "sotehaku_session" not in answer.headers.get("set-cookie", "")


def provider_tokens(issuer: str, client_id: str, secret: str, login: str = "tiina") -> tuple[OidcClient, dict, str]:
    """A real token response of the provider for `client_id`, and the nonce it was asked with."""
    client = OidcClient(settings_for(issuer, client_id, secret))
    url, _, pending = client.start(CALLBACK)
    with httpx.Client() as browser:
        callback = sign_in_at_provider(browser, url, login, CALLBACK)
    code = parse_qs(urlsplit(callback).query)["code"][0]
    return client, client.tokens(code, CALLBACK, pending.verifier), pending.nonce


def test_a_good_id_token_verifies_and_carries_the_groups(issuer):
    client, tokens, nonce = provider_tokens(issuer, "sotehaku", SECRET)
    identity = client.identity(client.verify_id_token(tokens["id_token"], nonce))
    assert identity.name == "tiina" and identity.groups == ("Sote johtoryhmä", "talous")
    with pytest.raises(OidcError, match="nonce"):
        client.verify_id_token(tokens["id_token"], "another-nonce")


def test_a_tampered_id_token_is_refused(issuer):
    client, tokens, nonce = provider_tokens(issuer, "sotehaku", SECRET, login="henna")
    header, payload, signature = tokens["id_token"].split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["groups"] = ["talous"]  # henna tries to join the finance group
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    with pytest.raises(OidcError, match="signature"):
        client.verify_id_token(f"{header}.{forged}.{signature}", nonce)
    with pytest.raises(OidcError, match="signature"):
        client.verify_id_token(f"{header}.{payload}.{signature[:-4]}AAAA", nonce)


def test_an_id_token_for_another_app_is_refused(issuer):
    other, tokens, nonce = provider_tokens(issuer, "toinen-sovellus", "other-secret-0123456789")
    assert other.verify_id_token(tokens["id_token"], nonce)["aud"] == "toinen-sovellus"
    ours = OidcClient(settings_for(issuer))
    with pytest.raises(OidcError, match="aud"):
        ours.verify_id_token(tokens["id_token"], nonce)


def test_an_expired_id_token_is_refused(issuer):
    client, tokens, nonce = provider_tokens(issuer, "lyhytikainen", "short-secret-0123456789")
    time.sleep(2.1)  # the provider issued it for one second
    with pytest.raises(OidcError, match="exp"):
        client.verify_id_token(tokens["id_token"], nonce)
    lenient = OidcClient(settings_for(issuer, "lyhytikainen", "short-secret-0123456789", skew=60))
    assert lenient.verify_id_token(tokens["id_token"], nonce)["sub"] == "tiina"  # within the allowed clock skew


def test_the_admin_group_decides_the_admin_role(app_url, data_dir, issuer):
    from app.web.auth import viewer_roles
    from search.api import Viewer

    client, tokens, nonce = provider_tokens(issuer, "sotehaku", SECRET, login="it-paakayttaja")
    identity = client.identity(client.verify_id_token(tokens["id_token"], nonce))
    viewer = Viewer(identity.name, staff=True, groups=identity.groups)
    assert viewer_roles(viewer, "it-admins") == {"staff", "admin"}
    assert viewer_roles(Viewer("tiina", staff=True, groups=("talous",)), "it-admins") == {"staff"}


def test_configuration_from_sotehaku_toml(tmp_path, monkeypatch, issuer):
    config = tmp_path / "sotehaku.toml"
    config.write_text(
        f'[oidc]\nissuer = "{issuer}/"\nclient_id = "sotehaku"\nclient_secret_env = "SOTEHAKU_OIDC_SECRET"\n'
        'scopes = ["openid", "profile", "groups"]\ngroups_claim = "groups"\nadmin_group = "it-admins"\n',
        encoding="utf-8",
    )
    with pytest.raises(OidcConfigError, match="SOTEHAKU_OIDC_SECRET"):
        read_oidc_config(config)
    monkeypatch.setenv("SOTEHAKU_OIDC_SECRET", SECRET)
    settings = read_web_config(config)["oidc"]
    assert settings.issuer == issuer and settings.client_secret == SECRET and settings.admin_group == "it-admins"
    assert SECRET not in repr(settings)
    secret_file = tmp_path / "secret"
    secret_file.write_text(SECRET + "\n", encoding="utf-8")
    config.write_text(f'[oidc]\nissuer = "{issuer}"\nclient_id = "sotehaku"\nclient_secret_file = "{secret_file}"\n', encoding="utf-8")
    assert read_oidc_config(config).client_secret == SECRET
    for bad, message in (('issuer = "http://idp.example.fi"\nclient_id = "x"\nclient_secret_env = "SOTEHAKU_OIDC_SECRET"', "https"),
                         ('issuer = "https://idp.example.fi"\nclient_id = "x"', "client_secret"),
                         ('issuer = "https://idp.example.fi"\nclient_id = "x"\nclient_secret_env = "SOTEHAKU_OIDC_SECRET"\nscopes = ["profile"]', "openid")):
        config.write_text(f"[oidc]\n{bad}\n", encoding="utf-8")
        with pytest.raises(OidcConfigError, match=message):
            read_oidc_config(config)


def test_an_unreachable_provider_is_a_clear_page_not_a_500(data_dir, serve_app):
    dead = OidcSettings(issuer="http://127.0.0.1:9", client_id="sotehaku", client_secret=SECRET, timeout=2)
    url = serve_app(create_app(WebSettings(data_dir, public_url=PUBLIC_URL, oidc=dead)))
    answer = httpx.get(f"{url}/oidc/login", follow_redirects=False)
    assert answer.status_code == 503 and "ei vastaa" in answer.text
