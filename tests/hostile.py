"""Hostile input for the tests and the benchmark: bombs, drips, deep nesting, odd encodings, broken files.

`hostile_routes()` is a whole hostile site for FaultServer: every trap is linked from the front page
before one normal page, which a crawl must still store.
"""

from __future__ import annotations

import dataclasses
import functools
import io
import zipfile
import zlib
from pathlib import Path

from fault_server import FaultServer, Reply, page

from corpus.crawl import Crawler
from corpus.sample import SAMPLE_SITE_DIR
from corpus.sources import Source
from corpus.store import open_data_store

HTML = "text/html; charset=utf-8"
TEXT = "text/plain"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
NORMAL_TEXT = "Hyvinvointialueen asiakasmaksut vahvistettiin kokouksessa."


@functools.lru_cache(maxsize=4)
def gzip_bomb(expanded: int, chunk: bytes = b"\0" * (1 << 20)) -> bytes:
    """Gzip data of `expanded` zero bytes (about 230 times smaller), compressed piece by piece to stay small."""
    packer = zlib.compressobj(1, zlib.DEFLATED, 16 + zlib.MAX_WBITS)  # level 1: 4 times faster to build
    out = []
    for _ in range(expanded // len(chunk)):
        out.append(packer.compress(chunk))
    out.append(packer.flush())
    return b"".join(out)


@functools.lru_cache(maxsize=2)
def docx_bomb(expanded: int) -> bytes:
    """A DOCX whose word/document.xml expands to `expanded` bytes of one repeated paragraph."""
    paragraph = b"<w:p><w:r><w:t>Pommi</w:t></w:r></w:p>"
    head = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>')
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/word/document.xml" ContentType="{DOCX_TYPE}.main+xml"/></Types>'))
        archive.writestr("_rels/.rels", (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
            'Target="word/document.xml"/></Relationships>'))
        with archive.open("word/document.xml", "w") as member:
            member.write(head)
            block = paragraph * (1 << 14)
            for _ in range(max(1, expanded // len(block))):
                member.write(block)
            member.write(b"</w:body></w:document>")
    return out.getvalue()


def nested_html(depth: int, text: str = "Syvällä.") -> str:
    """A page of `depth` nested <div>s around one sentence."""
    return f'<!doctype html><html lang="fi"><body>{"<div>" * depth}{text}{"</div>" * depth}</body></html>'


def robots_utf16(rules: str) -> bytes:
    """robots.txt encoded as UTF-16 with its byte order mark, as Windows editors save it."""
    return rules.encode("utf-16")


def hostile_routes(base: str, *, bomb_bytes: int = 100 << 20, drip: float = 0.05) -> dict:
    """Every trap of the hostile site (for a server at `base`), then one normal page linked last."""
    pdf = (SAMPLE_SITE_DIR / "liitteet" / "palveluseteli-saantokirja.pdf").read_bytes()
    traps = {
        "/pommi.html": Reply(gzip_bomb(bomb_bytes), headers={"Content-Type": HTML, "Content-Encoding": "gzip"}),
        "/muistio.docx": Reply(docx_bomb(bomb_bytes), headers={"Content-Type": DOCX_TYPE}),
        "/tippuva.html": Reply(page("Tippuva", "Tavu kerrallaan " * 40), drip=drip),
        "/tippuvat-otsakkeet.html": Reply(page("Otsakkeet", "Hidas alku."), drip=drip, drip_headers=True),
        "/sisakkain.html": Reply(nested_html(200_000)),
        "/katkennut.pdf": Reply(pdf[: len(pdf) // 2], headers={"Content-Type": "application/pdf"}),
        "/roskaa.pdf": Reply(b"%PDF-1.7\n" + bytes(range(256)) * 64, headers={"Content-Type": "application/pdf"}),
        "/rikki.docx": Reply(b"PK\x03\x04" + b"\0" * 4000, headers={"Content-Type": DOCX_TYPE}),
        "/salainen.html": Reply(page("Salainen", "robots.txt kieltää tämän sivun.")),
    }
    front = Reply(page("Etusivu", "Vihamielinen testisivusto.", (*traps, "/tavallinen.html")))
    return {
        "/": front,
        "/robots.txt": Reply(
            robots_utf16(f"User-agent: *\nDisallow: /salainen.html\nSitemap: {base}/sitemap.xml.gz\n"),
            headers={"Content-Type": TEXT},
        ),
        "/sitemap.xml.gz": Reply(gzip_bomb(bomb_bytes), headers={"Content-Type": "application/gzip"}),
        **traps,
        "/tavallinen.html": Reply(page("Tavallinen sivu", NORMAL_TEXT)),
    }


def crawl(server: FaultServer, data_dir: Path, *, start: str = "/", **options):
    """Crawl a FaultServer from one path with short timeouts and quick retries; return (stats, {path: document})."""
    fields = {"timeout": 0.5, "retries": 1}
    fields.update({k: v for k, v in options.items() if k in ("timeout", "retries", "max_pages")})
    source = dataclasses.replace(Source.for_url(server.url + start), **fields)
    crawler_options = {k: v for k, v in options.items() if k in ("max_bytes", "deadline", "progress")}
    with open_data_store(data_dir) as store:
        stats = Crawler(source, store, backoff=0.05, **crawler_options).run()
        docs = {doc.url.removeprefix(server.url): doc for doc in store.iter_documents()}
    return stats, docs
