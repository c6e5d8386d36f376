"""Data flows one way, corpus -> indexer -> search: no module imports a later stage."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LATER = {"corpus": {"indexer", "search"}, "indexer": {"search"}, "search": set()}


def imported_packages(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("package", sorted(LATER))
def test_no_backward_imports(package):
    offenders = {
        str(path.relative_to(ROOT)): sorted(imported_packages(path) & LATER[package])
        for path in (ROOT / package).rglob("*.py")
        if imported_packages(path) & LATER[package]
    }
    assert offenders == {}


def test_whoosh_stays_in_indexer_and_search_engine_modules():
    allowed = {"indexer", "search/engine.py", "search/query.py", "search/snippets.py"}
    users = {
        str(path.relative_to(ROOT))
        for pkg in ("corpus", "indexer", "search")
        for path in (ROOT / pkg).rglob("*.py")
        if "whoosh" in imported_packages(path)
    }
    assert users and all(u.startswith("indexer/") or u in allowed for u in users), users
