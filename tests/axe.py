"""axe-core, the accessibility engine the browser tests inject into pages: npm's package, pinned, kept in
.test-tools/ outside git. `make test-tools` runs this file; a test that needs axe installs it the same way
if it is missing, so running pytest alone works too."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

AXE_CORE_VERSION = "4.10.3"
TOOLS = Path(__file__).resolve().parents[1] / ".test-tools"
AXE_JS = TOOLS / "node_modules" / "axe-core" / "axe.min.js"
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def installed_version() -> str | None:
    try:
        return json.loads((AXE_JS.parent / "package.json").read_text(encoding="utf-8"))["version"]
    except (OSError, ValueError, KeyError):
        return None


def axe_script() -> Path:
    """The path of axe.min.js of the pinned version, installed with npm first if needed."""
    if installed_version() != AXE_CORE_VERSION:
        npm = shutil.which("npm")
        if npm is None:
            raise RuntimeError("npm is needed to install axe-core for the browser tests: run 'make test-tools'.")
        subprocess.run(
            [npm, "install", "--silent", "--no-save", "--no-package-lock", "--no-audit", "--no-fund", "--prefix", str(TOOLS),
             f"axe-core@{AXE_CORE_VERSION}"],
            check=True, timeout=600,
        )
    return AXE_JS


def axe_violations(page) -> list[str]:
    """axe-core's WCAG 2.1 A and AA violations on the page as it is now, one line per failing element.
    The page's context must bypass its Content-Security-Policy: axe is injected as an inline script."""
    page.add_script_tag(path=str(axe_script()))
    results = page.evaluate("async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_AA)
    assert results["passes"], "axe ran no checks"
    return [f"{v['id']}: {n['target']} {n['failureSummary']}" for v in results["violations"] for n in v["nodes"]]


if __name__ == "__main__":
    print(f"axe-core {AXE_CORE_VERSION}: {axe_script()}", file=sys.stderr)
