"""The completion vocabulary's JSON (indexer/vocabulary.py), which both backends write."""

import gc
import json

from indexer.vocabulary import Vocabulary


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
