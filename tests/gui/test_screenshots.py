"""The window as a new user sees it, rendered to PNG: first launch, after a paste,
a search, focus mode and the key overlay. Set READINGLIST_SCREENSHOTS=DIR to keep
the images (they are looked at when the window changes; see the README)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

from support import corpus, settle


@pytest.fixture
def empty_window(qtbot, tmp_path):
    from PySide6.QtCore import QSettings

    from readinglist.core.library import Library
    from readinglist.gui.app import make_app
    from readinglist.gui.main_window import MainWindow

    make_app()
    QSettings.setPath(QSettings.Format.NativeFormat, QSettings.Scope.UserScope, str(tmp_path))
    QSettings().clear()
    lib = Library.open(tmp_path / "lib", index=False, origin="app")
    win = MainWindow(lib)
    qtbot.addWidget(win)
    win.resize(1280, 800)
    with qtbot.waitActive(win):
        win.show()
    qtbot.waitUntil(lambda: win.index_ready, timeout=30000)
    yield win
    win.close()
    lib.close()


def _shot(widget, name: str, tmp_path: Path, qtbot=None) -> Path:
    """Render ``widget`` to NAME.png and check it is a picture, not a blank."""
    label = getattr(widget, "counts_label", None)
    if label is not None and qtbot is not None:
        # The status bar lays the counts out again on the next turn of the loop.
        qtbot.waitUntil(lambda: label.width() >= label.sizeHint().width())
    folder = Path(os.environ.get("READINGLIST_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    image = widget.grab().toImage()
    path = folder / f"{name}.png"
    assert image.save(str(path))
    colors = {
        image.pixel(x, y) for x in range(0, image.width(), 19) for y in range(0, image.height(), 13)
    }
    assert len(colors) > 8, f"{name}: the picture is (nearly) blank"
    return path


def test_a_new_users_first_minutes_rendered(empty_window, qtbot, tmp_path, monkeypatch):
    from readinglist.gui import import_export

    window = empty_window
    # First launch: an empty library says what to do.
    assert "Your library is empty. Paste a listing with Ctrl+V" in window.detail.toPlainText()
    _shot(window, "1-first-launch", tmp_path, qtbot)

    # Paste the reference listing; the preview is accepted.
    listing = corpus("listings/hf-papers-page.txt").read_text()
    monkeypatch.setattr(
        import_export.ImportPreview, "exec", lambda self: import_export.QDialog.DialogCode.Accepted
    )
    QGuiApplication.clipboard().setText(listing)
    with qtbot.waitSignal(window.imported, timeout=30000):
        qtbot.keyClick(window.table, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    settle(qtbot, window)
    assert window.model.rowCount() == 50
    first_line = next(line for line in listing.splitlines() if line.strip())
    assert window.current_paper() is not None
    _shot(window, "2-after-paste", tmp_path, qtbot)

    # A search: matches highlighted, the count in the status bar.
    qtbot.keyClick(window.table, Qt.Key.Key_Slash)
    qtbot.keyClicks(window.search_box, "video")
    qtbot.keyClick(window.search_box, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "match" in window.counts_label.text(), timeout=10000)
    assert 0 < window.model.rowCount() < 50
    assert "#ffe58a" in window.detail.toHtml()
    # A new query starts on its best match, also when its first answer came while
    # the index was still catching up on the pasted papers.
    assert window.table.currentIndex().row() == 0
    _shot(window, "3-search", tmp_path, qtbot)

    # Focus mode: one paper, large text; the list and sidebar are gone.
    qtbot.keyClick(window.table, Qt.Key.Key_Return)
    assert window.focus_mode and window.table.isHidden() and window.sidebar.isHidden()
    _shot(window, "4-focus-mode", tmp_path, qtbot)
    qtbot.keyClick(window.detail, Qt.Key.Key_Escape)
    assert not window.focus_mode

    # The key overlay: a real table of every action.
    from PySide6.QtWidgets import QTableWidget

    from readinglist.gui.actions import ACTIONS

    qtbot.keyClick(window.table, Qt.Key.Key_Question)
    qtbot.waitUntil(lambda: window.help_overlay is not None and window.help_overlay.isVisible())
    table = window.help_overlay.findChild(QTableWidget)
    assert table.rowCount() == len(ACTIONS)
    _shot(window.help_overlay, "5-key-overlay", tmp_path, qtbot)
    window.help_overlay.close()
    assert first_line  # the page's first line was read (page order: see test_window)
