"""Swedish compound analysis with each available Hunspell dictionary, side by side: how many rows of
tests/test_swedish.py's table (a word typed, a page's word) meet, how many terms a word of Swedish text
gets, and the analysis time.

Text: the Swedish pages of the bundled sample site (corpus/sample_site/sv). Each dictionary runs in a
fresh process.
Run: .venv/bin/python benchmarks/swedish_compounds.py
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CANDIDATES = {
    "PyPI hunspell-sv": Path(sys.prefix) / "share" / "hunspell",
    "Debian hunspell-sv": Path("/usr/share/hunspell"),
}

PROBE = r"""
import json, re, sys, time
from pathlib import Path
root, folder = sys.argv[1], sys.argv[2]
sys.path.insert(0, root)
sys.path.insert(0, root + "/tests")
from indexer import swedish
swedish.DICTIONARY_DIRS = (Path(folder),)
from indexer.analysis import swedish_analyzer
from test_swedish import TABLE
from corpus.parse import parse_html
texts = []
for page in sorted(Path(root, "corpus", "sample_site", "sv").glob("*.html")):
    doc = parse_html(page.read_bytes(), "https://example.fi/sv/" + page.name).document
    texts.append(doc.title + "\n" + doc.text)
analyzer = swedish_analyzer()
started = time.process_time()
terms = words = 0
for text in texts:
    words += len(re.findall(r"\w+", text))
    terms += sum(1 for t in analyzer(text) if t.kind != "stop")
seconds = time.process_time() - started
index = lambda w: {t.term for t in analyzer(w)}
query = lambda w: {t.term for t in analyzer(w, mode="query") if t.kind != "stop"}
met = sum(bool(query(typed) & index(written)) for written, typed in TABLE)
split = sum(len(swedish.split(written)) > 1 for written, _ in TABLE)
print(json.dumps({"met": met, "rows": len(TABLE), "split": split, "terms_per_word": terms / words, "seconds": seconds}))
"""


def main() -> None:
    print(f"{'dictionary':<20} {'table rows met':>15} {'compounds split':>16} {'terms/word':>11} {'CPU s':>6}")
    for name, folder in CANDIDATES.items():
        if not (folder / "sv_SE.dic").is_file():
            print(f"{name:<20} not installed ({folder})")
            continue
        result = subprocess.run([sys.executable, "-c", PROBE, str(ROOT), str(folder)], capture_output=True, text=True, cwd=ROOT)
        if result.returncode:
            sys.exit(f"{name} failed:\n{result.stderr}")
        r = json.loads(result.stdout.strip().splitlines()[-1])
        print(f"{name:<20} {r['met']:>8}/{r['rows']:<6} {r['split']:>9}/{r['rows']:<6} {r['terms_per_word']:>11.2f} {r['seconds']:>6.2f}")


if __name__ == "__main__":
    main()
