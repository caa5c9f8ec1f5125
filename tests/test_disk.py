"""Disk trouble: a full disk (a small tmpfs), a read-only folder (a read-only bind
mount), a database file the system refuses to change (chattr +i). Each gives one
clear line, exit status 1 where nothing could be done, and no partial writes.

Mounting needs root (CI runs as root); elsewhere these tests skip, saying so, and
tests/core/test_library.py covers the read-only case with file permissions.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from readinglist.core.errors import LibraryError
from readinglist.core.library import Library

from support import FIXTURES, generated_listing
from support import run_cli as cli

pytestmark = pytest.mark.slow


def _sh(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(args), capture_output=True, text=True)


@pytest.fixture
def mounts():
    made: list[Path] = []

    def mount(*args: str, target: Path) -> Path:
        result = _sh("mount", *args, str(target))
        if result.returncode != 0:
            pytest.skip(f"cannot mount here (needs root): {result.stderr.strip()}")
        made.append(target)
        return target

    yield mount
    for target in reversed(made):
        _sh("umount", "-l", str(target))


def tmpfs(mount, folder: Path, size: str) -> Path:
    folder.mkdir()
    return mount("-t", "tmpfs", "-o", f"size={size}", "tmpfs", target=folder)


@pytest.fixture(scope="module")
def big_listing(tmp_path_factory):
    return generated_listing(tmp_path_factory.mktemp("data") / "big.txt", 20_000)


def _snapshot(folder: Path) -> list[tuple]:
    with Library.open(folder, index=False, daily_backup=False) as lib:
        return [(p.id, p.title, p.status.value) for p in lib.list_papers()]


def test_full_disk_import_changes_nothing_and_frees_the_space(tmp_path, mounts, big_listing):
    disk = tmpfs(mounts, tmp_path / "disk", "16m")
    lib = disk / "lib"
    assert cli(lib, "import", str(FIXTURES / "arxiv-new-page.txt")).returncode == 0
    before = _snapshot(lib)
    result = cli(lib, "import", str(big_listing))
    assert result.returncode == 1
    assert "the disk holding" in result.stderr and "is full; nothing was changed" in result.stderr
    assert "Traceback" not in result.stderr
    assert _snapshot(lib) == before
    # The rolled-back transaction's pages were given back: the disk is usable again.
    assert shutil.disk_usage(disk).used < 4 * 1024 * 1024
    assert cli(lib, "mark", "read", "1").returncode == 0
    assert cli(lib, "check").returncode == 0


def test_full_disk_for_the_index_keeps_the_import_and_catches_up_later(
    tmp_path, mounts, big_listing
):
    disk = tmpfs(mounts, tmp_path / "disk", "24m")
    lib = disk / "lib"
    result = cli(lib, "import", str(big_listing))
    assert result.returncode == 0, result.stderr  # the papers are in: SQLite is the truth
    assert "search index could not be updated" in result.stderr
    # The disk fills in Whoosh's files or in SQLite's (the import's WAL is still being
    # copied into the database when the index starts): either way it is named.
    assert "No space left on device" in result.stderr or "is full" in result.stderr
    assert "Traceback" not in result.stderr
    with Library.open(lib, index=False, daily_backup=False) as library:
        assert library.count() == 20_000 and library.pending_index_changes() > 0
    # Room again: the index catches up from its queue.
    mounts(
        "-o", "remount,size=1500m", "tmpfs", target=disk
    )  # the index is ~170 MB, twice that while built
    assert cli(lib, "check", "--repair").returncode == 0
    checked = cli(lib, "check")
    assert checked.returncode == 0 and "agree" in checked.stdout


def test_full_disk_while_building_the_index_is_one_line_and_keeps_no_copy(
    tmp_path, mounts, big_listing
):
    # Issue 16: `search` printed a 44-line traceback, and the damaged copy kept
    # aside kept the disk full.
    disk = tmpfs(mounts, tmp_path / "disk", "24m")
    lib = disk / "lib"
    with Library.open(lib, index=False, daily_backup=False) as library:
        library.import_file(big_listing)  # the index is built by the first search
    result = cli(lib, "search", "learning")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) <= 3 and all(ln.startswith(("Note:", "Warning:", "Error:")) for ln in lines)
    assert any("search index cannot be used" in ln for ln in lines), result.stderr
    assert not list(lib.glob("index.broken-*"))
    assert cli(lib, "list").returncode == 0  # the library itself reads fine
    # Room again: the next search builds the index and answers.
    mounts("-o", "remount,size=1500m", "tmpfs", target=disk)
    found = cli(lib, "search", "learning")
    assert found.returncode == 0, found.stderr
    assert found.stdout.strip()
    assert cli(lib, "check").returncode == 0


def test_full_disk_backup_fails_cleanly(tmp_path, mounts):
    disk = tmpfs(mounts, tmp_path / "disk", "1m")
    with Library.open(disk / "lib", index=False) as lib:
        lib.import_file(FIXTURES / "arxiv-new-page.txt")
        filler = disk / "filler"
        # Unbuffered: a buffered file would fail again when closed, outside the try.
        with filler.open("wb", buffering=0) as out:  # fill the rest of the disk
            try:
                while True:
                    out.write(b"\0" * 65536)
            except OSError:
                pass
        with pytest.raises(LibraryError, match="cannot write a backup"):
            lib.backup()
        assert not list((disk / "lib" / "backups").glob("*"))  # no half-written backup
        assert lib.count() == 4


def test_read_only_folder(tmp_path, mounts):
    lib = tmp_path / "lib"
    assert cli(lib, "import", str(FIXTURES / "arxiv-new-page.txt")).returncode == 0
    before = (lib / "library.sqlite").read_bytes()
    mounts("--bind", str(lib), target=lib)
    mounts("-o", "remount,bind,ro", str(lib), target=lib)
    for args in (("mark", "read", "1"), ("import", str(FIXTURES / "arxiv-digest-overlap.txt"))):
        result = cli(lib, *args)
        assert result.returncode == 1, args
        assert "read-only" in result.stderr and "Traceback" not in result.stderr, result.stderr
    _sh("umount", "-l", str(lib))
    _sh("umount", "-l", str(lib))
    assert (lib / "library.sqlite").read_bytes() == before


def test_database_file_the_system_refuses_to_change(tmp_path):
    lib = tmp_path / "lib"
    assert cli(lib, "import", str(FIXTURES / "arxiv-new-page.txt")).returncode == 0
    db = lib / "library.sqlite"
    before = db.read_bytes()
    if shutil.which("chattr") is None or _sh("chattr", "+i", str(db)).returncode != 0:
        pytest.skip("chattr +i is not available here (needs root and a supporting file system)")
    try:
        result = cli(lib, "mark", "read", "1")
        assert result.returncode == 1
        assert "read-only" in result.stderr and "Traceback" not in result.stderr, result.stderr
    finally:
        _sh("chattr", "-i", str(db))
    assert db.read_bytes() == before
