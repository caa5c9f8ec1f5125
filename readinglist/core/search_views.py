"""Reading Whoosh's compound segment files in place instead of copying them.

Whoosh maps each compound segment file into memory and then hands every part of
it to a BufferFile, whose BytesIO copies the part: opening a searcher over the
100,000-paper index (1.4 GB) took 1.7 s and 1.4 GB of private memory on top of
the 1.4 GB mapping. The same file over a stream that reads the mapping in place
opens in a few milliseconds, with the memory the queries touch; queries ran as
fast (bench/bench_gui.py and bench/bench_search.py measure both). whoosh-reloaded
is pinned, so this replacement is checked against its code by the tests.
"""

from __future__ import annotations

from typing import Any

from whoosh.filedb import compound
from whoosh.filedb.structfile import BufferFile


class ViewStream:
    """read/readline/seek/tell over a memoryview, without copying it."""

    __slots__ = ("_len", "_pos", "_view")

    def __init__(self, view: memoryview) -> None:
        self._view = view
        self._pos = 0
        self._len = len(view)

    def read(self, n: int | None = -1) -> bytes:
        """Up to ``n`` bytes from the position (all the rest if ``n`` is negative)."""
        start = self._pos
        if start >= self._len:
            return b""
        end = self._len if n is None or n < 0 else min(self._len, start + n)
        self._pos = end
        return self._view[start:end].tobytes()

    def readline(self, n: int | None = -1) -> bytes:
        """Bytes up to and including the next newline, at most ``n`` of them."""
        limit = self._len if n is None or n < 0 else min(self._len, self._pos + n)
        end = self._pos
        while end < limit:
            chunk = self._view[end : min(limit, end + 256)].tobytes()
            cut = chunk.find(b"\n")
            if cut >= 0:
                end += cut + 1
                break
            end += len(chunk)
        return self.read(end - self._pos)

    def seek(self, pos: int, whence: int = 0) -> int:
        """Move as io.BytesIO.seek does; returns the new position."""
        if whence == 0:
            self._pos = pos
        elif whence == 1:
            self._pos += pos
        else:
            self._pos = self._len + pos
        return self._pos

    def tell(self) -> int:
        """The current position."""
        return self._pos

    def close(self) -> None:
        """Let go of the view (the mapping stays with Whoosh's compound file)."""
        self._view = memoryview(b"")


class ViewBufferFile(BufferFile):
    """BufferFile over a ViewStream: BufferFile.__init__ would copy ``buf``."""

    def __init__(self, buf: Any, name: str | None = None, onclose: Any = None) -> None:
        self._buf = buf
        self._name = name
        self.file = ViewStream(memoryview(buf))
        self.onclose = onclose
        self.is_real = False
        self.is_closed = False


def install() -> None:
    """Make Whoosh's compound files hand out ViewBufferFiles (idempotent)."""
    compound.BufferFile = ViewBufferFile
