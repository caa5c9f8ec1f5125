"""A lock shared by every process using a library, around search-index writes.

Whoosh's own writer lock covers one commit, but a catch-up from the queue is
several steps (read the queue, delete old versions, add new ones, empty the
queue); two processes interleaving them could index a paper twice. This lock
makes the whole catch-up one step. The operating system releases it when its
holder dies, so a killed process never leaves it behind.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class Busy(Exception):
    """Another process holds the lock (only when not waiting for it)."""


@contextmanager
def exclusive(path: Path, wait: bool = True) -> Iterator[int]:
    """Hold an exclusive lock on ``path`` (created if missing), waiting for it
    unless ``wait`` is False (then Busy is raised). Yields the file descriptor,
    which a child process may inherit (POSIX) to keep holding the lock."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        if os.name == "posix":
            import fcntl

            try:
                fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
            except BlockingIOError:
                raise Busy(str(path)) from None
        else:  # Windows
            import msvcrt

            while True:
                try:
                    msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined]
                    break
                except OSError:
                    if not wait:
                        raise Busy(str(path)) from None
                    time.sleep(0.1)
        yield fd
    finally:
        os.close(fd)  # closing releases the lock
