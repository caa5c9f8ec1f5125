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


def test_the_preview_says_revisions_are_left_out(window, qtbot, tmp_path):
    from readinglist.gui.import_export import ImportPreview

    seen: list[str] = []

    def look() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, ImportPreview):
            QTimer.singleShot(20, look)
            return
        seen.extend(label.text() for label in dialog.findChildren(QLabel))
        if os.environ.get("READINGLIST_SHOTS"):
            dialog.grab().save(os.path.join(os.environ["READINGLIST_SHOTS"], "preview.png"))
        dialog.accept()

    before = window.library.count()
    QTimer.singleShot(0, look)
    with qtbot.waitSignal(window.imported, timeout=60000):
        window.import_text(corpus(MAILING).read_text(encoding="utf-8"), "mailing.txt")
    settle(qtbot, window)
    text = " ".join(seen)
    assert "mailing.txt: 707 new" in text
    assert "434 revised versions of papers not in your library will be left out" in text
    assert window.library.count() == before + 707
