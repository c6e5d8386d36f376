"""The staff dashboard (/admin) over real HTTP: who may open it, what it shows (the same numbers as
`sotehaku report`), its server-rendered chart and its CSV downloads."""

import csv
import io
import json
import re
import shutil
from contextlib import contextmanager

import httpx
import pytest
from click.testing import CliRunner

import app.cli as cli
from app.accounts import open_accounts
from app.web.app import create_app

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
    return [tuple(re.sub(r"<[^>]+>", "", c) for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row))
            for row in re.findall(r"<tr>(.*?)</tr>", section.split("<tbody>")[1])]


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
