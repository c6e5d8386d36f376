"""WCAG 2.1 AA of the pages in headless Chromium: axe-core finds no violations on each kind of page (and
after the suggestions have opened), the page reflows at 320 px, focus is visible and never trapped."""

import httpx
import pytest
from playwright.sync_api import expect

from axe import axe_violations

TIMEOUT_MS = 5000


@pytest.fixture()
def page(chromium):
    # The pages' Content-Security-Policy allows no inline script; axe is injected as one.
    context = chromium.new_context(bypass_csp=True, locale="fi-FI")
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    yield page
    context.close()


@pytest.mark.parametrize("path", [
    "/",                                   # the empty search page
    "/?q=sote",                            # results with facets and pagination
    "/?q=sote&type=pdf&year=2022",         # active filters
    "/?q=palvelusetli",                    # a corrected search
    "/?q=zzqxqzwy",                        # no results, with tips
    "/?q=ja+on",                           # a query error tied to the field
    "/sv/?q=v%C3%A4lf%C3%A4rdsomr%C3%A5det",
    "/en/?q=palveluseteli&page=2",
    "/login",
    "/sv/embed",
    "/en/nothing-here",                    # the 404 page
])
def test_pages_have_no_wcag_violations(page, web_url, path):
    page.goto(f"{web_url}{path}")
    assert axe_violations(page) == []


def test_login_error_has_no_wcag_violations(page, staff, staff_web_url):
    page.goto(f"{staff_web_url}/login")
    page.get_by_label("Käyttäjätunnus").fill(staff.name)
    page.get_by_label("Salasana").fill("wrong-password-123")
    page.get_by_role("button", name="Kirjaudu").click()
    expect(page.locator("#login-error")).to_contain_text("Käyttäjätunnus tai salasana on väärin.")
    assert page.get_by_label("Salasana").get_attribute("aria-invalid") == "true"
    assert axe_violations(page) == []


def test_signed_in_results_have_no_wcag_violations(page, staff, staff_web_url):
    page.goto(f"{staff_web_url}/login?next=/%3Fq%3Dty%C3%B6ryhm%C3%A4")
    page.get_by_label("Käyttäjätunnus").fill(staff.name)
    page.get_by_label("Salasana").fill(staff.password)
    page.get_by_role("button", name="Kirjaudu").click()
    expect(page.locator(".badge.internal").first).to_be_visible()
    assert axe_violations(page) == []


def test_open_suggestions_and_replaced_results_have_no_wcag_violations(page, web_url):
    page.goto(f"{web_url}/")
    box = page.get_by_role("combobox", name="Hakusanat")
    box.press_sequentially("palvelus", delay=30)
    expect(page.get_by_role("listbox").get_by_role("option").first).to_be_visible()
    box.press("ArrowDown")
    assert axe_violations(page) == []
    box.press("Enter")
    expect(page.locator("ol.hits li").first).to_be_visible()
    assert axe_violations(page) == []


def test_page_reflows_at_320_pixels(page, web_url):
    page.set_viewport_size({"width": 320, "height": 640})
    for path in ("/?q=sote", "/sv/embed", "/login"):
        page.goto(f"{web_url}{path}")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 320, (path, width)


def test_focus_is_visible_and_tab_goes_through_the_page_and_out(page, web_url):
    page.goto(f"{web_url}/?q=sote")
    seen = []
    for _ in range(80):
        page.keyboard.press("Tab")
        element = page.evaluate(
            "() => { const e = document.activeElement; const s = getComputedStyle(e);"
            " return [e.tagName, e.id || e.textContent.trim().slice(0, 30), s.outlineStyle, s.outlineWidth]; }"
        )
        seen.append(element)
        if element[0] == "BODY":  # Tab left the page's last link: nothing traps the focus
            break
    assert seen[-1][0] == "BODY", seen[-5:]
    assert ["INPUT", "q"] in [s[:2] for s in seen]
    assert any(s[1] == "Seuraava ›" for s in seen) and any(s[1].startswith("PDF") for s in seen)
    for tag, name, style, width in seen[:-1]:
        assert style != "none" and width != "0px", (tag, name)


def test_reduced_motion_turns_transitions_off(page, web_url):
    page.emulate_media(reduced_motion="reduce")
    page.goto(f"{web_url}/?q=sote")
    duration = page.evaluate("getComputedStyle(document.getElementById('results'), null).transitionDuration")
    assert duration == "0s"
    page.emulate_media(reduced_motion="no-preference")
    page.evaluate("document.getElementById('results').setAttribute('aria-busy', 'true')")
    assert page.evaluate("getComputedStyle(document.getElementById('results')).transitionDuration") != "0s"


def test_every_page_has_one_h1_lang_and_landmarks(web_url):
    for path in ("/", "/?q=sote", "/sv/login", "/en/embed"):
        html = httpx.get(f"{web_url}{path}").text
        assert html.count("<h1") == 1, path
        assert "<main " in html and "<header " in html and "<footer " in html and "<nav " in html, path
        assert '<a class="skip-link" href="#' in html, path
