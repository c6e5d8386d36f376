"""Parsing pages of real-world shapes: the page's own text, title and date are kept, the site around it is dropped.

The pages in tests/fixtures/realworld/ were written for these tests; each mimics one kind of page found on
Finnish public-sector sites (news article, CMS service page, decision minutes, Word export, legacy charset, ...).
"""

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from corpus.parse import parse_document, parse_html

FIXTURES = Path(__file__).parent / "fixtures" / "realworld"
URL = "https://www.example.fi/sivu"
# What UTF-8 read as Latin-1 (or a failed decode) leaves behind: "Ã¤" for "ä", "Â " for a no-break space, U+FFFD.
MOJIBAKE = re.compile("Ã|Â|â€|\ufffd")


@dataclass(frozen=True)
class Page:
    """A fixture page and what it must parse into."""

    file: str
    title: str
    updated: dt.date | None
    lang: str
    section: str
    headings: tuple[str, ...]
    starts_with: str
    must: tuple[str, ...]
    must_not: tuple[str, ...]
    content_type: str = "text/html"


PAGES = [
    Page(
        "news-site.html",
        title="Asiakasmaksut yhtenäistyvät koko hyvinvointialueella",
        updated=dt.date(2023, 3, 15),  # "Päivitetty 15.3.2023", not the publication on 14.3. nor a comment on 16.3.
        lang="fi",
        section="",
        headings=("Maksukatto suojaa paljon palveluja käyttäviä",),
        starts_with="Päijät-Häme\nKotihoidon ja terveyskeskuksen maksut",
        must=(
            "Kotihoidon ja terveyskeskuksen maksut ovat vuodenvaihteesta lähtien samat",
            "Terveyskeskuslääkärin vastaanottokäynti maksaa jatkossa 20,90 euroa",
            "Kun asiakasmaksujen yhteismäärä ylittää vuotuisen maksukaton",
            "– Tavoitteena on, että hoitoon hakeutuminen ei jää kiinni rahasta, Mäkelä sanoo.",
            "Pienituloisimmat ovat oikeutettuja maksun alentamiseen",
        ),
        must_not=(
            "Arvostamme yksityisyyttäsi", "evästeitä", "Hyväksy kaikki", "Siirry pääsisältöön", "Näköislehti",
            "Urheilu", "Mainos", "Kevään automessut", "Tilaa Järvi-Hämeen Sanomat", "Jaa Facebookissa",
            "Kopioi linkki", "Jaa artikkeli", "Lue myös", "Pelastuslaitoksen ensivasteyksikkö",
            "Aluevaltuusto kokoontui ensimmäistä kertaa", "Kommentit", "Huolestunut eläkeläinen",
            "Taas nousevat maksut", "Kirjaudu", "Luetuimmat", "Kelirikko", "päätoimittaja", "Tietosuojaseloste",
        ),
    ),
    Page(
        "cms-heavy-nav.html",
        title="Kotihoito",
        updated=dt.date(2022, 10, 31),  # the visible update beats the meta DC.date.created of 2019
        lang="fi",
        section="Etusivu > Palvelut > Ikäihmisten palvelut > Kotihoito",
        headings=("Kenelle kotihoito on tarkoitettu?", "Kotihoidon hakeminen", "Yhteystiedot"),
        starts_with="Kotihoito tukee asiakkaan arjessa selviytymistä",
        must=(
            "Kotihoito on kotipalvelun ja kotisairaanhoidon yhdistelmä.",
            "hänen läheistensä kanssa, millaista apua hän päivittäin tarvitsee",
            "Ota yhteyttä ikäneuvontaan.",
            "puh. 03 819 2040",  # the contact box is part of a service page
        ),
        must_not=(
            "Siirry suoraan sisältöön", "På svenska", "Selkosuomi", "Viittomakielellä", "Asioi verkossa",
            "Mitä etsit", "Terveyspalvelut", "Suun terveydenhuolto", "Lastensuojelu", "Omaishoidon tuki", "Nuohous",
            "Kotisairaala", "Oliko sivusta apua?", "Kyllä", "Kiitos palautteestasi", "Ota yhteyttä\n",
            "Keskussairaalankatu", "Saavutettavuusseloste", "Päivitetty",
        ),
    ),
    Page(
        "decision-document.html",
        title="Asiakasmaksujen yhtenäistäminen 1.1.2023 alkaen",
        updated=dt.date(2022, 3, 21),  # "Julkaistu 21.03.2022" beats the meeting date
        lang="fi",
        section="",
        headings=(),
        starts_with="Pöytäkirja 5/2022\nAluehallitus § 45 14.03.2022\nKokouspäivämäärä 14.03.2022\n",
        must=(
            "Kokousaika klo 17.00–19.24",
            "Valmistelija talousjohtaja Kari Mäkelä, puh. 044 719 5310",
            "Liitteet Liite 1 Asiakasmaksutaulukko 2023",
            "Perustelut\nHyvinvointialueen jäsenkunnissa on perittyjä",
            "Esitys Aluehallitus esittää aluevaltuustolle, että asiakasmaksut yhtenäistetään",
            "Päätös\nEsitys hyväksyttiin yksimielisesti.\nPöytäkirjan tarkastivat",  # a cell of two paragraphs
            "Muutoksenhaku\nValitusosoitus Tähän päätökseen ei saa hakea muutosta valittamalla",
        ),
        must_not=("Edellinen asia", "Seuraava asia", "Palaa kokouksen asialistaan", "Julkaistu", "Päätökset |"),
    ),
    Page(
        "office-export.html",
        title="Asiakasmaksut hyvinvointialueella vuonna 2023",  # Word's Title paragraph, not <title>Muistio</title>
        updated=dt.date(2022, 11, 24),
        lang="fi",
        section="",
        headings=("Taustaa", "Keskeiset maksut"),
        starts_with="Muistio, päivitetty 24.11.2022\nTaustaa\n",  # a date inside a sentence stays
        must=(
            "Tähän asti jäsenkunnissa on peritty toisistaan poikkeavia maksuja, mikä on asettanut asukkaat",
            "Palvelu Maksu\nTerveyskeskuslääkärin vastaanotto 20,90 €\n",
            "“Maksukatto” on 692 € kalenterivuodessa.",
            "määräytyy tulojen ja palvelun määrän mukaan – ei asuinkunnan.",
            "Hänen mukaansa ”yhtenäinen hinnoittelu on reilua kaikille”.",
        ),
        must_not=(
            "DocumentProperties", "LastSaved", "Cambria Math", "mso-", "MsoNormal", "[KM1]", "Tarkistetaanko",
            "Piilotettu luonnosteksti",
        ),
    ),
    Page(
        "latin1-legacy.html",
        title="Vanhusten palveluasuminen",  # no h1: the <title> without the site's name
        updated=dt.date(2009, 5, 12),
        lang="fi",
        section="",
        headings=(),
        starts_with="Vanhusten palveluasuminen\nPalveluasuminen on tarkoitettu ikääntyneille",
        must=(
            "Palvelutalo Päivärinteessä on 24 asuntoa ja ryhmäkoti Öljymäessä 12 asuntoa.",
            "ÄKILLISET MUUTOKSET: Jos asukkaan kunto heikkenee äkillisesti",
            "Öisin palvelutalossa on yksi lähihoitaja",
            "Päätöksen tekee vanhustyön johtaja",
        ),
        must_not=(
            "Lomakkeet", "Omaishoidontuki", "Anna palautetta", "kuntien yhteinen perusturvakeskus", "Kauppatie 2",
            "Päivitetty",
        ),
    ),
    Page(
        "mislabelled-utf8.html",
        title="Sote-keskusten aukioloajat muuttuvat kesäksi",
        updated=dt.date(2023, 6, 12),
        lang="fi",
        section="",
        headings=("Kesän poikkeukset", "Päivystys ja kiireellinen hoito"),
        starts_with="Päijät-Hämeen hyvinvointialue supistaa sote-keskusten aukioloaikoja kesä–elokuussa.",
        must=(
            "Jyrängön hammashoitola on suljettuna viikot 28–31.",
            "Hoitajan mukaan ”hätätilanteessa soita aina 112”.",
            "Laboratorio: ajanvarauksella, käyntimaksu 0 €",
            "Lisätietoja antaa osastonhoitaja Åsa Öhman.",
        ),
        must_not=("Heinolan kaupunki", "Asuminen ja ympäristö", "Päätöksenteko", "Rauhankatu", "Julkaistu"),
        content_type="text/html; charset=iso-8859-1",  # the server lies: the bytes are UTF-8
    ),
    Page(
        "broken-markup.html",
        title="Aluevaalit 2022: näin äänestät",  # "<h1>…</h2>" must not swallow the lead paragraph
        updated=dt.date(2021, 12, 29),
        lang="fi",
        section="",
        headings=("Ota henkilöllisyystodistus mukaan",),
        starts_with="Ensimmäiset aluevaalit järjestetään sunnuntaina 23.1.2022.",
        must=(
            "Päijät-Hämeen aluevaltuuston 69 valtuutettua.",
            "Voit äänestää missä tahansa yleisessä ennakkoäänestyspaikassa\nVaalipäivänä äänestetään",
            "Salpakankaan koulu, Koulutie 9\nKalliolan kirjasto – esteetön sisäänkäynti",
            "Kotiäänestykseen on ilmoittauduttava viimeistään 11.1.2022",
            "mutta se nopeuttaa vaalivirkailijoiden työtä.",
            "Vaalitoimisto puh. 03 880 11",
        ),
        must_not=(
            "Mainos", "Tule mukaan", "document.write", "Hallinto ja päätöksenteko", "15870 Hollola", "Anna palautetta",
            "Päivitetty",
        ),
    ),
    Page(
        "swedish-page.html",
        title="Hemvård och stöd för boende hemma",
        updated=dt.date(2022, 4, 3),
        lang="sv",  # no lang attribute anywhere: detected from the text
        section="Framsida > Tjänster > Tjänster för äldre > Hemvård",
        headings=("Hur ansöker jag om hemvård?", "Avgifter", "Äldrerådgivningen"),
        starts_with="Hemvården är till för dig som behöver hjälp i vardagen",
        must=(
            "Hemvården består av hemservice och hemsjukvård.",
            "Behovet av service bedöms tillsammans med dig och dina anhöriga",
            "Tillfälliga hembesök kostar 12 euro per besök.",
            "tfn 03 819 2040, vardagar kl. 9–15",
        ),
        must_not=(
            "kakor", "Godkänn", "Beslutsfattande", "Kontaktuppgifter", "Suomeksi", "In English", "Brödsmulor",
            "Var sidan till hjälp", "Nej", "Sjukhusgatan", "Tillgänglighetsutlåtande", "Uppdaterad",
        ),
    ),
    Page(
        "wordpress-post.html",
        title="Digituki laajenee sote-keskuksiin",
        updated=dt.date(2023, 1, 5),  # article:modified_time beats article:published_time and the byline's <time>
        lang="fi",
        section="",
        headings=("Miksi digitukea tarvitaan?",),
        starts_with="Julkaistu 19.12.2022",
        must=(
            "Alkuvuodesta 2023 jokaisessa Päijät-Hämeen sote-keskuksessa on digitukihenkilö",
            "ettei kukaan jää palvelujen ulkopuolelle sen vuoksi, että asiointi on siirtynyt näytölle.",
            "Digitukea saa ilman ajanvarausta sote-keskusten auloissa.",
            "Heinolan sote-keskus: tiistaisin",
        ),
        must_not=(
            "Siirry sisältöön", "Ajatuksia sote-uudistuksesta", "Valikko", "Tietoa blogista", "Aiheeseen liittyvät",
            "Omaolo-palvelun käyttö kasvoi", "Jaa tämä", "LinkedIn", "Joulun aukioloajat", "Yksi vastaus",
            "Seija K.", "Sain apua", "Vastaa", "Sähköpostiosoitettasi", "Kategoriat", "Ylläpitäjä",
        ),
    ),
    Page(
        "faq-accordion.html",
        title="Usein kysyttyä hyvinvointialueesta",
        updated=dt.date(2023, 3, 5),  # "Julkaistu 1.2.2023 | Päivitetty 5.3.2023": the update wins
        lang="fi",
        section="Etusivu > Asukkaille > Usein kysyttyä",  # not a list: links and spans with "›" between
        headings=(
            "Asiointi", "Mistä löydän oman sote-keskukseni?", "Voinko asioida puolestani jonkun toisen asioita?",
            "Maksut", "Miksi sain laskun peruuttamattomasta ajasta?", "Mitä teen, jos en pysty maksamaan laskua?",
            "Palautteet",
        ),
        starts_with="Kokosimme tälle sivulle vastauksia kysymyksiin",
        must=(
            # a question in a button in a heading, and its answer in a hidden panel
            "Mistä löydän oman sote-keskukseni?\nOma sote-keskuksesi määräytyy kotiosoitteesi mukaan.",
            "Täysi-ikäisen läheisen asioiden hoitaminen edellyttää hänen suostumustaan.",  # a hidden panel
            "peritään 51,40 euron maksu",  # an aria-hidden panel
            "Voit hakea myös toimeentulotukea Kelasta.",
            "Miten annan palautetta saamastani hoidosta?\nVoit antaa palautetta",  # <details id="palaute">
        ),
        must_not=(
            "evästeitä", "Selvä", "Päätöksenteko", "Olet tässä", "Löysitkö etsimäsi", "Kyllä", "Julkaistu",
            "Päivitetty",
        ),
    ),
]


def parse_fixture(page: Page):
    return parse_document((FIXTURES / page.file).read_bytes(), URL, content_type=page.content_type).document


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.file)
def test_title_date_language_section_and_headings(page):
    doc = parse_fixture(page)
    assert doc.title == page.title
    assert doc.updated == page.updated
    assert doc.lang == page.lang
    assert doc.section == page.section
    assert doc.headings == page.headings


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.file)
def test_main_text_is_kept_from_its_first_line(page):
    text = parse_fixture(page).text
    assert text.startswith(page.starts_with), text[:200]
    for phrase in page.must:
        assert phrase in text, phrase


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.file)
def test_site_chrome_is_dropped(page):
    doc = parse_fixture(page)
    for phrase in page.must_not:
        assert phrase not in doc.text, phrase
        assert all(phrase not in heading for heading in doc.headings), phrase


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.file)
def test_no_mojibake(page):
    doc = parse_fixture(page)
    assert not MOJIBAKE.search(doc.title + doc.text + doc.section + "".join(doc.headings))


def test_fixtures_have_the_encodings_they_claim():
    utf8 = (FIXTURES / "mislabelled-utf8.html").read_bytes()
    assert "Ã¤" in utf8.decode("latin-1")  # what a parser that believes the server would produce
    for name in ("office-export.html", "latin1-legacy.html"):
        legacy = (FIXTURES / name).read_bytes()
        with pytest.raises(UnicodeDecodeError):
            legacy.decode("utf-8")
    assert b"\x80" in (FIXTURES / "office-export.html").read_bytes()  # the euro sign of windows-1252


def without_charset_meta(content: bytes) -> bytes:
    return re.sub(rb"<meta[^>]*charset[^>]*>", b"", content, flags=re.I)


@pytest.mark.parametrize(
    "file, content_type, strip_meta, phrase",
    [
        ("mislabelled-utf8.html", "text/html; charset=iso-8859-1", False, "osastonhoitaja Åsa Öhman"),
        ("mislabelled-utf8.html", "text/html; charset=windows-1252", False, "käyntimaksu 0 €"),
        ("mislabelled-utf8.html", "text/html", False, "”hätätilanteessa soita aina 112”"),
        ("office-export.html", "text/html; charset=utf-8", False, "“Maksukatto” on 692 € kalenterivuodessa."),
        ("office-export.html", "text/html; charset=utf-8", True, "“Maksukatto” on 692 € kalenterivuodessa."),
        ("latin1-legacy.html", "text/html; charset=utf-8", False, "ryhmäkoti Öljymäessä"),
        ("latin1-legacy.html", "text/html; charset=utf-8", True, "ÄKILLISET MUUTOKSET"),
        ("latin1-legacy.html", "text/html", True, "Päätöksen tekee"),
        ("latin1-legacy.html", 'text/html; charset="ISO-8859-1"', True, "Öisin palvelutalossa"),
    ],
)
def test_charset_labels_that_lie_or_are_missing(file, content_type, strip_meta, phrase):
    content = (FIXTURES / file).read_bytes()
    if strip_meta:
        content = without_charset_meta(content)
    doc = parse_document(content, URL, content_type=content_type).document
    assert phrase in doc.text
    assert not MOJIBAKE.search(doc.title + doc.text)


def test_plain_text_in_windows_1252_is_decoded():
    doc = parse_document("Päätös: maksu 20,90 €".encode("cp1252"), URL, content_type="text/plain").document
    assert doc.text == "Päätös: maksu 20,90 €"


def page(head: str, body: str) -> str:
    return f"<html lang='fi'><head>{head}</head><body>{body}</body></html>"


@pytest.mark.parametrize(
    "html, updated",
    [
        (page('<meta property="article:published_time" content="2023-02-01T10:00:00+02:00">'
              '<meta property="article:modified_time" content="2023-03-05T08:00:00+02:00">', "<p>Teksti.</p>"),
         dt.date(2023, 3, 5)),
        (page("", "<main><p>Julkaistu 1.2.2023 klo 12.30 | Päivitetty: 5.3.2023</p><p>Teksti.</p></main>"),
         dt.date(2023, 3, 5)),
        (page('<meta name="DC.date" content="14.3.2022">', "<p>Teksti.</p>"), dt.date(2022, 3, 14)),
        (page('<meta name="dcterms.modified" content="2022-10-31">', "<p>Julkaistu 1.6.2021</p><p>Teksti.</p>"),
         dt.date(2022, 10, 31)),
        (page('<meta http-equiv="last-modified" content="Tue, 14 Mar 2023 10:00:00 GMT">', "<p>Teksti.</p>"),
         dt.date(2023, 3, 14)),
        (page("", "<main><p>Teksti <time datetime='2022-09-27'>27.9.2022</time>.</p></main>"), dt.date(2022, 9, 27)),
        (page("", "<table><tr><td>Kokouspäivämäärä</td><td>14.3.2022</td></tr></table><p>Teksti.</p>"),
         dt.date(2022, 3, 14)),
        (page("", "<main><p>Julkaistu 1.2.2023</p><p>Teksti.</p><div class='comments'>"
                  "<time datetime='2023-05-01'>1.5.2023</time> Päivitetty 2.5.2023</div></main>"),
         dt.date(2023, 2, 1)),
        (page("", "<main><p>Teksti ilman päivämäärää.</p></main>"), None),
    ],
    ids=["meta-modified", "text-updated", "dc-date-finnish", "meta-update-over-text-publication", "http-date",
         "time-tag", "meeting-date", "comment-dates-ignored", "no-date"],
)
def test_date_sources_and_precedence(html, updated):
    assert parse_html(html.encode(), URL).document.updated == updated


def test_date_lines_leave_the_text_but_meeting_dates_and_sentences_stay():
    html = page("", "<main><p>Julkaistu 1.2.2023 | Päivitetty 5.3.2023</p><p>Ohje päivitetty 6.3.2023 alkaen.</p>"
                    "<p>Kokouspäivämäärä 14.3.2022</p></main>")
    text = parse_html(html.encode(), URL).document.text
    assert text == "Ohje päivitetty 6.3.2023 alkaen.\nKokouspäivämäärä 14.3.2022"


# A wrapper whose name contains a chrome word but which holds the content must stay.
@pytest.mark.parametrize(
    "body",
    [
        "<main class='main-menu-offset'><p>Sisältö jää.</p></main>",
        "<div class='content-with-sidebar'><div class='sidebar-menu'><a href='/a'>Valikko</a></div>"
        "<div class='text'><h1>Otsikko</h1><p>Sisältö jää.</p></div></div>",
        "<div class='layout-sidebar-first'><div class='sidebar'><a href='/a'>Valikko</a></div>"
        "<h1>Otsikko</h1><p>Sisältö jää.</p></div>",  # Drupal: the wrapper holds the heading, so it stays
        "<article><h1>Otsikko</h1><div class='article-body has-share-bar'><p>Sisältö jää.</p></div></article>",
        "<div id='page' class='page no-sidebar'><p>Sisältö jää.</p></div>",
        "<div class='shared-services'><p>Sisältö jää.</p></div>",
        "<div lang='sv' class='lang-sv'><p>Sisältö jää.</p></div>",
        "<table class='header'><tr><td>Pöytäkirja 5/2022</td><td>Sisältö jää.</td></tr></table>",
        "<details id='palaute'><summary>Palaute</summary><p>Sisältö jää.</p></details>",
        "<form id='aspnetForm'><div class='content'><h1>Otsikko</h1><p>Sisältö jää.</p></div></form>",
        "<div class='accordion__panel' aria-hidden='true'><p>Sisältö jää.</p></div>",
    ],
)
def test_content_under_chrome_like_names_is_kept(body):
    assert "Sisältö jää." in parse_html(page("", body).encode(), URL).document.text


@pytest.mark.parametrize(
    "chrome",
    [
        "<div class='ad-slot'>Mainos</div>",
        "<div id='sidebar'><a href='/a'>Sivuvalikko</a></div>",
        "<div class='language-switcher'><a href='/sv'>Svenska</a></div>",
        "<ul class='some-links'><li><a href='/fb'>Facebook</a></li></ul>",
        "<div class='shareButtons'><a href='#'>Jaa</a></div>",
        "<section class='kommentit'><p>Hyvä juttu!</p></section>",
        "<div class='palaute-widget'><p>Oliko sivusta apua?</p></div>",
        "<div class='sivupalaute'><p>Oliko sivusta apua?</p></div>",
        "<div class='mainos'>Tarjous</div>",
        "<div class='jp-relatedposts'><a href='/b'>Toinen kirjoitus</a></div>",
        "<div id='header'><a href='/'>Kunta</a> <a href='/x'>Asuminen</a></div>",
        "<td class='vasen-valikko'><a href='/a'>Etusivu</a></td>",
        "<div class='CybotCookiebotDialog'>Evästeet</div>",
        "<span class='visually-hidden'>avautuu uuteen ikkunaan</span>",
    ],
)
def test_chrome_named_by_class_or_id_is_dropped(chrome):
    html = page("", f"<div class='wrapper'>{chrome}<p>Sisältö jää.</p></div>")
    text = parse_html(html.encode(), URL).document.text
    assert text == "Sisältö jää."
