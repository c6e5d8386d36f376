"""A real OpenID Provider for the sign-in tests: the npm package oidc-provider, run on the machine's
Node.js from tests/oidc_provider (installed there by `make test`), on 127.0.0.1 and a free port.

The provider's development interactions take any login name and password; `sign_in_at_provider`
drives them with httpx as a browser would, and returns the redirect back to the app.
"""

from __future__ import annotations

import contextlib
import json
import re
import shutil
import subprocess
import threading
from html import unescape
from pathlib import Path
from urllib.parse import urljoin

import httpx

PROVIDER_DIR = Path(__file__).parent / "oidc_provider"
START_SECONDS = 30


@contextlib.contextmanager
def oidc_provider(clients: list[dict], groups: dict[str, list[str]]):
    """Run the provider with these clients and accounts' groups; yields its issuer URL."""
    node = shutil.which("node")
    if node is None or not (PROVIDER_DIR / "node_modules" / "oidc-provider").is_dir():
        raise RuntimeError(
            f"The test OpenID Provider needs Node.js and `npm install` in {PROVIDER_DIR}: run `make test` "
            "(or `make test-oidc-provider`) once."
        )
    config = json.dumps({"clients": clients, "groups": groups})
    process = subprocess.Popen([node, "provider.mjs", config], cwd=PROVIDER_DIR, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    try:
        found: list[str] = []
        errors: list[str] = []
        reader = threading.Thread(target=lambda: found.append(process.stdout.readline()), daemon=True)
        reader.start()
        # Its warnings (development keys and interactions) go to stderr: drained so it never blocks.
        threading.Thread(target=lambda: errors.extend(process.stderr), daemon=True).start()
        reader.join(START_SECONDS)
        line = found[0] if found else ""
        if not line.startswith("ISSUER "):
            process.kill()
            process.wait()
            raise RuntimeError(f"The test OpenID Provider did not start: {line}{''.join(errors)[-2000:]}")
        threading.Thread(target=process.stdout.read, daemon=True).start()
        yield line.split()[1]
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def sign_in_at_provider(browser: httpx.Client, authorize_url: str, login: str, stop_at: str) -> str:
    """Follow the provider's redirects and fill in its login form as `login`, until it sends the browser
    to a URL starting with `stop_at` (the app's callback); return that URL."""
    url, method, data = authorize_url, "GET", None
    for _ in range(20):
        response = browser.request(method, url, data=data, follow_redirects=False)
        if response.is_redirect:
            url, method, data = urljoin(url, response.headers["location"]), "GET", None
            if url.startswith(stop_at):
                return url
            continue
        form = re.search(r'<form[^>]*action="([^"]+)"[^>]*>(.*?)</form>', response.text, re.S)
        if response.status_code != 200 or form is None:
            raise AssertionError(f"unexpected answer from the provider at {url}: {response.status_code} {response.text[:500]}")
        fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form.group(2)))
        if 'name="login"' in form.group(2):
            fields.update(login=login, password="any-password")
        url, method, data = urljoin(url, unescape(form.group(1))), "POST", fields
    raise AssertionError("the provider kept redirecting")
