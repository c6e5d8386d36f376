"""PDF files: the text layer read with pypdf, and pages without one read by OCR (corpus.formats.ocr).

pypdf is pure Python and has no limit of its own: a page whose content stream holds millions of operators
can keep it busy for minutes, and a damaged file can make it build huge objects. So the text layer is read
in a forked child process (pypdf is loaded before the fork, so a child costs milliseconds; a bare fork
that ends in os._exit, so the child runs none of this process's exit handlers), where each
page has a time limit (an interval timer interrupts its extraction and the page is skipped with the
reason) and the process a memory limit; the parent stops the whole file at its own time limit. Pages come
back through a file in a temporary folder, one JSON line each.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import logging
import os
import resource
import select
import signal
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from corpus.document import Document
from corpus.formats import BY_KIND
from corpus.formats.bounds import LIMITS, MB, Limits, check_size
from corpus.formats.ocr import ocr_pdf_pages, ocr_unavailable
from corpus.formats.text import office_document
from corpus.parse import ParseError

log = logging.getLogger(__name__)
# A page with fewer characters than this in its text layer is treated as a scan (a page number or a
# stamp is all a scanner's software typically adds).
MIN_PAGE_CHARS = 20


@dataclass
class TextLayer:
    """What pypdf read of a PDF: each page's text (None for a page skipped), why pages were skipped, and metadata."""

    pages: list[str | None] = field(default_factory=list)
    skipped: dict[int, str] = field(default_factory=dict)
    title: str = ""
    modified: dt.date | None = None


def parse_pdf(
    content: bytes, url: str, *, source: str = "", visibility: str = "public", limits: Limits = LIMITS, ocr: bool = True,
) -> Document:
    """Extract the text of a PDF; the title and date from its metadata or text; scanned pages by OCR when it is available.

    A document with OCR text says so in its description, with the pages and Tesseract's mean confidence,
    and carries that confidence (Document.ocr_confidence), which lowers its weight in ranking when low.
    A page whose text took too long to read is left out, and the description says so.
    """
    check_size(content, url, limits)
    layer = read_text_layer(content, url, limits)
    pages = layer.pages
    notes, reason, confidence = [], "", None
    scanned = [number for number, text in enumerate(pages, 1) if text is not None and len(text.strip()) < MIN_PAGE_CHARS]
    if scanned:
        note, reason, confidence = _ocr_into(pages, scanned, content, url, limits, ocr)
        notes += [note] if note else []
    for number, why in layer.skipped.items():
        log.warning("%s: page %d skipped: %s", url, number, why)
    if layer.skipped:
        numbers = ", ".join(str(number) for number in layer.skipped)
        notes.append(f"Sivu{'ja' if len(layer.skipped) > 1 else 'a'} {numbers} ei voitu lukea (tekstin poiminta ylitti aika- tai muistirajan).")
    if not any((text or "").strip() for text in pages):
        if layer.skipped:
            number, why = next(iter(layer.skipped.items()))
            raise ParseError(f"{url}: no text could be read from the PDF (page {number}: {why})")
        raise ParseError(f"{url}: PDF has no text layer" + (f"; {reason}" if reason else ""))
    document = office_document(
        "\n".join(text or "" for text in pages).split("\n"), url, what="PDF", content_type=BY_KIND["pdf"].content_type,
        source=source, visibility=visibility, limits=limits, title=layer.title, modified=layer.modified, notes=notes,
    )
    return document if confidence is None else document.replace(ocr_confidence=confidence)


def read_text_layer(content: bytes, url: str, limits: Limits = LIMITS) -> TextLayer:
    """Read a PDF's text layer and metadata in a forked process, within the page, file and memory limits.

    Raises ParseError naming the file when it is unreadable, over the time limit, or its reader dies.
    """
    import pypdf  # noqa: F401  (loaded here, before the fork, so that no child has to)

    with tempfile.TemporaryDirectory(prefix="sotehaku-pdf-") as tmp:
        out = Path(tmp) / "pages.jsonl"
        code = _run_forked(lambda: _read_in_child(content, url, out, limits), limits.pdf_seconds)
        if code is None:
            raise ParseError(f"{url}: reading the PDF took longer than {limits.pdf_seconds:g} s and was stopped")
        records = _records(out)
    error = next((record["error"] for record in records if "error" in record), None)
    if error:
        raise ParseError(f"{url}: unreadable PDF ({error})")
    if code != 0 or not records or "title" not in records[0]:
        how = f"killed by signal {-code}" if code < 0 else f"exit status {code}"
        raise ParseError(f"{url}: the PDF reader stopped ({how}; over the {limits.pdf_memory // MB} MB memory limit?)")
    layer = TextLayer(title=records[0]["title"], modified=dt.date.fromisoformat(records[0]["modified"]) if records[0]["modified"] else None)
    for record in records[1:]:
        if "skipped" in record:
            layer.skipped[record["page"]] = record["skipped"]
        layer.pages.append(record.get("text"))
    return layer


def _run_forked(work, seconds: float) -> int | None:
    """Run `work` in a forked child; its exit code (negative: the signal that killed it), or None when it
    ran over `seconds` and was killed.

    A bare fork, not multiprocessing's: the child must end with os._exit once its work is done, never run
    this process's exit handlers or multiprocessing finalizers (a pool's would wait for workers it cannot see).
    """
    pid = os.fork()
    if pid == 0:  # the child
        code = 1
        try:
            work()
            code = 0
        finally:
            os._exit(code)
    try:
        overran = not _wait(pid, seconds)
        if overran:
            os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
    except BaseException:  # interrupted (Ctrl-C): the child goes too
        with contextlib.suppress(ProcessLookupError, ChildProcessError):
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        raise
    return None if overran else os.waitstatus_to_exitcode(status)


def _wait(pid: int, seconds: float) -> bool:
    """Wait until the child exits (True) or the time is up (False), without reaping it."""
    deadline = time.monotonic() + seconds
    if hasattr(os, "pidfd_open"):
        try:
            fd = os.pidfd_open(pid)
        except OSError:
            fd = None
        if fd is not None:
            try:
                return bool(select.select([fd], [], [], seconds)[0])
            finally:
                os.close(fd)
    pause = 0.005
    while time.monotonic() < deadline:
        if os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None:
            return True
        time.sleep(pause)
        pause = min(pause * 2, 0.1)
    return False


def _records(path: Path) -> list[dict]:
    """The JSON lines the child wrote; a last line cut short by a kill is left out."""
    records = []
    if path.exists():
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            try:
                records.append(json.loads(line))
            except ValueError:
                break
    return records


class _PageOverrun(BaseException):
    """Raised by the interval timer in the child when a page's extraction runs out of time (a BaseException,
    so that no `except Exception` inside pypdf can swallow it)."""


# The timer of a page repeats this often after its limit: the first _PageOverrun can land in a finalizer
# (a __del__ or weakref callback that the garbage collector runs), where Python only reports an exception
# and goes on, so the page would run on unbounded; a later one lands in pypdf's own code.
OVERRUN_REPEAT_SECONDS = 0.05
_deadline: float | None = None  # when the running page's time is up; None between pages


def _overrun(signum, frame) -> None:
    if _deadline is not None and time.monotonic() >= _deadline:
        raise _PageOverrun()


def _limited(seconds: float, work):
    """work() under a page's time limit: _PageOverrun, again and again, once `seconds` have passed."""
    global _deadline
    _deadline = time.monotonic() + seconds
    signal.setitimer(signal.ITIMER_REAL, seconds, OVERRUN_REPEAT_SECONDS)
    try:
        return work()
    finally:
        _deadline = None  # first: a signal already on its way raises nothing now
        signal.setitimer(signal.ITIMER_REAL, 0)


def _read_in_child(content: bytes, url: str, out: Path, limits: Limits) -> None:
    """In the forked child: write the metadata, then each page's text or the reason it was skipped, as JSON lines."""
    _limit_memory(limits.pdf_memory, limits.tool_output)
    signal.signal(signal.SIGALRM, _overrun)
    # A fork keeps the forking thread's signal mask: a SIGALRM blocked there would never stop a page.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGALRM})
    with open(out, "w", encoding="utf-8") as stream:
        def write(record: dict) -> None:
            stream.write(json.dumps(record) + "\n")  # ASCII: a lone surrogate in pypdf's text survives the trip
            stream.flush()

        try:
            from pypdf import PdfReader

            def opened():
                reader = PdfReader(io.BytesIO(content))
                meta = reader.metadata
                return reader, _meta_title(meta, url), _meta_date(meta)

            reader, title, modified = _limited(limits.pdf_page_seconds, opened)  # opening counts as a page
            write({"title": title, "modified": modified.isoformat() if modified else None})
            total = 0
            for number, page in enumerate(reader.pages, 1):
                try:
                    text = _limited(limits.pdf_page_seconds, page.extract_text) or ""
                except _PageOverrun:
                    write({"page": number, "skipped": f"reading its text took longer than {limits.pdf_page_seconds:g} s"})
                    continue
                except MemoryError:
                    write({"page": number, "skipped": f"reading its text took more than {limits.pdf_memory // MB} MB of memory"})
                    continue
                write({"page": number, "text": text})
                total += len(text)
                if total > limits.max_chars:
                    break
        except _PageOverrun:
            write({"error": f"opening it took longer than {limits.pdf_page_seconds:g} s"})
        except Exception as exc:  # pypdf raises many types on damaged files (issue 14)
            write({"error": f"{exc.__class__.__name__}: {exc}"[:500]})
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)


def _limit_memory(budget: int, output: int) -> None:
    """Let this process's address space grow by `budget` bytes beyond its size now, and its files to `output` bytes."""
    try:
        with open("/proc/self/statm") as statm:
            size = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):  # not Linux: no limit to base on
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = size + budget if hard == resource.RLIM_INFINITY else min(size + budget, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    resource.setrlimit(resource.RLIMIT_FSIZE, (output, resource.getrlimit(resource.RLIMIT_FSIZE)[1]))


def _ocr_into(
    pages: list[str | None], scanned: list[int], content: bytes, url: str, limits: Limits, ocr: bool,
) -> tuple[str, str, float | None]:
    """Replace the text of scanned pages with their OCR. Return the note for the document's description,
    the reason OCR was not done (for the error when nothing else was read), and the confidence of the OCR
    text (by characters, over its pages), or None when no text was read by OCR."""
    reason = "OCR is turned off" if not ocr else ocr_unavailable()
    if reason:
        log.warning("%s: pages without text skipped: %s", url, reason)
        return "", reason, None
    chosen = scanned[: limits.ocr_pages]
    try:
        results = ocr_pdf_pages(content, url, chosen, limits)
    except ParseError as exc:
        log.warning("%s", exc)
        return "", str(exc).removeprefix(f"{url}: "), None
    read = [page for page in results if page.text.strip()]
    for page in read:
        pages[page.number - 1] = page.text
    if not read:
        return "", "", None
    confidence = round(sum(page.confidence * len(page.text) for page in read) / sum(len(page.text) for page in read), 1)
    numbers = ", ".join(str(page.number) for page in read)
    note = (f"Teksti on tunnistettu skannatusta kuvasta (OCR, sivu{'t' if len(read) > 1 else ''} {numbers}, "
            f"tunnistusvarmuus {confidence:.0f} %).")
    if len(scanned) > len(chosen):
        note += f" Sivuja ilman tekstiä oli {len(scanned)}; niistä luettiin {len(chosen)} ensimmäistä."
    return note, "", confidence


def _meta_title(meta, url: str) -> str:
    """The title of the metadata, unless it is only the file's name (as scanners and converters write it)."""
    title = str((meta.title if meta else None) or "").strip()
    stem = url.rstrip("/").rsplit("/", 1)[-1].rsplit(".", 1)[0]
    return "" if title.lower() in (stem.lower(), stem.lower() + ".pdf") or title.lower().startswith(("microsoft word - ", "untitled")) else title


def _meta_date(meta) -> dt.date | None:
    if not meta:
        return None
    for value in (meta.modification_date, meta.creation_date):
        if value is not None:
            return value.date()
    return None
