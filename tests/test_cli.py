"""The sotehaku CLI through click's CliRunner: the pipeline end to end, and errors as messages."""

import json

import pytest
from click.testing import CliRunner

from app.cli import main


@pytest.fixture()
def run(tmp_path):
    """Invoke sotehaku with a temp data dir; returns the click Result."""
    runner = CliRunner()

    def invoke(*args, input=None):
        return runner.invoke(main, ["--data-dir", str(tmp_path / "data"), *args], input=input)

    return invoke


def write_jsonl(path, docs):
    path.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in docs), encoding="utf-8")
    return path


def test_import_index_search_export(run, tmp_path):
    src = write_jsonl(tmp_path / "docs.jsonl", [
        {"id": "tr", "title": "Talousasioiden työryhmä", "text": "Työryhmässä valmistellaan hyvinvointialueen talousarviota."},
        {"id": "ps", "title": "Palveluseteli", "text": "Palvelusetelillä voi valita yksityisen palveluntuottajan."},
        {"id": "in", "title": "Pöytäkirja", "text": "Työryhmän luottamuksellinen kokous.", "visibility": "internal"},
    ])
    result = run("import", str(src))
    assert result.exit_code == 0, result.output
    assert "imported 3 documents" in result.output
    result = run("index")
    assert result.exit_code == 0, result.output
    assert "Indexed 3 documents" in result.output

    result = run("search", "työryhmät", "--format", "json")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert [h["id"] for h in payload["hits"]] == ["tr"]
    assert "Työryhmässä</mark>" in payload["hits"][0]["snippet"]

    internal = json.loads(run("search", "työryhmät", "--format", "json", "--internal").output)
    assert {h["id"] for h in internal["hits"]} == {"tr", "in"}

    text = run("search", "hyvinvointialueella")
    assert text.exit_code == 0 and "Talousasioiden työryhmä" in text.output

    exported = run("export", "--format", "jsonl")
    assert exported.exit_code == 0
    lines = [json.loads(line) for line in exported.stdout.splitlines() if line.startswith("{")]
    assert sorted(d["id"] for d in lines) == ["in", "ps", "tr"]


def test_search_without_index_explains(run, tmp_path):
    (tmp_path / "data").mkdir()
    result = run("search", "sote")
    assert result.exit_code == 1
    assert "Run 'sotehaku index' first" in result.output
    assert "Traceback" not in result.output


def test_mistyped_data_dir_is_named_as_missing(run, tmp_path):
    result = run("search", "sote")
    assert result.exit_code == 1
    assert f"The data directory {tmp_path / 'data'} does not exist" in result.output
    assert "Traceback" not in result.output


def test_index_of_empty_corpus_explains(run, tmp_path):
    (tmp_path / "data").mkdir()  # an existing, empty data directory (a missing one is named as missing: test_exit_codes)
    result = run("index")
    assert result.exit_code == 1 and "Run 'sotehaku crawl' or 'sotehaku import' first" in result.output


def test_import_of_missing_file_names_it(run, tmp_path):
    result = run("import", str(tmp_path / "missing.jsonl"))
    assert result.exit_code == 1 and "missing.jsonl" in result.output and "Traceback" not in result.output


def test_import_reports_bad_lines_and_exits_non_zero(run, tmp_path):
    src = tmp_path / "mixed.jsonl"
    src.write_text('{"id": "1", "text": "hyvä"}\n{"id": "2"}\n', encoding="utf-8")
    result = run("import", str(src))
    assert result.exit_code == 1
    assert "imported 1 documents" in result.output and "missing required field 'text'" in result.output


@pytest.mark.parametrize(
    "config_text, message",
    [
        ("[[source]\nname = 'x'", "not valid TOML"),
        ("title = 'no sources'", "no [[source]] tables"),
        ("[[source]]\nname = 'x'\nstart_urls = ['ftp://host/']", "is not an http(s) URL"),
        ("[[source]]\nname = 'x'\nstart_urls = ['http://h/']\nvisibility = 'secret'", "visibility must be one of"),
        ("[[source]]\nname = 'x'\nstart_urls = ['http://h/']\nexclude = ['(']", "not a valid regular expression"),
        ("[[source]]\nname = 'x'\nstart_urls = ['http://h/']\nmax_page = 3", "unknown key(s) max_page"),
    ],
)
def test_bad_source_config_is_explained(run, tmp_path, config_text, message):
    config = tmp_path / "sotehaku.toml"
    config.write_text(config_text, encoding="utf-8")
    result = run("crawl", "--config", str(config))
    assert result.exit_code == 1
    assert message in result.output and "Traceback" not in result.output


def test_bad_url_and_missing_config_are_explained(run, tmp_path):
    result = run("crawl", "not-a-url")
    assert result.exit_code == 1 and "is not an http(s) URL" in result.output
    result = run("crawl", "--config", str(tmp_path / "nope.toml"))
    assert result.exit_code == 1 and "nope.toml does not exist" in result.output


def test_crawl_sample_site_with_config(run, tmp_path, sample_site_url):
    host = sample_site_url.split("//")[1]
    config = tmp_path / "sotehaku.toml"
    config.write_text(
        f"""
[[source]]
name = "site"
start_urls = ["{sample_site_url}/uudistus/tyoryhmat/"]
allowed_hosts = ["{host}"]
include = ["/uudistus/"]
visibility = "public"
max_pages = 5
""",
        encoding="utf-8",
    )
    result = run("crawl", "--config", str(config), "--source", "site")
    assert result.exit_code == 0, result.output
    assert "site: fetched 5" in result.output
    result = run("crawl", "--config", str(config), "--source", "other")
    assert result.exit_code == 1 and "No source named other" in result.output
