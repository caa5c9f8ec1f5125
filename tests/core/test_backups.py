"""Backups: daily on open, before migrations and restores, on demand; rotation; a
damaged database is reported with the newest backup and never overwritten."""

from __future__ import annotations

import os
import sqlite3

import pytest
from click.testing import CliRunner

from readinglist.cli import main
from readinglist.core import backups
from readinglist.core.errors import DamagedLibrary, UserError
from readinglist.core.library import Library

from support import FIXTURES


def _age(backup: backups.Backup, days: int) -> None:
    """Make a backup look older (its time is in its name)."""
    old = backup.created.replace(day=1, month=1, year=backup.created.year - 1)
    stamp = old.strftime("%Y%m%d-%H%M%S")
    backup.path.rename(backup.path.with_name(f"library-{stamp}-{backup.reason}.sqlite"))


def _library_with_papers(folder):
    lib = Library.open(folder, index=False)
    lib.import_file(FIXTURES / "arxiv-new-page.txt")
    return lib


def test_a_daily_backup_is_made_on_open_once_a_day(tmp_path):
    folder = tmp_path / "lib"
    _library_with_papers(folder).close()  # empty when opened: nothing to back up yet
    assert backups.list_backups(folder) == []
    Library.open(folder, index=False).close()
    first = backups.list_backups(folder)
    assert [b.reason for b in first] == ["daily"]
    Library.open(folder, index=False).close()
    assert len(backups.list_backups(folder)) == 1  # the same day: no second one
    _age(first[0], days=400)
    Library.open(folder, index=False).close()
    assert [b.reason for b in backups.list_backups(folder)] == ["daily", "daily"]
    # A backup is a complete, self-contained, checked database.
    newest = backups.list_backups(folder)[0].path
    conn = sqlite3.connect(newest)
    assert conn.execute("SELECT count(*) FROM papers").fetchone()[0] == 4
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    conn.close()
    assert not list((folder / "backups").glob("*.partial"))


def test_rotation_keeps_the_configured_number(tmp_path):
    lib = _library_with_papers(tmp_path / "lib")
    lib.set_setting("backups_keep", 3)
    made = [lib.backup() for _ in range(5)]
    kept = backups.list_backups(lib.folder)
    assert [b.path for b in kept] == [b.path for b in reversed(made[-3:])]
    with pytest.raises(UserError, match="backups_keep must be int"):
        lib.set_setting("backups_keep", "three")
    lib.close()


def test_restore_brings_back_the_backup_and_keeps_the_current_one(tmp_path):
    folder = tmp_path / "lib"
    lib = Library.open(folder)  # with its search index
    lib.import_file(FIXTURES / "arxiv-new-page.txt")
    saved = lib.backup()
    lib.mark([1], "read")
    lib.delete([2])
    lib.close()
    previous = backups.restore(folder, backups.find(folder, None))
    assert "before-restore" in previous.name
    lib = Library.open(folder)
    assert lib.count() == 4 and lib.get(1).status.value == "unread"
    # The index was rebuilt from the restored database: search agrees with it.
    assert lib.check()["ok"]
    assert {h.paper.id for h in lib.search("is:unread").hits} == {1, 2, 3, 4}
    lib.close()
    # What was there before the restore is itself a backup that can come back.
    backups.restore(folder, backups.find(folder, previous.name))
    lib = Library.open(folder, index=False)
    assert lib.count() == 3 and lib.get(1).status.value == "read"
    lib.close()
    assert saved.path.exists()


def test_a_restore_killed_after_replacing_the_database_leaves_no_stale_index(tmp_path, monkeypatch):
    folder = tmp_path / "lib"
    with Library.open(folder) as lib:
        lib.import_file(FIXTURES / "arxiv-new-page.txt")
        saved = lib.backup()
        lib.tag([1], add=["after-the-backup"])
        lib.set_note(2, "written after the backup")
        assert lib.search("tag:after-the-backup").total == 1

    class Killed(BaseException):
        pass

    def killed(*_args, **_kwargs):
        raise Killed  # the process dies here: after the database is back

    monkeypatch.setattr(backups.shutil, "rmtree", killed)
    with pytest.raises(Killed):
        backups.restore(folder, saved)
    monkeypatch.undo()
    with Library.open(folder) as lib:  # the index is rebuilt from the restored database
        assert lib.get(1).tags == [] and lib.get(2).note == ""
        assert lib.search("tag:after-the-backup").total == 0
        assert lib.search("note:written").total == 0
        assert lib.check()["ok"]
    backups.restore(folder, saved)  # a later restore clears what the killed one left
    assert not list(folder.glob("index.stale-*"))


def test_a_damaged_database_names_the_newest_backup_and_is_never_overwritten(tmp_path):
    folder = tmp_path / "lib"
    lib = _library_with_papers(folder)
    lib.backup()
    lib.close()
    db = folder / "library.sqlite"
    damaged = b"this is not SQLite" * 100
    db.write_bytes(damaged)
    for suffix in ("-wal", "-shm"):
        (folder / f"library.sqlite{suffix}").unlink(missing_ok=True)
    with pytest.raises(DamagedLibrary, match="readinglist restore") as caught:
        Library.open(folder, index=False)
    assert caught.value.backup is not None
    assert db.read_bytes() == damaged  # opening did not touch it
    backups.restore(folder, caught.value.backup)
    kept = list((folder / "backups").glob("damaged-*-library.sqlite"))
    assert len(kept) == 1 and kept[0].read_bytes() == damaged
    lib = Library.open(folder, index=False)
    assert lib.count() == 4
    lib.close()


def test_a_damaged_backup_is_refused(tmp_path):
    lib = _library_with_papers(tmp_path / "lib")
    made = lib.backup()
    lib.close()
    data = bytearray(made.path.read_bytes())
    data[20000:40000] = os.urandom(20000)  # pages in the middle of the file
    made.path.write_bytes(bytes(data))
    before = (tmp_path / "lib" / "library.sqlite").read_bytes()
    with pytest.raises(UserError, match=r"damaged|not a usable"):
        backups.restore(tmp_path / "lib", made)
    assert (tmp_path / "lib" / "library.sqlite").read_bytes() == before


def test_cli_backup_list_and_restore(tmp_path):
    runner = CliRunner()
    lib = str(tmp_path / "lib")

    def run(*args, input=None):
        return runner.invoke(main, ["--library", lib, *args], input=input, catch_exceptions=False)

    run("import", str(FIXTURES / "arxiv-new-page.txt"))
    assert "Backed up to" in run("backup").output
    run("mark", "read", "1", "2")
    listed = run("backup", "--list").output
    assert "manual" in listed
    refused = run("restore", input="n\n")
    assert refused.exit_code == 1
    assert "Restored" in run("restore", input="y\n").output
    assert '"status": "unread"' in run("show", "1", "--json").output
    # Not while the app has the library open (its lock names a live process).
    (tmp_path / "lib" / "app.lock").write_text(f"{os.getpid()}\nreadinglist\nhost\n")
    result = run("restore", "--yes")
    assert result.exit_code == 1 and "close it first" in result.output
    (tmp_path / "lib" / "app.lock").unlink()
    missing = run("restore", "--yes", "library-nope.sqlite")
    assert missing.exit_code == 1 and "no backup called library-nope.sqlite" in missing.output


def test_backup_and_restore_in_a_folder_named_with_url_characters(tmp_path):
    # '#', '?' and '%' mean something in the file: URIs SQLite is given.
    folder = tmp_path / "a#b?c%d" / "lib"
    lib = _library_with_papers(folder)
    saved = lib.backup()
    lib.mark([1], "read")
    lib.close()
    previous = backups.restore(folder, backups.find(folder, saved.name))
    assert previous.exists()
    with Library.open(folder, index=False) as lib:
        assert lib.count() == 4 and lib.get(1).status.value == "unread"
    result = CliRunner().invoke(main, ["--library", str(folder), "restore", "--yes"])
    assert result.exit_code == 0, result.output
    assert "Restored" in result.output


def test_the_copy_a_restore_makes_is_kept_out_of_rotation(tmp_path):
    folder = tmp_path / "lib"
    lib = _library_with_papers(folder)
    lib.set_setting("backups_keep", 2)
    saved = lib.backup()
    lib.mark([1], "read")
    lib.close()
    runner = CliRunner()
    result = runner.invoke(main, ["--library", str(folder), "restore", "--yes", saved.name])
    assert result.exit_code == 0, result.output
    kept = [p for p in (folder / "backups").iterdir() if "before-restore" in p.name]
    assert len(kept) == 1
    # The restore's message says where the copy is and that it stays.
    assert str(kept[0]) in result.output and "until you delete it" in result.output
    lib = Library.open(folder, index=False)
    for _ in range(4):  # more than backups_keep
        lib.backup()
    lib.close()
    assert kept[0].exists()
    assert len(backups.list_backups(folder)) == 2  # rotation counts only its own
    listed = runner.invoke(main, ["--library", str(folder), "backup", "--list"]).output
    assert kept[0].name in listed
    # It can still be put back by name: the restore itself can be undone.
    back = runner.invoke(main, ["--library", str(folder), "restore", "--yes", kept[0].name])
    assert back.exit_code == 0, back.output
    with Library.open(folder, index=False) as lib:
        assert lib.get(1).status.value == "read"


def test_check_finds_papers_indexed_with_other_text_and_repairs_only_them(tmp_path):
    """`check` compares a fingerprint of each paper's indexed text with what the
    library holds, not only the ids (issue 16): a database replaced behind the
    index's back (a restore cut short) answered tag:/note: wrongly while check
    said "agree"."""
    import sqlite3

    lib = Library.open(tmp_path / "lib")
    lib.import_file(FIXTURES / "arxiv-new-page.txt")
    assert lib.check()["ok"]
    first, second = lib.ids()[:2]
    lib.close()
    db = sqlite3.connect(tmp_path / "lib" / "library.sqlite")  # not through the library
    db.execute("UPDATE papers SET note = 'zebrafish' WHERE id = ?", [first])
    db.execute("UPDATE papers SET title = 'Quokka studies' WHERE id = ?", [second])
    # As a database swapped in under an index that was never told: nothing queued.
    db.execute("DELETE FROM index_queue")
    db.commit()
    db.close()
    lib = Library.open(tmp_path / "lib")
    report = lib.check()
    assert not report["ok"]
    assert report["stale"] == sorted([first, second]) and report["stale_count"] == 2
    assert report["missing_count"] == report["extra_count"] == 0
    assert lib.search("zebrafish").total == 0  # the index does not know yet
    repaired = lib.check(repair=True)
    assert repaired["repaired"]
    assert [h.paper.id for h in lib.search("zebrafish").hits] == [first]
    assert [h.paper.id for h in lib.search("quokka").hits] == [second]
    assert lib.check()["ok"]
    lib.close()
