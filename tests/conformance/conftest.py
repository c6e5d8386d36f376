"""The backend conformance suite: behaviour every search backend must show, written once.

Each test module here builds its indexes through `make_engine`, which is parametrised over BACKENDS:
a new backend is accepted by adding its factory to BACKENDS and passing every test. A factory takes
pytest's request (to reach session fixtures such as a running cluster) and a fresh folder, and
returns an empty backend of that kind.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from backends.whoosh.backend import WhooshBackend
from search.engine import SearchEngine


def whoosh_backend(request, folder: Path):
    """The embedded Whoosh index in a folder of its own."""
    return WhooshBackend(folder)


BACKENDS = {"whoosh": whoosh_backend}


@pytest.fixture(scope="module", params=sorted(BACKENDS))
def backend_name(request):
    """The name of the backend a conformance test runs on (every test runs on each)."""
    return request.param


@pytest.fixture(scope="module")
def make_backend(request, backend_name, tmp_path_factory):
    """A function: name -> a new, empty backend of this kind (nothing published yet)."""

    def make(name: str = "index"):
        return BACKENDS[backend_name](request, tmp_path_factory.mktemp(f"{backend_name}-{name}"))

    return make


@pytest.fixture(scope="module")
def make_engine(request, backend_name, tmp_path_factory):
    """A function: documents -> a SearchEngine over a new backend of this kind with them published.
    `publish(engine, documents)` updates an engine's backend in place (for update tests)."""

    def make(documents, name: str = "index", **publish_options) -> SearchEngine:
        folder = tmp_path_factory.mktemp(f"{backend_name}-{name}")
        backend = BACKENDS[backend_name](request, folder)
        backend.publish(lambda: list(documents), full=True, **publish_options)
        return SearchEngine(backend, lexicon_dir=folder)

    return make


def publish(engine: SearchEngine, documents) -> object:
    """Bring an engine's backend in step with these documents (incrementally, as `sotehaku index` does)."""
    return engine.backend.publish(lambda: list(documents))
