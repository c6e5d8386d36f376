"""Source configuration: the example file loads, scope rules hold."""

from pathlib import Path

from corpus.sources import Source, load_sources

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
