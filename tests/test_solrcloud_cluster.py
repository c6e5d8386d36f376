"""The SolrCloud foundation on a real local cluster: processes, collection set-up, the slot fields,
global statistics, a killed node, and the errors of an unreachable cluster or a bad configset."""

from __future__ import annotations

import ast
import functools
import http.server
import shutil
import socket
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from backends.solr.admin import (
    cluster_status, collection_exists, delete_collection, setup_collection, upload_configset, wait_until_active)
from backends.solr.configset import (
    CONFIGSET_DIR, FILTER_FIELDS, SLOT_FIELDS, STORED_FIELDS, TEXT_SLOT_FIELDS, encode_slots, slot_field,
)
from backends.solr.errors import CollectionError, ConfigsetError, SolrUnreachableError

ROOT = Path(__file__).resolve().parent.parent


def index(urls, collection, docs):
    response = httpx.post(f"{urls[0]}/{collection}/update", params={"commit": "true"}, json=docs, timeout=60)
    assert response.status_code == 200, response.text


def query(url, collection, q, **params):
    """The (id, score) pairs that one node answers for a query (JSON Request API), best first."""
    response = httpx.post(f"{url}/{collection}/query", json={"query": q, "fields": "id,score,[shard]", "limit": 50,
                                                              "params": params}, timeout=30)
    assert response.status_code == 200, response.text
    return [(doc["id"], doc["score"]) for doc in response.json()["response"]["docs"]]


def ids(url, collection, q, **params):
    return [doc_id for doc_id, _ in query(url, collection, q, **params)]


def delete_by_query(urls, collection, q):
    response = httpx.post(f"{urls[0]}/{collection}/update", params={"commit": "true"}, json={"delete": {"query": q}}, timeout=60)
    assert response.status_code == 200, response.text


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# -- the package itself


# The backend's own modules use sotehaku's backend-neutral core (documents, analysis, the query tree).
SOLR_BACKEND_MODULES = {"backend.py", "indexing.py", "translate.py"}
NEUTRAL_CORE = {"languages", "corpus", "indexer", "search"}  # languages.py: any stage may import it


def test_solr_package_imports_only_the_standard_library_httpx_and_its_core():
    """The foundation (cluster, configset, admin, client) imports only the standard library and httpx; the
    backend's modules also sotehaku's neutral core and orjson (the documents' JSON); none imports another
    backend."""
    imported = {}
    for path in (ROOT / "backends" / "solr").rglob("*.py"):
        allowed = set(sys.stdlib_module_names) | {"httpx", "backends"}
        if path.name in SOLR_BACKEND_MODULES:
            allowed |= NEUTRAL_CORE | {"orjson"}
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module]
            else:
                continue
            imported.update({name: path.name for name in names if name.split(".")[0] not in allowed})
            if any(name.startswith("backends.") and not name.startswith("backends.solr") for name in names):
                imported.update({name: path.name for name in names})
    assert imported == {}


def test_slots_of_a_token_stream():
    assert encode_slots([(0, "työryhmän"), (0, "työryhmä"), (0, "työryhmä"), (1, "kokous")]) == "työryhmän|työryhmä kokous"
    assert encode_slots([(1, "sote"), (3, "uudistus")]) == "| sote | uudistus"
    assert encode_slots([]) == ""
    for bad in ([(0, "a b")], [(0, "a|b")], [(0, "")], [(1, "a"), (0, "b")]):
        with pytest.raises(ValueError):
            encode_slots(bad)


def test_field_names():
    assert slot_field("text", "lemma", "fi") == "text_fi"
    assert slot_field("headings", "synonym", "sv") == "headings_sv_synonym"
    assert slot_field("title", "folded") == "title_folded"
    with pytest.raises(ValueError, match="weight class"):
        slot_field("text", "part")
    assert len(SLOT_FIELDS) == len(set(SLOT_FIELDS)) == 5 * 3 * 2 + 5


# -- the cluster


def test_cluster_runs_zookeeper_and_two_node_processes(solrcloud):
    assert solrcloud.zk_host.startswith("127.0.0.1:")
    urls = solrcloud.node_urls
    assert len(urls) == 2 and len(set(urls)) == 2 and all(u.startswith("http://127.0.0.1:") and u.endswith("/solr") for u in urls)
    assert solrcloud.live_nodes() == sorted(u.removeprefix("http://").replace("/solr", "_solr") for u in urls)
    pids = {node.popen.pid for node in solrcloud._nodes} | {solrcloud._zk.popen.pid}
    assert len(pids) == 3


def test_setup_creates_two_shards_with_a_replica_on_each_node(solrcloud, solrcloud_collection):
    status = cluster_status(solrcloud.node_urls, solrcloud_collection)
    shards = status["collections"][solrcloud_collection]["shards"]
    assert sorted(shards) == ["shard1", "shard2"]
    for shard in shards.values():
        replicas = shard["replicas"].values()
        assert sorted(r["node_name"] for r in replicas) == sorted(status["live_nodes"])
        assert {r["state"] for r in replicas} == {"active"}


def test_setup_again_reloads_and_refuses_other_counts(solrcloud, solrcloud_collection):
    state = setup_collection(solrcloud.node_urls, solrcloud_collection, shards=2, replicas=2)
    assert len(state["shards"]) == 2
    with pytest.raises(CollectionError, match=r"exists with 2 shards x 2 replicas, not 3 x 1.*--shards 2 --replicas 2"):
        setup_collection(solrcloud.node_urls, solrcloud_collection, shards=3, replicas=1)


def test_schema_has_the_fields_of_the_package(solrcloud, solrcloud_collection):
    url = solrcloud.node_urls[1]
    fields = {f["name"]: f for f in httpx.get(f"{url}/{solrcloud_collection}/schema/fields", timeout=30).json()["fields"]}
    stored_slots = set(TEXT_SLOT_FIELDS.values())
    assert stored_slots < set(SLOT_FIELDS)
    assert {name: fields.get(name, {}).get("type") for name in SLOT_FIELDS} == {
        name: "stored_slots" if name in stored_slots else "slots" for name in SLOT_FIELDS}
    assert all(fields[name]["type"] in ("string", "pdate") for name in FILTER_FIELDS)
    assert all(fields[name]["type"] == "stored_text" for name in STORED_FIELDS)
    types = {name: httpx.get(f"{url}/{solrcloud_collection}/schema/fieldtypes/{name}", timeout=30).json()["fieldType"]
             for name in ("slots", "stored_slots")}
    assert (types["slots"]["stored"], types["stored_slots"]["stored"]) == (False, True)
    assert types["slots"]["analyzer"] == types["stored_slots"]["analyzer"]
    filters = types["slots"]["analyzer"]["filters"]
    assert types["slots"]["analyzer"]["tokenizer"]["class"] == "solr.WhitespaceTokenizerFactory"
    assert filters[0] == {"class": "solr.PatternCaptureGroupFilterFactory", "pattern": "([^|]+)", "preserve_original": "false"}


def test_slot_terms_are_stacked_at_their_positions(solrcloud, solrcloud_collection):
    urls, c = solrcloud.node_urls, solrcloud_collection
    # "Työryhmän kokous siirtyi" with a removed stopword between "kokous" and "siirtyi".
    text = encode_slots([(0, "työryhmän"), (0, "työryhmä"), (0, "työ"), (0, "ryhmä"), (1, "kokous"), (3, "siirtyä")])
    assert text == "työryhmän|työryhmä|työ|ryhmä kokous | siirtyä"
    index(urls, c, [{"id": "slots-1", "text_fi": text, "visibility": "public"}])
    try:
        analysis = httpx.get(f"{urls[0]}/{c}/analysis/field", params={
            "analysis.fieldname": "text_fi", "analysis.fieldvalue": text}, timeout=30).json()
        tokens = analysis["analysis"]["field_names"]["text_fi"]["index"][-1]
        assert [(t["text"], t["position"]) for t in tokens] == [
            ("työryhmän", 1), ("työryhmä", 1), ("työ", 1), ("ryhmä", 1), ("kokous", 2), ("siirtyä", 4)]

        for url in urls:
            assert ids(url, c, "{!term f=text_fi}ryhmä") == ["slots-1"]  # a stacked term alone
            assert ids(url, c, "{!term f=text_fi}työryhmä|työ") == []  # the slot text is not a term
            assert ids(url, c, "{!field f=text_fi}työryhmä kokous") == ["slots-1"]  # a phrase across slots
            assert ids(url, c, "{!field f=text_fi}ryhmä kokous") == ["slots-1"]
            assert ids(url, c, "{!field f=text_fi}kokous ryhmä") == []  # order matters: positions are real
            # A phrase with alternatives at its first position (sent as a slot), as a query word's readings.
            assert ids(url, c, "{!field f=text_fi}kuusi|ryhmä kokous") == ["slots-1"]
            assert ids(url, c, "{!field f=text_fi}kuusi|puu kokous") == []
            # The removed stopword keeps its position: "kokous siirtyä" is not adjacent, "kokous | siirtyä" is.
            assert ids(url, c, "{!field f=text_fi}kokous siirtyä") == []
            assert ids(url, c, "{!field f=text_fi}kokous | siirtyä") == ["slots-1"]
    finally:
        delete_by_query(urls, c, "id:slots-*")


def test_exact_stats_cache_scores_identical_documents_equally_across_shards(solrcloud, solrcloud_collection):
    urls, c = solrcloud.node_urls, solrcloud_collection
    same = [{"id": f"same-{i}", "text_fi": "hyvinvointialue kokous", "visibility": "public"} for i in range(8)]
    # Filler that shares one routing prefix lands on one shard only, so the shards' own statistics differ.
    filler = [{"id": f"filler!{i}", "text_fi": f"kokous sana{i}", "visibility": "public"} for i in range(30)]
    index(urls, c, same + filler)
    try:
        response = httpx.post(f"{urls[0]}/{c}/query", json={
            "query": "{!term f=text_fi}hyvinvointialue", "filter": "id:same-*", "fields": "id,score,[shard]", "limit": 20,
        }, timeout=30).json()
        docs = response["response"]["docs"]
        assert len(docs) == 8
        by_shard = {}
        for doc in docs:
            by_shard.setdefault(doc["[shard]"], []).append(doc["score"])
        assert len(by_shard) == 2, "the identical documents should be spread over both shards"
        scores = [doc["score"] for doc in docs]
        assert max(scores) - min(scores) < 1e-6

        # Control: each shard alone (distrib=false) scores them differently, so the equality above comes from
        # the global statistics, not from equal shards. (cache=false: the query result cache keeps the scores
        # of the distributed request's shard query, which used the global statistics.)
        shards = cluster_status(urls, c)["collections"][c]["shards"]
        local_scores = set()
        for shard in by_shard:
            replica = next(iter(shards[shard]["replicas"].values()))
            local = httpx.get(f"{replica['base_url']}/{replica['core']}/select", params={
                "q": "{!term f=text_fi cache=false}hyvinvointialue", "fq": "id:same-*", "fl": "id,score", "distrib": "false"}, timeout=30).json()
            local_scores.add(round(local["response"]["docs"][0]["score"], 6))
        assert len(local_scores) == 2
    finally:
        delete_by_query(urls, c, "id:same-* OR id:filler*")


def test_unreachable_cluster_names_the_url_and_the_fix():
    url = f"http://127.0.0.1:{closed_port()}/solr"
    with pytest.raises(SolrUnreachableError) as caught:
        setup_collection([url], "sotehaku", shards=2, replicas=2)
    message = str(caught.value)
    assert url in message and "make solrcloud" in message and "\n" not in message


def test_a_url_that_is_not_solr_names_the_url_and_the_fix(tmp_path):
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    with http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler) as server:
        threading.Thread(target=server.serve_forever, daemon=True).start()
        url = f"http://127.0.0.1:{server.server_address[1]}/solr"
        try:
            with pytest.raises(SolrUnreachableError, match=f"^{url} is not the base URL of a Solr node: .*answered HTTP 501 without Solr's JSON.*ending in /solr"):
                setup_collection([url], "sotehaku")
        finally:
            server.shutdown()


def test_configset_without_solrconfig_is_refused_before_sending(tmp_path, solrcloud):
    with pytest.raises(ConfigsetError, match=f"{tmp_path} is not a configset: it has no solrconfig.xml"):
        upload_configset(solrcloud.node_urls, "broken", tmp_path)


def test_configset_with_files_that_solr_would_drop_is_refused(tmp_path, solrcloud):
    configset = tmp_path / "configset"
    shutil.copytree(CONFIGSET_DIR, configset)
    (configset / "plugin.jar").write_bytes(b"PK\x03\x04")
    with pytest.raises(ConfigsetError, match="contains plugin.jar: SolrCloud drops files of these types"):
        upload_configset(solrcloud.node_urls, "with_jar", configset)


def broken_configset(tmp_path):
    """The package's configset with a filter class that Solr does not have."""
    configset = tmp_path / "configset"
    shutil.copytree(CONFIGSET_DIR, configset)
    schema = configset / "managed-schema.xml"
    schema.write_text(schema.read_text(encoding="utf-8").replace("solr.StopFilterFactory", "solr.NoSuchFilterFactory"), encoding="utf-8")
    return configset


def test_configset_with_an_unknown_filter_fails_creation_and_leaves_nothing(tmp_path, solrcloud):
    with pytest.raises(CollectionError) as caught:
        setup_collection(solrcloud.node_urls, "broken_schema", shards=1, replicas=1, directory=broken_configset(tmp_path))
    message = str(caught.value)
    assert message.startswith(f"Solr at {solrcloud.node_urls[0]} could not create collection 'broken_schema'")
    assert "Caused by: solr.NoSuchFilterFactory" in message and "Fix the configset" in message and "\n" not in message
    assert not collection_exists(solrcloud.node_urls, "broken_schema")


def test_configset_refused_on_reload_keeps_the_collection_serving(tmp_path, solrcloud):
    urls = solrcloud.node_urls
    setup_collection(urls, "reload_test", shards=1, replicas=1)
    try:
        index(urls, "reload_test", [{"id": "r1", "text_fi": "kokous"}])
        with pytest.raises(ConfigsetError) as caught:
            setup_collection(urls, "reload_test", shards=1, replicas=1, directory=broken_configset(tmp_path))
        message = str(caught.value)
        assert message.startswith(f"Solr at {urls[0]} could not reload collection 'reload_test' with its new configset")
        assert "Unable to reload core" in message and "\n" not in message
        assert ids(urls[1], "reload_test", "{!term f=text_fi}kokous") == ["r1"]
    finally:
        delete_collection(urls, "reload_test")


# -- a killed node (last: it restarts the node, which takes a while)


def test_killing_a_node_loses_no_query(solrcloud, solrcloud_collection):
    urls, c = solrcloud.node_urls, solrcloud_collection
    docs = [{"id": f"kill-{i:03}", "text_fi": "palvelu " * (i % 7 + 1) + f"tunnus{i}", "visibility": "public"} for i in range(60)]
    index(urls, c, docs)
    survivor = urls[0]
    expected = ids(survivor, c, "{!term f=text_fi}palvelu", sort="score desc,id asc")
    assert len(expected) == 50
    answers, failures = [], []  # answers: (time, ids)
    stop = threading.Event()

    def search_until_stopped():
        while not stop.is_set():
            try:
                answers.append((time.monotonic(), ids(survivor, c, "{!term f=text_fi}palvelu", sort="score desc,id asc")))
            except (AssertionError, httpx.HTTPError) as exc:
                failures.append(repr(exc))

    searcher = threading.Thread(target=search_until_stopped)
    searcher.start()
    try:
        time.sleep(1)
        killed = time.monotonic()
        solrcloud.kill_node(1)
        solrcloud.wait_for_live_nodes(1, timeout=60)  # ZooKeeper has noticed: the node's session expired
        noticed = time.monotonic()
        time.sleep(1)
    finally:
        stop.set()
        searcher.join()
    try:
        assert failures == []
        assert all(answer == expected for _, answer in answers)
        # Answers came while the dead node was still listed as live (its replicas picked, then skipped),
        # and after ZooKeeper had dropped it.
        assert any(killed < t < noticed for t, _ in answers) and any(t > noticed for t, _ in answers)
    finally:
        solrcloud.start_node(1)
        solrcloud.wait_for_live_nodes(2, timeout=120)
        wait_until_active(urls, c)  # the restarted replicas have recovered
        delete_by_query(urls, c, "id:kill-*")


def test_filter_facet_sort_and_collapse_fields(solrcloud, solrcloud_collection):
    urls, c = solrcloud.node_urls, solrcloud_collection

    def doc(doc_id, lang, year, visibility="public", duplicate_of=None, has_duplicates=False, **stored):
        grouped = {"collapse_group": duplicate_of or doc_id} if duplicate_of or has_duplicates else {}
        return {"id": doc_id, "text_fi": "kokous", "lang": lang, "year": year, "updated": f"{year}-05-01T00:00:00Z",
                "visibility": visibility, "duplicate_group": duplicate_of or doc_id, **grouped,
                **({"duplicate_of": duplicate_of} if duplicate_of else {}), **stored}

    # A near-duplicate group shares a routing prefix ("ff!"), so it lies on one shard, as collapsing needs;
    # only its documents have a collapse_group, and the others pass the collapse as they are.
    docs = [doc("ff!1", "fi", "2023", has_duplicates=True, title="Kokous", text="Kokous pidettiin."),
            doc("ff!2", "fi", "2024", duplicate_of="ff!1"), doc("ff-3", "sv", "2024"),
            doc("ff-4", "fi", "2025", visibility="internal")]
    index(urls, c, docs)
    try:
        response = httpx.post(f"{urls[1]}/{c}/query", json={
            "query": "{!term f=text_fi}kokous",
            "filter": ["visibility:public", "{!collapse field=collapse_group nullPolicy=expand sort='updated asc'}"],
            "fields": "id,lang,year,updated,title,text",
            "sort": "updated desc,id asc",
            "facet": {"lang": {"type": "terms", "field": "lang"}, "year": {"type": "terms", "field": "year"}},
        }, timeout=30).json()
        hits = response["response"]["docs"]
        # ff!2 collapses into its group's oldest document; ff-4 is internal. docValues come back with the hit.
        assert [h["id"] for h in hits] == ["ff-3", "ff!1"]
        assert hits[1] == {"id": "ff!1", "lang": "fi", "year": "2023", "updated": "2023-05-01T00:00:00Z",
                           "title": "Kokous", "text": "Kokous pidettiin."}
        facets = response["facets"]  # counted after collapsing and filtering
        assert {b["val"]: b["count"] for b in facets["lang"]["buckets"]} == {"fi": 1, "sv": 1}
        assert {b["val"]: b["count"] for b in facets["year"]["buckets"]} == {"2024": 1, "2023": 1}
        in_2024 = ids(urls[0], c, "{!term f=text_fi}kokous", fq="updated:[2024-01-01T00:00:00Z TO *] AND visibility:public",
                      sort="id asc")
        assert in_2024 == ["ff!2", "ff-3"]
    finally:
        delete_by_query(urls, c, "id:ff*")
