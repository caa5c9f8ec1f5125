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


class TimedOut(Busy):
    """Another process held the lock for longer than the time given."""


@contextmanager
def exclusive(path: Path, wait: bool = True, timeout: float | None = None) -> Iterator[int]:
    """Hold an exclusive lock on ``path`` (created if missing), waiting for it
    unless ``wait`` is False (then Busy is raised), for at most ``timeout``
    seconds when given (then TimedOut is raised). Yields the file descriptor,
    which a child process may inherit (POSIX) to keep holding the lock."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        if os.name == "posix" and timeout is None:
            import fcntl

            try:
                fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
            except BlockingIOError:
                raise Busy(str(path)) from None
        else:
            _poll(fd, path, wait, timeout)
        try:  # who holds it, for the message of a process waiting (see holder)
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        except OSError:
            pass
        yield fd
    finally:
        os.close(fd)  # closing releases the lock


def _try_lock(fd: int) -> bool:
    if os.name == "posix":
        import fcntl

        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True
    import msvcrt

    try:
        msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined]
    except OSError:
        return False
    return True


def _poll(fd: int, path: Path, wait: bool, timeout: float | None) -> None:
    """Try the lock every 50 ms (flock has no timeout of its own)."""
    deadline = None if timeout is None else time.monotonic() + timeout
    while not _try_lock(fd):
        if not wait:
            raise Busy(str(path))
        if deadline is not None and time.monotonic() >= deadline:
            raise TimedOut(str(path))
        time.sleep(0.05)


def holder(path: Path) -> str:
    """Who holds the lock on ``path``, for a message: "process 1234", or "another
    process" when the lock file does not say."""
    try:
        pid = int(path.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return "another process"
    return f"process {pid}"
