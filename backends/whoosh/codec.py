"""The index's codec: Whoosh's W3 format, written with less work per term and per posting.

Writing the postings was some 40 % of a build's CPU (benchmarks/RESULTS.md, issue 12), most of it work
done per term and per posting for statistics the reader hardly needs:
- a term with a few postings, most terms of a Finnish index (every reading, part and folded form of a
  rare word), got a posting block of its own in the postings file (a pickled, zlib-compressed tuple behind a
  pickled header). W3's option to keep such postings in the term table ("inlining") is dead code in
  whoosh-reloaded: its writer calls `W3TermInfo.set_inline`, and the method is named `set_inlined`.
  The reader side works (`W3Codec.postings_reader` serves inlined postings through a `ListMatcher`), so
  here the writer calls the right name;
- every posting looked its document's field length up through a column reader, for a block's minimum
  and maximum length; here each field's lengths are read once per segment, into a list;
- blocks were compressed at zlib level 3; here at level 1 (see COMPRESSION).
The files are W3's, readable by stock Whoosh; the segments name this codec, so that merges of an
incremental update write the same way.
"""

from __future__ import annotations

from whoosh.codec.base import OutOfOrderError
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3Codec, W3FieldWriter, W3PerDocReader, W3PostingsWriter, _lenfield
from whoosh.system import emptybytes
from whoosh.util.numeric import byte_to_length

# Postings lists shorter than this are kept in the term table (W3's `inlinelimit` counts "fewer than").
# A 3,000-paragraph build in one process, 8 against 2, four runs of each in turn: 0.971 times the CPU
# (single runs of 4, 16 and 32 were within the machine's noise of 8); the index grows with the limit
# (inlined postings are not compressed): 2.0 % at 8, 10.6 % at 32.
INLINE_LIMIT = 8
# zlib level of a posting block: level 1 took 4 % off a 3,000-paragraph build against W3's 3, for 0.7 %
# more bytes; a block records its level, so readers of either are the same.
COMPRESSION = 1
_LENGTH_OF_BYTE = [byte_to_length(b) if b else None for b in range(256)]


class SotehakuCodec(W3Codec):
    def __init__(self, blocklimit: int = 128, compression: int = COMPRESSION, inlinelimit: int = INLINE_LIMIT):
        super().__init__(blocklimit=blocklimit, compression=compression, inlinelimit=inlinelimit)

    def field_writer(self, storage, segment):
        return _FieldWriter(self, storage, segment)

    def postings_writer(self, dbfile, byteids=False):
        return _PostingsWriter(dbfile, blocklimit=self._blocklimit, byteids=byteids,
                               compression=self._compression, inlinelimit=self._inlinelimit)


class _PostingsWriter(W3PostingsWriter):
    def finish_postings(self):
        if self.written() or len(self) >= self._inlinelimit:
            return super().finish_postings()
        terminfo, self._terminfo = self._terminfo, None
        terminfo.add_block(self)
        # A format without values (an ID field's) gets None per posting, as W3's blocks answer: for no
        # values at all Whoosh's ListMatcher answers "" (a str), which a merge's posting pool refuses.
        terminfo.set_inlined(self._ids, self._weights, self._values or [None] * len(self._ids))
        return terminfo


class _FieldWriter(W3FieldWriter):
    def add_postings(self, schema, lengths, items):
        """Whoosh's loop over (field, term, docnum, weight, value) postings in order, with each field's
        document lengths read once."""
        lastfn = lasttext = None
        field_lengths: list = []
        for fieldname, btext, docnum, weight, value in items:
            if fieldname != lastfn:
                if lastfn is not None:
                    if fieldname < lastfn:
                        raise OutOfOrderError(f"Field {lastfn!r} .. {fieldname!r}")
                    if lasttext is not None:
                        self.finish_term()
                    self.finish_field()
                self.start_field(fieldname, schema[fieldname])
                field_lengths = _lengths(lengths, fieldname)
                lastfn, lasttext = fieldname, None
            if docnum == -1:  # Whoosh's marker of a spelling word, not a posting
                continue
            if btext != lasttext:
                if lasttext is not None:
                    if btext < lasttext:
                        raise OutOfOrderError(f"Term {fieldname}:{lasttext!r} .. {fieldname}:{btext!r}")
                    self.finish_term()
                self.start_term(btext)
                lasttext = btext
            self._postwriter.add_posting(docnum, weight, emptybytes if value is None else value,
                                         field_lengths[docnum] if docnum < len(field_lengths) else None)
        if lasttext is not None:
            self.finish_term()
        if lastfn is not None:
            self.finish_field()


def _lengths(lengths, fieldname: str) -> list:
    """The field's length in each document of the segment being written (None: empty or unknown)."""
    if not lengths:
        return []
    if isinstance(lengths, W3PerDocReader):  # the writer's own segment: its length column, read once
        column = lengths._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
        return [] if column is None else [_LENGTH_OF_BYTE[b] for b in column]
    return [lengths.doc_field_length(docnum, fieldname) or None for docnum in range(lengths.doc_count_all())]
