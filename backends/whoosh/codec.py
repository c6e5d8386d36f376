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

Reading a frequent term's postings was most of a slow search at 200,000 documents (RESULTS.md, issue 12
round 7): W3 pickles a block's document numbers and weights as tuples of Python numbers, together with
every posting's positions and characters, behind a pickled header, so a search that wants only the
numbers and weights unpickled some 130 Python objects and decompressed all the positions per 128
postings (3 microseconds a posting). Here a block is (see BLOCK_HEADER and `_PostingsWriter._write_block`)
a fixed header, then the document numbers' differences and the weights as little-endian 32-bit arrays
(compressed), then the values (pickled with a newer protocol than W3's, see VALUES_PICKLE; compressed
apart): the arrays are read with numpy (`block_arrays`), the values only when a posting's positions or
characters are asked for. Term table, inlined postings, lengths and stored fields are W3's. The segments
name this codec, so that merges of an incremental update write the same way; stock Whoosh cannot read
the postings of a block.
"""

from __future__ import annotations

import pickle
import struct
import zlib
from array import array

import numpy as np
from whoosh.codec.base import OutOfOrderError
from whoosh.codec.whoosh3 import (
    LENGTHS_COLUMN, WHOOSH3_HEADER_MAGIC, W3Codec, W3FieldWriter, W3LeafMatcher, W3PerDocReader, W3PostingsWriter,
    W3TermInfo, _lenfield,
)
from whoosh.system import emptybytes, pack_ushort
from whoosh.util.numeric import byte_to_length, length_to_byte

# Postings lists shorter than this are kept in the term table (W3's `inlinelimit` counts "fewer than").
# A 3,000-paragraph build in one process, 8 against 2, four runs of each in turn: 0.971 times the CPU
# (single runs of 4, 16 and 32 were within the machine's noise of 8); the index grows with the limit
# (inlined postings are not compressed): 2.0 % at 8, 10.6 % at 32.
INLINE_LIMIT = 8
# zlib level of a posting block: level 1 took 4 % off a 3,000-paragraph build against W3's 3, for 0.7 %
# more bytes; a block records its level, so readers of either are the same.
COMPRESSION = 1
_LENGTH_OF_BYTE = [byte_to_length(b) if b else None for b in range(256)]
# A posting block's header: the length of the rest of the block (negative for a term's last block), the
# postings in it, its last document number, its highest weight, its zlib level, its shortest and longest
# field length (Whoosh's length bytes) and the stored length of its arrays. The arrays, when decompressed:
# the document numbers' differences (the first from 0) as <u4, then the weights as <f4. The values follow.
BLOCK_HEADER = struct.Struct("<iIIdBBBI")
# The pickle protocol of a block's values (a tuple of bytes, one per posting). W3 pickles with protocol 2,
# which writes each bytes object as a call of _codecs.encode on a str: unpickling 128 values of 20 bytes
# took 199 microseconds with it, 15 with protocol 5, whose pickle is also half the size.
VALUES_PICKLE = 5
_ROW_LENGTHS = struct.Struct("!ii")  # a term-table row's key and value lengths (filedb.filetables)
_TERMINFO = W3TermInfo._struct  # a term-table row's statistics, before its postings
_IDS = np.dtype("<u4")
_WEIGHTS = np.dtype("<f4")


class SotehakuCodec(W3Codec):
    def __init__(self, blocklimit: int = 128, compression: int = COMPRESSION, inlinelimit: int = INLINE_LIMIT):
        super().__init__(blocklimit=blocklimit, compression=compression, inlinelimit=inlinelimit)

    def field_writer(self, storage, segment):
        return _FieldWriter(self, storage, segment)

    def postings_writer(self, dbfile, byteids=False):
        return _PostingsWriter(dbfile, blocklimit=self._blocklimit, byteids=byteids,
                               compression=self._compression, inlinelimit=self._inlinelimit)

    def postings_reader(self, dbfile, terminfo, format_, term=None, scorer=None):
        if terminfo.is_inlined():  # W3's ListMatcher over the term table's postings
            return super().postings_reader(dbfile, terminfo, format_, term=term, scorer=scorer)
        offset, length = terminfo.extent()
        return BlockMatcher(dbfile, offset, length, format_, term=term, scorer=scorer)


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

    def add_postings(self, ids: list, weights: list, values: list, lens: list) -> None:
        """A term's postings at once, in order: the blocks `add_posting` one by one would make (full
        blocks written, the last one left for `finish_postings`), with the same statistics per block."""
        limit = self._blocklimit
        for start in range(0, len(ids), limit):
            if self._ids:
                self._write_block()
            end = start + limit
            chunk_lens = [length for length in lens[start:end] if length]
            chunk_weights = weights[start:end]
            self._ids = array("I", ids[start:end])
            self._weights = array("f", chunk_weights)
            self._values = [value for value in values[start:end] if value]
            self._minlength = min(chunk_lens) if chunk_lens else None
            self._maxlength = max(chunk_lens, default=0)
            self._maxweight = _max_weight(chunk_weights)

    def _write_block(self, last=False):
        if self._byteids:  # a term vector's postings (the schema has none): W3's block
            return super()._write_block(last)
        if not self._blockcount:
            self._postfile.write(WHOOSH3_HEADER_MAGIC)
        self._terminfo.add_block(self)
        ids = np.asarray(self._ids, dtype=np.int64)
        deltas = np.diff(ids, prepend=0).astype(_IDS)
        arrays = deltas.tobytes() + np.frombuffer(self._weights, dtype=np.float32).astype(_WEIGHTS).tobytes()
        values = self._mini_values()
        values = b"" if values is None else pickle.dumps(values, VALUES_PICKLE)
        level = self._compression
        if level:
            arrays = zlib.compress(arrays, level)
            values = zlib.compress(values, level) if values else values
        size = BLOCK_HEADER.size - 4 + len(arrays) + len(values)
        self._postfile.write(BLOCK_HEADER.pack(
            -size if last else size, len(ids), int(ids[-1]), float(self._maxweight), level,
            length_to_byte(self._minlength), length_to_byte(self._maxlength), len(arrays),
        ))
        self._postfile.write(arrays)
        self._postfile.write(values)
        self._blockcount += 1
        self._new_block()


class BlockMatcher(W3LeafMatcher):
    """Whoosh's matcher over a term's posting blocks, for blocks as `_PostingsWriter` writes them; with
    `block_arrays`, a block's document numbers and weights as arrays without a Python object per posting."""

    def _goto(self, position):
        self._data = self._ids = self._weights = self._values = self._arrays = None
        self._i = 0
        (length, self._blocklength, self._maxid, self._maxweight, self._compression, shortest, longest,
         arrays) = BLOCK_HEADER.unpack(self._postfile.get(position, BLOCK_HEADER.size))
        self._lastblock = length < 0
        self._nextoffset = position + 4 + abs(length)
        self._dataoffset = position + BLOCK_HEADER.size
        self._valuesoffset = self._dataoffset + arrays
        self._minlength = byte_to_length(shortest)
        self._maxlength = byte_to_length(longest)

    def block_arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """The block's document numbers (int64) and weights (float32)."""
        if self._arrays is None:
            raw = self._postfile.get(self._dataoffset, self._valuesoffset - self._dataoffset)
            if self._compression:
                raw = zlib.decompress(raw)
            n = self._blocklength
            ids = np.cumsum(np.frombuffer(raw, dtype=_IDS, count=n), dtype=np.int64)
            self._arrays = (ids, np.frombuffer(raw, dtype=_WEIGHTS, count=n, offset=4 * n))
        return self._arrays

    def _read_data(self):
        raise NotImplementedError("a sotehaku posting block is read through block_arrays and _read_values")

    def _read_ids(self):
        self._ids = self.block_arrays()[0].tolist()

    def _read_weights(self):
        self._weights = self.block_arrays()[1].tolist()

    def _read_values(self):
        fixedsize = self._fixedsize
        if fixedsize == 0:
            self._values = (None,) * self._blocklength
            return
        raw = self._postfile.get(self._valuesoffset, self._nextoffset - self._valuesoffset)
        if self._compression:
            raw = zlib.decompress(raw)
        values = pickle.loads(raw)
        if fixedsize is None or fixedsize < 0:
            self._values = values
        else:
            self._values = tuple(values[i : i + fixedsize] for i in range(0, len(values), fixedsize))


class _FieldWriter(W3FieldWriter):
    def add_postings(self, schema, lengths, items):
        """Whoosh's loop over (field, term, docnum, weight, value) postings in order, with each field's
        document lengths read once. A term's postings are gathered first: most terms have fewer than the
        inline limit, and their term-table row is written here directly (`_write_inlined`), the bytes
        W3's posting writer and term info would write, without those objects per term."""
        lastfn = lasttext = None
        field_lengths: list = []
        ids: list = []
        weights: list = []
        values: list = []
        lens: list = []
        for fieldname, btext, docnum, weight, value in items:
            if fieldname != lastfn:
                if lastfn is not None:
                    if fieldname < lastfn:
                        raise OutOfOrderError(f"Field {lastfn!r} .. {fieldname!r}")
                    if lasttext is not None:
                        self._finish(lasttext, ids, weights, values, lens)
                        ids, weights, values, lens = [], [], [], []
                    self.finish_field()
                self.start_field(fieldname, schema[fieldname])
                field_lengths = _lengths(lengths, fieldname)
                known = len(field_lengths)
                lastfn, lasttext = fieldname, None
            if docnum == -1:  # Whoosh's marker of a spelling word, not a posting
                continue
            if btext != lasttext:
                if lasttext is not None:
                    if btext < lasttext:
                        raise OutOfOrderError(f"Term {fieldname}:{lasttext!r} .. {fieldname}:{btext!r}")
                    self._finish(lasttext, ids, weights, values, lens)
                    ids, weights, values, lens = [], [], [], []
                lasttext = btext
            ids.append(docnum)
            weights.append(weight)
            values.append(emptybytes if value is None else value)
            lens.append(field_lengths[docnum] if docnum < known else None)
        if lasttext is not None:
            self._finish(lasttext, ids, weights, values, lens)
        if lastfn is not None:
            self.finish_field()

    def _finish(self, btext: bytes, ids: list, weights: list, values: list, lens: list) -> None:
        """Write one term's postings: inlined in the term table, or through the posting writer's blocks."""
        if len(ids) < self._codec._inlinelimit:
            self._write_inlined(btext, ids, weights, values, lens)
            return
        self.start_term(btext)
        self._postwriter.add_postings(ids, weights, values, lens)
        self.finish_term()

    def _write_inlined(self, btext: bytes, ids: list, weights: list, values: list, lens: list) -> None:
        """The term-table row that W3's writer makes of a term with few postings (`W3TermInfo.to_bytes`
        of an inlined term, as `_PostingsWriter.finish_postings` leaves it): the statistics, then the
        postings pickled as W3 pickles them (weights as stored, in single precision)."""
        stored = array("f", weights)
        known = [length for length in lens if length]
        kept = [value for value in values if value]  # W3 keeps a posting's value only if it has one
        row = _TERMINFO.pack(
            True, sum(stored), len(ids), length_to_byte(min(known)) if known else 0,
            length_to_byte(max(known, default=0)), _max_weight(weights), ids[0], ids[-1],
        ) + pickle.dumps((tuple(ids), tuple(stored), tuple(kept) if kept else (None,) * len(ids)), 2)
        self._add_row(pack_ushort(self._fieldid) + btext, row)

    def finish_term(self):
        terminfo = self._postwriter.finish_postings()
        self._add_row(pack_ushort(self._fieldid) + self._btext, terminfo.to_bytes())

    def _add_row(self, key: bytes, value: bytes) -> None:
        """`OrderedHashWriter.add` of the term table, in one write: the position of the row, the lengths
        of key and value, key, value; the key's hash in its bucket (filedb.filetables' layout)."""
        table = self._tindex
        if key <= table.lastkey:
            raise ValueError(f"Keys must increase: {table.lastkey!r}..{key!r}")
        out = table.dbfile.file
        position = out.tell()
        table.index.append(position)
        out.write(_ROW_LENGTHS.pack(len(key), len(value)) + key + value)
        hashed = table.hashfn(key)
        table.buckets[hashed & 255].append((hashed, position))
        table.lastkey = key


def _max_weight(weights: list) -> float:
    """A block's or term's highest weight as W3's writer keeps it: from 0, raised by each higher weight."""
    highest = max(weights)
    return highest if highest > 0 else 0


def _lengths(lengths, fieldname: str) -> list:
    """The field's length in each document of the segment being written (None: empty or unknown)."""
    if not lengths:
        return []
    if isinstance(lengths, W3PerDocReader):  # the writer's own segment: its length column, read once
        column = lengths._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
        return [] if column is None else [_LENGTH_OF_BYTE[b] for b in column]
    return [lengths.doc_field_length(docnum, fieldname) or None for docnum in range(lengths.doc_count_all())]
