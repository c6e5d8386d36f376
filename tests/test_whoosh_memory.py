"""What a searching process holds of the Whoosh index: its segment files mapped once per process and
read in place, however many threads search (Whoosh's own BufferFile copied each file into the heap
for every reader, one per thread and kind of viewer: gigabytes under load at 200,000 documents)."""

from __future__ import annotations

import io
import os
import threading
from pathlib import Path

import pytest

from app.backend import open_engine
from backends.whoosh.mapped import ViewFile
from backends.whoosh.versions import current_version, index_root
from backends.whoosh.writer import update_index
from corpus.document import Document
from search.engine import Viewer

STAFF = Viewer(name="staff", staff=True)
WORDS = "kotihoito palveluseteli neuvola hyvinvointialue asiakasmaksu omaishoito lastensuojelu".split()
DOCS = [
    Document(id=f"d{i}", title=f"Tiedote {i}", text=" ".join(WORDS[(i + k) % len(WORDS)] for k in range(40)) + f" numero{i}.",
             visibility="internal" if i % 5 == 0 else "public")
    for i in range(400)
]


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    path = tmp_path_factory.mktemp("memory")
    update_index(lambda: DOCS, path)
    return path


def segment_files(data_dir: Path) -> set[str]:
    version = index_root(data_dir) / current_version(data_dir)
    return {str(p.resolve()) for p in version.rglob("*.seg")}


def mappings(paths: set[str]) -> list[str]:
    """The paths of this process's memory mappings that are among `paths`, one entry per mapping."""
    out = []
    with open(f"/proc/{os.getpid()}/maps", encoding="utf-8") as maps:
        for line in maps:
            parts = line.split(maxsplit=5)
            if len(parts) == 6 and parts[5].strip() in paths:
                out.append(parts[5].strip())
    return out


def test_threads_share_one_map_of_each_segment_file(data_dir):
    engine = open_engine(data_dir)
    segments = segment_files(data_dir)
    assert segments
    answers = []
    searched, done = threading.Barrier(7), threading.Event()

    def search():  # each thread opens its own searchers, anonymous (public index) and staff (both), kept while it lives
        answers.append((len(engine.search("kotihoito").hits), len(engine.search("neuvola", viewer=STAFF).hits)))
        searched.wait(timeout=60)
        done.wait(timeout=60)

    threads = [threading.Thread(target=search) for _ in range(6)]
    for thread in threads:
        thread.start()
    try:
        searched.wait(timeout=60)
        mapped = mappings(segments)
    finally:
        done.set()
        for thread in threads:
            thread.join()
    assert len(answers) == 6 and len(set(answers)) == 1 and answers[0][0] > 0
    assert set(mapped) == segments and len(mapped) == len(segments), mapped


def test_view_file_reads_as_a_bytes_file_does():
    data = b"first line\nsecond line\n" + bytes(range(256)) * 20 + b"\nlast"
    view, plain = ViewFile(memoryview(data)), io.BytesIO(data)
    for step in (
        lambda f: f.read(5), lambda f: f.readline(), lambda f: f.tell(), lambda f: f.seek(3, os.SEEK_CUR),
        lambda f: f.readline(7), lambda f: f.seek(-4, os.SEEK_END), lambda f: f.read(), lambda f: f.read(3),
        lambda f: f.seek(0), lambda f: f.readline(), lambda f: f.readline(), lambda f: f.seek(10_000),
        lambda f: f.read(2), lambda f: f.seek(100), lambda f: f.read(-1)[:50],
    ):
        assert step(view) == step(plain)
    target_view, target_plain = bytearray(8), bytearray(8)
    view.seek(20), plain.seek(20)
    assert view.readinto(target_view) == plain.readinto(target_plain) and target_view == target_plain
    with pytest.raises(ValueError):
        view.seek(-1)


def test_document_sets_of_filters_stay_within_their_budget(data_dir):
    """Each viewer's and filter's set of documents is a byte per document in a bounded LRU cache (it was
    a set of numbers, 14 MB at 200,000 documents, up to 256 of them per index version)."""
    from datetime import date

    from backends.whoosh import searcher as whoosh_searcher
    from search.query import Filters

    snap = open_engine(data_dir)._snapshot()
    first = Filters({"lang": ("fi",)})
    expected = snap.allowed_mask(("public",), first).copy()
    for day in range(1, 301):  # more distinct filters than the cache keeps
        snap.allowed_mask(("public", "internal"), Filters({}, date(2000, 1, 1), date(2000 + day // 28, 1 + day % 12, 1)))
    held = sum(entry[0].nbytes for entry in snap._allowed_masks.values()) + sum(m.nbytes for m in snap._filter_masks.values())
    assert len(snap._allowed_masks) <= whoosh_searcher.FILTER_CACHE_SIZE
    assert held <= 2 * whoosh_searcher.FILTER_CACHE_SIZE * snap.size
    assert (snap.allowed_mask(("public",), first) == expected).all()  # evicted and worked out again, the same
    allowed = snap.allowed(("public",), first)
    assert isinstance(allowed, bytes) and len(allowed) == snap.size
    assert [d for d in range(snap.size) if allowed[d]] == list(expected.nonzero()[0])


def test_view_file_loads_pickles_in_turn_whatever_their_length():
    import pickle

    values = [{"blocks": [1, 2, 3]}, "x" * 20_000, list(range(3000)), (1.5, None)]
    data = b"".join(pickle.dumps(v, protocol=2) for v in values) + b"rest"
    view = ViewFile(memoryview(data))
    assert [view.load_pickle() for _ in values] == values and view.read() == b"rest"
    with pytest.raises((EOFError, pickle.UnpicklingError)):
        ViewFile(memoryview(pickle.dumps(values[1], protocol=2)[:5000])).load_pickle()  # cut short
