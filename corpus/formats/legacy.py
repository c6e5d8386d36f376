"""Legacy binary Office files (.doc, .xls, .ppt), converted to OpenDocument by LibreOffice in headless mode.

LibreOffice reads every version of these formats that a welfare area's drives hold, keeps headings, sheet
names and the document's metadata, and runs as a separate process, so a file that makes it hang or crash
costs a skip: it is stopped at the time limit and killed with its helpers. antiword and catdoc were tried
and left out: they could not read Word and PowerPoint files written by LibreOffice itself.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from corpus.document import Document
from corpus.formats import BY_KIND
from corpus.formats.bounds import LIMITS, Limits, check_size, run_tool
from corpus.formats.odf import parse_odf
from corpus.parse import ParseError

# Legacy kind: (ODF kind it is converted to, Debian package that converts it)
CONVERSIONS = {
    "doc": ("odt", "libreoffice-writer-nogui"),
    "xls": ("ods", "libreoffice-calc-nogui"),
    "ppt": ("odp", "libreoffice-impress-nogui"),
}
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def parse_doc(content: bytes, url: str, *, source: str = "", visibility: str = "public", limits: Limits = LIMITS) -> Document:
    """A Word 97–2003 (or older) document."""
    return parse_legacy(content, url, kind="doc", source=source, visibility=visibility, limits=limits)


def parse_xls(content: bytes, url: str, *, source: str = "", visibility: str = "public", limits: Limits = LIMITS) -> Document:
    """An Excel 97–2003 (or older) workbook, cut at the cell limit like every spreadsheet."""
    return parse_legacy(content, url, kind="xls", source=source, visibility=visibility, limits=limits)


def parse_ppt(content: bytes, url: str, *, source: str = "", visibility: str = "public", limits: Limits = LIMITS) -> Document:
    """A PowerPoint 97–2003 deck."""
    return parse_legacy(content, url, kind="ppt", source=source, visibility=visibility, limits=limits)


def parse_legacy(content: bytes, url: str, *, kind: str, source: str, visibility: str, limits: Limits) -> Document:
    """Convert a legacy file with LibreOffice and read the result as OpenDocument, under the legacy content type."""
    target, package = CONVERSIONS[kind]
    check_size(content, url, limits)
    if not content.startswith(OLE_MAGIC):
        raise ParseError(f"{url}: not a {kind.upper()} file (no OLE2 header)")
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise ParseError(f"{url}: reading .{kind} files needs LibreOffice, which is not installed "
                         f"(on Debian: apt-get install {package})")
    converted = convert_with_libreoffice(content, url, soffice=soffice, suffix=f".{kind}", target=target, limits=limits)
    return parse_odf(converted, url, kind=target, source=source, visibility=visibility, limits=limits,
                     content_type=BY_KIND[kind].content_type, what=kind.upper())


def convert_with_libreoffice(content: bytes, url: str, *, soffice: str, suffix: str, target: str, limits: Limits) -> bytes:
    """Convert bytes with `soffice --headless --convert-to`, in a private profile, within the tool limits."""
    with tempfile.TemporaryDirectory(prefix="sotehaku-libreoffice-") as tmp:
        work = Path(tmp)
        source = work / f"input{suffix}"
        source.write_bytes(content)
        out = work / "out"
        run_tool(
            [soffice, f"-env:UserInstallation={(work / 'profile').as_uri()}", "--headless", "--norestore",
             "--nolockcheck", "--nodefault", "--convert-to", target, "--outdir", str(out), str(source)],
            url=url, workdir=work, limits=limits,
        )
        result = out / f"input.{target}"
        if not result.is_file():
            message = (work / "tool.err").read_bytes()[-300:].decode("utf-8", "replace").strip()
            raise ParseError(f"{url}: LibreOffice could not read the {suffix[1:].upper()} file"
                             + (f" ({message})" if message else ""))
        return result.read_bytes()
