"""Search feeds over real HTTP: valid Atom (RFC 4287's RELAX NG schema), newest first, filters, and
internal documents only for a staff token in the Authorization header, which is never logged."""

from __future__ import annotations

import base64
import logging
from pathlib import Path

import httpx
import pytest
from lxml import etree

from click.testing import CliRunner

from app.accounts import open_accounts
from app.cli import main
from test_web_access import sign_in

ATOM = "{http://www.w3.org/2005/Atom}"
SCHEMA = etree.RelaxNG(etree.parse(str(Path(__file__).parent / "fixtures" / "atom" / "rfc4287.rng")))


def feed(url: str, **kwargs) -> etree._Element:
    response = httpx.get(url, **kwargs)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/atom+xml")
    root = etree.fromstring(response.content)
    SCHEMA.assertValid(root)
    return root


def entries(root) -> list[tuple[str, str]]:
    return [(e.findtext(f"{ATOM}updated"), e.find(f"{ATOM}link").get("href")) for e in root.iter(f"{ATOM}entry")]


def test_the_schema_refuses_what_rfc_4287_forbids():
    missing_id = etree.fromstring(
        b'<feed xmlns="http://www.w3.org/2005/Atom"><title>x</title><updated>2024-01-01T00:00:00Z</updated></feed>'
    )
    assert not SCHEMA.validate(missing_id)


def test_feed_is_valid_atom_newest_first(web_url):
    root = feed(f"{web_url}/feed", params={"q": "palveluseteli"})
    found = entries(root)
    assert len(found) >= 5
    dates = [updated for updated, _ in found]
    assert dates == sorted(dates, reverse=True)
    assert found[0][1].endswith("/liitteet/palveluseteli-saantokirja.pdf")  # the newest matching document
    assert root.findtext(f"{ATOM}title") == "Uusimmat sivut haulle ”palveluseteli”"
    assert root.findtext(f"{ATOM}updated") == dates[0]
    self_link = next(link for link in root.iter(f"{ATOM}link") if link.get("rel") == "self")
    assert self_link.get("href") == f"{web_url}/feed?q=palveluseteli" == root.findtext(f"{ATOM}id")


def test_feed_keeps_the_searchs_filters_and_language(web_url):
    root = feed(f"{web_url}/sv/feed", params={"q": "palveluseteli", "type": "pdf"})
    assert [href for _, href in entries(root)] and all(href.endswith(".pdf") for _, href in entries(root))
    assert root.findtext(f"{ATOM}title") == "Nyaste sidor för sökningen ”palveluseteli”"
    assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == "sv"
    only_filters = feed(f"{web_url}/en/feed", params={"lang": "sv"})
    assert entries(only_filters) and only_filters.findtext(f"{ATOM}title") == "Newest pages for “sv”"


def _internal(root) -> list[str]:
    return [href for _, href in entries(root) if "/sisainen/" in href]


def test_internal_documents_only_with_a_staff_token_in_a_header(staff, staff_web_url, caplog):
    url = f"{staff_web_url}/feed"
    params = {"q": "tilannekuva"}
    token = staff.tokens["valid"]
    assert _internal(feed(url, params=params)) == []
    assert _internal(feed(url, params=params, headers={"Authorization": f"Bearer {token}"}))
    basic = base64.b64encode(f"feed:{token}".encode()).decode()
    caplog.set_level(logging.DEBUG)
    assert _internal(feed(url, params=params, headers={"Authorization": f"Basic {basic}"}))
    assert token not in caplog.text and basic not in caplog.text
    # A signed-in browser's session cookie does not count: a feed address is made to be shared.
    with httpx.Client() as browser:
        assert sign_in(browser, staff_web_url, staff.name, staff.password).status_code == 303
        assert "/sisainen/" in browser.get(f"{staff_web_url}/api/search", params=params).text  # signed in
        response = browser.get(url, params=params)
        assert response.status_code == 200 and "/sisainen/" not in response.text


@pytest.mark.parametrize("kind", ["expired", "removed"])
def test_a_wrong_or_revoked_token_is_refused(staff, staff_web_url, kind):
    token = staff.tokens[kind]
    for header in (f"Bearer {token}", "Basic " + base64.b64encode(f"feed:{token}".encode()).decode()):
        response = httpx.get(f"{staff_web_url}/feed", params={"q": "tilannekuva"}, headers={"Authorization": header})
        assert response.status_code == 401 and "/sisainen/" not in response.text


def test_revoking_an_accounts_tokens_ends_its_feeds(staff, staff_web_url):
    with open_accounts(staff.data_dir) as accounts:
        token = accounts.add_user("syotteen.lukija")
    headers = {"Authorization": "Basic " + base64.b64encode(f"feed:{token}".encode()).decode()}
    assert _internal(feed(f"{staff_web_url}/feed", params={"q": "tilannekuva"}, headers=headers))
    result = CliRunner().invoke(main, ["--data-dir", str(staff.data_dir), "users", "revoke", "syotteen.lukija"])
    assert result.exit_code == 0 and "Revoked 1 token(s) of syotteen.lukija" in result.output
    assert httpx.get(f"{staff_web_url}/feed", params={"q": "tilannekuva"}, headers=headers).status_code == 401


def test_results_page_links_its_feed(web_url):
    page = httpx.get(f"{web_url}/", params={"q": "palveluseteli", "type": "pdf"}).text
    assert '<link rel="alternate" type="application/atom+xml"' in page
    assert 'href="/feed?q=palveluseteli&amp;type=pdf"' in page
    assert "Seuraa tätä hakua syötteenä (Atom)" in page
    assert "Follow this search as a feed (Atom)" in httpx.get(f"{web_url}/en/", params={"q": "palveluseteli"}).text


def test_characters_xml_cannot_hold_are_left_out(web_url):
    root = feed(f"{web_url}/en/feed", params={"source": "a\x1eb", "q": "palveluseteli\x0b"})
    assert root.findtext(f"{ATOM}title") == "Newest pages for “palveluseteli”"
