"""Damage inside the database (not at its start, so it still opens): every
command that meets it ends with the one line a failed open gives, naming the
newest backup, and exit status 1; never a traceback."""

from __future__ import annotations

import pytest

from support import damage_the_middle, generated_listing, run_cli

N = 3000


@pytest.fixture(scope="module")
def damaged(tmp_path_factory):
    """A library of a few thousand papers with a backup, then a page of the papers
    table overwritten in the middle of the file."""
    from readinglist.core.library import Library

    tmp = tmp_path_factory.mktemp("damaged")
    folder = tmp / "lib"
    with Library.open(folder, index=False) as lib:
        lib.import_file(generated_listing(tmp / "listing.txt", N))
        backup = lib.backup()
    damage_the_middle(folder / "library.sqlite")
    return folder, backup


ALL = ",".join(str(i) for i in range(1, N + 1))


@pytest.mark.parametrize(
    "args",
    [
        ("mark", "read", ALL),
        ("tag", ALL, "--add", "x"),
        ("check",),
        ("list",),
        ("export",),
        ("search", "learning"),
        # (`mark read 1` no longer meets the damage: triage commands do not open
        # the index, whose catch-up read every paper; paper 1 is readable.)
    ],
    ids=["mark", "tag", "check", "list", "export", "search"],
)
def test_a_command_meeting_the_damage_says_so_in_one_line(damaged, args):
    folder, backup = damaged
    result = run_cli(folder, *args)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    errors = result.stderr.splitlines()
    assert len(errors) == 1 and errors[0].startswith("Error: cannot read "), result.stderr
    assert "The newest backup is " + backup.name in errors[0]
    assert "`readinglist restore` puts it back" in errors[0]
    # Nothing half-done: no paper that can still be read was marked or tagged (the
    # index is caught up when the library opens: that meets the damage first).
    assert _readable_statuses(folder) == {"unread"}


def _readable_statuses(folder):
    import sqlite3

    conn = sqlite3.connect(folder / "library.sqlite")
    statuses = set()
    for pid in range(1, N + 1):
        try:
            row = conn.execute(
                "SELECT status, (SELECT count(*) FROM paper_tags WHERE paper_id = ?) "
                "FROM papers WHERE id = ?",
                [pid, pid],
            ).fetchone()
        except sqlite3.DatabaseError:
            continue  # on the damaged page
        statuses.add(row[0] if row[1] == 0 else "tagged")
    conn.close()
    return statuses


def test_restore_then_brings_the_library_back(damaged, tmp_path):
    import shutil

    folder = tmp_path / "lib"
    shutil.copytree(damaged[0], folder)
    result = run_cli(folder, "restore", "--yes")
    assert result.returncode == 0, result.stderr
    assert run_cli(folder, "mark", "read", ALL).returncode == 0
    assert "Database: ok" in run_cli(folder, "check").stdout
