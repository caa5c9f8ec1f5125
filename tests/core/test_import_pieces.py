"""Big listings are parsed by a child process, a piece at a time, while the
library stores them. The result must be exactly what the usual import gives, and
every case that path does not take (merges, a failing child, cancel) must end as
the usual import ends, with nothing half-written."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import pytest

from readinglist.core.importing import pieces as pieces_module
from readinglist.core.library import Library
from readinglist.core.tuning import Tuning

from support import generated_text


def _with_clutter(text: str) -> str:
    # Clutter all through the listing, so that every piece skips parts too.
    blocks = text.split("\n\n")
    for i in range(len(blocks) - 2, 4, -60):
        blocks.insert(i, "12 upvotes")
    return "\n\n".join(blocks) + "\n\nSubscribe\n\nSome trailing words\n"


LISTING = _with_clutter(generated_text(1500, abstract_words=60))


@pytest.fixture
def pieces(monkeypatch):
    """Small pieces and a low threshold, so a test-sized listing takes the path."""
    calls = []
    real = pieces_module.store_pieces

    def store(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(pieces_module, "store_pieces", store)
    return calls


PIECES = Tuning(pieces_from=100_000, compress_from=100_000, piece_chars=50_000)
USUAL = Tuning(pieces_from=1 << 40, compress_from=100_000)


def _contents(lib: Library) -> dict[str, list]:
    # Everything an import writes, less the times.
    return {
        "papers": lib.db.execute(
            "SELECT id, title, title_key, abstract, authors, year, arxiv_id, doi, url, links, "
            "categories, comments, journal_ref, extra, citekey, status, starred, note, "
            "batch_id, citekey_source FROM papers ORDER BY id"
        ).fetchall(),
        "batches": lib.db.execute(
            "SELECT id, source, format, added, merged, unchanged, skipped, report FROM batches"
        ).fetchall(),
        "texts": lib.db.execute("SELECT batch_id, raw_text FROM batch_texts").fetchall(),
        "queue": lib.db.execute("SELECT paper_id FROM index_queue ORDER BY seq").fetchall(),
        "undo": lib.db.execute("SELECT kind, description, ids, before FROM undo_steps").fetchall(),
        "schema": sorted(lib.db.execute("SELECT type, name, sql FROM sqlite_master").fetchall()),
    }


def _usual(tmp_path, text, monkeypatch, setup=None):
    with Library.open(tmp_path / "usual", index=False, tuning=USUAL) as lib:
        if setup:
            setup(lib)
        report = lib.import_text(text, source="big.txt")
        return report, _contents(lib)


def _temporary_files() -> set[str]:
    return {p.name for p in Path(tempfile.gettempdir()).glob("readinglist-import-*")}


def test_pieces_give_exactly_what_the_usual_import_gives(tmp_path, pieces, monkeypatch):
    leftovers = _temporary_files()
    with Library.open(tmp_path / "pieces", index=False, tuning=PIECES) as lib:
        report = lib.import_text(LISTING, source="big.txt")
        assert pieces, "the piecewise path was not taken"
        assert _temporary_files() == leftovers  # the copies of the text are gone
        got = _contents(lib)
        assert lib.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert lib.batch_raw_text(report.batch_id) == LISTING
    usual_report, want = _usual(tmp_path, LISTING, monkeypatch)
    assert report.added == usual_report.added == 1500
    assert [str(s) for s in report.skipped] == [str(s) for s in usual_report.skipped]
    assert len(report.skipped) > 50 and report.skipped[-1].line > 5000
    assert report.paper_ids == usual_report.paper_ids
    assert got == want


def test_a_paper_already_in_the_library_is_merged_the_usual_way(tmp_path, pieces, monkeypatch):
    first = "\n\n".join(LISTING.split("\n\n")[1000:1004])  # two papers from the middle

    with Library.open(tmp_path / "pieces", index=False, tuning=PIECES) as lib:
        lib.import_text(first)
        report = lib.import_text(LISTING, source="big.txt")
        assert pieces  # tried, then left to the usual path
        got = _contents(lib)
        # And importing it again changes nothing, as always.
        again = lib.import_text(LISTING, source="big.txt")
        assert (again.added, again.unchanged, again.batch_id) == (0, 1500, None)
        assert _contents(lib) == got
    usual_report, want = _usual(tmp_path, LISTING, monkeypatch, lambda lib: lib.import_text(first))
    assert (report.added, report.unchanged) == (usual_report.added, usual_report.unchanged)
    assert (report.added, report.unchanged) == (1498, 2)
    assert got == want


def test_the_same_paper_twice_in_the_text_is_merged_the_usual_way(tmp_path, pieces, monkeypatch):
    blocks = LISTING.split("\n\n")
    text = LISTING + "\n\n" + "\n\n".join(blocks[1000:1002]) + "\n"
    with Library.open(tmp_path / "pieces", index=False, tuning=PIECES) as lib:
        report = lib.import_text(text, source="big.txt")
        got = _contents(lib)
    usual_report, want = _usual(tmp_path, text, monkeypatch)
    assert report.added == 1500
    assert any("same paper as line" in str(s) for s in report.skipped)
    assert [str(s) for s in report.skipped] == [str(s) for s in usual_report.skipped]
    assert got == want


_FIRST_PIECE_ONLY = """
import sys
from readinglist.core import parse_worker as w
line, first, end, offset, size = next(w.read_frames(sys.stdin.buffer))
with open(sys.argv[1], "rb") as text, open(sys.argv[2], "wb") as papers:
    text.seek(offset)
    piece = text.read(size).decode()
    data = w.pickle.dumps(w.parsed(piece, line, first, end))
    papers.write(data)
w.write_frame(sys.stdout.buffer, (0, len(data)))
"""


@pytest.mark.parametrize(
    "command",
    [
        (sys.executable, "-c", "import sys; sys.exit(3)"),  # dies at once
        (sys.executable, "-c", "import sys; sys.stdout.buffer.write(b'\\x10'); sys.exit(0)"),
        ("/nonexistent/python",),  # cannot start
        (sys.executable, "-c", _FIRST_PIECE_ONLY),  # stops early, "successfully"
    ],
    ids=["dies", "garbage", "cannot-start", "stops-early"],
)
def test_a_failing_child_leaves_it_to_the_usual_path(tmp_path, pieces, monkeypatch, command):
    tuning = Tuning(
        pieces_from=100_000, compress_from=100_000, piece_chars=50_000, parse_command=command
    )
    with Library.open(tmp_path / "pieces", index=False, tuning=tuning) as lib:
        report = lib.import_text(LISTING, source="big.txt")
        got = _contents(lib)
    _, want = _usual(tmp_path, LISTING, monkeypatch)
    assert report.added == 1500
    assert got == want


def test_cancel_during_pieces_changes_nothing_and_stops_the_child(tmp_path, pieces, monkeypatch):
    class Cancelled(Exception):
        pass

    workers = []
    real_init = pieces_module.ParseWorker.__init__

    def init(self, text, tuning):
        real_init(self, text, tuning)
        workers.append(self)

    monkeypatch.setattr(pieces_module.ParseWorker, "__init__", init)

    def progress(done, total):
        if done:
            raise Cancelled

    with Library.open(tmp_path / "pieces", index=False, tuning=PIECES) as lib:
        lib.import_text("A Small Paper Title\n\n" + "A sentence of an abstract. " * 5)
        before = _contents(lib)
        with pytest.raises(Cancelled):
            lib.import_text(LISTING, source="big.txt", progress=progress)
        assert _contents(lib) == before
        assert not lib.db.conn.in_transaction
        assert len(workers) == 1 and workers[0]._proc.poll() is not None
        assert not any(path.exists() for path in workers[0]._paths)  # temporary files
        # The library still takes the listing afterwards.
        assert lib.import_text(LISTING, source="big.txt").added == 1500
