"""The web pages' texts, dates, facet labels and search error messages in Finnish, Swedish and English."""

from __future__ import annotations

import datetime as dt

import languages

UI_LANGUAGES = ("fi", "sv", "en")

TEXTS: dict[str, dict[str, str]] = {
    "fi": {
        "site_name": "sotehaku",
        "tagline": "Hae sote-uudistuksen ja hyvinvointialueen sivuilta",
        "skip": "Siirry hakutuloksiin",
        "skip_main": "Siirry pääsisältöön",
        "label": "Hakusanat",
        "button": "Hae",
        "hint": "Voit kirjoittaa sanat missä muodossa tahansa, esimerkiksi ”hyvinvointialueella” tai ”työryhmien”.",
        "results": "{total} tulosta haulle ”{q}”",
        "one_result": "1 tulos haulle ”{q}”",
        "no_results": "Haulla ”{q}” ei löytynyt tuloksia.",
        "no_results_filtered": "Haulla ”{q}” ei löytynyt tuloksia valituilla rajauksilla.",
        "tips_heading": "Vinkkejä hakuun",
        "tip_spelling": "Tarkista sanojen kirjoitusasu.",
        "tip_fewer": "Kokeile vähemmän tai yleisempiä sanoja.",
        "tip_other_words": "Kokeile samaa asiaa toisin sanoin, esimerkiksi ”sotekeskus” tai ”terveysasema”.",
        "tip_filters": "Poista rajaukset",
        "filter_only": "Valitut rajaukset",
        "page_empty": "Tällä tulossivulla ei ole tuloksia.",
        "first_page": "Siirry ensimmäiselle tulossivulle",
        "relaxed": "Mikään sivu ei sisällä kaikkia hakusanoja; näytetään sivut, joilla on jokin niistä.",
        "missing_one": "Millään sivulla ei ole sanaa ”{words}”.",
        "missing_many": "Millään sivulla ei ole sanoja {words}.",
        "replaced": "Näytetään sivut, joilla on ”{head}”, yhdyssanan ”{word}” loppuosa.",
        "did_you_mean": "Tarkoititko:",
        "showing_for": "Näytetään tulokset haulle",
        "search_instead": "Hae sen sijaan täsmälleen:",
        "updated": "Päivitetty",
        "internal": "Sisäinen",
        "previous": "Edellinen",
        "previous_long": "Edellinen tulossivu",
        "next": "Seuraava",
        "next_long": "Seuraava tulossivu",
        "page": "Sivu {page}",
        "page_of": "sivu {page}",
        "pagination": "Tulossivut",
        "languages": "Kieli",
        "facets": "Rajaa hakua",
        "facet_section": "Osio",
        "facet_lang": "Kieli",
        "facet_year": "Vuosi",
        "facet_type": "Tiedostotyyppi",
        "facet_source": "Lähde",
        "facet_site": "Sivusto",
        "facet_updated": "Päivitetty",
        "count": "{n} kpl",
        "active_filters": "Valitut rajaukset",
        "remove_filter": "poista rajaus",
        "clear_filters": "Poista kaikki rajaukset",
        "error": "Haku ei onnistunut",
        "unavailable": "Haku ei ole juuri nyt käytettävissä. Yritä hetken kuluttua uudelleen.",
        "suggestions": "Hakuehdotukset",
        "suggestions_many": "{n} hakuehdotusta. Valitse nuolinäppäimillä.",
        "suggestions_one": "1 hakuehdotus. Valitse nuolinäppäimillä.",
        "loading": "Haetaan…",
        "signed_in": "Kirjautuneena: {name}",
        "sign_out": "Kirjaudu ulos",
        "sign_in": "Henkilöstön kirjautuminen",
        "login_title": "Henkilöstön kirjautuminen",
        "login_intro": "Kirjautuneena haet myös hyvinvointialueen sisäisistä asiakirjoista.",
        "login_name": "Käyttäjätunnus",
        "login_password": "Salasana",
        "login_button": "Kirjaudu",
        "login_failed": "Käyttäjätunnus tai salasana on väärin.",
        "login_missing": "Kirjoita sekä käyttäjätunnus että salasana.",
        "login_throttled": "Liian monta epäonnistunutta kirjautumista. Yritä uudelleen {minutes} minuutin kuluttua.",
        "login_unavailable": "Kirjautuminen ei ole juuri nyt käytettävissä. Yritä hetken kuluttua uudelleen.",
        "login_done": "Olet kirjautunut käyttäjätunnuksella {name}.",
        "to_search": "Siirry hakuun",
        "error_summary": "Kirjautuminen ei onnistunut",
        "csrf_failed": "Lomakkeen tarkistus epäonnistui, koska sivu oli ehkä ollut auki pitkään. Lataa sivu uudelleen ja yritä uudestaan.",
        "forbidden": "Pyyntöä ei voitu käsitellä",
        "not_found": "Sivua ei löytynyt",
        "not_found_text": "Osoitteessa ei ole sivua. Tarkista osoite tai aloita haku etusivulta.",
        "home": "Hakuun",
        "footer": "Muuta",
        "embed_link": "Hakulaatikko omalle sivullesi",
        "api_link": "Rajapinnan kuvaus (OpenAPI)",
        "embed_title": "Hakulaatikko omalle sivullesi",
        "embed_intro": "Kopioi alla oleva koodi kuntasi tai järjestösi sivulle. Hakulaatikko lähettää haun tähän palveluun ja toimii ilman JavaScriptiä.",
        "embed_js": "Valinnainen skriptirivi lisää hakuehdotukset kirjoittaessa. Ne toimivat, kun palvelun ylläpito on lisännyt sivustosi osoitteen sallittuihin (CORS).",
        "embed_code": "Koodi",
        "embed_copy": "Kopioi koodi",
        "embed_copied": "Koodi kopioitu leikepöydälle.",
        "embed_preview": "Esikatselu",
        "embed_label": "Hae sote-uudistuksen sivuilta",
    },
    "sv": {
        "site_name": "sotehaku",
        "tagline": "Sök på sidorna om vårdreformen och välfärdsområdet",
        "skip": "Gå till sökresultaten",
        "skip_main": "Gå till huvudinnehållet",
        "label": "Sökord",
        "button": "Sök",
        "hint": "Du kan skriva orden i vilken form som helst.",
        "results": "{total} resultat för ”{q}”",
        "one_result": "1 resultat för ”{q}”",
        "no_results": "Sökningen ”{q}” gav inga resultat.",
        "no_results_filtered": "Sökningen ”{q}” gav inga resultat med de valda avgränsningarna.",
        "tips_heading": "Söktips",
        "tip_spelling": "Kontrollera stavningen.",
        "tip_fewer": "Prova färre eller mer allmänna ord.",
        "tip_other_words": "Prova att beskriva samma sak med andra ord, till exempel ”social- och hälsocentral”.",
        "tip_filters": "Ta bort avgränsningarna",
        "filter_only": "Valda avgränsningar",
        "page_empty": "Det finns inga resultat på den här resultatsidan.",
        "first_page": "Gå till första resultatsidan",
        "relaxed": "Ingen sida innehåller alla sökord; sidor med något av dem visas.",
        "missing_one": "Ingen sida har ordet ”{words}”.",
        "missing_many": "Ingen sida har orden {words}.",
        "replaced": "Sidor med ”{head}”, sista delen av sammansättningen ”{word}”, visas.",
        "did_you_mean": "Menade du:",
        "showing_for": "Resultaten visas för",
        "search_instead": "Sök i stället exakt på:",
        "updated": "Uppdaterad",
        "internal": "Intern",
        "previous": "Föregående",
        "previous_long": "Föregående resultatsida",
        "next": "Nästa",
        "next_long": "Nästa resultatsida",
        "page": "Sida {page}",
        "page_of": "sida {page}",
        "pagination": "Resultatsidor",
        "languages": "Språk",
        "facets": "Avgränsa sökningen",
        "facet_section": "Avsnitt",
        "facet_lang": "Språk",
        "facet_year": "År",
        "facet_type": "Filtyp",
        "facet_source": "Källa",
        "facet_site": "Webbplats",
        "facet_updated": "Uppdaterad",
        "count": "{n} st.",
        "active_filters": "Valda avgränsningar",
        "remove_filter": "ta bort avgränsningen",
        "clear_filters": "Ta bort alla avgränsningar",
        "error": "Sökningen misslyckades",
        "unavailable": "Sökningen är inte tillgänglig just nu. Försök igen om en stund.",
        "suggestions": "Sökförslag",
        "suggestions_many": "{n} sökförslag. Välj med piltangenterna.",
        "suggestions_one": "1 sökförslag. Välj med piltangenterna.",
        "loading": "Söker…",
        "signed_in": "Inloggad: {name}",
        "sign_out": "Logga ut",
        "sign_in": "Inloggning för personalen",
        "login_title": "Inloggning för personalen",
        "login_intro": "När du är inloggad söker du också i välfärdsområdets interna dokument.",
        "login_name": "Användarnamn",
        "login_password": "Lösenord",
        "login_button": "Logga in",
        "login_failed": "Användarnamnet eller lösenordet är fel.",
        "login_missing": "Skriv både användarnamn och lösenord.",
        "login_throttled": "För många misslyckade inloggningar. Försök igen om {minutes} minuter.",
        "login_unavailable": "Inloggningen är inte tillgänglig just nu. Försök igen om en stund.",
        "login_done": "Du är inloggad som {name}.",
        "to_search": "Gå till sökningen",
        "error_summary": "Inloggningen misslyckades",
        "csrf_failed": "Formuläret kunde inte kontrolleras, kanske för att sidan varit öppen länge. Ladda om sidan och försök igen.",
        "forbidden": "Begäran kunde inte behandlas",
        "not_found": "Sidan hittades inte",
        "not_found_text": "Det finns ingen sida på adressen. Kontrollera adressen eller börja söka på startsidan.",
        "home": "Till sökningen",
        "footer": "Mer",
        "embed_link": "Sökruta för din egen webbplats",
        "api_link": "Beskrivning av gränssnittet (OpenAPI)",
        "embed_title": "Sökruta för din egen webbplats",
        "embed_intro": "Kopiera koden nedan till din kommuns eller organisations webbplats. Sökrutan skickar sökningen till den här tjänsten och fungerar utan JavaScript.",
        "embed_js": "Den valfria skriptraden visar sökförslag medan man skriver. De fungerar när tjänstens administratör har lagt till din webbplats adress bland de tillåtna (CORS).",
        "embed_code": "Kod",
        "embed_copy": "Kopiera koden",
        "embed_copied": "Koden har kopierats.",
        "embed_preview": "Förhandsvisning",
        "embed_label": "Sök på sidorna om vårdreformen",
    },
    "en": {
        "site_name": "sotehaku",
        "tagline": "Search the health and social services reform and welfare area pages",
        "skip": "Skip to results",
        "skip_main": "Skip to main content",
        "label": "Search words",
        "button": "Search",
        "hint": "Type words in any inflected form, in Finnish, Swedish or English.",
        "results": "{total} results for “{q}”",
        "one_result": "1 result for “{q}”",
        "no_results": "No results for “{q}”.",
        "no_results_filtered": "No results for “{q}” with the chosen filters.",
        "tips_heading": "Search tips",
        "tip_spelling": "Check the spelling.",
        "tip_fewer": "Try fewer or more general words.",
        "tip_other_words": "Try other words for the same thing, in Finnish if you can, such as “sotekeskus” (health and social services centre).",
        "tip_filters": "Remove the filters",
        "filter_only": "Chosen filters",
        "page_empty": "There are no results on this result page.",
        "first_page": "Go to the first result page",
        "relaxed": "No page contains every word; showing pages with any of them.",
        "missing_one": "No page has the word “{words}”.",
        "missing_many": "No page has the words {words}.",
        "replaced": "Showing pages with “{head}”, the last part of the compound “{word}”.",
        "did_you_mean": "Did you mean:",
        "showing_for": "Showing results for",
        "search_instead": "Search instead for exactly:",
        "updated": "Updated",
        "internal": "Internal",
        "previous": "Previous",
        "previous_long": "Previous result page",
        "next": "Next",
        "next_long": "Next result page",
        "page": "Page {page}",
        "page_of": "page {page}",
        "pagination": "Result pages",
        "languages": "Language",
        "facets": "Narrow the search",
        "facet_section": "Section",
        "facet_lang": "Language",
        "facet_year": "Year",
        "facet_type": "File type",
        "facet_source": "Source",
        "facet_site": "Site",
        "facet_updated": "Updated",
        "count": "{n}",
        "active_filters": "Chosen filters",
        "remove_filter": "remove filter",
        "clear_filters": "Remove all filters",
        "error": "The search failed",
        "unavailable": "Search is not available right now. Please try again in a moment.",
        "suggestions": "Search suggestions",
        "suggestions_many": "{n} suggestions. Choose with the arrow keys.",
        "suggestions_one": "1 suggestion. Choose with the arrow keys.",
        "loading": "Searching…",
        "signed_in": "Signed in as {name}",
        "sign_out": "Sign out",
        "sign_in": "Staff sign-in",
        "login_title": "Staff sign-in",
        "login_intro": "Signed in, you also search the welfare area's internal documents.",
        "login_name": "User name",
        "login_password": "Password",
        "login_button": "Sign in",
        "login_failed": "The user name or the password is wrong.",
        "login_missing": "Type both your user name and your password.",
        "login_throttled": "Too many failed sign-ins. Try again in {minutes} minutes.",
        "login_unavailable": "Signing in is not available right now. Please try again in a moment.",
        "login_done": "You are signed in as {name}.",
        "to_search": "Go to the search",
        "error_summary": "Signing in failed",
        "csrf_failed": "The form could not be checked, perhaps because the page was open for a long time. Reload the page and try again.",
        "forbidden": "The request could not be handled",
        "not_found": "Page not found",
        "not_found_text": "There is no page at this address. Check the address or start a search on the front page.",
        "home": "To the search",
        "footer": "More",
        "embed_link": "A search box for your own site",
        "api_link": "API description (OpenAPI)",
        "embed_title": "A search box for your own site",
        "embed_intro": "Copy the code below to your municipality's or organisation's pages. The search box sends the search to this service and works without JavaScript.",
        "embed_js": "The optional script line adds suggestions while typing. They work once the service's administrators have added your site's address to the allowed origins (CORS).",
        "embed_code": "Code",
        "embed_copy": "Copy the code",
        "embed_copied": "The code was copied.",
        "embed_preview": "Preview",
        "embed_label": "Search the reform pages",
    },
}

LANGUAGE_NAMES = {"fi": "Suomeksi", "sv": "På svenska", "en": "In English"}

# File types named the same in every interface language.
OFFICE_LABELS = {
    "pdf": "PDF", "docx": "Word (DOCX)", "doc": "Word (DOC)", "rtf": "RTF", "odt": "OpenDocument (ODT)",
    "xlsx": "Excel (XLSX)", "xls": "Excel (XLS)", "ods": "OpenDocument (ODS)",
    "pptx": "PowerPoint (PPTX)", "ppt": "PowerPoint (PPT)", "odp": "OpenDocument (ODP)",
}

# Facet values as shown: document languages and file types by their codes.
VALUE_LABELS: dict[str, dict[str, dict[str, str]]] = {
    # Document languages are named by the language registry.
    "lang": {ui: {code: languages.get(code).label(ui) for code in languages.CODES} for ui in UI_LANGUAGES},
    "type": {
        ui: {**OFFICE_LABELS, **labels}
        for ui, labels in {
            "fi": {"html": "Verkkosivu", "text": "Teksti"},
            "sv": {"html": "Webbsida", "text": "Text"},
            "en": {"html": "Web page", "text": "Text"},
        }.items()
    },
}

MONTHS = {
    "sv": ("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september", "oktober", "november", "december"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"),
}

# The search engine's query errors (search.syntax.QueryError) by their code, so that the page can say them
# in its own language; any other error is shown as the engine wrote it.
QUERY_ERRORS: dict[str, dict[str, str]] = {
    "empty": {
        "fi": "Kirjoita hakukenttään yksi tai useampi hakusana.",
        "sv": "Skriv ett eller flera sökord i sökfältet.",
        "en": "Type one or more words to search for.",
    },
    "common_words": {
        "fi": "Haussa on vain hyvin yleisiä sanoja, kuten ”ja” tai ”on”. Lisää tarkempi sana.",
        "sv": "Sökningen har bara mycket vanliga ord, som ”och” eller ”är”. Lägg till ett mer specifikt ord.",
        "en": "The search has only very common words, such as “and” or “is”. Add a more specific word.",
    },
    "only_exclusions": {
        "fi": "Haku vain sulkee sanoja pois (miinusmerkki). Lisää myös sana, jota haetaan.",
        "sv": "Sökningen utesluter bara ord (minustecken). Lägg också till ett ord att söka efter.",
        "en": "The search only leaves words out (minus sign). Add a word to search for as well.",
    },
    "too_long": {
        "fi": "Haku on liian pitkä. Lyhennä se enintään 1000 merkkiin.",
        "sv": "Sökningen är för lång. Korta av den till högst 1000 tecken.",
        "en": "The search is too long. Shorten it to at most 1000 characters.",
    },
    "bad_date": {
        "fi": "Päivämäärärajaus ei kelpaa. Kirjoita päivämäärät muodossa VVVV, VVVV-KK tai VVVV-KK-PP, aikaisempi ensin, esimerkiksi updated:2022-01-01..2022-12-31.",
        "sv": "Datumavgränsningen duger inte. Skriv datum som ÅÅÅÅ, ÅÅÅÅ-MM eller ÅÅÅÅ-MM-DD, det tidigare först, till exempel updated:2022-01-01..2022-12-31.",
        "en": "The date filter is not valid. Write dates as YYYY, YYYY-MM or YYYY-MM-DD, the earlier first, such as updated:2022-01-01..2022-12-31.",
    },
    "bad_language": {
        "fi": "Kielirajaus ei kelpaa. Käytä kielikoodia fi, sv tai en.",
        "sv": "Språkavgränsningen duger inte. Använd språkkoden fi, sv eller en.",
        "en": "The language filter is not valid. Use the language code fi, sv or en.",
    },
    "bad_year": {
        "fi": "Vuosirajaus ei kelpaa. Kirjoita vuosi neljällä numerolla, esimerkiksi year:2022.",
        "sv": "Årsavgränsningen duger inte. Skriv året med fyra siffror, till exempel year:2022.",
        "en": "The year filter is not valid. Write the year with four digits, such as year:2022.",
    },
}


def query_error_text(exc: Exception, ui: str) -> str:
    """A search error said in the page's language when it is a known one, else as the engine said it.

    >>> from search.syntax import QueryError
    >>> query_error_text(QueryError("The query 'ja on' has only very common words.", "common_words"), "sv")
    'Sökningen har bara mycket vanliga ord, som ”och” eller ”är”. Lägg till ett mer specifikt ord.'
    """
    texts = QUERY_ERRORS.get(getattr(exc, "code", ""))
    return texts[ui] if texts else str(exc)


def format_date(day: dt.date, ui: str) -> str:
    """A date as people write it in the page's language.

    >>> [format_date(dt.date(2022, 4, 5), ui) for ui in UI_LANGUAGES]
    ['5.4.2022', '5 april 2022', '5 April 2022']
    """
    if ui == "fi":
        return f"{day.day}.{day.month}.{day.year}"
    return f"{day.day} {MONTHS[ui][day.month - 1]} {day.year}"


def value_label(facet: str, value: str, ui: str) -> str:
    """How a facet value is shown: language and file type codes as words, other values as they are.

    >>> value_label("lang", "sv", "fi"), value_label("type", "pdf", "en"), value_label("year", "2022", "sv")
    ('ruotsi', 'PDF', '2022')
    """
    return VALUE_LABELS.get(facet, {}).get(ui, {}).get(value, value)
