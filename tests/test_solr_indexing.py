"""Indexing into SolrCloud on the session's local cluster: partitioned analysis (`index --partition K/N`),
a run killed with SIGKILL half-way, and set-up errors through `sotehaku solr setup`.

Each test indexes a corpus store of generated Finnish documents through the CLI (the partitioned and
killed runs as real `sotehaku` processes) into collections of its own, and reads the collections back
with plain Solr requests.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import orjson
import pytest
from click.testing import CliRunner

from app.backend import use_solr
from app.cli import main
from app.pipeline import run_pipeline, store_documents
from backends.solr.backend import SolrBackend, setup
from backends.solr.configset import CONFIGSET_DIR
from backends.solr.indexing import META_VISIBILITY, in_partition, solr_document
from corpus.document import Document
from corpus.store import open_data_store
from search.engine import SearchEngine, Viewer

STAFF = Viewer(name="staff", staff=True)
SOTEHAKU = [sys.executable, "-c", "from app.cli import main; main()"]
TOPICS = ("kotihoito", "palveluseteli", "neuvola", "omaishoito", "päivystys", "hammashoito", "asiakasmaksu")


def make_document(i: int, version: str = "vanhaversio") -> Document:
    topic = TOPICS[i % len(TOPICS)]
    return Document(
        id=f"doc-{i:05d}",
        title=f"{topic.capitalize()} alueella {i}",
        text=f"Hyvinvointialue kertoo {topic}palveluista ja niiden muutoksista. Asiakirja {i} on {version}. "
             f"Sosiaali- ja terveyspalvelut uudistuvat, ja {topic} järjestetään lähipalveluna.",
        visibility="internal" if i % 7 == 0 else "public",
        source="testi",
        url=f"https://alue.example/{i}",
    )


@pytest.fixture(scope="module")
def solr_urls(request):
    running = os.environ.get("SOTEHAKU_TEST_SOLR")
    return running.split(",") if running else request.getfixturevalue("solrcloud").node_urls


def data_dir_with(tmp_path: Path, docs: list[Document]) -> Path:
    data_dir = tmp_path / "data"
    run_pipeline(data_dir, store_documents(docs), publish=False)
    return data_dir


def cli(data_dir: Path, solr: str, *args: str):
    try:
        return CliRunner().invoke(main, ["--data-dir", str(data_dir), "--solr", solr, *args])
    finally:
        use_solr(None)


def collection_url(urls: list[str], name: str) -> str:
    return ",".join(f"{url}/{name}" for url in urls)


def committed(backend: SolrBackend, part: str = "all") -> dict[str, dict]:
    """Every committed document of a collection but the meta documents: id -> its fields."""
    found = backend.select(part, {"q": "*:*", "fq": f"-visibility:{META_VISIBILITY}", "rows": 100_000,
                                  "fl": "id,fingerprint,text,visibility"})
    return {doc["id"]: doc for doc in found["response"]["docs"]}


def vocabulary(backend: SolrBackend) -> dict:
    return json.loads(backend.meta("all")["meta_vocabulary"])


def test_the_corpus_near_duplicates_and_only_they_carry_a_collapse_group(tmp_path, solr_urls):
    """The pipeline marks the documents that others repeat (Document.has_duplicates): with the repeating
    ones, they alone have a collapse_group, and a search shows one of the group."""
    docs = [make_document(i) for i in range(1, 11)]
    docs[1] = docs[1].replace(text=docs[1].text + " Neuvolat palvelevat arkisin, ja ajan voi varata verkossa tai puhelimitse.")
    copy = docs[1].replace(id="doc-kopio", url="https://alue.example/2/kopio")  # the same page at a longer address
    data_dir = data_dir_with(tmp_path, docs + [copy])
    url = collection_url(solr_urls, "collapsegroups")
    assert cli(data_dir, url, "solr", "setup").exit_code == 0
    assert cli(data_dir, url, "index").exit_code == 0, "index failed"
    backend = SolrBackend(solr_urls, "collapsegroups")
    found = backend.select("all", {"q": "collapse_group:*", "fl": "id,collapse_group", "rows": 100})
    assert sorted((d["id"], d["collapse_group"]) for d in found["response"]["docs"]) == [
        ("doc-00002", "doc-00002"), ("doc-kopio", "doc-00002")]
    results = SearchEngine(backend).search("neuvola")
    assert results.total == 2 and [h.id for h in results.hits] == ["doc-00002", "doc-00009"]


def test_each_collection_gets_its_batches_one_request_at_a_time_in_id_order_and_public_first(tmp_path, solr_urls, monkeypatch):
    """A collection's batches go in one stream: never two requests at once, documents in id order (the
    order every shard's segments then keep); a batch reaches NAME_all only after NAME_public has it (the
    next run reads what is done from NAME_all)."""
    import backends.solr.backend as solr_backend

    monkeypatch.setattr(solr_backend, "BATCH_DOCS", 4)
    docs = [make_document(i) for i in range(1, 30)]
    setup(solr_urls, "streams", shards=2)
    backend = SolrBackend(solr_urls, "streams")
    sends, update = [], backend.update

    def recorded(part, body, **params):
        docs_sent = json.loads(body) if isinstance(body, bytes) else body
        started = time.monotonic()
        update(part, body, **params)
        if isinstance(docs_sent, list) and docs_sent and docs_sent[0]["visibility"] != META_VISIBILITY:
            sends.append((part, started, time.monotonic(), [d["id"] for d in docs_sent]))

    monkeypatch.setattr(backend, "update", recorded)
    backend.publish(lambda: docs, full=True)
    for part in ("public", "all"):
        stream = [send for send in sends if send[0] == part]
        assert all(later[1] >= earlier[2] for earlier, later in zip(stream, stream[1:])), f"{part}: requests overlapped"
        ids = [doc_id for send in stream for doc_id in send[3]]
        assert ids == sorted(ids) and len(ids) == len(set(ids))
    assert [i for send in sends if send[0] == "all" for i in send[3]] == [d.id for d in docs]
    assert [i for send in sends if send[0] == "public" for i in send[3]] == [d.id for d in docs if d.visibility == "public"]
    public_ids = {d.id for d in docs if d.visibility == "public"}
    public_done = {send[3][0]: send[2] for send in sends if send[0] == "public"}  # by a batch's first public id
    for _part, started, _ended, ids in (send for send in sends if send[0] == "all"):
        assert public_done[next(i for i in ids if i in public_ids)] <= started
    assert set(committed(backend)) == {d.id for d in docs}


def record_batches(backend: SolrBackend, monkeypatch, record) -> list:
    """What record(batch) makes of each batch the backend sends, in the order sent."""
    batches, send_batch = [], backend._send_batch

    def recorded(batch, streams):
        batches.append(record(batch))
        return send_batch(batch, streams)

    monkeypatch.setattr(backend, "_send_batch", recorded)
    return batches


def test_a_batch_is_cut_when_its_json_reaches_batch_bytes(tmp_path, solr_urls, monkeypatch):
    """Long documents (a PDF's text) make batches of fewer than BATCH_DOCS: a batch is sent as soon as its
    JSON reaches BATCH_BYTES, so that the SENDING batches waiting for the cluster bound the memory."""
    import backends.solr.backend as solr_backend

    docs = [make_document(i) for i in range(1, 12)]
    docs[4] = dataclasses.replace(docs[4], text=docs[4].text + " pitkä liite" * 3000)  # one long document
    limit = 3 * len(orjson.dumps(solr_document(docs[0], "v")))
    monkeypatch.setattr(solr_backend, "BATCH_BYTES", limit)
    setup(solr_urls, "bytes", shards=2)
    backend = SolrBackend(solr_urls, "bytes")
    batches = record_batches(backend, monkeypatch, lambda batch: [(doc_id, len(encoded)) for doc_id, _public, encoded in batch])
    backend.publish(lambda: docs, full=True)
    assert [doc_id for batch in batches for doc_id, _size in batch] == [d.id for d in docs]
    # Every batch but the last reached the limit, and none went on past it.
    assert all(sum(size for _id, size in batch) >= limit for batch in batches[:-1]), batches
    assert all(sum(size for _id, size in batch[:-1]) < limit for batch in batches), batches
    # The long document, past the limit alone, ends its batch.
    assert len(batches) > 3 and any(batch[-1][0] == docs[4].id for batch in batches)
    assert set(committed(backend)) == {d.id for d in docs}


def test_a_batch_waiting_to_be_sent_holds_nothing_the_collector_walks(tmp_path, solr_urls, monkeypatch):
    """Batches wait for the cluster while the analysis goes on: they hold each document's id, whether it
    is public and its JSON, which Python's collector stops walking at its next collection, and not the
    analysed fields (dicts and lists), which made it run more full collections over the word caches."""
    import gc

    import backends.solr.backend as solr_backend

    monkeypatch.setattr(solr_backend, "BATCH_DOCS", 5)
    docs = [make_document(i) for i in range(1, 12)]
    setup(solr_urls, "untracked", shards=2)
    backend = SolrBackend(solr_urls, "untracked")

    def tracked(batch):
        gc.collect(0)
        return batch, [gc.is_tracked(item) for item in batch]

    batches = record_batches(backend, monkeypatch, tracked)
    backend.publish(lambda: docs, full=True)
    assert [len(batch) for batch, _tracked in batches] == [5, 5, 1]
    assert not any(tracked for _batch, flags in batches for tracked in flags)
    sent = [json.loads(encoded) for batch, _tracked in batches for _id, _public, encoded in batch]
    assert [d["id"] for d in sent] == [d.id for d in docs] and all(d["generation"] for d in sent)
    assert [public for batch, _ in batches for _id, public, _encoded in batch] == [d.visibility == "public" for d in docs]
    assert set(committed(backend)) == {d.id for d in docs}


def test_a_full_run_counts_its_words_while_the_cluster_merges_and_ends_its_mark_with_the_meta(tmp_path, solr_urls, monkeypatch):
    """A full run's words are counted at its end, while the cluster merges (WordSpool), into the same
    vocabulary as counting each document at once; the mark of a run under way outlives the merge's commit,
    so that a run killed between the merge and its meta documents is recounted by the next."""
    from indexer.vocabulary import Vocabulary, WordSpool

    docs = [make_document(i) for i in range(1, 40)]
    setup(solr_urls, "spooled", shards=2)
    backend = SolrBackend(solr_urls, "spooled")
    events, count_into, merge = [], WordSpool.count_into, backend._merge_segments

    def counting(spool, vocabulary):
        events.append(("count", time.monotonic()))
        count_into(spool, vocabulary)

    def merging():
        started = time.monotonic()
        time.sleep(0.5)  # a merge as long as a large corpus's, beside which the counting runs
        merged = merge()
        events.append(("merge", started, time.monotonic(), backend._interrupted()))
        return merged

    monkeypatch.setattr(WordSpool, "count_into", counting)
    monkeypatch.setattr(backend, "_merge_segments", merging)
    backend.publish(lambda: docs, full=True)
    (_, counted), (_, _started, merge_ended, marked) = sorted(events, key=lambda event: event[0])
    assert counted < merge_ended and marked, events
    assert not backend._interrupted()
    expected = Vocabulary()
    for doc in docs:
        expected.add(doc)
    assert vocabulary(backend) == json.loads(expected.to_json())
    public = json.loads(backend.meta("public")["meta_vocabulary"])
    assert public == json.loads(expected.to_json(["public"]))


def edited_configset(tmp_path: Path, file: str, edit) -> Path:
    """A copy of the package's configset with one of its files' text edited (into an earlier or broken one)."""
    configset = tmp_path / "configset"
    shutil.copytree(CONFIGSET_DIR, configset)
    (configset / file).write_text(edit((configset / file).read_text(encoding="utf-8")), encoding="utf-8")
    return configset


def with_index_sort(solrconfig: str) -> str:
    """solrconfig.xml as format 5's first configset had it: segments sorted by id (Lucene's index sort)."""
    start = solrconfig.index("<mergePolicyFactory")
    end = solrconfig.index("/>", start) + len("/>")
    return solrconfig[:start] + (
        '<mergePolicyFactory class="org.apache.solr.index.SortingMergePolicyFactory"><str name="sort">id asc</str>'
        '<str name="wrapped.prefix">inner</str><str name="inner.class">org.apache.solr.index.TieredMergePolicyFactory</str>'
        "</mergePolicyFactory>") + solrconfig[end:]


def mark_format(backend: SolrBackend, meta_format: str) -> None:
    """Rewrite both collections' meta documents as if a sotehaku of another format had written them."""
    for part in ("public", "all"):
        meta = backend.select(part, {"q": 'id:"__meta__"', "fl": "*", "rows": 1})["response"]["docs"][0]
        meta.pop("_version_", None)
        meta["meta_format"] = meta_format
        backend.update(part, [meta], commit="true")


def replicas(urls: list[str], collection: str) -> list[tuple[str, str]]:
    """(node URL, core) of every replica of a collection."""
    status = SolrBackend(urls, collection).client.json(
        "GET", "/admin/collections", params={"action": "CLUSTERSTATUS", "collection": collection, "wt": "json"})
    return [(replica["base_url"], replica["core"])
            for shard in status["cluster"]["collections"][collection]["shards"].values()
            for replica in shard["replicas"].values()]


def segments(urls: list[str], collection: str) -> list[dict]:
    """Every replica's segments of a collection (Solr's segments handler, per core)."""
    found = []
    for base, core in replicas(urls, collection):
        info = httpx.get(f"{base}/{core}/admin/segments", params={"wt": "json"}, timeout=30)
        found.extend(info.json()["segments"].values())
    return found


def document_order(urls: list[str], collection: str) -> list[list[str]]:
    """Each replica's document ids in Lucene's document order (meta documents left out)."""
    return [[doc["id"] for doc in httpx.get(f"{base}/{core}/select", timeout=30, params={
        "q": "*:*", "fq": f"-visibility:{META_VISIBILITY}", "fl": "id", "sort": "_docid_ asc", "rows": 10_000,
        "distrib": "false", "wt": "json"}).json()["response"]["docs"]]
            for base, core in replicas(urls, collection)]


def test_near_duplicates_of_equal_scores_show_the_smallest_id_whether_merged_or_not(tmp_path, solr_urls):
    """Two copies of a page score the same. Sent in id order, a full run ends merged into one segment per
    shard in id order, and its searches collapse by score alone; sent out of it (the copy with the larger
    id first), or after an incremental run, the version is not marked merged and searches collapse with
    ties by id. All show the smaller id, as the embedded index does."""
    page = dict(title="Omaishoidon tuki", text="Omaishoidon tuki on lakisääteinen palvelu, jota haetaan hyvinvointialueelta.",
                updated=dt.date(2026, 3, 1), source="testi")
    copies = [Document(id="tie-a", url="https://alue.example/tie-a", duplicate_of="tie-b", **page),
              Document(id="tie-b", url="https://alue.example/tie-b", has_duplicates=True, **page)]
    others = [make_document(i) for i in range(1, 6)]
    setup(solr_urls, "ties", shards=2, replicas=1)
    backend = SolrBackend(solr_urls, "ties")

    def shows_the_smaller_id() -> bool:
        found = SearchEngine(backend).search("lakisääteinen")
        return [hit.id for hit in found.hits] == ["tie-a"] and found.total == 1

    backend.publish(lambda: [copies[1], copies[0], *others], full=True)
    assert not backend.snapshot().merged and shows_the_smaller_id()
    assert [ids for ids in document_order(solr_urls, "ties_all") if ids != sorted(ids)]  # what the mark would miss

    backend.publish(lambda: sorted([*copies, *others], key=lambda d: d.id), full=True)
    assert backend.snapshot().merged and shows_the_smaller_id()
    assert all(ids == sorted(ids) for part in ("ties_public", "ties_all") for ids in document_order(solr_urls, part))

    # Deleting documents moves none: the next version is merged too.
    assert backend.remove([others[0].id]) == 1 and backend.snapshot().merged
    # An incremental run adds a segment: ties are then broken by the collapse's sort.
    backend.publish(lambda: [*copies, *others[1:], make_document(9)])
    assert not backend.snapshot().merged and shows_the_smaller_id()


def test_setup_keeps_a_collection_of_segments_sorted_by_id(tmp_path, solr_urls):
    """Format 5's first configset sorted every segment by id; this one leaves the order to the order sent.
    Lucene opens sorted segments without a sort configured, so `solr setup` reloads such a collection
    with this configset and keeps its documents, and the next full run merges them in id order."""
    docs = [make_document(i) for i in range(1, 13)]
    data_dir = data_dir_with(tmp_path, docs)
    url = collection_url(solr_urls, "sortedbefore")
    configset = edited_configset(tmp_path, "solrconfig.xml", with_index_sort)
    assert cli(data_dir, url, "solr", "setup", "--configset", str(configset)).exit_code == 0
    assert cli(data_dir, url, "index").exit_code == 0
    assert all("id" in segment["sort"] for segment in segments(solr_urls, "sortedbefore_all"))
    backend = SolrBackend(solr_urls, "sortedbefore")

    result = cli(data_dir, url, "solr", "setup")
    assert result.exit_code == 0, result.output
    assert set(committed(backend)) == {d.id for d in docs}
    assert SearchEngine(backend).search("hyvinvointialue", viewer=STAFF).total == len(docs)
    assert cli(data_dir, url, "index", "--full").exit_code == 0
    assert set(committed(backend)) == {d.id for d in docs} and backend.snapshot().merged
    assert all(ids == sorted(ids) for ids in document_order(solr_urls, "sortedbefore_all"))


def test_setup_routes_both_collections_by_group_and_uploads_the_configset_once(solr_urls, monkeypatch):
    """Both collections place documents by duplicate_group (near-duplicates share a shard, where
    {!collapse} compares them), and a set-up uploads the configset once, also when the collections exist."""
    from backends.solr import admin

    uploads, upload = [], admin.upload_configset
    monkeypatch.setattr(admin, "upload_configset", lambda urls, name, *rest: (uploads.append(name), upload(urls, name, *rest)))
    for _ in ("created", "reloaded"):
        states = setup(solr_urls, "routed", shards=2, replicas=1)
    assert uploads == ["routed", "routed"]
    assert {part: state["router"] for part, state in states.items()} == {
        part: {"name": "compositeId", "field": "duplicate_group"} for part in ("public", "all")}


def test_partitions_together_index_what_one_run_does(tmp_path, solr_urls):
    docs = [make_document(i) for i in range(120)]
    data_dir = data_dir_with(tmp_path, docs)
    for name in ("parted", "whole"):
        setup(solr_urls, name, shards=2, replicas=1)
    parted, whole = SolrBackend(solr_urls, "parted"), SolrBackend(solr_urls, "whole")
    partition = collection_url(solr_urls, "parted")

    first = cli(data_dir, partition, "index", "--partition", "1/2")
    assert first.exit_code == 0, first.output
    share = {d.id for d in docs if in_partition(d.id, (1, 2))}
    assert 0 < len(share) < len(docs)
    assert "Partition 1/2" in first.output and f"{len(share)} added or changed" in first.output
    assert "published when partitions 2/2 have run too" in first.output
    assert set(committed(parted)) == share  # only its share was analysed and sent
    assert parted.missing_partitions(2) == [2]

    second = cli(data_dir, partition, "index", "--partition", "2/2", "--procs", "2")
    assert second.exit_code == 0, second.output
    assert "All 2 partitions are in: the index is published" in second.output
    assert cli(data_dir, collection_url(solr_urls, "whole"), "index").exit_code == 0
    assert_same_index(parted, whole)

    # Changes and deletions: each partition handles the documents of its own share, and only those.
    with open_data_store(data_dir) as store:
        for gone in ("doc-00003", "doc-00004", "doc-00010", "doc-00011"):
            store.delete(gone)
        store.put_many([make_document(i, "uusiversio") for i in (5, 6, 7, 8)])
    # As for a whole run, 'removed' counts the replaced versions of changed documents too.
    changed = ("doc-00003", "doc-00004", "doc-00010", "doc-00011", "doc-00005", "doc-00006", "doc-00007", "doc-00008")
    for k in (1, 2):
        run = cli(data_dir, partition, "index", "--partition", f"{k}/2")
        assert run.exit_code == 0, run.output
        assert f"{sum(in_partition(i, (k, 2)) for i in changed)} removed" in run.output, run.output
    assert cli(data_dir, collection_url(solr_urls, "whole"), "index").exit_code == 0
    assert_same_index(parted, whole)
    assert len(committed(parted)) == len(docs) - 4
    again = cli(data_dir, partition, "index", "--partition", "1/2")
    assert "0 added or changed, 0 removed" in again.output, again.output

    # A whole run after partitioned ones takes over: its meta document supersedes theirs.
    with open_data_store(data_dir) as store:
        store.delete("doc-00020")
    for name in ("parted", "whole"):
        run = cli(data_dir, collection_url(solr_urls, name), "index")
        assert run.exit_code == 0 and "0 added or changed, 1 removed" in run.output, run.output
    assert parted.missing_partitions(2) == [1, 2]
    assert_same_index(parted, whole)


def assert_same_index(parted: SolrBackend, whole: SolrBackend) -> None:
    for part in ("all", "public"):
        assert {i: d["fingerprint"] for i, d in committed(parted, part).items()} == \
            {i: d["fingerprint"] for i, d in committed(whole, part).items()}
    assert vocabulary(parted) == vocabulary(whole)
    engines = [SearchEngine(backend) for backend in (parted, whole)]
    for viewer in (Viewer(), STAFF):
        for query in ("kotihoito", "neuvolapalvelu", "uusiversio"):
            a, b = (engine.search(query, viewer=viewer) for engine in engines)
            assert a.total == b.total and a.facets == b.facets
        assert engines[0].suggest("omais", viewer=viewer) == engines[1].suggest("omais", viewer=viewer)


def test_partition_needs_a_cluster_and_a_valid_share(tmp_path, solr_urls):
    data_dir = data_dir_with(tmp_path, [make_document(1)])
    runner = CliRunner()
    embedded = runner.invoke(main, ["--data-dir", str(data_dir), "index", "--partition", "1/2"])
    assert embedded.exit_code == 1 and "--partition splits indexing" in embedded.output and "--solr" in embedded.output
    for bad in ("3/2", "0/2", "half"):
        result = cli(data_dir, collection_url(solr_urls, "parted"), "index", "--partition", bad)
        assert result.exit_code == 2 and "is not a partition K/N" in result.output, result.output


def test_a_run_killed_half_way_leaves_old_or_new_documents_and_the_next_run_completes_it(tmp_path, solr_urls):
    count = 1500
    data_dir = data_dir_with(tmp_path, [make_document(i) for i in range(count)])
    setup(solr_urls, "killed", shards=2, replicas=1)
    backend = SolrBackend(solr_urls, "killed")
    solr = collection_url(solr_urls, "killed")
    assert cli(data_dir, solr, "index").exit_code == 0
    with open_data_store(data_dir) as store:
        store.put_many([make_document(i, "uusiversio") for i in range(count)])

    env = {**os.environ, "SOTEHAKU_SOLR": solr}
    process = subprocess.Popen([*SOTEHAKU, "--data-dir", str(data_dir), "index", "--procs", "1"], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd=Path(__file__).parents[1])
    try:
        sent = wait_until_some_are_sent(backend, count, process)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    assert 0 < sent < count, f"the run was not stopped half-way ({sent} of {count} sent)"

    # What the killed run sent is in the transaction log; a commit (the hard autocommit, or another
    # writer's) makes it visible. Before and after, every document is there once, old or new.
    assert_old_or_new(backend, count)
    backend.update("all", [], commit="true")
    backend.update("public", [], commit="true")
    documents = assert_old_or_new(backend, count)
    replaced = sum("uusiversio" in d["text"] for d in documents.values())
    assert 0 < replaced < count
    engine = SearchEngine(backend)
    found = engine.search("kotihoito", viewer=STAFF)
    assert found.total == sum(1 for i in range(count) if i % len(TOPICS) == 0)

    finished = cli(data_dir, solr, "index")
    assert finished.exit_code == 0, finished.output
    assert f"{count - replaced} added or changed, {count - replaced} removed" in finished.output, finished.output
    documents = assert_old_or_new(backend, count)
    assert all("uusiversio" in d["text"] for d in documents.values())
    # The completion vocabulary was counted afresh: the words of the replaced versions are gone.
    engine = SearchEngine(backend)
    assert engine.suggest("vanhaver", viewer=STAFF) == []
    assert engine.suggest("uusiver", viewer=STAFF)
    assert vocabulary(backend)["public"]["uusiversio"] == sum(1 for i in range(count) if i % 7)


def wait_until_some_are_sent(backend: SolrBackend, count: int, process: subprocess.Popen, timeout: float = 300) -> int:
    """Poll Solr's real-time get (which sees uncommitted documents) until the run has sent its first batch,
    then kill the run; the number of new versions it had sent."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the index run ended before it was killed: {process.stdout.read().decode()[-2000:]}")
        if "uusiversio" in real_time_get(backend, ["doc-00000"]).get("doc-00000", ""):
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=30)
            texts = real_time_get(backend, [f"doc-{i:05d}" for i in range(count)])
            return sum("uusiversio" in text for text in texts.values())
        time.sleep(0.02)
    raise AssertionError("the index run sent nothing in time")


def real_time_get(backend: SolrBackend, ids: list[str]) -> dict[str, str]:
    """The latest text of documents in NAME_all, committed or not: id -> text. Documents are routed by
    their near-duplicate group, not their id, so the request names every shard."""
    got = backend.client.json("POST", f"/{backend.collections['all']}/get",
                              data={"ids": ",".join(ids), "fl": "id,text", "shards": "shard1,shard2", "wt": "json"})
    return {doc["id"]: doc["text"] for doc in got["response"]["docs"]}


def assert_old_or_new(backend: SolrBackend, count: int) -> dict[str, dict]:
    documents = committed(backend)
    assert sorted(documents) == [f"doc-{i:05d}" for i in range(count)]
    for i in range(count):
        text = documents[f"doc-{i:05d}"]["text"]
        assert text in (make_document(i).text, make_document(i, "uusiversio").text)
    public = committed(backend, "public")
    assert sorted(public) == [f"doc-{i:05d}" for i in range(count) if i % 7]
    return documents


def test_setup_with_a_broken_schema_is_a_one_line_error(tmp_path, solr_urls):
    configset = edited_configset(tmp_path, "managed-schema.xml", lambda text: text.replace("</schema>", ""))  # unclosed XML
    result = cli(tmp_path, collection_url(solr_urls, "brokenschema"), "solr", "setup", "--configset", str(configset))
    assert result.exit_code == 1, result.output
    message = result.output.strip()
    assert message.startswith("Error: ") and "\n" not in message and "Traceback" not in message, message
    assert "brokenschema_public" in message and "Fix the configset" in message, message
    assert "managed-schema.xml" in message or "schema" in message.lower()
    assert not SolrBackend(solr_urls, "brokenschema").client.json(
        "GET", "/admin/collections", params={"action": "LIST", "wt": "json"})["collections"].count("brokenschema_public")


# The configsets of earlier formats: format 2 did not store the text's slots, which snippets now come from;
# format 3 had no collapse_group, which near-duplicates now collapse on; format 4 no fresh field, which the
# boost function reads.
EARLIER_SCHEMAS = {
    "unstoredslots": (('type="stored_slots"', 'type="slots"'), ('name="stored_slots"', 'name="unused_slots"')),
    "nocollapsegroup": (('<field name="collapse_group" type="string" indexed="true"/>', ""),),
    "nofresh": (('<field name="fresh" type="pfloat" indexed="false" stored="false" default="0"/>', ""),),
}


@pytest.mark.parametrize("name", sorted(EARLIER_SCHEMAS))
def test_a_configset_of_an_earlier_format_asks_for_setup_and_a_full_run(tmp_path, solr_urls, name):
    data_dir = data_dir_with(tmp_path, [make_document(i) for i in range(1, 4)])
    url = collection_url(solr_urls, name)

    def earlier(text: str) -> str:
        for old, new in EARLIER_SCHEMAS[name]:
            assert old in text
            text = text.replace(old, new)
        return text

    configset = edited_configset(tmp_path, "managed-schema.xml", earlier)
    assert cli(data_dir, url, "solr", "setup", "--configset", str(configset)).exit_code == 0
    result = cli(data_dir, url, "index")
    assert result.exit_code == 1 and "Traceback" not in result.output, result.output
    assert f"{name}_" in result.output and "sotehaku solr setup" in result.output and "--full" in result.output, result.output
    assert cli(data_dir, url, "solr", "setup").exit_code == 0
    assert cli(data_dir, url, "index").exit_code == 0


def test_an_index_of_an_earlier_format_asks_for_setup_and_a_full_run_and_the_next_run_sends_everything(tmp_path, solr_urls):
    docs = [make_document(i) for i in range(1, 13)]
    data_dir = data_dir_with(tmp_path, docs)
    url = collection_url(solr_urls, "earlierformat")
    # The configset of the sotehaku before FORMAT 2: no meta_format field.
    configset = edited_configset(tmp_path, "managed-schema.xml",
                                 lambda text: "\n".join(line for line in text.split("\n") if 'name="meta_format"' not in line))
    assert cli(data_dir, url, "solr", "setup", "--configset", str(configset)).exit_code == 0
    result = cli(data_dir, url, "index")
    assert result.exit_code == 1 and "Traceback" not in result.output, result.output
    assert "earlierformat_" in result.output and "sotehaku solr setup" in result.output and "--full" in result.output, result.output

    # Set up with this sotehaku's configset: an index whose meta document says another format is refused
    # for searching, and the next run (not --full) sends every document again.
    assert cli(data_dir, url, "solr", "setup").exit_code == 0, "setup"
    assert cli(data_dir, url, "index").exit_code == 0
    backend = SolrBackend(solr_urls, "earlierformat")
    mark_format(backend, "sotehaku-solr-1")
    result = cli(data_dir, url, "search", "kotihoito")
    assert result.exit_code != 0 and "sotehaku-solr-1" in result.output and "index --full" in result.output, result.output
    before = {doc_id: doc["fingerprint"] for doc_id, doc in committed(backend).items()}
    result = cli(data_dir, url, "index")
    assert result.exit_code == 0, result.output
    assert f"Indexed {len(docs)} documents" in result.output, result.output
    assert cli(data_dir, url, "search", "kotihoito").exit_code == 0
    assert {doc_id: doc["fingerprint"] for doc_id, doc in committed(backend).items()} == before
