"""Data flows one way, corpus -> indexer -> search -> backends -> app: no module imports a later stage,
and only the Whoosh backend imports whoosh."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Each package and the packages it must not import (LAYOUT of issue 9): only app wires the stages together.
STAGES = {"corpus", "indexer", "search", "backends", "app"}
LATER = {
    "languages": STAGES,  # the language registry, a top-level module every stage may import
    "corpus": {"indexer", "search", "backends", "app"},
    "indexer": {"search", "backends", "app"},
    "search": {"backends", "app"},
    "backends": {"app"},
    "app": set(),
}


def imported_packages(path: Path) -> set[str]:
    """The top-level packages a module imports (absolute imports; relative ones stay in the package)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_imported_packages_sees_every_form_of_import(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("import app.cli\nfrom backends.whoosh import x\ndef f():\n    import search as s\nfrom . import y\n")
    assert imported_packages(module) == {"app", "backends", "search"}


def modules(package: str) -> list[Path]:
    """The Python files of a package folder, or the module file of that name; [] while neither exists yet."""
    folder, module = ROOT / package, ROOT / f"{package}.py"
    return sorted(folder.rglob("*.py")) if folder.is_dir() else [module] if module.exists() else []


@pytest.mark.parametrize("package", sorted(LATER))
def test_no_backward_imports(package):
    offenders = {
        str(path.relative_to(ROOT)): sorted(imported_packages(path) & LATER[package])
        for path in modules(package)
        if imported_packages(path) & LATER[package]
    }
    assert offenders == {}


def test_every_stage_package_is_checked():
    packages = {p.name for p in ROOT.iterdir() if (p / "__init__.py").exists()}
    assert packages - {"tests", "benchmarks"} <= set(LATER), packages
    assert {"corpus", "indexer", "search", "app"} <= packages  # the rules above check real folders


def test_only_the_whoosh_backend_imports_whoosh():
    users = {
        str(path.relative_to(ROOT))
        for pkg in LATER
        for path in modules(pkg)
        if "whoosh" in imported_packages(path)
    }
    assert any(u.startswith("backends/whoosh/") for u in users)
    assert {u for u in users if not u.startswith("backends/whoosh/")} == set(), users
