"""OCR of PDF pages without a text layer: pdftoppm renders a page, Tesseract reads it in Finnish and Swedish.

pytesseract runs the tesseract binary as a separate process with a time limit and parses its word table,
which carries a confidence per word; OCRmyPDF would rewrite the whole PDF with a text layer (and needs
Ghostscript) only for the text to be extracted again. The page image is capped at A4 size at 300 dpi, which
bounds Tesseract's memory, and pdftoppm runs under the tool limits. OCR is optional: without the tools or
the language data, `ocr_unavailable()` says what to install and the pages are skipped.
"""

from __future__ import annotations

import functools
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from corpus.formats.bounds import Limits, run_tool
from corpus.parse import ParseError

LANGUAGES = ("fin", "swe")
PACKAGES = "tesseract-ocr tesseract-ocr-fin tesseract-ocr-swe poppler-utils"
# The long side of a rendered page in pixels: A4 at 300 dpi, the resolution Tesseract is trained for.
MAX_PIXELS = 3508


@dataclass(frozen=True)
class OcrPage:
    """The text OCR read from one page, and Tesseract's mean word confidence (0-100)."""

    number: int
    text: str
    confidence: float


def ocr_unavailable() -> str | None:
    """Why OCR cannot run here (a missing program or language), or None when it can."""
    missing = [tool for tool in ("tesseract", "pdftoppm") if shutil.which(tool) is None]
    if missing:
        return f"OCR needs {' and '.join(missing)}, which {'is' if len(missing) == 1 else 'are'} not installed (on Debian: apt-get install {PACKAGES})"
    languages = _languages(shutil.which("tesseract"))
    lacking = [lang for lang in LANGUAGES if lang not in languages]
    if lacking:
        return f"Tesseract lacks the language data {', '.join(lacking)} (on Debian: apt-get install {' '.join('tesseract-ocr-' + lang for lang in lacking)})"
    return None


@functools.cache
def _languages(tesseract: str) -> frozenset[str]:
    import pytesseract

    try:
        return frozenset(pytesseract.get_languages())
    except Exception:  # a broken installation lists nothing; the caller names what is missing
        return frozenset()


def ocr_pdf_pages(content: bytes, url: str, numbers: list[int], limits: Limits) -> list[OcrPage]:
    """OCR the given pages (1-based) of a PDF; raises ParseError when a tool fails or overruns."""
    import pytesseract

    pages = []
    with tempfile.TemporaryDirectory(prefix="sotehaku-ocr-") as tmp:
        work = Path(tmp)
        pdf = work / "input.pdf"
        pdf.write_bytes(content)
        for number in numbers:
            image = work / f"page-{number}"
            run_tool(["pdftoppm", "-f", str(number), "-l", str(number), "-r", "300", "-scale-to", str(MAX_PIXELS),
                      "-gray", "-png", "-singlefile", str(pdf), str(image)], url=url, workdir=work, limits=limits)
            try:
                data = pytesseract.image_to_data(
                    str(image.with_suffix(".png")), lang="+".join(LANGUAGES), output_type=pytesseract.Output.DICT,
                    timeout=limits.ocr_seconds,
                )
            except RuntimeError as exc:  # pytesseract's timeout
                raise ParseError(f"{url}: OCR of page {number} stopped: {exc}") from None
            except pytesseract.TesseractError as exc:
                raise ParseError(f"{url}: OCR of page {number} failed ({exc.message})") from None
            except Exception as exc:  # Tesseract gone since the check, an unreadable image, a full disk
                raise ParseError(f"{url}: OCR of page {number} failed ({exc.__class__.__name__}: {exc})") from None
            pages.append(_page(number, data))
    return pages


def _page(number: int, data: dict) -> OcrPage:
    """Join Tesseract's words into lines and paragraphs; the confidence is the mean over words, by length."""
    lines: dict[tuple[int, int, int], list[str]] = {}
    weighted = letters = 0.0
    for word, conf, block, par, line in zip(data["text"], data["conf"], data["block_num"], data["par_num"], data["line_num"]):
        word = word.strip()
        if not word or float(conf) < 0:
            continue
        lines.setdefault((block, par, line), []).append(word)
        weighted += float(conf) * len(word)
        letters += len(word)
    text, previous = [], None
    for (block, par, _), words in lines.items():
        if previous is not None and previous != (block, par):
            text.append("")  # a paragraph break
        text.append(" ".join(words))
        previous = (block, par)
    return OcrPage(number, _join_paragraphs(text), weighted / letters if letters else 0.0)


def _join_paragraphs(lines: list[str]) -> str:
    """One line per paragraph, with words hyphenated at a line end joined again."""
    paragraphs, current = [], ""
    for line in lines:
        if not line:
            paragraphs.append(current)
            current = ""
        elif current.endswith("-") and line[:1].islower():
            current = current[:-1] + line
        else:
            current = f"{current} {line}" if current else line
    paragraphs.append(current)
    return "\n".join(p for p in paragraphs if p)
