"""Bulk indexing in a child process: ``python -m readinglist.core.indexer LIBRARY``.

Whoosh indexing holds the GIL; run in a thread it made a 10 ms GUI timer up to
a second late. In a process of its own it leaves the app responsive. Progress
goes to stdout as ``progress DONE TOTAL`` lines.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

Progress = Callable[[int, int], None]
#: How long a child indexer may run before it is stopped (a whole rebuild of
#: 100,000 papers takes about 20 minutes here).
CHILD_TIMEOUT = 3 * 3600


def run_in_child(folder: Path, lock_fd: int, progress: Progress | None) -> None:
    """Index the library's queue in ``python -m readinglist.core.indexer``, which
    the Whoosh multi-process writer needs and which keeps the GIL free here; the
    caller holds the index lock (``lock_fd``), which the child inherits."""
    import os
    import signal
    import subprocess
    import threading

    from readinglist.core.errors import LibraryError

    # The child inherits the index lock's descriptor (POSIX): if this process
    # is killed, the lock stays held until the child is done too.
    # Its own process group: Whoosh's writer forks worker processes that share
    # the child's pipes (and the lock). Killed (the OOM killer, a user), the
    # child would leave them holding the pipe open, and this loop waiting for
    # its end forever; so once the child has ended, the group goes too.
    posix = os.name == "posix"
    proc = subprocess.Popen(
        [sys.executable, "-m", "readinglist.core.indexer", str(folder)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        pass_fds=(lock_fd,) if posix else (),
        env={**os.environ, "READINGLIST_INDEX_LOCK_HELD": "1"},
        start_new_session=posix,
    )

    def end_group() -> None:
        if posix:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except OSError:
                pass  # nothing left of it
        else:
            proc.kill()

    def reap() -> None:
        try:
            proc.wait(CHILD_TIMEOUT)
        except subprocess.TimeoutExpired:
            pass
        end_group()

    errors: list[str] = []
    watcher = threading.Thread(target=reap, name="indexer-reaper", daemon=True)
    watcher.start()
    stderr_reader = threading.Thread(
        target=lambda: errors.append(proc.stderr.read() if proc.stderr else ""),
        name="indexer-stderr",
        daemon=True,
    )
    stderr_reader.start()
    try:
        assert proc.stdout is not None
        for line in proc.stdout:  # ends when the group is gone, at the latest
            parts = line.split()
            if len(parts) == 3 and parts[0] == "progress" and progress:
                progress(int(parts[1]), int(parts[2]))
    finally:
        if proc.poll() is None:
            end_group()  # interrupted here (Ctrl+C): the indexer goes too
        code = proc.wait()
        watcher.join(10)
        stderr_reader.join(10)
    err = errors[0] if errors else ""
    if code != 0:
        last = err.strip().splitlines()[-1] if err.strip() else f"exit status {code}"
        if code < 0:
            last = f"the indexer was stopped (signal {-code}) after {CHILD_TIMEOUT} s or killed"
        raise LibraryError(f"indexing failed: {last}")


def start_detached(folder: Path) -> int:
    """Catch the index up in a process of its own that outlives this one (``import
    --no-wait``); it takes the index lock itself, waiting at most as long as any
    command would. Returns its process id."""
    import os
    import subprocess

    proc = subprocess.Popen(
        [sys.executable, "-m", "readinglist.core.indexer", str(folder)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=os.name == "posix",
        env={k: v for k, v in os.environ.items() if k != "READINGLIST_INDEX_LOCK_HELD"},
    )
    return proc.pid


def workers_die_with_this_process() -> None:
    """Whoosh's multi-process writer forks worker processes; on Linux, make each
    one die when this process dies (PR_SET_PDEATHSIG), so that a killed indexer
    leaves nothing behind holding the index lock or the parent's pipes. (The
    parent also kills the indexer's process group once the indexer has ended.)"""
    if not sys.platform.startswith("linux"):
        return
    import ctypes
    import os
    import signal

    from whoosh import multiproc  # pinned (==2.7.5): SubWriterTask is the worker

    libc = ctypes.CDLL(None, use_errno=True)
    parent = os.getpid()
    original = multiproc.SubWriterTask.run

    def run(self: object) -> None:
        libc.prctl(1, int(signal.SIGKILL))  # 1: PR_SET_PDEATHSIG
        if os.getppid() != parent:  # the indexer died before prctl took effect
            os._exit(1)
        original(self)

    multiproc.SubWriterTask.run = run


def end_if_a_worker_dies() -> None:
    """A worker killed (the OOM killer) leaves Whoosh's writer waiting on its queue
    forever, or committing the others' segments silently: watch the workers, and
    end this indexer with a message as soon as one dies abnormally."""
    import os
    import threading
    import time

    from whoosh import multiproc

    started: list[Any] = []
    original = multiproc.SubWriterTask.start

    def start(self: Any) -> None:
        original(self)
        started.append(self)

    multiproc.SubWriterTask.start = start

    def watch() -> None:
        while True:
            time.sleep(0.2)
            for task in list(started):
                code = task.exitcode  # multiprocessing's own (non-blocking) poll
                if code is not None and code != 0:
                    how = f"signal {-code}" if code < 0 else f"exit status {code}"
                    sys.stderr.write(f"a worker process of the indexer died ({how})\n")
                    sys.stderr.flush()
                    os._exit(3)  # its other workers die with it (PR_SET_PDEATHSIG)

    threading.Thread(target=watch, name="worker-watch", daemon=True).start()


def main(argv: list[str]) -> int:
    import os

    from readinglist.core import segment_workers
    from readinglist.core.errors import LibraryError
    from readinglist.core.library import Library
    from readinglist.core.search import SearchIndex

    # This process is the indexer alone (no threads of an app): it may fork.
    segment_workers.ALLOWED = True
    workers_die_with_this_process()
    end_if_a_worker_dies()
    lib = Library.open(argv[0], index=False, daily_backup=False)
    if os.environ.get("READINGLIST_INDEX_LOCK_HELD") == "1":
        # The parent holds the index lock for us (we inherited its descriptor);
        # taking it again here would wait for ourselves.
        lib.index_sync.lock_held_by_parent()
    try:
        index = lib.index_sync.search_index = SearchIndex(lib.folder / "index")
        if not index.exists():
            index.create()

        def progress(done: int, total: int) -> None:
            print(f"progress {done} {total}", flush=True)

        lib.sync_index(progress, in_process=True)
    except LibraryError as exc:
        # One line for the parent to show (a dead worker, a full disk), no traceback.
        sys.stderr.write(f"{exc}\n")
        return 3
    finally:
        lib.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
