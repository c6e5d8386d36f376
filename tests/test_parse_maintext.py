"""The main text merges sotehaku's lines with trafilatura's extraction of the same tree (corpus/maintext.py):
lines trafilatura drops go unless they are content by kind, lines only it finds come in place, and a page
trafilatura finds nothing on keeps sotehaku's own lines."""

from corpus import maintext
from corpus.parse import parse_html

URL = "https://www.example.fi/sivu"
STORY = (
    "Hyvinvointialue avaa keväällä uuden perhekeskuksen Vuosaareen, jossa neuvola, perheneuvola ja "
    "lapsiperheiden kotipalvelu toimivat saman katon alla. "
)


def page(body: str) -> bytes:
    return f"<html lang='fi'><head><title>Uutinen</title></head><body>{body}</body></html>".encode()


def test_a_teaser_box_inside_the_article_goes_and_the_story_stays():
    body = (
        "<main><article><h1>Perhekeskus avautuu</h1>"
        + "".join(f"<p>{STORY}Kappale {i} kertoo lisää aukioloajoista ja palveluista.</p>" for i in range(6))
        + "<div class='box'><h2>Muita uutisia</h2><p><a href='/a'>Kirjasto uudistuu</a></p>"
        + "<p><a href='/b'>Uimahalli suljetaan remontin ajaksi</a></p></div></article></main>"
    )
    doc = parse_html(page(body), URL).document
    assert "Kappale 0 kertoo" in doc.text and "Kappale 5 kertoo" in doc.text
    assert "Kirjasto uudistuu" not in doc.text and "Uimahalli suljetaan" not in doc.text


def test_content_by_kind_stays_where_trafilatura_drops_it():
    body = (
        "<main><article><div class='meta'><span>Pöytäkirja 19/2023 § 312</span></div><h1>Päätös</h1>"
        "<p class='lead'>Lyhyt ingressi.</p>"
        + "".join(f"<p>{STORY}Kappale {i}.</p>" for i in range(5))
        + "<table><tr><th>Luokka</th><th>Palkkio</th></tr><tr><td>II</td><td>941,67 €</td></tr></table>"
        "<h3>Mitä maksaa?</h3><div aria-hidden='true'><p>Käynti maksaa 20,90 euroa.</p></div>"
        "</article></main>"
    )
    text = parse_html(page(body), URL).document.text
    phrases = ("Pöytäkirja 19/2023 § 312", "Lyhyt ingressi.", "Luokka Palkkio", "II 941,67 €", "Mitä maksaa?\nKäynti")
    for phrase in phrases:
        assert phrase in text, phrase


def test_a_page_trafilatura_finds_nothing_on_keeps_its_own_text(monkeypatch):
    import trafilatura.core

    content = page("<main><h1>Otsikko</h1><p>Lyhyt teksti.</p><ul><li><a href='/a'>Linkki</a></li></ul></main>")
    assert "Lyhyt teksti." in parse_html(content, URL).document.text
    for outcome in (None, ValueError("no text")):  # trafilatura's two ways of finding nothing
        def bare_extraction(*args, outcome=outcome, **kwargs):
            if isinstance(outcome, Exception):
                raise outcome
            return outcome

        monkeypatch.setattr(trafilatura.core, "bare_extraction", bare_extraction)
        assert parse_html(content, URL).document.text == "Lyhyt teksti.\nLinkki"


def test_merge_puts_lines_only_trafilatura_found_in_place():
    lines = [("Alku.", False), ("Jaa Facebookissa", False), ("Keskiosa.", False), ("Taulukko 1 2", True)]
    merged = maintext.merge(lines, "Alku.\nVälihuomautus.\nKeskiosa.\n| Taulukko | 1 |\n- Luettelo\nLoppu.")
    assert merged == "Alku.\nVälihuomautus.\nKeskiosa.\nTaulukko 1 2\nLuettelo\nLoppu."


def test_merge_without_trafilatura_is_sotehakus_text():
    assert maintext.merge([("Yksi.", False), ("Kaksi.", True)], None) == "Yksi.\nKaksi."
