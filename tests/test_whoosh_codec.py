"""The index's codec (backends.whoosh.codec) writes what Whoosh's stock W3 codec writes, read back through
Whoosh: every term's postings (documents, weights, positions and characters) and statistics, and every
field length; a term with a few postings is kept in the term table instead of a block of its own; a
block's arrays, as searches read them, hold what its postings hold."""

import numpy as np
import pytest

from whoosh import index as whoosh_index
from whoosh.codec.whoosh3 import W3Codec

from backends.whoosh.codec import INLINE_LIMIT, BlockMatcher, SotehakuCodec
from backends.whoosh.schema import build_schema
from backends.whoosh.writer import document_fields
from corpus.store import CorpusStore


def _build(path, docs, codec, *, delete=()):
    path.mkdir()
    ix = whoosh_index.create_in(path, build_schema())
    half = len(docs) // 2
    # Two segments, then a merge of both with a deletion: the update path of an incremental build.
    for batch in (docs[:half], docs[half:]):
        writer = ix.writer(codec=codec)
        for doc in batch:
            writer.add_document(**document_fields(doc))
        writer.commit(merge=False)
    writer = ix.writer(codec=codec)
    for doc_id in delete:
        writer.delete_by_term("id", doc_id)
    writer.commit(optimize=True)
    return ix


def _contents(ix):
    """Everything the postings say, term by term, and each field's lengths, by document id."""
    out = {}
    with ix.reader() as reader:
        ids = {docnum: fields["id"] for docnum, fields in reader.iter_docs()}
        for field, term in reader.all_terms():
            info = reader.term_info(field, term)
            matcher = reader.postings(field, term)
            postings = []
            while matcher.is_active():
                if matcher.id() in ids:
                    postings.append((ids[matcher.id()], matcher.weight(), matcher.value()))
                matcher.next()
            out[(field, term)] = (sorted(postings), info.weight(), info.doc_frequency(), info.max_weight(),
                                  info.min_length(), info.max_length())
        for field in reader.indexed_field_names():
            out[("length", field)] = sorted((ids[d], reader.doc_field_length(d, field)) for d in ids)
    return out


def _postings(reader, field, term):
    """The term's matcher over its posting blocks, past the deletions' filter."""
    matcher = reader.postings(field, term)
    return getattr(matcher, "child", matcher)


def _arrays(ix):
    """Per term written in blocks, its documents and weights as the blocks' arrays give them and as
    Whoosh's matcher walks them, posting by posting (skipping to every other document on the way)."""
    out = {}
    with ix.reader() as reader:
        for field, term in reader.all_terms():
            if reader.term_info(field, term).is_inlined():
                continue
            matcher = _postings(reader, field, term)
            assert type(matcher) is BlockMatcher
            blocks = []
            while matcher.is_active():
                blocks.append(matcher.block_arrays())
                matcher._next_block()
            ids = np.concatenate([b[0] for b in blocks]).tolist()
            weights = np.concatenate([b[1] for b in blocks]).tolist()
            walked = _postings(reader, field, term)
            postings = []
            while walked.is_active():
                postings.append((walked.id(), walked.weight()))
                walked.next()
            skipper = _postings(reader, field, term)
            skipped = []
            for target in ids[::2]:
                skipper.skip_to(target)
                skipped.append(skipper.id())
            out[(field, term)] = (list(zip(ids, weights)), postings, skipped, ids[::2])
    return out


@pytest.mark.parametrize("blocklimit", [128, 3])
def test_codec_writes_what_stock_whoosh_writes(crawled_data_dir, tmp_path, blocklimit):
    with CorpusStore(crawled_data_dir / "corpus.sqlite3") as store:
        docs = sorted(store.iter_documents(), key=lambda d: d.id)
    deleted = [docs[1].id, docs[-2].id]
    ours = _build(tmp_path / "ours", docs, SotehakuCodec(blocklimit=blocklimit), delete=deleted)
    stock = _build(tmp_path / "stock", docs, W3Codec(blocklimit=blocklimit), delete=deleted)
    assert _contents(ours) == _contents(stock)
    arrays = _arrays(ours)
    assert arrays
    for from_blocks, walked, skipped, targets in arrays.values():
        assert from_blocks == walked
        assert skipped == targets
    if blocklimit == 3:  # terms of several blocks, the last one shorter
        assert any(len(walked) > 3 * 2 and len(walked) % 3 for _, walked, _, _ in arrays.values())
    with ours.reader() as reader:
        infos = [reader.term_info(field, term) for field, term in reader.all_terms()]
    inlined = [info for info in infos if info.is_inlined()]
    # Most terms of a Finnish index occur in a few documents; only those are inlined.
    assert len(inlined) > len(infos) / 2
    assert all(info.doc_frequency() < INLINE_LIMIT for info in inlined)
    assert any(info.doc_frequency() > 1 for info in inlined)
    if blocklimit >= INLINE_LIMIT:  # (with smaller blocks, a term's first block is written before it ends)
        assert not any(info.doc_frequency() < INLINE_LIMIT for info in infos if not info.is_inlined())
    with stock.reader() as reader:
        assert not any(reader.term_info(field, term).is_inlined() for field, term in reader.all_terms())
