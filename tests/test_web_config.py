"""The [web] table of sotehaku.toml and serve's options: read, checked, and refused with the fix."""

import pytest
from click.testing import CliRunner

from app.cli import main, web_settings
from app.web.settings import WebConfigError, read_web_config

SOURCES = '[[source]]\nname = "kunta"\nstart_urls = ["https://www.kunta.fi/"]\n'


def test_web_table_next_to_the_sources(tmp_path):
    config = tmp_path / "sotehaku.toml"
    config.write_text(SOURCES + '[web]\npublic_url = "https://www.kunta.fi/haku/"\ntrusted_proxies = ["10.0.0.0/8", "::1"]\n'
                      'cors_origins = ["https://www.kunta.fi"]\nsecure_cookies = true\n', encoding="utf-8")
    settings = web_settings(tmp_path / "data", config)
    assert settings.public_url == "https://www.kunta.fi/haku" and settings.root == "/haku"
    assert settings.trusted_proxies == ("10.0.0.0/8", "::1") and settings.cors_origins == ("https://www.kunta.fi",)
    assert settings.secure_cookies is True and settings.public_origin == "https://www.kunta.fi"


def test_options_take_the_place_of_the_file(tmp_path):
    config = tmp_path / "sotehaku.toml"
    config.write_text('[web]\npublic_url = "https://www.kunta.fi/haku/"\ntrusted_proxies = ["10.0.0.1"]\n', encoding="utf-8")
    settings = web_settings(tmp_path, config, public_url="https://haku.kunta.fi/", trusted_proxies=("192.168.0.0/16",))
    assert settings.public_url == "https://haku.kunta.fi" and settings.root == ""
    assert settings.trusted_proxies == ("192.168.0.0/16",)


def test_no_file_and_no_table_mean_the_defaults(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert web_settings(tmp_path, None).public_url is None
    (tmp_path / "sotehaku.toml").write_text(SOURCES, encoding="utf-8")
    settings = web_settings(tmp_path, None)
    assert settings.public_url is None and settings.trusted_proxies == () and settings.root == ""


@pytest.mark.parametrize("table, words", [
    ('publik_url = "https://x.fi/"', ["unknown key(s) publik_url", "public_url, trusted_proxies"]),
    ("public_url = 3", ["public_url must be a string"]),
    ('public_url = "x.fi/haku"', ["not an http(s) URL"]),
    ('trusted_proxies = ["proxy.kunta.fi"]', ["'proxy.kunta.fi' is not an IP address", "10.0.0.0/8"]),
    ('trusted_proxies = ["10.0.0.0/33"]', ["'10.0.0.0/33'"]),
    ("trusted_proxies = [1]", ["trusted_proxies must be a list of strings"]),
    ('secure_cookies = "yes"', ["true or false"]),
    ('cors_origins = ["https://x.fi/path"]', ["is not an origin"]),
])
def test_bad_web_table_names_the_file_and_the_fix(tmp_path, table, words):
    config = tmp_path / "sotehaku.toml"
    config.write_text(f"[web]\n{table}\n", encoding="utf-8")
    with pytest.raises(WebConfigError) as error:
        read_web_config(config)
    assert f"{config}, [web]" in str(error.value)
    for word in words:
        assert word in str(error.value)


def test_broken_toml_and_missing_file(tmp_path):
    config = tmp_path / "sotehaku.toml"
    config.write_text("[web\n", encoding="utf-8")
    with pytest.raises(WebConfigError, match="is not valid TOML"):
        read_web_config(config)
    with pytest.raises(WebConfigError, match="does not exist"):
        read_web_config(tmp_path / "nowhere.toml")


@pytest.mark.parametrize("args, words", [
    (["--public-url", "ftp://www.kunta.fi/"], ["Public URL 'ftp://www.kunta.fi/'"]),
    (["--trusted-proxy", "localhost"], ["Trusted proxy 'localhost'"]),
    (["--cors-origin", "www.kunta.fi"], ["CORS origin 'www.kunta.fi'"]),
    (["--config", "nowhere.toml"], ["nowhere.toml does not exist"]),
])
def test_serve_refuses_bad_settings_without_a_traceback(tmp_path, monkeypatch, args, words):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["--data-dir", str(tmp_path), "serve", *args])
    assert result.exit_code == 1 and "Traceback" not in result.output
    for word in words:
        assert word in result.output
