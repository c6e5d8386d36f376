"""The Whoosh backend survives what kills and disks do to it: damaged versions, killed builds, orphans."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.backend import open_engine
from backends.whoosh.versions import BUILDING_SUFFIX, current_version, index_root
from backends.whoosh.writer import build_index, update_index
from corpus.document import Document
from search.api import IndexUnavailableError

DOCS = [Document(id=f"d{i:03d}", text=f"Kotihoito ja neuvola, sivu {i}.") for i in range(40)]


def damage(data_dir: Path) -> None:
    """Scramble the bytes of every segment file of the live version, as a bad disk would."""
    version = index_root(data_dir) / current_version(data_dir)
    for segment in version.rglob("*.seg"):
        data = bytearray(segment.read_bytes())
        for i in range(64, len(data), 7):
            data[i] = (data[i] + 91) % 256
        segment.write_bytes(bytes(data))


def test_a_damaged_version_is_one_line_in_search_and_rebuilt_by_an_update(tmp_path):
    build_index(DOCS, tmp_path)
    damage(tmp_path)
    with pytest.raises(IndexUnavailableError, match="cannot be read.*Run 'sotehaku index"):
        open_engine(tmp_path).search("kotihoito")
    published = update_index(lambda: DOCS + [Document(id="uusi", text="Uusi kotihoito")], tmp_path)
    assert published.full and published.documents == len(DOCS) + 1
    assert open_engine(tmp_path).search("kotihoito").total == len(DOCS) + 1


def test_a_damaged_version_answers_503_and_healthz_says_so(tmp_path):
    from fastapi.testclient import TestClient

    from app.web.app import create_app

    build_index(DOCS, tmp_path)
    damage(tmp_path)
    client = TestClient(create_app(tmp_path))
    assert client.get("/healthz").status_code == 503
    response = client.get("/api/search", params={"q": "kotihoito"})
    assert response.status_code == 503 and "sotehaku index" in response.json()["error"]


def test_a_killed_build_leaves_nothing_that_later_builds_keep(tmp_path):
    build_index(DOCS, tmp_path)
    stale = index_root(tmp_path) / f"v20200101T000000000000Z{BUILDING_SUFFIX}"
    (stale / "public").mkdir(parents=True)
    (stale / "public" / "junk.seg").write_bytes(b"x" * 1000)
    update_index(lambda: DOCS[:-1], tmp_path)
    assert not stale.exists()
    assert not [p for p in index_root(tmp_path).iterdir() if p.name.endswith(BUILDING_SUFFIX)]


def _children(pid: int) -> set[int]:
    found = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found.update(int(c) for c in (task / "children").read_text().split())
        except OSError:
            pass
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs Linux /proc")
def test_kill_9_of_a_parallel_build_leaves_no_worker_running(tmp_path):
    corpus = tmp_path / "docs.jsonl"
    words = "hyvinvointialue kotihoito neuvola sotekeskus työryhmä palveluseteli päivystys".split()
    with corpus.open("w", encoding="utf-8") as out:
        for i in range(2500):
            text = " ".join(words[(i + k) % len(words)] + f"{k}" for k in range(40))
            out.write(json.dumps({"id": f"d{i}", "text": text}, ensure_ascii=False) + "\n")
    sotehaku = [sys.executable, "-c", "from app.cli import main; main()", "--data-dir", str(tmp_path / "data")]
    subprocess.run([*sotehaku, "import", str(corpus)], check=True, capture_output=True)
    build = subprocess.Popen([*sotehaku, "index", "--procs", "2"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    workers: set[int] = set()
    deadline = time.monotonic() + 120
    while len(workers) < 2 and time.monotonic() < deadline and build.poll() is None:
        workers |= _children(build.pid)
        time.sleep(0.05)
    assert workers, "the build finished before its workers could be seen; make the corpus larger"
    os.kill(build.pid, signal.SIGKILL)
    build.wait()
    deadline = time.monotonic() + 15
    while any(_alive(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [w for w in workers if _alive(w)]


def test_serve_on_a_damaged_index_answers_503_until_the_index_is_rebuilt(tmp_path):
    """`sotehaku serve` starts on a damaged index (monitoring sees 503 on /healthz) and picks up the
    version that `sotehaku index` rebuilds, without a restart."""
    import httpx
    from test_web_proxies import start_serve, stop

    from corpus.store import open_data_store

    data_dir = tmp_path / "data"
    with open_data_store(data_dir) as store:
        store.put_many(DOCS)
    build_index(DOCS, data_dir)
    damage(data_dir)
    process, url = start_serve(data_dir, cwd=tmp_path)
    try:
        assert httpx.get(f"{url}/healthz").status_code == 503
        assert httpx.get(f"{url}/api/search", params={"q": "kotihoito"}).status_code == 503
        rebuilt = subprocess.run(
            [sys.executable, "-c", "from app.cli import main; main()", "--data-dir", str(data_dir), "index"],
            capture_output=True, text=True,
        )
        assert rebuilt.returncode == 0, rebuilt.stderr
        assert httpx.get(f"{url}/healthz").status_code == 200
        assert httpx.get(f"{url}/api/search", params={"q": "kotihoito"}).json()["total"] == len(DOCS)
    finally:
        stop(process)
