"""`make demo` prints only its own useful lines: where the sample site is, what the crawl found, how many
documents were indexed and where the search page is; no echoed commands, pip or setuptools output."""

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

REPO = Path(__file__).resolve().parents[1]
EXPECTED = [
    r"Sample site: http://127\.0\.0\.1:\d+/",
    r"sample-site: fetched \d+, new or changed \d+, .*",
    r"sample-intranet: fetched \d+, new or changed \d+, .*",
    r"Indexed \d+ documents\.",
    r"Search page: http://127\.0\.0\.1:(\d+)/  \(Ctrl-C stops\)",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_demo_prints_only_its_own_lines(tmp_path):
    port = free_port()
    command = ["make", "--no-print-directory", "demo", f"PORT={port}", f"DEMO_DATA={tmp_path / 'demo'}",
               f"VENV={sys.prefix}", f"PYTHON={sys.executable}"]
    process = subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               start_new_session=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    lines: list[str] = []
    try:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line:
                break
            lines.append(line.rstrip("\n"))
            if line.startswith("Search page:"):
                break
        # A stale virtual environment is brought up to date first, in one line of its own.
        shown = [line for line in lines if not line.startswith("Installing sotehaku and its Python packages")]
        assert len(shown) == len(EXPECTED), "\n".join(lines)
        for line, pattern in zip(shown, EXPECTED):
            assert re.fullmatch(pattern, line), (line, pattern)
        page = None
        for _ in range(50):  # the line is printed just before the server listens
            try:
                page = httpx.get(f"http://127.0.0.1:{port}/")
                break
            except httpx.TransportError:
                time.sleep(0.1)
        assert page is not None and "Esimerkkialueen haku" in page.text  # the demo's branding
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
