"""The search page in headless Chromium (Debian's), driven by Playwright: type, submit, see highlights."""

import shutil

import pytest
from playwright.sync_api import sync_playwright

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# The machine's network is closed: without these flags Chromium keeps trying to reach Google's hosts.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def test_type_query_and_see_highlighted_results(browser, web_url):
    page = browser.new_page(locale="fi-FI")
    page.goto(f"{web_url}/")
    assert page.get_attribute("html", "lang") == "fi"
    page.get_by_label("Hakusanat").fill("työryhmä")
    page.get_by_role("button", name="Hae").click()
    page.wait_for_selector("ol.hits li")
    marks = {m.lower() for m in page.locator("ol.hits mark").all_inner_texts()}
    assert {"työryhmä", "työryhmän"} & marks, marks
    assert any(m.startswith("työryhm") and m != "työryhmä" for m in marks), marks
    first_links = page.locator("ol.hits h3 a").evaluate_all("els => els.slice(0, 5).map(e => e.href)")
    assert all("/uudistus/tyoryhmat/" in href for href in first_links), first_links
    assert page.locator("input#q").input_value() == "työryhmä"
    page.close()


def test_swedish_page_and_skip_link(browser, web_url):
    page = browser.new_page()
    page.goto(f"{web_url}/sv/?q=v%C3%A4lf%C3%A4rdsomr%C3%A5det")
    assert page.get_attribute("html", "lang") == "sv"
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused == "Gå till sökresultaten"
    page.close()
