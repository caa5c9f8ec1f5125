"""The import preview says what an arXiv mailing's revised versions will do (issue
17): the 434 revisions of papers not in the library are left out, and it says so
before anything is written."""

from __future__ import annotations

import os

import pytest

from support import corpus, settle

pytest.importorskip("PySide6")

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QLabel

MAILING = "arxiv-listing-text/arxiv-subscription-viewer__arxiv-mailing-cs-2026-01-20-full.txt"


def _read_preview_when_shown() -> list[str]:
    """Once the import preview is on screen: its texts (labels, then the details
    box) into the list returned, a picture when asked, and Import pressed."""
    from PySide6.QtWidgets import QPlainTextEdit

    from readinglist.gui.import_export import ImportPreview

    seen: list[str] = []

    def look() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, ImportPreview):
            QTimer.singleShot(20, look)
            return
        seen.extend(label.text() for label in dialog.findChildren(QLabel))
        seen.extend(box.toPlainText() for box in dialog.findChildren(QPlainTextEdit))
        if os.environ.get("READINGLIST_SHOTS"):
            dialog.grab().save(os.path.join(os.environ["READINGLIST_SHOTS"], "preview.png"))
        dialog.accept()

    QTimer.singleShot(0, look)
    return seen


def test_the_preview_says_revisions_are_left_out(window, qtbot, tmp_path):
    seen = _read_preview_when_shown()
    before = window.library.count()
    with qtbot.waitSignal(window.imported, timeout=60000):
        window.import_text(corpus(MAILING).read_text(encoding="utf-8"), "mailing.txt")
    settle(qtbot, window)
    text = " ".join(seen)
    assert "mailing.txt: 707 new" in text
    assert "434 revised versions of papers not in your library will be left out" in text
    assert window.library.count() == before + 707


def test_the_preview_shows_what_reading_the_file_had_to_repair(window, qtbot, tmp_path):
    """A UTF-8 file spoilt by one bad byte: the preview says so (as the CLI does),
    and so do the import's own warnings (a BibTeX entry without a key)."""
    path = tmp_path / "refs.bib"
    path.write_bytes(
        "@article{ok,\n  title = {Caf\u00e9 au lait \u2013 one},\n  year = {2020}\n}\n".encode()
        + b"@article{,\n  title = {Bad \xff byte here},\n  year = {2021}\n}\n"
    )
    seen = _read_preview_when_shown()
    with qtbot.waitSignal(window.imported, timeout=60000):
        window.import_path(path)
    settle(qtbot, window)
    text = "\n".join(seen)
    assert "refs.bib: 2 new" in text and "2 warnings, listed below" in text
    assert "warning: refs.bib is UTF-8 but for 1 bad byte (first at line 6" in text
    assert "warning: line 5: a BibTeX entry has no key; a key was made" in text
    titles = {p.title for p in window.library.select()}
    assert "Café au lait – one" in titles and "Bad \ufffd byte here" in titles


def test_the_detail_pane_says_when_the_paper_was_last_revised(window, qtbot):
    from support import import_now

    title = "AlphaMapleSAT: An MCTS-based Cube-and-Conquer SAT Solver"
    first = import_now(
        qtbot, window, f"arXiv:2401.13770\nTitle: {title}\nAuthors: Piyush Jha\n\n  An abstract.\n",
        "first.txt",
    )  # fmt: skip
    (pid,) = first.paper_ids
    # The real mailing: 434 revisions, one of them of this paper.
    report = import_now(qtbot, window, corpus(MAILING).read_text(encoding="utf-8"), "mailing.txt")
    assert pid in report.paper_ids
    window.go_view("all")
    window._select_row(window.model.row_of(pid))
    window._show_detail()
    assert window.current_paper().id == pid
    assert "revised 20 Jan 2026" in window.detail.toPlainText()
