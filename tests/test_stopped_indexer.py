"""A catch-up of the index stopped with Ctrl+Z (SIGSTOP) holds the index lock
for as long as it is stopped. Nothing else may wait for it without a limit
(issue 16): commands that do not search run at once, a search answers from the
index as it is and says so, an import stores its papers and says the index
catches up later."""

from __future__ import annotations

import fcntl
import os
import signal
import subprocess
import sys
import time

from support import FIXTURES, generated_listing, run_cli, start_cli


def _lock_held(folder) -> bool:
    fd = os.open(folder / "index.lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


def _cli(folder, *args, **env):
    """A CLI command that must end by itself: a hang fails the test (timeout)."""
    proc = subprocess.run(
        [sys.executable, "-m", "readinglist", "--library", str(folder), *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **env},
    )
    return proc


def test_a_stopped_catch_up_blocks_nothing(tmp_path):
    from readinglist.core.library import Library

    folder = tmp_path / "lib"
    with Library.open(folder, index=False) as lib:
        lib.import_file(generated_listing(tmp_path / "listing.txt", 3000, abstract_words=60))
    assert run_cli(folder, "search", "zzz").returncode == 0  # the index exists (and is whole)
    with Library.open(folder, index=False) as lib:
        lib.tag(list(range(1, 3001)), add=["batch"])  # 3,000 papers to index again
    catch_up = start_cli(folder, "reindex", new_session=True)
    try:
        deadline = time.monotonic() + 120
        while not _lock_held(folder):
            assert time.monotonic() < deadline, "the catch-up never took the index lock"
            assert catch_up.poll() is None, catch_up.communicate()
            time.sleep(0.05)
        os.killpg(catch_up.pid, signal.SIGSTOP)  # Ctrl+Z: the indexer child too

        marked = _cli(folder, "mark", "read", "1", "2")
        assert marked.returncode == 0, marked.stderr
        assert _cli(folder, "tag", "3", "--add", "later").returncode == 0
        assert _cli(folder, "note", "4", "read it").returncode == 0
        assert _cli(folder, "list", "--status", "read").stdout.count("\n") >= 2
        exported = _cli(folder, "export")
        assert exported.returncode == 0 and exported.stdout.count("@misc{") == 3000

        found = _cli(folder, "search", "is:read")
        assert found.returncode == 0, found.stderr
        assert f"process {catch_up.pid} is updating the search index" in found.stderr
        assert "searching it as it is" in found.stderr and "not yet indexed" in found.stderr
        assert found.stdout.count("\n") >= 2  # the two papers marked read: from SQLite

        imported = _cli(
            folder, "import", str(FIXTURES / "arxiv-new-page.txt"), READINGLIST_INDEX_LOCK_WAIT="2"
        )
        assert imported.returncode == 0, imported.stderr
        assert "4 added" in imported.stdout + imported.stderr
        # Saved at once, not waiting even the 2 s a command may wait for the lock.
        assert f"process {catch_up.pid} is updating the search index" in imported.stderr
        assert "indexed once it is done" in imported.stderr

        waited = _cli(folder, "search", "--wait", "--wait-limit", "1", "learning")
        assert waited.returncode == 1 and "Traceback" not in waited.stderr
        assert f"waited 1 s for process {catch_up.pid} to finish" in waited.stderr
    finally:
        os.killpg(catch_up.pid, signal.SIGCONT)
        _out, err = catch_up.communicate(timeout=600)
    assert catch_up.returncode == 0, err
    # Once the catch-up is done, the next search catches up the rest by itself.
    after = _cli(folder, "search", "tag:later")
    assert after.returncode == 0 and "not yet indexed" not in after.stderr
    assert after.stdout.count("\n") >= 1
    with Library.open(folder) as lib:
        assert lib.pending_index_changes() == 0
        assert lib.check()["ok"]
        assert lib.search("read it").total >= 1


def test_search_wait_waits_for_a_catch_up_then_searches_everything(tmp_path):
    """`search --wait` during a catch-up in another process: it waits for it to
    end (a line counting the wait), catches up the rest, and answers from the
    whole index, without "not yet indexed"."""
    from readinglist.core.library import Library

    folder = tmp_path / "lib"
    with Library.open(folder, index=False) as lib:
        lib.import_file(generated_listing(tmp_path / "listing.txt", 3000, abstract_words=60))
    catch_up = start_cli(folder, "reindex", new_session=True)
    deadline = time.monotonic() + 120
    while not _lock_held(folder):
        assert time.monotonic() < deadline, "the catch-up never took the index lock"
        assert catch_up.poll() is None, catch_up.communicate()
        time.sleep(0.05)
    found = _cli(folder, "search", "--wait", "-n", "5000", "learning")
    catch_up.communicate(timeout=600)
    assert found.returncode == 0, found.stderr
    assert "not yet indexed" not in found.stderr
    # The same answer as from the index once it is whole, and a real one.
    after = _cli(folder, "search", "-n", "5000", "learning")
    assert found.stdout == after.stdout and found.stdout.count("\n") > 100


def test_import_no_wait_returns_and_the_index_catches_up_by_itself(tmp_path):
    folder = tmp_path / "lib"
    listing = generated_listing(tmp_path / "listing.txt", 3000, abstract_words=60)
    imported = _cli(folder, "import", "--no-wait", str(listing))
    assert imported.returncode == 0, imported.stderr
    assert "3000 added" in imported.stdout.replace(",", "")
    assert "catches up in the background" in imported.stderr
    from readinglist.core.library import Library

    deadline = time.monotonic() + 300
    while True:
        with Library.open(folder, index=False) as lib:
            if lib.pending_index_changes() == 0 and not _lock_held(folder):
                break
        assert time.monotonic() < deadline, "the background catch-up never finished"
        time.sleep(0.2)
    found = _cli(folder, "search", "is:unread")
    assert "3,000 matches" in found.stderr and "not yet indexed" not in found.stderr
