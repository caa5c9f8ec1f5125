"""The window's operations: one worker thread owns the writable library and runs
every change off the GUI thread; results and ``changed(Changes)`` come back on it.

Modelled on Anki's operations layer (``CollectionOp`` run in the background,
``operation_did_execute(changes)`` to which the views react). The GUI thread keeps
a Library of its own for reading: SQLite connections belong to the thread that
made them, and WAL lets it read while the worker writes. Operations run one at a
time in the order asked, so a key pressed twice acts twice, in order.
"""

from __future__ import annotations

import queue
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal

from readinglist.core.errors import UserError
from readinglist.core.library import Library
from readinglist.core.models import Changes

#: How long closing the window waits for the operation under way (an import of
#: 100,000 papers commits in seconds; a hung disk must not hang the quit).
STOP_WAIT_MS = 60_000


class OpCancelled(Exception):
    """Raised from an operation's progress callback after Cancel: its transaction
    rolls back and nothing is changed."""


@dataclass
class Job:
    """One operation asked for: what to run, and what to call with the outcome."""

    op: Callable[..., Any]
    on_done: Callable[[Any], None] | None
    on_fail: Callable[[BaseException], None] | None
    name: str
    with_job: bool = False
    cancel_event: threading.Event = field(default_factory=threading.Event)
    ops: Ops | None = None

    def cancel(self) -> None:
        self.cancel_event.set()

    def progress(self, done: int, total: int) -> None:
        """The core's ``progress(done, total)`` callback: shown on the GUI thread;
        raises OpCancelled (in the worker) once the user cancelled."""
        if self.ops is not None:
            self.ops.progressed.emit(self, done, total)
        if self.cancel_event.is_set():
            raise OpCancelled


def changes_of(result: Any) -> Changes | None:
    """The Changes an operation's result carries (a Changes, or a report's .changes)."""
    if isinstance(result, Changes):
        return result
    changes = getattr(result, "changes", None)
    return changes if isinstance(changes, Changes) else None


class Ops(QObject):
    """Runs operations on the worker's Library, one at a time.

    ``run(op)`` calls ``op(library)`` in the worker; ``on_done(result)`` then runs
    on the GUI thread, after ``changed`` was emitted with the result's Changes.
    A UserError goes to ``on_fail`` (or ``failed``); anything unexpected goes to
    the app's exception hook, which knows a damaged library from a bug."""

    changed = Signal(object)  # Changes
    failed = Signal(str)  # a UserError's text, when the caller gave no on_fail
    progressed = Signal(object, int, int)  # job, done, total
    _delivered = Signal(object, object, object)  # job, result, error

    def __init__(self, folder: Path, origin: str = "app") -> None:
        super().__init__()
        self.folder = folder
        self.origin = origin
        self._jobs: queue.Queue[Job | None] = queue.Queue()
        self._pending = 0
        self._current: Job | None = None
        self._stopped = False
        self._delivered.connect(self._deliver)
        self._thread = _Worker(self)
        self._thread.start()

    # --- asking ---------------------------------------------------------------------

    def run(
        self,
        op: Callable[[Library], Any],
        on_done: Callable[[Any], None] | None = None,
        on_fail: Callable[[BaseException], None] | None = None,
        name: str = "",
    ) -> Job:
        """Run ``op(library)`` in the worker; see the class."""
        return self._queue(Job(op, on_done, on_fail, name))

    def run_job(
        self,
        op: Callable[[Library, Job], Any],
        on_done: Callable[[Any], None] | None = None,
        on_fail: Callable[[BaseException], None] | None = None,
        name: str = "",
    ) -> Job:
        """As run, with ``op(library, job)``: long operations pass ``job.progress``
        to the core, which then shows progress and can be cancelled."""
        return self._queue(Job(op, on_done, on_fail, name, with_job=True))

    def _queue(self, job: Job) -> Job:
        if not self._thread.isRunning():
            raise RuntimeError("the operations worker has stopped")
        job.ops = self
        self._pending += 1
        self._jobs.put(job)
        return job

    def idle(self) -> bool:
        """No operation waiting, running or undelivered."""
        return self._pending == 0

    @property
    def running(self) -> str:
        """The name of the operation under way ('' when idle)."""
        job = self._current
        return job.name if job is not None else ""

    def stop(self, wait_ms: int = STOP_WAIT_MS) -> bool:
        """Finish the operations asked for, then close the worker's library.
        False (with a message on stderr) when they did not finish in time."""
        if not self._thread.isRunning():
            return True
        self._jobs.put(None)
        finished = bool(self._thread.wait(wait_ms))
        # Results still on their way to the GUI thread find the window closed.
        self._stopped = True
        if finished:
            return True
        sys.stderr.write(
            f"Readinglist: the operation {self.running or 'under way'!r} did not finish "
            f"within {wait_ms // 1000} s; quitting without waiting for it (SQLite rolls "
            "back what it did not commit)\n"
        )
        return False

    # --- the worker's side ------------------------------------------------------------

    def work(self) -> None:
        """The worker thread's loop (called by _Worker.run)."""
        library: Library | None = None
        try:
            while True:
                job = self._jobs.get()
                if job is None:
                    return
                self._current = job
                try:
                    if library is None:
                        # Opened here: the connection belongs to this thread.
                        library = Library.open(
                            self.folder, index=False, daily_backup=False, origin=self.origin
                        )
                    if job.cancel_event.is_set():
                        raise OpCancelled  # cancelled while it waited its turn
                    result = job.op(library, job) if job.with_job else job.op(library)
                except BaseException as exc:
                    self._delivered.emit(job, None, exc)
                else:
                    self._delivered.emit(job, result, None)
                finally:
                    self._current = None
        finally:
            if library is not None:
                library.close()

    # --- back on the GUI thread ---------------------------------------------------------

    def _deliver(self, job: Job, result: Any, error: BaseException | None) -> None:
        try:
            if self._stopped:
                return
            if error is None:
                changes = changes_of(result)
                if changes is not None:
                    self.changed.emit(changes)
                if job.on_done is not None:
                    job.on_done(result)
            elif isinstance(error, (UserError, OpCancelled)):
                if job.on_fail is not None:
                    job.on_fail(error)
                elif isinstance(error, UserError):
                    self.failed.emit(str(error))
            else:
                sys.excepthook(type(error), error, error.__traceback__)
        finally:
            self._pending -= 1


class _Worker(QThread):
    def __init__(self, ops: Ops) -> None:
        super().__init__()
        self.ops = ops

    def run(self) -> None:
        self.ops.work()
