"""Source configuration: the example file loads, scope rules hold."""

import re
from pathlib import Path

import pytest

from corpus.sources import Source, SourceConfigError, load_sources

EXAMPLE = Path(__file__).resolve().parent.parent / "sotehaku.toml.example"


def test_example_config_loads():
    sources = load_sources(EXAMPLE)
    assert [s.name for s in sources] == ["hyvinvointialue", "intranet"]
    assert sources[1].visibility == "internal"


def test_scope_rules():
    source = load_sources(EXAMPLE)[0]
    assert source.in_scope("https://www.example.fi/palvelut/kotihoito")
    assert not source.in_scope("https://www.example.fi/sisainen/muistio")
    assert not source.in_scope("https://www.example.fi/sivu?print=1")
    assert not source.in_scope("https://evil.example.com/www.example.fi/")
    assert not source.in_scope("ftp://www.example.fi/file")
    intranet = load_sources(EXAMPLE)[1]
    assert intranet.in_scope("https://intra.example.fi/sote/poytakirja")
    assert not intranet.in_scope("https://intra.example.fi/muu/")


def test_bare_url_means_that_host_public():
    source = Source.for_url("http://127.0.0.1:5000/uudistus/")
    assert source.allowed_hosts == ("127.0.0.1:5000",)
    assert source.in_scope("http://127.0.0.1:5000/palvelut/")
    assert not source.in_scope("http://127.0.0.1:5001/palvelut/")
    assert source.visibility == "public"


def write(tmp_path, body: str) -> Path:
    path = tmp_path / "sotehaku.toml"
    path.write_text(body, encoding="utf-8")
    return path


def test_example_sets_every_crawl_limit():
    source = load_sources(EXAMPLE)[0]
    assert (source.max_depth, source.timeout, source.retries) == (50, 10.0, 3)
    assert source.sitemap_urls == ("https://www.example.fi/sitemap_index.xml",)


def test_a_sitemap_alone_is_a_source_and_names_its_host(tmp_path):
    [source] = load_sources(write(tmp_path, '[[source]]\nname = "s"\nsitemap_urls = ["https://www.example.fi/sitemap.xml"]\n'))
    assert source.start_urls == () and source.allowed_hosts == ("www.example.fi",)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("max_depth = -1", "max_depth must be a whole number, 0 or more"),
        ("timeout = 0", "timeout must be a number of seconds above 0"),
        ("retries = 11", "retries must be a whole number from 0 to 10"),
        ('retries = "3"', "retries must be a whole number from 0 to 10"),
        ('sitemap_urls = ["/sitemap.xml"]', "sitemap_urls entry '/sitemap.xml' is not an http(s) URL"),
        ("depth = 3", "unknown key(s) depth"),
    ],
)
def test_bad_values_are_named_with_the_fix(tmp_path, line, message):
    path = write(tmp_path, f'[[source]]\nname = "s"\nstart_urls = ["https://www.example.fi/"]\n{line}\n')
    with pytest.raises(SourceConfigError, match=re.escape(message)) as caught:
        load_sources(path)
    assert str(caught.value).startswith(f"{path}, source")  # names the file and the source


def test_no_start_or_sitemap_url_is_refused(tmp_path):
    with pytest.raises(SourceConfigError, match="give at least one URL in 'start_urls' or 'sitemap_urls'"):
        load_sources(write(tmp_path, '[[source]]\nname = "s"\n'))
