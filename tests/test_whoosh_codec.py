"""The index's codec (backends.whoosh.codec) writes what Whoosh's stock W3 codec writes, read back through
Whoosh: every term's postings (documents, weights, positions and characters) and statistics, and every
field length; a term with a few postings is kept in the term table instead of a block of its own."""

from whoosh import index as whoosh_index
from whoosh.codec.whoosh3 import W3Codec

from backends.whoosh.codec import INLINE_LIMIT, SotehakuCodec
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


def test_codec_writes_what_stock_whoosh_writes(crawled_data_dir, tmp_path):
    with CorpusStore(crawled_data_dir / "corpus.sqlite3") as store:
        docs = sorted(store.iter_documents(), key=lambda d: d.id)
    deleted = [docs[1].id, docs[-2].id]
    ours = _build(tmp_path / "ours", docs, SotehakuCodec(), delete=deleted)
    stock = _build(tmp_path / "stock", docs, W3Codec(), delete=deleted)
    assert _contents(ours) == _contents(stock)
    with ours.reader() as reader:
        infos = [reader.term_info(field, term) for field, term in reader.all_terms()]
    inlined = [info for info in infos if info.is_inlined()]
    # Most terms of a Finnish index occur in a few documents; only those are inlined.
    assert len(inlined) > len(infos) / 2
    assert all(info.doc_frequency() < INLINE_LIMIT for info in inlined)
    assert any(info.doc_frequency() > 1 for info in inlined)
    assert not any(info.doc_frequency() < INLINE_LIMIT for info in infos if not info.is_inlined())
    with stock.reader() as reader:
        assert not any(reader.term_info(field, term).is_inlined() for field, term in reader.all_terms())
