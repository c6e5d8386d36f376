"""Importers hold what they parse to the crawler's limits: a huge page in a WARC record is skipped with a reason."""

from __future__ import annotations

import io

from hostile import gzip_bomb
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from corpus.ingest import import_warc
from corpus.store import CorpusStore


def test_warc_record_holding_a_gzip_bomb_page_is_skipped_and_the_next_one_imported(tmp_path):
    """Before, a record of 50 MB expanded took 583 s and 4.7 GB to import as one page of NULs."""
    archive = tmp_path / "arkisto.warc.gz"
    with archive.open("wb") as out:
        writer = WARCWriter(out, gzip=True)
        for url, headers, body in (
            ("http://a.fi/pommi", [("Content-Type", "text/html"), ("Content-Encoding", "gzip")], gzip_bomb(50 << 20)),
            ("http://a.fi/sivu", [("Content-Type", "text/html; charset=utf-8")],
             "<html lang=fi><body><main><h1>Sivu</h1><p>Asiakasmaksut vahvistettiin.</p></main></body></html>".encode()),
        ):
            http = StatusAndHeaders("200 OK", headers, protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=http))
    store = CorpusStore(tmp_path / "c.sqlite3")
    stats = import_warc(archive, store, source="arkisto", visibility="public")
    assert store.ids() == ["http://a.fi/sivu"]
    assert stats.errors == [f"{archive}: http://a.fi/pommi: over 10.0 MB of markup"]
