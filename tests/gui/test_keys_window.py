"""The window-wide keys (Ctrl shortcuts, Tab between panes, Esc, the help overlay),
with real key events on the real window."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

from support import FIXTURES, corpus, settle

Ctrl = Qt.KeyboardModifier.ControlModifier
Shift = Qt.KeyboardModifier.ShiftModifier


@pytest.fixture
def window_with_keymap(qtbot, tmp_path):
    """A window built on a library whose keymap setting is given first."""
    from PySide6.QtCore import QSettings

    from readinglist.core.library import Library
    from readinglist.gui.app import make_app
    from readinglist.gui.main_window import MainWindow

    made = []

    def build(keymap):
        make_app()
        QSettings.setPath(QSettings.Format.NativeFormat, QSettings.Scope.UserScope, str(tmp_path))
        QSettings().clear()
        lib = Library.open(tmp_path / "lib", index=False)
        lib.import_file(corpus("listings/hf-papers-page.txt"))
        lib.set_setting("keymap", keymap)
        win = MainWindow(lib)
        qtbot.addWidget(win)
        with qtbot.waitActive(win):
            win.show()
        qtbot.waitUntil(win.table.hasFocus)
        made.append((win, lib))
        return win

    yield build
    for win, lib in made:
        win.close()
        lib.close()


def menu_entries(win):
    """Every menu entry of the menu bar: (menu title, entry) pairs."""
    return [
        (top.text(), entry)
        for top in win.menuBar().actions()
        if top.menu() is not None
        for entry in top.menu().actions()
    ]


def test_a_keymap_rebinds_a_menu_key(window_with_keymap, qtbot, monkeypatch):
    from readinglist.gui import import_export

    asked = []
    monkeypatch.setattr(
        import_export.QFileDialog,
        "getOpenFileName",
        staticmethod(lambda *args: asked.append(args) or ("", "")),
    )
    win = window_with_keymap({"file.import": ["Ctrl+I"]})
    action = win.key_actions["file.import"]
    assert action.shortcut().toString() == "Ctrl+I"
    assert any(entry is action for title, entry in menu_entries(win) if title == "&File")
    qtbot.keyClick(win.table, Qt.Key.Key_O, Ctrl)  # the default key no longer imports
    settle(qtbot, win)
    assert asked == []
    qtbot.keyClick(win.table, Qt.Key.Key_I, Ctrl)
    settle(qtbot, win)
    assert len(asked) == 1


def test_every_window_key_is_in_a_menu_with_its_keys(window):
    from readinglist.gui.actions import ACTIONS

    entries = [entry for _, entry in menu_entries(window)]
    window_actions = [a for a in ACTIONS if a.scope == "window"]
    assert window_actions
    for action in window_actions:
        bound = window.key_actions[action.id]
        assert any(entry is bound for entry in entries), action.id
        assert [k.toString() for k in bound.shortcuts()] == list(action.keys)


def test_ctrl_v_imports_from_the_panes_and_pastes_in_the_text_editors(window, qtbot, monkeypatch):
    from readinglist.gui import import_export

    previews = []
    monkeypatch.setattr(
        import_export.ImportPreview,
        "exec",
        lambda self: previews.append(self) or import_export.QDialog.DialogCode.Rejected,
    )
    QGuiApplication.clipboard().setText((FIXTURES / "arxiv-new-page.txt").read_text())
    for n, pane in enumerate((window.table, window.sidebar, window.detail), start=1):
        pane.setFocus()
        qtbot.waitUntil(pane.hasFocus)
        qtbot.keyClick(pane, Qt.Key.Key_V, Ctrl)
        qtbot.waitUntil(lambda n=n: len(previews) == n, timeout=20000)
    settle(qtbot, window)
    assert len(previews) == 3 and window.library.count() == 50  # each was cancelled

    QGuiApplication.clipboard().setText("pasted")
    for editor in (window.search_box, window.tag_editor, window.note):
        editor.setFocus()
        qtbot.waitUntil(editor.hasFocus)
        qtbot.keyClick(editor, Qt.Key.Key_V, Ctrl)
        text = editor.toPlainText() if editor is window.note else editor.text()
        assert text == "pasted"
    assert len(previews) == 3  # no import from the editors
    window.search_box.clear()


def test_esc_in_the_list_clears_the_search_and_keeps_the_paper(window, qtbot):
    window.search_box.setFocus()
    qtbot.keyClicks(window.search_box, "barlow")
    qtbot.keyClick(window.search_box, Qt.Key.Key_Return)
    settle(qtbot, window)
    qtbot.waitUntil(lambda: window.model.rowCount() == 1, timeout=5000)
    assert window.table.hasFocus()
    found = window.current_paper()
    qtbot.keyClick(window.table, Qt.Key.Key_Escape)
    settle(qtbot, window)
    qtbot.waitUntil(lambda: window.model.rowCount() == 50, timeout=5000)
    assert window.search_box.text() == "" and window.state.search == ""
    assert window.current_paper().id == found.id
    assert window.table.hasFocus()


def test_tab_cycles_the_panes_and_the_focused_pane_shows_it(window, qtbot):
    def tab(backwards=False):
        widget = QGuiApplication.focusObject()
        qtbot.keyClick(widget, Qt.Key.Key_Tab, Shift if backwards else Qt.KeyboardModifier(0))

    def shown():
        """Which panes draw the focus highlight."""
        return [p for p in (window.sidebar, window.table, window.detail) if p.property("paneFocus")]

    assert window.table.hasFocus() and shown() == [window.table]
    tab()
    assert window.detail.hasFocus() and shown() == [window.detail]
    tab()
    assert window.sidebar.hasFocus() and shown() == [window.sidebar]
    tab()
    assert window.table.hasFocus()
    tab(backwards=True)
    assert window.sidebar.hasFocus()
    # A real Shift+Tab arrives as Backtab.
    qtbot.keyClick(window.sidebar, Qt.Key.Key_Backtab, Shift)
    assert window.detail.hasFocus()
    # The note is part of the detail pane: it shows as that pane, and Tab moves on.
    window.note.setFocus()
    qtbot.waitUntil(window.note.hasFocus)
    assert shown() == [window.detail]
    tab()
    assert window.sidebar.hasFocus() and window.note.toPlainText() == ""
    window.note.setFocus()
    qtbot.waitUntil(window.note.hasFocus)
    tab(backwards=True)
    assert window.table.hasFocus()


def test_g_d_goes_to_dismissed(window, qtbot):
    window.library.mark([1, 2], "dismissed")
    window.refresh_sidebar()
    qtbot.keyClick(window.table, Qt.Key.Key_G)
    settle(qtbot, window)
    qtbot.keyClick(window.table, Qt.Key.Key_D)
    settle(qtbot, window)
    assert window.sidebar.currentItem().text(0).startswith("Dismissed")
    assert window.model.rowCount() == 2
    assert window.library.stats().by_status["dismissed"] == 2  # d alone did not fire


def test_question_mark_shows_a_table_of_every_key(window, qtbot, monkeypatch):
    from PySide6.QtWidgets import QMessageBox, QTableWidget

    from readinglist.gui.actions import ACTIONS

    # Before the overlay, help was a modal message box: it must not block the test.
    monkeypatch.setattr(QMessageBox, "information", staticmethod(lambda *args: None))
    qtbot.keyClick(window.table, Qt.Key.Key_Question)
    settle(qtbot, window)
    # It comes up in front (active), so that Esc closes it, not the list's search.
    qtbot.waitUntil(
        lambda: window.help_overlay is not None and window.help_overlay.isActiveWindow()
    )
    table = window.help_overlay.findChild(QTableWidget)
    headers = [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())]
    assert headers == ["Key", "Action", "Where"]
    rows = [
        tuple(table.item(r, c).text() for c in range(table.columnCount()))
        for r in range(table.rowCount())
    ]
    assert len(rows) == len(ACTIONS)
    for action, (keys, label, where) in zip(ACTIONS, rows, strict=True):
        assert label == action.label
        assert keys == (" / ".join(action.keys) or "(none)")  # menu-only actions
        assert where
    qtbot.keyClick(table, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not window.help_overlay.isVisible())
