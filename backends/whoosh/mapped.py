"""Reading an index's segment files in place from one memory map per file and process.

Whoosh maps each segment's compound file and hands every file inside it out as a BufferFile over a
view of the map, but BufferFile also wraps the view in a BytesIO, which copies the whole file into
the process's heap; and each reader maps the segment anew. Every reader opened (one per thread and
kind of viewer in a server) thus held a copy of the whole index: 141 MB per searcher at 20,239
documents, gigabytes under concurrent load at 200,000. Here the segments' files are read from the map
itself, and the readers of one segment file share one map (kept while any reader uses it), so a
process holds the index's pages once, as the kernel's cache of the file, whatever its thread count.
"""

from __future__ import annotations

import io
import mmap
import os
import pickle
import threading
import weakref

from whoosh.codec import base as codec_base
from whoosh.filedb.compound import CompoundStorage
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

    def load_pickle(self):
        """The pickled object at the position, read through a small in-memory copy of what follows
        (the unpickler asks a Python file for every few bytes: 20 calls for a posting block's header)."""
        size = 4096
        while True:
            chunk = io.BytesIO(self._view[self._pos : self._pos + size])
            try:
                value = pickle.load(chunk)
            except (EOFError, pickle.UnpicklingError):
                if self._pos + size >= len(self._view):
                    raise
                size *= 4  # cut short: the pickle is longer than the chunk
                continue
            self._pos += chunk.tell()
            return value

    def close(self) -> None:
        pass  # the view belongs to the compound file's map, which Whoosh closes


class ViewBufferFile(BufferFile):
    """Whoosh's BufferFile reading from its view instead of a BytesIO copy of it."""

    def __init__(self, buf, name=None, onclose=None):
        super().__init__(b"", name=name, onclose=onclose)
        self._buf = buf
        self.file = ViewFile(buf)

    def read_pickle(self):
        return self.file.load_pickle()


_maps: dict[tuple, weakref.ref] = {}
_maps_lock = threading.Lock()


def shared_view(fileno: int) -> memoryview:
    """A read-only view of the whole file, over the one map of it in this process (made on first use,
    unmapped when the last view of it goes). A file is known by its device, inode, size and time, so a
    new index version's file never gets an old one's map."""
    stat = os.fstat(fileno)
    key = (stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns)
    with _maps_lock:
        ref = _maps.get(key)
        mapped = ref() if ref is not None else None
        if mapped is None:
            mapped = mmap.mmap(fileno, 0, access=mmap.ACCESS_READ)

            def forget(dead, key=key):
                with _maps_lock:
                    if _maps.get(key) is dead:
                        del _maps[key]

            _maps[key] = weakref.ref(mapped, forget)
        return memoryview(mapped)


class SharedCompoundStorage(CompoundStorage):
    """A segment's compound file whose files are read from the process's one map of it, in place."""

    def __init__(self, dbfile, use_mmap=True, basepos=0):
        try:
            super().__init__(dbfile, use_mmap=False, basepos=basepos)  # reads the directory of files
        except MemoryError:
            # A damaged directory pickle whose length field asks for more memory than there is: the file is
            # unreadable, like any other damaged pickle (backends.whoosh.versions.UNREADABLE).
            name = getattr(dbfile, "_name", None) or "a segment file"
            raise pickle.UnpicklingError(f"the directory of {name} is damaged") from None
        if use_mmap and hasattr(self._file, "fileno"):
            try:
                self._source = shared_view(self._file.fileno())
            except (OSError, ValueError):  # no map (no memory for one, or an empty file): read the file
                self._source = None
            else:
                self._file.close()
                self._file = None

    def open_file(self, name, *args, **kwargs):
        if self._source is None:
            return super().open_file(name, *args, **kwargs)
        if self.is_closed:
            return super().open_file(name, *args, **kwargs)  # Whoosh's error for a closed storage
        offset, length = self.range(name)
        return ViewBufferFile(self._source[offset : offset + length], name=name)

    def close(self):
        if self.is_closed:
            raise RuntimeError("Already closed")
        self.is_closed = True
        self._source = None  # the map goes with the last view of it
        if self._file:
            self._file.close()


# Whoosh opens a segment's compound file through this module-level name (Segment.open_compound_file).
codec_base.CompoundStorage = SharedCompoundStorage
