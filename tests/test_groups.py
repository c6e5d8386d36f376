"""Groups from every way in: an SSO proxy's headers (believed from a trusted proxy's address only), API
tokens and sessions of local accounts (`sotehaku users groups`), and documents limited to groups by
JSONL, by imported folder and by configured source, kept in the corpus store."""

from __future__ import annotations

import json
import shutil
import stat
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

import app.cli as cli
from app.accounts import open_accounts
from app.admin_cli import users
from app.web.app import create_app
from app.web.settings import WebConfigError, WebSettings, read_web_config
from backends.whoosh.backend import WhooshBackend
from corpus.document import Document
from corpus.importers import ImportFileError
from corpus.ingest import import_jsonl, import_path
from corpus.sources import SourceConfigError, load_sources
from corpus.store import open_data_store

from test_web_access import csrf_token

DOCS = [
    Document(id="julkinen", title="Sotekeskus", text="Sotekeskus palvelee. Talousarvio hyväksyttiin."),
    Document(id="tiedote", title="Henkilöstötiedote", visibility="internal", text="Sotekeskuksen henkilöstö kokoontuu."),
    Document(id="talousmuistio", title="Talousryhmän muistio", visibility="internal", access=("talous",),
             text="Kvartaalikatsaus: talousarvio ylittyy."),
]
PROXY = {"proxy_user_header": "X-Forwarded-User", "proxy_groups_header": "X-Forwarded-Groups"}


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("groups-data")
    WhooshBackend(folder).publish(lambda: DOCS, full=True)
    return folder


def ids(response: httpx.Response) -> set[str]:
    assert response.status_code == 200, response.text
    return {h["id"] for h in response.json()["hits"]}


def test_sso_headers_from_a_trusted_proxy_make_the_viewer(serve_app, data_dir):
    url = serve_app(create_app(data_dir, trusted_proxies=["127.0.0.1"], **PROXY))
    member = {"X-Forwarded-User": "tiina@hyvaks.fi", "X-Forwarded-Groups": "talous, Sote johtoryhmä".encode()}
    found = httpx.get(f"{url}/api/search", params={"q": "kvartaalikatsaus"}, headers=member)
    assert ids(found) == {"talousmuistio"} and found.json()["hits"][0]["groups"] == ["talous"]
    page = httpx.get(f"{url}/en/", params={"q": "kvartaalikatsaus"}, headers=member).text
    assert "Signed in as tiina@hyvaks.fi" in page and "Only for the groups: talous" in page
    other = {"X-Forwarded-User": "henna@hyvaks.fi", "X-Forwarded-Groups": "hr"}
    assert ids(httpx.get(f"{url}/api/search", params={"q": "kvartaalikatsaus"}, headers=other)) == set()
    assert ids(httpx.get(f"{url}/api/search", params={"q": "henkilöstö"}, headers=other)) == {"tiedote"}
    # Without the user header, the proxy's requests are anonymous (a groups header alone is nothing).
    assert ids(httpx.get(f"{url}/api/search", params={"q": "henkilöstö"}, headers={"X-Forwarded-Groups": "talous"})) == set()
    # The proxy also forwards the browser's address: the user header is still believed, from the proxy.
    forwarded = httpx.get(f"{url}/api/search", params={"q": "kvartaalikatsaus"}, headers={**member, "X-Forwarded-For": "203.0.113.5"})
    assert ids(forwarded) == {"talousmuistio"}


@pytest.mark.parametrize("trusted", [(), ("10.0.0.0/8",), ("192.0.2.1",)])
def test_sso_headers_from_any_other_address_are_ignored(serve_app, data_dir, trusted):
    options = {"trusted_proxies": list(trusted), **PROXY} if trusted else {}
    url = serve_app(create_app(data_dir, **options))
    forged = {"X-Forwarded-User": "tiina", "X-Forwarded-Groups": "talous", "X-Forwarded-For": "10.1.2.3"}
    for q in ("kvartaalikatsaus", "henkilöstö"):
        response = httpx.get(f"{url}/api/search", params={"q": q}, headers=forged)
        assert ids(response) == set() and response.json()["total"] == 0, q
    assert httpx.get(f"{url}/api/suggest", params={"q": "kvartaali"}, headers=forged).json()["suggestions"] == []
    assert "tiina" not in httpx.get(f"{url}/", headers=forged).text


def test_proxy_headers_need_trusted_proxies_and_valid_names(tmp_path):
    with pytest.raises(WebConfigError, match="trusted_proxies"):
        WebSettings(tmp_path, proxy_user_header="X-Forwarded-User")
    config = tmp_path / "sotehaku.toml"
    config.write_text('[web]\ntrusted_proxies = ["127.0.0.1"]\nproxy_user_header = "X User"\n', encoding="utf-8")
    with pytest.raises(WebConfigError, match="Header name"):
        read_web_config(config)
    config.write_text('[web]\ntrusted_proxies = ["127.0.0.1"]\nproxy_user_header = "X-Forwarded-User"\n'
                      'proxy_groups_header = "X-Forwarded-Groups"\n', encoding="utf-8")
    assert read_web_config(config)["proxy_groups_header"] == "X-Forwarded-Groups"


def test_api_tokens_and_sessions_carry_their_accounts_groups(tmp_path, data_dir, serve_app):
    data = tmp_path / "data"
    shutil.copytree(data_dir, data)
    with open_accounts(data) as accounts:
        member = accounts.add_user("tiina", "talousryhman-salasana")
        outsider = accounts.add_user("henna")
        accounts.set_groups("tiina", ["talous"])
    url = serve_app(create_app(data))
    search = {"q": "kvartaalikatsaus"}
    assert ids(httpx.get(f"{url}/api/search", params=search, headers={"Authorization": f"Bearer {member}"})) == {"talousmuistio"}
    assert ids(httpx.get(f"{url}/api/search", params=search, headers={"Authorization": f"Bearer {outsider}"})) == set()
    with httpx.Client() as browser:
        token = csrf_token(browser.get(f"{url}/login").text)
        browser.post(f"{url}/login", data={"name": "tiina", "password": "talousryhman-salasana", "csrf_token": token})
        assert ids(browser.get(f"{url}/api/search", params=search)) == {"talousmuistio"}
        with open_accounts(data) as accounts:  # groups are read per request: a removal takes effect at once
            accounts.set_groups("tiina", [])
        assert ids(browser.get(f"{url}/api/search", params=search)) == set()


@pytest.fixture()
def run(tmp_path):
    added = [c for c in (users,) if c.name not in cli.main.commands]
    for command in added:
        cli.main.add_command(command)
    runner = CliRunner()
    yield lambda *args: runner.invoke(cli.main, ["--data-dir", str(tmp_path / "data"), *args])
    for command in added:
        del cli.main.commands[command.name]


def test_users_manage_groups(run):
    assert run("users", "add", "tiina", "--group", "talous").exit_code == 0
    assert "talous" in run("users", "list").output
    assert run("users", "groups", "tiina", "--add", "hr", "Sote johtoryhmä").output.strip() == "tiina is in the groups Sote johtoryhmä, hr, talous."
    assert run("users", "groups", "tiina", "--remove", "hr").exit_code == 0
    listed = json.loads(run("users", "list", "--format", "json").output)
    assert listed[0]["groups"] == ["Sote johtoryhmä", "talous"]
    assert run("users", "groups", "tiina").output.strip() == "tiina is in no group."
    bad = run("users", "groups", "tiina", "ok", "\x07bell")
    assert bad.exit_code != 0 and "control characters" in bad.output and "Traceback" not in bad.output
    missing = run("users", "groups", "nobody", "talous")
    assert missing.exit_code != 0 and "No account named 'nobody'" in missing.output


def test_jsonl_access_is_stored_and_checked(tmp_path):
    lines = [
        {"id": "a", "text": "Talousarvio.", "visibility": "internal", "access": ["talous", " hr "]},
        {"id": "b", "text": "Julkinen.", "access": ["talous"]},
        {"id": "c", "text": "Väärin.", "visibility": "internal", "access": "talous"},
    ]
    path = tmp_path / "docs.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    with open_data_store(tmp_path / "data") as store:
        stats = import_jsonl(path, store)
        assert store.get("a").access == ("hr", "talous") and store.get("b") is None and store.get("c") is None
        exported = store.get("a").to_json()
    assert exported["access"] == ["hr", "talous"]
    assert any("is limited to groups (talous) but is public" in e for e in stats.errors)
    assert any("must be a list of group names" in e for e in stats.errors) and len(stats.errors) == 2


def test_folder_import_limits_its_documents_to_groups(tmp_path):
    folder = tmp_path / "talousryhma"
    (folder / "2024").mkdir(parents=True)
    (folder / "2024" / "muistio.txt").write_text("Kvartaalikatsaus: talousarvio ylittyy.", encoding="utf-8")
    (folder / "ohje.html").write_text("<html><body><h1>Ohje</h1><p>Talouden ohje.</p></body></html>", encoding="utf-8")
    with open_data_store(tmp_path / "data") as store:
        with pytest.raises(ImportFileError, match="internal documents only"):
            import_path(folder, store, visibility="public", access=("talous",))
        stats = import_path(folder, store, visibility="internal", access=("talous",))
        assert stats.imported == 2
        assert {d.access for d in store.iter_documents()} == {("talous",)}


def test_cli_import_takes_access_from_the_option_or_the_configured_source(tmp_path):
    folder = tmp_path / "hr"
    folder.mkdir()
    (folder / "palkat.txt").write_text("Palkkaneuvottelu alkaa.", encoding="utf-8")
    config = tmp_path / "sotehaku.toml"
    config.write_text('[[source]]\nname = "hr-asema"\nstart_urls = ["https://intra.example.fi/hr/"]\n'
                      'visibility = "internal"\naccess = ["hr"]\n', encoding="utf-8")
    assert load_sources(config)[0].access == ("hr",)
    data = tmp_path / "data"
    result = CliRunner().invoke(cli.main, ["--data-dir", str(data), "import", "--config", str(config), "--source", "hr-asema", str(folder)])
    assert result.exit_code == 0, result.output
    with open_data_store(data) as store:
        assert [(d.visibility, d.access) for d in store.iter_documents()] == [("internal", ("hr",))]
    result = CliRunner().invoke(cli.main, ["--data-dir", str(data), "import", "--access", "talous", "--source", "talous", str(folder)])
    assert result.exit_code == 0, result.output
    with open_data_store(data) as store:
        # The same files again, now limited to another group: the documents are re-labelled, not copied.
        assert [(d.source, d.access) for d in store.iter_documents()] == [("talous", ("talous",))]
    config.write_text('[[source]]\nname = "x"\nstart_urls = ["https://intra.example.fi/"]\naccess = ["hr"]\n', encoding="utf-8")
    with pytest.raises(SourceConfigError, match="internal"):
        load_sources(config)


def test_an_old_store_migrates_to_documents_without_groups(tmp_path):
    fixture = Path(__file__).parent / "fixtures" / "release-0.1" / "data"
    data = tmp_path / "data"
    shutil.copytree(fixture, data)
    for path in [data, *data.rglob("*")]:
        path.chmod(path.stat().st_mode | stat.S_IWUSR)
    with open_data_store(data) as store:
        docs = list(store.iter_documents())
        assert docs and all(d.access == () for d in docs)
        store.put(docs[0].replace(visibility="internal", access=("talous",)))
        assert store.get(docs[0].id).access == ("talous",)
    with open_accounts(data) as accounts:
        assert accounts.groups_of("anna.virtanen") == ()
