"""The SolrCloud backend: sotehaku's analysed documents in SolrCloud collections, searched through any node.

Two collections per index, both from the package's configset:
  NAME_public   public documents only: anonymous searches, so that no term statistic of an anonymous
                score ever counts an internal document (ExactStatsCache sums statistics over shards);
  NAME_all      every document: staff searches, filtered by access key (search.access).
Each holds a meta document (id "__meta__", visibility "meta", no analysed field) with the published
version and the completion vocabulary of the documents it holds, so that every web node reads them.

Documents are routed to shards by their near-duplicate group (router.field=duplicate_group), so that
{!collapse} sees every copy of a group in one shard. It collapses on collapse_group, which only the
documents of real groups have (Document.has_duplicates, or a duplicate_of).

    backend = SolrBackend(["http://127.0.0.1:8983/solr"], "sotehaku")
    backend.publish(lambda: documents)
"""

from __future__ import annotations

import concurrent.futures
import datetime as dt
import heapq
import json
import logging
import multiprocessing
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Sequence

import orjson

import languages
from backends.solr import admin
from backends.solr.client import UPDATE_ROUNDS, SolrClient, SolrRequestError
from backends.solr.configset import CONFIGSET_DIR, LANGUAGES, REQUIRED_SCHEMA, TEXT_SLOT_FIELDS, match_positions
from backends.solr.errors import CollectionError, SolrError
from backends.solr.indexing import (
    FORMAT, META_ID, META_VISIBILITY, PARTITION_META_PREFIX, fresh_exponent, in_partition,
    index_language, partition_meta_id, solr_document,
)
from backends.solr.translate import date_value, filter_queries, quote, to_lucene
from corpus.document import GROUP_PREFIX, VISIBILITIES, Document
from indexer.analysis import FOLDED, analyzer, vocabulary_words
from indexer.vocabulary import Vocabulary, WordSpool
from search import SearchError
from search.api import FACET_NAMES, IndexUnavailableError, Match, Matches, Published
from search.query import Filters, Node, Phrase, Words, proximity_words
from search.ranking import FRESHNESS_WEIGHT, PROXIMITY_MAX_WORDS

DEFAULT_COLLECTION = "sotehaku"
PARTS = ("public", "all")
RUNNING_ID = META_ID + "running"
# A batch is one update request per collection: BATCH_DOCS documents, or fewer when their JSON reaches
# BATCH_BYTES (long documents such as PDFs' texts), so that SENDING batches bound the memory waiting.
BATCH_DOCS = 500
BATCH_BYTES = 8 << 20
# Batches analysed but not yet sent to both collections: the analysis waits when the cluster is slower. A
# shard's writer pauses while it flushes its buffer into a segment (seconds, at 100 MB): 16 batches of the
# generated corpus's documents are some 6 s of analysis, which goes on meanwhile. With 4 the analysis of
# 200,000 documents waited 8-9 s in all, with 16 about 1 s (benchmarks/RESULTS.md, round 18).
SENDING = 16
# A full run ends by merging each shard's segments into one; a merge may take minutes on a large shard.
MERGE_TIMEOUT = 3600.0
# A web node asks for the live version at most this often (a publish by this process is seen at once).
VERSION_CHECK_SECONDS = 1.0
FACET_FIELDS = {"section": "section_top", "lang": "lang", "year": "year", "type": "type", "source": "source"}
assert tuple(FACET_FIELDS) == FACET_NAMES
FACET_LIMIT = 1000
# Facets whose values are a small closed set (languages, document types, years, top-level sections) are
# counted by intersecting the matches with each value's cached document set (facet.method=enum), not by
# reading every match's value (fc): at 200,000 documents that took 13-17 % off Solr's time for a search of
# one common word (benchmarks/RESULTS.md, round 11). Sources may be hundreds on a national site, each
# value a cached set of its own, so they stay with fc.
ENUM_FACETS = ("lang", "type", "year", "section")
# The facet parameters of every search that asks for facets (enum's cached sets: Solr's default
# facet.enum.cache.minDf, 0, caches every value's set).
FACET_PARAMS = {
    "facet": "true", "facet.field": list(FACET_FIELDS.values()), "facet.mincount": 1, "facet.limit": FACET_LIMIT,
    **{f"f.{FACET_FIELDS[name]}.facet.method": "enum" for name in ENUM_FACETS},
}
# A search for at most this many hits gets their fields in one pass over the shards (distrib.singlePass):
# every shard sends that many documents' stored fields, where two passes fetch those of the page alone.
SINGLE_PASS_ROWS = 50
# any_matches answers and term document frequencies a snapshot remembers (then it forgets them all and
# starts again).
MATCHED_CACHE = 10_000
# The boost every hit's score is multiplied by: the document's weight times the freshness boost of
# search.ranking, from the two values each document has (indexing.freshness_value), one docValues look-up
# each. (The same boost computed from `updated` with exists(), ms() and pow(), and def(weight,1) on a field
# few documents have, took a quarter of Solr's time for a word matching 64,000 documents: RESULTS.md.)
BOOST_FUNCTION = "product(weight,sum(1,product({weight},min(1,product({today},fresh)))))"


def boost_function(today: dt.date) -> str:
    """The boost function of a search on `today` (the day search.ranking.freshness counts ages to)."""
    return BOOST_FUNCTION.format(weight=FRESHNESS_WEIGHT, today=repr(2.0 ** -fresh_exponent(today)))


# Near-duplicates collapse to the best of their group; a document of no group (no collapse_group) is passed
# through as it is (nullPolicy=expand), without the copy of its id that choosing a group's best costs.
COLLAPSE = "{!collapse field=collapse_group nullPolicy=expand sort='score desc,id asc'}"
# The same in a version merged into one segment per shard (meta_merged): there Lucene's document order is
# the id order (sent in id order, merged in order: solrconfig.xml), so the first of equal scores, which
# {!collapse} keeps when it chooses by score alone, is the smallest id. Its sort= cost some 30 % of Solr's
# time for the slowest searches at 200,000 documents (benchmarks/RESULTS.md), for ties alone.
MERGED_COLLAPSE = "{!collapse field=collapse_group nullPolicy=expand}"
SORT = "score desc,id asc"
UNSCORED_SORT = "id asc"
# Newest first: a document without a date has none in `updated`, which sorts as the earliest date.
DATE_COLLAPSE = "{!collapse field=collapse_group nullPolicy=expand sort='updated desc,id asc'}"
DATE_SORT = "updated desc,id asc"
assert set(TEXT_SLOT_FIELDS) == {*LANGUAGES, FOLDED}  # the stored slots of a text, by analysis (for snippets)
HIT_FIELDS = ("id,score,url,lang,type,source,section,visibility,access,updated,title,text,description,duplicate_of,parent,"
              "content_hash," + ",".join(TEXT_SLOT_FIELDS.values()))
DOCUMENT_FIELDS = "id,url,lang,type,source,section,visibility,access,updated,title,text,description,duplicate_of,parent,content_hash"
STOPWORDS = languages.all_stopwords()  # left out of the statistics' top terms
log = logging.getLogger(__name__)


def collection_names(name: str) -> dict[str, str]:
    """The collections of an index name.

    >>> collection_names("sotehaku")
    {'public': 'sotehaku_public', 'all': 'sotehaku_all'}
    """
    return {part: f"{name}_{part}" for part in PARTS}


def setup(urls, name: str = DEFAULT_COLLECTION, *, shards: int = 1, replicas: int = 1, configset: str | None = None,
          upload: bool = True, directory=CONFIGSET_DIR) -> dict[str, dict]:
    """Upload the package's configset (or the one in `directory`) and create (or reload) the index's
    collections; their states by part. Raises SolrError subclasses with a one-line message naming the fix."""
    configset = configset or name
    if upload:
        admin.upload_configset(urls, configset, directory)
    # Near-duplicates share a shard (router.field), where {!collapse} can compare them.
    return {part: admin.setup_collection(urls, collection, shards=shards, replicas=replicas, configset=configset,
                                         upload=False, router_field="duplicate_group")
            for part, collection in collection_names(name).items()}


def _analyse(doc_and_generation: tuple[Document, str]) -> tuple[dict, list[str]]:
    """A document's Solr fields and its completion vocabulary's words, both in the analysis worker (the
    words are a pass over the text, some 6 % of the analysis's time on squad2-fi, which the main process
    would otherwise make alone whatever --procs)."""
    doc, generation = doc_and_generation
    fields = solr_document(doc, generation)
    return fields, _vocabulary_words(fields)


def _batches(items: Iterable, size: int, *, max_bytes: int = 0, nbytes: Callable = len) -> Iterator[list]:
    """Lists of `size` items in their order, or fewer when, with max_bytes, their nbytes reach it.

    >>> list(_batches(["aaaa", "b", "c", "d"], 3, max_bytes=4))
    [['aaaa'], ['b', 'c', 'd']]
    """
    batch, total = [], 0
    for item in items:
        batch.append(item)
        if max_bytes:
            total += nbytes(item)
        if len(batch) >= size or (max_bytes and total >= max_bytes):
            yield batch
            batch, total = [], 0
    if batch:
        yield batch


def _encoded_bytes(item: tuple[str, bool, bytes]) -> int:
    """The JSON size of one (id, public, JSON) item of a batch."""
    return len(item[2])


class SolrBackend:
    """The collections NAME_public and NAME_all of a SolrCloud cluster, reached through any of `urls`."""

    name = "solr"

    def __init__(self, urls, collection: str = DEFAULT_COLLECTION, *, client: SolrClient | None = None):
        self.client = client or SolrClient(urls)
        self.urls = self.client.urls
        self.collection = collection
        self.collections = collection_names(collection)
        self._lock = threading.Lock()
        self._snapshot: SolrSnapshot | None = None
        self._checked = 0.0

    # -- reading ------------------------------------------------------------------------------------

    def _unavailable(self, exc: Exception) -> IndexUnavailableError:
        return IndexUnavailableError(" ".join(str(exc).split()))

    def select(self, part: str, params: dict, *, rounds: int | None = None) -> dict:
        """A /select request on one collection (POSTed: long queries do not fit in a URL). A request that
        neither returns nor sorts by scores is sorted by id, so that no node first gathers the shards' term
        statistics (ExactStatsCache does that only for a scored request): one round trip fewer."""
        kwargs = {"rounds": rounds} if rounds else {}
        if "score" not in params.get("fl", "") and "sort" not in params:
            params = {**params, "sort": UNSCORED_SORT}
        return self.client.json("POST", f"/{self.collections[part]}/select", data={"wt": "json", **params}, **kwargs)

    def meta(self, part: str, fields: str = "meta_version,meta_vocabulary") -> dict | None:
        """The committed meta document of a collection (those of its fields), or None when nothing was published to it."""
        try:
            found = self.select(part, {"q": f"id:{META_ID}", "fl": fields, "rows": 1})
        except SolrRequestError as exc:
            if exc.status == 404 or "not found" in str(exc).lower() or "can not find" in str(exc).lower():
                raise IndexUnavailableError(
                    f"The SolrCloud collection {self.collections[part]!r} does not exist at {', '.join(self.urls)}. "
                    "Run 'sotehaku solr setup', then 'sotehaku index'."
                ) from None
            raise
        docs = found["response"]["docs"]
        return docs[0] if docs else None

    def live_version(self) -> str:
        return self._live_meta()["meta_version"]

    def _live_meta(self) -> dict:
        """The published version's meta fields but the vocabulary (which grows with the corpus)."""
        try:
            meta = self.meta("all", "meta_version,meta_format,meta_merged")
        except SolrError as exc:
            raise self._unavailable(exc) from None
        if meta is None:
            raise IndexUnavailableError(
                f"Nothing is published in the SolrCloud collection {self.collections['all']!r} yet. Run 'sotehaku index'."
            )
        if meta.get("meta_format") != FORMAT:
            raise IndexUnavailableError(
                f"The SolrCloud collection {self.collections['all']!r} was indexed by an earlier sotehaku "
                f"(format {meta.get('meta_format') or 'sotehaku-solr-1'}; this one searches {FORMAT}). "
                "Run 'sotehaku solr setup', then 'sotehaku index --full'."
            )
        return meta

    def snapshot(self) -> SolrSnapshot:
        snapshot = self._snapshot
        if snapshot is not None and time.monotonic() - self._checked < VERSION_CHECK_SECONDS:
            return snapshot
        meta = self._live_meta()
        version, merged = meta["meta_version"], _is_merged(meta)
        with self._lock:
            self._checked = time.monotonic()
            if self._snapshot is None or (self._snapshot.version, self._snapshot.merged) != (version, merged):
                try:
                    self._snapshot = SolrSnapshot(self, version, merged=merged)
                except SolrError as exc:
                    raise self._unavailable(exc) from None
            return self._snapshot

    # -- writing ------------------------------------------------------------------------------------

    def update(self, part: str, body, **params) -> None:
        """Send an update request (JSON, or bytes already encoded) to one collection, retried on another
        node after a failure."""
        content = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode("utf-8")
        self.client.request(
            "POST", f"/{self.collections[part]}/update", params={"wt": "json", **params}, rounds=UPDATE_ROUNDS,
            content=content, headers={"Content-Type": "application/json"},
        )

    def _indexed(self) -> dict[str, str]:
        """fingerprint -> id of every committed document, read with a cursor."""
        out, cursor = {}, "*"
        while True:
            page = self.select("all", {
                "q": "*:*", "fq": f"-visibility:{META_VISIBILITY}", "fl": "id,fingerprint", "sort": "id asc", "rows": 5000,
                "cursorMark": cursor,
            })
            for doc in page["response"]["docs"]:
                out[doc.get("fingerprint", "")] = doc["id"]
            if page["nextCursorMark"] == cursor:
                return out
            cursor = page["nextCursorMark"]

    def _vocabulary(self) -> Vocabulary | None:
        meta = self.meta("all")
        if meta is None:
            return None
        return Vocabulary(json.loads(meta.get("meta_vocabulary") or "{}"))

    def publish(
        self,
        documents: Callable[[], Iterable[Document]],
        *,
        full: bool = False,
        procs: int = 1,
        progress: Callable[[int], None] | None = None,
        partition: tuple[int, int] | None = None,
    ) -> Published:
        """Send new and changed documents (by fingerprint) in batches, delete vanished ones, then write the
        meta documents and commit. Documents are replaced by id, so a run that fails or is killed leaves
        each document either old or new (what it sent becomes searchable at the next commit), and the
        next run completes it; the version changes only when a run completes.

        With `partition` (K, N) only the documents of partition K (indexing.in_partition) are analysed,
        sent and, when they vanished, deleted: N machines with the same corpus run K = 1..N and together
        do what one run does. Each partition writes its share's vocabulary to a meta document of its own;
        the run that finds all N of them there publishes the index's version (missing_partitions)."""
        try:
            return self._publish(documents, full=full, procs=procs, progress=progress, partition=partition)
        except SolrError as exc:
            raise self._unavailable(exc) from None

    def _check_configset(self) -> None:
        """Refuse to index into collections whose configset predates FORMAT (the analysed fields would
        not fit), before any document is analysed."""
        for collection in self.collections.values():
            try:
                for path in REQUIRED_SCHEMA:
                    self.client.json("GET", f"/{collection}/schema/{path}")
            except SolrRequestError as exc:
                if exc.status != 404:
                    raise
                raise CollectionError(
                    f"The SolrCloud collection {collection!r} has the configset of an earlier sotehaku. Run 'sotehaku "
                    "solr setup' to reload it with this one's, then 'sotehaku index --full'."
                ) from None

    def _earlier_format(self) -> bool:
        """Whether the published documents were sent in another format than this sotehaku's FORMAT."""
        meta = self.meta("all", "meta_format")
        return meta is not None and meta.get("meta_format") != FORMAT

    def _publish(self, documents, *, full: bool, procs: int, progress, partition) -> Published:
        self._check_configset()
        # Documents sent in an earlier format are all sent again, whatever their fingerprints say.
        full = full or self._earlier_format()
        # The vocabulary is counted afresh from every document (one regular-expression pass each) by a
        # partitioned run, and after a run that was killed: its replaced documents' old words were never
        # uncounted. Otherwise the published counts are updated with what changed.
        recount = partition is not None or self._interrupted()
        vocabulary = None
        if partition is None:
            vocabulary = None if full else self._vocabulary()
            full = full or vocabulary is None
            indexed = {} if full else self._indexed()
        else:
            # Deletions are found by fingerprint within the share: nothing outside it is ever touched.
            indexed = {fp: i for fp, i in self._indexed().items() if in_partition(i, partition)}
        if recount or vocabulary is None:
            vocabulary = Vocabulary()
        generation = dt.datetime.now(dt.timezone.utc).strftime("v%Y%m%dT%H%M%S%fZ")
        seen: set[str] = set()
        kept: set[str] = set()
        counted = 0

        def fresh() -> Iterator[Document]:
            nonlocal counted
            for doc in documents():
                if not in_partition(doc.id, partition):
                    if progress:
                        progress(1)
                    continue
                counted += 1
                seen.add(doc.fingerprint)
                if recount:
                    vocabulary.add(doc)
                if doc.fingerprint in indexed and not full:
                    kept.add(doc.fingerprint)
                    if progress:
                        progress(1)
                    continue
                yield doc

        added = 0
        pool = multiprocessing.get_context("fork").Pool(procs) if procs > 1 else None
        # One stream of update requests per collection: a thread that sends its batches one at a time, in
        # the order analysed, the corpus store's id order. Each shard's writer then receives its documents
        # in id order, its segments keep them so, and merging neighbours (solrconfig.xml) keeps that order:
        # a full run merged into one segment per shard has Lucene's document order equal to the id order
        # (see MERGED_COLLAPSE), when the documents came in id order (`in_order`; the corpus store's
        # always do). Two requests at once to one collection would interleave their documents in the
        # shards' writers: replaying squad2-fi's batches that way took the cluster 12 % more CPU, and 3-4 s
        # more to merge at the end, than these streams (benchmarks/RESULTS.md, round 14). The two
        # collections' streams run side by side.
        in_order, last_id = True, ""

        def send(batch: list[tuple[str, bool, bytes]]) -> None:
            nonlocal added
            if not added and partition is None:
                self._mark_running(generation)
            # Batches are sent while the analysis goes on; at most SENDING wait, so that memory stays
            # bounded when the cluster is slower than the analysis.
            while len(sending) >= SENDING:
                sending.popleft().result()
            sending.append(self._send_batch(batch, streams))
            added += len(batch)
            if progress:
                progress(len(batch))

        streams = {part: concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix=f"solr-send-{part}") for part in PARTS}
        sending: deque = deque()
        # The documents' words are counted into the vocabulary at the end, while the cluster works (see
        # WordSpool), unless the vocabulary is counted afresh from the documents (recount).
        spool = WordSpool()
        merged = False
        try:
            analysed = (
                pool.imap(_analyse, ((d, generation) for d in fresh()), chunksize=16) if pool
                else (_analyse((d, generation)) for d in fresh())
            )
            # Each document is encoded as soon as it is analysed, and the batch keeps its id, whether it is
            # public and its JSON (bytes): nothing of a document that the collector walks outlives its
            # analysis. orjson encodes in this process, beside the analysis, in half the time the standard
            # library's encoder took (0.33 s against 0.56-0.81 s for 20,000 generated documents: RESULTS.md,
            # round 17). Batches of analysed fields (dicts and lists) held until sent made Python run 18
            # full collections instead of 14 on the 200,000 generated documents, each one walking the
            # analysis's word caches: 9.7 s of collection against 5.4 s, and the run 8.5 s longer
            # (benchmarks/RESULTS.md, round 16).
            def encoded() -> Iterator[tuple[str, bool, bytes]]:
                nonlocal in_order, last_id
                for fields, words in analysed:
                    doc_id = fields["id"]
                    in_order = in_order and doc_id > last_id
                    last_id = doc_id
                    if not recount:
                        spool.add(fields["access"], words)
                    yield doc_id, fields["visibility"] == "public", orjson.dumps(fields)

            for batch in _batches(encoded(), BATCH_DOCS, max_bytes=BATCH_BYTES, nbytes=_encoded_bytes):
                send(batch)
            if full and partition is None:
                # The cluster's end of a full run (its last batches, the deletion of the earlier generations,
                # which flushes what the shards buffered, and the merge) is most of the run's tail: the words
                # are counted and the meta documents encoded meanwhile.
                with concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="solr-end") as ending:
                    ended = ending.submit(self._end_full_run, sending, generation)
                    spool.count_into(vocabulary)
                    metas = self._meta_documents(vocabulary, generation)
                    merged = ended.result()
            else:
                while sending:
                    sending.popleft().result()
                spool.count_into(vocabulary)
        finally:
            spool.close()
            for future in sending:
                future.cancel()
            for stream in streams.values():
                stream.shutdown(wait=True, cancel_futures=True)
            if pool:
                pool.terminate()
        if partition is not None:
            return self._publish_partition(partition, vocabulary, generation, stale=set(indexed) - seen,
                                           counted=counted, added=added, unchanged=len(kept), full=full)
        stale = set(indexed) - kept
        if not full and not added and not stale and not recount:
            return Published(version=self.live_version(), documents=counted, unchanged=counted, full=False)
        removed = 0
        if not full:
            removed = len(self._remove_stale(stale, None if recount else vocabulary))
            metas = self._meta_documents(vocabulary, generation)
            self._supersede_partitions()
        # The run's completion ends the mark of a run under way, in the meta documents' commit: a run killed
        # before it leaves the mark, and the next run recounts the vocabulary.
        self.update("all", {"delete": {"id": RUNNING_ID}})
        # A full run's merge opened no searcher: the documents, the deletions and the meta documents become
        # searchable together, already merged, and in id order when they were sent in it.
        if merged and in_order:
            metas = self._merged(metas)
        self._write_meta(metas)
        return Published(version=generation, documents=counted, added=added, removed=removed,
                         unchanged=len(kept), full=full)

    def _end_full_run(self, sending: deque, generation: str) -> bool:
        """The cluster's part of a full run's end, after its last batch is queued: wait for the batches
        sent, delete every earlier generation and partitioned run's meta document, and merge (no commit
        but the merge's, which opens no searcher). True when both collections merged."""
        while sending:
            sending.popleft().result()
        self._delete_generations_but(generation)
        self._supersede_partitions()
        return self._merge_segments()

    def _supersede_partitions(self) -> None:
        """Delete the meta documents of partitioned runs (no commit): a whole run supersedes any partitioned
        one, whose meta documents would mix old shares into the next partitioned run."""
        self.update("all", {"delete": {"query": f"id:{PARTITION_META_PREFIX}*"}})

    def _delete_generations_but(self, generation: str) -> None:
        """Delete every document of another generation than `generation` from both collections (a full run's
        end), without a commit: the collections one after the other (both at once took longer on a busy
        cluster, benchmarks/RESULTS.md)."""
        for part in PARTS:
            self.update(part, {"delete": {"query": f"*:* -generation:{quote(generation)}"}})

    def _send_batch(self, batch: list[tuple[str, bool, bytes]], streams: dict[str, concurrent.futures.Executor]) -> concurrent.futures.Future:
        """Queue one batch of analysed documents, (id, public, JSON) each, on both collections' streams,
        without a commit (the run commits once at its end); the future of its last send. NAME_public's
        send of a batch completes before NAME_all's begins: the next run reads what is done from NAME_all,
        so a run killed between the two sends the batch again. A document that is no longer public leaves
        NAME_public here."""
        hidden = [doc_id for doc_id, public, _encoded in batch if not public]

        def to_public() -> bytes:
            everything = b"[" + b",".join(encoded for _id, _public, encoded in batch) + b"]"
            if hidden:
                self.update("public", {"delete": hidden})
            if len(hidden) < len(batch):
                self.update("public", b"[" + b",".join(encoded for _id, public, encoded in batch if public) + b"]"
                            if hidden else everything)
            return everything

        sent_public = streams["public"].submit(to_public)
        return streams["all"].submit(lambda: self.update("all", sent_public.result()))

    def _mark_running(self, generation: str) -> None:
        """Mark (committed) that a run is sending documents: if it is killed, the next run recounts the vocabulary."""
        mark = {"id": RUNNING_ID, "visibility": META_VISIBILITY, "duplicate_group": RUNNING_ID, "generation": generation}
        self.update("all", [mark], commit="true")

    def _interrupted(self) -> bool:
        """True when an earlier run began sending documents and never completed."""
        try:
            found = self.select("all", {"q": f"id:{RUNNING_ID}", "rows": 0})
        except SolrRequestError:
            return False  # no collection yet: the run will say so
        return found["response"]["numFound"] > 0

    @staticmethod
    def _meta_documents(vocabulary: Vocabulary, generation: str) -> dict[str, dict]:
        """Both collections' meta documents: the version and the completion vocabulary (JSON, encoded once
        here: a corpus's words are some megabytes)."""
        metas = {}
        for part in PARTS:
            # NAME_public holds public documents alone, so its meta document the public words alone.
            metas[part] = {"id": META_ID, "visibility": META_VISIBILITY, "duplicate_group": META_ID,
                           "generation": generation, "meta_version": generation, "meta_format": FORMAT,
                           "meta_vocabulary": vocabulary.to_json(None if part == "all" else ["public"])}
        return metas

    @staticmethod
    def _merged(metas: dict[str, dict]) -> dict[str, dict]:
        """The meta documents noting that their version is merged into one segment per shard, in id order."""
        return {part: {**meta, "meta_merged": meta["meta_version"]} for part, meta in metas.items()}

    def _write_meta(self, metas: dict[str, dict]) -> None:
        """Write both collections' meta documents (_meta_documents) and commit."""
        for part in PARTS:
            self.update(part, [metas[part]], commit="true")
        with self._lock:
            self._checked = 0.0

    def _merge_segments(self) -> bool:
        """Merge each shard's segments into one (Lucene's forceMerge; it also drops the earlier run's
        deleted documents), committed without opening a searcher: the meta documents' commit that follows
        makes the merged run searchable. A search looks each of its terms up in every segment of every
        shard, twice with the statistics phase: at 200,000 documents a full run leaves some 20 segments per
        shard, and one segment took 30-50 % less of the cluster's CPU per search (benchmarks/RESULTS.md).
        Incremental runs leave merging to the merge policy. A merge that fails or outlasts MERGE_TIMEOUT
        leaves the run's documents as they are: it is logged, not raised. True when both collections merged."""
        merged = True
        for part in PARTS:
            try:
                self.client.request("POST", f"/{self.collections[part]}/update", rounds=1, timeout=MERGE_TIMEOUT,
                                    params={"wt": "json"}, headers={"Content-Type": "application/json"},
                                    content=b'{"optimize": {"maxSegments": 1, "openSearcher": false}}')
            except SolrError as exc:
                merged = False
                log.warning("Merging the segments of %s did not complete (the index is searchable as it is): %s",
                            self.collections[part], " ".join(str(exc).split()))
        return merged

    def remove(self, ids: Iterable[str]) -> int:
        """Delete documents by id from both collections, uncount their words and commit a new version."""
        try:
            return self._remove(sorted(set(ids)))
        except SolrError as exc:
            raise self._unavailable(exc) from None

    def _remove(self, ids: list[str]) -> int:
        try:
            vocabulary = self._vocabulary()
        except IndexUnavailableError:
            return 0
        if vocabulary is None or not ids:
            return 0
        held = 0
        for doc_id in ids:  # one by one: takedowns are few, and an id (a URL) may hold any character
            found = self.select("all", {"q": "{!term f=id v=$doc}", "doc": doc_id, "fl": "id,visibility,access,title,text", "rows": 1})
            for doc in found["response"]["docs"]:
                vocabulary.remove(doc.get("access") or doc["visibility"], doc.get("title", ""), doc.get("text", ""))
                held += 1
        if not held:
            return 0
        for part in PARTS:
            self.update(part, {"delete": ids})
        # Deleting documents moves none: a merged version's successor is merged too.
        metas = self._meta_documents(vocabulary, dt.datetime.now(dt.timezone.utc).strftime("v%Y%m%dT%H%M%S%fZ"))
        self._write_meta(self._merged(metas) if _is_merged(self._live_meta()) else metas)
        return held

    def _partition_metas(self, n: int) -> dict[int, dict]:
        """The committed meta documents of the partitions of N, by K."""
        found = self.select("all", {"q": f"id:{PARTITION_META_PREFIX}*_of_{n}", "rows": n + 1,
                                    "fl": "id,meta_version,meta_vocabulary"})
        metas = {}
        for doc in found["response"]["docs"]:
            k = int(doc["id"][len(PARTITION_META_PREFIX):].split("_of_")[0])
            metas[k] = doc
        return metas

    def missing_partitions(self, n: int) -> list[int]:
        """The partitions K of N that have not yet written their share (none: the index is published)."""
        try:
            metas = self._partition_metas(n)
        except SolrError as exc:
            raise self._unavailable(exc) from None
        return [k for k in range(1, n + 1) if k not in metas]

    def _publish_partition(self, partition: tuple[int, int], vocabulary: Vocabulary, generation: str, *,
                           stale: set[str], counted: int, added: int, unchanged: int, full: bool) -> Published:
        """Delete the share's vanished documents, write its meta document and commit; when every partition
        of N has written one, publish the merged vocabulary as the index's new version."""
        k, n = partition
        removed = len(self._remove_stale(stale, None)) if stale else 0
        counts = {key: dict(words) for key, words in vocabulary.counts.items()}
        previous = self._partition_metas(n)
        if not added and not removed and k in previous and json.loads(previous[k]["meta_vocabulary"]) == counts \
                and not self.missing_partitions(n):
            meta = self.meta("all")
            if meta is not None:
                return Published(version=meta["meta_version"], documents=counted, unchanged=counted, full=False)
        own = {"id": partition_meta_id(k, n), "visibility": META_VISIBILITY, "duplicate_group": partition_meta_id(k, n),
               "generation": generation, "meta_version": generation,
               "meta_vocabulary": vocabulary.to_json()}
        self.update("all", [own], commit="true")
        metas = self._partition_metas(n)
        if any(i not in metas for i in range(1, n + 1)):
            meta = self.meta("all")
            version = meta["meta_version"] if meta else ""
        else:
            merged = Vocabulary()
            for doc in metas.values():
                for key, words in json.loads(doc["meta_vocabulary"]).items():
                    merged.counts.setdefault(key, Counter()).update(words)
            self._write_meta(self._meta_documents(merged, generation))
            version = generation
        return Published(version=version, documents=counted, added=added, removed=removed, unchanged=unchanged, full=full)

    def _remove_stale(self, stale: set[str], vocabulary: Vocabulary | None) -> set[str]:
        """Delete documents by fingerprint (the old versions of changed ones, and vanished ones), after
        uncounting their words (unless `vocabulary` is None); the new versions of changed documents were
        written in this run with another fingerprint, so they stay. Returns the ids deleted."""
        removed_ids = set()
        for chunk in _batches(sorted(stale), 500):
            terms = "{!terms f=fingerprint}" + ",".join(chunk)
            found = self.select("all", {"q": terms, "fl": "id,visibility,access,title,text", "rows": len(chunk) * 2})
            for doc in found["response"]["docs"]:
                if vocabulary is not None:
                    vocabulary.remove(doc.get("access") or doc["visibility"], doc.get("title", ""), doc.get("text", ""))
                removed_ids.add(doc["id"])
            for part in PARTS:
                self.update(part, {"delete": {"query": terms}})
        return removed_ids

    def stats(self, visibilities: tuple[str, ...], top: int = 20) -> dict:
        snap = self.snapshot()
        counts: dict[str, int] = {}
        keys = list(visibilities)
        if "internal" in visibilities:  # the administrator's statistics: every group's documents too
            keys += [k for k in snap.vocabulary_keys() if k.startswith(GROUP_PREFIX)]
            visibilities = (*VISIBILITIES, *keys[len(visibilities):])
        for key in keys:
            for word, n in snap.word_counts(key).items():
                if word not in STOPWORDS:
                    counts[word] = counts.get(word, 0) + n
        best = heapq.nsmallest(top, counts.items(), key=lambda item: (-item[1], item[0]))
        return {
            "version": snap.version,
            "documents": snap.doc_count(visibilities),
            "bytes": self._size(snap.part(visibilities)),
            "top_terms": [{"term": word, "documents": n} for word, n in best],
        }

    def _size(self, part: str) -> int:
        """Bytes of the collection's index: one replica of each shard."""
        try:
            state = admin.cluster_status(self.urls, self.collections[part])["collections"][self.collections[part]]
            total = 0
            for shard in state["shards"].values():
                replica = next(iter(shard["replicas"].values()))
                found = admin.solr_request(replica["base_url"], "GET", "/admin/cores", timeout=30,
                                           params={"action": "STATUS", "core": replica["core"], "wt": "json"})[1].json()
                total += found["status"][replica["core"]]["index"]["sizeInBytes"]
            return total
        except (SolrError, KeyError, StopIteration, ValueError):
            return 0


def _is_merged(meta: dict) -> bool:
    """Whether a meta document's version is merged into one segment per shard (SolrBackend._merged)."""
    return meta.get("meta_merged") == meta["meta_version"]


def _vocabulary_words(solr_doc: dict) -> list[str]:
    """The distinct written words of a document, as indexer.vocabulary counts them."""
    return vocabulary_words(f"{solr_doc.get('title', '')}\n{solr_doc.get('text', '')}")


class SolrSnapshot:
    """The published version of a SolrBackend: anonymous searches on NAME_public, others on NAME_all."""

    def __init__(self, backend: SolrBackend, version: str, *, merged: bool = False):
        self.backend = backend
        self.version = version
        # Merged into one segment per shard, in id order: near-duplicates collapse by score alone.
        self.merged = merged
        found = backend.select("all", {"q": "*:*", "rows": 0, "facet": "true", "facet.field": "lang",
                                       "fq": f"-id:{META_ID}", "facet.mincount": 1})
        langs = found["facet_counts"]["facet_fields"]["lang"][::2]
        self.languages = tuple(lang for lang in LANGUAGES if lang in langs)
        self._counts: dict[tuple, int] = {}
        self._matched: dict[tuple[str, tuple[str, ...]], bool] = {}
        self._frequencies: dict[tuple[tuple[str, ...], str, str], int] = {}
        self._vocabulary: dict[str, dict[str, int]] = {}

    @staticmethod
    def part(visibilities: tuple[str, ...]) -> str:
        """The collection of a viewer's visibilities: public documents alone come from NAME_public."""
        return "public" if tuple(visibilities) == ("public",) else "all"

    @staticmethod
    def visibility_filter(visibilities: tuple[str, ...]) -> str:
        """The filter query of a viewer's access keys (the meta document has none, so it never matches)."""
        return "access:(" + " ".join(quote(v) for v in visibilities) + ")" if visibilities else "-*:*"

    def _select(self, visibilities, params: dict) -> dict:
        """A select on the viewer's collection, filtered to the viewer's visibilities. No node answering
        is IndexUnavailableError; a refused request (a bug, or a limit such as maxBooleanClauses) SearchError."""
        fq = [self.visibility_filter(visibilities), *params.pop("fq", [])]
        try:
            return self.backend.select(self.part(visibilities), {**params, "fq": fq})
        except SolrRequestError as exc:
            raise SearchError(f"SolrCloud refused the search: {' '.join(str(exc).split())}") from None
        except SolrError as exc:
            raise IndexUnavailableError(" ".join(str(exc).split())) from None

    def doc_count(self, visibilities: tuple[str, ...]) -> int:
        key = tuple(visibilities)
        if key not in self._counts:
            self._counts[key] = self._select(key, {"q": "*:*", "rows": 0})["response"]["numFound"]
        return self._counts[key]

    def word_counts(self, visibility: str) -> dict[str, int]:
        if visibility not in self._vocabulary:
            counts = self._meta_vocabulary("public" if visibility == "public" else "all")
            self._vocabulary[visibility] = counts.get(visibility, {})
        return self._vocabulary[visibility]

    def vocabulary_keys(self) -> list[str]:
        """Every access key the vocabulary of NAME_all counts words under."""
        return list(self._meta_vocabulary("all"))

    def _meta_vocabulary(self, part: str) -> dict[str, dict[str, int]]:
        try:
            meta = self.backend.meta(part) or {}
        except SolrError as exc:
            raise IndexUnavailableError(" ".join(str(exc).split())) from None
        return json.loads(meta.get("meta_vocabulary") or "{}")

    def search(
        self, query: Node, filters: Filters, visibilities: tuple[str, ...], limit: int, *, facets: bool = True,
        sort: str = "relevance",
    ) -> Matches:
        by_date = sort == "date"
        params = {
            "q": "{!boost b=$rankboost v=$qq}", "qq": to_lucene(query), "rankboost": boost_function(dt.date.today()),
            "fq": [*filter_queries(filters), DATE_COLLAPSE if by_date else MERGED_COLLAPSE if self.merged else COLLAPSE],
            "sort": DATE_SORT if by_date else SORT, "rows": limit, "fl": HIT_FIELDS,
        }
        if limit <= SINGLE_PASS_ROWS:
            # Each shard sends its top hits' fields with their ids and scores: no second round trip to
            # fetch the fields of the hits that made the page.
            params["distrib.singlePass"] = "true"
        if facets:
            params.update(FACET_PARAMS)
        # The document frequencies that the proximity re-ranking of a query of several words asks for
        # next (term_documents), counted in this request over the viewer's whole collection (a facet
        # domain of its own): one request to the cluster instead of one more per analysis.
        counted = {} if by_date else self._uncounted(query, visibilities)
        if counted:
            params["json.facet"] = json.dumps({
                f"df{i}": {"type": "query", "q": q, "domain": {"query": "*:*", "filter": self.visibility_filter(visibilities)}}
                for i, q in enumerate(counted.values())
            }, ensure_ascii=False)
        found = self._select(visibilities, params)
        if counted:
            facet_counts = found.get("facets", {})
            self._remember({key: facet_counts.get(f"df{i}", {}).get("count") for i, key in enumerate(counted)})
        terms = _terms_by_analysis(query)
        top = [self._match(doc, terms) for doc in found["response"]["docs"]]
        return Matches(total=found["response"]["numFound"], top=top,
                       facets=_facets(found["facet_counts"]["facet_fields"]) if facets else {})

    def rank(self, query: Node, filters: Filters, visibilities: tuple[str, ...], limit: int) -> list[tuple[str, float]]:
        found = self._select(visibilities, {"q": to_lucene(query), "fq": filter_queries(filters), "sort": SORT,
                                            "rows": limit, "fl": "id,score"})
        return [(doc["id"], float(doc["score"])) for doc in found["response"]["docs"]]

    def any_matches(self, queries: Sequence[Node], visibilities: tuple[str, ...]) -> list[bool]:
        """Those not remembered are counted together, as facet queries of one request. Remembered for the
        version: a search that finds nothing asks about each word twice (the words missing, then
        did-you-mean), and the same words come again."""
        keys = [(to_lucene(query), tuple(visibilities)) for query in queries]
        answers = {key: self._matched.get(key) for key in keys}
        asked = [q for (q, _), found in answers.items() if found is None]
        if asked:
            counts = self._select(visibilities, {"q": "*:*", "rows": 0, "facet": "true", "facet.query": asked})
            new = {(q, tuple(visibilities)): counts["facet_counts"]["facet_queries"].get(q, 0) > 0 for q in asked}
            if len(self._matched) + len(new) > MATCHED_CACHE:
                self._matched.clear()
            self._matched.update(new)
            answers.update(new)
        return [answers[key] for key in keys]

    def term_documents(self, analysis: str, terms, visibilities: tuple[str, ...]) -> dict[str, int]:
        """Document frequencies in the analysis's text fields, as facet queries on the viewer's collection
        and visibilities (so counted over every shard); those a search counted already are remembered."""
        terms = list(dict.fromkeys(terms))
        key = tuple(visibilities)
        out = {term: self._frequencies.get((key, analysis, term)) for term in terms}
        queries = {term: q for term in terms if out[term] is None and (q := _frequency_query(analysis, term))}
        if queries:
            found = self._select(visibilities, {"q": "*:*", "rows": 0, "facet": "true", "facet.query": list(queries.values())})
            counts = found["facet_counts"]["facet_queries"]
            self._remember({(key, analysis, term): int(counts.get(q, 0)) for term, q in queries.items()})
            out.update((term, int(counts.get(q, 0))) for term, q in queries.items())
        return {term: n or 0 for term, n in out.items()}

    def _uncounted(self, query: Node, visibilities: tuple[str, ...]) -> dict[tuple, str]:
        """The frequency queries of the terms the proximity re-ranking will ask about (a query of two
        words or more) whose counts are not remembered, by key."""
        words = proximity_words(query)[:PROXIMITY_MAX_WORDS]
        if len(words) < 2:
            return {}
        key = tuple(visibilities)
        return {(key, analysis, term): q for word_terms, _ in words for analysis, term in word_terms
                if (key, analysis, term) not in self._frequencies and (q := _frequency_query(analysis, term))}

    def _remember(self, counts: dict[tuple, int | None]) -> None:
        if len(self._frequencies) + len(counts) > MATCHED_CACHE:
            self._frequencies.clear()
        self._frequencies.update((key, n) for key, n in counts.items() if n is not None)

    def term_starts(self, ids, terms, visibilities: tuple[str, ...]) -> dict[str, dict[tuple[str, str], list[int]]]:
        """Per visible document of `ids`, the character starts in its text of each (analysis, term) of
        `terms` it has: from the slots of its text stored at indexing, the ones its snippets are cut with,
        fetched in one select."""
        ids = list(dict.fromkeys(ids))
        by_analysis: dict[str, set[str]] = {}
        for analysis, term in terms:
            by_analysis.setdefault(analysis, set()).add(term)
        if not ids or not by_analysis:
            return {}
        found = self._select(visibilities, {"q": "*:*", "fq": [f"{{!cache=false}}id:({' OR '.join(quote(i) for i in ids)})"],
                                            "rows": len(ids), "fl": "id,lang,text," + ",".join(TEXT_SLOT_FIELDS.values())})
        out = {}
        for doc in found["response"]["docs"]:
            slots = {field: doc.pop(field) for field in TEXT_SLOT_FIELDS.values() if field in doc}
            out[doc["id"]] = match_text(_stored(doc), by_analysis, slots)[1]
        return out

    def document(self, doc_id: str, visibilities: tuple[str, ...]) -> dict | None:
        found = self._select(visibilities, {"q": f"id:{quote(doc_id)}", "rows": 1, "fl": DOCUMENT_FIELDS})
        docs = found["response"]["docs"]
        if not docs:
            return None
        stored = _stored(docs[0])
        stored["updated"] = stored["updated"].isoformat() if stored["updated"] else None
        return stored

    def _match(self, doc: dict, terms: dict[str, set[str]]) -> Match:
        slots = {field: doc.pop(field) for field in TEXT_SLOT_FIELDS.values() if field in doc}
        stored = _stored(doc)
        spans, starts = match_text(stored, terms, slots)
        return Match(id=doc["id"], score=float(doc["score"]), stored=stored, spans=tuple(spans), starts=starts)


def _frequency_query(analysis: str, term: str) -> str | None:
    """The query of the documents whose text has a term of an analysis, as a whole word or a part (they
    share the field, as in the embedded index); None for an analysis without text fields."""
    field = TEXT_SLOT_FIELDS.get(analysis)
    return f"{field}:{quote(term)}" if field else None


def _stored(doc: dict) -> dict:
    stored = {name: value for name, value in doc.items() if name != "score"}
    stored.setdefault("access", [])
    for name in ("url", "lang", "type", "source", "section", "visibility", "title", "text", "description",
                 "duplicate_of", "parent", "content_hash"):
        stored.setdefault(name, "")
    stored["updated"] = date_value(doc.get("updated"))
    return stored


def _terms_by_analysis(query: Node) -> dict[str, set[str]]:
    """The query's terms by analysis that can occur in a document's text (title-only words cannot)."""
    out: dict[str, set[str]] = {}

    def walk(node: Node) -> None:
        if isinstance(node, (Words, Phrase)):
            if not node.title_only:
                for alt in node.alternatives():
                    out.setdefault(alt.analysis, set()).add(alt.term)
            return
        for child in getattr(node, "children", ()):
            walk(child)

    walk(query)
    return out


def match_text(stored: dict, terms: dict[str, set[str]], slots: dict | None = None) -> tuple[set[tuple[int, int]], dict]:
    """The character spans in a hit's stored text of the tokens whose terms the query asks for (its
    language's analysis and the folded one), and where each of those terms starts, by (analysis, term):
    the positions of the terms in the text's stored slots (TEXT_SLOT_FIELDS, as indexed) mapped to the
    words of the analysis's tokenizer, or, for a document with none stored, from its text analysed again."""
    text = stored.get("text", "")
    spans: set[tuple[int, int]] = set()
    starts: dict[tuple[str, str], list[int]] = {}
    if not text:
        return spans, starts
    for analysis in (index_language(stored.get("lang", "fi")), FOLDED):
        wanted = terms.get(analysis)
        if not wanted:
            continue
        found: dict[str, list[tuple[int, int]]] = {}
        if not slots:
            for t in analyzer(analysis)(text, mode="index"):
                if t.term in wanted:
                    found.setdefault(t.term, []).append((t.start, t.end))
        else:
            positions = match_positions(slots.get(TEXT_SLOT_FIELDS[analysis], ""), wanted)
            words = analyzer(analysis).tokenizer.spans(text) if positions else []
            for term, at in positions.items():
                found[term] = [words[p] for p in at if p < len(words) and words[p] is not None]
        for term, term_spans in found.items():
            if term_spans:
                spans.update(term_spans)
                starts[(analysis, term)] = sorted({start for start, _ in term_spans})
    return spans, starts


def _facets(fields: dict) -> dict[str, list[tuple[str, int]]]:
    out = {}
    for name, field in FACET_FIELDS.items():
        flat = fields.get(field, [])
        counts = [(value, count) for value, count in zip(flat[::2], flat[1::2]) if value and count]
        if name == "year":
            out[name] = sorted(counts, reverse=True)
        else:
            out[name] = sorted(counts, key=lambda vn: (-vn[1], vn[0]))
    return out
