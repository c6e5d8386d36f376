"""Data flows one way, corpus -> indexer -> search -> backends -> app: no module imports a later stage,
and only the Whoosh backend imports whoosh."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
STAGES = ("corpus", "indexer", "search", "backends", "app")
LATER = {stage: set(STAGES[i + 1 :]) for i, stage in enumerate(STAGES)}
# Modules outside backends/whoosh that still import whoosh while the analysis moves out of it.
WHOOSH_PENDING = {"indexer/analysis.py", "indexer/morphology.py"}


def imported_packages(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("package", STAGES)
def test_no_backward_imports(package):
    offenders = {
        str(path.relative_to(ROOT)): sorted(imported_packages(path) & LATER[package])
        for path in (ROOT / package).rglob("*.py")
        if imported_packages(path) & LATER[package]
    }
    assert offenders == {}


def test_only_the_whoosh_backend_imports_whoosh():
    users = {
        str(path.relative_to(ROOT))
        for pkg in STAGES
        for path in (ROOT / pkg).rglob("*.py")
        if "whoosh" in imported_packages(path)
    }
    assert any(u.startswith("backends/whoosh/") for u in users)
    assert {u for u in users if not u.startswith("backends/whoosh/")} <= WHOOSH_PENDING, users
