"""The Library on real SQLite files: import, dedup and merge, user changes, bad input."""

from __future__ import annotations

import hashlib
import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from readinglist.core.db import DB_NAME
from readinglist.core.errors import BadInput, LibraryError, UnknownPaper, UserError
from readinglist.core.library import Library
from readinglist.core.models import Status

from support import FIXTURES, corpus

HF = "listings/hf-papers-page.txt"
FULL = "arxiv-listing-text/arxiv-subscription-viewer__arxiv-mailing-cs-2026-01-20-full.txt"

SMALL_LISTING = """Daily Papers

Sparse Routing for Mixtures of Experts

We study sparse routing in mixtures of experts and show that similarity-based routing is as good as learned routing while being cheaper. Code: https://github.com/example/route.

Calibrated Uncertainty for Regression Models

Calibration of predictive uncertainty for regression is studied and a simple rescaling is shown to be optimal under mild assumptions.
"""


def _snapshot(lib: Library) -> str:
    """A digest of every row of every table: equal digests mean an untouched library."""
    h = hashlib.sha256()
    for (name,) in lib.db.execute(
        "SELECT name FROM sqlite_master WHERE type='table' ORDER BY name"
    ):
        for row in lib.db.execute(f"SELECT * FROM [{name}] ORDER BY 1"):
            h.update(repr(row).encode())
    return h.hexdigest()


def test_open_creates_folder_with_wal_foreign_keys_and_busy_timeout(tmp_path):
    folder = tmp_path / "a" / "b"
    with Library.open(folder) as lib:
        assert (folder / DB_NAME).exists()
        assert lib.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert lib.db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert lib.db.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000
        names = {r[0] for r in lib.db.execute("SELECT name FROM _sqlite_migrations")}
        assert "0001_initial" in names


def test_default_location_comes_from_env(monkeypatch, tmp_path):
    monkeypatch.setenv("READINGLIST_LIBRARY", str(tmp_path / "envlib"))
    with Library.open() as lib:
        assert lib.folder == tmp_path / "envlib"


def test_default_location_is_platform_user_data_dir(monkeypatch):
    import platformdirs

    from readinglist.core.library import default_library_dir

    monkeypatch.delenv("READINGLIST_LIBRARY")
    assert default_library_dir() == __import__("pathlib").Path(
        platformdirs.user_data_dir("readinglist", appauthor=False)
    )


def test_pending_migration_backs_up_the_database_first(tmp_path):
    from readinglist.core import migrations as mig

    folder = tmp_path / "lib"
    with Library.open(folder) as lib:
        lib.import_text(SMALL_LISTING)
    assert not (folder / "backups").exists()  # a new, empty library needs no backup

    @mig.migration("9999_test_only")
    def _m(db):
        db.conn.execute("ALTER TABLE papers ADD COLUMN test_only TEXT")

    try:
        with Library.open(folder) as lib:
            assert lib.count() == 2
        backups = list((folder / "backups").glob("library-*-before-migration*.sqlite"))
        assert len(backups) == 1
        old = sqlite3.connect(backups[0])
        cols = [r[1] for r in old.execute("PRAGMA table_info(papers)")]
        assert (
            "test_only" not in cols
            and old.execute("SELECT count(*) FROM papers").fetchone()[0] == 2
        )
        old.close()
    finally:
        mig.STEPS[:] = [(name, fn) for name, fn in mig.STEPS if name != "9999_test_only"]


def test_reference_listing_imports_50_papers_and_records_the_batch(library):
    path = corpus(HF)
    report = library.import_file(path)
    assert (report.added, report.merged, report.unchanged) == (50, 0, 0)
    assert len(report.skipped) == 5 and report.format == "listing"
    papers = library.list_papers()
    assert len(papers) == 50
    assert all(p.status is Status.UNREAD and not p.starred and p.tags == [] for p in papers)
    assert papers[0].title == "NoiSER: Noise is All You Need for Low-Light Image Enhancement"
    assert [p.id for p in papers] == sorted(p.id for p in papers)
    (batch,) = library.batches()
    assert batch["source"] == "hf-papers-page.txt" and batch["format"] == "listing"
    assert (batch["added"], batch["skipped"]) == (50, 5)
    assert library.batch_raw_text(batch["id"]) == path.read_text(encoding="utf-8")
    assert {p.id for p in library.list_papers(batch_id=batch["id"])} == {p.id for p in papers}


def test_citekeys_are_unique_ignoring_case(library):
    library.import_file(corpus(FULL))
    keys = [p.citekey for p in library.list_papers()]
    assert all(keys) and len({k.lower() for k in keys}) == len(keys)
    assert all(k.isascii() and k.isalnum() for k in keys)


def test_reimport_changes_nothing_and_says_so(library):
    path = corpus(HF)
    library.import_file(path)
    before = _snapshot(library)
    report = library.import_file(path)
    assert (report.added, report.merged, report.unchanged) == (0, 0, 50)
    assert report.batch_id is None
    assert "nothing new" in report.summary()
    assert _snapshot(library) == before


def test_full_mailing_imports_every_entry(library):
    # Every entry with its revisions; without them see test_revisions.py.
    report = library.import_file(corpus(FULL), with_revisions=True)
    assert report.added == 1141 == library.count()
    assert report.skipped == []
    assert len({p.arxiv_id for p in library.list_papers()}) == 1141


def test_digest_after_listing_fills_authors_and_ids_without_touching_user_fields(library):
    library.import_file(corpus(HF))
    barlow = next(p for p in library.list_papers() if p.title.startswith("Barlow Twins"))
    library.mark([barlow.id], "read")
    library.set_starred([barlow.id], True)
    library.tag([barlow.id], add=["ssl"])
    library.set_note(barlow.id, "my note")
    old_key = barlow.citekey
    report = library.import_file(FIXTURES / "arxiv-digest-overlap.txt")
    assert (report.added, report.merged) == (0, 2)
    after = library.get(barlow.id)
    assert after.arxiv_id == "2103.03230" and after.year == 2021
    assert after.authors == [
        "Jure Zbontar",
        "Li Jing",
        "Ishan Misra",
        "Yann LeCun",
        "Stéphane Deny",
    ]
    assert after.journal_ref == "ICML 2021" and after.categories[0] == "cs.CV"
    # The listing's (longer) abstract was already there: not overwritten.
    assert after.abstract == barlow.abstract
    assert (after.status, after.starred, after.tags, after.note) == (
        Status.READ,
        True,
        ["ssl"],
        "my note",
    )
    # A generated key never exported follows the new authors and year once.
    assert old_key == "BarlowTwinsSelf" and after.citekey == "zbontarBarlowTwinsSelf2021"
    assert library.count() == 50
    # And a second time: nothing left to fill.
    again = library.import_file(FIXTURES / "arxiv-digest-overlap.txt")
    assert (again.added, again.merged, again.unchanged) == (0, 0, 2)


def test_duplicates_by_arxiv_version_doi_and_title(library):
    library.import_file(FIXTURES / "arxiv-new-page.txt")
    n = library.count()
    # Same arXiv id with a version, and a title differing only in case and punctuation.
    text = (
        "\\\\\narXiv:2410.13842v2\nDate: x\n\nTitle: SPARSE mixtures of experts -- route "
        "tokens by similarity!\nAuthors: Ana Gómez\nCategories: cs.LG\n\\\\\n  Abstract.\n"
        "\\\\ ( https://arxiv.org/abs/2410.13842 ,  1kb)\n"
    )
    report = library.import_text(text, source="stdin")
    assert report.added == 0 and library.count() == n
    listing = (
        "Sparse mixtures of experts: route tokens by similarity\n\nWe study how sparse "
        "mixtures of experts route tokens and propose a cheaper router for them all.\n"
    )
    report = library.import_text(listing)
    assert report.added == 0 and library.count() == n


def test_same_title_different_arxiv_ids_are_different_papers(library):
    entry = (
        "\\\\\narXiv:{id}\nDate: x\n\nTitle: Introduction\nAuthors: A. B\nCategories: cs.LG\n"
        "\\\\\n  Text.\n\\\\ ( https://arxiv.org/abs/{id} ,  1kb)\n"
    )
    library.import_text(entry.format(id="2401.00001"))
    library.import_text(entry.format(id="2401.00002"))
    assert library.count() == 2


def test_within_file_duplicates_are_folded_and_reported(library):
    report = library.import_file(
        corpus("arxiv-listing-text/arxiv-subscription-viewer__malformed.txt")
    )
    assert report.added == 3
    assert any("same paper as line 14" in s.reason for s in report.skipped)
    assert any("without an arXiv id" in s.reason for s in report.skipped)
    assert library.get(1).title == "A Valid Paper That Should Parse Correctly"


def test_dry_run_writes_nothing(library):
    before = _snapshot(library)
    report = library.import_text(SMALL_LISTING, dry_run=True)
    assert report.added == 2 and report.dry_run
    assert _snapshot(library) == before and library.count() == 0


def test_dry_run_reports_what_the_import_then_does(library):
    # The dry run decides without writing; its counts must be the import's.
    library.import_file(corpus("listings/hf-papers-page.txt"))
    library.import_file(FIXTURES / "arxiv-new-page.txt")
    library.mark([1], "read")
    overlap = FIXTURES / "arxiv-digest-overlap.txt"
    before = _snapshot(library)
    preview = library.import_file(overlap, dry_run=True)
    assert _snapshot(library) == before and preview.batch_id is None
    report = library.import_file(overlap)
    counts = ("added", "merged", "unchanged")
    assert [getattr(preview, c) for c in counts] == [getattr(report, c) for c in counts]
    assert [str(s) for s in preview.skipped] == [str(s) for s in report.skipped]
    assert report.merged == 2  # the digest completes two papers of the listing


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"  \n\n \t\n", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary \\(PNG image\\)"),
        (b"%PDF-1.4\n1 0 obj\n", "binary \\(PDF document\\)"),
        (b"PK\x03\x04" + b"\x00" * 100, "binary \\(ZIP archive"),
        (b"new\n\nSubscribe\n\n42\n", "no paper recognised"),
        (b"@article{k,\n author = {Nobody}}\n", "no paper recognised"),
        (b"<?xml version='1.0'?><!DOCTYPE x [<!ENTITY a 'aaaa'>]><feed></feed>", "DTD"),
    ],
)
def test_bad_input_is_refused_and_leaves_the_library_untouched(library, tmp_path, content, message):
    library.import_text(SMALL_LISTING)
    before = _snapshot(library)
    bad = tmp_path / "bad.dat"
    bad.write_bytes(content)
    with pytest.raises(BadInput, match=message):
        library.import_file(bad)
    assert _snapshot(library) == before


def test_missing_file_and_folder(library, tmp_path):
    with pytest.raises(BadInput, match="no such file"):
        library.import_file(tmp_path / "nope.txt")
    with pytest.raises(BadInput, match="folder"):
        library.import_file(tmp_path)


def test_too_large_file_is_refused_before_reading(library, tmp_path, monkeypatch):
    import readinglist.core.text as text_module

    monkeypatch.setattr(text_module, "MAX_IMPORT_BYTES", 1000)
    big = tmp_path / "big.txt"
    big.write_text(SMALL_LISTING * 20)
    with pytest.raises(BadInput, match="too large"):
        library.import_file(big)
    assert library.count() == 0


def test_60_mb_listing_imports(library, tmp_path):
    sys.path.insert(0, str(FIXTURES.parent.parent / "bench"))
    from generate import write_listing

    path = tmp_path / "big.txt"
    write_listing(path, 50_000, abstract_words=180)
    assert path.stat().st_size > 50 * 1024 * 1024
    report = library.import_file(path)
    assert report.added == 50_000 == library.count()


def test_partly_bad_listing_imports_what_it_can(library):
    text = (
        "Header junk\n\n"
        + SMALL_LISTING
        + "\n\n\x07\x07 ???\n\nOrphan abstract text that has no title above it and goes on for a while. It is long enough to be an abstract, surely.\n"
    )
    report = library.import_text(text)
    assert report.added == 2
    assert report.skipped and all(s.line > 0 for s in report.skipped)


def test_user_changes(library):
    library.import_text(SMALL_LISTING)
    ids = [p.id for p in library.list_papers()]
    changes = library.mark(ids, "queued")
    assert changes.paper_ids == ids and "2 papers" in changes.description
    assert all(p.status is Status.QUEUED and p.status_changed_at for p in library.list_papers())
    library.set_starred([ids[0]], True)
    assert [p.id for p in library.list_papers(starred=True)] == [ids[0]]
    library.tag(ids, add=["Robotics", "to read"])
    library.tag([ids[0]], add=["robotics"])  # same tag, other case
    assert library.tags() == [("Robotics", 2), ("to read", 2)]
    assert [p.id for p in library.list_papers(tag="ROBOTICS")] == ids
    library.tag([ids[1]], remove=["to read"])
    assert library.get(ids[1]).tags == ["Robotics"]
    library.set_note(ids[0], "# Heading\nsome *markdown*")
    assert library.get(ids[0]).note == "# Heading\nsome *markdown*"
    assert library.list_papers(status="queued") == library.list_papers()
    with pytest.raises(UnknownPaper, match="no paper with id 999"):
        library.mark([999], "read")
    with pytest.raises(UserError, match="unknown status"):
        library.mark(ids, "finished")
    with pytest.raises(UserError, match="empty"):
        library.tag(ids, add=["  "])


def test_delete_cascades_tags(library):
    library.import_text(SMALL_LISTING)
    library.tag([1], add=["x"])
    library.delete([1])
    assert library.count() == 1 and library.tags() == []


def test_read_only_library_gives_a_clear_error(tmp_path):
    if os.geteuid() == 0:
        pytest.skip(
            "root ignores file permissions; tests/test_disk.py covers read-only folders and files for root"
        )
    folder = tmp_path / "ro"
    Library.open(folder).close()
    os.chmod(folder / DB_NAME, 0o444)
    with pytest.raises(LibraryError):
        with Library.open(folder) as lib:
            lib.import_text(SMALL_LISTING)


def test_corrupt_database_gives_a_clear_error(tmp_path):
    folder = tmp_path / "bad"
    folder.mkdir()
    (folder / DB_NAME).write_bytes(b"this is not a database" * 100)
    with pytest.raises(LibraryError, match="cannot open the library database"):
        Library.open(folder)


KILL_SCRIPT = """
import sys
from readinglist.core.library import Library
lib = Library.open(sys.argv[1])
lib.import_file(sys.argv[2])
"""


def test_killed_import_leaves_the_library_as_it_was(tmp_path):
    sys.path.insert(0, str(FIXTURES.parent.parent / "bench"))
    from generate import write_listing

    folder = tmp_path / "lib"
    with Library.open(folder) as lib:
        lib.import_text(SMALL_LISTING)
        before = _snapshot(lib)
    big = tmp_path / "big.txt"
    write_listing(big, 40_000, abstract_words=150)
    wal = folder / (DB_NAME + "-wal")
    start_size = wal.stat().st_size if wal.exists() else 0
    proc = subprocess.Popen([sys.executable, "-c", KILL_SCRIPT, str(folder), str(big)])
    try:
        deadline = time.monotonic() + 120
        # Kill once the import is visibly writing its transaction into the WAL.
        while time.monotonic() < deadline and proc.poll() is None:
            if wal.exists() and wal.stat().st_size > start_size + 4 * 1024 * 1024:
                break
            time.sleep(0.005)
        assert proc.poll() is None, "the import finished before it could be killed"
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == -signal.SIGKILL
    with Library.open(folder) as lib:
        assert lib.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert lib.count() == 2
        assert _snapshot(lib) == before
        # And the library still works.
        assert lib.import_file(FIXTURES / "arxiv-new-page.txt").added == 4


def test_bulk_import_keeps_every_index(library):
    sys.path.insert(0, str(FIXTURES.parent.parent / "bench"))
    from generate import listing_text

    def schema():
        # Indexes and triggers: a bulk import drops some and builds them again.
        return sorted(library.db.execute("SELECT type, name, sql FROM sqlite_master").fetchall())

    library.import_text(SMALL_LISTING)
    before = schema()
    queued_before = library.pending_index_changes()
    report = library.import_text(listing_text(12_000, abstract_words=20))
    assert report.added == 12_000
    assert schema() == before
    # Every new paper is queued for the search index once (without the per-row trigger).
    queued = library.db.execute(
        "SELECT count(*), count(DISTINCT paper_id), min(paper_id) FROM index_queue "
        "WHERE paper_id > 2"
    ).fetchone()
    assert queued == (12_000, 12_000, 3)
    assert library.pending_index_changes() == queued_before + 12_000
    # ... and the trigger is back: a later small import is queued by it.
    library.import_text("Another Paper Title Here\n\n" + "A sentence of the abstract. " * 5)
    assert library.db.execute("SELECT max(paper_id) FROM index_queue").fetchone()[0] == 12_003
    plan = " ".join(
        str(r)
        for r in library.db.execute(
            "EXPLAIN QUERY PLAN SELECT id FROM papers WHERE title_key = 'x'"
        )
    )
    assert "papers_title_key" in plan
    # The unique key index is back and enforced.
    with pytest.raises(sqlite3.IntegrityError):
        library.db.execute("UPDATE papers SET citekey = 'dup' WHERE id IN (1, 2)")
    # Imports insert without evaluating CHECK constraints (speed): every row must
    # still pass them, and they are enforced again afterwards.
    library.import_text(
        "@article{mykey2024, title={A Paper With Its Own Key}, author={Doe, Jane}, year={2024}}"
    )
    assert library.db.execute(
        "SELECT count(*) FROM papers WHERE citekey_source = 'imported'"
    ).fetchone() == (1,)
    assert library.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    with pytest.raises(sqlite3.IntegrityError):
        library.db.execute("UPDATE papers SET status = 'bogus' WHERE id = 1")


def test_rename_merge_and_delete_tags(library):
    library.import_text(SMALL_LISTING)
    library.tag([1], add=["ml"])
    library.tag([2], add=["Learning"])
    library.rename_tag("ml", "Machine Learning")
    assert library.tags() == [("Learning", 1), ("Machine Learning", 1)]
    changes = library.rename_tag("learning", "machine learning")  # merge, ignoring case
    assert "merged" in changes.description
    assert library.tags() == [("Machine Learning", 2)]
    library.delete_tag("MACHINE LEARNING")
    assert library.tags() == [] and library.get(1).tags == []
    with pytest.raises(UserError, match="no tag"):
        library.delete_tag("nope")


def test_data_version_sees_other_connections(library, tmp_path):
    before = library.data_version()
    with Library.open(tmp_path / "lib", index=False) as other:
        other.import_text(SMALL_LISTING)
    assert library.data_version() != before


def test_large_raw_text_is_kept_exactly_though_stored_compressed(tmp_path):
    # Over a megabyte the raw text is zlib-compressed during parsing; the user
    # must still get back exactly what was imported, accents and all.
    entries = [
        f"Gradient Méthodes number {i} for Résumé Parsing\n\n"
        f"We study ‘case’ {i} – with an abstract long enough to matter. " * 3
        for i in range(6000)
    ]
    text = "\n\n".join(entries) + "\n"
    assert len(text) > 1 << 20
    library = Library.open(tmp_path / "lib", index=False)
    report = library.import_text(text, source="big.txt")
    assert report.added == 6000
    stored = library.db.execute(
        "SELECT raw_text FROM batch_texts WHERE batch_id = ?", [report.batch_id]
    ).fetchone()[0]
    assert isinstance(stored, bytes) and len(stored) < len(text.encode()) // 2
    assert library.batch_raw_text(report.batch_id) == text
    library.close()


def _big_listing(n: int = 12_000) -> str:
    sys.path.insert(0, str(FIXTURES.parent.parent / "bench"))
    from generate import listing_text

    text = listing_text(n, abstract_words=20)
    assert len(text) > 1 << 20  # the path that stores the raw text while parsing
    return text


def test_big_reimport_changes_nothing_not_even_a_batch(library):
    text = _big_listing()
    first = library.import_text(text, source="big.txt")
    assert first.added == 12_000 and first.batch_id is not None
    snapshot = _snapshot(library)
    again = library.import_text(text, source="big.txt")
    assert (again.added, again.merged, again.unchanged, again.batch_id) == (0, 0, 12_000, None)
    assert _snapshot(library) == snapshot
    assert [b["id"] for b in library.batches()] == [first.batch_id]
    assert library.batches()[0]["format"] == "listing"  # set once parsing said so


def test_big_text_with_no_paper_leaves_the_library_untouched(library):
    library.import_text(SMALL_LISTING)
    snapshot = _snapshot(library)
    with pytest.raises(BadInput, match="no paper recognised"):
        library.import_text("Subscribe\n\n" * 120_000, source="junk.txt")
    assert _snapshot(library) == snapshot
    # The write lock was given back: another connection can write at once.
    with Library.open(library.folder, index=False) as other:
        other.mark([1], "read")


def test_big_import_checkpoints_in_the_background(library):
    report = library.import_text(_big_listing(), source="big.txt")
    library.wait_settled()
    conn = library.db.conn
    # The automatic checkpoint is on again for every later commit ...
    assert conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 1000
    # ... and the import reached the database file itself, not only the WAL.
    assert (library.folder / DB_NAME).stat().st_size > 2_000_000
    with Library.open(library.folder, index=False) as other:
        assert other.count() == report.added


def test_a_failing_paper_insert_rolls_the_import_back(library, monkeypatch):
    library.import_text(SMALL_LISTING)
    snapshot = _snapshot(library)
    # A citation key that is already taken makes the papers INSERT fail (the
    # unique index is dropped only for bulk imports).
    from readinglist.core import citekeys

    monkeypatch.setattr(citekeys, "unique_key", lambda base, taken: "dup")
    with pytest.raises(sqlite3.IntegrityError):
        library.import_text(
            "First New Paper Title\n\n" + "One sentence of an abstract. " * 5 + "\n\n"
            "Second New Paper Title\n\n" + "Another sentence of an abstract. " * 5
        )
    assert _snapshot(library) == snapshot


def test_views_list_the_newest_import_first_each_in_page_order(tmp_path):
    from support import FIXTURES

    lib = Library.open(tmp_path / "lib")
    listing = "A First Paper Title Here\n\nIts abstract.\n\nA Second Paper Title\n\nIts abstract.\n"
    first = lib.import_text(listing, source="one")
    second = lib.import_file(FIXTURES / "arxiv-new-page.txt")
    titles = [lib.get(i).title for i in lib.ids()]
    assert titles[:3] == [
        "Sparse Mixtures of Experts Route Tokens by Similarity",
        "A Note on Calibrated Uncertainty for Regression",
        "Seeing Is Believing: Visual Grounding at Scale",
    ]
    assert titles[-2:] == ["A First Paper Title Here", "A Second Paper Title"]
    assert lib.ids(status="unread") == lib.ids()
    assert [lib.get(i).title for i in lib.ids(batch_id=first.batch_id)] == titles[-2:]
    # Papers whose import record is gone (batch_id NULL) are listed last.
    with lib.db.conn:
        lib.db.execute("DELETE FROM batches WHERE id = ?", [second.batch_id])
    assert [lib.get(i).title for i in lib.ids()] == titles[-2:] + titles[:4]
    lib.close()


def test_titles_sort_as_they_read_not_by_their_leading_latex(tmp_path):
    # A new user's pass: "$i$REPO: ..." was listed first, before "A Study ...".
    lib = Library.open(tmp_path / "lib", index=False)
    titles = ["Zeta functions", "$i$REPO: implicit reward", "A Study of Things", "{BERT} again"]
    bib = "".join(f"@misc{{k{n}, title = {{{t}}}, year = 2024}}\n" for n, t in enumerate(titles))
    lib.import_text(bib, "test", format="bibtex")
    ids = lib.sorted_ids(lib.ids(), "title COLLATE NOCASE")
    assert [lib.get(i).title.split()[0] for i in ids] == ["A", "BERT", "$i$REPO:", "Zeta"]
    lib.close()
