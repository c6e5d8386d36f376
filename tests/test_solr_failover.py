"""Failover: with collections of 2 shards x 2 replicas on 2 nodes, killing a node while searches run loses
no search, and every answer has the same top-10 as before the kill."""

from __future__ import annotations

import threading
import time

from backends.solr.backend import SolrBackend, setup
from corpus.dedup import with_duplicates_marked
from corpus.document import Document
from search.engine import SearchEngine, Viewer

STAFF = Viewer(name="staff", staff=True)
TOPICS = ["kotihoito", "neuvola", "palveluseteli", "hammashoito", "päivystys", "omaishoito", "työryhmä", "sotekeskus"]
DOCS = [
    Document(id=f"sivu-{i:03d}", title=f"{TOPICS[i % 8].capitalize()} {i}",
             text=f"{TOPICS[i % 8].capitalize()} ja {TOPICS[(i * 3) % 8]} hyvinvointialueella. " * (1 + i % 5),
             visibility="internal" if i % 7 == 0 else "public", duplicate_of=f"sivu-{i - 1:03d}" if i % 25 == 1 else "")
    for i in range(200)
]
DOCS = list(with_duplicates_marked(DOCS, {doc.duplicate_of for doc in DOCS if doc.duplicate_of}))
QUERIES = [(query, viewer) for query in ("kotihoito", "neuvola palveluseteli", "työryhmä OR päivystys", "hyvinvointialue")
           for viewer in (Viewer(), STAFF)]
SEARCHERS = 3
SEARCHES_AFTER_KILL = 60  # per searcher: bounded, and well past the moment the node is gone


def top10(engine: SearchEngine, query: str, viewer: Viewer) -> list[str]:
    return [hit.id for hit in engine.search(query, viewer=viewer, size=10).hits]


def test_killing_a_node_under_load_loses_no_search_and_changes_no_answer(solrcloud):
    urls = solrcloud.node_urls
    states = setup(urls, "failover", shards=2, replicas=2)
    for state in states.values():  # every shard has a replica on each node
        for shard in state["shards"].values():
            assert len({r["node_name"] for r in shard["replicas"].values()}) == 2
    backend = SolrBackend(urls, "failover")
    backend.publish(lambda: DOCS, full=True)
    engine = SearchEngine(backend)
    expected = {(q, v): top10(engine, q, v) for q, v in QUERIES}
    assert all(expected.values())

    killed = threading.Event()
    failures: list[str] = []
    answers: list[tuple] = []
    lock = threading.Lock()

    def search_loop(offset: int) -> None:
        after = 0
        i = offset
        while after < SEARCHES_AFTER_KILL:
            query, viewer = QUERIES[i % len(QUERIES)]
            i += 1
            try:
                got = top10(engine, query, viewer)
            except Exception as exc:  # every failed search is a failure of the test
                with lock:
                    failures.append(f"{query!r}: {type(exc).__name__}: {exc}")
                got = None
            with lock:
                answers.append((query, viewer, got, killed.is_set()))
            if killed.is_set():
                after += 1

    threads = [threading.Thread(target=search_loop, args=(n,)) for n in range(SEARCHERS)]
    for thread in threads:
        thread.start()
    try:
        time.sleep(1.0)
        solrcloud.kill_node(0)
        killed.set()
        for thread in threads:
            thread.join(timeout=300)
        assert not any(thread.is_alive() for thread in threads)
        assert failures == []
        assert sum(1 for *_, after in answers if after) >= SEARCHERS * SEARCHES_AFTER_KILL
        wrong = [(q, v.staff, got) for q, v, got, _ in answers if got != expected[(q, v)]]
        assert wrong == []
    finally:
        solrcloud.start_node(0)
        solrcloud.wait_for_live_nodes(2)
