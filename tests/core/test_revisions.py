"""An arXiv mailing's "replaced with revised version" entries (434 of 1,141 in the
real mailing, none with an abstract) do not flood the Inbox as new papers (issue
17): they update papers already in the library (the new version noted) and the
others are left out, counted in the report, unless asked for."""

from __future__ import annotations

import json
import subprocess
import sys

from readinglist.core.importers import parse
from readinglist.core.library import Library

from support import corpus

MAILING = corpus(
    "arxiv-listing-text/arxiv-subscription-viewer__arxiv-mailing-cs-2026-01-20-full.txt"
)
NOTICE = "434 revisions of papers not in your library, not imported; --with-revisions imports them"


def test_revisions_of_papers_not_here_are_left_out_and_counted(tmp_path):
    drafts = parse(MAILING.read_text(encoding="utf-8")).drafts
    revised = [d for d in drafts if d.extra.get("revised")]
    assert len(drafts) == 1141 and len(revised) == 434
    assert revised[0].arxiv_id == "2401.13770"
    assert revised[0].extra["revised"] == "Tue, 20 Jan 2026 17:44:29 GMT"
    with Library.open(tmp_path / "lib", index=False) as lib:
        preview = lib.import_file(MAILING, dry_run=True)
        assert NOTICE in [w.reason for w in preview.warnings]  # the preview says it too
        report = lib.import_file(MAILING)
        assert report.revisions_left_out == 434
        assert report.added == 1141 - 434
        assert NOTICE in [w.reason for w in report.warnings]
        assert lib.count() == 707
        assert not any(p.extra.get("revised") for p in lib.select())
        again = lib.import_file(MAILING)
        assert (again.added, again.merged) == (0, 0)


def test_a_revision_updates_the_paper_already_here(tmp_path):
    with Library.open(tmp_path / "lib", index=False) as lib:
        lib.import_text(
            "arXiv:2401.13770\nTitle: AlphaMapleSAT: An MCTS-based Cube-and-Conquer SAT "
            "Solver for Hard Combinatorial Problems\nAuthors: Piyush Jha\n\n  An abstract.\n",
            format="arxiv",
        )
        (paper,) = lib.select()
        lib.set_note(paper.id, "keep")
        report = lib.import_file(MAILING)
        assert report.revisions_left_out == 433
        assert report.merged >= 1
        (same,) = [p for p in lib.select() if p.arxiv_id == "2401.13770"]
        assert same.id == paper.id and same.note == "keep"
        assert same.extra["revised"] == "Tue, 20 Jan 2026 17:44:29 GMT"
        assert (same.title, same.abstract) == (paper.title, paper.abstract)


def test_with_revisions_imports_them_from_the_command_line(tmp_path):
    folder = tmp_path / "lib"
    run = subprocess.run(
        [sys.executable, "-m", "readinglist", "--library", str(folder), "import",
         str(MAILING), "--with-revisions", "--json", "--no-wait"],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    (report,) = (
        json.loads(run.stdout) if run.stdout.strip().startswith("[") else [json.loads(run.stdout)]
    )
    assert report["added"] == 1141 and report["revisions_left_out"] == 0


def _revision(when: str) -> str:
    return (
        "arXiv:2401.13770\nreplaced with revised version " + when + "   (306kb)\n"
        "Title: AlphaMapleSAT: An MCTS-based Cube-and-Conquer SAT Solver for Hard "
        "Combinatorial Problems\nAuthors: Piyush Jha\n\n"
    )


def test_each_later_revision_is_noted_and_an_older_one_does_not_undo_it(tmp_path):
    with Library.open(tmp_path / "lib", index=False) as lib:
        lib.import_file(MAILING, with_revisions=True)
        (paper,) = [p for p in lib.select() if p.arxiv_id == "2401.13770"]
        assert paper.extra["revised"] == "Tue, 20 Jan 2026 17:44:29 GMT"
        later = lib.import_text(_revision("Mon, 2 Mar 2026 09:01:02 GMT"), format="arxiv")
        assert later.merged == 1
        (again,) = [p for p in lib.select() if p.arxiv_id == "2401.13770"]
        assert again.extra["revised"] == "Mon, 2 Mar 2026 09:01:02 GMT"
        assert again.id == paper.id and again.title == paper.title
        # The first mailing again (and a date written without a zone): no change back.
        assert lib.import_file(MAILING).merged == 0
        older = lib.import_text(_revision("Wed, 21 Jan 2026 10:00:00 -0000"), format="arxiv")
        assert older.merged == 0
        (still,) = [p for p in lib.select() if p.arxiv_id == "2401.13770"]
        assert still.extra["revised"] == "Mon, 2 Mar 2026 09:01:02 GMT"
        # Imports that change nothing leave no undo step: undo takes back the later one.
        lib.undo()
        (back,) = [p for p in lib.select() if p.arxiv_id == "2401.13770"]
        assert back.extra["revised"] == "Tue, 20 Jan 2026 17:44:29 GMT"


def test_show_on_the_command_line_says_when_it_was_revised(tmp_path):
    folder = tmp_path / "lib"
    with Library.open(folder, index=False) as lib:
        lib.import_file(MAILING, with_revisions=True)
        (pid,) = [p.id for p in lib.select() if p.arxiv_id == "2401.13770"]
    run = subprocess.run(
        [sys.executable, "-m", "readinglist", "--library", str(folder), "show", str(pid)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert "arXiv:2401.13770 · revised 20 Jan 2026" in run.stdout
