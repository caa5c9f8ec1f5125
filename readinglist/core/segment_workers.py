"""Building a bulk index's segments in forked worker processes (both cores).

The documents are split into one contiguous run per worker; each worker writes
its run as segments (segment_writer.build_segments) with their word pairs, and
sends back the segment descriptions, which the parent commits in one table of
contents. Forked, the workers read the documents from the parent's memory: none
is pickled on the way in.

Nothing waits without a limit: a worker that dies (the OOM killer, a user) ends
the build at once with a message naming it, and nothing is committed; a worker
silent for WORKER_SILENCE_S is killed the same way. Workers die with the process
that forked them (PR_SET_PDEATHSIG on Linux), so a killed indexer leaves no
worker holding the index's lock or its pipes.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import traceback
from collections.abc import Callable
from typing import Any

from readinglist.core.errors import LibraryError

# A worker reports its progress every 500 documents (a few seconds at most).
WORKER_SILENCE_S = 600.0
_JOBS: list[list[dict[str, Any]]] = []  # set before forking, read by the workers
#: Set by the child indexer (readinglist.core.indexer), which has no other threads:
#: forking a process with threads (the app's) can leave a worker holding a lock
#: that no thread will release. Elsewhere the segments are built in-process.
ALLOWED = False


class WorkerDied(LibraryError):
    """A worker process ended without its segments."""


def can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def build_in_workers(
    ix: Any,
    docs: list[dict[str, Any]],
    pairs_folder: Any,
    workers: int,
    per_segment: int,
    progress: Callable[[int, int], None] | None,
) -> tuple[list[Any], int]:
    """Segments for ``docs`` built by ``workers`` forked processes."""
    from readinglist.core import search_pairs

    if not (ALLOWED and can_fork()) or len(docs) < 2 * workers:
        from readinglist.core.segment_writer import build_segments

        return build_segments(ix, docs, pairs_folder, per_segment, progress, len(docs))
    ctx = multiprocessing.get_context("fork")
    size = -(-len(docs) // workers)
    _JOBS[:] = [docs[i : i + size] for i in range(0, len(docs), size)]
    procs, pipes = [], []
    try:
        for i in range(len(_JOBS)):
            ours, theirs = ctx.Pipe(duplex=False)
            proc = ctx.Process(
                target=_work,
                args=(i, ix, pairs_folder, per_segment, theirs, os.getpid()),
                name=f"readinglist-index-worker-{i}",
            )
            proc.start()
            theirs.close()
            procs.append(proc)
            pipes.append(ours)
        segments = _collect(procs, pipes, len(docs), progress)
    finally:
        _JOBS.clear()
        for proc in procs:
            if proc.is_alive():
                proc.kill()
            proc.join(5)
    search_pairs.register(pairs_folder)
    return segments, len(docs)


def _collect(
    procs: list[Any], pipes: list[Any], total: int, progress: Callable[[int, int], None] | None
) -> list[Any]:
    from multiprocessing.connection import wait

    done: dict[int, Any] = {}
    counts = [0] * len(procs)
    waiting: dict[Any, int] = {pipe: i for i, pipe in enumerate(pipes)}
    while waiting:
        # A worker's pipe ends when it does (dead or done): no need to watch it too.
        ready = wait(list(waiting), timeout=WORKER_SILENCE_S)
        if not ready:
            raise WorkerDied(
                f"a worker process of the indexer was silent for {WORKER_SILENCE_S:.0f} s"
            )
        conn: Any
        for conn in ready:
            i = waiting[conn]
            try:
                kind, value = conn.recv()
            except (EOFError, OSError):
                del waiting[conn]
                if i not in done:
                    _died(procs[i])
                continue
            if kind == "progress":
                counts[i] = value
                if progress:
                    progress(sum(counts), total)
            elif kind == "done":
                done[i] = value
            else:
                raise LibraryError(f"indexing failed in a worker: {value}")
    return [seg for i in sorted(done) for seg in done[i]]


def _died(proc: Any) -> None:
    proc.join(10)
    code = proc.exitcode
    if code is None:
        how = "its output ended"
    else:
        how = f"signal {-code}" if code < 0 else f"exit status {code}"
    raise WorkerDied(f"a worker process of the indexer died ({how})")


def _work(i: int, ix: Any, pairs_folder: Any, per_segment: int, pipe: Any, parent: int) -> None:
    if sys.platform.startswith("linux"):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGKILL))  # PR_SET_PDEATHSIG
        if os.getppid() != parent:  # the parent died before prctl took effect
            os._exit(1)
    from readinglist.core.segment_writer import build_segments

    try:
        segments, _ = build_segments(
            ix,
            _JOBS[i],
            pairs_folder,
            per_segment,
            lambda n, _total: pipe.send(("progress", n)),
        )
        pipe.send(("done", segments))
    except BaseException as exc:  # reported to the parent, which raises it
        detail = "".join(traceback.format_exception_only(type(exc), exc)).strip()
        pipe.send(("error", detail))
    finally:
        pipe.close()
    os._exit(0)  # no atexit handlers or finalizers of the parent's objects
