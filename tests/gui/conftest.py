"""The window fixture shared by the GUI tests: the real MainWindow, offscreen,
on a temporary library holding the reference listing."""

from __future__ import annotations

import pytest

from support import corpus


@pytest.fixture
def window(qtbot, tmp_path):
    from PySide6.QtCore import QSettings

    from readinglist.core.library import Library
    from readinglist.gui.app import make_app
    from readinglist.gui.main_window import MainWindow

    make_app()
    QSettings.setPath(QSettings.Format.NativeFormat, QSettings.Scope.UserScope, str(tmp_path))
    QSettings().clear()
    # As the app does: the window's library has no index; its search worker owns it.
    lib = Library.open(tmp_path / "lib", index=False)
    lib.import_file(corpus("listings/hf-papers-page.txt"))
    win = MainWindow(lib)
    qtbot.addWidget(win)
    win.resize(1280, 800)
    with qtbot.waitActive(win):
        win.show()
    qtbot.waitUntil(win.table.hasFocus)
    # The worker opens (here: builds) the index and then says so in the status bar;
    # tests that read the status bar must not race that message.
    qtbot.waitUntil(lambda: win.index_ready, timeout=30000)
    yield win
    win.close()
    lib.close()


@pytest.fixture
def win(window):
    return window
