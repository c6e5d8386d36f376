"""Parsing: bytes and a URL in, a Document and its outgoing links out; never touches the network."""

from __future__ import annotations

import codecs
import datetime as dt
import email.utils
import functools
import re
import unicodedata
from dataclasses import dataclass

import lxml.html
from lxml import etree

from corpus import CorpusError, maintext
from corpus.document import Document
from corpus.limits import markup_excess
from corpus.urls import normalize_url
from languages import DEFAULT as DEFAULT_LANGUAGE
from languages import LANGUAGES

# Containers that hold site chrome rather than the page's own text (`xml` is a Word export's data island).
BOILERPLATE_TAGS = (
    "script", "style", "noscript", "template", "header", "footer", "nav", "aside", "form", "iframe", "svg", "button",
    "dialog", "select", "object", "embed", "canvas", "xml",
)
# What can be chrome with no attribute to name it: by its tag, or by its text (a credit, a print link, a link list).
CHROME_WITHOUT_NAMES = frozenset({*BOILERPLATE_TAGS, "figcaption", "a", "ul", "ol"})
BOILERPLATE_ROLES = (
    "navigation", "banner", "contentinfo", "dialog", "search", "complementary", "alertdialog", "menu", "menubar",
)
# Content by its kind, kept even where trafilatura drops it (corpus/maintext.py): table cells and definition
# lists, accordion buttons and panels, and leads by class ("article__lead", "ingressi").
SURE_TAGS = frozenset({"td", "th", "caption", "dt", "dd", "details", "summary", "button"})
LEAD_WORDS = re.compile(r"\b(?:lead|ingress|ingressi|intro|standfirst|abstract|summary|kicker)\b")
# A cell holding these is a page's layout, not a table's data.
LAYOUT_CELL_TAGS = ("table", "div", "ul", "ol", "dl", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article", "form")
# Chrome words that also name blocks of main text on many sites ("item-content__row--sidebar",
# "hidden-contents-menu", "js-post-comments-component"): sotehaku's lines drop them, trafilatura may keep them.
WEAK_CHROME_WORDS = frozenset({"sidebar", "menu", "comments", "comment", "share", "sharing", "tags", "ad", "ads"})
# ... unless what they name holds less text than this: a label ("Mainos", "Jaa"), not a block of text.
WEAK_CHROME_TEXT = 200
NO_TEXT_TAGS = frozenset({"script", "style", "noscript", "template", "svg", "xml", "object", "embed", "canvas"})
# Pages in these languages keep their image captions (credits go by CREDIT): on Finnish and Swedish public-sector
# pages a caption says what the picture shows, while trafilatura's evaluation set counts captions as boilerplate.
CAPTION_LANGUAGES = frozenset({"fi", "sv"})
NUMERIC_DATE = re.compile(r"\b\d{1,2}\.\s?\d{1,2}\.\s?\d{4}\b|\b\d{4}-\d{2}-\d{2}\b")
CLOCK = re.compile(r"\b\d{1,2}[:.]\d{2}\b")
HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
OFFICE_GENERATORS = ("microsoft word", "libreoffice", "openoffice")
# Words of class names, ids and aria-labels that mark chrome, in English and Finnish ("valikko" is a menu,
# "alatunniste" a footer, "mainos" an ad), matched against whole words of one class token split at "-", "_" and
# camelCase ("sidebar-menu", "shareButtons", "ad-slot"), so that "download", "shared-services" or "lang-sv" are
# not hit. Checked against the pages in tests/fixtures/realworld/ and the sample site.
BOILERPLATE_WORDS = re.compile(
    r"\b(?:"
    r"cookie\w*|consent|gdpr|breadcrumbs?|murupolku|skip-?links?|skip-to-content|skip-nav|sr-only|visually-hidden"
    r"|screen-reader-text|element-invisible"
    r"|share|sharing|sharethis|shareaholic|addtoany|jaa|some|social-(?:media|links?|share|icons?|buttons?|follow)"
    r"|related\w*|lue-myos|read-also|see-also|tags|tag-?list|tag-?cloud|asiasanat|site-header|masthead|ylatunniste|footer|alatunniste"
    r"|sidebar|sidenav|menu|megamenu|mainmenu|submenu|sidemenu|navbar|subnav|topnav|nav|navi|navigation|\w*valikko"
    r"|lang(?:uage)?-(?:switch|select|menu|nav|links?|list|picker|chooser|item)\w*|languages|kielivalinta"
    r"|feedback|\w*palaute\w*|ads?|advert\w*|adsbygoogle|\w*mainos\w*|sponsored|ribbon|alaosa"
    r"|comments?|comment-\w+|kommentit|kommentti|disqus|newsletter|pagination|pager"
    r")\b"
)
# Elements whose id is usually an anchor made of the page's own words (<details id="palaute"> in an FAQ), not
# the name of a template block (<div id="sidebar">).
ANCHOR_TAGS = ("h1", "h2", "h3", "h4", "h5", "h6", "details", "summary", "section", "article", "p", "li", "dt", "dd")
# Names a site's bar of links shares with a document's own header table (a decision's "Pöytäkirja 5/2022 § 45"):
# chrome only when most of the text is links.
LINK_BAR_NAMES = re.compile(r"(?:top-?)?header|top-?(?:bar|links?|nav)|ylapalkki")
# A class token with one of these words describes a layout ("content-with-sidebar", "has-sidebar"), not chrome.
# A list of at least this many items that is all links is a list of other pages ("Lue myös", latest news),
# not the page's own text.
LINK_LIST_ITEMS = 2
LINK_LIST_SHARE = 0.9
# Share of a page's paragraph text an element must hold to be taken as its text column.
TEXT_HOLDER_SHARE = 0.9
HOLDER_TAGS = frozenset({"div", "section", "table", "tbody", "tr", "td", "center", "font", "span", "form"})
# SharePoint's "layoutTwoColumnsRightSidebar" holds the page's text beside a sidebar.
LAYOUT_WORDS = frozenset({"has", "no", "with", "without", "is", "layout", "columns"})
# Chrome by what it says: a photo credit ("Kuva: Hanna Virtanen"), a link back to the top of the page.
CREDIT = re.compile(r"\(?(?:kuva|kuvat|kuvaaja|foto|photo|image|bild|picture|credit)\s*:", re.I)
SITE_TOOL_LINK = re.compile(
    r"(?:sivun alkuun|takaisin ylös|back to top|to the top|till början av sidan|tillbaka upp|nach oben|zum seitenanfang"
    r"|tulosta|print|skriv ut|drucken|palaute|anna palautetta|feedback|ge respons)",
    re.I,
)
# Word's reviewer comments and hidden text: styled, not classed.
MSO_HIDDEN = re.compile(r"mso-element:\s*comment|mso-hide:\s*all", re.I)
BREADCRUMB = re.compile(r"breadcrumb|murupolku|brödsmul|brodsmul|sijaintisi|olet tässä|du är här|you are here", re.I)
HIDDEN_TEXT = re.compile(r"sr-only|visually-hidden|screen-reader-text|element-invisible", re.I)
CRUMB_SEPARATORS = " \t\n›»>/|→•·:"
BLOCK_TAGS = (
    "p", "div", "li", "ul", "ol", "dl", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table",
    "section", "article", "blockquote", "pre", "summary", "details", "figcaption", "address", "br", "hr",
    "main", "header", "footer", "figure", "caption",
)
# Blocks that never belong inside a heading.
SWALLOWED = ("p", "div", "ul", "ol", "dl", "table", "blockquote", "section", "article", "h2", "h3", "h4", "h5", "h6")
# Date labels by what they date: an update beats a publication, a publication beats a meeting (minutes).
DATE_KINDS = {
    "update": r"päivitetty|muokattu|uppdaterad|updated|modified",
    "publication": r"julkaistu|publicerad|published",
    "meeting": r"kokouspäivämäärä|kokouspäivä|kokousaika|sammanträdesdatum|sammanträdestid",
}
DATE_RANK = {"update": 0, "publication": 1, "meeting": 2}
# "Päivitetty: 31.10.2022", "Julkaistu 1.2.2023 klo 12.30", "Uppdaterad: 3.4.2022", "Kokouspäivämäärä 14.03.2022".
DATE_LINE = re.compile(
    r"\b(?:" + "|".join(f"(?P<{kind}>{words})" for kind, words in DATE_KINDS.items()) + r")\b\s*:?\s*"
    r"(?P<day>\d{1,2})\.\s?(?P<month>\d{1,2})\.\s?(?P<year>\d{4})"
    r"(?:\s*(?:klo|kl\.?|at|,)?\s*\d{1,2}[.:]\d{2}(?![\d.]\d))?",
    re.I,
)
# A date's month and year from the dot after its day, which DATE_LINE's matches are sought around: a regular
# expression that opens with a choice of labels (or with a digit) is tried at every character, which over a page's
# whole markup costs more than the parse; one that opens with a literal "." is searched for in C.
DATE_TAIL = re.compile(r"\.\s?\d{1,2}\.\s?\d{4}")
# How far before its date's day a label of DATE_LINE may start ("Päivitetty:" and the spaces after it).
LABEL_REACH = 200
# A one-word type label before the dates of a line ("Tiedote Julkaistu 26.9.2023").
DATE_LABEL = re.compile(r"^\s*[^\W\d_]+(?=\s|$)")
# What is left of a line of dates once the dates are gone: separators only.
DATE_LINE_REST = re.compile(r"[\s|,;·•/()–—-]*")
# Meta tags (name, property, http-equiv or itemprop; lower case) that date a page, by kind.
META_DATES = {
    "update": (
        "article:modified_time", "og:updated_time", "dc.date.modified", "dcterms.modified", "last-modified",
        "datemodified",
    ),
    "publication": (
        "article:published_time", "dc.date", "dc.date.issued", "dc.date.created", "dcterms.issued", "dcterms.created",
        "dcterms.date", "date", "pubdate", "datepublished",
    ),
}
# lxml refuses a str that declares its encoding; the bytes were decoded already.
XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
WHITESPACE = re.compile(r"\s+")
INVISIBLE = {0xAD: None, 0x200B: None, 0xFEFF: None}
HTML_PARSER = lxml.html.HTMLParser(remove_comments=True, remove_pis=True, no_network=True, default_doctype=False)
# lxml.html chooses each element's Python class in a Python callback (forms and inputs have classes of their own)
# whenever an element is touched; sotehaku and trafilatura touch every element several times, and one class for
# all, chosen in C, makes walking the tree about a third cheaper.
HTML_PARSER.set_element_class_lookup(etree.ElementDefaultClassLookup(
    element=lxml.html.HtmlElement, comment=lxml.html.HtmlComment, pi=lxml.html.HtmlProcessingInstruction,
    entity=lxml.html.HtmlEntity,
))
# Text codecs no web page is written in; their decoders also refuse errors="replace".
NOT_PAGE_CODECS = frozenset({"idna", "punycode", "raw-unicode-escape", "unicode-escape", "undefined"})
BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
TITLE_SEPARATORS = (" | ", " – ", " — ", " - ", " :: ")
LANG_MARKERS = {code: language.detection_words for code, language in LANGUAGES.items()}


# A page's link texts kept for its targets' anchor text: the sample site's pages have 20-40 links, a
# large portal's front page a few hundred; a text longer than a sentence is not a label.
MAX_LINK_TEXTS = 1000
MAX_LINK_TEXT_CHARS = 200


class ParseError(CorpusError):
    """Content that cannot be turned into a document."""


@dataclass(frozen=True)
class ParsedPage:
    """A parsed page: the document (None when the page asks not to be indexed) and what the crawler needs."""

    document: Document | None
    links: tuple[str, ...] = ()
    canonical: str | None = None
    follow: bool = True
    # (target URL, link text) of each distinct followed link with words: the target's anchor text (corpus.anchors).
    anchors: tuple[tuple[str, str], ...] = ()


def document_kind(content_type: str, url: str = "", content: bytes = b"") -> str | None:
    """Which parser a response needs: "html", "text" or a kind of corpus.formats ("pdf", "docx", "odt", ...);
    None for content that is not a document (images, scripts, archives). The crawler and the importers ask
    before they parse.

    >>> document_kind("application/pdf"), document_kind("application/octet-stream", "a/muistio.docx")
    ('pdf', 'docx')
    >>> document_kind("application/vnd.ms-excel"), document_kind("", "https://x.fi/poytakirja.odt")
    ('xls', 'odt')
    >>> document_kind("text/html; charset=utf-8"), document_kind(""), document_kind("image/png")
    ('html', 'html', None)
    """
    from corpus.formats import format_for

    kind = content_type.split(";")[0].strip().lower()
    if content[:5] == b"%PDF-":
        return "pdf"
    fmt = format_for(kind, url)
    if fmt is not None:
        return fmt.kind
    if kind in ("text/html", "application/xhtml+xml", ""):
        return "html"
    return "text" if kind == "text/plain" else None


def parse_document(
    content: bytes,
    url: str,
    *,
    content_type: str = "text/html",
    source: str = "",
    visibility: str = "public",
) -> ParsedPage:
    """Parse HTML, plain text or any format of corpus.formats (PDF, Office, OpenDocument, RTF) into a document."""
    from corpus.formats import BY_KIND

    kind = document_kind(content_type, url, content)
    if kind in BY_KIND:
        return ParsedPage(BY_KIND[kind].parse(content, url, source=source, visibility=visibility))
    if kind == "html":
        return parse_html(content, url, source=source, visibility=visibility, encoding=_charset(content_type))
    if kind == "text":
        text = _decode(content, _charset(content_type), markup=False)
        return ParsedPage(_text_document(text, url, source=source, visibility=visibility))
    raise ParseError(f"{url}: unsupported content type {content_type.split(';')[0].strip().lower()!r}")


def parse_html(
    content: bytes | str,
    url: str,
    *,
    source: str = "",
    visibility: str = "public",
    encoding: str | None = None,
) -> ParsedPage:
    """Extract title, main text, date, language, section and links from an HTML page.

    One bad part (a link, an attribute, a date) costs only that part; a page whose markup cannot be read at
    all is a ParseError naming the URL and the reason, so that a crawl or an import skips it and goes on.
    """
    try:
        html = _decode(content, encoding) if isinstance(content, bytes) else content
        excess = markup_excess(html)  # before the tree is built: its cost grows with depth squared
        if not excess:
            return _parse_tree(_html_tree(html), url, source=source, visibility=visibility, html=html)
    except (ValueError, TypeError, LookupError, UnicodeError, etree.LxmlError) as exc:
        raise ParseError(f"{url}: cannot read the HTML ({type(exc).__name__}: {exc})") from None
    raise ParseError(f"{url}: {excess}")


def _html_tree(html: str) -> lxml.html.HtmlElement:
    """The page as an lxml tree, in NFC so that "ä" typed as "a" and a combining diaeresis matches a query."""
    html = unicodedata.normalize("NFC", XML_DECLARATION.sub("", html, count=1))
    try:
        root = lxml.html.document_fromstring(html, parser=HTML_PARSER)
    except etree.ParserError:  # nothing but whitespace or comments
        root = lxml.html.document_fromstring("<html><body></body></html>")
    return root


def _parse_tree(
    root: lxml.html.HtmlElement, url: str, *, source: str, visibility: str, html: str = ""
) -> ParsedPage:
    robots = _meta(root, "robots").lower()
    base = url
    base_href = _first(root.iterfind(".//base[@href]"))
    if base_href is not None:
        base = normalize_url(base_href.get("href"), url) or url
    links, anchors = _links(root, base)
    canonical_tag = _first(root.xpath("//link[@href][contains(concat(' ', normalize-space(@rel), ' '), ' canonical ')]"))
    canonical = normalize_url(canonical_tag.get("href"), base) if canonical_tag is not None else None
    follow = "nofollow" not in robots
    if "noindex" in robots:
        return ParsedPage(None, links if follow else (), canonical, follow, anchors if follow else ())

    title_tag = _first(root.iter("title"))
    page_title = _joined_text(title_tag) if title_tag is not None else ""
    description = _meta(root, "description")
    section = _breadcrumb(root)
    main = _main_content(root)
    heading = _page_heading(root, main)
    lang = _declared_lang(root, main)

    office_export = _is_office_export(root)
    # trafilatura reads a copy of the whole page; sotehaku's chrome is then left out of what it finds.
    extracted = None if office_export else maintext.extract(root, url, main)
    chrome: list[str] = []
    _remove_boilerplate(root, keep=(main, heading), chrome=chrome)
    if heading is None:  # Word's Title style, when a Word export has no h1
        heading = _first(root.xpath("//*[contains(concat(' ', normalize-space(@class), ' '), ' MsoTitle ')]"))
    if heading is not None:
        _split_heading(heading)
    title = _joined_text(heading) if heading is not None else _strip_site_suffix(page_title)
    sure = _sure_elements(main, heading, captions=lang in CAPTION_LANGUAGES)
    if heading is not None and heading is not root:
        _drop(heading)  # the title has its own field; repeating it would open every snippet with it
    headings = tuple(t for h in main.iter("h2", "h3") if (t := _joined_text(h)))
    # Read after the chrome is gone, so that dates of comments and related articles do not count.
    markup_dates = _markup_dates(root, main)
    # A line with a labelled date ("Julkaistu 19.12.2022 Kirjoittaja Viestintä") is the page's own byline.
    lines = [(line, is_sure or DATE_LINE.search(line) is not None) for line, is_sure in _visible_lines(main, sure)]
    own_text = "\n".join(line for line, _ in lines)
    dates = [(kind, date) for kind, date, _ in _labelled_date_lines(own_text)] + markup_dates
    if not any(date for _, date in dates):
        dates = _page_update_dates(html)
    text = maintext.merge(lines, extracted, left_out=[title, *chrome], lead=description)
    doc_url = normalize_url(url) or url
    document = Document(
        id=doc_url,
        url=doc_url,
        title=title or doc_url,
        text=_drop_date_lines(text),
        lang=lang or detect_language(text),
        visibility=visibility,
        updated=_best_date(dates),
        source=source,
        section=section,
        description=description,
        headings=headings,
        content_type="text/html",
    )
    return ParsedPage(document, links if follow else (), canonical, follow, anchors if follow else ())


def _text_document(text: str, url: str, *, source: str, visibility: str) -> Document:
    text = _clean_text(text)
    if not text:
        raise ParseError(f"{url}: empty text")
    return plain_document(text, url, content_type="text/plain", source=source, visibility=visibility)


def plain_document(
    text: str, url: str, *, content_type: str, source: str, visibility: str, title: str = "", updated=None,
    headings: tuple[str, ...] = (),
) -> Document:
    """A document of text without markup (PDF, DOCX, plain text): titled by its first line unless a title is given."""
    doc_url = normalize_url(url) or url
    return Document(
        id=doc_url, url=doc_url, title=title or text.split("\n", 1)[0][:200], text=text, lang=detect_language(text),
        visibility=visibility, updated=updated, source=source, content_type=content_type, headings=headings,
    )


def date_line(text: str) -> tuple[dt.date | None, str | None]:
    """The date of the text's "Päivitetty: 31.10.2022"-style line, and the matched words.

    An update beats a publication and a publication a meeting date; of one kind, the latest wins.

    >>> date_line("Julkaistu 1.2.2023. Teksti.")
    (datetime.date(2023, 2, 1), 'Julkaistu 1.2.2023')
    >>> date_line("Julkaistu 1.2.2023 | Päivitetty 5.3.2023 klo 9.10")
    (datetime.date(2023, 3, 5), 'Päivitetty 5.3.2023 klo 9.10')
    """
    best = min(_labelled_date_lines(text), key=_date_rank, default=None)
    return (best[1], best[2]) if best else (None, None)


def detect_language(text: str) -> str:
    """Guess fi, sv or en from common function words; Finnish when unsure.

    >>> detect_language("Vården och omsorgen är en del av välfärdsområdet")
    'sv'
    """
    words = re.findall(r"[a-zåäö]+", text[:5000].lower())
    scores = {lang: sum(1 for w in words if w in markers) for lang, markers in LANG_MARKERS.items()}
    best = max(scores, key=lambda lang: (scores[lang], lang == DEFAULT_LANGUAGE))
    return best if scores[best] > 0 else DEFAULT_LANGUAGE


def _decode(content: bytes, declared: str | None, *, markup: bool = True) -> str:
    """Decode page bytes as a browser would, except that the bytes overrule a label they contradict.

    Servers and old pages often mislabel: bytes that are valid UTF-8 are UTF-8 whatever the label says
    (Latin-1 text is practically never valid UTF-8); otherwise the declared legacy charset applies (HTTP header
    first, then the page's own <meta>), or windows-1252 when the only label is a wrong "utf-8".

    >>> _decode("Päätös".encode("utf-8"), "iso-8859-1")
    'Päätös'
    >>> _decode("Päätös 5 €".encode("cp1252"), "utf-8")
    'Päätös 5 €'
    """
    for bom, codec in BOMS:
        if content.startswith(bom):
            return content[len(bom):].decode(codec, errors="replace")
    labels = [declared, _declared_encoding(content) if markup else None]
    legacy = next((c for c in map(_codec, labels) if c and not c.startswith("utf")), "cp1252")
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if not _is_single_byte(legacy):
        return content.decode(legacy, errors="replace")
    # Only the bytes that are not UTF-8 are read as the legacy charset, so that a UTF-8 page with one stray
    # byte keeps its other letters; in a legacy page the two readings agree.
    def legacy_text(stray: re.Match) -> str:
        return stray.group().encode("utf-8", "surrogateescape").decode(legacy, errors="replace")

    return re.sub("[\udc80-\udcff]+", legacy_text, content.decode("utf-8", errors="surrogateescape"))


def _declared_encoding(content: bytes) -> str | None:
    """The encoding a page's own <meta> declares, by Beautiful Soup's detector. Imported here: bs4
    (with soupsieve) is a third of a second of every command's start, and only pages need it."""
    from bs4.dammit import EncodingDetector

    return EncodingDetector.find_declared_encoding(content, is_html=True)


def _codec(label: str | None) -> str | None:
    """Python's name for a charset label; ISO-8859-1 and ASCII read as windows-1252, as browsers read them.

    Labels of codecs that are not text encodings ("hex", "base64", "rot13") or that cannot replace bad bytes
    ("idna") name no charset a page can be in.

    >>> _codec("latin1"), _codec("hex"), _codec("idna"), _codec("x-no-such")
    ('cp1252', None, None, None)
    """
    try:
        info = codecs.lookup(label.strip().strip("\"'")) if label else None
    except LookupError:
        return None
    if info is None or not getattr(info, "_is_text_encoding", True) or info.name in NOT_PAGE_CODECS:
        return None
    return "cp1252" if info.name in ("iso8859-1", "ascii") else info.name


@functools.lru_cache(maxsize=None)
def _is_single_byte(codec: str) -> bool:
    """Whether every byte is one character (windows-1252, ISO-8859-15), unlike Shift JIS or GB18030."""
    return len(bytes(range(0x80, 0x100)).decode(codec, errors="replace")) == 0x80


def _first(items):
    return next(iter(items), None)


def _classes(el) -> list[str]:
    return (el.get("class") or "").split()


def _joined_text(el) -> str:
    """An element's text pieces, each stripped, joined by single spaces (BeautifulSoup's get_text(" ", strip=True))."""
    return " ".join(s for s in (piece.strip() for piece in el.itertext()) if s)


def _drop(el) -> None:
    """Remove an element and what it holds, keeping the text that follows it."""
    if el.getparent() is not None:
        el.drop_tree()


def _ancestors(el) -> list:
    return [el, *el.iterancestors()]


def _sure_elements(main, heading, captions: bool = False) -> frozenset:
    """Elements of the main content whose text is content by its kind, whatever trafilatura says of it (see
    corpus/maintext.py): data cells, definition lists, collapsed accordion panels and their questions, a lead,
    the items of a list without links, and what stands just above the page's heading in its container (a
    kicker, a decision's number and meeting date)."""
    sure = set()
    for el in main.iter():
        if not isinstance(el.tag, str):
            continue
        if el.tag in ("td", "th"):
            if _first(el.iter(*LAYOUT_CELL_TAGS)) is None:
                sure.add(el)
        elif el.tag in SURE_TAGS or (captions and el.tag == "figcaption"):
            sure.add(el)
        elif any(_is_lead_token(c) for c in _classes(el)):
            sure.add(el)
        elif el.get("hidden") is not None or el.get("aria-hidden") == "true":
            sure.add(el)  # a collapsed panel: boilerplate of this kind went with _is_boilerplate
            toggle = el.getprevious()
            if toggle is not None and toggle.tag in HEADING_TAGS:
                sure.add(toggle)
        elif el.tag in ("ul", "ol") and _first(el.iter("a")) is None:
            sure.add(el)
    if heading is not None and heading.getparent() is not None:
        sure.update(el for el in heading.itersiblings(preceding=True) if not _is_dateline(_joined_text(el)))
    return frozenset(sure)


def _is_dateline(text: str) -> bool:
    """A date (and time) with at most two words beside it: "Publikacja: 04.05.2021", "Energie 12.12.2022, 08:30 Uhr"
    is the page's metadata, not a kicker.

    >>> _is_dateline("02.02.2022 A-Frauen"), _is_dateline("Päijät-Häme"), _is_dateline("Pöytäkirja 19/2023 § 312")
    (True, False, False)
    """
    if not NUMERIC_DATE.search(text):
        return False
    return len(re.findall(r"[^\W\d_][\w-]*", CLOCK.sub(" ", NUMERIC_DATE.sub(" ", text)))) <= 2


@functools.lru_cache(maxsize=8192)
def _is_lead_token(name: str) -> bool:
    return bool(LEAD_WORDS.search(_words(name)))


def _is_office_export(root) -> bool:
    """A page saved from Word or LibreOffice: the whole body is the document, with no site around it."""
    metas = root.iter("meta")
    generator = next((m.get("content") or "" for m in metas if (m.get("name") or "").lower() == "generator"), "")
    return generator.lower().startswith(OFFICE_GENERATORS)


def _main_content(root):
    """The element that holds the page's own text: <main>, else the article with the h1, else the body.

    Of articles without an h1 the one with the most text wins: the first is often a teaser.
    """
    main = _first(root.iter("main"))
    if main is None:
        main = _first(root.xpath("//*[@role='main']"))
    if main is not None:
        return _text_holder(main)
    articles = list(root.iter("article"))
    article = next((a for a in articles if _first(a.iter("h1")) is not None), None)
    if article is None and articles:
        article = max(articles, key=lambda a: len(a.text_content().strip()))
    if article is not None:
        return article
    body = _first(root.iter("body"))
    return _text_holder(body) if body is not None else root


def _text_holder(body):
    """The deepest element that holds nearly all of the body's paragraph text, or the body.

    A page without <main> or <article> still has its text in one column; menus, footers and side boxes
    around it hold little of the paragraph text.
    """
    total = _paragraph_text(body)
    if not total:
        return body
    holder = body
    while True:
        best = max((c for c in holder if c.tag in HOLDER_TAGS), key=_paragraph_text, default=None)
        if best is None or _paragraph_text(best) < TEXT_HOLDER_SHARE * total:
            return holder
        holder = best


def _paragraph_text(el) -> int:
    return sum(len(p.text_content().strip()) for p in el.iter("p"))


def _page_heading(root, main):
    """The page's own h1: the first in the main content, else the first outside site chrome (a logo may be an h1)."""
    content = set(_ancestors(main))
    for h1 in (*main.iter("h1"), *root.iter("h1")):
        if _joined_text(h1) and not _in_chrome(h1, below=content):
            return h1
    return None


def _in_chrome(el, below: set) -> bool:
    """Whether an element is, or is inside, chrome that is not itself around the content (`below`)."""
    for t in _ancestors(el):
        if t in below:
            return False
        if _is_chrome_tag(t):
            return True
    return False


def _split_heading(heading) -> None:
    """Move what a heading swallowed out after it: unlike browsers, lxml ignores the "</h2>" of "<h1>…</h2>"."""
    children = list(heading)
    first = next(
        (i for i, c in enumerate(children) if c.tag in SWALLOWED or _first(c.iter(*SWALLOWED)) is not None), None
    )
    if first is None or heading.getparent() is None:
        return
    anchor = heading
    for child in children[first:]:
        anchor.addnext(child)
        anchor = child


def _remove_boilerplate(root, keep: tuple, chrome: list[str] | None = None) -> None:
    """Remove site chrome, but never the main content, the page heading, or anything that holds them.

    The text of what goes as chrome by element or role (menus, banners, footers, side columns) is added to
    `chrome`, so that corpus/maintext.py leaves it out of trafilatura's text too.
    """
    kept = {t for el in keep if el is not None for t in _ancestors(el)}
    stack = [root]
    while stack:
        el = stack.pop()
        for child in list(el):
            if not isinstance(child.tag, str):
                continue
            if child not in kept and _is_boilerplate(child):
                if chrome is not None and child.tag not in NO_TEXT_TAGS and _is_certain_chrome(child):
                    chrome.append(child.text_content())
                _drop(child)
            else:
                stack.append(child)


def _is_certain_chrome(el) -> bool:
    """Whether chrome is chrome beyond doubt, so that trafilatura's text leaves it out too: not when only a
    word of WEAK_CHROME_WORDS named it (trafilatura's evaluation finds main text under such names)."""
    if _is_chrome_tag(el) or _is_chrome_by_text(el):
        return True
    names = [*_classes(el), el.get("aria-label") or "", el.get("id") or ""]
    words = {m.group(0) for n in names if n and (m := BOILERPLATE_WORDS.search(_words(n)))}
    return not words or not words <= WEAK_CHROME_WORDS or len(el.text_content()) < WEAK_CHROME_TEXT


def _is_boilerplate(el) -> bool:
    if el.tag in ("html", "body", "main") or (not el.attrib and el.tag not in CHROME_WITHOUT_NAMES):
        return False
    if _is_chrome_tag(el) or MSO_HIDDEN.search(el.get("style") or "") or _is_chrome_by_text(el):
        return True
    if el.get("aria-hidden") == "true" and _first(el.iter("p", "dd", "table")) is None:
        return True  # icons and duplicates; a collapsed accordion panel is also aria-hidden but holds text
    names = [*_classes(el), el.get("aria-label") or ""]
    if el.tag not in ANCHOR_TAGS:
        names.append(el.get("id") or "")
    kinds = [_name_kind(name) for name in names if name]
    if "chrome" in kinds or ("link-bar" in kinds and _link_share(el) > 0.5):
        return True
    return el.tag in ("ul", "ol") and len(el.findall("li")) >= LINK_LIST_ITEMS and _link_share(el) > LINK_LIST_SHARE


@functools.lru_cache(maxsize=8192)
def _name_kind(name: str) -> str:
    """ "chrome" for a class token, id or label that names chrome, "link-bar" for one that names a bar of links
    only when it is mostly links, "" otherwise; cached, since a site repeats its class names on every page."""
    if _is_chrome_token(name):
        return "chrome"
    return "link-bar" if LINK_BAR_NAMES.fullmatch(_words(name)) else ""


def _is_chrome_by_text(el) -> bool:
    """A photo credit in a caption, a print or other script link, a link back to the top, to print or to feedback."""
    if el.tag == "figcaption":
        return bool(CREDIT.match(el.text_content().strip()))
    if el.tag == "a":
        href = (el.get("href") or "").strip().lower()
        return href.startswith("javascript:") or bool(SITE_TOOL_LINK.fullmatch(el.text_content().strip()))
    return False


def _link_share(el) -> float:
    """The share of an element's text that is link text; 1 for an element with no text (a logo)."""
    text = len("".join(el.text_content().split()))
    return sum(len("".join(a.text_content().split())) for a in el.iter("a")) / text if text else 1.0


def _is_chrome_tag(el) -> bool:
    """Site chrome by element or ARIA role: menus, banners, footers, forms, scripts."""
    if not isinstance(el.tag, str):
        return False
    if el.get("role") in BOILERPLATE_ROLES:
        return True
    if el.tag not in BOILERPLATE_TAGS:
        return False
    if el.tag in ("header", "footer"):
        return not any(a.tag in ("article", "main") for a in el.iterancestors())  # an article's own header
    if el.tag == "form":
        return _first(el.iter("h1", "main")) is None  # ASP.NET wraps the whole page in one form
    if el.tag == "button":
        return not any(a.tag in ("h2", "h3", "h4", "h5", "h6") for a in el.iterancestors())  # an accordion's question
    return True


def _is_chrome_token(name: str) -> bool:
    """Whether one class token, id or label names chrome ("sidebar-menu" does, "content-with-sidebar" does not).

    >>> [_is_chrome_token(n) for n in ("sidebar-menu", "shareButtons", "content-with-sidebar", "header", "lang-sv")]
    [True, True, False, False, False]
    """
    words = _words(name)
    return bool(BOILERPLATE_WORDS.search(words)) and not LAYOUT_WORDS.intersection(words.split("-"))


@functools.lru_cache(maxsize=16384)
def _words(name: str) -> str:
    """A class token, id or label as lower-case words joined by "-": "shareButtons_top" -> "share-buttons-top"."""
    return re.sub(r"([a-z0-9])([A-Z])", r"\1-\2", name.strip()).lower().replace("_", "-").replace(" ", "-")


def _visible_text(main) -> str:
    """The text of a container, one line per block; table cells side by side, so a row reads as a line."""
    return "\n".join(line for line, _ in _visible_lines(main, frozenset()))


def _visible_lines(main, sure: frozenset) -> list[tuple[str, bool]]:
    """The lines of a container's text, each with whether it comes from an element of `sure` (or one inside)."""
    # A cell's only paragraph (Word puts every cell in a <p>) does not break its row.
    cell_paragraphs = set()
    for cell in main.iter("td", "th"):
        blocks = [b for b in cell.iter(*BLOCK_TAGS) if b is not cell]
        if len(blocks) == 1:
            cell_paragraphs.add(blocks[0])
    parts: list[tuple[str, bool]] = []
    _write_text(main, parts, cell_paragraphs, in_pre=False, sure=sure, in_sure=main in sure)
    lines: list[tuple[str, bool]] = []
    line: list[str] = []
    line_sure = False
    for piece, piece_sure in [*parts, ("\n", False)]:
        if piece == "\n":
            text = _clean_text("".join(line))
            if text:
                lines.append((text, line_sure))
            line, line_sure = [], False
        else:
            line.append(piece)
            line_sure = line_sure or (piece_sure and bool(piece.strip()))
    return lines


def _write_text(el, parts: list, cell_paragraphs: set, in_pre: bool, sure: frozenset, in_sure: bool) -> None:
    # Source line breaks inside a paragraph (Word wraps its HTML at 80 columns) are not line breaks on the page.
    in_pre = in_pre or el.tag == "pre"
    in_sure = in_sure or el in sure
    block = el.tag in BLOCK_TAGS and el not in cell_paragraphs
    if block:
        parts.append(("\n", False))
    if el.text:
        parts.append((el.text if in_pre else WHITESPACE.sub(" ", el.text), in_sure))
    for child in el:
        if isinstance(child.tag, str):
            _write_text(child, parts, cell_paragraphs, in_pre, sure, in_sure)
        if child.tail:
            parts.append((child.tail if in_pre else WHITESPACE.sub(" ", child.tail), in_sure))
    if block:
        parts.append(("\n", False))
    if el.tag in ("td", "th"):
        parts.append((" ", in_sure))


def _strings(el, skip: set):
    """The text pieces of an element in order, leaving out those inside `skip` elements."""
    if el in skip:
        return
    if el.text:
        yield el.text
    for child in el:
        if isinstance(child.tag, str):
            yield from _strings(child, skip)
        if child.tail:
            yield child.tail


def _breadcrumb(root) -> str:
    """The breadcrumb trail as "Etusivu > Palvelut > Kotihoito", or "" when the page has none."""
    # The names are read as strings in document order, so that only an element with a matching name is touched.
    crumbs = next(
        (el for name in root.xpath("//@class|//@id|//@aria-label|//@itemtype")
         if BREADCRUMB.search(name) and (el := name.getparent()).tag not in ("html", "body", "main", "article")),
        None,
    )
    if crumbs is None:
        return ""
    hidden = {el for el in crumbs.iter() if isinstance(el.tag, str) and HIDDEN_TEXT.search(el.get("class") or "")}
    items = [_joined_text(li) for li in crumbs.iter("li")] or list(_strings(crumbs, hidden))
    items = [WHITESPACE.sub(" ", item).strip(CRUMB_SEPARATORS) for item in items]
    return " > ".join(i for i in items if i and not BREADCRUMB.fullmatch(i))


def _strip_site_suffix(title: str) -> str:
    """'Kotihoito | Päijät-Hämeen hyvinvointialue' -> 'Kotihoito': the site's name is not the page's title."""
    for separator in TITLE_SEPARATORS:
        if separator in title:
            return title.rsplit(separator, 1)[0].strip()
    return title.strip()


def _declared_lang(root, main) -> str:
    """The language the page declares: on its main content, body or root (Word puts it on <body>), or in a meta tag."""
    for el in (main, _first(root.iter("body")), root):
        if el is not None:
            code = _lang_code(el.get("lang") or el.get("xml:lang") or el.get(XML_LANG) or "")
            if code:
                return code
    meta = next((m for m in root.iter("meta") if (m.get("http-equiv") or "").lower() == "content-language"), None)
    return _lang_code((meta.get("content") or "").split(",")[0]) if meta is not None else ""


def _links(root, base: str) -> tuple[tuple[str, ...], tuple[tuple[str, str], ...]]:
    """The page's followed links, each distinct one once, and (URL, text) of each distinct link text: its
    words, or for a link without words (an image, an icon) its aria-label, title or image alt text; at most
    MAX_LINK_TEXTS per page, each text cut to MAX_LINK_TEXT_CHARS, so that a page of 100,000 links costs no
    more than a normal one. One walk over the links; a page repeats its menus' links, and each distinct
    href is normalised once."""
    normalised: dict[str, str | None] = {}
    texts: dict[tuple[str, str], None] = {}
    for a in root.iter("a"):
        href = a.get("href")
        if href is None or "nofollow" in (a.get("rel") or "").split():
            continue
        url = normalised.get(href, "")
        if url == "":
            url = normalised[href] = normalize_url(href, base)
        if url and len(texts) < MAX_LINK_TEXTS:
            text = " ".join(a.text_content().split()) or _link_label(a)
            if text:
                texts.setdefault((url, text[:MAX_LINK_TEXT_CHARS]), None)
    links = tuple(dict.fromkeys(url for url in normalised.values() if url))
    return links, tuple(texts)


def _link_label(a) -> str:
    """What a link without words is called: its aria-label or title, or its images' alt texts."""
    label = a.get("aria-label") or a.get("title") or " ".join(img.get("alt") or "" for img in a.iter("img"))
    return " ".join(label.split())


def _meta(root, name: str) -> str:
    metas = list(root.iter("meta"))
    tag = next((m for m in metas if m.get("name") == name), None)
    if tag is None:
        tag = next((m for m in metas if m.get("property") == f"og:{name}"), None)
    return (tag.get("content") or "").strip() if tag is not None else ""


def _markup_dates(root, main) -> list[tuple[str, dt.date | None]]:
    """Dates of meta tags and of <time> tags in the main content, each with its kind (update or publication)."""
    kinds = {name: kind for kind, names in META_DATES.items() for name in names}
    found = []
    tags = [m for m in root.iter("meta") if m.get("content") is not None]
    tags += [t for t in main.iter("time") if t.get("itemprop") is not None and t.get("datetime") is not None]
    for tag in tags:
        key = next((tag.get(a) for a in ("name", "property", "http-equiv", "itemprop") if tag.get(a)), "")
        kind = kinds.get(key.lower())
        if kind:
            found.append((kind, _any_date(tag.get("content") or tag.get("datetime") or "")))
    first_time = _first(t for t in main.iter("time") if t.get("datetime") is not None)
    if first_time is not None:
        found.append(("publication", _any_date(first_time.get("datetime"))))  # a byline's date, as a last resort
    return found


def _labelled_date_lines(text: str):
    """(kind, date, words) of each labelled date in the text, in order."""
    for match in _date_line_matches(text):
        date = _date(match["year"], match["month"], match["day"])
        if date:
            yield next(kind for kind in DATE_KINDS if match[kind]), date, match.group(0)


def _date_line_matches(text: str):
    """DATE_LINE.finditer(text), found from the digits of each date back to its label.

    >>> [m.group(0) for m in _date_line_matches("x 1.1.2020 Päivitetty: 31.10.2022 klo 9.15, julkaistu 1.2.2021")]
    ['Päivitetty: 31.10.2022 klo 9.15', 'julkaistu 1.2.2021']
    """
    end = 0
    for tail in DATE_TAIL.finditer(text):
        if tail.start() < end:
            continue
        start = max(end, tail.start() - 2 - LABEL_REACH)  # the day's one or two digits, the label before them
        while (near := DATE_LINE.search(text, start, tail.end())) is not None:
            match = DATE_LINE.match(text, near.start())  # again without the window's end: the time after the date
            start = end = match.end()
            yield match


def _page_update_dates(html: str) -> list[tuple[str, dt.date | None]]:
    """ "Päivitetty 14.9.2022" anywhere in the page's markup, for a page whose content has no date: a CMS often
    says when the page was updated in a footer line (SharePoint's pageFooterInfo). Only updates: a publication
    date outside the content is more often a related article's or a comment's."""
    return [(kind, date) for kind, date, _ in _labelled_date_lines(html) if kind == "update"]


def _best_date(dates: list[tuple[str, dt.date | None]]) -> dt.date | None:
    """The latest date of the best kind: updated over published over the meeting date."""
    best = min(((kind, date) for kind, date in dates if date), key=_date_rank, default=None)
    return best[1] if best else None


def _date_rank(kind_date: tuple) -> tuple[int, int]:
    return DATE_RANK[kind_date[0]], -kind_date[1].toordinal()


def _drop_date_lines(text: str) -> str:
    """Remove lines of nothing but update and publication dates: metadata, not content.

    >>> _drop_date_lines("Julkaistu 1.2.2023 | Päivitetty 5.3.2023\\nTeksti, päivitetty 6.3.2023.")
    'Teksti, päivitetty 6.3.2023.'
    """
    def is_date_line(line: str) -> bool:
        matches = list(DATE_LINE.finditer(line))
        only_dates = bool(DATE_LINE_REST.fullmatch(DATE_LABEL.sub("", DATE_LINE.sub("", line), count=1)))
        return only_dates and bool(matches) and not any(m["meeting"] for m in matches)  # minutes keep their meeting

    return "\n".join(line for line in text.split("\n") if not is_date_line(line))


def _any_date(value: str) -> dt.date | None:
    """A date from ISO 8601, "14.3.2022" or an HTTP date ("Tue, 14 Mar 2023 10:00:00 GMT")."""
    value = value.strip()
    finnish = re.fullmatch(r"(\d{1,2})\.(\d{1,2})\.(\d{4})", value)
    if finnish:
        return _date(finnish.group(3), finnish.group(2), finnish.group(1))
    if re.match(r"\d{4}-\d{2}-\d{2}", value):
        return _iso_date(value)
    try:
        return email.utils.parsedate_to_datetime(value).date()
    except (TypeError, ValueError, IndexError):
        return None


def _iso_date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value.strip()[:10])
    except ValueError:
        return None


def _date(year: str, month: str, day: str) -> dt.date | None:
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError:
        return None


def _lang_code(value: str) -> str:
    code = value.strip().lower().replace("_", "-").split("-")[0]
    return code if re.fullmatch(r"[a-z]{2,3}", code) else ""


def _charset(content_type: str) -> str | None:
    match = re.search(r"charset\s*=\s*[\"']?([\w.:-]+)", content_type or "", re.I)
    return match.group(1) if match else None


def _clean_text(text: str) -> str:
    if "\xad" in text or "\u200b" in text or "\ufeff" in text:  # soft hyphens and zero-width spaces
        text = text.translate(INVISIBLE)
    lines = (" ".join(line.split()) for line in text.split("\n"))  # str.split's whitespace is re's \s
    return "\n".join(line for line in lines if line)
