"""The completion vocabulary's JSON (indexer/vocabulary.py), which both backends write."""

import gc
import json

from corpus.document import Document
from indexer.vocabulary import Vocabulary, WordSpool, _words


def large_vocabulary(words: int = 50_000) -> Vocabulary:
    return Vocabulary({"public": {f"sana{i}": i % 7 + 1 for i in range(words)}, "group:hr": {"palkka": 2}})


def test_to_json_reads_back_whole_or_by_access_key():
    vocabulary = large_vocabulary(100)
    assert Vocabulary(json.loads(vocabulary.to_json())).counts == vocabulary.counts
    public = json.loads(vocabulary.to_json(["public"]))
    assert set(public) == {"public"} and public["public"]["sana8"] == 2


def test_to_json_runs_no_cycle_collection_and_leaves_the_collector_as_it_was():
    """Encoding makes a tuple per word, which would set off collections that walk the whole process."""
    collections = []

    def count(phase, info):
        if phase == "start":
            collections.append(info["generation"])

    vocabulary = large_vocabulary()
    gc.callbacks.append(count)
    try:
        vocabulary.to_json()
        assert collections == []
        assert gc.isenabled()
        gc.disable()
        try:
            vocabulary.to_json()
            assert not gc.isenabled()  # a caller's pause is kept
        finally:
            gc.enable()
    finally:
        gc.callbacks.remove(count)


def test_a_word_spool_counts_what_add_would_have_and_holds_the_words_on_disk():
    """The words written down during a run count as counting each document at once would, under every
    access key, also groups whose names hold spaces, and documents without a word."""
    docs = [
        Document(id="a", title="Sotekeskus", text="Sotekeskus avautuu, sote-keskus palvelee."),
        Document(id="b", text="Sotekeskuksessa on neuvola.", visibility="internal"),
        Document(id="c", text="Palkkaneuvottelu alkaa.", visibility="internal", access=("hr tiimi", "talous ja hallinto")),
        Document(id="d", text="2024 12"),
        Document(id="e", text="Neuvola ja sotekeskus.", visibility="internal", access=("hr tiimi",)),
    ]
    at_once = Vocabulary({"public": {"vanha": 3}})
    for doc in docs:
        at_once.add(doc)
    later = Vocabulary({"public": {"vanha": 3}})
    with WordSpool() as spool:
        for doc in docs:
            spool.add(doc.access_keys, _words(doc.title, doc.text))  # the words Vocabulary.add counts
        assert spool._file.tell() > 0 and later.counts["public"] == {"vanha": 3}  # nothing counted yet
        spool.count_into(later)
        spool.count_into(later)  # what was counted is not counted again
    assert later.counts == at_once.counts
    assert later.counts["group:talous ja hallinto"] == {"palkkaneuvottelu": 1, "alkaa": 1}
    assert later.counts["public"]["sotekeskus"] == 1 and later.counts["group:hr tiimi"]["neuvola"] == 1
