"""Crash safety: the command line killed (SIGKILL, with its indexer child) during a
20,000-paper import and during a reindex. Afterwards the library opens, `check`
passes once `check --repair` has run, and the paper count is the old or the new
one, never in between. Slow (index builds); .ci/run runs them."""

from __future__ import annotations

import os
import signal
import sqlite3
import time

import pytest

from readinglist.core.library import Library

from support import FIXTURES, generated_listing, run_cli, start_cli

pytestmark = pytest.mark.slow
N = 20_000


@pytest.fixture(scope="module")
def listing(tmp_path_factory):
    return generated_listing(tmp_path_factory.mktemp("data") / "big.txt", N)


def cli(folder, *args):
    return start_cli(folder, *args, new_session=True)  # the kill takes its indexer too


def run(folder, *args):
    done = run_cli(folder, *args)
    return done.returncode, done.stdout + done.stderr


def kill_when(proc, ready, what):
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline and proc.poll() is None:
        if ready():
            break
        time.sleep(0.01)
    assert proc.poll() is None, f"the command finished before {what}"
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL


def count(folder):
    conn = sqlite3.connect(f"file:{folder / 'library.sqlite'}?mode=ro", uri=True, timeout=10)
    try:
        return conn.execute("SELECT count(*) FROM papers").fetchone()[0]
    except sqlite3.OperationalError:
        return -1
    finally:
        conn.close()


def assert_recovers(folder, expected, index_behind=False):
    if index_behind:  # the kill really left work undone: check says so first
        code, out = run(folder, "check")
        assert code == 1, out
    code, out = run(folder, "check", "--repair")
    assert code == 0, out
    code, out = run(folder, "check")
    assert code == 0 and "agree" in out, out
    assert count(folder) == expected
    with Library.open(folder) as lib:
        assert lib.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert len(lib.search("is:unread", limit=None).hits) == expected


@pytest.fixture
def small_library(tmp_path):
    folder = tmp_path / "lib"
    code, out = run(folder, "import", str(FIXTURES / "arxiv-new-page.txt"))
    assert code == 0, out
    return folder


def test_killed_while_writing_the_import_keeps_the_old_library(small_library, listing):
    wal = small_library / "library.sqlite-wal"
    start = wal.stat().st_size if wal.exists() else 0
    proc = cli(small_library, "import", str(listing))
    kill_when(
        proc,
        lambda: wal.exists() and wal.stat().st_size > start + 2 * 1024 * 1024,
        "its transaction reached the WAL",
    )
    assert_recovers(small_library, 4)


def test_killed_while_indexing_after_the_import_keeps_the_new_library(small_library, listing):
    proc = cli(small_library, "import", str(listing))
    kill_when(proc, lambda: count(small_library) == 4 + N, "the import committed")
    time.sleep(1.0)  # into the index catch-up (20,000 papers take far longer)
    assert_recovers(small_library, 4 + N, index_behind=True)


def test_killed_during_a_reindex(tmp_path, listing):
    folder = tmp_path / "lib"
    with Library.open(folder, index=False) as lib:  # the papers, quickly, in-process
        assert lib.import_file(listing).added == N
    proc = cli(folder, "reindex")
    index = folder / "index"
    kill_when(
        proc,
        lambda: index.exists() and sum(1 for _ in index.iterdir()) > 1,
        "the reindex started writing",
    )
    assert_recovers(folder, N, index_behind=True)
