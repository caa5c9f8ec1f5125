"""The app's search thread: owns the search index, answers searches and "similar
papers" off the GUI thread, and keeps the index following the library."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from PySide6.QtCore import QThread, Signal

from readinglist.core.library import Library

#: Search results ranked by relevance in the list; the other matches follow, newest first.
RANKED_RESULTS = 200


class SearchWorker(QThread):
    """Checks the index when the app opens (rebuilding it if needed), keeps it up
    to date with the library's queue of changes, and answers searches.

    Only the newest request of each kind is run; older ones waiting are dropped.
    A small queue of changes (the window's own triage) is indexed before
    searching, so results are exact. A big one (an import, a bulk change, or
    another process's) is indexed by a catch-up thread while searches go on
    against the index as it is, their answers saying how many papers are still
    being indexed; the newest search is answered again once it has caught up.
    """

    #: Pending papers indexed before a search; more go to the catch-up thread.
    inline_sync = 100

    # object, not list/set: PySide6 6.12 corrupted refcounts converting set arguments
    # (a "deallocating None" abort after a few dozen searches).
    # serial, ids, total, notice, terms, papers still being indexed (0: exact).
    finished_search = Signal(int, object, int, str, object, int)
    found_similar = Signal(int, object)
    index_status = Signal(str)

    def __init__(self, folder: Path) -> None:
        super().__init__()
        self.folder = folder
        self._search: tuple[int, str] | None = None
        self._last_search: tuple[int, str] | None = None
        self._similar: int | None = None
        self._caught_up = False
        self._catching_up: threading.Thread | None = None
        self._lock = threading.Condition()
        self._stop = False

    def ask(self, serial: int, text: str) -> None:
        with self._lock:
            self._search = (serial, text)
            self._lock.notify()

    def ask_similar(self, paper_id: int) -> None:
        with self._lock:
            self._similar = paper_id
            self._lock.notify()

    def stop(self) -> None:
        with self._lock:
            self._stop = True
            self._lock.notify()
        if self.isRunning():
            self.wait(30000)
        if self._catching_up is not None:
            self._catching_up.join(30)

    def run(self) -> None:
        lib = Library.open(self.folder, index=False, daily_backup=False)
        try:
            if not self._open_index(lib):
                return
            while True:
                with self._lock:
                    while (
                        self._search is None
                        and self._similar is None
                        and not self._caught_up
                        and not self._stop
                    ):
                        self._lock.wait()
                    if self._stop:
                        return
                    search, similar = self._search, self._similar
                    if self._caught_up and search is None:
                        search = self._last_search  # the answer given is now stale
                    self._search = self._similar = None
                    self._caught_up = False
                behind = self._catch_up(lib)
                if search is not None:
                    self._last_search = search
                    self._answer(lib, *search, behind)
                if similar is not None:
                    try:
                        hits = lib.similar(similar, limit=5)
                        items = [(h.paper.id, h.paper.title) for h in hits]
                    except Exception:
                        items = []
                    self.found_similar.emit(similar, items)
        finally:
            lib.close()

    def _open_index(self, lib: Library) -> bool:
        if lib.pending_index_changes() > 1000 or not (self.folder / "index").exists():
            self.index_status.emit("Building the search index…")
        try:
            notice = lib.ensure_index()
            lib.warm_search()  # the first is:unread search is then as fast as the rest
        except Exception as exc:
            self.index_status.emit(f"Search is unavailable: {exc}")
            return False
        self.index_status.emit(notice or "ready")
        # The daily backup once search is ready, in a thread of its own: copying
        # and checking a big library takes seconds, and searches must not wait.
        threading.Thread(
            target=_daily_backup, args=(self.folder, self.index_status.emit), daemon=True
        ).start()
        return True

    def _catch_up(self, lib: Library) -> int:
        """Index the window's own few changes now; hand a big queue to the catch-up
        thread. Returns how many papers are still waiting to be indexed."""
        try:
            pending = lib.pending_index_changes()
            if pending and self._catching_up is None and pending <= self.inline_sync:
                # When another process is indexing (a big CLI import), search the
                # index as it is rather than wait, and catch up on the next request.
                lib.sync_index(wait=False)
                pending = lib.pending_index_changes()
            if pending and self._catching_up is None:
                self._catching_up = threading.Thread(target=self._sync_all, daemon=True)
                self._catching_up.start()
            return pending
        except Exception as exc:
            self.index_status.emit(f"Index update failed: {exc}")
            return 0

    def _sync_all(self) -> None:
        # A Library of its own: SQLite connections belong to the thread that made them.
        try:
            lib = Library.open(self.folder, index=False, daily_backup=False)
            try:
                lib.ensure_index()
            finally:
                lib.close()
        except Exception as exc:
            self.index_status.emit(f"Index update failed: {exc}")
        with self._lock:
            self._catching_up = None
            self._caught_up = True
            self._lock.notify()

    def _answer(self, lib: Library, serial: int, text: str, behind: int) -> None:
        try:
            # The best matches ranked, then every other match newest first: ranking
            # all 20,000 papers that share a common word would take about a second
            # at 100,000 papers.
            result = lib.ranked_search(text, limit=RANKED_RESULTS, rest=True)
            ids = [h.paper_id for h in result.hits] + result.rest
            terms = set().union(*result.terms.values()) if result.terms else set()
            self.finished_search.emit(serial, ids, result.total, result.notice, terms, behind)
        except Exception as exc:
            self.finished_search.emit(serial, [], 0, f"search failed: {exc}", set(), behind)


def _daily_backup(folder: Path, say: Any) -> None:
    lib = Library.open(folder, index=False, daily_backup=False)
    try:
        lib.daily_backup()
        if lib.backup_notice:
            say(lib.backup_notice)
    finally:
        lib.close()
