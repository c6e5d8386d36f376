"""A PDF's text layer is read within limits: a page whose content stream would keep pypdf busy for minutes
is skipped with its reason, a file over its time limit is skipped, and the reader's memory is bounded.

The hostile files are generated here with pypdf: pages whose compressed content streams hold hundreds of
thousands of text operators (a few kilobytes on disk, minutes of work for an unbounded extraction).
"""

from __future__ import annotations

import io
import time
import zlib

import pytest
from pypdf import PdfWriter
from pypdf.generic import DecodedStreamObject, DictionaryObject, EncodedStreamObject, NameObject

from corpus.formats.bounds import MB, Limits
from corpus.formats.pdf import parse_pdf
from corpus.ingest import import_directory
from corpus.parse import ParseError
from corpus.store import open_data_store

SENTENCE = "Aluehallitus hyväksyi pöytäkirjan yksimielisesti."


def pdf(*pages: bytes | EncodedStreamObject) -> bytes:
    """A PDF of pages with these content streams (compressed), in Helvetica with the Windows code page."""
    writer = PdfWriter()
    font = writer._add_object(DictionaryObject({
        NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/Type1"),
        NameObject("/BaseFont"): NameObject("/Helvetica"), NameObject("/Encoding"): NameObject("/WinAnsiEncoding"),
    }))
    for content in pages:
        page = writer.add_blank_page(595, 842)
        page[NameObject("/Resources")] = DictionaryObject({NameObject("/Font"): DictionaryObject({NameObject("/F1"): font})})
        if isinstance(content, bytes):
            stream = DecodedStreamObject()
            stream.set_data(content)
            content = stream.flate_encode()
        page[NameObject("/Contents")] = writer._add_object(content)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def text_page(text: str) -> bytes:
    return b"BT /F1 12 Tf 72 720 Td (" + text.encode("cp1252") + b") Tj ET\n"


def hostile_page(operators: int) -> bytes:
    """One text object with this many show-text operators: pypdf takes about 0.15 ms each, unbounded."""
    return b"BT /F1 12 Tf 72 720 Td " + b"(x) Tj " * operators + b"ET\n"


def test_a_page_over_its_time_limit_is_skipped_with_the_reason_and_the_rest_is_read(caplog):
    content = pdf(hostile_page(400_000), text_page(SENTENCE))
    assert len(content) < 10_000  # minutes of work in a few kilobytes
    started = time.monotonic()
    doc = parse_pdf(content, "https://x.fi/poytakirja.pdf", limits=Limits(pdf_page_seconds=1.0), ocr=False)
    assert time.monotonic() - started < 30  # the unbounded extraction of page 1 takes a minute or more
    assert SENTENCE in f"{doc.title}\n{doc.text}"
    assert doc.description == "Sivua 1 ei voitu lukea (tekstin poiminta ylitti aika- tai muistirajan)."
    assert "https://x.fi/poytakirja.pdf: page 1 skipped: reading its text took longer than 1 s" in caplog.text


def test_a_pdf_whose_only_page_is_over_the_limit_is_skipped_with_the_reason():
    with pytest.raises(ParseError, match=r"^https://x.fi/a.pdf: no text could be read from the PDF \(page 1: reading its text took longer than 1 s\)$"):
        parse_pdf(pdf(hostile_page(400_000)), "https://x.fi/a.pdf", limits=Limits(pdf_page_seconds=1.0), ocr=False)


def test_a_pdf_over_its_whole_file_limit_is_stopped_and_skipped():
    content = pdf(*[hostile_page(20_000)] * 20)  # each page within the page limit, together far over the file's
    with pytest.raises(ParseError, match=r"^https://x.fi/b.pdf: reading the PDF took longer than 1 s and was stopped$"):
        parse_pdf(content, "https://x.fi/b.pdf", limits=Limits(pdf_page_seconds=60.0, pdf_seconds=1.0), ocr=False)


def inflating_page(megabytes: int) -> EncodedStreamObject:
    """A content stream of one string that decompresses to this many megabytes (compressed a thousand times)."""
    packer = zlib.compressobj(9)
    parts = [packer.compress(b"BT /F1 12 Tf 72 720 Td (")]
    parts += [packer.compress(b"x" * MB) for _ in range(megabytes)]
    parts.append(packer.compress(b") Tj ET\n") + packer.flush())
    stream = EncodedStreamObject()
    stream[NameObject("/Filter")] = NameObject("/FlateDecode")
    stream._data = b"".join(parts)  # already compressed: set_data would compress it again
    return stream


def test_a_page_over_the_memory_limit_is_skipped_and_the_reader_stays_bounded():
    # The page's stream inflates to 300 MB, far over the 64 MB the reader's process may take: its address
    # space limit stops it with a MemoryError (or kills it), never this process.
    content = pdf(inflating_page(300), text_page(SENTENCE))
    assert len(content) < MB
    try:
        doc = parse_pdf(content, "https://x.fi/c.pdf", limits=Limits(pdf_memory=64 * MB, pdf_page_seconds=60.0), ocr=False)
    except ParseError as exc:  # the process was killed rather than given a MemoryError
        assert "memory limit" in str(exc), exc
    else:
        assert SENTENCE in f"{doc.title}\n{doc.text}"
        assert doc.description.startswith("Sivua 1 ei voitu lukea")


def test_a_hostile_pdf_in_a_folder_is_skipped_and_the_import_goes_on(tmp_path, monkeypatch):
    folder = tmp_path / "asiakirjat"
    folder.mkdir()
    (folder / "jumittava.pdf").write_bytes(pdf(hostile_page(400_000)))
    (folder / "poytakirja.pdf").write_bytes(pdf(text_page(SENTENCE)))
    monkeypatch.setitem(parse_pdf.__kwdefaults__, "limits", Limits(pdf_page_seconds=1.0))  # the importer's default
    with open_data_store(tmp_path / "data") as store:
        stats = import_directory(folder, store, source="asiakirjat", visibility="public")
        texts = [doc.text for doc in store.iter_documents()]
    assert stats.imported == 1 and len(stats.errors) == 1
    assert "jumittava.pdf: no text could be read from the PDF (page 1: reading its text took longer than 1 s)" in stats.errors[0]
    assert any(SENTENCE in text for text in texts)


def test_the_page_limit_holds_when_the_importing_thread_blocks_sigalrm():
    # Something earlier in the process (in the whole test suite, some library) may leave SIGALRM blocked
    # in the thread that forks; the child inherits the mask and must unblock it for its page timer.
    import signal

    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
    try:
        doc = parse_pdf(pdf(hostile_page(100_000), text_page(SENTENCE)), "https://x.fi/d.pdf",
                        limits=Limits(pdf_page_seconds=0.5), ocr=False)
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)
    assert doc.description.startswith("Sivua 1 ei voitu lukea")


def test_a_page_limit_swallowed_in_a_finalizer_still_stops_the_page():
    # The first SIGALRM of a page can land in a __del__ the garbage collector runs, where Python only
    # reports the exception; the timer repeats, so a later one stops the page (seen in the whole suite,
    # whose forked children inherit a large heap).
    import signal

    from corpus.formats import pdf as pdf_module

    def busy(seconds: float) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            pass

    class SlowFinalizer:
        def __del__(self):
            busy(0.3)  # the limit (0.1 s) passes in here

    def work():
        SlowFinalizer()  # collected at once: its __del__ runs first
        busy(3.0)
        return "read whole"

    previous = signal.signal(signal.SIGALRM, pdf_module._overrun)
    started = time.monotonic()
    try:
        with pytest.raises(pdf_module._PageOverrun):
            pdf_module._limited(0.1, work)
    finally:
        signal.signal(signal.SIGALRM, previous)
    assert time.monotonic() - started < 2.0
