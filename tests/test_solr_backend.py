"""The SolrCloud backend through the CLI on the sample site, against the embedded index, and its errors.

The sample site is set up (2 shards, so collapsing and statistics cross shards), indexed and searched
with `sotehaku --solr URL...` on the session's local cluster; a table of queries then gets the same
first hit, totals, facets, relaxed and corrected answers from both backends. (Below the first hit the
order may differ: Lucene's BM25 weighs common words less than Whoosh's BM25F does.)
"""

from __future__ import annotations

import json
import os
import re
import socket

import httpx
import pytest
from click.testing import CliRunner

from app.backend import BackendConfigError, parse_solr, solr_settings, use_solr
from app.cli import main
from backends.solr.backend import PARTS, SolrBackend, SolrSnapshot, _terms_by_analysis, match_text
from backends.solr.configset import TEXT_SLOT_FIELDS
from backends.whoosh.backend import WhooshBackend
from search.api import IndexUnavailableError
from search.engine import SearchEngine, Viewer
from search.access import visibilities
from search.query import proximity_words, word_query

STAFF = Viewer(name="staff", staff=True)
COLLECTION = "sample"
PARITY_QUERIES = [
    "palveluseteli", "palvelusetelillä", "hyvinvointialueella", "sotekeskus", "sote-keskuksissa", "kotihoidon",
    "aluevaltuustoon", "hemvård", "service voucher", "digityöryhmä", "paijat-hame", '"sosiaali- ja terveyspalvelut"',
    "kotihoito -yöpartio", "neuvola OR hammashoito", "asiakasmaksut", "title:palveluseteli", "type:pdf",
    "omaishoito", "valmistelu", "talousarvio", "hyvinvontialue", "pelastustoimi", "päivystys",
]


@pytest.fixture(scope="module")
def solr_urls(request):
    """Node URLs of the session's local cluster (SOTEHAKU_TEST_SOLR names a running one instead)."""
    running = os.environ.get("SOTEHAKU_TEST_SOLR")
    return running.split(",") if running else request.getfixturevalue("solrcloud").node_urls


@pytest.fixture(scope="module")
def cli(indexed_data_dir, solr_urls):
    runner = CliRunner()
    solr = ",".join(f"{url}/{COLLECTION}" for url in solr_urls)

    def invoke(*args):
        try:
            return runner.invoke(main, ["--data-dir", str(indexed_data_dir), "--solr", solr, *args])
        finally:
            use_solr(None)

    return invoke


@pytest.fixture(scope="module")
def solr_sample(cli, solr_urls):
    """The sample site's corpus set up and indexed in SolrCloud through the CLI."""
    setup = cli("solr", "setup", "--shards", "2", "--replicas", "1")
    assert setup.exit_code == 0, setup.output
    assert "sample_public: 2 shards x 1 replicas, active" in setup.output
    indexed = cli("index")
    assert indexed.exit_code == 0, indexed.output
    return SolrBackend(solr_urls, COLLECTION)


@pytest.fixture(scope="module")
def engines(solr_sample, indexed_data_dir):
    return (SearchEngine(WhooshBackend(indexed_data_dir), lexicon_dir=indexed_data_dir),
            SearchEngine(solr_sample, lexicon_dir=indexed_data_dir))


def test_a_full_run_leaves_one_segment_per_shard(solr_sample, solr_urls):
    """The first run was a full one: it merged each shard's documents into one segment, in id order, for
    searches that look a term up once per shard and collapse by score alone (in the shard of the meta
    document, the merged version's, written after the merge, is the one document of a second segment)."""
    for collection in solr_sample.collections.values():
        for url in solr_urls:
            core = httpx.get(f"{url}/{collection}/admin/segments", params={"wt": "json", "distrib": "false"}, timeout=30)
            sizes = sorted(segment["size"] for segment in core.json()["segments"].values())
            assert sizes[-1] > 1 and sizes[:-1] in ([], [1]), (url, collection, sizes)
    assert set(solr_sample.collections) == set(PARTS) and solr_sample.snapshot().merged


def requests_sent(backend: SolrBackend, monkeypatch) -> list[str]:
    """The paths of the requests the backend's client sends from now on (until monkeypatch.undo())."""
    paths = []
    request = backend.client.request

    def counting(method, path, **kwargs):
        paths.append(path)
        return request(method, path, **kwargs)

    monkeypatch.setattr(backend.client, "request", counting)
    return paths


def test_a_search_of_several_words_counts_the_proximity_frequencies_in_its_own_request(engines, solr_sample, monkeypatch):
    """The document frequencies that the proximity re-ranking asks for after a search of several words come
    with the search's one request, and agree with those counted on their own."""
    snap = SolrSnapshot(solr_sample, solr_sample.live_version())
    parsed = engines[1]._parse(snap, "palveluseteli kotihoito hyvinvointialue")
    query = parsed.query()
    by_analysis: dict[str, list[str]] = {}
    for word_terms, _ in proximity_words(query):
        for analysis, term in word_terms:
            by_analysis.setdefault(analysis, []).append(term)
    assert len(by_analysis) == 3  # the languages of the sample site: a request each, counted on their own
    paths = requests_sent(solr_sample, monkeypatch)
    found = snap.search(query, parsed.filters, ("public",), 10)
    assert found.total > 0 and len(paths) == 1
    counts = {analysis: snap.term_documents(analysis, terms, ("public",)) for analysis, terms in by_analysis.items()}
    assert len(paths) == 1
    monkeypatch.undo()
    alone = SolrSnapshot(solr_sample, snap.version)
    assert counts == {analysis: alone.term_documents(analysis, terms, ("public",)) for analysis, terms in by_analysis.items()}
    assert 0 < counts["fi"]["palveluseteli"] < counts["fi"]["hyvinvointialue"] < snap.doc_count(("public",))


def test_the_words_of_a_search_that_finds_nothing_are_looked_up_in_one_request(engines, solr_sample, monkeypatch):
    """Which words no document has (and did-you-mean, and compound heads) are asked about together: one
    request for the words not yet remembered, agreeing with each word asked about on its own."""
    snap = SolrSnapshot(solr_sample, solr_sample.live_version())
    parsed = engines[1]._parse(snap, "palveluseteli kotihoito xyzzyqwerty")
    queries = [word_query(word, langs=snap.languages) for word in parsed.words]
    paths = requests_sent(solr_sample, monkeypatch)
    assert snap.any_matches(queries, ("public",)) == [True, True, False] and len(paths) == 1
    assert snap.any_matches(queries[1:], ("public",)) == [True, False] and len(paths) == 1  # remembered
    monkeypatch.undo()
    alone = SolrSnapshot(solr_sample, snap.version)
    assert [alone.any_matches([q], ("public",))[0] for q in queries] == [True, True, False]
    assert alone.any_matches([queries[2]], visibilities(STAFF)) == [False] and alone.any_matches([], ("public",)) == []


def test_cli_indexes_again_only_what_changed_and_searches(cli, solr_sample):
    again = cli("index")
    assert again.exit_code == 0 and "The index is up to date" in again.output, again.output
    found = cli("search", "palvelusetelillä", "--format", "json")
    assert found.exit_code == 0, found.output
    hits = json.loads(found.output)["hits"]
    assert hits[0]["url"].endswith("/palvelut/palveluseteli.html") and "<mark>" in hits[0]["snippet"]
    assert all(h["visibility"] == "public" for h in hits)
    completions = cli("suggest", "palveluse", "--format", "json")
    assert completions.exit_code == 0 and "palveluseteli" in completions.output
    stats = json.loads(cli("stats", "--format", "json").output)["index"]
    assert stats["documents"] == solr_sample.snapshot().doc_count(("public",)) > 0 and stats["bytes"] > 0


@pytest.mark.parametrize("viewer", [None, STAFF], ids=["anonymous", "staff"])
@pytest.mark.parametrize("query", PARITY_QUERIES)
def test_same_answers_as_the_embedded_index(engines, query, viewer):
    embedded, solr = (engine.search(query, viewer=viewer or Viewer(), size=10) for engine in engines)
    assert solr.total == embedded.total
    assert solr.facets == embedded.facets
    assert (solr.relaxed, solr.corrected, solr.suggestion) == (embedded.relaxed, embedded.corrected, embedded.suggestion)
    if embedded.hits:
        assert solr.hits[0].id == embedded.hits[0].id
        assert _marked(solr.hits[0].snippet) == _marked(embedded.hits[0].snippet)
        assert solr.hits[0].visibility == embedded.hits[0].visibility


def test_documents_counts_and_completions_agree(engines):
    embedded, solr = engines
    for viewer in (Viewer(), STAFF):
        assert solr.doc_count(viewer) == embedded.doc_count(viewer)
        assert solr.suggest("hyvinvoi", viewer=viewer) == embedded.suggest("hyvinvoi", viewer=viewer)
    some = embedded.search("palveluseteli").hits[0].id
    assert solr.document(some) == embedded.document(some)


@pytest.mark.parametrize("query", ["palvelusetelillä", "hyvinvointialueella", "sote-keskuksissa", "hemvård", "paijat-hame"])
def test_snippet_spans_from_stored_slots_are_those_of_the_text_analysed_again(engines, solr_sample, query):
    """Hits' spans come from their terms' positions in the text's slots stored at indexing; a document
    indexed with none stored gets the same spans from its text analysed again at search time."""
    snap = solr_sample.snapshot()
    parsed = engines[1]._parse(snap, query)
    matches = snap.search(parsed.query(), parsed.filters, ("public",), 10, facets=False)
    assert matches.top and any(m.spans for m in matches.top)
    terms = _terms_by_analysis(parsed.query())
    for match in matches.top:
        assert not set(TEXT_SLOT_FIELDS.values()) & set(match.stored)
        found = solr_sample.select("public", {"q": "{!term f=id v=$doc}", "doc": match.id, "fl": ",".join(TEXT_SLOT_FIELDS.values())})
        slots = found["response"]["docs"][0]
        assert slots
        assert (set(match.spans), match.starts) == match_text(match.stored, terms, slots) == match_text(match.stored, terms)


def _marked(snippet: str) -> set[str]:
    return {m.lower() for m in re.findall(r"<mark>(.*?)</mark>", snippet)}


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_an_unreachable_cluster_is_a_one_line_error_naming_the_url_and_the_fix(tmp_path):
    url = f"http://127.0.0.1:{_closed_port()}/solr"
    with pytest.raises(IndexUnavailableError) as caught:
        SearchEngine(SolrBackend([url])).search("sote")
    message = str(caught.value)
    assert url in message and "make solrcloud" in message and "\n" not in message
    runner = CliRunner()
    for args in (["search", "sote"], ["solr", "setup"]):
        result = runner.invoke(main, ["--data-dir", str(tmp_path), "--solr", url, *args])
        use_solr(None)
        assert result.exit_code == 1 and url in result.output and "Traceback" not in result.output, (args, result.output)


def test_a_missing_collection_says_how_to_set_it_up(solr_urls):
    with pytest.raises(IndexUnavailableError, match=r"'nosuch_all' does not exist at .*Run 'sotehaku solr setup'"):
        SolrBackend(solr_urls, "nosuch").snapshot()


def test_solr_settings_come_from_the_option_the_environment_or_the_config_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SOTEHAKU_SOLR", raising=False)
    assert solr_settings() is None  # no option, no variable, no file: the embedded index
    (tmp_path / "sotehaku.toml").write_text('[solr]\nurls = ["http://a:8983/solr"]\ncollection = "haku"\n')
    assert solr_settings() == parse_solr("http://a:8983/solr", "haku")
    monkeypatch.setenv("SOTEHAKU_SOLR", "http://b:8983/solr/toinen")
    assert solr_settings() == parse_solr("http://b:8983/solr", "toinen")
    use_solr("http://c:8983/solr")
    try:
        assert solr_settings().urls == ("http://c:8983/solr",)
    finally:
        use_solr(None)
    (tmp_path / "sotehaku.toml").write_text('[solr]\nhosts = ["a"]\n')
    monkeypatch.delenv("SOTEHAKU_SOLR")
    with pytest.raises(BackendConfigError, match="needs urls"):
        solr_settings()
    with pytest.raises(BackendConfigError, match="is not a Solr URL"):
        parse_solr("solr1:8983")
