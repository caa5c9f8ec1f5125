"""Keyboard triage with real key events on the real window."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt

from readinglist.core.library import Library

from support import ROOT, corpus, settle

NoMod = Qt.KeyboardModifier.NoModifier
Shift = Qt.KeyboardModifier.ShiftModifier


def key(qtbot, w, k, mod=NoMod, widget=None):
    qtbot.keyClick(widget or w.table, k, mod)
    settle(qtbot, w)  # what the key started in the operations worker is done


def test_triage_the_reference_listing_from_the_keyboard(win, qtbot):
    lib = win.library
    row = lambda: win.table.currentIndex().row()  # noqa: E731
    key(qtbot, win, Qt.Key.Key_J)
    key(qtbot, win, Qt.Key.Key_J)
    assert row() == 2
    key(qtbot, win, Qt.Key.Key_K)
    assert row() == 1
    target = win.current_paper()
    key(qtbot, win, Qt.Key.Key_R)  # read: leaves the Inbox, cursor moves on
    assert lib.get(target.id).status.value == "read"
    assert win.model.rowCount() == 49 and row() == 1
    second = win.current_paper()
    key(qtbot, win, Qt.Key.Key_Q)
    assert lib.get(second.id).status.value == "queued"
    third = win.current_paper()
    key(qtbot, win, Qt.Key.Key_D)
    assert lib.get(third.id).status.value == "dismissed"
    fourth = win.current_paper()
    key(qtbot, win, Qt.Key.Key_S)
    assert lib.get(fourth.id).starred
    key(qtbot, win, Qt.Key.Key_T)
    assert win.tag_editor.hasFocus()
    qtbot.keyClicks(win.tag_editor, "vision")
    qtbot.keyClick(win.tag_editor, Qt.Key.Key_Return)
    settle(qtbot, win)
    assert lib.get(fourth.id).tags == ["vision"]
    win.table.setFocus()
    key(qtbot, win, Qt.Key.Key_A)
    assert win.note.hasFocus()
    qtbot.keyClicks(win.note, "check this")
    qtbot.keyClick(win.note, Qt.Key.Key_Escape)
    settle(qtbot, win)
    assert win.table.hasFocus()
    assert lib.get(fourth.id).note == "check this"
    key(qtbot, win, Qt.Key.Key_Z)  # undo the note
    assert lib.get(fourth.id).note == ""
    assert win.statusBar().currentMessage().startswith("Undid: edited the note")
    key(qtbot, win, Qt.Key.Key_Z, Shift)  # redo
    assert lib.get(fourth.id).note == "check this"
    key(qtbot, win, Qt.Key.Key_End)
    assert row() == win.model.rowCount() - 1
    key(qtbot, win, Qt.Key.Key_Home)
    assert row() == 0


def test_letters_typed_in_the_search_box_do_not_triage(win, qtbot):
    before = win.library.stats().by_status
    key(qtbot, win, Qt.Key.Key_Slash)
    assert win.search_box.hasFocus()
    qtbot.keyClicks(win.search_box, "rqdsz")
    settle(qtbot, win)
    assert win.library.stats().by_status == before
    qtbot.keyClick(win.search_box, Qt.Key.Key_Escape)
    settle(qtbot, win)
    assert win.table.hasFocus() and win.search_box.text() == ""


def test_no_two_actions_share_a_key_in_a_scope():
    from readinglist.gui.actions import ACTIONS

    seen: dict[tuple[str, str], str] = {}
    for action in ACTIONS:
        for k in action.keys:
            slot = (action.scope, k.lower() if "+" in k else k)
            assert slot not in seen, f"{k} is used by {seen[slot]} and {action.id}"
            seen[slot] = action.id


def test_a_window_key_is_no_other_actions_key():
    # A window-wide key is live in the list too: sharing it would make both ambiguous.
    from readinglist.gui.actions import ACTIONS

    window = {k.lower() for a in ACTIONS if a.scope == "window" for k in a.keys}
    for action in ACTIONS:
        if action.scope == "list":
            assert not window & {k.lower() for k in action.keys}, action.id


def test_readme_key_table_is_current():
    from readinglist.gui.actions import key_table

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert key_table() in readme, (
        "regenerate with: python -c 'from readinglist.gui.actions import key_table; print(key_table())'"
    )


def test_g_sequences_selection_scrolling_and_focus_mode(win, qtbot):
    lib = win.library
    lib.mark([1, 2], "queued")
    lib.set_starred([3], True)
    win.refresh_sidebar()
    key(qtbot, win, Qt.Key.Key_G)
    key(qtbot, win, Qt.Key.Key_Q)
    assert win.sidebar.currentItem().text(0).startswith("Queue")
    assert win.model.rowCount() == 2
    key(qtbot, win, Qt.Key.Key_G)
    key(qtbot, win, Qt.Key.Key_S)
    assert win.sidebar.currentItem().text(0).startswith("Starred") and win.model.rowCount() == 1
    key(qtbot, win, Qt.Key.Key_G)
    key(qtbot, win, Qt.Key.Key_A)
    assert win.model.rowCount() == 50
    key(qtbot, win, Qt.Key.Key_J)
    key(qtbot, win, Qt.Key.Key_J)
    key(qtbot, win, Qt.Key.Key_G)
    key(qtbot, win, Qt.Key.Key_G)
    assert win.table.currentIndex().row() == 0
    key(qtbot, win, Qt.Key.Key_X)  # toggles the current row out of the selection
    key(qtbot, win, Qt.Key.Key_J)
    key(qtbot, win, Qt.Key.Key_X)
    key(qtbot, win, Qt.Key.Key_J)
    key(qtbot, win, Qt.Key.Key_X)
    assert len(win.selected_papers()) >= 2
    key(qtbot, win, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    assert len(win.selected_papers()) == 50
    key(qtbot, win, Qt.Key.Key_G)
    key(qtbot, win, Qt.Key.Key_I)
    assert win.sidebar.currentItem().text(0).startswith("Inbox")
    key(qtbot, win, Qt.Key.Key_Return)  # focus mode
    assert win.focus_mode and win.detail.hasFocus()
    first = win.current_paper()
    qtbot.keyClick(win.detail, Qt.Key.Key_J)  # the same keys work there
    settle(qtbot, win)
    assert win.current_paper().id != first.id
    qtbot.keyClick(win.detail, Qt.Key.Key_Space)
    settle(qtbot, win)
    qtbot.keyClick(win.detail, Qt.Key.Key_Escape)
    settle(qtbot, win)
    assert not win.focus_mode and win.table.hasFocus()
    key(qtbot, win, Qt.Key.Key_T)
    qtbot.keyClicks(win.tag_editor, "temp")
    qtbot.keyClick(win.tag_editor, Qt.Key.Key_Return)
    settle(qtbot, win)
    pid = win.current_paper().id
    assert lib.get(pid).tags == ["temp"]
    win.table.setFocus()
    key(qtbot, win, Qt.Key.Key_T, Shift)
    assert win.tag_editor.text() == "-"
    qtbot.keyClicks(win.tag_editor, "temp")
    qtbot.keyClick(win.tag_editor, Qt.Key.Key_Return)
    settle(qtbot, win)
    assert lib.get(pid).tags == []


def test_keymap_setting_rebinds_a_key(qtbot, tmp_path):
    from readinglist.gui.app import make_app
    from readinglist.gui.main_window import MainWindow

    make_app()
    lib = Library.open(tmp_path / "lib", index=False)
    lib.import_file(corpus("listings/hf-papers-page.txt"))
    lib.set_setting("keymap", {"triage.read": ["E"], "no.such.action": ["W"]})
    w = MainWindow(lib)
    qtbot.addWidget(w)
    with qtbot.waitActive(w):
        w.show()
    w.table.setFocus()
    qtbot.waitUntil(w.table.hasFocus)
    first = w.current_paper()
    qtbot.keyClick(w.table, Qt.Key.Key_R)  # no longer bound
    settle(qtbot, w)
    assert lib.get(first.id).status.value == "unread"
    qtbot.keyClick(w.table, Qt.Key.Key_E)  # E's default action (arXiv) yields to the user
    settle(qtbot, w)
    assert lib.get(first.id).status.value == "read"
    assert w.enrich_worker is None
    w.close()
    lib.close()


def test_menus_show_the_keys_from_the_table(win, qtbot):
    from readinglist.gui.actions import ACTIONS

    entries = {a.text(): a.shortcut().toString() for a in win.menus["paper"].actions()}
    entries.update({a.text(): a.shortcut().toString() for a in win.menus["go"].actions()})
    read = next(a for a in ACTIONS if a.id == "triage.read")
    assert entries[read.label] == "R"
    assert entries["Go to Inbox"] == "G, I"
    win.menus["paper"].actions()[0].trigger()  # a menu entry does what its key does
    settle(qtbot, win)


def test_delete_key_and_undo_bring_the_paper_back(win, qtbot):
    first = win.current_paper()
    key(qtbot, win, Qt.Key.Key_Delete)
    assert win.library.count() == 49
    key(qtbot, win, Qt.Key.Key_Z)
    assert win.library.count() == 50 and win.library.get(first.id).title == first.title


def test_a_letter_without_a_shortcut_never_jumps_to_another_paper(win, qtbot):
    # Qt's type-to-find would select the first title starting with the letter.
    first = win.current_paper()
    win.table.keyboardSearch("e")
    assert win.current_paper().id == first.id


def test_undo_makes_the_restored_paper_current(win, qtbot):
    """Inbox triage: `r` moves on to the next paper; `z` brings the paper back and
    makes it current again, so the next key acts on it (seen in a new user's pass:
    the next `q` queued the neighbour)."""
    key(qtbot, win, Qt.Key.Key_J)
    target = win.current_paper()
    key(qtbot, win, Qt.Key.Key_R)
    assert win.current_paper().id != target.id
    key(qtbot, win, Qt.Key.Key_Z)
    assert win.library.get(target.id).status.value == "unread"
    assert win.current_paper().id == target.id
    assert win.model.ids[win.table.currentIndex().row()] == target.id  # the highlight too
    key(qtbot, win, Qt.Key.Key_Q)
    assert win.library.get(target.id).status.value == "queued"
