"""Parsing: bytes and a URL in, a Document and its outgoing links out; never touches the network."""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass

from bs4 import BeautifulSoup, Tag

from corpus import CorpusError
from corpus.document import Document
from corpus.office import DOCX_TYPE, parse_docx
from corpus.urls import normalize_url

# Containers that hold site chrome rather than the page's own text.
BOILERPLATE_TAGS = ("script", "style", "noscript", "template", "header", "footer", "nav", "aside", "form", "iframe", "svg", "button")
BOILERPLATE_ROLES = ("navigation", "banner", "contentinfo", "dialog", "search", "complementary", "alertdialog")
BOILERPLATE_CLASS = re.compile(r"cookie|consent|breadcrumb|murupolku|share|related|skip-?link|sr-only|visually-hidden", re.I)
BREADCRUMB = re.compile(r"breadcrumb|murupolku|brödsmul", re.I)
BLOCK_TAGS = (
    "p", "div", "li", "ul", "ol", "dl", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table",
    "section", "article", "blockquote", "pre", "summary", "details", "figcaption", "address", "br", "hr",
)
# "Päivitetty: 31.10.2022", "Julkaistu 1.2.2023", "Uppdaterad: 3.4.2022", "Updated: 5.6.2021".
DATE_LINE = re.compile(
    r"\b(?:päivitetty|julkaistu|muokattu|uppdaterad|publicerad|updated|published)\b\s*:?\s*"
    r"(\d{1,2})\.\s?(\d{1,2})\.\s?(\d{4})",
    re.I,
)
TITLE_SEPARATORS = (" | ", " – ", " — ", " - ", " :: ")
LANG_MARKERS = {
    "fi": {"ja", "on", "ei", "että", "se", "ovat", "kanssa", "tai", "myös", "kun", "joka", "sekä", "hyvinvointialue"},
    "sv": {"och", "är", "att", "det", "som", "för", "med", "på", "av", "inte", "till", "en", "ett"},
    "en": {"the", "and", "is", "of", "to", "in", "for", "with", "that", "are", "on", "by", "this"},
}


class ParseError(CorpusError):
    """Content that cannot be turned into a document."""


@dataclass(frozen=True)
class ParsedPage:
    """A parsed page: the document (None when the page asks not to be indexed) and what the crawler needs."""

    document: Document | None
    links: tuple[str, ...] = ()
    canonical: str | None = None
    follow: bool = True


def parse_document(
    content: bytes,
    url: str,
    *,
    content_type: str = "text/html",
    source: str = "",
    visibility: str = "public",
) -> ParsedPage:
    """Parse HTML, PDF or plain text bytes fetched from `url` into a document."""
    kind = content_type.split(";")[0].strip().lower()
    if kind == "application/pdf" or content[:5] == b"%PDF-":
        return ParsedPage(parse_pdf(content, url, source=source, visibility=visibility))
    if kind == DOCX_TYPE or (kind in ("application/octet-stream", "") and url.lower().endswith(".docx")):
        return ParsedPage(parse_docx(content, url, source=source, visibility=visibility))
    if kind in ("text/html", "application/xhtml+xml", ""):
        return parse_html(content, url, source=source, visibility=visibility, encoding=_charset(content_type))
    if kind == "text/plain":
        text = content.decode(_charset(content_type) or "utf-8", errors="replace")
        return ParsedPage(_text_document(text, url, source=source, visibility=visibility))
    raise ParseError(f"{url}: unsupported content type {kind!r}")


def parse_html(
    content: bytes | str,
    url: str,
    *,
    source: str = "",
    visibility: str = "public",
    encoding: str | None = None,
) -> ParsedPage:
    """Extract title, main text, date, language, section and links from an HTML page."""
    soup = BeautifulSoup(content, "lxml", from_encoding=encoding if isinstance(content, bytes) else None)
    robots = _meta(soup, "robots").lower()
    base = url
    base_tag = soup.find("base", href=True)
    if base_tag:
        base = normalize_url(base_tag["href"], url) or url
    links = _links(soup, base)
    canonical_tag = soup.find("link", rel="canonical", href=True)
    canonical = normalize_url(canonical_tag["href"], base) if canonical_tag else None
    follow = "nofollow" not in robots
    if "noindex" in robots:
        return ParsedPage(None, links if follow else (), canonical, follow)

    html = soup.find("html")
    lang = _lang_code(html.get("lang", "") if isinstance(html, Tag) else "")
    page_title = soup.title.get_text(" ", strip=True) if soup.title else ""
    description = _meta(soup, "description")
    section = _breadcrumb(soup)
    published = _meta_date(soup)

    for tag in soup.find_all(BOILERPLATE_TAGS):
        tag.decompose()
    for tag in soup.find_all(_is_boilerplate):
        tag.decompose()
    main = soup.find("main") or soup.find(attrs={"role": "main"}) or soup.find("article") or soup.body or soup
    h1 = main.find("h1")
    title = h1.get_text(" ", strip=True) if h1 else _strip_site_suffix(page_title)
    if h1:
        h1.decompose()  # the title has its own field; repeating it would open every snippet with it
    headings = tuple(
        h.get_text(" ", strip=True) for h in main.find_all(["h2", "h3"]) if h.get_text(strip=True)
    )
    for tag in main.find_all(BLOCK_TAGS):
        tag.insert_before("\n")
        tag.append("\n")
    for cell in main.find_all(("td", "th")):
        cell.append(" ")
    text = _clean_text(main.get_text())
    updated, date_words = date_line(text)
    if date_words and date_words in text.split("\n"):
        text = _clean_text(text.replace(date_words, "", 1))  # a bare date line is metadata, not content
    doc_url = normalize_url(url) or url
    document = Document(
        id=doc_url,
        url=doc_url,
        title=title or doc_url,
        text=text,
        lang=lang or detect_language(text),
        visibility=visibility,
        updated=updated or published,
        source=source,
        section=section,
        description=description,
        headings=headings,
        content_type="text/html",
    )
    return ParsedPage(document, links if follow else (), canonical, follow)


def parse_pdf(content: bytes, url: str, *, source: str = "", visibility: str = "public") -> Document:
    """Extract the text of a PDF with pypdf; the title from its metadata or first line."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(content))
        pages = [page.extract_text() or "" for page in reader.pages]
        meta_title = (reader.metadata.title if reader.metadata else None) or ""
    except (PdfReadError, ValueError, KeyError, TypeError) as exc:
        raise ParseError(f"{url}: unreadable PDF ({exc})") from None
    text = _clean_text("\n".join(pages))
    if not text:
        raise ParseError(f"{url}: PDF has no extractable text (a scanned image?)")
    return plain_document(
        text, url, title=str(meta_title).strip(), updated=date_line(text)[0],
        content_type="application/pdf", source=source, visibility=visibility,
    )


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
    """The date of the first "Päivitetty: 31.10.2022"-style line, and the matched words.

    >>> date_line("Julkaistu 1.2.2023. Teksti.")
    (datetime.date(2023, 2, 1), 'Julkaistu 1.2.2023')
    """
    match = DATE_LINE.search(text)
    if not match:
        return None, None
    return _date(match.group(3), match.group(2), match.group(1)), match.group(0)


def detect_language(text: str) -> str:
    """Guess fi, sv or en from common function words; Finnish when unsure.

    >>> detect_language("Vården och omsorgen är en del av välfärdsområdet")
    'sv'
    """
    words = re.findall(r"[a-zåäö]+", text[:5000].lower())
    scores = {lang: sum(1 for w in words if w in markers) for lang, markers in LANG_MARKERS.items()}
    best = max(scores, key=lambda lang: (scores[lang], lang == "fi"))
    return best if scores[best] > 0 else "fi"


def _is_boilerplate(tag: Tag) -> bool:
    if tag.attrs is None:
        return False
    if tag.get("role") in BOILERPLATE_ROLES or tag.get("aria-hidden") == "true":
        return True
    return bool(BOILERPLATE_CLASS.search(_names(tag)))


def _breadcrumb(soup: BeautifulSoup) -> str:
    crumbs = soup.find(lambda t: bool(BREADCRUMB.search(_names(t))))
    if not crumbs:
        return ""
    items = [li.get_text(" ", strip=True) for li in crumbs.find_all("li")] or [
        a.get_text(" ", strip=True) for a in crumbs.find_all("a")
    ]
    return " > ".join(i for i in items if i)


def _strip_site_suffix(title: str) -> str:
    """'Kotihoito | Päijät-Hämeen hyvinvointialue' -> 'Kotihoito': the site's name is not the page's title."""
    for separator in TITLE_SEPARATORS:
        if separator in title:
            return title.rsplit(separator, 1)[0].strip()
    return title.strip()


def _names(tag: Tag) -> str:
    """Class, id and aria-label of a tag in one string, for pattern tests."""
    if tag.attrs is None:
        return ""
    return " ".join([*(tag.get("class") or []), tag.get("id") or "", tag.get("aria-label") or ""])


def _links(soup: BeautifulSoup, base: str) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for a in soup.find_all("a", href=True):
        rel = a.get("rel") or []
        if "nofollow" in rel:
            continue
        link = normalize_url(a["href"], base)
        if link:
            seen.setdefault(link, None)
    return tuple(seen)


def _meta(soup: BeautifulSoup, name: str) -> str:
    tag = soup.find("meta", attrs={"name": name}) or soup.find("meta", attrs={"property": f"og:{name}"})
    return (tag.get("content") or "").strip() if tag else ""


def _meta_date(soup: BeautifulSoup) -> dt.date | None:
    for attrs in ({"property": "article:modified_time"}, {"property": "article:published_time"}, {"name": "dcterms.modified"}):
        tag = soup.find("meta", attrs=attrs)
        if tag and tag.get("content"):
            date = _iso_date(tag["content"])
            if date:
                return date
    time_tag = soup.find("time", datetime=True)
    return _iso_date(time_tag["datetime"]) if time_tag else None


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
    match = re.search(r"charset=([\w-]+)", content_type or "", re.I)
    return match.group(1) if match else None


def _clean_text(text: str) -> str:
    lines = (re.sub(r"\s+", " ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)
