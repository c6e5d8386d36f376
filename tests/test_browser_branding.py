"""The branded page in headless Chromium, with assertions: on a 375 px phone no sideways scrolling and the
"Rajaa hakua" button above the first result; the configured name, logo and colours; breadcrumb addresses;
axe-core finding no WCAG 2.1 A/AA violation on any page, the staff dashboard included. Screenshots of each
are kept in test-artifacts/browser/ (outside git) for people to look at."""

import re
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect

from app.accounts import open_accounts
from app.web.app import create_app
from app.web.settings import DEMO_CONFIG, WebSettings, read_web_config
from axe import axe_violations

TIMEOUT_MS = 10000
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts" / "browser"
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}
ADMIN, PASSWORD = "paivi.paakayttaja", "hallinto-salasana-2024"


@pytest.fixture(scope="module")
def site(indexed_data_dir, tmp_path_factory, request):
    """The sample site's index with the demo's branding and an admin account; its base URL. Says at the
    end where the screenshots are."""
    from conftest import ServerThread

    data_dir = tmp_path_factory.mktemp("branded") / "data"
    shutil.copytree(indexed_data_dir, data_dir, ignore=shutil.ignore_patterns("querylog.sqlite3*", "accounts.sqlite3*"))
    with open_accounts(data_dir) as accounts:
        accounts.add_user(ADMIN, PASSWORD, admin=True)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with ServerThread(create_app(WebSettings(data_dir, **read_web_config(DEMO_CONFIG)))) as url:
        yield url
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line(f"\nscreenshots of the branded page: {ARTIFACTS}")


def new_page(chromium, viewport):
    # axe is injected as an inline script, which the pages' Content-Security-Policy would refuse.
    context = chromium.new_context(bypass_csp=True, locale="fi-FI", viewport=viewport)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    return context, page


@pytest.fixture()
def phone(chromium):
    context, page = new_page(chromium, PHONE)
    yield page
    context.close()


@pytest.fixture()
def desktop(chromium):
    context, page = new_page(chromium, DESKTOP)
    yield page
    context.close()


def screenshot(page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def no_sideways_scroll(page) -> None:
    widths = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert widths[0] <= widths[1], f"the page scrolls sideways: {widths[0]} px content in {widths[1]} px"


def test_on_a_phone_the_filter_button_is_above_the_results_and_nothing_scrolls_sideways(phone, site):
    phone.goto(f"{site}/?q=sote")
    toggle = phone.get_by_role("button", name="Rajaa hakua")
    first_hit = phone.locator("ol.hits li").first
    expect(toggle).to_be_visible()
    assert toggle.get_attribute("aria-expanded") == "false"
    assert toggle.bounding_box()["y"] + toggle.bounding_box()["height"] <= first_hit.bounding_box()["y"]
    assert first_hit.bounding_box()["y"] < PHONE["height"]  # the first result is on the first screen
    expect(phone.locator("#facet-year")).to_be_hidden()
    no_sideways_scroll(phone)
    screenshot(phone, "phone-results")

    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "true"
    expect(phone.locator("#facet-year")).to_be_visible()
    no_sideways_scroll(phone)
    screenshot(phone, "phone-filters-open")
    # Choosing a year loads the narrowed results in place; the other years stay to choose from.
    phone.locator("#facet-groups a", has_text=re.compile(r"^20\d\d")).first.click()
    expect(phone.locator(".active-filters")).to_contain_text("Vuosi:")
    phone.get_by_role("button", name="Rajaa hakua").click()
    years = phone.locator("ul[aria-labelledby=facet-year] a")
    assert years.count() >= 2
    no_sideways_scroll(phone)


def test_the_configured_name_logo_and_colours_are_on_the_page(desktop, site):
    desktop.goto(f"{site}/")
    name = desktop.locator(".site-name a")
    expect(name).to_have_text("Esimerkkialueen haku")
    logo = desktop.locator(".site-name img.logo")
    assert logo.evaluate("img => img.complete && img.naturalWidth > 0")
    header = desktop.locator(".site-header").evaluate("el => getComputedStyle(el).backgroundColor")
    assert header == "rgb(61, 43, 107)"  # [site.colors] accent = "#3d2b6b"
    link = desktop.locator(".examples a").first.evaluate("el => getComputedStyle(el).color")
    assert link == "rgb(61, 43, 107)"
    assert desktop.evaluate("getComputedStyle(document.documentElement).getPropertyValue('--link').trim()") == "#4a3a8c"
    expect(desktop.locator(".site-footer")).to_contain_text("Saavutettavuusseloste")
    expect(desktop.locator(".front")).to_contain_text("Mitä haku kattaa")
    screenshot(desktop, "desktop-front")
    desktop.get_by_role("link", name="kotihoito", exact=True).click()
    desktop.wait_for_url(re.compile(r"\?q=kotihoito$"))
    expect(desktop.locator("#results-heading")).to_contain_text("kotihoito")


def test_addresses_are_breadcrumbs(desktop, site):
    desktop.goto(f"{site}/?q=ty%C3%B6ryhm%C3%A4")
    addresses = desktop.locator("ol.hits .url").all_inner_texts()
    assert addresses and not any("index.html" in a or "://" in a for a in addresses), addresses
    assert any(re.fullmatch(r"127\.0\.0\.1 › uudistus › tyoryhmat( › [\w-]+)?", a) for a in addresses), addresses
    # On a wide screen the facets sit beside the results, with no button.
    expect(desktop.locator(".filter-toggle")).to_be_hidden()
    facets, hits = desktop.locator(".facets").bounding_box(), desktop.locator("ol.hits").bounding_box()
    assert facets["x"] > hits["x"] + hits["width"] - 1
    screenshot(desktop, "desktop-results")


def sign_in(page, site) -> None:
    page.goto(f"{site}/admin")
    page.get_by_label("Käyttäjätunnus").fill(ADMIN)
    page.get_by_label("Salasana").fill(PASSWORD)
    page.get_by_role("button", name="Kirjaudu").click()
    page.wait_for_url(re.compile(r"/admin$"))


PAGES = [
    ("front", "/"),
    ("results", "/?q=sote"),
    ("narrowed", "/?q=sote&year=2022&type=pdf"),
    ("no-results", "/?q=zzqxqzwy"),
    ("swedish", "/sv/?q=v%C3%A4lf%C3%A4rdsomr%C3%A5det"),
    ("english-front", "/en/"),
    ("login", "/login"),
    ("embed", "/embed"),
    ("not-found", "/en/nothing-here"),
    ("api-docs", "/api-docs"),
]


# Every page on the phone; on the desktop (the other layout) the pages whose layout differs.
@pytest.mark.parametrize("viewport_name, viewport, pages", [
    ("phone", PHONE, PAGES), ("desktop", DESKTOP, [p for p in PAGES if p[0] in ("front", "narrowed", "api-docs")]),
])
def test_no_wcag_violations_on_any_page(chromium, site, viewport_name, viewport, pages):
    context, page = new_page(chromium, viewport)
    try:
        found = {}
        for name, path in pages:
            page.goto(f"{site}{path}")
            if viewport_name == "phone" and page.locator(".filter-toggle").count():
                page.locator(".filter-toggle").click()  # the facets open too
            found[name] = axe_violations(page)
            no_sideways_scroll(page)
            screenshot(page, f"{viewport_name}-{name}")
        sign_in(page, site)
        found["admin"] = axe_violations(page)
        no_sideways_scroll(page)
        screenshot(page, f"{viewport_name}-admin")
        page.locator("details summary").click()  # the chart's numbers as a table
        found["admin-table"] = axe_violations(page)
        page.goto(f"{site}/sv/admin?days=7")
        found["admin-swedish"] = axe_violations(page)
        assert {name: v for name, v in found.items() if v} == {}
    finally:
        context.close()
