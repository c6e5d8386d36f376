"""`sotehaku serve --access-log`: one line per request, in the format the README shows, with nothing personal."""

from __future__ import annotations

import re
import signal
import socket
import subprocess
import sys
import time

import httpx

SOTEHAKU = [sys.executable, "-c", "from app.cli import main; main()"]
# The README's format: time (UTC), method, path without the query string, status, duration.
LINE = re.compile(r"(?P<time>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ) (?P<method>[A-Z]+) (?P<path>\S+) (?P<status>\d{3}) (?P<ms>\d+\.\d)ms")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_access_log_lines_have_method_path_status_duration_and_no_personal_data(indexed_data_dir):
    port = free_port()
    server = subprocess.Popen(
        [*SOTEHAKU, "--data-dir", str(indexed_data_dir), "serve", "--port", str(port), "--access-log",
         "--public-url", "https://www.kunta.fi/haku/", "--trusted-proxy", "127.0.0.1"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(f"{base}/healthz")
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline and server.poll() is None, "the server did not start"
                time.sleep(0.2)
        secret_query = "kaarna 010203A123B matti.meikalainen@example.fi"
        headers = {"X-Forwarded-For": "203.0.113.77", "User-Agent": "Testiselain/1.0", "Referer": "https://ref.example/"}
        assert httpx.get(f"{base}/haku/api/search", params={"q": secret_query}, headers=headers,
                         cookies={"sotehaku_session": "salainen-evaste"}).status_code == 200
        assert httpx.get(f"{base}/haku/ei-ole%0A%20X").status_code == 404
        assert httpx.post(f"{base}/haku/api/search").status_code == 405
    finally:
        server.send_signal(signal.SIGINT)
        _, stderr = server.communicate(timeout=30)
    lines = [line for line in stderr.splitlines() if LINE.fullmatch(line)]
    requests = [(m["method"], m["path"], m["status"]) for m in map(LINE.fullmatch, lines)]
    assert ("GET", "/haku/api/search", "200") in requests
    assert ("GET", "/haku/ei-ole%0A%20X", "404") in requests  # one line per request, whatever the path holds
    assert ("POST", "/haku/api/search", "405") in requests
    for personal in ("203.0.113.77", "127.0.0.1", "010203A123B", "meikalainen", "kaarna", "salainen", "Testiselain", "ref.example", "?"):
        assert personal not in "\n".join(lines), personal


def test_no_access_log_unless_asked(indexed_data_dir):
    port = free_port()
    server = subprocess.Popen([*SOTEHAKU, "--data-dir", str(indexed_data_dir), "serve", "--port", str(port)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                assert httpx.get(f"http://127.0.0.1:{port}/healthz").status_code == 200
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline and server.poll() is None, "the server did not start"
                time.sleep(0.2)
    finally:
        server.send_signal(signal.SIGINT)
        _, stderr = server.communicate(timeout=30)
    assert not [line for line in stderr.splitlines() if LINE.fullmatch(line)]
