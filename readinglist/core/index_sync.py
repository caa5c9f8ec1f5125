"""Keeping the Whoosh index following the database, and asking it questions.

SQLite is the source of truth: triggers queue every changed paper in
``index_queue`` within the change's own transaction, and this module catches
the index up from that queue, as a listener called after each commit (so
triage and undo never deal with the index), on opening, and after imports.
Big catch-ups run in a child process (``core/indexer.py``).
"""

from __future__ import annotations

import errno
import json
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from readinglist.core.errors import LibraryError, UserError
from readinglist.core.models import ChangeKind, Changes, ImportReport, Paper, Skipped
from readinglist.core.papers import Papers, chunks, marks
from readinglist.core.store import Store
from readinglist.core.tuning import Tuning

if TYPE_CHECKING:
    from readinglist.core.search import SearchIndex, SearchResult

Progress = Callable[[int, int], None]
_INDEX_COLUMNS = (
    "id",
    "title",
    "abstract",
    "authors",
    "year",
    "arxiv_id",
    "categories",
    "added_at",
    "note",
    "batch_id",
)


@dataclass
class SearchHit:
    paper: Paper
    score: float
    #: Marked text (see search.MARK_START / MARK_END) by field, when asked for.
    snippets: dict[str, str] = field(default_factory=dict)


@dataclass
class SearchOutcome:
    hits: list[SearchHit]
    total: int
    notice: str
    terms: set[str]


class IndexBusy(LibraryError):
    """Another process held the index lock past the wait limit; the message says
    who, and that the index catches up later."""


def index_behind(exc: BaseException) -> str:
    if isinstance(exc, IndexBusy):
        return str(exc)
    reason = getattr(exc, "strerror", None) or str(exc).rsplit(": ", 1)[-1]
    return (
        f"the search index could not be updated ({reason}); it catches up by itself "
        "once that is solved (or run `readinglist check --repair`)"
    )


class IndexSync:
    def __init__(self, store: Store, papers: Papers, tuning: Tuning) -> None:
        self.store = store
        self.papers = papers
        self.tuning = tuning
        self.folder: Path = store.folder
        self.search_index: SearchIndex | None = None
        #: What the last index check or repair did, for the front ends to show.
        self.notice = ""
        #: Who was updating the index when ensure() last found it busy, or "".
        self.busy_holder = ""
        # The cross-process index lock, while this library holds it (re-entrant).
        self._lock_fd: int | None = None

    # --- the lock ---------------------------------------------------------------

    def lock_held_by_parent(self) -> None:
        """In the child indexer: the parent holds the index lock for us (we
        inherited its descriptor); taking it again would wait for ourselves."""
        self._lock_fd = -1

    @contextmanager
    def lock(self, wait: bool = True) -> Iterator[int]:
        """Hold the library's index lock (see core/locks.py); re-entrant."""
        if self._lock_fd is not None:
            yield self._lock_fd
            return
        from readinglist.core import locks

        path = self.folder / "index.lock"
        with ExitStack() as stack:
            try:
                limit = self.tuning.index_lock_wait if wait else None
                fd = stack.enter_context(locks.exclusive(path, wait=wait, timeout=limit))
            except locks.TimedOut:
                raise IndexBusy(
                    f"the search index stayed busy for {self.tuning.index_lock_wait:.0f} s: "
                    f"{locks.holder(path)} is updating it (a stopped or very long catch-up); "
                    "the changes are saved and the index catches up once that is done"
                ) from None
            except OSError as exc:
                raise LibraryError(
                    f"cannot update the search index in {self.folder}: {exc.strerror} "
                    "(a read-only disk, a full disk or no write permission)"
                ) from exc
            self._lock_fd = fd
            try:
                yield fd
            finally:
                self._lock_fd = None

    # --- opening and catching up -------------------------------------------------

    def index(self) -> SearchIndex:
        if self.search_index is None:
            raise UserError("this library was opened without its search index")
        return self.search_index

    def open_as_is(self) -> None:
        from readinglist.core.search import SearchIndex

        self.search_index = SearchIndex(self.folder / "index")
        self.search_index.facts = self

    # --- what SQLite answers for the index: status and star ----------------------

    def fact_ids(self, filters: tuple[tuple[str, str], ...]) -> set[int]:
        """Ids of the papers passing every status and star filter, from SQLite:
        always current, so a status change needs no reindexing."""
        return self.papers.fact_ids(filters)

    def fact_version(self) -> tuple[int, int]:
        """Changes whenever fact_ids may answer otherwise: a row written by this
        connection (total_changes) or a commit of any other (data_version)."""
        conn = self.store.conn
        return conn.total_changes, int(conn.execute("PRAGMA data_version").fetchone()[0])

    def open_on_start(self, repair: bool, progress: Progress | None) -> None:
        """Open the index as the library opens: checked, caught up and rebuilt if
        need be (``repair``), or as it is (for ``check``)."""
        from readinglist.core.search import IndexCorrupt

        if not repair:
            self.open_as_is()
            return
        try:
            self.ensure(progress)
        except (LibraryError, OSError, IndexCorrupt) as exc:
            # Disk trouble while catching the index up: the library itself is
            # fine, so it opens and says the index is behind.
            self.notice = index_behind(exc)

    def pending(self) -> int:
        sql = "SELECT count(DISTINCT paper_id) FROM index_queue"
        return int(self.store.conn.execute(sql).fetchone()[0])

    def ensure(self, progress: Progress | None = None) -> str:
        """Open the index, catch it up, and rebuild it if it is missing or damaged.

        Returns (and keeps in ``notice``) a sentence for the user, or "".
        """
        from readinglist.core import locks

        self.busy_holder = ""
        if self.search_index is None:
            self.open_as_is()
        if self.index().exists() and self._lock_fd is None:
            try:
                with self.lock(wait=False):
                    return self._ensure(progress)
            except locks.Busy:
                # Another process is catching the index up (for minutes, or
                # stopped): answer from the index as it is and say so.
                pending = self.pending()
                self.busy_holder = locks.holder(self.folder / "index.lock")
                self.notice = (
                    f"{self.busy_holder} is updating the search "
                    f"index; searching it as it is ({pending:,} "
                    f"{'paper' if pending == 1 else 'papers'} not yet indexed)"
                )
                return self.notice
        with self.lock():
            return self._ensure(progress)

    def wait_and_ensure(
        self, limit_s: float, tick: Callable[[float, str], None] | None = None
    ) -> str:
        """Wait (at most ``limit_s``) for another process's catch-up to end, then
        catch up what is left; ``tick(waited_s, holder)`` about once a second."""
        import time

        from readinglist.core import locks

        if self.search_index is None:
            self.open_as_is()
        path = self.folder / "index.lock"
        start = time.monotonic()
        last_tick = -1.0
        while True:
            try:
                with self.lock(wait=False):
                    return self._ensure(None)
            except locks.Busy:
                waited = time.monotonic() - start
                if waited >= limit_s:
                    raise IndexBusy(
                        f"waited {limit_s:.0f} s for {locks.holder(path)} to finish updating "
                        "the search index; it is still at it (searching it as it is: "
                        "run without --wait)"
                    ) from None
                if tick and waited - last_tick >= 1.0:
                    tick(waited, locks.holder(path))
                    last_tick = waited
                time.sleep(0.2)

    def _ensure(self, progress: Progress | None) -> str:
        from readinglist.core.search import IndexCorrupt

        ix = self.index()
        notice = ""
        if not ix.exists():
            if self.papers.count():
                notice = "the search index was missing; rebuilt it from the library"
            self._requeue_all(ix)
        try:
            self.sync(progress)
            ix.probe(self.papers.count())
        except IndexCorrupt as exc:
            if str(exc).startswith("the index has format"):
                # Made by another version: not damage, nothing worth keeping aside.
                ix.create()
                moved = None
                notice = "the search index was rebuilt for this version of Readinglist"
            else:
                moved = ix.move_aside()
                notice = f"the search index was damaged ({exc}); rebuilt it from the library"
            if moved:
                notice += f" (the damaged copy is in {moved.name})"
            try:
                self._requeue_all(ix)
                self.sync(progress)
            except (OSError, LibraryError):
                # No room to rebuild: the damaged copy must not keep the disk full.
                if moved:
                    import shutil

                    shutil.rmtree(moved, ignore_errors=True)
                raise
        self.notice = notice
        return notice

    def _requeue_all(self, ix: SearchIndex) -> None:
        ix.create()
        # Papers already queued (an import just queued them all) stay as they are:
        # rewriting 100,000 queue rows cost a transaction as big, on a disk that
        # may have no room to spare.
        with self.store.write() as conn:
            conn.execute(
                "INSERT INTO index_queue (paper_id) SELECT id FROM papers "
                "WHERE id NOT IN (SELECT paper_id FROM index_queue)"
            )

    def sync(
        self, progress: Progress | None = None, in_process: bool = False, wait: bool = True
    ) -> int:
        """Bring the index up to date with the queue of changed papers.

        Small catch-ups run here; big ones in a child process. Returns how many
        papers were (re)indexed or removed. Another process syncing meanwhile is
        waited for; with ``wait=False`` this returns -1 at once instead (the app's
        searches then use the index as it is and catch up on the next request).
        """
        from readinglist.core.locks import Busy

        try:
            with self.lock(wait=wait):
                return self._sync(progress, in_process)
        except Busy:  # only with wait=False (a timed-out wait raises LibraryError)
            return -1

    def _sync(self, progress: Progress | None, in_process: bool) -> int:
        from readinglist.core.search import IndexCorrupt, document

        ix = self.index()
        conn = self.store.conn
        top, pending = conn.execute(
            "SELECT max(seq), count(DISTINCT paper_id) FROM index_queue"
        ).fetchone()
        if top is None:
            return 0
        if pending >= self.tuning.bulk_index and self.tuning.index_in_child and not in_process:
            assert self._lock_fd is not None
            self.sync_in_child(progress, self._lock_fd)
            ix.close()  # reopen to see the child's commit
            return int(pending)
        sql = "SELECT DISTINCT paper_id FROM index_queue WHERE seq <= ?"
        ids = [r[0] for r in conn.execute(sql, [top])]
        try:
            rows = self.rows(ids)
            deleted = [pid for pid in ids if pid not in rows]
            bulk = len(rows) >= self.tuning.bulk_index
            if bulk and ix.ix.doc_count_all() > 0:
                # Remove the old versions first (one ordinary commit), then add the
                # new ones with the multi-process writer (which cannot replace).
                ix.apply([], ids)
            if bulk:
                deleted = []
            before = ix.doc_count() if bulk else 0
            documents = (document(r) for r in rows.values())
            ix.apply(documents, deleted, bulk=bulk, total=len(rows), progress=progress)
            # Whoosh's multi-process writer commits the other workers' segments
            # silently when one of them dies (killed, out of memory): count.
            if bulk and ix.doc_count() != before + len(rows):
                lost = before + len(rows) - ix.doc_count()
                raise IndexCorrupt(f"the bulk indexer lost {lost} papers (a worker process died)")
        except IndexCorrupt:
            raise
        except OSError as exc:
            if exc.errno in (errno.ENOSPC, errno.EDQUOT):
                # The disk is full, the index is not damaged: Whoosh's last
                # commit stands. Moving it aside to rebuild would keep the disk
                # full with the copy (and fail the same way).
                raise LibraryError(f"no room for the search index: {exc.strerror}") from exc
            raise IndexCorrupt(f"{type(exc).__name__}: {exc}") from exc
        except (ValueError, EOFError, KeyError) as exc:
            raise IndexCorrupt(f"{type(exc).__name__}: {exc}") from exc
        with self.store.write() as wconn:
            wconn.execute("DELETE FROM index_queue WHERE seq <= ?", [top])
        if progress:
            progress(len(ids), len(ids))
        return len(ids)

    def sync_in_child(self, progress: Progress | None, lock_fd: int) -> None:
        """Index the queue in ``python -m readinglist.core.indexer`` (see there)."""
        from readinglist.core.indexer import run_in_child

        run_in_child(self.folder, lock_fd, progress)

    def rows(self, ids: list[int]) -> dict[int, dict[str, Any]]:
        """What the index holds of each paper, by id (deleted papers are absent)."""
        rows: dict[int, dict[str, Any]] = {}
        conn = self.store.conn
        for chunk in chunks(ids):
            sql = f"SELECT {', '.join(_INDEX_COLUMNS)} FROM papers WHERE id IN ({marks(chunk)})"
            for r in conn.execute(sql, chunk):
                row = dict(zip(_INDEX_COLUMNS, r, strict=True))
                row["authors"] = json.loads(row["authors"])
                row["categories"] = json.loads(row["categories"])
                row["tags"] = []
                row["batches"] = [row["batch_id"]] if row["batch_id"] else []
                rows[row["id"]] = row
            for pid, name in conn.execute(
                "SELECT pt.paper_id, t.name FROM paper_tags pt JOIN tags t ON t.id = pt.tag_id "
                f"WHERE pt.paper_id IN ({marks(chunk)})",
                chunk,
            ):
                rows[pid]["tags"].append(name)
            sql = f"SELECT paper_id, batch_id FROM paper_batches WHERE paper_id IN ({marks(chunk)})"
            for pid, bid in conn.execute(sql, chunk):
                rows[pid]["batches"].append(bid)
        return rows

    def on_commit(self, changes: Changes) -> None:
        """After a committed change: the index follows within the same operation.
        An import catches up itself (with its progress; trouble is a warning)."""
        if self.search_index is None or changes.kind is ChangeKind.IMPORT:
            return
        if not changes.paper_ids:
            return
        from readinglist.core.search import IndexCorrupt

        try:
            self.sync()
        except (UserError, OSError, IndexCorrupt) as exc:
            raise LibraryError(f"the change is saved, but {index_behind(exc)}") from exc

    def after_import(self, report: ImportReport, progress: Progress | None) -> ImportReport:
        """Catch the index up after an import, with its progress; trouble becomes
        one of the report's warnings (the papers are in: SQLite is the source of
        truth, and the index catches up from its queue once the trouble is gone)."""
        if report.dry_run or not (report.added or report.merged) or self.search_index is None:
            return report
        from readinglist.core.search import IndexCorrupt

        try:
            self.sync(progress)
        except (UserError, OSError, IndexCorrupt) as exc:
            report.warnings.append(Skipped(0, index_behind(exc)))
        return report

    def reindex(self, progress: Progress | None = None) -> int:
        """Rebuild the search index from SQLite."""
        with self.lock():
            self._requeue_all(self.index())
            return self.sync(progress)

    def check(self, repair: bool = False, progress: Progress | None = None) -> dict[str, Any]:
        """Whether database and index agree; with ``repair``, make them agree."""
        from readinglist.core.index_check import check

        return check(self, repair, progress)

    # --- searching ---------------------------------------------------------------

    def searchable(self) -> SearchIndex:
        """The index, open, for a question. One that cannot be opened (a rebuild cut
        short by a full disk) is one line for the user, not a traceback."""
        from readinglist.core.search import IndexCorrupt

        ix = self.index()
        try:
            ix.ix  # noqa: B018 - opens it
        except IndexCorrupt as exc:
            raise UserError(
                f"the search index cannot be used ({exc}); it is rebuilt from the library "
                "when there is room on the disk (`readinglist check --repair`)"
            ) from exc
        return ix

    def ranked(self, text: str, limit: int | None, rest: bool = False) -> SearchResult:
        return self.searchable().search(text, limit=limit, rest=rest)

    def search(self, text: str, limit: int | None = 50, snippets: bool = False) -> SearchOutcome:
        """Papers matching a query, best first (see README: query language)."""
        from readinglist.core.search import highlight_text

        result = self.searchable().search(text, limit=limit)
        ids = [h.paper_id for h in result.hits]
        papers = {p.id: p for p in self.papers.get_many_existing(ids)}
        hits = [SearchHit(papers[h.paper_id], h.score) for h in result.hits if h.paper_id in papers]
        terms = set().union(*result.terms.values()) if result.terms else set()
        if snippets and terms:
            for hit in hits:
                hit.snippets = {
                    "title": highlight_text(hit.paper.title, terms, "title", whole=True),
                    "abstract": highlight_text(hit.paper.abstract, terms, "abstract"),
                }
        return SearchOutcome(hits, result.total, result.notice, terms)

    def similar(self, paper_id: int, limit: int = 10) -> list[SearchHit]:
        """Papers most like this one by title and abstract, excluding itself."""
        paper = self.papers.get(paper_id)
        hits = self.searchable().similar(paper_id, paper.title + "\n" + paper.abstract, limit=limit)
        papers = {p.id: p for p in self.papers.get_many_existing([h.paper_id for h in hits])}
        return [
            SearchHit(papers[h.paper_id], h.score)
            for h in hits
            if h.paper_id in papers and h.paper_id != paper_id
        ]

    def close(self) -> None:
        if self.search_index is not None:
            self.search_index.close()
