"""The staff dashboard (/admin) over real HTTP: who may open it, what it shows (the same numbers as
`sotehaku report`), its server-rendered chart and its CSV downloads."""

import csv
import io
import json
import re
import shutil
from contextlib import contextmanager
from urllib.parse import quote

import httpx
import pytest
from click.testing import CliRunner

import app.cli as cli
from app.accounts import open_accounts
from app.web.app import create_app
from search.bestbets import BestBet, BestBets

PASSWORD = "hallinto-salasana-2024"


@pytest.fixture(scope="module")
def admin_site(indexed_data_dir, tmp_path_factory):
    """A copy of the indexed data directory with an admin, a staff member who is not one, and a few
    searches made through the page; and the app serving it."""
    from conftest import ServerThread

    data_dir = tmp_path_factory.mktemp("admin") / "data"
    shutil.copytree(indexed_data_dir, data_dir, ignore=shutil.ignore_patterns("querylog.sqlite3*", "accounts.sqlite3*"))
    with open_accounts(data_dir) as accounts:
        accounts.add_user("paivi.paakayttaja", PASSWORD, admin=True)
        accounts.add_user("ville.virkailija", PASSWORD)
    with ServerThread(create_app(data_dir)) as url:
        for q in ["kotihoito", "kotihoito", "neuvola", "zzqxqzwy", "kotihoito zzqxqzwy"]:
            page = httpx.get(f"{url}/", params={"q": q}).text
            if q == "neuvola":  # its second result opened twice through the page's redirect: one click
                link = re.findall(r'<h3[^>]*><a href="(/go\?[^"]+)">', page)[1].replace("&amp;", "&")
                for _ in range(2):
                    assert httpx.get(f"{url}{link}").status_code == 303
        yield data_dir, url


@contextmanager
def signed_in(url, name):
    """An HTTP client signed in through the sign-in form."""
    with httpx.Client(base_url=url) as client:
        form = client.get("/login").text
        token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
        answer = client.post("/login", data={"csrf_token": token, "name": name, "password": PASSWORD, "next": "/"})
        assert answer.status_code == 303, answer.text
        yield client


def table_rows(html: str, heading_id: str) -> list[tuple[str, ...]]:
    """The body rows of the dashboard table under a heading, as text."""
    section = re.search(rf'<h2 id="{heading_id}">.*?</section>', html, re.S).group(0)
    if "<tbody>" not in section:
        return []
    return [tuple(re.sub(r"[ \n]+", " ", re.sub(r"<[^>]+>", " ", c)).strip() for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S))
            for row in re.findall(r"<tr>(.*?)</tr>", section.split("<tbody>")[1], re.S)]


def test_anonymous_visitors_get_the_sign_in_page(admin_site):
    _, url = admin_site
    answer = httpx.get(f"{url}/admin?days=7")
    assert answer.status_code == 303 and answer.headers["location"] == "/login?next=/admin%3Fdays%3D7"
    assert httpx.get(f"{url}/sv/admin").headers["location"] == "/sv/login?next=/sv/admin"
    assert httpx.get(f"{url}/admin/top.csv").status_code == 303
    login = httpx.get(f"{url}/admin", follow_redirects=True)
    assert login.status_code == 200 and 'name="password"' in login.text


def test_staff_without_the_admin_role_get_403(admin_site):
    _, url = admin_site
    with signed_in(url, "ville.virkailija") as client:
        page = client.get("/admin")
        assert page.status_code == 403
        assert "Ylläpidon näkymä on vain ylläpitäjille" in page.text and "sotehaku users admin" in page.text
        assert client.get("/admin/top.csv").status_code == 403
        assert client.get("/").status_code == 200  # still signed in for searching


def test_the_dashboard_shows_what_sotehaku_report_shows(admin_site):
    data_dir, url = admin_site
    with signed_in(url, "paivi.paakayttaja") as client:
        page = client.get("/admin")
    assert page.status_code == 200 and page.headers["cache-control"] == "private, no-store"
    html = page.text
    report = json.loads(CliRunner().invoke(cli.main, ["--data-dir", str(data_dir), "report", "--format", "json"]).stdout)
    assert report["total_queries"] == 5
    assert f"{report['total_queries']} hakua viimeisten 30 päivän aikana." in html

    def table(heading_id):
        return table_rows(html, heading_id)

    assert table("top-heading") == [(r["query"], str(r["count"])) for r in report["top"]]
    assert table("top-heading")[0] == ("kotihoito", "2")
    assert table("zero-heading") == [(r["query"], str(r["count"])) for r in report["zero"]] == [("zzqxqzwy", "1")]
    assert table("fallback-heading") == [("kotihoito zzqxqzwy", "1")]
    sources = table("sources-heading")
    assert [(s[0], int(s[1])) for s in sources] == [(s["source"], s["documents"]) for s in report["sources"]]
    assert {s[0] for s in sources} == {"sample-site", "sample-intranet"}
    assert all(re.fullmatch(r"\d{1,2}\.\d{1,2}\.\d{4} \d\d\.\d\d UTC", s[2]) for s in sources), sources
    assert f"Hakemiston versio {report['index']['version']}, {report['index']['documents']} dokumenttia." in html


def test_the_chart_is_an_svg_drawn_by_the_server(admin_site):
    _, url = admin_site
    with signed_in(url, "paivi.paakayttaja") as client:
        html = client.get("/en/admin", params={"days": "7"}).text
    svg = re.search(r"<svg[^>]*>.*?</svg>", html, re.S).group(0)
    assert 'role="img"' in svg and "Searches per day over the last 7 days, at most 5 a day" in svg
    bars = re.findall(r'<rect class="bar"[^>]*height="([\d.]+)"[^>]*><title>([\d-]+): (\d+)</title>', svg)
    assert len(bars) == 8  # seven days back and today
    assert [int(n) for _, _, n in bars] == [0] * 7 + [5]
    assert float(bars[-1][0]) > 0 and all(float(h) == 0 for h, _, _ in bars[:-1])
    assert "<script" not in html.split("</header>")[1].split("<footer")[0]
    assert not re.search(r'(?:src|href)="https?://', html)  # nothing from another host


def test_the_dashboard_shows_click_through_and_results_never_opened(admin_site):
    data_dir, url = admin_site
    with signed_in(url, "paivi.paakayttaja") as client:
        html = client.get("/admin").text
        english = client.get("/en/admin").text
        per_query = list(csv.reader(io.StringIO(client.get("/admin/clicks.csv").text)))
        never = list(csv.reader(io.StringIO(client.get("/admin/never-opened.csv").text)))
    report = json.loads(CliRunner().invoke(cli.main, ["--data-dir", str(data_dir), "report", "--format", "json"]).stdout)
    clicks = report["clicks"]
    # Searches with results: kotihoito twice, neuvola (a result opened) and the any-word one; zzqxqzwy found nothing.
    assert (clicks["searches"], clicks["clicked"]) == (4, 1)
    expected = [("kotihoito", 2, 0, 0.0), ("kotihoito zzqxqzwy", 1, 0, 0.0), ("neuvola", 1, 1, 1.0)]
    assert [(r["query"], r["searches"], r["clicked"], r["click_through"]) for r in clicks["per_query"]] == expected
    assert "Hauista, joihin löytyi tuloksia, jokin tulos avattiin 1/4 haussa." in html
    assert "Of the searches with results, a result was opened in 1 of 4." in english
    assert '<h2 id="clicks-heading">Click-through per search</h2>' in english
    assert '<h2 id="never-opened-heading">Searches whose results were never opened</h2>' in english
    assert table_rows(html, "clicks-heading") == [
        ("kotihoito", "2", "0", "0\xa0%"), ("kotihoito zzqxqzwy", "1", "0", "0\xa0%"), ("neuvola", "1", "1", "100\xa0%"),
    ]
    assert table_rows(english, "clicks-heading")[2] == ("neuvola", "1", "1", "100%")
    assert table_rows(html, "never-opened-heading") == [("kotihoito", "2"), ("kotihoito zzqxqzwy", "1")]
    assert [(r["query"], r["searches"]) for r in clicks["never_opened"]] == [("kotihoito", 2), ("kotihoito zzqxqzwy", 1)]
    assert per_query == [["query", "searches", "opened", "click_through"], ["kotihoito", "2", "0", "0.0"],
                         ["kotihoito zzqxqzwy", "1", "0", "0.0"], ["neuvola", "1", "1", "1.0"]]
    assert never == [["query", "searches"], ["kotihoito", "2"], ["kotihoito zzqxqzwy", "1"]]


@pytest.mark.parametrize("table, header", [
    ("top", ["query", "searches"]), ("zero", ["query", "searches"]), ("fallback", ["query", "searches"]),
    ("per-day", ["day", "searches"]), ("sources", ["source", "documents", "last_crawl", "skipped"]),
    ("clicks", ["query", "searches", "opened", "click_through"]), ("never-opened", ["query", "searches"]),
])
def test_each_table_downloads_as_csv(admin_site, table, header):
    _, url = admin_site
    with signed_in(url, "paivi.paakayttaja") as client:
        html = client.get("/admin").text
        assert f'href="/admin/{table}.csv?days=30"' in html
        answer = client.get(f"/admin/{table}.csv", params={"days": "30"})
    assert answer.status_code == 200 and answer.headers["content-type"] == "text/csv; charset=utf-8"
    assert answer.headers["content-disposition"] == f'attachment; filename="sotehaku-{table}-30d.csv"'
    rows = list(csv.reader(io.StringIO(answer.text)))
    assert rows[0] == header and len(rows) > 1
    if table == "top":
        assert rows[1] == ["kotihoito", "2"]


def test_an_unknown_table_is_404(admin_site):
    _, url = admin_site
    with signed_in(url, "paivi.paakayttaja") as client:
        answer = client.get("/admin/secrets.csv")
    assert answer.status_code == 404 and "the tables are per-day, top, zero, fallback, clicks, never-opened, sources" in answer.text


# Best bets on the dashboard


@pytest.fixture(scope="module")
def bestbets_site(indexed_data_dir, tmp_path_factory):
    """A copy of the indexed data directory with an admin and a staff member, served with a best bets file
    of its own (not there yet); the URL and the file."""
    from conftest import ServerThread

    root = tmp_path_factory.mktemp("bestbets")
    data_dir = root / "data"
    shutil.copytree(indexed_data_dir, data_dir, ignore=shutil.ignore_patterns("querylog.sqlite3*", "accounts.sqlite3*"))
    with open_accounts(data_dir) as accounts:
        accounts.add_user("paivi.paakayttaja", PASSWORD, admin=True)
        accounts.add_user("ville.virkailija", PASSWORD)
    path = root / "bestbets.toml"
    with ServerThread(create_app(data_dir, bestbets=path)) as url:
        yield url, path


def form_token(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def first_hit(url: str, query: str, prefix: str = "/") -> str:
    """The first result of a search on the page (anonymous), as HTML."""
    return httpx.get(f"{url}{prefix}", params={"q": query}).text.split('<li class="hit')[1].split("</li>")[0]


def test_an_admin_pins_a_document_for_inflected_searches_and_removes_it(bestbets_site):
    url, path = bestbets_site
    hits = httpx.get(f"{url}/api/search", params={"q": "rokotukset", "size": 10}).json()["hits"]
    assert len(hits) >= 3
    pinned, other = hits[-1], hits[-2]
    assert pinned["id"] not in first_hit(url, "rokotuksen")
    with signed_in(url, "paivi.paakayttaja") as client:
        page = client.get("/admin").text
        assert '<h2 id="bestbets-heading">Suositellut tulokset</h2>' in page and str(path) in page
        assert '<label for="bestbet-query">Hakusanat</label>' in page
        answer = client.post("/admin/bestbets/add", data={"csrf_token": form_token(page), "query": " Rokotus ", "document": pinned["id"]})
        assert answer.status_code == 303 and answer.headers["location"] == "/admin?done=added#bestbets-heading"
        assert BestBets.from_toml(path.read_text(encoding="utf-8")).bets == (BestBet("Rokotus", (pinned["id"],)),)
        # The running server serves the new pin on the next search, for an inflected form of the words.
        first = first_hit(url, "rokotuksen")
        assert first.startswith(' recommended">') and '<span class="badge recommended">Suositeltu</span>' in first
        assert pinned["id"] in first.replace("&amp;", "&").replace("%3A", ":").replace("%2F", "/")
        body = httpx.get(f"{url}/api/search", params={"q": "rokotuksia"}).json()
        assert (body["hits"][0]["id"], body["hits"][0]["recommended"]) == (pinned["id"], True)
        shown = client.get("/admin?done=added").text
        assert "Suositus lisätty." in shown
        assert table_rows(shown, "bestbets-heading") == [
            ("Rokotus", f"{pinned['title']} {pinned['id']}", f"Poista : Rokotus – {pinned['title']}"),
        ]
        # A second document, given as a link to its details page, joins the same bet (any inflected form).
        link = f"{url}/en/document?id={quote(other['id'], safe='')}"
        answer = client.post("/sv/admin/bestbets/add", data={"csrf_token": form_token(shown), "query": "rokotuksesta", "document": link})
        assert answer.status_code == 303 and answer.headers["location"] == "/sv/admin?done=added#bestbets-heading"
        assert BestBets.from_toml(path.read_text(encoding="utf-8")).bets == (BestBet("Rokotus", (pinned["id"], other["id"])),)
        body = httpx.get(f"{url}/api/search", params={"q": "rokotus"}).json()
        assert [(h["id"], h["recommended"]) for h in body["hits"][:2]] == [(pinned["id"], True), (other["id"], True)]
        for doc in (pinned, other):
            answer = client.post("/en/admin/bestbets/remove", data={"csrf_token": form_token(shown), "query": "Rokotus", "document": doc["id"]})
            assert answer.status_code == 303 and answer.headers["location"] == "/en/admin?done=removed#bestbets-heading"
        assert "Best bet removed." in client.get("/en/admin?done=removed").text
    assert BestBets.from_toml(path.read_text(encoding="utf-8")).bets == ()
    assert 'recommended' not in first_hit(url, "rokotuksen")
    assert not any(h["recommended"] for h in httpx.get(f"{url}/api/search", params={"q": "rokotus"}).json()["hits"])


@pytest.mark.parametrize("prefix, fields, message", [
    ("/", {"query": "rokotus", "document": "https://www.example.fi/ei-ole.html"},
     "Hakemistossa ei ole dokumenttia, jonka tunniste on https://www.example.fi/ei-ole.html."),
    ("/en/", {"query": "rokotus", "document": "<script>alert(1)</script>"},
     "The index has no document with the id &lt;script&gt;alert(1)&lt;/script&gt;."),
    ("/sv/", {"query": "ja ?", "document": "x"}, "Skriv sökorden som dokumentet ska fästas för"),
    ("/", {"query": "rokotus", "document": "  "}, "Anna kiinnitettävän dokumentin tunniste tai osoite."),
])
def test_a_bad_best_bet_gets_a_clear_message_and_changes_nothing(bestbets_site, prefix, fields, message):
    url, path = bestbets_site
    before = path.read_text(encoding="utf-8") if path.exists() else None
    with signed_in(url, "paivi.paakayttaja") as client:
        token = form_token(client.get(f"{prefix}admin").text)
        answer = client.post(f"{prefix}admin/bestbets/add", data={"csrf_token": token, **fields})
    assert answer.status_code == 400 and message in answer.text
    assert 'role="alert"' in answer.text and 'aria-describedby="bestbet-query-hint bestbet-error"' in answer.text
    if fields["document"].strip():
        assert 'value="' + fields["document"].replace("<", "&lt;").replace(">", "&gt;") + '"' in answer.text  # kept to fix
    assert (path.read_text(encoding="utf-8") if path.exists() else None) == before


def test_a_bet_is_full_at_five_documents(bestbets_site):
    url, path = bestbets_site
    hits = httpx.get(f"{url}/api/search", params={"q": "palveluseteli", "size": 6}).json()["hits"]
    path.write_text(BestBets((BestBet("palveluseteli", tuple(h["id"] for h in hits[:5])),)).to_toml(), encoding="utf-8")
    try:
        with signed_in(url, "paivi.paakayttaja") as client:
            token = form_token(client.get("/admin").text)
            answer = client.post("/admin/bestbets/add", data={"csrf_token": token, "query": "palvelusetelit", "document": hits[5]["id"]})
        assert answer.status_code == 400 and "Haulle ”palveluseteli” on jo kiinnitetty 5 dokumenttia" in answer.text
        assert len(BestBets.from_toml(path.read_text(encoding="utf-8")).bets[0].documents) == 5
    finally:
        path.unlink()


def test_a_malformed_file_is_shown_and_left_alone(bestbets_site):
    url, path = bestbets_site
    doc = httpx.get(f"{url}/api/search", params={"q": "rokotus"}).json()["hits"][0]["id"]
    path.write_text("[[bestbet]]\nquery = \"rokotus\"\ndocuments = [\n", encoding="utf-8")
    try:
        with signed_in(url, "paivi.paakayttaja") as client:
            page = client.get("/en/admin")
            assert page.status_code == 200 and "The best bets file could not be read or saved" in page.text
            assert "is not valid TOML" in page.text and 'id="bestbet-query"' not in page.text
            answer = client.post("/en/admin/bestbets/add", data={"csrf_token": form_token(page.text), "query": "rokotus", "document": doc})
        assert answer.status_code == 409 and "is not valid TOML" in answer.text
        assert path.read_text(encoding="utf-8") == "[[bestbet]]\nquery = \"rokotus\"\ndocuments = [\n"
    finally:
        path.unlink()


def test_only_admins_may_edit_best_bets(bestbets_site):
    url, path = bestbets_site
    doc = httpx.get(f"{url}/api/search", params={"q": "rokotus"}).json()["hits"][0]["id"]
    with signed_in(url, "ville.virkailija") as client:
        client.get("/")  # a staff page: the browser gets its CSRF cookie
        token = client.cookies["sotehaku_csrf"]
        for action in ("add", "remove"):
            answer = client.post(f"/admin/bestbets/{action}", data={"csrf_token": token, "query": "rokotus", "document": doc})
            assert answer.status_code == 403 and "Ylläpidon näkymä on vain ylläpitäjille" in answer.text
    anonymous = httpx.post(f"{url}/admin/bestbets/add", data={"query": "rokotus", "document": doc})
    assert anonymous.status_code == 303 and anonymous.headers["location"] == "/login?next=/admin"
    assert not path.exists()


def test_best_bet_forms_without_the_csrf_token_are_refused(bestbets_site):
    url, path = bestbets_site
    doc = httpx.get(f"{url}/api/search", params={"q": "rokotus"}).json()["hits"][0]["id"]
    with signed_in(url, "paivi.paakayttaja") as client:
        token = form_token(client.get("/admin").text)
        fields = {"query": "rokotus", "document": doc}
        for data, headers in [
            (fields, {}),  # no token
            ({**fields, "csrf_token": "x" * 43}, {}),  # not the cookie's
            ({**fields, "csrf_token": token}, {"Origin": "https://evil.example"}),  # another site's form
        ]:
            answer = client.post("/admin/bestbets/add", data=data, headers=headers)
            assert answer.status_code == 403 and "Lomakkeen tarkistus epäonnistui" in answer.text
        assert client.post("/admin/bestbets/add", data={**fields, "csrf_token": token},
                           headers={"Origin": url}).status_code == 303  # the same form from this site works
        assert client.post("/admin/bestbets/remove", data={**fields, "csrf_token": token}).status_code == 303
    assert BestBets.from_toml(path.read_text(encoding="utf-8")).bets == ()


def test_best_bets_in_the_browser_by_their_labels_without_wcag_violations(chromium, bestbets_site):
    """An admin in headless Chromium adds a pin through the labelled form (the browser carries the CSRF
    cookie and field), sees it listed, gets a refusal tied to the form, removes the pin by its button; axe
    finds no violations on the way."""
    from axe import axe_violations
    from playwright.sync_api import expect

    url, path = bestbets_site
    doc = httpx.get(f"{url}/api/search", params={"q": "neuvola"}).json()["hits"][1]
    context = chromium.new_context(bypass_csp=True, locale="fi-FI")  # axe is injected as an inline script
    page = context.new_page()
    page.set_default_timeout(5000)
    try:
        page.goto(f"{url}/admin")
        page.get_by_label("Käyttäjätunnus").fill("paivi.paakayttaja")
        page.get_by_label("Salasana").fill(PASSWORD)
        page.get_by_role("button", name="Kirjaudu").click()
        page.wait_for_url(re.compile(r"/admin$"))
        page.get_by_label("Hakusanat").fill("neuvolan")
        page.get_by_label("Dokumentin tunniste tai osoite").fill(doc["id"])
        page.get_by_role("button", name="Lisää suositus").click()
        expect(page.get_by_role("status")).to_contain_text("Suositus lisätty.")
        expect(page.locator(".bestbets-table tbody th")).to_have_text("neuvolan")
        assert BestBets.from_toml(path.read_text(encoding="utf-8")).bets == (BestBet("neuvolan", (doc["id"],)),)
        assert axe_violations(page) == []
        page.get_by_label("Hakusanat").fill("neuvola")
        page.get_by_label("Dokumentin tunniste tai osoite").fill("https://www.example.fi/ei-ole.html")
        page.get_by_role("button", name="Lisää suositus").click()
        expect(page.locator("#bestbet-error")).to_contain_text("Hakemistossa ei ole dokumenttia")
        assert axe_violations(page) == []
        page.get_by_role("button", name=re.compile("^Poista")).click()
        expect(page.get_by_role("status")).to_contain_text("Suositus poistettu.")
        assert BestBets.from_toml(path.read_text(encoding="utf-8")).bets == ()
    finally:
        context.close()
