"""Forwarded headers are believed only from the configured trusted proxies: the sign-in brake and the
cookies' Secure flag follow the real client behind a trusted proxy, and a forged header from anyone
else changes nothing. Also through `sotehaku serve` itself, which once let uvicorn trust 127.0.0.1."""

import os
import socket
import subprocess
import sys
import time

import httpx
import pytest

from app.web.app import create_app
from app.web.auth import MAX_LOGIN_FAILURES

from test_web_access import csrf_token


def fail_sign_in(client: httpx.Client, url: str, forwarded_for: str | None = None, proto: str | None = None) -> httpx.Response:
    """One wrong password, as a browser behind `forwarded_for` would send it."""
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    if proto:
        headers["X-Forwarded-Proto"] = proto
    token = csrf_token(client.get(f"{url}/login", headers=headers).text)
    return client.post(f"{url}/login", data={"name": "anna.virtanen", "password": "wrong-password-123", "csrf_token": token},
                       headers=headers)


def test_forged_forwarded_for_does_not_dodge_the_sign_in_brake(serve_app, staff):
    url = serve_app(create_app(staff.data_dir, max_login_failures=2))
    with httpx.Client() as client:
        statuses = [fail_sign_in(client, url, f"203.0.113.{n}").status_code for n in range(1, 4)]
    assert statuses == [400, 400, 429]  # all three come from 127.0.0.1, whatever they claim


def test_trusted_proxy_forwards_the_client_address(serve_app, staff):
    url = serve_app(create_app(staff.data_dir, max_login_failures=2, trusted_proxies=["127.0.0.0/8"]))
    with httpx.Client() as client:
        first = [fail_sign_in(client, url, "203.0.113.7").status_code for _ in range(3)]
        other = fail_sign_in(client, url, "198.51.100.9").status_code
        # A client cannot pick its own address by adding one in front: the proxy appends the real one.
        spoofed = fail_sign_in(client, url, "198.51.100.1, 203.0.113.7").status_code
    assert first == [400, 400, 429] and other == 400 and spoofed == 429


@pytest.mark.parametrize("trusted, secure", [((), False), (("127.0.0.1",), True), (("10.0.0.0/8",), False)])
def test_forwarded_proto_only_from_a_trusted_proxy(serve_app, indexed_data_dir, trusted, secure):
    url = serve_app(create_app(indexed_data_dir, trusted_proxies=trusted))
    cookie = httpx.get(f"{url}/login", headers={"X-Forwarded-Proto": "https"}).headers["set-cookie"].lower()
    assert ("secure" in cookie) is secure


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_serve(data_dir, *args, cwd=None) -> tuple[subprocess.Popen, str]:
    port = free_port()
    command = [sys.executable, "-c", "from app.cli import main; main()", "--data-dir", str(data_dir), "serve", "--port", str(port), *args]
    # FORWARDED_ALLOW_IPS would widen uvicorn's own trust, were it on: set it to prove it is not.
    env = {**os.environ, "FORWARDED_ALLOW_IPS": "*"}
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"serve exited: {process.stdout.read()}")
        try:
            httpx.get(f"{url}/healthz", timeout=2)
            return process, url
        except httpx.TransportError:
            time.sleep(0.2)
    process.kill()
    raise AssertionError("serve did not start in 60 s")


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def test_serve_trusts_no_forwarded_header_by_default(staff, tmp_path):
    process, url = start_serve(staff.data_dir, cwd=tmp_path)
    try:
        with httpx.Client() as client:
            statuses = [fail_sign_in(client, url, f"203.0.113.{n}").status_code for n in range(MAX_LOGIN_FAILURES + 1)]
        cookie = httpx.get(f"{url}/login", headers={"X-Forwarded-Proto": "https"}).headers["set-cookie"]
    finally:
        stop(process)
    assert statuses == [400] * MAX_LOGIN_FAILURES + [429]
    assert "secure" not in cookie.lower()


def test_serve_reads_the_web_table(staff, tmp_path):
    (tmp_path / "sotehaku.toml").write_text(
        '[web]\npublic_url = "http://www.kunta.fi/haku/"\ntrusted_proxies = ["127.0.0.1"]\n', encoding="utf-8"
    )
    process, url = start_serve(staff.data_dir, cwd=tmp_path)
    try:
        embed = httpx.get(f"{url}/haku/embed", headers={"Host": "evil.example"}).text
        with httpx.Client() as client:
            statuses = [fail_sign_in(client, url + "/haku", f"203.0.113.{n}").status_code for n in range(MAX_LOGIN_FAILURES + 1)]
    finally:
        stop(process)
    assert "http://www.kunta.fi/haku/static/embed.js" in embed and "evil.example" not in embed
    assert 429 not in statuses  # each failure came from another client behind the trusted proxy
