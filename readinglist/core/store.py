"""The library's one SQLite connection and its write transactions.

Every change to the database goes through ``Store.write()``: ``BEGIN IMMEDIATE``
(the write lock up front, so a concurrent writer waits for the busy timeout
instead of failing half-way), SQLite errors translated into sentences, and a
refusal to nest. Listeners hear of each change after its commit.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from readinglist.core import locks, migrations
from readinglist.core.db import BUSY_TIMEOUT_MS, DB_NAME, connect
from readinglist.core.errors import LibraryError

if TYPE_CHECKING:
    import sqlite_utils

    from readinglist.core.models import Changes

#: How long a first opening waits for another process creating or migrating the
#: same library (its file lock), in seconds.
MIGRATION_WAIT = 60.0
AUTOCHECKPOINT = 1000  # pages: SQLite's default


class NestedWrite(LibraryError):
    """A change was asked for while another change of this library was being written."""


def is_corruption(exc: BaseException) -> bool:
    """Whether an SQLite error says the database file is damaged."""
    text = str(exc)
    return isinstance(exc, sqlite3.DatabaseError) and (
        "malformed" in text or "not a database" in text or "disk image" in text
    )


def _backups() -> Any:
    """The backups module, loaded when first needed (a damaged file, a migration):
    it costs 7 ms of every window start otherwise."""
    from readinglist.core import backups

    return backups


class Store:
    """The connection to ``library.sqlite`` in ``folder``."""

    def __init__(self, folder: Path, conn: sqlite3.Connection) -> None:
        self.folder = folder
        self.conn = conn
        self._db: sqlite_utils.Database | None = None
        self._writing = False
        self._listeners: list[Callable[[Changes], None]] = []
        self._pruned = False
        # The thread copying a big import's WAL into the database file.
        self._settler: threading.Thread | None = None

    @classmethod
    def open(cls, folder: Path) -> Store:
        """Connect (creating the database on first use) and apply pending migrations.

        Creating and migrating happen under a file lock and in one write
        transaction, so several processes opening a new library at once all
        succeed, and exactly one of them migrates (and backs up first)."""
        db_path = folder / DB_NAME
        if not db_path.exists():
            with cls._migration_lock(folder):
                conn = cls._connect(folder)
        else:
            conn = cls._connect(folder)
        store = cls(folder, conn)
        try:
            # The number of migrations is stamped in the database header once
            # they are all applied: an up-to-date library then opens without
            # loading sqlite-utils (a sixth of the app's cold start).
            if conn.execute("PRAGMA user_version").fetchone()[0] != migrations.version():
                with cls._migration_lock(folder):
                    store._migrate()
        except sqlite3.DatabaseError as exc:
            store.close()
            if is_corruption(exc):
                raise _backups().damaged(folder, f"cannot read {db_path}: {exc}") from exc
            raise LibraryError(f"cannot prepare the library database {db_path}: {exc}") from exc
        except BaseException:
            store.close()
            raise
        return store

    @property
    def db(self) -> sqlite_utils.Database:
        """The connection as an sqlite-utils Database (migrations, tests)."""
        if self._db is None:
            import sqlite_utils

            self._db = sqlite_utils.Database(self.conn, execute_plugins=False)
        return self._db

    @staticmethod
    def _connect(folder: Path) -> sqlite3.Connection:
        try:
            return connect(folder / DB_NAME)
        except LibraryError as exc:
            if "not a database" in str(exc) or "malformed" in str(exc):
                raise _backups().damaged(folder, str(exc)) from exc
            raise

    @staticmethod
    @contextmanager
    def _migration_lock(folder: Path) -> Iterator[None]:
        try:
            with locks.exclusive(folder / "migrate.lock", timeout=MIGRATION_WAIT):
                yield
        except locks.TimedOut:
            raise LibraryError(
                f"another program kept the library in {folder} locked for "
                f"{MIGRATION_WAIT:.0f} s while creating or upgrading it; try again"
            ) from None
        except OSError as exc:
            raise LibraryError(f"cannot lock the library in {folder}: {exc.strerror}") from exc

    def _migrate(self) -> None:
        """Every pending migration in one transaction, after a backup of the
        database when it holds anything. Called under the migration lock, and
        checked again there: another process may have migrated meanwhile."""
        steps = migrations.migration_set()
        conn = self.conn
        # The backup before the transaction: SQLite's backup API cannot read from
        # a connection inside its own write transaction. The file lock keeps
        # other processes from migrating meanwhile.
        if steps.pending(self.db) and any(
            t for t in self.db.table_names() if not t.startswith("_")
        ):
            _backups().make_backup(conn, self.folder, "before-migration")
        conn.execute("BEGIN IMMEDIATE")
        try:
            if steps.pending(self.db):
                steps.apply(self.db)
            conn.execute(f"PRAGMA user_version = {migrations.version()}")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        else:
            if conn.in_transaction:
                conn.execute("COMMIT")

    # --- writing ----------------------------------------------------------------

    @property
    def writing(self) -> bool:
        """Whether a write transaction of this store is open."""
        return self._writing

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, committed when the block ends, rolled back when
        it raises. A write asked for while another is open (from a progress
        callback, or another thread sharing this store) is refused with
        NestedWrite; the open one is not touched."""
        if self._writing or self.conn.in_transaction:
            raise NestedWrite(
                "a change was refused because another change to the library (an "
                "import, say) is still being written; try again once it is done"
            )
        conn = self.conn
        self._writing = True
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
                self._count_commit(conn)
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            else:
                conn.execute("COMMIT")
        except sqlite3.DatabaseError as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise self.translate(exc) from exc
        finally:
            self._writing = False

    def _count_commit(self, conn: sqlite3.Connection) -> None:
        """Count this commit as this process's (see outside_mark)."""
        if not self._pruned:
            self._pruned = True
            conn.execute(
                "DELETE FROM writers WHERE at < datetime('now', '-7 days') AND pid != ?",
                [os.getpid()],
            )
        conn.execute(
            "INSERT INTO writers (pid, serial, at) VALUES (?, 1, datetime('now')) "
            "ON CONFLICT(pid) DO UPDATE SET serial = serial + 1, at = excluded.at",
            [os.getpid()],
        )

    def outside_mark(self) -> tuple[int, int]:
        """What other processes have committed so far (their rows of ``writers``).
        Rows of processes gone for a week are dropped by the next writer."""
        row = self.conn.execute(
            "SELECT count(*), coalesce(sum(serial), 0) FROM writers WHERE pid != ?",
            [os.getpid()],
        ).fetchone()
        return int(row[0]), int(row[1])

    def translate(self, exc: sqlite3.DatabaseError) -> BaseException:
        """A sentence for an SQLite error met while writing (or the error itself)."""
        text = str(exc)
        folder = self.folder
        if is_corruption(exc):
            message = f"the library database in {folder} is damaged ({text})"
            damaged: BaseException = _backups().damaged(folder, message)
            return damaged
        if "readonly" in text or "read-only" in text:
            return LibraryError(f"the library in {folder} is read-only: {text}")
        if "disk" in text and "full" in text:
            self._give_back_wal_space()
            return LibraryError(f"the disk holding {folder} is full; nothing was changed")
        if "locked" in text or "busy" in text:
            return LibraryError(
                f"the library in {folder} stayed busy (another program is writing); "
                "nothing was changed, try again"
            )
        return exc

    def _give_back_wal_space(self) -> None:
        """After a transaction failed on a full disk, its rolled-back pages still
        fill the WAL file; truncating it frees the disk again."""
        try:
            self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except sqlite3.Error:
            pass  # another reader holds the WAL; the next checkpoint trims it

    # --- listeners --------------------------------------------------------------

    def add_listener(self, listener: Callable[[Changes], None]) -> None:
        """Call ``listener(changes)`` after each committed change."""
        self._listeners.append(listener)

    def committed(self, changes: Changes) -> None:
        """Tell the listeners about a change just committed."""
        for listener in self._listeners:
            listener(changes)

    # --- checkpoints and closing ------------------------------------------------

    def defer_checkpoint(self) -> None:
        """Inside a big write: its commit only appends to the WAL (durable, seen
        by every reader); settle_wal() copies it into the database file later."""
        self.conn.execute("PRAGMA wal_autocheckpoint = 0")

    def resume_checkpoints(self) -> None:
        self.conn.execute(f"PRAGMA wal_autocheckpoint = {AUTOCHECKPOINT}")

    def settle_wal(self) -> None:
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

    def close(self) -> None:
        self.wait_settled()
        self.conn.close()
