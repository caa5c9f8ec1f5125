"""Helpers shared by the tests (importable because pytest puts tests/ on sys.path)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
CORPORA = Path(os.environ.get("READINGLIST_CORPORA", ROOT.parent / "shared" / "corpora"))


def corpus(relative: str) -> Path:
    """A file from ../shared/corpora, or skip the test saying why."""
    path = CORPORA / relative
    if not path.exists():
        pytest.skip(f"shared corpus file {relative} not found under {CORPORA} (../shared absent)")
    return path


def start_cli(folder: Path, *args: str, new_session: bool = False) -> subprocess.Popen[str]:
    """``readinglist --library FOLDER ARGS`` as a real process (stdout, stderr piped).
    ``new_session`` gives it its own process group, so killing the group kills its
    indexer child too."""
    return subprocess.Popen(
        [sys.executable, "-m", "readinglist", "--library", str(folder), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=new_session,
    )


def run_cli(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    proc = start_cli(folder, *args)
    out, err = proc.communicate(timeout=900)
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def generated_text(n: int, abstract_words: int = 30, seed: int = 1) -> str:
    """The text of a listing of ``n`` made-up papers (bench/generate.py)."""
    sys.path.insert(0, str(ROOT / "bench"))
    from generate import listing_text

    return str(listing_text(n, abstract_words=abstract_words, seed=seed))


def generated_listing(path: Path, n: int, abstract_words: int = 30, seed: int = 1) -> Path:
    """A listing of ``n`` made-up papers (bench/generate.py), written to ``path``."""
    sys.path.insert(0, str(ROOT / "bench"))
    from generate import write_listing

    return write_listing(path, n, abstract_words=abstract_words, seed=seed)


def damage_the_middle(db: Path, table: str = "papers") -> int:
    """Write 8 KB of garbage over the start of the ``table`` page nearest the middle
    of the database file (the page header too, so any read of it fails as
    "malformed", as real disk damage does). Returns the page number."""
    import random
    import sqlite3

    conn = sqlite3.connect(db)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        pages = [
            row[0]
            for row in conn.execute(
                "SELECT pageno FROM dbstat WHERE name = ? AND pagetype = 'leaf'", [table]
            )
        ]
    finally:
        conn.close()
    middle = db.stat().st_size // page_size // 2
    page = min(pages, key=lambda p: abs(p - middle))
    with open(db, "r+b") as fh:
        fh.seek((page - 1) * page_size)
        fh.write(random.Random(page).randbytes(8192))
    return page


# --- the window's operations run in a worker: tests wait for them --------------------


def settle(qtbot, window, timeout: int = 15000) -> None:
    """Wait until every operation the window started has run and its result (and
    Changes) reached the window."""
    qtbot.waitUntil(window.ops.idle, timeout=timeout)


def import_now(qtbot, window, text: str, source: str, timeout: int = 60000):
    """``window.import_text(text, source, confirm=False)`` to its end: the report,
    or None when nothing was imported (the failure's reason is in the status bar)."""
    outcome: list = []
    window.imported.connect(outcome.append)
    window.import_failed.connect(lambda _why: outcome.append(None))
    try:
        window.import_text(text, source, confirm=False)
        qtbot.waitUntil(lambda: bool(outcome), timeout=timeout)
        settle(qtbot, window, timeout)
    finally:
        window.imported.disconnect(outcome.append)
    return outcome[0]


MAILING = "arxiv-listing-text/arxiv-subscription-viewer__arxiv-mailing-cs-2026-01-20-full.txt"


def segmented_library(folder: Path, noted: tuple[int, ...]):
    """The real 1,141-entry mailing in a library whose index has several segments,
    with the papers ``noted`` given a note: replaced documents, so the old segments
    hold deletions. What every ranking test needs Whoosh's oracle to see."""
    from readinglist.core.library import Library
    from readinglist.core.tuning import Tuning

    tuning = Tuning(bulk_index=2)
    with Library.open(folder, index=False, tuning=tuning) as setup:
        setup.import_file(corpus(MAILING))
        setup.ensure_index()  # several segments
    library = Library.open(folder, tuning=tuning)
    for paper_id in noted:
        library.set_note(paper_id, "a note on learning and this paper")
    return library
