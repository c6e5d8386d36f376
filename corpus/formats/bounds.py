"""Limits on what one file may cost, checked before and while parsing, and a runner for converter processes."""

from __future__ import annotations

import io
import os
import resource
import signal
import subprocess
import zipfile
from dataclasses import dataclass
from pathlib import Path

from corpus.parse import ParseError

MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """What one document may cost. Tests and benchmarks pass smaller ones; parsers default to LIMITS."""

    # A file larger than this is skipped unread (the largest reform report on the sample sites is 9 MB).
    max_bytes: int = 64 * MB
    # Zip-based formats (DOCX, XLSX, PPTX, ODF): what a member and all members may expand to, and the
    # compression ratio a member over 1 MB may have. Office XML compresses 5-20 times, a zip bomb 1000 times;
    # the parsers build a tree of the main XML part, which costs about ten times its size in memory.
    max_member_bytes: int = 48 * MB
    max_unzipped_bytes: int = 256 * MB
    max_ratio: int = 100
    max_members: int = 10_000
    # Spreadsheets: cells kept, and cells looked at (empty ones included) before the reading stops.
    max_cells: int = 50_000
    max_scanned_cells: int = 2_000_000
    # Text kept of one document, in characters (a 500-page report has about 1.5 million).
    max_chars: int = 3_000_000
    # Converters run as separate processes (LibreOffice, pdftoppm, Tesseract): time, memory, output.
    tool_seconds: float = 120.0
    tool_memory: int = 3 * 1024 * MB
    tool_output: int = 256 * MB
    # OCR: pages read per PDF and seconds per page.
    ocr_pages: int = 30
    ocr_seconds: float = 120.0
    # A PDF's text layer is read in a forked process (corpus.formats.pdf): seconds per page and per file,
    # and the memory that process may take beyond what it starts with.
    pdf_page_seconds: float = 20.0
    pdf_seconds: float = 180.0
    pdf_memory: int = 1024 * MB


LIMITS = Limits()


def check_size(content: bytes, url: str, limits: Limits) -> None:
    """Refuse a file over the size limit before any parser sees it."""
    if len(content) > limits.max_bytes:
        raise ParseError(f"{url}: file of {len(content) // MB} MB is over the {limits.max_bytes // MB} MB limit")


def open_zip(content: bytes, url: str, limits: Limits, what: str) -> zipfile.ZipFile:
    """Open a zip-based document after checking what its members would expand to.

    The sizes checked are the ones the archive declares; Python's zipfile stops reading a member at its
    declared size, so a member cannot expand past what was checked.
    """
    check_size(content, url, limits)
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        members = archive.infolist()
    except Exception as exc:  # zipfile raises many types on damaged archives
        raise ParseError(f"{url}: unreadable {what} (not a valid zip archive: {exc or exc.__class__.__name__})") from None
    if len(members) > limits.max_members:
        raise ParseError(f"{url}: {what} has {len(members)} parts, over the limit of {limits.max_members}")
    total = 0
    for member in members:
        size = member.file_size
        if size > limits.max_member_bytes:
            raise ParseError(f"{url}: {what} part {member.filename} expands to {size // MB} MB, over the "
                             f"{limits.max_member_bytes // MB} MB limit (a zip bomb?)")
        if size > MB and size > limits.max_ratio * max(member.compress_size, 1):
            raise ParseError(f"{url}: {what} part {member.filename} is compressed {size // max(member.compress_size, 1)} "
                             f"times, over the limit of {limits.max_ratio} (a zip bomb?)")
        total += size
    if total > limits.max_unzipped_bytes:
        raise ParseError(f"{url}: {what} expands to {total // MB} MB, over the {limits.max_unzipped_bytes // MB} MB limit")
    return archive


def run_tool(args: list[str], *, url: str, workdir: Path, limits: Limits, seconds: float | None = None) -> None:
    """Run a converter in its own process group, within the time, memory and file-size limits.

    The tool writes its results into `workdir`; its output and messages go to files there too, so a
    flood of output cannot fill this process's memory. A tool that overruns is killed with its children.
    """
    seconds = seconds or limits.tool_seconds
    name = Path(args[0]).name

    def limit_child() -> None:  # runs in the child, before the tool starts
        resource.setrlimit(resource.RLIMIT_AS, (limits.tool_memory, limits.tool_memory))
        resource.setrlimit(resource.RLIMIT_FSIZE, (limits.tool_output, limits.tool_output))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))

    env = {**os.environ, "HOME": str(workdir), "OMP_THREAD_LIMIT": "1"}
    with open(workdir / "tool.out", "wb") as out, open(workdir / "tool.err", "wb") as err:
        try:
            process = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=out, stderr=err, cwd=workdir, env=env,
                                       start_new_session=True, preexec_fn=limit_child)
        except OSError as exc:
            raise ParseError(f"{url}: cannot run {name} ({exc.strerror})") from None
        try:
            code = process.wait(timeout=seconds)
        except subprocess.TimeoutExpired:
            _kill_group(process.pid)
            process.wait()
            raise ParseError(f"{url}: {name} took longer than {seconds:g} s and was stopped") from None
        finally:
            _kill_group(process.pid)  # helpers the tool left behind (LibreOffice's soffice.bin)
    if code != 0:
        message = " ".join((workdir / "tool.err").read_bytes()[-300:].decode("utf-8", "replace").split())
        reason = f"killed by signal {-code}" if code < 0 else f"exit status {code}"
        raise ParseError(f"{url}: {name} failed ({reason}{': ' + message if message else ''})")


def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
