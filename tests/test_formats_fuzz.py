"""Damaged files of every in-process format raise only ParseError (issue 14, defect 1), never stopping a crawl or an import.

Bounded: a fixed seed and a fixed number of mutations per format, so the run is the same every time. The
legacy formats are left out: they are read by LibreOffice in a separate process, which a damaged file
can only make fail (see test_formats.py for its time and memory limits).
"""

from __future__ import annotations

import io
import random
import zipfile
from pathlib import Path

import pytest

from corpus.formats import BY_KIND
from corpus.formats.pdf import parse_pdf
from corpus.parse import ParseError
from corpus.sample import SAMPLE_SITE_DIR

FIXTURES = Path(__file__).parent / "fixtures" / "office"
SEEDS = {
    "pdf": SAMPLE_SITE_DIR / "liitteet" / "palveluseteli-saantokirja.pdf",
    "docx": FIXTURES / "rokotusohjelma.docx",
    "odt": FIXTURES / "perhekeskukset.odt",
    "ods": FIXTURES / "talousarvio.ods",
    "odp": FIXTURES / "asumispalvelut.odp",
    "xlsx": FIXTURES / "vammaispalvelut.xlsx",
    "pptx": FIXTURES / "etavastaanotto.pptx",
    "rtf": FIXTURES / "sosiaalipaivystys.rtf",
}
MUTATIONS = 60


def flip(data: bytes, rng: random.Random) -> bytes:
    """A few bytes overwritten, a slice cut out, or a slice repeated."""
    data = bytearray(data)
    choice = rng.randrange(3)
    if choice == 0:
        for _ in range(rng.randint(1, 8)):
            data[rng.randrange(len(data))] = rng.randrange(256)
    else:
        start = rng.randrange(len(data))
        end = min(len(data), start + rng.randint(1, 64))
        data[start:end] = b"" if choice == 1 else data[start:end] * 3
    return bytes(data)


def mutate(data: bytes, rng: random.Random) -> bytes:
    """Damage the file itself, or, for a zip-based file, one of its parts (so the XML parsers see it, not only zipfile)."""
    if data[:2] != b"PK" or rng.random() < 0.3:
        return flip(data, rng) if rng.random() < 0.8 else data[: rng.randrange(len(data))]
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        members = source.infolist()
        victim = rng.choice([m for m in members if m.filename.endswith((".xml", ".rels"))])
        for member in members:
            content = source.read(member)
            target.writestr(member.filename, flip(content, rng) if member is victim else content)
    return out.getvalue()


@pytest.mark.parametrize("kind", sorted(SEEDS))
def test_damaged_files_raise_only_parse_errors(kind):
    seed = SEEDS[kind].read_bytes()
    rng = random.Random(f"sotehaku-{kind}")
    parse = (lambda data, url: parse_pdf(data, url, ocr=False)) if kind == "pdf" else BY_KIND[kind].parse
    outcomes = {"parsed": 0, "skipped": 0}
    for number in range(MUTATIONS):
        damaged = mutate(seed, rng)
        url = f"https://x.fi/rikki-{number}.{kind}"
        try:
            document = parse(damaged, url)
        except ParseError as exc:
            assert str(exc).startswith(url + ": ")  # every skip names its file
            outcomes["skipped"] += 1
        else:
            assert document.id == url and document.text
            outcomes["parsed"] += 1
    assert outcomes["skipped"] > 0  # the mutations do damage; a fuzz that breaks nothing tests nothing
