"""Office formats: time and peak memory of reading large files, each in a fresh process, against a baseline.

ODT: a generated text of N paragraphs (made by LibreOffice from HTML, so it is a real file). sotehaku
streams content.xml with lxml's iterparse and frees each paragraph; the baseline builds the whole tree
with lxml and takes its text, which is what a DOM-based reader (odfpy, python-docx) does at the least.
XLSX: a sheet of 1,000 x 1,000 numbers (LibreOffice from CSV); sotehaku reads it in openpyxl's read-only
mode up to the cell limit; the baseline is openpyxl's default mode, which loads every cell.
DOCX zip bomb: a real DOCX whose document.xml is padded to 100 MB; sotehaku refuses it from the zip
directory; the baseline is python-docx opening it unchecked.
Run: .venv/bin/python benchmarks/formats.py [--paragraphs N]   (needs LibreOffice: soffice)
"""

from __future__ import annotations

import argparse
import io
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
DOCX = HERE.parent / "tests" / "fixtures" / "office" / "rokotusohjelma.docx"
SENTENCE = "Hyvinvointialue järjestää sosiaali- ja terveyspalvelut sekä pelastustoimen alueensa asukkaille. "

# Each reader runs in its own process (argv: reader, file) and prints its seconds and peak RSS.
READERS = {
    "sotehaku-odt": "from corpus.formats.odf import parse_odt; d = parse_odt(data, 'https://x.fi/a.odt'); n = len(d.text)",
    "lxml-tree-odt": (
        "from lxml import etree; root = etree.fromstring(zipfile.ZipFile(io.BytesIO(data)).read('content.xml'), "
        "etree.XMLParser(huge_tree=True)); n = len(''.join(root.itertext()))"
    ),
    "sotehaku-xlsx": "from corpus.formats.xlsx import parse_xlsx; d = parse_xlsx(data, 'https://x.fi/a.xlsx'); n = len(d.text)",
    "openpyxl-full-xlsx": (
        "import openpyxl; wb = openpyxl.load_workbook(io.BytesIO(data)); "
        "n = sum(1 for row in wb.active.iter_rows(values_only=True) for v in row if v is not None)"
    ),
    "sotehaku-docx-bomb": "from corpus.formats.docx import parse_docx; parse_docx(data, 'https://x.fi/a.docx')",
    "python-docx-bomb": "import docx; d = docx.Document(io.BytesIO(data)); n = len(d.paragraphs)",
}


def child(reader: str, path: str) -> None:
    """Run one reader on one file and print its time and the process's peak RSS in MB."""
    data = Path(path).read_bytes()
    start = time.perf_counter()
    try:
        exec(READERS[reader], {"data": data, "io": io, "zipfile": zipfile})
        outcome = "read"
    except Exception as exc:  # a refusal (ParseError), or a baseline failing: time and memory up to there
        verdict = "skipped" if exc.__class__.__name__ == "ParseError" else f"failed: {exc.__class__.__name__}:"
        outcome = f"{verdict} {' '.join(str(exc).split()).removeprefix('https://x.fi/a.docx: ')[:60]}"
    # VmHWM, not ru_maxrss: a forked child inherits its parent's ru_maxrss, and the parent built a 100 MB bomb.
    peak_kb = next(int(line.split()[1]) for line in Path("/proc/self/status").read_text().splitlines() if line.startswith("VmHWM:"))
    print(f"{time.perf_counter() - start:.2f}\t{peak_kb / 1024:.0f}\t{outcome}")


def measure(reader: str, path: Path) -> tuple[float, float, str]:
    """Seconds, peak RSS (MB) and outcome of a reader in a fresh process."""
    out = subprocess.run([sys.executable, __file__, "--child", reader, str(path)], check=True, capture_output=True, text=True)
    seconds, peak, outcome = out.stdout.strip().splitlines()[-1].split("\t")
    return float(seconds), float(peak), outcome


def libreoffice(source: Path, target: str, work: Path) -> Path:
    subprocess.run(["soffice", f"-env:UserInstallation={(work / 'profile').as_uri()}", "--headless", "--convert-to", target,
                    "--outdir", str(work), str(source)], check=True, capture_output=True, timeout=600)
    return work / f"{source.stem}.{target}"


def bomb(work: Path) -> Path:
    out = work / "pommi.docx"
    with zipfile.ZipFile(DOCX) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "word/document.xml":
                end = data.rindex(b"</")
                data = data[:end] + b" " * (100 * 2**20) + data[end:]
            target.writestr(info.filename, data)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--paragraphs", type=int, default=100_000, help="paragraphs of the generated ODT")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        html = work / "pitka.html"
        html.write_text("<html><body>" + "".join(f"<p>{n}. {SENTENCE}</p>" for n in range(args.paragraphs)) + "</body></html>",
                        encoding="utf-8")
        odt = libreoffice(html, "odt", work)
        csv = work / "miljoona.csv"
        csv.write_text("".join(",".join(str(r * 1000 + c) for c in range(1000)) + "\n" for r in range(1000)), encoding="utf-8")
        xlsx = libreoffice(csv, "xlsx", work)
        docx_bomb = bomb(work)
        files = {"odt": odt, "xlsx": xlsx, "docx-bomb": docx_bomb}
        print(f"Office formats: {args.paragraphs:,}-paragraph ODT ({odt.stat().st_size // 1024} KB), "
              f"1,000 x 1,000 XLSX ({xlsx.stat().st_size // 1024} KB), DOCX bomb ({docx_bomb.stat().st_size // 1024} KB, 100 MB inside)")
        print(f"{'reader':<22}{'file':<11}{'seconds':>9}{'peak RSS MB':>13}  outcome")
        for reader, kind in [("sotehaku-odt", "odt"), ("lxml-tree-odt", "odt"), ("sotehaku-xlsx", "xlsx"),
                             ("openpyxl-full-xlsx", "xlsx"), ("sotehaku-docx-bomb", "docx-bomb"), ("python-docx-bomb", "docx-bomb")]:
            seconds, peak, outcome = measure(reader, files[kind])
            print(f"{reader:<22}{kind:<11}{seconds:>9.2f}{peak:>13.0f}  {outcome}")


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3])
    else:
        main()
