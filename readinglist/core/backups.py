"""Backups of the library database: made with SQLite's backup API (a consistent
copy even while another program writes), before migrations, once a day, before a
restore, and on demand; rotated to a configurable number. The copy a restore
makes of the database it replaces is named ``kept-…`` and never rotated.

A backup is written under a temporary name, checked (``PRAGMA quick_check``) and
only then renamed into place, so a crash or a full disk never leaves a damaged
file that looks like a backup. A restore never overwrites anything silently: the
current database is itself backed up first, or, when it is too damaged to copy,
its files are moved aside under a ``damaged-`` name.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from readinglist.core.db import DB_NAME, readonly_uri
from readinglist.core.errors import DamagedLibrary, LibraryError, UserError

FOLDER = "backups"
DEFAULT_KEEP = 10
DAILY = dt.timedelta(hours=24)
# File name prefixes. Rotation deletes old "library-" files only; a "kept-" file
# (the database a restore replaced) is a state the user left on purpose and may
# want back after any number of later backups, so only they remove it.
ROTATING = "library"
KEPT = "kept"


@dataclass(frozen=True)
class Backup:
    path: Path
    created: dt.datetime
    reason: str
    size: int
    #: Kept until the user deletes it (the copy a restore makes): never rotated.
    kept: bool = False

    @property
    def name(self) -> str:
        return self.path.name

    def describe(self) -> str:
        when = self.created.strftime("%Y-%m-%d %H:%M:%S")
        stays = ", kept until you delete it" if self.kept else ""
        return f"{self.name}  ({when}, {self.reason}, {self.size / 1e6:.1f} MB{stays})"


def folder_of(library: Path) -> Path:
    return library / FOLDER


def _found(library: Path, prefix: str) -> list[Backup]:
    found = []
    for path in folder_of(library).glob(f"{prefix}-*.sqlite"):
        parts = path.stem.split("-", 3)  # prefix, date, time, reason[-n]
        try:
            created = dt.datetime.strptime(f"{parts[1]}-{parts[2]}", "%Y%m%d-%H%M%S")
        except (IndexError, ValueError):
            continue
        reason = parts[3] if len(parts) > 3 else ""
        found.append(Backup(path, created, reason, path.stat().st_size, prefix == KEPT))
    return sorted(found, key=lambda b: (b.created, b.path.stat().st_mtime), reverse=True)


def list_backups(library: Path) -> list[Backup]:
    """The rotating backups of this library (daily, manual, before a migration),
    newest first; not the kept ones."""
    return _found(library, ROTATING)


def all_backups(library: Path) -> list[Backup]:
    """Every backup that can be restored, the kept ones too, newest first."""
    found = _found(library, ROTATING) + _found(library, KEPT)
    return sorted(found, key=lambda b: (b.created, b.path.stat().st_mtime), reverse=True)


def make_backup(conn: sqlite3.Connection, library: Path, reason: str, kept: bool = False) -> Backup:
    """Copy the database into backups/, checked before it is given its name.
    A ``kept`` backup is left out of rotation."""
    folder = folder_of(library)
    folder.mkdir(parents=True, exist_ok=True)
    now = dt.datetime.now()
    stamp = now.strftime("%Y%m%d-%H%M%S")
    prefix = KEPT if kept else ROTATING
    target = folder / f"{prefix}-{stamp}-{reason}.sqlite"
    n = 1
    while target.exists():
        n += 1
        target = folder / f"{prefix}-{stamp}-{reason}-{n}.sqlite"
    partial = target.with_name(target.name + ".partial")
    try:
        dest = sqlite3.connect(str(partial))
        try:
            conn.backup(dest)
            # One self-contained file: reading it later leaves no -wal/-shm beside it.
            dest.execute("PRAGMA journal_mode = DELETE")
            ok = dest.execute("PRAGMA quick_check").fetchone()[0]
        finally:
            dest.close()
        if ok != "ok":
            raise LibraryError(f"the backup copy failed its check ({ok}); nothing was replaced")
        os.replace(partial, target)
    except (sqlite3.Error, OSError) as exc:
        partial.unlink(missing_ok=True)
        raise LibraryError(f"cannot write a backup into {folder}: {exc}") from exc
    return Backup(target, now.replace(microsecond=0), reason, target.stat().st_size, kept)


def rotate(library: Path, keep: int) -> list[Path]:
    """Delete all but the newest ``keep`` backups; returns what was deleted."""
    keep = max(keep, 1)
    removed = []
    for backup in list_backups(library)[keep:]:
        backup.path.unlink(missing_ok=True)
        removed.append(backup.path)
    for stale in folder_of(library).glob("*.partial"):  # left by a crash mid-backup
        stale.unlink(missing_ok=True)
    return removed


def due_daily(library: Path, now: dt.datetime | None = None) -> bool:
    backups = list_backups(library)
    now = now or dt.datetime.now()
    return not backups or now - backups[0].created >= DAILY


def find(library: Path, name: str | None) -> Backup:
    """The backup called ``name`` (a file name or path), or the newest one."""
    backups = all_backups(library)
    if not backups:
        raise UserError(f"there are no backups in {folder_of(library)}")
    if name is None:
        return backups[0]
    wanted = Path(name).name
    for backup in backups:
        if backup.name == wanted:
            return backup
    raise UserError(
        f"no backup called {wanted} in {folder_of(library)}; `readinglist backup --list` shows them"
    )


def check_file(path: Path) -> None:
    """Raise unless ``path`` is a readable, undamaged SQLite library."""
    try:
        conn = sqlite3.connect(readonly_uri(path), uri=True)
        try:
            ok = conn.execute("PRAGMA quick_check").fetchone()[0]
            conn.execute("SELECT count(*) FROM papers").fetchone()
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise UserError(f"{path.name} is not a usable library backup: {exc}") from None
    if ok != "ok":
        raise UserError(f"{path.name} is damaged ({ok}); choose another backup")


def set_aside_damaged(library: Path) -> Path:
    """Move the database files out of the way, keeping them (never deleted)."""
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    folder = folder_of(library)
    folder.mkdir(parents=True, exist_ok=True)
    kept = folder / f"damaged-{stamp}-{DB_NAME}"
    for suffix in ("", "-wal", "-shm"):
        src = library / (DB_NAME + suffix)
        if src.exists():
            shutil.move(str(src), str(kept) + suffix)
    return kept


def restore(library: Path, backup: Backup) -> Path:
    """Put ``backup`` back as the library database. Returns where the previous
    database went (a backup, or the damaged files set aside). The search index
    is derived data: it is removed and rebuilt on the next open."""
    check_file(backup.path)
    db_path = library / DB_NAME
    previous: Path
    try:
        current = sqlite3.connect(str(db_path), timeout=10)
        try:
            if current.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                raise sqlite3.DatabaseError("quick_check failed")
            previous = make_backup(current, library, "before-restore", kept=True).path
        finally:
            current.close()
    except (sqlite3.Error, LibraryError):
        previous = set_aside_damaged(library)
    # The index goes first, in one rename: killed after the database was replaced
    # but before the index was removed, the library would open with an index of
    # the other database (answering tag: and note: wrongly, check saying "agree").
    index = library / "index"
    stale = library / f"index.stale-{os.getpid()}"
    if index.exists():
        if stale.exists():
            shutil.rmtree(stale, ignore_errors=True)
        index.rename(stale)
    source = sqlite3.connect(readonly_uri(backup.path), uri=True)
    try:
        dest = sqlite3.connect(str(db_path), timeout=10)
        try:
            # The backup API writes through SQLite's own locking and journal, so a
            # crash half-way leaves the old database, never a mix.
            source.backup(dest)
            dest.execute("PRAGMA journal_mode = WAL")
        finally:
            dest.close()
    finally:
        source.close()
    shutil.rmtree(stale, ignore_errors=True)
    for left in library.glob("index.stale-*"):  # from a restore killed earlier
        shutil.rmtree(left, ignore_errors=True)
    return previous


def app_is_open(library: Path) -> bool:
    """Whether the desktop app holds this library (its lock file names a live pid).

    The app's lock is a QLockFile: the first line is the owner's process id."""
    lock = library / "app.lock"
    try:
        pid = int(lock.read_text(encoding="utf-8", errors="replace").split("\n", 1)[0])
    except (OSError, ValueError):
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # someone else's live process
    return True


def damaged(folder: Path, message: str) -> DamagedLibrary:
    """The error for a damaged database, naming the newest backup and the way back."""
    found = all_backups(folder)
    if not found:
        return DamagedLibrary(f"{message}. There is no backup to restore from.")
    latest = found[0]
    return DamagedLibrary(
        f"{message}. The newest backup is {latest.name} "
        f"({latest.created:%Y-%m-%d %H:%M}); `readinglist restore` puts it back "
        "(the damaged file is kept in the backups folder, never overwritten).",
        latest,
    )


# What SQLite says when the file itself is damaged (SQLITE_CORRUPT, SQLITE_NOTADB),
# as opposed to a busy, locked, full or read-only database.
_DAMAGE_WORDS = ("malformed", "not a database", "disk image")
# The same, as SQLite words it, inside the text of an error the core raised from
# another process (the indexer reports its failure only as text).
_DAMAGE_MESSAGES = ("database disk image is malformed", "file is not a database")


def damage_in(folder: Path, error: BaseException) -> DamagedLibrary | None:
    """The DamagedLibrary error to show when ``error`` is, or was caused by, SQLite
    finding the database damaged (met in the middle of the file, after it opened);
    None for any other error. Worded as a failed open is."""
    seen: set[int] = set()
    cause: BaseException | None = error
    while cause is not None and id(cause) not in seen:
        text = str(cause)
        if isinstance(cause, DamagedLibrary):
            return cause
        if (
            isinstance(cause, sqlite3.DatabaseError)
            and any(word in text.lower() for word in _DAMAGE_WORDS)
        ) or (isinstance(cause, LibraryError) and any(m in text for m in _DAMAGE_MESSAGES)):
            found = next((m for m in _DAMAGE_MESSAGES if m in text), text)
            return damaged(folder, f"cannot read {folder / DB_NAME}: {found}")
        seen.add(id(cause))
        cause = cause.__cause__ or cause.__context__
    return None
