"""`sotehaku serve` as run in production: --access-log writes one line per request, in the format the README
shows, with nothing personal; [querylog] days in sotehaku.toml prunes the query log as the server records."""

from __future__ import annotations

import contextlib
import re
import shutil
import signal
import socket
import subprocess
import sys
import time

import httpx

from app.querylog import open_query_log

SOTEHAKU = [sys.executable, "-c", "from app.cli import main; main()"]
# The README's format: time (UTC), method, path without the query string, status, duration.
LINE = re.compile(r"(?P<time>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ) (?P<method>[A-Z]+) (?P<path>\S+) (?P<status>\d{3}) (?P<ms>\d+\.\d)ms")


@contextlib.contextmanager
def serving(data_dir, *args, cwd=None):
    """`sotehaku serve` in a process of its own on a free port; yields (base URL, a list that gets its stderr lines)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen([*SOTEHAKU, "--data-dir", str(data_dir), "serve", "--port", str(port), *args],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=cwd)
    base, stderr = f"http://127.0.0.1:{port}", []
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                httpx.get(f"{base}/healthz")
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline and server.poll() is None, "the server did not start"
                time.sleep(0.2)
        yield base, stderr
    finally:
        server.send_signal(signal.SIGINT)
        stderr.extend(server.communicate(timeout=30)[1].splitlines())


def test_access_log_lines_have_method_path_status_duration_and_no_personal_data(indexed_data_dir):
    with serving(indexed_data_dir, "--access-log", "--public-url", "https://www.kunta.fi/haku/", "--trusted-proxy", "127.0.0.1") as (base, stderr):
        secret_query = "kaarna 010203A123B matti.meikalainen@example.fi"
        headers = {"X-Forwarded-For": "203.0.113.77", "User-Agent": "Testiselain/1.0", "Referer": "https://ref.example/"}
        assert httpx.get(f"{base}/haku/api/search", params={"q": secret_query}, headers=headers,
                         cookies={"sotehaku_session": "salainen-evaste"}).status_code == 200
        assert httpx.get(f"{base}/haku/ei-ole%0A%20X").status_code == 404
        assert httpx.post(f"{base}/haku/api/search").status_code == 405
    lines = [line for line in stderr if LINE.fullmatch(line)]
    requests = [(m["method"], m["path"], m["status"]) for m in map(LINE.fullmatch, lines)]
    assert ("GET", "/haku/api/search", "200") in requests
    assert ("GET", "/haku/ei-ole%0A%20X", "404") in requests  # one line per request, whatever the path holds
    assert ("POST", "/haku/api/search", "405") in requests
    for personal in ("203.0.113.77", "127.0.0.1", "010203A123B", "meikalainen", "kaarna", "salainen", "Testiselain", "ref.example", "?"):
        assert personal not in "\n".join(lines), personal


def test_no_access_log_unless_asked_and_the_query_log_keeps_the_configured_days(indexed_data_dir, tmp_path):
    data_dir = tmp_path / "data"
    shutil.copytree(indexed_data_dir, data_dir, ignore=shutil.ignore_patterns("querylog.sqlite3*", "accounts.sqlite3*"))
    with open_query_log(data_dir, clock=lambda: time.time() - 3 * 86400) as log:
        log.record("kolme päivää sitten", 1)
    (tmp_path / "sotehaku.toml").write_text("[querylog]\ndays = 2\n", encoding="utf-8")
    with serving(data_dir, cwd=tmp_path) as (base, stderr):
        assert httpx.get(f"{base}/", params={"q": "palveluseteli"}).status_code == 200
    assert not [line for line in stderr if LINE.fullmatch(line)]
    with open_query_log(data_dir, retain_days=10_000) as log:
        assert {q for q, _ in log.report(days=30).top} == {"palveluseteli"}
