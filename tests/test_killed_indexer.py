"""A killed indexer never hangs anything (issue 16). SIGKILL of the child
indexer (what the OOM killer picks) used to leave Whoosh's two worker processes
alive holding its stdout pipe: the catch-up waited forever, and every command
waiting for the index lock with it. Killing a worker made Whoosh commit the
other workers' segments silently."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from support import generated_listing, start_cli

pytestmark = pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc to find processes")


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            fields = stat[stat.rindex(")") + 2 :].split()
            if int(fields[1]) == pid and fields[0] != "Z":
                found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text()
    except OSError:
        return False
    return state[state.rindex(")") + 2] != "Z"


@pytest.fixture
def queued(tmp_path):
    """A library of 4,000 papers whose index has yet to be built (a bulk catch-up)."""
    from readinglist.core.library import Library

    folder = tmp_path / "lib"
    with Library.open(folder, index=False) as lib:
        lib.import_file(generated_listing(tmp_path / "listing.txt", 4000, abstract_words=80))
    return folder


def _indexer_and_workers(cli_pid: int) -> tuple[int, list[int]]:
    """Wait for the catch-up's indexer child and its worker processes."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        for child in _children(cli_pid):
            workers = _children(child)
            if len(workers) >= 2:
                return child, workers
        time.sleep(0.02)
    raise AssertionError("the indexer's workers never started")


@pytest.mark.parametrize("victim", ["indexer", "worker"])
def test_a_killed_indexer_or_worker_hangs_nothing(queued, victim):
    from readinglist.core.library import Library

    catch_up = start_cli(queued, "search", "learning")  # opening the index catches it up
    indexer, workers = _indexer_and_workers(catch_up.pid)
    os.kill(indexer if victim == "indexer" else workers[0], signal.SIGKILL)
    _out, err = catch_up.communicate(timeout=120)  # a hang fails here
    assert "Traceback" not in err
    if victim == "indexer":
        assert "the indexer was stopped (signal 9)" in err, err
    else:
        assert "a worker process of the indexer died (signal 9)" in err, err
    deadline = time.monotonic() + 10
    while any(_alive(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(_alive(w) for w in [indexer, *workers])  # nothing left behind
    # The papers are all there; the next opening catches the index up completely.
    with Library.open(queued) as lib:
        assert lib.count() == 4000
        assert lib.pending_index_changes() == 0
        assert lib.check()["ok"]
        assert lib.search("learning", limit=None).total > 0
