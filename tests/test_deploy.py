"""The production examples in deploy/ are exercised, not just shown: the nginx site is checked with `nginx -t`
and run in front of a real `sotehaku serve` (TLS, sub-path, forwarded headers, cached static files); the
systemd units are checked with `systemd-analyze verify` (or parsed where systemd is absent); the example
sotehaku.toml is read by the same code the server uses."""

from __future__ import annotations

import configparser
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from app.querylog import read_retention
from app.web.settings import read_web_config
from corpus.sources import load_sources

DEPLOY = Path(__file__).resolve().parent.parent / "deploy"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"  # Debian's nginx (the Makefile's test packages)
SOTEHAKU = [sys.executable, "-c", "from app.cli import main; main()"]
UNITS = ("sotehaku.service", "sotehaku-refresh.service", "sotehaku-refresh.timer")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def replace_once(text: str, old: str, new: str) -> str:
    """Replace a line of the shipped example for the test; fail if the example no longer has it."""
    assert text.count(old) == 1, f"deploy example changed: {old!r} occurs {text.count(old)} times"
    return text.replace(old, new)


def test_example_config_is_valid_and_matches_the_nginx_site():
    config = DEPLOY / "sotehaku.toml"
    web = read_web_config(config)
    assert read_retention(config) == 90 and load_sources(config)
    sub_path = urlsplit(web["public_url"]).path
    site = (DEPLOY / "nginx" / "sotehaku.conf").read_text(encoding="utf-8")
    assert f"location {sub_path} {{" in site and f"location {sub_path}static/ {{" in site
    assert urlsplit(web["public_url"]).hostname in site
    assert "127.0.0.1" in web["trusted_proxies"] and "server 127.0.0.1:8000;" in site
    service = (DEPLOY / "systemd" / "sotehaku.service").read_text(encoding="utf-8")
    assert "--host 127.0.0.1 --port 8000" in service and "WorkingDirectory=/etc/sotehaku" in service


@pytest.fixture()
def nginx_site(tmp_path):
    """The shipped nginx site with ports, certificate and cache moved into a temp folder, in a minimal nginx.conf."""
    assert Path(NGINX).exists(), "nginx is missing: `make test` installs Debian's nginx (TEST_SYSTEM_PACKAGES)"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=haku.example.fi",
                    "-keyout", str(tmp_path / "key.pem"), "-out", str(tmp_path / "cert.pem")], check=True, capture_output=True)
    app_port, http_port, https_port = free_port(), free_port(), free_port()
    site = (DEPLOY / "nginx" / "sotehaku.conf").read_text(encoding="utf-8")
    site = replace_once(site, "server 127.0.0.1:8000;", f"server 127.0.0.1:{app_port};")
    site = replace_once(site, "/var/cache/nginx/sotehaku", str(tmp_path / "cache"))
    site = replace_once(site, "/etc/ssl/certs/haku.example.fi.pem", str(tmp_path / "cert.pem"))
    site = replace_once(site, "/etc/ssl/private/haku.example.fi.key", str(tmp_path / "key.pem"))
    site = replace_once(site, "    listen 80;\n    listen [::]:80;", f"    listen 127.0.0.1:{http_port};")
    site = replace_once(site, "    listen 443 ssl http2;\n    listen [::]:443 ssl http2;", f"    listen 127.0.0.1:{https_port} ssl http2;")
    (tmp_path / "site.conf").write_text(site, encoding="utf-8")
    user = "user root;\n" if os.geteuid() == 0 else ""  # workers must reach the temp cache folder
    (tmp_path / "nginx.conf").write_text(
        f"{user}pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{\n  client_body_temp_path {tmp_path}/body;\n  proxy_temp_path {tmp_path}/proxy;\n"
        f"  include {tmp_path / 'site.conf'};\n}}\n", encoding="utf-8",
    )
    return tmp_path, app_port, http_port, https_port


def test_nginx_example_passes_nginx_t(nginx_site):
    folder = nginx_site[0]
    checked = subprocess.run([NGINX, "-t", "-p", str(folder), "-c", str(folder / "nginx.conf")], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    assert "syntax is ok" in checked.stderr and "test is successful" in checked.stderr


def test_nginx_example_serves_the_app_under_its_sub_path_over_tls(nginx_site, indexed_data_dir):
    folder, app_port, http_port, https_port = nginx_site
    config = (DEPLOY / "sotehaku.toml").read_text(encoding="utf-8")
    (folder / "sotehaku.toml").write_text(config, encoding="utf-8")
    server = subprocess.Popen([*SOTEHAKU, "--data-dir", str(indexed_data_dir), "serve", "--port", str(app_port)],
                              cwd=folder, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    proxy = subprocess.Popen([NGINX, "-p", str(folder), "-c", str(folder / "nginx.conf"), "-g", "daemon off;"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    base = f"https://127.0.0.1:{https_port}"
    try:
        with httpx.Client(verify=False, timeout=30) as client:
            deadline = time.monotonic() + 90
            while True:
                try:
                    if client.get(f"{base}/haku/healthz").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert time.monotonic() < deadline and server.poll() is None and proxy.poll() is None, "nginx or sotehaku did not start"
                time.sleep(0.3)
            redirect = client.get(f"http://127.0.0.1:{http_port}/haku/?q=kela")
            assert redirect.status_code == 301 and redirect.headers["location"].startswith("https://")
            assert client.get(f"{base}/haku").headers["location"].endswith(":" + str(https_port) + "/haku/")
            page = client.get(f"{base}/haku/", params={"q": "palveluseteli"})
            assert page.status_code == 200 and "max-age=31536000" in page.headers["strict-transport-security"]
            assert 'href="/haku/' in page.text and not re.search(r'(href|src|action)="/(?!haku/)', page.text)
            hits = client.get(f"{base}/haku/api/search", params={"q": "palveluseteli"}).json()["hits"]
            assert hits
            # X-Forwarded-Proto from the trusted proxy: the app knows the request came over HTTPS.
            login = client.get(f"{base}/haku/login")
            assert login.status_code == 200 and "secure" in login.headers["set-cookie"].lower()
            static = re.search(r'(?:href|src)="(/haku/static/[^"]+)"', page.text).group(1)
            first, second = client.get(f"{base}{static}"), client.get(f"{base}{static}")
            assert first.status_code == second.status_code == 200 and first.content == second.content
            assert (first.headers["x-cache-status"], second.headers["x-cache-status"]) == ("MISS", "HIT")
            assert "max-age=86400" in second.headers["cache-control"]
            assert client.get(f"{base}/haku/metrics").status_code == 200  # from 127.0.0.1, which is allowed
    finally:
        for process in (proxy, server):
            process.terminate()
            process.communicate(timeout=30)


def _units_for_this_machine(folder: Path) -> list[Path]:
    """The shipped units with the install path of sotehaku replaced by this checkout's (verify checks it exists)."""
    executable = Path(sys.prefix) / "bin" / "sotehaku"
    assert executable.exists()
    paths = []
    for name in UNITS:
        text = (DEPLOY / "systemd" / name).read_text(encoding="utf-8").replace("/opt/sotehaku/.venv/bin/sotehaku", str(executable))
        (folder / name).write_text(text, encoding="utf-8")
        paths.append(folder / name)
    return paths


def test_systemd_units_verify(tmp_path):
    units = _units_for_this_machine(tmp_path)
    analyze = shutil.which("systemd-analyze")
    if analyze:
        checked = subprocess.run([analyze, "verify", "--man=no", *map(str, units)], capture_output=True, text=True,
                                 env={**os.environ, "SYSTEMD_LOG_LEVEL": "warning"})
        problems = [line for line in checked.stderr.splitlines() if any(name in line for name in UNITS)]
        assert checked.returncode == 0 and not problems, checked.stderr
    parsed = {}
    for unit in units:  # and read as systemd reads them, in any case: sections, commands, the timer's target
        parser = configparser.ConfigParser(strict=False, interpolation=None, delimiters=("=",))
        parser.optionxform = str
        parser.read(unit, encoding="utf-8")
        parsed[unit.name] = parser
    serve = parsed["sotehaku.service"]
    assert serve["Service"]["ExecStart"].split()[1:3] == ["serve", "--host"] and "--access-log" in serve["Service"]["ExecStart"]
    refresh = parsed["sotehaku-refresh.service"]["Service"]
    assert refresh["Type"] == "oneshot" and refresh["ExecStart"].endswith("sotehaku crawl")
    assert refresh["ExecStopPost"].endswith("sotehaku index")
    timer = parsed["sotehaku-refresh.timer"]
    assert timer["Timer"]["OnCalendar"] and timer["Timer"]["Persistent"] == "true" and timer["Install"]["WantedBy"] == "timers.target"
    for name in ("sotehaku.service", "sotehaku-refresh.service"):
        assert parsed[name]["Service"]["Environment"] == "SOTEHAKU_DATA_DIR=/var/lib/sotehaku"
    if analyze:
        calendar = subprocess.run([analyze, "calendar", timer["Timer"]["OnCalendar"]], capture_output=True, text=True)
        assert calendar.returncode == 0 and "Next elapse" in calendar.stdout
