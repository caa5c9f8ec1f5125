"""Opening the SQLite library file: WAL, a busy timeout, foreign keys, migrations."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

from readinglist.core.errors import LibraryError

if TYPE_CHECKING:
    import sqlite_utils

DB_NAME = "library.sqlite"
BUSY_TIMEOUT_MS = 10_000


def now_iso() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def readonly_uri(path: Path) -> str:
    """The SQLite URI opening ``path`` read-only. The path is percent-quoted: in a
    bare ``file:`` URI a folder named with ``#``, ``?`` or ``%`` would end or
    escape the file name, and SQLite would open some other (or no) file."""
    return f"{path.absolute().as_uri()}?mode=ro"


def connect(path: Path, readonly: bool = False) -> sqlite3.Connection:
    """Open the database with the settings every connection must have.

    A plain connection: sqlite-utils (0.1 s to import, a sixth of the app's cold
    start) is loaded only when a migration runs or ``Store.db`` is asked for."""
    try:
        if readonly:
            conn = sqlite3.connect(
                readonly_uri(path),
                uri=True,
                check_same_thread=False,
                timeout=BUSY_TIMEOUT_MS / 1000,
            )
        else:
            conn = sqlite3.connect(
                str(path), check_same_thread=False, timeout=BUSY_TIMEOUT_MS / 1000
            )
        # Transactions are opened explicitly (Database.atomic); no implicit BEGIN.
        conn.isolation_level = None
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA foreign_keys = ON")
        if not readonly:
            # Larger pages suit rows carrying whole abstracts (fewer pages and
            # overflow chains); only takes effect on a new, empty database.
            conn.execute("PRAGMA page_size = 16384")
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if mode.lower() != "wal":
                raise LibraryError(f"cannot switch {path} to WAL journaling (got {mode})")
            # FULL: a reading list is small, commits are rare, and a lost note is not.
            conn.execute("PRAGMA synchronous = FULL")
            # Give the space of a big import's WAL back after checkpoints, instead
            # of keeping a 150 MB file for as long as the app stays open.
            conn.execute(f"PRAGMA journal_size_limit = {8 * 1024 * 1024}")
        # Fails with "file is not a database" on a damaged or foreign file.
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.DatabaseError as exc:
        if not readonly and _not_writable(path):
            raise LibraryError(
                f"the library in {path.parent} cannot be written: the folder or its "
                "database is read-only (a read-only disk, or no write permission); "
                "nothing was changed"
            ) from exc
        raise LibraryError(f"cannot open the library database {path}: {exc}") from exc
    return conn


def _not_writable(path: Path) -> bool:
    """Whether SQLite cannot write here (it needs the folder too, for -wal/-shm).
    os.access reports read-only file systems (EROFS) even for root."""
    folder_ok = os.access(path.parent, os.W_OK)
    file_ok = not path.exists() or os.access(path, os.W_OK)
    return not (folder_ok and file_ok)


def run_script(db: sqlite_utils.Database, script: str) -> None:
    """Run several statements inside the current transaction.

    sqlite3's executescript() commits first, which would break a migration
    into pieces; this runs the statements one by one instead.
    """
    statement = ""
    for line in script.splitlines(keepends=True):
        statement += line
        if sqlite3.complete_statement(statement):
            if statement.strip():
                db.conn.execute(statement)
            statement = ""
    if statement.strip():
        db.conn.execute(statement)
