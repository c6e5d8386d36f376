"""Reading an index's segment files in place from their memory map, without a private copy per reader.

Whoosh maps each segment's compound file and hands every file inside it out as a BufferFile over a
view of the map, but BufferFile also wraps the view in a BytesIO, which copies the whole file into
the process's heap. Every reader opened (one per thread and kind of viewer in a server) thus held a
copy of the whole index: 141 MB per searcher at 20,239 documents, gigabytes under concurrent load at
200,000. The file object installed here reads from the view itself, so every reader shares the
map's pages, which the kernel keeps or drops like any cached file.
"""

from __future__ import annotations

import os

from whoosh.filedb import compound
from whoosh.filedb.structfile import BufferFile


class ViewFile:
    """A read-only, seekable file over a memoryview: what a BytesIO offers a reader, without the copy."""

    def __init__(self, view):
        self._view = memoryview(view).cast("B")
        self._pos = 0

    def read(self, size: int | None = -1) -> bytes:
        end = len(self._view) if size is None or size < 0 else min(len(self._view), self._pos + size)
        out = self._view[self._pos : end].tobytes()
        self._pos = max(self._pos, end)
        return out

    def readinto(self, buffer) -> int:
        target = memoryview(buffer).cast("B")
        data = self._view[self._pos : self._pos + len(target)]
        target[: len(data)] = data
        self._pos += len(data)
        return len(data)

    def readline(self, size: int | None = -1) -> bytes:
        end = len(self._view) if size is None or size < 0 else min(len(self._view), self._pos + size)
        stop = self._pos
        while stop < end:  # look for the newline a chunk at a time, not copying the rest of the file
            chunk = self._view[stop : min(end, stop + 4096)].tobytes()
            newline = chunk.find(b"\n")
            if newline >= 0:
                return self.read(stop + newline + 1 - self._pos)
            stop += len(chunk)
        return self.read(end - self._pos)

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        base = {os.SEEK_SET: 0, os.SEEK_CUR: self._pos, os.SEEK_END: len(self._view)}[whence]
        if base + offset < 0:
            raise ValueError(f"negative seek position {base + offset}")
        self._pos = base + offset
        return self._pos

    def tell(self) -> int:
        return self._pos

    def close(self) -> None:
        pass  # the view belongs to the compound file's map, which Whoosh closes


class ViewBufferFile(BufferFile):
    """Whoosh's BufferFile reading from its view instead of a BytesIO copy of it."""

    def __init__(self, buf, name=None, onclose=None):
        super().__init__(b"", name=name, onclose=onclose)
        self._buf = buf
        self.file = ViewFile(buf)


# Whoosh's compound storage builds its files through this module-level name.
compound.BufferFile = ViewBufferFile
