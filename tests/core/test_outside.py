"""Telling another process's writes from this process's own connections."""

from __future__ import annotations

import sqlite3
import subprocess
import sys

from readinglist.core.library import Library
from readinglist.core.models import ChangeKind, Changes

LISTING = (
    "A First Paper on Outside Changes\n\nAn abstract long enough to count as one, about "
    "changes made by other processes.\n\n"
    "A Second Paper on Outside Changes\n\nAnother abstract long enough to be one, about "
    "the same library seen from two places.\n"
)


def test_a_write_through_another_connection_of_this_process_is_not_outside(tmp_path):
    reader = Library.open(tmp_path, index=False, origin="app")
    writer = Library.open(tmp_path, index=False, origin="app")  # the app's worker
    try:
        _, mark = reader.changed_outside(None)
        version = reader.data_version()
        writer.import_text(LISTING, source="clipboard")
        writer.mark(writer.ids(), "read")
        assert reader.data_version() != version  # SQLite itself sees another connection
        changed, mark = reader.changed_outside(mark)
        assert not changed
    finally:
        writer.close()
        reader.close()


def test_a_write_from_another_process_is_seen_once(tmp_path):
    lib = Library.open(tmp_path, index=False, origin="app")
    try:
        lib.import_text(LISTING, source="clipboard")
        _, mark = lib.changed_outside(None)
        pid = lib.ids()[0]
        script = (
            "import sys; from readinglist.core.library import Library\n"
            "lib = Library.open(sys.argv[1], index=False)\n"
            "lib.mark([int(sys.argv[2])], 'queued'); lib.close()\n"
        )
        subprocess.run(
            [sys.executable, "-c", script, str(tmp_path), str(pid)], check=True, timeout=120
        )
        changed, mark = lib.changed_outside(mark)
        assert changed and lib.get(pid).status.value == "queued"
        changed, mark = lib.changed_outside(mark)
        assert not changed  # told once
        lib.mark([pid], "read")  # our own write after it: still not outside
        assert lib.changed_outside(mark) == (False, mark)
    finally:
        lib.close()


def test_every_commit_counts_and_a_rollback_does_not(tmp_path):
    lib = Library.open(tmp_path, index=False)
    try:
        lib.import_text(LISTING, source="clipboard")
        db = sqlite3.connect(tmp_path / "library.sqlite")
        before = db.execute("SELECT serial FROM writers").fetchall()
        lib.mark(lib.ids(), "read")
        after = db.execute("SELECT serial FROM writers").fetchall()
        assert len(after) == 1 and after[0][0] == before[0][0] + 1
        try:
            with lib.store.write() as conn:
                conn.execute("UPDATE papers SET note = 'x'")
                raise RuntimeError("rolled back")
        except RuntimeError:
            pass
        assert db.execute("SELECT serial FROM writers").fetchall() == after
        db.close()
    finally:
        lib.close()


def test_outside_changes_say_anything_may_have_changed():
    changes = Changes.outside()
    assert changes.kind is ChangeKind.OUTSIDE
    assert changes.tags and changes.counts and changes.saved_searches and changes.settings
