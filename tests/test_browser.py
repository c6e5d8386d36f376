"""The search page in headless Chromium (Debian's), driven by Playwright: type, see suggestions, submit,
see highlights; results replaced without reloading, Back and Forward; the same without JavaScript; staff sign-in."""

import re

import pytest
from playwright.sync_api import expect

TIMEOUT_MS = 5000


@pytest.fixture(scope="module")
def browser(chromium):
    return chromium


@pytest.fixture()
def page(browser):
    page = browser.new_page(locale="fi-FI")
    page.set_default_timeout(TIMEOUT_MS)
    yield page
    page.close()


def test_type_query_and_see_highlighted_results(page, web_url):
    page.goto(f"{web_url}/")
    assert page.get_attribute("html", "lang") == "fi"
    page.get_by_label("Hakusanat").fill("työryhmä")
    page.get_by_role("button", name="Hae").click()
    page.wait_for_selector("ol.hits li")
    marks = {m.lower() for m in page.locator("ol.hits mark").all_inner_texts()}
    assert {"työryhmä", "työryhmän"} & marks, marks
    assert any(m.startswith("työryhm") and m != "työryhmä" for m in marks), marks
    # Hits open through /go (which counts the click) with the document's id.
    first_links = page.locator("ol.hits h3 a").evaluate_all(
        "els => els.slice(0, 5).map(e => new URL(e.href).searchParams.get('id'))"
    )
    assert all("/uudistus/tyoryhmat/" in href for href in first_links), first_links
    assert page.locator("input#q").input_value() == "työryhmä"


def test_opening_a_hit_goes_to_the_document(page, web_url):
    page.goto(f"{web_url}/?q=neuvola")
    target = page.locator("ol.hits h3 a").first.evaluate("e => new URL(e.href).searchParams.get('id')")
    page.locator("ol.hits h3 a").first.click()
    page.wait_for_url(target)
    assert page.url == target


def test_swedish_page_and_skip_link(page, web_url):
    page.goto(f"{web_url}/sv/?q=v%C3%A4lf%C3%A4rdsomr%C3%A5det")
    assert page.get_attribute("html", "lang") == "sv"
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused == "Gå till sökresultaten"


def test_suggestions_as_you_type_chosen_with_the_keyboard(page, web_url):
    page.goto(f"{web_url}/")
    page.evaluate("window.__marker = 1")
    box = page.get_by_role("combobox", name="Hakusanat")
    box.press_sequentially("palvelus", delay=30)
    listbox = page.get_by_role("listbox", name="Hakuehdotukset")
    expect(listbox).to_be_visible()
    options = listbox.get_by_role("option")
    expect(options.first).to_be_visible()
    # The list of an earlier keystroke ("palvelu") may still show on a loaded machine: wait for the last one's.
    expect(options.filter(has_not_text=re.compile(r"^palvelus"))).to_have_count(0)
    words = options.all_inner_texts()
    assert "palveluseteli" in words and all(w.startswith("palvelus") for w in words), words
    assert options.locator("strong").all_inner_texts() == ["palvelus"] * len(words)  # the typed part emphasised
    assert box.get_attribute("aria-expanded") == "true"
    assert box.get_attribute("aria-controls") == listbox.get_attribute("id")
    expect(page.locator("#search-status")).to_contain_text("hakuehdotus")

    box.press("ArrowDown")
    first = options.nth(0)
    assert first.get_attribute("aria-selected") == "true"
    assert box.get_attribute("aria-activedescendant") == first.get_attribute("id")
    box.press("ArrowUp")  # wraps to the last
    assert options.nth(len(words) - 1).get_attribute("aria-selected") == "true"
    box.press("ArrowDown")  # and back to the first
    box.press("Enter")
    chosen = words[0]
    expect(page.locator("#results-heading")).to_contain_text(f"haulle ”{chosen}”")
    expect(listbox).to_be_hidden()
    assert box.get_attribute("aria-expanded") == "false"
    assert box.input_value() == chosen
    assert page.locator("ol.hits mark").count() > 0
    assert page.evaluate("window.__marker") == 1  # no page load
    assert page.url.endswith("/?q=" + chosen)
    expect(page.locator("#search-status")).to_contain_text("tulos")
    assert page.evaluate("document.activeElement.id") == "q"
    assert page.title() == f"{chosen} – sotehaku"


def test_escape_closes_suggestions_and_the_mouse_picks_one(page, web_url):
    page.goto(f"{web_url}/en/")
    box = page.get_by_role("combobox", name="Search words")
    box.press_sequentially("kotih", delay=30)
    listbox = page.get_by_role("listbox", name="Search suggestions")
    expect(listbox.get_by_role("option").first).to_be_visible()
    box.press("Escape")
    expect(listbox).to_be_hidden()
    assert box.input_value() == "kotih"  # the first Escape only closes the list
    box.press("ArrowDown")
    expect(listbox).to_be_visible()
    listbox.get_by_role("option", name="kotihoito", exact=True).click()
    expect(page.locator("#results-heading")).to_contain_text("results for “kotihoito”")
    assert box.input_value() == "kotihoito"


def test_links_in_results_load_in_place_and_back_restores(page, web_url):
    page.goto(f"{web_url}/?q=sote")
    page.evaluate("window.__marker = 1")
    first_page_hits = page.locator("ol.hits h3 a").all_inner_texts()
    page.get_by_role("link", name="Seuraava tulossivu").click()
    expect(page.locator("ol.hits")).to_have_attribute("start", "11")
    assert page.url.endswith("/?q=sote&page=2")
    assert page.evaluate("document.activeElement.id") == "results-heading"
    second_page_hits = page.locator("ol.hits h3 a").all_inner_texts()
    assert second_page_hits != first_page_hits

    page.get_by_role("link", name=re.compile(r"^PDF")).click()
    expect(page.locator(".active-filters")).to_contain_text("Tiedostotyyppi: PDF")
    assert "type=pdf" in page.url

    page.go_back()
    expect(page.locator("ol.hits")).to_have_attribute("start", "11")
    assert page.locator("ol.hits h3 a").all_inner_texts() == second_page_hits
    page.go_back()
    expect(page.locator("ol.hits")).to_have_attribute("start", "1")
    assert page.locator("ol.hits h3 a").all_inner_texts() == first_page_hits
    assert page.url.endswith("/?q=sote")
    page.go_forward()
    expect(page.locator("ol.hits")).to_have_attribute("start", "11")
    assert page.evaluate("window.__marker") == 1  # every step without a page load


def test_a_new_search_from_the_results_page_replaces_them(page, web_url):
    page.goto(f"{web_url}/?q=sote")
    page.evaluate("window.__marker = 1")
    box = page.get_by_label("Hakusanat")
    box.fill("neuvola")
    box.press("Enter")
    expect(page.locator("#results-heading")).to_contain_text("”neuvola”")
    assert page.evaluate("window.__marker") == 1
    page.go_back()
    expect(page.locator("#results-heading")).to_contain_text("”sote”")
    assert box.input_value() == "sote"


def test_without_javascript_the_form_and_links_still_work(browser, web_url):
    context = browser.new_context(java_script_enabled=False, locale="fi-FI")
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(f"{web_url}/")
    box = page.get_by_label("Hakusanat")
    assert box.get_attribute("role") is None  # a plain search field, no combobox without its script
    box.fill("palvelusetli")
    box.press("Enter")
    page.wait_for_url(re.compile(r"\?q=palvelusetli$"))
    assert "Näytetään tulokset haulle" in page.locator("#results").inner_text()
    assert page.locator("ol.hits mark").count() > 0
    page.get_by_role("link", name=re.compile(r"^2022")).click()
    page.wait_for_url(re.compile(r"year=2022"))
    assert "Vuosi: 2022" in page.locator(".active-filters").inner_text()
    context.close()


def test_staff_sign_in_shows_internal_documents_with_a_badge(browser, staff, staff_web_url):
    context = browser.new_context(locale="fi-FI")
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(f"{staff_web_url}/?q=kaarnalaiva")
    assert "ei löytynyt tuloksia" in page.locator("#results-heading").inner_text()
    page.get_by_role("link", name="Henkilöstön kirjautuminen").click()
    page.get_by_label("Käyttäjätunnus").fill(staff.name)
    page.get_by_label("Salasana").fill(staff.password)
    page.get_by_role("button", name="Kirjaudu").click()
    page.wait_for_url(re.compile(r"/\?q=kaarnalaiva$"))
    expect(page.locator("ol.hits .badge.internal").first).to_have_text("Sisäinen")
    expect(page.locator(".signed-in")).to_have_text(f"Kirjautuneena: {staff.name}")
    cookies = {c["name"]: c for c in context.cookies()}
    assert cookies["sotehaku_session"]["httpOnly"] and cookies["sotehaku_session"]["sameSite"] == "Lax"
    assert page.evaluate("document.cookie") == ""  # nothing readable by scripts

    page.get_by_role("button", name="Kirjaudu ulos").click()
    page.wait_for_url(re.compile(r"/$"))
    page.goto(f"{staff_web_url}/?q=kaarnalaiva")
    assert page.locator(".badge.internal").count() == 0
    context.close()


def test_embed_preview_gets_suggestions(page, web_url):
    page.goto(f"{web_url}/embed")
    box = page.get_by_role("combobox", name="Hae sote-uudistuksen sivuilta")
    box.press_sequentially("kotih", delay=30)
    expect(page.get_by_role("listbox").get_by_role("option").first).to_be_visible()
    box.press("ArrowDown")
    box.press("Enter")
    page.wait_for_url(re.compile(r"/\?q=kotiho"))
    assert page.locator("ol.hits li").count() > 0
