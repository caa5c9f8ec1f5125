"""Library: the one service the CLI and the GUI call.

SQLite is the source of truth. Every mutating method runs in one transaction
and returns a Changes value saying what it touched.
"""

from __future__ import annotations

import itertools
import json
import os
import pickle
import sqlite3
import subprocess
import sys
import threading
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlite_utils

from readinglist.core import backups, citekeys
from readinglist.core.bibtex import valid_citekey
from readinglist.core.db import BUSY_TIMEOUT_MS, DB_NAME, connect, now_iso
from readinglist.core.errors import (
    BadInput,
    LibraryError,
    UnknownPaper,
    UserError,
)
from readinglist.core.importers import parse
from readinglist.core.migrations import migrations
from readinglist.core.models import (
    Changes,
    EnrichReport,
    ImportReport,
    Paper,
    PaperDraft,
    Skipped,
    Status,
)
from readinglist.core.text import decode, title_key

if TYPE_CHECKING:
    from readinglist.core import arxiv_api
    from readinglist.core.search import SearchIndex

Progress = Callable[[int, int], None]

_PAPER_COLUMNS = (
    "id, title, abstract, authors, year, arxiv_id, doi, url, links, categories, comments, "
    "journal_ref, citekey, status, starred, added_at, status_changed_at, note, extra"
)
# Fields an import may fill when they are empty; never the user's own (status,
# starred, tags, note, citekey).
_FILLABLE = (
    "abstract",
    "authors",
    "year",
    "arxiv_id",
    "doi",
    "url",
    "links",
    "categories",
    "comments",
    "journal_ref",
)
_JSON_FIELDS = ("authors", "links", "categories")
# Imports adding at least this many papers rebuild these indexes after inserting.
_BULK_ROWS = 10_000
_REBUILT_FOR_BULK = (
    "papers_title_key",
    "papers_status",
    "papers_citekey",
    "papers_indexed_insert",  # the trigger queueing each new paper for the index
)
_INSERT_TEXT = "INSERT INTO batch_texts (batch_id, raw_text) VALUES (?, ?)"
_INSERT_PAPER = (
    "INSERT INTO papers (title, title_key, abstract, authors, year, arxiv_id, doi, url, links, "
    "categories, comments, journal_ref, extra, citekey, citekey_source, added_at, batch_id) "
    "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
)
_AUTOCHECKPOINT = 1000  # pages: SQLite's default
# Index catch-ups of at least this many papers run in a child process with the
# multi-process Whoosh writer (indexing in a thread would stall a GUI: the GIL).
BULK_INDEX = 2000


def default_library_dir() -> Path:
    """``READINGLIST_LIBRARY`` if set, else the platform's user data folder."""
    env = os.environ.get("READINGLIST_LIBRARY")
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("readinglist", appauthor=False))


@dataclass
class Stats:
    total: int
    by_status: dict[str, int]
    starred: int
    tags: int
    batches: int

    def to_json(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "by_status": dict(self.by_status),
            "starred": self.starred,
            "tags": self.tags,
            "imports": self.batches,
        }


class Library:
    """A reading list in a folder: ``library.sqlite``, ``backups/`` (and the search index)."""

    def __init__(self, folder: Path, db: sqlite_utils.Database) -> None:
        self.folder = folder
        self.db = db
        self.search_index: SearchIndex | None = None
        #: What the last index check or repair did, for the front ends to show.
        self.index_notice = ""
        #: Set when the daily backup failed (the library opened anyway).
        self.backup_notice = ""
        # The cross-process index lock, while this library holds it (re-entrant).
        self._index_lock_fd: int | None = None
        # The thread copying a big import's WAL into the database file.
        self._settler: threading.Thread | None = None

    # --- opening -------------------------------------------------------------

    @classmethod
    def open(
        cls,
        folder: str | Path | None = None,
        index: bool = True,
        progress: Progress | None = None,
        repair_index: bool = True,
        daily_backup: bool = True,
    ) -> Library:
        """Open (creating on first use) the library in ``folder``.

        Once a day (``daily_backup``) the database is backed up first; the app
        passes False and lets its background thread do it.

        With ``index`` (the default) the search index is opened too, checked,
        caught up with changes it missed, and rebuilt if missing or damaged.
        Without it, changes wait in the index queue for the next opening.
        With ``repair_index=False`` the index is opened as it is (for ``check``).
        """
        path = Path(folder).expanduser() if folder is not None else default_library_dir()
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise LibraryError(f"cannot create the library folder {path}: {exc.strerror}") from exc
        if not path.is_dir():
            raise LibraryError(f"the library location {path} is not a folder")
        db_path = path / DB_NAME
        try:
            db = connect(db_path)
        except LibraryError as exc:
            if "not a database" in str(exc) or "malformed" in str(exc):
                raise backups.damaged(path, str(exc)) from exc
            raise
        try:
            pending = migrations.pending(db)
            if pending:
                if any(t for t in db.table_names() if not t.startswith("_")):
                    backups.make_backup(db.conn, path, "before-migration")
                migrations.apply(db)
        except sqlite3.DatabaseError as exc:
            db.close()
            if "malformed" in str(exc) or "not a database" in str(exc):
                raise backups.damaged(path, f"cannot read {db_path}: {exc}") from exc
            raise LibraryError(f"cannot prepare the library database {db_path}: {exc}") from exc
        lib = cls(path, db)
        if daily_backup:
            lib.daily_backup()
        if index and not repair_index:
            from readinglist.core.search import SearchIndex

            lib.search_index = SearchIndex(path / "index")
        elif index:
            from readinglist.core.search import IndexCorrupt

            try:
                lib.ensure_index(progress)
            except (LibraryError, OSError, IndexCorrupt) as exc:
                # Disk trouble while catching the index up: the library itself
                # is fine, so open it and say the index is behind.
                lib.index_notice = _index_behind(exc)
            except BaseException:
                lib.close()
                raise
        return lib

    # --- backups -----------------------------------------------------------------

    def backup(self, reason: str = "manual") -> backups.Backup:
        """Back the database up now (SQLite backup API), then rotate old backups."""
        made = backups.make_backup(self.db.conn, self.folder, reason)
        backups.rotate(self.folder, int(self.setting("backups_keep")))
        return made

    def daily_backup(self) -> backups.Backup | None:
        """A backup when the newest is a day old. A failure (full disk, read-only
        folder) does not stop the library from opening: it is said in backup_notice."""
        try:
            if not backups.due_daily(self.folder) or not self.count():
                return None
            return self.backup("daily")
        except (UserError, OSError) as exc:
            self.backup_notice = f"the daily backup failed: {exc}"
            return None

    def close(self) -> None:
        self.wait_settled()
        if self.search_index is not None:
            self.search_index.close()
        self.db.close()

    def _settle_wal(self) -> None:
        """Checkpoint the WAL into the database file in a thread, on a connection
        of its own. PASSIVE never blocks readers or writers; if it cannot finish,
        the next commit's automatic checkpoint (or closing) does the rest."""
        self.wait_settled()
        path = self.folder / DB_NAME

        def run() -> None:
            try:
                conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000)
                try:
                    conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
                finally:
                    conn.close()
            except sqlite3.Error:
                pass  # left to the next automatic checkpoint

        self._settler = threading.Thread(target=run, name="wal-checkpoint", daemon=True)
        self._settler.start()

    def wait_settled(self) -> None:
        """Wait for a checkpoint started after a big import (benchmarks, close)."""
        if self._settler is not None:
            self._settler.join()
            self._settler = None

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite_utils.Database]:
        """One write transaction. IMMEDIATE takes the write lock up front, so a
        concurrent writer waits (busy timeout) instead of failing half-way."""
        conn = self.db.conn
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.db
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            else:
                conn.execute("COMMIT")
        except sqlite3.OperationalError as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            text = str(exc)
            if "readonly" in text or "read-only" in text:
                raise LibraryError(f"the library in {self.folder} is read-only: {text}") from exc
            if "disk" in text and "full" in text:
                _give_back_wal_space(conn)
                raise LibraryError(
                    f"the disk holding {self.folder} is full; nothing was changed"
                ) from exc
            if "locked" in text or "busy" in text:
                raise LibraryError(
                    f"the library in {self.folder} stayed busy (another program is writing); "
                    "nothing was changed, try again"
                ) from exc
            raise

    # --- reading -------------------------------------------------------------

    def _row_to_paper(self, row: Sequence[Any], tags: list[str]) -> Paper:
        (
            pid,
            title,
            abstract,
            authors,
            year,
            arxiv_id,
            doi,
            url,
            links,
            categories,
            comments,
            journal_ref,
            citekey,
            status,
            starred,
            added_at,
            status_changed_at,
            note,
            extra,
        ) = row
        return Paper(
            id=pid,
            title=title,
            abstract=abstract,
            authors=json.loads(authors),
            year=year,
            arxiv_id=arxiv_id,
            doi=doi,
            url=url,
            links=json.loads(links),
            categories=json.loads(categories),
            comments=comments,
            journal_ref=journal_ref,
            citekey=citekey,
            status=Status(status),
            starred=bool(starred),
            added_at=added_at,
            status_changed_at=status_changed_at,
            note=note,
            tags=tags,
            extra=json.loads(extra),
        )

    def _tags_for(self, ids: list[int] | None) -> dict[int, list[str]]:
        sql = "SELECT pt.paper_id, t.name FROM paper_tags pt JOIN tags t ON t.id = pt.tag_id"
        params: list[Any] = []
        if ids is not None:
            if not ids:
                return {}
            if len(ids) <= 500:
                sql += f" WHERE pt.paper_id IN ({','.join('?' * len(ids))})"
                params = list(ids)
        out: dict[int, list[str]] = {}
        for pid, name in self.db.execute(sql + " ORDER BY t.name COLLATE NOCASE", params):
            out.setdefault(pid, []).append(name)
        return out

    def get(self, paper_id: int) -> Paper:
        row = self.db.execute(
            f"SELECT {_PAPER_COLUMNS} FROM papers WHERE id = ?", [paper_id]
        ).fetchone()
        if row is None:
            raise UnknownPaper(paper_id)
        return self._row_to_paper(row, self._tags_for([paper_id]).get(paper_id, []))

    def get_many(self, ids: Iterable[int]) -> list[Paper]:
        """Papers in the order of ``ids``; raises UnknownPaper naming the first missing id."""
        ids = list(ids)
        papers = self.get_many_existing(ids)
        if len(papers) != len(ids):
            found = {p.id for p in papers}
            raise UnknownPaper(next(pid for pid in ids if pid not in found))
        return papers

    def list_papers(
        self,
        status: Status | str | None = None,
        tag: str | None = None,
        starred: bool | None = None,
        batch_id: int | None = None,
    ) -> list[Paper]:
        """Papers matching every filter given, ordered by id."""
        where, params = self._filters(status, tag, starred, batch_id)
        rows = self.db.execute(
            f"SELECT {_PAPER_COLUMNS} FROM papers {where} ORDER BY id", params
        ).fetchall()
        tags = self._tags_for(None if len(rows) > 500 else [r[0] for r in rows])
        return [self._row_to_paper(r, tags.get(r[0], [])) for r in rows]

    def _filters(
        self,
        status: Status | str | None,
        tag: str | None,
        starred: bool | None,
        batch_id: int | None,
    ) -> tuple[str, list[Any]]:
        clauses: list[str] = []
        params: list[Any] = []
        if status is not None:
            clauses.append("status = ?")
            params.append(Status.parse(status).value if isinstance(status, str) else status.value)
        if starred is not None:
            clauses.append("starred = ?")
            params.append(1 if starred else 0)
        if tag is not None:
            clauses.append(
                "id IN (SELECT pt.paper_id FROM paper_tags pt JOIN tags t ON t.id = pt.tag_id "
                "WHERE t.name = ? COLLATE NOCASE)"
            )
            params.append(tag.strip())
        if batch_id is not None:
            clauses.append(
                "(batch_id = ? OR id IN (SELECT paper_id FROM paper_batches WHERE batch_id = ?))"
            )
            params.extend([batch_id, batch_id])
        where = ("WHERE " + " AND ".join(clauses)) if clauses else ""
        return where, params

    def ids(
        self,
        status: Status | str | None = None,
        tag: str | None = None,
        starred: bool | None = None,
        batch_id: int | None = None,
    ) -> list[int]:
        """Ids of the papers matching every filter, newest first (cheap: no rows)."""
        where, params = self._filters(status, tag, starred, batch_id)
        return [
            r[0] for r in self.db.execute(f"SELECT id FROM papers {where} ORDER BY id DESC", params)
        ]

    def sorted_ids(self, ids: list[int], key: str, descending: bool = False) -> list[int]:
        """``ids`` ordered by a column (sorted by SQLite, so no rows are loaded)."""
        allowed = {"status", "starred", "title COLLATE NOCASE", "authors", "year", "id", "added_at"}
        if key not in allowed:
            raise ValueError(key)
        if not ids:
            # The window turns sorting on before it loads a view: sorting nothing
            # must not sort the whole table (0.4 s of a 100,000-paper cold start).
            return []
        wanted = set(ids)
        order = "DESC" if descending else "ASC"
        return [
            r[0]
            for r in self.db.execute(f"SELECT id FROM papers ORDER BY {key} {order}, id {order}")
            if r[0] in wanted
        ]

    def count(self) -> int:
        return int(self.db.execute("SELECT count(*) FROM papers").fetchone()[0])

    def stats(self) -> Stats:
        by_status = {s.value: 0 for s in Status}
        for status, n in self.db.execute("SELECT status, count(*) FROM papers GROUP BY status"):
            by_status[status] = n
        return Stats(
            total=sum(by_status.values()),
            by_status=by_status,
            starred=self.db.execute("SELECT count(*) FROM papers WHERE starred").fetchone()[0],
            tags=self.db.execute("SELECT count(*) FROM tags").fetchone()[0],
            batches=self.db.execute("SELECT count(*) FROM batches").fetchone()[0],
        )

    def batches(self) -> list[dict[str, Any]]:
        """Import batches, newest first, without their raw text."""
        rows = self.db.execute(
            "SELECT id, source, format, created_at, added, merged, unchanged, skipped "
            "FROM batches ORDER BY id DESC"
        ).fetchall()
        keys = ("id", "source", "format", "created_at", "added", "merged", "unchanged", "skipped")
        return [dict(zip(keys, r, strict=True)) for r in rows]

    def batch_raw_text(self, batch_id: int) -> str:
        row = self.db.execute(
            "SELECT raw_text FROM batch_texts WHERE batch_id = ?", [batch_id]
        ).fetchone()
        if row is None:
            raise UserError(f"no import with id {batch_id}")
        raw = row[0]
        if isinstance(raw, bytes):  # large imports are stored zlib-compressed
            return zlib.decompress(raw).decode("utf-8")
        return str(raw)

    def tags(self) -> list[tuple[str, int]]:
        """Every tag with the number of papers carrying it, by name."""
        return [
            (name, n)
            for name, n in self.db.execute(
                "SELECT t.name, count(pt.paper_id) FROM tags t "
                "LEFT JOIN paper_tags pt ON pt.tag_id = t.id GROUP BY t.id "
                "ORDER BY t.name COLLATE NOCASE"
            )
        ]

    # --- import ----------------------------------------------------------------

    def import_file(
        self,
        path: str | Path,
        format: str = "auto",
        dry_run: bool = False,
        progress: Progress | None = None,
    ) -> ImportReport:
        path = Path(path)
        try:
            if path.is_dir():
                raise BadInput(f"{path} is a folder, not a file")
            size = path.stat().st_size
            from readinglist.core.text import MAX_IMPORT_BYTES

            if size > MAX_IMPORT_BYTES:
                limit = MAX_IMPORT_BYTES // 1024 // 1024
                raise BadInput(
                    f"{path.name} is too large to import ({size / 1024 / 1024:.0f} MB; "
                    f"the limit is {limit} MB)"
                )
            data = path.read_bytes()
        except FileNotFoundError:
            raise BadInput(f"no such file: {path}") from None
        except PermissionError:
            raise BadInput(f"cannot read {path}: permission denied") from None
        except IsADirectoryError:
            raise BadInput(f"{path} is a folder, not a file") from None
        return self.import_bytes(
            data, source=path.name, format=format, dry_run=dry_run, progress=progress
        )

    def import_bytes(
        self,
        data: bytes,
        source: str,
        format: str = "auto",
        dry_run: bool = False,
        progress: Progress | None = None,
    ) -> ImportReport:
        text = decode(data, name=source)
        return self.import_text(
            text, source=source, format=format, dry_run=dry_run, progress=progress
        )

    def import_text(
        self,
        text: str,
        source: str = "clipboard",
        format: str = "auto",
        dry_run: bool = False,
        progress: Progress | None = None,
    ) -> ImportReport:
        """Import a listing in one transaction; raises BadInput when nothing is recognisable.

        Re-importing the same text changes nothing (no papers, no batch).
        With ``dry_run`` the report says what would happen and nothing is written.
        """
        # A big text is stored zlib-compressed (a third of the bytes to write),
        # compressed in a thread while this one parses (zlib releases the GIL).
        packed = _Compressor(text) if len(text) >= _COMPRESS_FROM and not dry_run else None
        done = None
        if not dry_run and len(text) >= _PIECES_FROM and format in ("auto", "listing"):
            from readinglist.core.importers import detect_format

            # Only into a library smaller than the text's papers: the piecewise
            # import rebuilds the library's indexes (see _drop_for_bulk).
            if (format == "listing" or detect_format(text) == "listing") and (
                self.count() * _PIECE_CHARS_PER_PAPER < len(text)
            ):
                done = self._import_in_pieces(text, source, packed, progress)
        if done is None:
            done = self._import_parsed(text, source, format, dry_run, packed, progress)
        report, deferred_checkpoint = done
        if deferred_checkpoint:
            self._settle_wal()
        if not dry_run and (report.added or report.merged) and self.search_index is not None:
            from readinglist.core.search import IndexCorrupt

            try:
                self.sync_index(progress)
            except (UserError, OSError, IndexCorrupt) as exc:
                # The papers are in (SQLite is the source of truth); the index
                # catches up from its queue once the trouble is gone.
                report.warnings.append(Skipped(0, _index_behind(exc)))
        return report

    def _import_parsed(
        self,
        text: str,
        source: str,
        format: str,
        dry_run: bool,
        packed: _Compressor | None,
        progress: Progress | None,
    ) -> tuple[ImportReport, bool]:
        """Parse, then decide and write in one transaction; (report, whether the
        commit left the WAL checkpoint to _settle_wal)."""
        result = parse(text, format=format, name=source)
        report = ImportReport(
            format=result.format,
            source=source,
            dry_run=dry_run,
            skipped=list(result.skipped),
            warnings=list(result.warnings),
        )
        drafts = _dedup_within(result.drafts, report)
        if progress:
            progress(0, len(drafts))
        return report, self._commit_import(
            lambda db: self._import_drafts(db, drafts, report, progress), report, text, packed
        )

    def _import_in_pieces(
        self, text: str, source: str, packed: _Compressor | None, progress: Progress | None
    ) -> tuple[ImportReport, bool] | None:
        """A big listing parsed by a child process while this one stores it (see
        _store_pieces); None, having changed nothing, when that does not apply."""
        report = ImportReport(format="listing", source=source, dry_run=False)
        try:
            worker = _ParseWorker(text)
        except OSError:
            return None
        try:
            return report, self._commit_import(
                lambda db: self._store_pieces(db.conn, worker, report, len(text), progress),
                report,
                text,
                packed,
            )
        except _NotInPieces:
            return None
        finally:
            worker.close()

    def _commit_import(
        self,
        write: Callable[[sqlite_utils.Database], None],
        report: ImportReport,
        text: str,
        packed: _Compressor | None,
    ) -> bool:
        """One transaction: ``write`` the papers and batch, then the raw text. Rolls
        back a dry run or an import that changes nothing. Whether the commit left
        the WAL checkpoint to _settle_wal."""
        deferred = False
        try:
            with self._write() as db:
                write(db)
                if report.dry_run or report.batch_id is None:
                    raise _Rollback
                # The raw text last, so that the papers never wait for zlib.
                raw = packed.result() if packed is not None else text
                db.conn.execute(_INSERT_TEXT, [report.batch_id, raw])
                deferred = report.added + report.merged >= _BULK_ROWS
                if deferred:
                    # The commit then only appends to the WAL (durable, visible to
                    # every reader); copying it into the database file, about 1 s for
                    # 100,000 papers, is done by a thread of its own (_settle_wal).
                    db.conn.execute("PRAGMA wal_autocheckpoint = 0")
        except _Rollback:
            report.batch_id = None
        finally:
            if deferred:
                self.db.conn.execute(f"PRAGMA wal_autocheckpoint = {_AUTOCHECKPOINT}")
        return deferred

    def _import_drafts(
        self,
        db: sqlite_utils.Database,
        drafts: list[PaperDraft],
        report: ImportReport,
        progress: Progress | None,
    ) -> None:
        """Write the drafts and their batch; leaves report.batch_id None when
        nothing changes. The caller stores the batch's raw text."""
        conn = db.conn
        now = now_iso()
        by_arxiv: dict[str, int] = {}
        by_doi: dict[str, int] = {}
        by_title: dict[str, list[int]] = {}
        taken_keys: set[str] = set()
        for pid, aid, doi, tkey, ckey in conn.execute(
            "SELECT id, arxiv_id, doi, title_key, citekey FROM papers"
        ):
            if aid:
                by_arxiv[aid] = pid
            if doi:
                by_doi[doi.lower()] = pid
            by_title.setdefault(tkey, []).append(pid)
            if ckey:
                taken_keys.add(ckey.lower())

        # Decide everything first (reads only), so an import that changes
        # nothing writes nothing, not even its batch.
        new_drafts: list[PaperDraft] = []
        updates: dict[int, dict[str, Any]] = {}
        unchanged_ids: list[int] = []
        seen: set[int] = set()
        for draft in drafts:
            pid = by_arxiv.get(draft.arxiv_id or "") or by_doi.get((draft.doi or "").lower())
            if pid is None and draft.title_key:
                pid = self._title_match(conn, by_title.get(draft.title_key, []), draft)
            if pid is None:
                new_drafts.append(draft)
            elif pid not in seen:
                seen.add(pid)
                change = self._merge_updates(conn, pid, draft)
                if change:
                    updates[pid] = change
                else:
                    unchanged_ids.append(pid)
        report.unchanged = len(unchanged_ids)
        if not new_drafts and not updates:
            report.batch_id = None
            return
        if report.dry_run:
            # What the import would do is decided: no need to write it and roll
            # back (the app's preview of a 150 MB listing took as long as the import).
            report.added, report.merged = len(new_drafts), len(updates)
            return
        report.batch_id = batch_id = self._add_batch(conn, report.source, report.format)

        bulk = len(new_drafts) >= _BULK_ROWS and len(new_drafts) > len(seen) + len(by_title)
        rebuild = _drop_for_bulk(conn) if bulk else []
        last_id = conn.execute("SELECT coalesce(max(id), 0) FROM papers").fetchone()[0]
        with _unchecked(conn):
            chunk = 10_000  # between chunks, a progress callback (the app's events)
            for start in range(0, len(new_drafts), chunk):
                rows = self._new_rows(new_drafts[start : start + chunk], taken_keys, now, batch_id)
                conn.executemany(_INSERT_PAPER, rows)
                if progress:
                    progress(min(start + chunk, len(new_drafts)), len(new_drafts))
        # Ids are consecutive: one writer holds the lock and ids are max+1.
        added_ids = list(range(last_id + 1, last_id + 1 + len(new_drafts)))
        if bulk:
            _queue_and_rebuild(conn, last_id, rebuild)

        merged_before = self._state(conn, list(updates))
        for pid, change in updates.items():
            if "authors" in change or "year" in change:
                self._maybe_regenerate_key(conn, pid, change, taken_keys)
            assignments = ", ".join(f"{k} = ?" for k in change)
            conn.execute(f"UPDATE papers SET {assignments} WHERE id = ?", [*change.values(), pid])
        merged_ids = list(updates)
        links = [(pid, batch_id, "merged") for pid in merged_ids]
        links.extend((pid, batch_id, "unchanged") for pid in unchanged_ids)
        conn.executemany(
            "INSERT OR IGNORE INTO paper_batches (paper_id, batch_id, how) VALUES (?, ?, ?)", links
        )
        self._record_import(conn, report, added_ids, merged_ids, merged_before)

    def _store_pieces(
        self,
        conn: sqlite3.Connection,
        worker: _ParseWorker,
        report: ImportReport,
        size: int,
        progress: Progress | None,
    ) -> None:
        """Store a big listing piece by piece as a child process parses it: this
        process inserts one piece while the child parses the next (in one process
        parsing would hold the GIL that every inserted row needs). Only for papers
        that are all new: raises _NotInPieces, to be rolled back and imported the
        usual way, for a title already in the library or seen earlier in the text
        (the usual way merges those), a text with no paper, or a failing child."""
        now = now_iso()
        known = {tkey for (tkey,) in conn.execute("SELECT title_key FROM papers") if tkey}
        taken_keys = {
            ckey.lower()
            for (ckey,) in conn.execute("SELECT citekey FROM papers WHERE citekey IS NOT NULL")
        }
        report.batch_id = batch_id = self._add_batch(conn, report.source, report.format)
        rebuild = _drop_for_bulk(conn)
        last_id = conn.execute("SELECT coalesce(max(id), 0) FROM papers").fetchone()[0]
        added = done = 0
        with _unchecked(conn):
            for papers, skipped, done in worker.pieces():
                rows = []
                for title, abstract, links in papers:
                    tkey = title_key(title)
                    if tkey:
                        if tkey in known:
                            raise _NotInPieces
                        known.add(tkey)
                    key = citekeys.base_key(title, [], None)
                    if key.lower() in taken_keys:
                        key = citekeys.unique_key(key, taken_keys)
                    taken_keys.add(key.lower())
                    # The row _new_rows makes of a listing's draft (title, abstract
                    # and links only), built directly: PaperDrafts and _new_rows cost
                    # 0.4 s more per 100,000 papers (measured). The piecewise test
                    # compares every column with the usual import's.
                    links_json = _dumps(links)
                    row = (title, tkey, abstract, "[]", None, None, None, None, links_json, "[]")
                    rows.append((*row, "", "", "{}", key, "generated", now, batch_id))
                conn.executemany(_INSERT_PAPER, rows)
                report.skipped.extend(Skipped(line, reason) for line, reason in skipped)
                added += len(rows)
                if progress:
                    # The total is not known before the end: estimated from the
                    # share of the text parsed so far.
                    progress(added, max(added, round(added * size / max(done, 1))))
        if not added or done != size or not worker.succeeded():
            raise _NotInPieces
        added_ids = list(range(last_id + 1, last_id + 1 + added))
        _queue_and_rebuild(conn, last_id, rebuild)
        self._record_import(conn, report, added_ids, [], {})

    def _record_import(
        self,
        conn: sqlite3.Connection,
        report: ImportReport,
        added_ids: list[int],
        merged_ids: list[int],
        merged_before: dict[str, Any],
    ) -> None:
        """The report's counts, the undo step and the batch's summary."""
        report.added = len(added_ids)
        report.merged = len(merged_ids)
        report.paper_ids = added_ids + merged_ids
        # One undo step for the whole import: the new papers did not exist before.
        before = dict(merged_before)
        before.update({str(pid): None for pid in added_ids})
        self._record(
            conn,
            "import",
            f"imported {report.source} ({report.summary()})",
            added_ids + merged_ids,
            before,
            None,
        )
        conn.execute(
            "UPDATE batches SET format = ?, added = ?, merged = ?, unchanged = ?, skipped = ?, "
            "report = ? WHERE id = ?",
            [
                report.format,
                report.added,
                report.merged,
                report.unchanged,
                len(report.skipped),
                json.dumps(report.to_json(), ensure_ascii=False),
                report.batch_id,
            ],
        )

    @staticmethod
    def _add_batch(conn: sqlite3.Connection, source: str, format: str) -> int:
        cur = conn.execute(
            "INSERT INTO batches (source, format, created_at) VALUES (?, ?, ?)",
            [source, format, now_iso()],
        )
        return int(cur.lastrowid or 0)

    @staticmethod
    def _new_rows(
        drafts: list[PaperDraft], taken_keys: set[str], now: str, batch_id: int
    ) -> list[tuple[Any, ...]]:
        """The papers table rows for new drafts, each with a citation key not yet taken."""
        rows: list[tuple[Any, ...]] = []
        for draft in drafts:
            key = draft.citekey
            source = "imported"
            if not key or not valid_citekey(key) or key.lower() in taken_keys:
                key = citekeys.unique_key(
                    citekeys.base_key(draft.title, draft.authors, draft.year), taken_keys
                )
                source = "generated"
            taken_keys.add(key.lower())
            rows.append(
                (
                    draft.title,
                    draft.title_key,
                    draft.abstract,
                    _dumps(draft.authors),
                    draft.year,
                    draft.arxiv_id,
                    draft.doi,
                    draft.url,
                    _dumps(draft.links),
                    _dumps(draft.categories),
                    draft.comments,
                    draft.journal_ref,
                    _dumps(draft.extra),
                    key,
                    source,
                    now,
                    batch_id,
                )
            )
        return rows

    @staticmethod
    def _title_match(
        conn: sqlite3.Connection, candidates: list[int], draft: PaperDraft
    ) -> int | None:
        """A paper with the same normalized title, unless ids, authors or year say it
        is a different paper (two papers called "Introduction" are not one)."""
        for pid in candidates:
            aid, doi, authors, year = conn.execute(
                "SELECT arxiv_id, doi, authors, year FROM papers WHERE id = ?", [pid]
            ).fetchone()
            if same_paper(draft, aid, doi, json.loads(authors), year):
                return pid
        return None

    @staticmethod
    def _maybe_regenerate_key(
        conn: sqlite3.Connection, pid: int, change: dict[str, Any], taken: set[str]
    ) -> None:
        """A generated key, never exported, follows new authors or year once."""
        title, authors, year, key, source, exported = conn.execute(
            "SELECT title, authors, year, citekey, citekey_source, exported_at FROM papers "
            "WHERE id = ?",
            [pid],
        ).fetchone()
        if source != "generated" or exported:
            return
        authors = json.loads(change.get("authors", authors))
        year = change.get("year", year)
        taken.discard((key or "").lower())
        new_key = citekeys.unique_key(citekeys.base_key(title, authors, year), taken)
        taken.add(new_key.lower())
        if new_key != key:
            change["citekey"] = new_key
        change["citekey_source"] = "regenerated"

    @staticmethod
    def _merge_updates(conn: sqlite3.Connection, pid: int, draft: PaperDraft) -> dict[str, Any]:
        """The paper's empty fields that the draft can fill (column -> new value)."""
        row = conn.execute(
            f"SELECT {', '.join(_FILLABLE)}, extra FROM papers WHERE id = ?", [pid]
        ).fetchone()
        current = dict(zip((*_FILLABLE, "extra"), row, strict=True))
        updates: dict[str, Any] = {}
        for name in _FILLABLE:
            value = getattr(draft, name)
            have = current[name]
            if name in _JSON_FIELDS:
                if value and have == "[]":
                    updates[name] = _dumps(value)
            elif value and not have:
                updates[name] = value
        if draft.extra:
            extra = json.loads(current["extra"])
            if _fill_extra(extra, draft.extra):
                updates["extra"] = _dumps(extra)
        if (
            "arxiv_id" in updates
            and conn.execute(
                "SELECT 1 FROM papers WHERE arxiv_id = ?", [updates["arxiv_id"]]
            ).fetchone()
        ):
            del updates["arxiv_id"]
        if (
            "doi" in updates
            and conn.execute(
                "SELECT 1 FROM papers WHERE lower(doi) = lower(?)", [updates["doi"]]
            ).fetchone()
        ):
            del updates["doi"]
        return updates

    # --- changes the user makes -----------------------------------------------

    def _check_ids(self, ids: Sequence[int]) -> list[int]:
        ids = list(dict.fromkeys(int(i) for i in ids))
        if not ids:
            raise UserError("no paper ids given")
        found: set[int] = set()
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            found.update(
                r[0]
                for r in self.db.execute(
                    f"SELECT id FROM papers WHERE id IN ({','.join('?' * len(chunk))})", chunk
                )
            )
        for pid in ids:
            if pid not in found:
                raise UnknownPaper(pid)
        return ids

    def mark(self, ids: Sequence[int], status: Status | str) -> Changes:
        status = Status.parse(status) if isinstance(status, str) else status
        ids = self._check_ids(ids)
        now = now_iso()
        description = f"marked {_n_papers(len(ids))} {status.value}"
        with self._undoable("status", description, ids) as db:
            db.conn.executemany(
                "UPDATE papers SET status = ?, status_changed_at = ? WHERE id = ? AND status != ?",
                [(status.value, now, pid, status.value) for pid in ids],
            )
        self._changed()
        return Changes("status", ids, description)

    def set_starred(self, ids: Sequence[int], starred: bool) -> Changes:
        ids = self._check_ids(ids)
        verb = "starred" if starred else "unstarred"
        with self._undoable("starred", f"{verb} {_n_papers(len(ids))}", ids) as db:
            db.conn.executemany(
                "UPDATE papers SET starred = ? WHERE id = ?", [(int(starred), pid) for pid in ids]
            )
        self._changed()
        return Changes("starred", ids, f"{verb} {_n_papers(len(ids))}")

    def tag(
        self, ids: Sequence[int], add: Iterable[str] = (), remove: Iterable[str] = ()
    ) -> Changes:
        """Add and remove tags on papers. Tag names are unique ignoring case."""
        ids = self._check_ids(ids)
        add = [_clean_tag(t) for t in add]
        remove = [_clean_tag(t) for t in remove]
        parts = []
        if add:
            parts.append("tagged " + ", ".join(add))
        if remove:
            parts.append("untagged " + ", ".join(remove))
        description = f"{' and '.join(parts) or 'tags unchanged'} on {_n_papers(len(ids))}"
        with self._undoable("tags", description, ids) as db:
            conn = db.conn
            for name in add:
                tag_id = _tag_id(conn, name, create=True)
                conn.executemany(
                    "INSERT OR IGNORE INTO paper_tags (paper_id, tag_id) VALUES (?, ?)",
                    [(pid, tag_id) for pid in ids],
                )
            for name in remove:
                found = _tag_id(conn, name)
                if found is None:
                    continue
                conn.executemany(
                    "DELETE FROM paper_tags WHERE paper_id = ? AND tag_id = ?",
                    [(pid, found) for pid in ids],
                )
                # A tag nobody carries any more disappears from the sidebar.
                conn.execute(
                    "DELETE FROM tags WHERE id = ? AND NOT EXISTS "
                    "(SELECT 1 FROM paper_tags WHERE tag_id = ?)",
                    [found, found],
                )
        self._changed()
        return Changes("tags", ids, description)

    def rename_tag(self, old: str, new: str) -> Changes:
        """Rename a tag; renaming onto an existing tag merges the two."""
        new = _clean_tag(new)
        tag_id, ids = self._existing_tag(old)
        target_id = _tag_id(self.db.conn, new)
        merging = target_id is not None and target_id != tag_id
        text = (
            f"merged tag {old.strip()} into {new}"
            if merging
            else f"renamed tag {old.strip()} to {new}"
        )
        with self._undoable("tags", text, ids) as db:
            if not merging:
                db.conn.execute("UPDATE tags SET name = ? WHERE id = ?", [new, tag_id])
            else:
                db.conn.execute(
                    "INSERT OR IGNORE INTO paper_tags (paper_id, tag_id) "
                    "SELECT paper_id, ? FROM paper_tags WHERE tag_id = ?",
                    [target_id, tag_id],
                )
                db.conn.execute("DELETE FROM tags WHERE id = ?", [tag_id])
        self._changed()
        return Changes("tags", ids, text)

    def _existing_tag(self, name: str) -> tuple[int, list[int]]:
        """A tag's id and the papers carrying it; UserError when there is no such tag."""
        tag_id = _tag_id(self.db.conn, name.strip())
        if tag_id is None:
            raise UserError(f"no tag named {name.strip()!r}")
        ids = [
            r[0]
            for r in self.db.execute("SELECT paper_id FROM paper_tags WHERE tag_id = ?", [tag_id])
        ]
        return tag_id, ids

    def delete_tag(self, name: str) -> Changes:
        tag_id, ids = self._existing_tag(name)
        text = f"deleted tag {name.strip()} from {_n_papers(len(ids))}"
        with self._undoable("tags", text, ids) as db:
            db.conn.execute("DELETE FROM paper_tags WHERE tag_id = ?", [tag_id])
            db.conn.execute("DELETE FROM tags WHERE id = ?", [tag_id])
        self._changed()
        return Changes("tags", ids, f"deleted tag {name.strip()} from {_n_papers(len(ids))}")

    def setting(self, name: str) -> Any:
        from readinglist.core import settings

        if name not in settings.SETTINGS:
            raise UserError(f"unknown setting {name!r}: use one of {', '.join(settings.SETTINGS)}")
        row = self.db.execute("SELECT value FROM settings WHERE name = ?", [name]).fetchone()
        return settings.decode(name, row[0] if row else None)

    def set_setting(self, name: str, value: Any) -> Changes:
        from readinglist.core import settings

        if name not in settings.SETTINGS:
            raise UserError(f"unknown setting {name!r}: use one of {', '.join(settings.SETTINGS)}")
        expected = type(settings.SETTINGS[name].default)
        if type(value) is not expected:
            kind = {dict: "a JSON object", str: "a JSON string", bool: "true or false"}
            raise UserError(f"{name} must be {kind.get(expected, expected.__name__)}")
        with self._write() as db:
            db.conn.execute(
                "INSERT INTO settings (name, value) VALUES (?, ?) "
                "ON CONFLICT(name) DO UPDATE SET value = excluded.value",
                [name, json.dumps(value)],
            )
        return Changes("setting", [], f"set {name}")

    def data_version(self) -> int:
        """Changes whenever another connection (the CLI, another process) commits."""
        return int(self.db.execute("PRAGMA data_version").fetchone()[0])

    def set_note(self, paper_id: int, note: str) -> Changes:
        ids = self._check_ids([paper_id])
        with self._undoable("note", f"edited the note of paper {paper_id}", ids) as db:
            db.conn.execute("UPDATE papers SET note = ? WHERE id = ?", [note, paper_id])
        self._changed()
        return Changes("note", ids, f"edited the note of paper {paper_id}")

    def delete(self, ids: Sequence[int]) -> Changes:
        ids = self._check_ids(ids)
        with self._undoable("delete", f"deleted {_n_papers(len(ids))}", ids) as db:
            db.conn.executemany("DELETE FROM papers WHERE id = ?", [(pid,) for pid in ids])
            db.conn.execute(
                "DELETE FROM tags WHERE NOT EXISTS "
                "(SELECT 1 FROM paper_tags WHERE tag_id = tags.id)"
            )
        self._changed()
        return Changes("delete", ids, f"deleted {_n_papers(len(ids))}")

    # --- undo ----------------------------------------------------------------

    def _state(self, conn: sqlite3.Connection, ids: Iterable[int]) -> dict[str, Any]:
        """Everything about these papers that an undo must put back."""
        ids = list(dict.fromkeys(ids))
        state: dict[str, Any] = {str(i): None for i in ids}
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            cur = conn.execute(f"SELECT * FROM papers WHERE id IN ({marks})", chunk)
            cols = [d[0] for d in cur.description]
            for row in cur:
                state[str(row[0])] = {
                    "row": dict(zip(cols, row, strict=True)),
                    "tags": [],
                    "batches": [],
                }
            for pid, name in conn.execute(
                "SELECT pt.paper_id, t.name FROM paper_tags pt JOIN tags t ON t.id = pt.tag_id "
                f"WHERE pt.paper_id IN ({marks})",
                chunk,
            ):
                state[str(pid)]["tags"].append(name)
            for pid, bid, how in conn.execute(
                f"SELECT paper_id, batch_id, how FROM paper_batches WHERE paper_id IN ({marks})",
                chunk,
            ):
                state[str(pid)]["batches"].append([bid, how])
        return state

    def _restore(self, conn: sqlite3.Connection, state: dict[str, Any]) -> None:
        for key, item in state.items():
            pid = int(key)
            conn.execute("DELETE FROM papers WHERE id = ?", [pid])
            if item is None:
                continue
            row = dict(item["row"])
            if (
                row.get("batch_id") is not None
                and not conn.execute(
                    "SELECT 1 FROM batches WHERE id = ?", [row["batch_id"]]
                ).fetchone()
            ):
                row["batch_id"] = None
            cols = ", ".join(row)
            conn.execute(
                f"INSERT INTO papers ({cols}) VALUES ({','.join('?' * len(row))})",
                list(row.values()),
            )
            for name in item["tags"]:
                tag_id = _tag_id(conn, name, create=True)
                conn.execute(
                    "INSERT OR IGNORE INTO paper_tags (paper_id, tag_id) VALUES (?, ?)",
                    [pid, tag_id],
                )
            for bid, how in item["batches"]:
                conn.execute(
                    "INSERT OR IGNORE INTO paper_batches (paper_id, batch_id, how) "
                    "SELECT ?, ?, ? WHERE EXISTS (SELECT 1 FROM batches WHERE id = ?)",
                    [pid, bid, how, bid],
                )
        conn.execute(
            "DELETE FROM tags WHERE NOT EXISTS (SELECT 1 FROM paper_tags WHERE tag_id = tags.id)"
        )

    def _record(
        self,
        conn: sqlite3.Connection,
        kind: str,
        description: str,
        ids: list[int],
        before: dict[str, Any],
        after: dict[str, Any] | None,
    ) -> None:
        # A new change after undoing makes the undone steps unreachable: drop them.
        conn.execute("DELETE FROM undo_steps WHERE state = 'undone'")
        conn.execute(
            "INSERT INTO undo_steps (kind, description, created_at, ids, before, after) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [
                kind,
                description,
                now_iso(),
                json.dumps(ids),
                json.dumps(before, ensure_ascii=False),
                None if after is None else json.dumps(after, ensure_ascii=False),
            ],
        )

    @contextmanager
    def _undoable(
        self, kind: str, description: str, ids: list[int]
    ) -> Iterator[sqlite_utils.Database]:
        """A write transaction whose effect on ``ids`` can be undone and redone."""
        with self._write() as db:
            before = self._state(db.conn, ids)
            yield db
            self._record(db.conn, kind, description, ids, before, self._state(db.conn, ids))

    def undo(self) -> Changes:
        """Undo the latest change (also one made in an earlier session)."""
        with self._write() as db:
            row = db.conn.execute(
                "SELECT id, kind, description, ids, before, after FROM undo_steps "
                "WHERE state = 'done' ORDER BY id DESC LIMIT 1"
            ).fetchone()
            if row is None:
                raise UserError("nothing to undo")
            step, kind, description, ids, before, after = row
            if after is None:  # an import: keep what it added, for redo
                after_state = self._state(db.conn, json.loads(ids))
                db.conn.execute(
                    "UPDATE undo_steps SET after = ? WHERE id = ?",
                    [json.dumps(after_state, ensure_ascii=False), step],
                )
            self._restore(db.conn, json.loads(before))
            db.conn.execute("UPDATE undo_steps SET state = 'undone' WHERE id = ?", [step])
        self._changed()
        return Changes(kind, json.loads(ids), f"Undid: {description}")

    def redo(self) -> Changes:
        """Redo the change undone last."""
        with self._write() as db:
            row = db.conn.execute(
                "SELECT id, kind, description, ids, after FROM undo_steps "
                "WHERE state = 'undone' ORDER BY id ASC LIMIT 1"
            ).fetchone()
            if row is None:
                raise UserError("nothing to redo")
            step, kind, description, ids, after = row
            self._restore(db.conn, json.loads(after))
            db.conn.execute("UPDATE undo_steps SET state = 'done' WHERE id = ?", [step])
        self._changed()
        return Changes(kind, json.loads(ids), f"Redid: {description}")

    # --- citation keys and export --------------------------------------------

    def set_citekey(self, paper_id: int, key: str) -> Changes:
        """Give a paper a citation key of the user's choosing (pinned from then on)."""
        key = key.strip()
        if not valid_citekey(key):
            raise UserError(
                f"{key!r} is not a usable citation key: use ASCII letters, digits and _ : . / + -"
            )
        self._check_ids([paper_id])
        row = self.db.execute(
            "SELECT id FROM papers WHERE citekey = ? COLLATE NOCASE AND id != ?", [key, paper_id]
        ).fetchone()
        if row:
            raise UserError(f"the citation key {key!r} is already used by paper {row[0]}")
        text = f"set the citation key of paper {paper_id} to {key}"
        with self._undoable("citekey", text, [paper_id]) as db:
            db.conn.execute(
                "UPDATE papers SET citekey = ?, citekey_source = 'user' WHERE id = ?",
                [key, paper_id],
            )
        self._changed()
        return Changes("citekey", [paper_id], f"set the citation key of paper {paper_id} to {key}")

    def select(
        self,
        query_text: str | None = None,
        tags: Iterable[str] = (),
        ids: Iterable[int] | None = None,
        status: Status | str | None = None,
    ) -> list[Paper]:
        """Papers for an export: a search, tags (any of them), ids, a status; every
        filter given applies. With no filter, the whole library. Search results keep
        their rank order; otherwise papers come by id."""
        tags = [t.strip() for t in tags if t.strip()]
        chosen: list[int] | None = None
        if query_text and query_text.strip():
            outcome = self.search(query_text, limit=None)
            if outcome.notice:
                self.index_notice = outcome.notice
            chosen = [h.paper.id for h in outcome.hits]
        if ids is not None:
            wanted = self._check_ids(list(ids))
            wanted_set = set(wanted)
            chosen = wanted if chosen is None else [i for i in chosen if i in wanted_set]
        where, params = self._filters(status, None, None, None)
        clauses = [where[len("WHERE ") :]] if where else []
        if tags:
            for tag in tags:
                self._existing_tag(tag)
            clauses.append(
                "id IN (SELECT pt.paper_id FROM paper_tags pt JOIN tags t ON t.id = pt.tag_id "
                f"WHERE t.name COLLATE NOCASE IN ({','.join('?' * len(tags))}))"
            )
            params.extend(tags)
        sql = "SELECT id FROM papers" + (" WHERE " + " AND ".join(clauses) if clauses else "")
        allowed = [r[0] for r in self.db.execute(sql + " ORDER BY id", params)]
        if chosen is not None:
            allowed_set = set(allowed)
            allowed = [i for i in chosen if i in allowed_set]
        return self.get_many(allowed)

    def export_bibtex(
        self,
        papers: list[Paper],
        abstract: bool = True,
        with_notes: bool = False,
        ascii_only: bool = False,
    ) -> str:
        """BibTeX for papers; their keys count as exported from now on (never regenerated)."""
        from readinglist.core import bibtex

        text = bibtex.bibtex(
            papers, abstract=abstract, with_notes=with_notes, ascii_only=ascii_only
        )
        if papers:
            now = now_iso()
            with self._write() as db:
                db.conn.executemany(
                    "UPDATE papers SET exported_at = ? WHERE id = ? AND exported_at IS NULL",
                    [(now, p.id) for p in papers],
                )
        return text

    # --- the search index ----------------------------------------------------

    # --- metadata from arXiv -----------------------------------------------------

    def enrich_targets(
        self, query_text: str | None = None, ids: Iterable[int] | None = None
    ) -> list[Paper]:
        """The papers to complete: those chosen, else every paper missing authors or year."""
        if (query_text and query_text.strip()) or ids is not None:
            return self.select(query_text, ids=ids)
        rows = self.db.execute(
            "SELECT id FROM papers WHERE authors = '[]' OR year IS NULL ORDER BY id"
        )
        return self.get_many([r[0] for r in rows])

    def to_complete_after_import(self, report: ImportReport) -> list[Paper]:
        """The papers an import added that lack authors or a year, when the
        ``enrich_after_import`` setting asks for them to be completed."""
        if not report.added or report.dry_run or not self.setting("enrich_after_import"):
            return []
        added = self.get_many_existing(report.paper_ids[: report.added])
        return [p for p in added if not p.authors or not p.year]

    def arxiv_client(self, **options: Any) -> arxiv_api.Client:
        """A client for the configured API (setting, or READINGLIST_ARXIV_API),
        caching answers in the library folder."""
        from readinglist.core import arxiv_api

        return arxiv_api.Client(
            arxiv_api.api_url(self.setting("arxiv_api")),
            cache_dir=self.folder / "cache" / "arxiv",
            **options,
        )

    def enrich(
        self,
        papers: Sequence[Paper],
        client: arxiv_api.Client | None = None,
        progress: Progress | None = None,
    ) -> EnrichReport:
        """Look the papers up on arXiv and fill their empty fields (one undo step).
        Raises ArxivUnreachable, changing nothing, when the network fails."""
        from readinglist.core import arxiv_api

        wanted = [arxiv_api.Wanted.of(p) for p in papers]
        lookup = arxiv_api.look_up(wanted, client or self.arxiv_client(), progress)
        return self.apply_enrichment(lookup)

    def apply_enrichment(self, lookup: arxiv_api.Lookup) -> EnrichReport:
        """Apply certain findings with the import merge rules: empty fields are
        filled, nothing the user set is overwritten. Safe to call on a lookup
        made earlier (in another thread): it reads the papers afresh."""
        report = EnrichReport(requests=lookup.requests)
        with self._write() as db:
            conn = db.conn
            updates: dict[int, dict[str, Any]] = {}
            titles: dict[int, str] = {}
            for finding in lookup.findings:
                pid, draft = finding.paper_id, finding.draft
                if draft is None:
                    report.left_alone.append((pid, finding.title, finding.reason))
                    continue
                if not conn.execute("SELECT 1 FROM papers WHERE id = ?", [pid]).fetchone():
                    report.left_alone.append((pid, finding.title, "deleted meanwhile"))
                    continue
                owner = None
                if draft.arxiv_id:
                    owner = conn.execute(
                        "SELECT id FROM papers WHERE arxiv_id = ? AND id != ?",
                        [draft.arxiv_id, pid],
                    ).fetchone()
                if owner is None and draft.doi:
                    owner = conn.execute(
                        "SELECT id FROM papers WHERE lower(doi) = lower(?) AND id != ?",
                        [draft.doi, pid],
                    ).fetchone()
                if owner is not None:
                    report.left_alone.append(
                        (
                            pid,
                            finding.title,
                            f"paper {owner[0]} already is arXiv:{draft.arxiv_id}; "
                            "probably a duplicate of it (left alone)",
                        )
                    )
                    continue
                change = self._merge_updates(conn, pid, draft)
                if change:
                    updates[pid] = change
                    titles[pid] = finding.title
                else:
                    report.unchanged.append((pid, finding.title))
            if not updates:
                return report
            ids = list(updates)
            before = self._state(conn, ids)
            now = now_iso()
            cur = conn.execute(
                "INSERT INTO batches (source, format, created_at, merged) VALUES (?, ?, ?, ?)",
                [f"arXiv API ({lookup.source})", "arxiv-api", now, len(ids)],
            )
            report.batch_id = int(cur.lastrowid or 0)
            conn.execute(
                "INSERT INTO batch_texts (batch_id, raw_text) VALUES (?, ?)",
                [report.batch_id, "\n".join(lookup.feeds)],
            )
            taken = {
                k.lower()
                for (k,) in conn.execute("SELECT citekey FROM papers WHERE citekey IS NOT NULL")
            }
            for pid, change in updates.items():
                if "authors" in change or "year" in change:
                    self._maybe_regenerate_key(conn, pid, change, taken)
                assignments = ", ".join(f"{k} = ?" for k in change)
                conn.execute(
                    f"UPDATE papers SET {assignments} WHERE id = ?", [*change.values(), pid]
                )
                fields = [k for k in change if k not in ("citekey_source", "extra")]
                report.changed.append((pid, titles[pid], fields))
            conn.executemany(
                "INSERT OR IGNORE INTO paper_batches (paper_id, batch_id, how) "
                "VALUES (?, ?, 'merged')",
                [(pid, report.batch_id) for pid in ids],
            )
            description = f"completed {_n_papers(len(ids))} from arXiv"
            self._record(conn, "enrich", description, ids, before, self._state(conn, ids))
            conn.execute(
                "UPDATE batches SET unchanged = ?, skipped = ?, report = ? WHERE id = ?",
                [
                    len(report.unchanged),
                    len(report.left_alone),
                    json.dumps(report.to_json(), ensure_ascii=False),
                    report.batch_id,
                ],
            )
        self._changed()
        return report

    def ranked_search(self, text: str, limit: int, rest: bool = False) -> Any:
        """The index's own result (ids, not papers): the best ``limit`` ranked, with
        ``rest`` every other match newest first (the app's result list)."""
        return self._index().search(text, limit=limit, rest=rest)

    def quick_check(self) -> str:
        """SQLite's ``PRAGMA quick_check`` of the database: "ok" or what is wrong."""
        return str(self.db.execute("PRAGMA quick_check").fetchone()[0])

    def cite(self, ids: Sequence[int]) -> str:
        """``\\cite{key1,key2}`` for these papers; their keys count as exported from
        now on (pinned), as with an export: a later import never renames them."""
        from readinglist.core import bibtex

        papers = self.get_many(self._check_ids(ids))
        self.export_bibtex(papers)
        return bibtex.cite_command(papers)

    def _index(self) -> SearchIndex:
        if self.search_index is None:
            raise UserError("this library was opened without its search index")
        return self.search_index

    def pending_index_changes(self) -> int:
        return int(
            self.db.execute("SELECT count(DISTINCT paper_id) FROM index_queue").fetchone()[0]
        )

    def ensure_index(self, progress: Progress | None = None) -> str:
        """Open the index, catch it up, and rebuild it if it is missing or damaged.

        Returns (and keeps in ``index_notice``) a sentence for the user, or "".
        """
        from readinglist.core.search import SearchIndex

        if self.search_index is None:
            self.search_index = SearchIndex(self.folder / "index")
        with self._index_lock():
            return self._ensure_index(progress)

    @contextmanager
    def _index_lock(self, wait: bool = True) -> Iterator[int]:
        """Hold the library's index lock (see core/locks.py); re-entrant."""
        if self._index_lock_fd is not None:
            yield self._index_lock_fd
            return
        from readinglist.core import locks

        with ExitStack() as stack:
            try:
                fd = stack.enter_context(locks.exclusive(self.folder / "index.lock", wait=wait))
            except OSError as exc:
                raise LibraryError(
                    f"cannot update the search index in {self.folder}: {exc.strerror} "
                    "(a read-only disk, a full disk or no write permission)"
                ) from exc
            self._index_lock_fd = fd
            try:
                yield fd
            finally:
                self._index_lock_fd = None

    def _ensure_index(self, progress: Progress | None) -> str:
        from readinglist.core.search import IndexCorrupt

        assert self.search_index is not None
        ix = self.search_index
        notice = ""
        if not ix.exists():
            if self.count():
                notice = "the search index was missing; rebuilt it from the library"
            self._requeue_all(ix)
        try:
            self.sync_index(progress)
            ix.probe(self.count())
        except IndexCorrupt as exc:
            moved = ix.move_aside()
            notice = f"the search index was damaged ({exc}); rebuilt it from the library"
            if moved:
                notice += f" (the damaged copy is in {moved.name})"
            self._requeue_all(ix)
            self.sync_index(progress)
        self.index_notice = notice
        return notice

    def _requeue_all(self, ix: SearchIndex) -> None:
        ix.create()
        with self._write() as db:
            db.conn.execute("DELETE FROM index_queue")
            db.conn.execute("INSERT INTO index_queue (paper_id) SELECT id FROM papers")

    def sync_index(
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
            with self._index_lock(wait=wait):
                return self._sync_index(progress, in_process)
        except Busy:
            return -1

    def _sync_index(self, progress: Progress | None, in_process: bool) -> int:
        from readinglist.core.search import IndexCorrupt

        ix = self._index()
        row = self.db.execute(
            "SELECT max(seq), count(DISTINCT paper_id) FROM index_queue"
        ).fetchone()
        top, pending = row
        if top is None:
            return 0
        if pending >= BULK_INDEX and not in_process:
            assert self._index_lock_fd is not None
            self._sync_in_child(progress, self._index_lock_fd)
            ix.close()  # reopen to see the child's commit
            return int(pending)
        ids = [
            r[0]
            for r in self.db.execute(
                "SELECT DISTINCT paper_id FROM index_queue WHERE seq <= ?", [top]
            )
        ]
        try:
            rows = self._index_rows(ids)
            deleted = [pid for pid in ids if pid not in rows]
            from readinglist.core.search import document

            bulk = len(rows) >= BULK_INDEX
            if bulk and ix.ix.doc_count_all() > 0:
                # Remove the old versions first (one ordinary commit), then add the
                # new ones with the multi-process writer (which cannot replace).
                ix.apply([], ids)
            if bulk:
                deleted = []
            ix.apply(
                (document(r) for r in rows.values()),
                deleted,
                bulk=bulk,
                total=len(rows),
                progress=progress,
            )
        except IndexCorrupt:
            raise
        except (OSError, ValueError, EOFError, KeyError) as exc:
            raise IndexCorrupt(f"{type(exc).__name__}: {exc}") from exc
        with self._write() as db:
            db.conn.execute("DELETE FROM index_queue WHERE seq <= ?", [top])
        if progress:
            progress(len(ids), len(ids))
        return len(ids)

    def _sync_in_child(self, progress: Progress | None, lock_fd: int) -> None:
        import subprocess
        import sys

        # The child inherits the index lock's descriptor (POSIX): if this process
        # is killed, the lock stays held until the child is done too.
        proc = subprocess.Popen(
            [sys.executable, "-m", "readinglist.core.indexer", str(self.folder)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            pass_fds=(lock_fd,) if os.name == "posix" else (),
            env={**os.environ, "READINGLIST_INDEX_LOCK_HELD": "1"},
        )
        assert proc.stdout is not None
        for line in proc.stdout:
            parts = line.split()
            if len(parts) == 3 and parts[0] == "progress" and progress:
                progress(int(parts[1]), int(parts[2]))
        err = proc.stderr.read() if proc.stderr else ""
        if proc.wait() != 0:
            raise LibraryError(
                f"indexing failed: {err.strip().splitlines()[-1] if err else proc.returncode}"
            )

    def _index_rows(self, ids: list[int]) -> dict[int, dict[str, Any]]:
        rows: dict[int, dict[str, Any]] = {}
        cols = (
            "id",
            "title",
            "abstract",
            "authors",
            "year",
            "arxiv_id",
            "categories",
            "status",
            "starred",
            "added_at",
            "note",
            "batch_id",
        )
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for r in self.db.execute(
                f"SELECT {', '.join(cols)} FROM papers WHERE id IN ({marks})", chunk
            ):
                row = dict(zip(cols, r, strict=True))
                row["authors"] = json.loads(row["authors"])
                row["categories"] = json.loads(row["categories"])
                row["tags"] = []
                row["batches"] = [row["batch_id"]] if row["batch_id"] else []
                rows[row["id"]] = row
            for pid, name in self.db.execute(
                "SELECT pt.paper_id, t.name FROM paper_tags pt JOIN tags t ON t.id = pt.tag_id "
                f"WHERE pt.paper_id IN ({marks})",
                chunk,
            ):
                rows[pid]["tags"].append(name)
            for pid, bid in self.db.execute(
                f"SELECT paper_id, batch_id FROM paper_batches WHERE paper_id IN ({marks})", chunk
            ):
                rows[pid]["batches"].append(bid)
        return rows

    def _changed(self) -> None:
        """After a committed change: the index follows within the same operation."""
        if self.search_index is not None:
            from readinglist.core.search import IndexCorrupt

            try:
                self.sync_index()
            except (UserError, OSError, IndexCorrupt) as exc:
                raise LibraryError(f"the change is saved, but {_index_behind(exc)}") from exc

    def reindex(self, progress: Progress | None = None) -> int:
        """Rebuild the search index from SQLite."""
        with self._index_lock():
            ix = self._index()
            self._requeue_all(ix)
            return self.sync_index(progress)

    def check(self, repair: bool = False, progress: Progress | None = None) -> dict[str, Any]:
        """Whether database and index agree; with ``repair``, make them agree."""

        ix = self._index()
        ids = {r[0] for r in self.db.execute("SELECT id FROM papers")}
        report: dict[str, Any] = {"papers": len(ids), "pending": self.pending_index_changes()}
        try:
            listed = ix.indexed_ids()
            indexed = set(listed)
            problem = ""
            if len(listed) != len(indexed):
                problem = f"{len(listed) - len(indexed)} papers are in the index twice"
        except Exception as exc:
            indexed = set()
            problem = f"the index cannot be read ({type(exc).__name__}: {exc})"
        report["indexed"] = len(indexed)
        report["missing"] = sorted(ids - indexed)[:20]
        report["missing_count"] = len(ids - indexed)
        report["extra"] = sorted(indexed - ids)[:20]
        report["extra_count"] = len(indexed - ids)
        report["problem"] = problem
        report["ok"] = not problem and ids == indexed and report["pending"] == 0
        if repair and not report["ok"]:
            with self._index_lock():
                self._repair(report, problem, progress)
            after = self.check(repair=False)
            report["repaired"] = after["ok"]
        return report

    def _repair(self, report: dict[str, Any], problem: str, progress: Progress | None) -> None:
        from readinglist.core.search import IndexCorrupt

        ix = self._index()
        try:
            if problem or report["missing_count"] or report["extra_count"]:
                raise IndexCorrupt(problem or "the index disagrees with the library")
            self.sync_index(progress)
        except IndexCorrupt:
            ix.move_aside()
            self.reindex(progress)

    def warm_search(self) -> None:
        """Prepare the common filters (is:unread…) so the first filtered search is
        as fast as the rest; for long-lived processes (the app), off the GUI thread."""
        self._index().warm()

    def search(self, text: str, limit: int | None = 50, snippets: bool = False) -> SearchOutcome:
        """Papers matching a query, best first (see README: query language)."""
        from readinglist.core.search import highlight_text

        result = self._index().search(text, limit=limit)
        ids = [h.paper_id for h in result.hits]
        papers = {p.id: p for p in self.get_many_existing(ids)}
        hits = [SearchHit(papers[h.paper_id], h.score) for h in result.hits if h.paper_id in papers]
        terms = set().union(*result.terms.values()) if result.terms else set()
        if snippets and terms:
            for hit in hits:
                hit.snippets = {
                    "title": highlight_text(hit.paper.title, terms, "title", whole=True),
                    "abstract": highlight_text(hit.paper.abstract, terms, "abstract"),
                }
        return SearchOutcome(hits, result.total, result.notice, terms)

    def highlight(self, text: str, terms: set[str], whole: bool = True) -> str:
        """Mark the words of ``text`` matching a search's terms (see SearchOutcome.terms)."""
        from readinglist.core.search import highlight_text

        return highlight_text(text, terms, whole=whole)

    def similar(self, paper_id: int, limit: int = 10) -> list[SearchHit]:
        """Papers most like this one by title and abstract, excluding itself."""
        paper = self.get(paper_id)
        hits = self._index().similar(paper_id, paper.title + "\n" + paper.abstract, limit=limit)
        papers = {p.id: p for p in self.get_many_existing([h.paper_id for h in hits])}
        return [
            SearchHit(papers[h.paper_id], h.score)
            for h in hits
            if h.paper_id in papers and h.paper_id != paper_id
        ]

    def get_many_existing(self, ids: Iterable[int]) -> list[Paper]:
        """Like get_many, silently leaving out ids that no longer exist."""
        ids = list(ids)
        if not ids:
            return []
        found: dict[int, Paper] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            rows = self.db.execute(
                f"SELECT {_PAPER_COLUMNS} FROM papers WHERE id IN ({','.join('?' * len(chunk))})",
                chunk,
            ).fetchall()
            tags = self._tags_for(chunk)
            for row in rows:
                found[row[0]] = self._row_to_paper(row, tags.get(row[0], []))
        return [found[i] for i in ids if i in found]

    # --- saved searches ------------------------------------------------------

    def saved_searches(self) -> list[tuple[str, str]]:
        return [
            (n, q)
            for n, q in self.db.execute(
                "SELECT name, query FROM saved_searches ORDER BY name COLLATE NOCASE"
            )
        ]

    def save_search(self, name: str, query_text: str) -> Changes:
        name = " ".join(name.split())
        if not name:
            raise UserError("a saved search needs a name")
        if not query_text.strip():
            raise UserError("a saved search needs a query")
        with self._write() as db:
            db.conn.execute(
                "INSERT INTO saved_searches (name, query, created_at) VALUES (?, ?, ?) "
                "ON CONFLICT(name) DO UPDATE SET query = excluded.query",
                [name, query_text, now_iso()],
            )
        return Changes("saved_search", [], f"saved search {name!r}")

    def saved_search(self, name: str) -> str:
        row = self.db.execute(
            "SELECT query FROM saved_searches WHERE name = ? COLLATE NOCASE", [name.strip()]
        ).fetchone()
        if row is None:
            raise UserError(f"no saved search named {name!r}")
        return str(row[0])

    def remove_saved_search(self, name: str) -> Changes:
        self.saved_search(name)
        with self._write() as db:
            db.conn.execute(
                "DELETE FROM saved_searches WHERE name = ? COLLATE NOCASE", [name.strip()]
            )
        return Changes("saved_search", [], f"removed saved search {name!r}")


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


class _Rollback(Exception):
    """Raised inside a transaction to undo it on purpose (dry runs, no-op imports)."""


def _dumps(value: Any) -> str:
    if not value:
        return "{}" if isinstance(value, dict) else "[]"
    return json.dumps(value, ensure_ascii=False)


def _n_papers(n: int) -> str:
    return f"{n} paper" if n == 1 else f"{n:,} papers"


def _tag_id(conn: sqlite3.Connection, name: str, create: bool = False) -> int | None:
    """The id of a tag, ignoring case; created when missing if asked."""
    row = conn.execute("SELECT id FROM tags WHERE name = ? COLLATE NOCASE", [name]).fetchone()
    if row is not None:
        return int(row[0])
    if not create:
        return None
    return int(conn.execute("INSERT INTO tags (name) VALUES (?)", [name]).lastrowid or 0)


def _clean_tag(name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise UserError("a tag name cannot be empty")
    if len(name) > 100:
        raise UserError("a tag name can be at most 100 characters")
    return name


def _fill_extra(extra: dict[str, Any], more: dict[str, Any]) -> bool:
    """Fill missing keys of ``extra`` (one level into dicts such as "bibtex")."""
    changed = False
    for key, value in more.items():
        if key not in extra:
            extra[key] = value
            changed = True
        elif isinstance(extra[key], dict) and isinstance(value, dict):
            for sub, sub_value in value.items():
                if sub_value and not extra[key].get(sub):
                    extra[key][sub] = sub_value
                    changed = True
    return changed


def same_paper(
    draft: PaperDraft,
    arxiv_id: str | None,
    doi: str | None,
    authors: list[str],
    year: int | None,
) -> bool:
    """Whether a draft with the same normalized title as a paper is that paper."""
    if draft.arxiv_id and arxiv_id and draft.arxiv_id != arxiv_id:
        return False
    if draft.doi and doi and draft.doi.lower() != doi.lower():
        return False
    if draft.year and year and abs(draft.year - year) > 1:
        return False
    if draft.authors and authors:
        mine = {citekeys.ascii_fold(citekeys.family_name(a)).lower() for a in draft.authors}
        theirs = {citekeys.ascii_fold(citekeys.family_name(a)).lower() for a in authors}
        if not mine & theirs:
            return False
    return True


_COMPRESS_FROM = 1 << 20  # characters; small texts stay readable in the database
# Listings this long are parsed by a child process while this one stores them:
# starting it costs about 0.2 s, parsing 100,000 papers (150 MB) about 2 s.
_PIECES_FROM = 16 << 20  # characters
_PIECE_CHARS_PER_PAPER = 4000  # more than nearly any listed paper (about 1,500 here)
_LOCAL_PIECES = 3  # parsed here while the child process starts


def _drop_for_bulk(conn: sqlite3.Connection) -> list[str]:
    """Drop the papers indexes and trigger rebuilt after a bulk insert; their SQL.

    Filling a table far bigger than it was: building the secondary indexes once,
    sorted, beats updating them row by row (about 2.5 s of 8 s for 100,000
    papers), and one INSERT ... SELECT into the index queue beats its per-row
    trigger (which halved the insert rate). Same transaction, so still atomic,
    and the schema is whole again before the commit (_queue_and_rebuild)."""
    rebuild: list[str] = []
    for kind, name, sql in conn.execute(
        "SELECT type, name, sql FROM sqlite_master WHERE tbl_name = 'papers' AND sql IS NOT NULL"
    ).fetchall():
        if name in _REBUILT_FOR_BULK:
            rebuild.append(sql)
            conn.execute(f"DROP {kind} {name}")
    return rebuild


def _queue_and_rebuild(conn: sqlite3.Connection, last_id: int, rebuild: list[str]) -> None:
    """After a bulk insert: queue the new papers for the index, restore the schema."""
    conn.execute("INSERT INTO index_queue (paper_id) SELECT id FROM papers WHERE id > ?", [last_id])
    for sql in rebuild:
        conn.execute(sql)


@contextmanager
def _unchecked(conn: sqlite3.Connection) -> Iterator[None]:
    """Inserts that skip the papers table's CHECK constraints.

    They use IN lists, which SQLite builds again for every row of an
    executemany: half the insert time of 100,000 papers (1.0 of 2.0 s,
    measured). Every value the importers insert is valid by construction
    (status and starred take their defaults; citekey_source is "imported" or
    "generated"); tests run integrity_check, which verifies every CHECK, on
    imported libraries. (Inserting from a second thread while this one builds
    rows was slower: both need the GIL for every row.)"""
    conn.execute("PRAGMA ignore_check_constraints = ON")
    try:
        yield
    finally:
        conn.execute("PRAGMA ignore_check_constraints = OFF")


class _NotInPieces(Exception):
    """A big listing that the piecewise import does not take (see _store_pieces)."""


class _ParseWorker:
    """``python -m readinglist.core.parse_worker``: parses the pieces of a listing
    sent to it, while this process stores the pieces it sent back."""

    command = (sys.executable, "-m", "readinglist.core.parse_worker")

    def __init__(self, text: str) -> None:
        import tempfile

        # The pieces and the papers go through temporary files; the pipes only say
        # where each one is. Through a pipe, 150 MB would block every 64 KB: the
        # child could not parse ahead, and this process's feeding thread would
        # wait for the GIL each time.
        # Both opened here, before the child starts: the child removes the files
        # once it has them open too (where the system allows it), so that nothing
        # is left behind even if both processes are killed.
        self._paths: list[Path] = []
        handles = []
        for suffix, mode in ((".txt", "wb"), (".papers", "rb")):
            handle, name = tempfile.mkstemp(prefix="readinglist-import-", suffix=suffix)
            handles.append(os.fdopen(handle, mode))
            self._paths.append(Path(name))
        self._text_out, self._papers_in = handles
        try:
            self._proc = subprocess.Popen(
                (*self.command, *map(str, self._paths)),
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
            )
        except OSError:
            self._remove_files()
            raise
        self._finished = False
        from readinglist.core.importers.listing import listing_pieces
        from readinglist.core.parse_worker import PIECE_CHARS

        # This process parses the first pieces itself while the child starts
        # (about 0.2 s), the child all the others.
        self._text = text
        cuts = listing_pieces(text, PIECE_CHARS)  # the rest is found by the feeder
        self._local = list(itertools.islice(cuts, _LOCAL_PIECES))
        self._feeder = threading.Thread(target=self._feed, args=(text, cuts), daemon=True)
        self._feeder.start()

    def _feed(self, text: str, pieces: Iterator[tuple[int, int, int]]) -> None:
        from readinglist.core.parse_worker import write_frame

        stdin = self._proc.stdin
        assert stdin is not None
        try:
            with self._text_out as out:
                for start, end, line in pieces:
                    data = text[start:end].encode("utf-8", "surrogatepass")
                    offset = out.tell()
                    out.write(data)
                    out.flush()  # in the file before the child hears of it
                    write_frame(stdin, (line, start == 0, end, offset, len(data)))
            stdin.close()
        except (OSError, ValueError):
            pass  # the child is gone (or closed): pieces() sees it

    def pieces(self) -> Iterator[tuple[list[Any], list[tuple[int, str]], int]]:
        """(papers, skipped parts, where in the text the piece ends) for each piece."""
        from readinglist.core.parse_worker import parsed, read_frames

        for start, end, line in self._local:
            yield parsed(self._text[start:end], line, start == 0, end)
        assert self._proc.stdout is not None
        try:
            with self._papers_in as papers:
                for offset, size in read_frames(self._proc.stdout):
                    papers.seek(offset)
                    yield pickle.loads(papers.read(size))
        except (ValueError, TypeError, EOFError, pickle.UnpicklingError) as exc:
            raise _NotInPieces from exc
        self._finished = True

    def _remove_files(self) -> None:
        for stream in (self._text_out, self._papers_in):
            stream.close()
        for path in self._paths:
            path.unlink(missing_ok=True)

    def succeeded(self) -> bool:
        return self._finished and self._proc.wait() == 0

    def close(self) -> None:
        if self._proc.poll() is None:
            self._proc.kill()
        self._proc.wait()
        self._feeder.join()
        self._remove_files()
        for stream in (self._proc.stdin, self._proc.stdout):
            if stream is not None:
                try:
                    stream.close()
                except OSError:
                    pass


class _Compressor:
    """zlib-compresses a text in a background thread (zlib releases the GIL)."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._packed: bytes | None = None
        self._thread = threading.Thread(target=self._run, name="compress", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        text, step = self._text, 1 << 20
        try:
            packer = zlib.compressobj(1)
            # Encoded a megabyte at a time: encode() holds the GIL, and 150 MB at
            # once stalled the importing thread for 0.12 s.
            parts = [
                packer.compress(text[i : i + step].encode()) for i in range(0, len(text), step)
            ]
            parts.append(packer.flush())
            self._packed = b"".join(parts)
        except (UnicodeError, MemoryError):
            self._packed = None  # stored as text instead

    def result(self) -> str | bytes:
        self._thread.join()
        return self._packed if self._packed is not None else self._text


def _index_behind(exc: BaseException) -> str:
    reason = getattr(exc, "strerror", None) or str(exc).rsplit(": ", 1)[-1]
    return (
        f"the search index could not be updated ({reason}); it catches up by itself "
        "once that is solved (or run `readinglist check --repair`)"
    )


def _give_back_wal_space(conn: sqlite3.Connection) -> None:
    """After a transaction failed on a full disk, its rolled-back pages still fill
    the WAL file; truncating it frees the disk again."""
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    except sqlite3.Error:
        pass  # another reader holds the WAL; the next checkpoint trims it


def _dedup_within(drafts: list[PaperDraft], report: ImportReport) -> list[PaperDraft]:
    """Fold drafts that are the same paper (same arXiv id, DOI or title) into the first."""
    out: list[PaperDraft] = []
    by_arxiv: dict[str, PaperDraft] = {}
    by_doi: dict[str, PaperDraft] = {}
    by_title: dict[str, list[PaperDraft]] = {}
    for draft in drafts:
        draft.title_key = title_key(draft.title)
        first = None
        if draft.arxiv_id:
            first = by_arxiv.get(draft.arxiv_id)
        if first is None and draft.doi:
            first = by_doi.get(draft.doi.lower())
        if first is None and draft.title_key:
            for cand in by_title.get(draft.title_key, []):
                if same_paper(draft, cand.arxiv_id, cand.doi, cand.authors, cand.year):
                    first = cand
                    break
        if first is not None:
            for name in _FILLABLE:
                if getattr(draft, name) and not getattr(first, name):
                    setattr(first, name, getattr(draft, name))
            _fill_extra(first.extra, draft.extra)
            report.skipped.append(
                Skipped(draft.line, f"same paper as line {first.line}; merged into it")
            )
            continue
        out.append(draft)
        if draft.arxiv_id:
            by_arxiv[draft.arxiv_id] = draft
        if draft.doi:
            by_doi[draft.doi.lower()] = draft
        if draft.title_key:
            by_title.setdefault(draft.title_key, []).append(draft)
    report.skipped.sort(key=lambda s: s.line)
    return out
