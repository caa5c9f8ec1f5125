"""The window's operations worker: changes run off the GUI thread, in order, with
errors reported and nothing lost on quit or Cancel."""

from __future__ import annotations

import sys
import threading

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt

from support import generated_text, settle


def test_changes_run_in_the_worker_not_on_the_gui_thread(window, qtbot):
    threads: list[int] = []
    window.ops.run(lambda lib: threads.append(threading.get_ident()) or lib.mark([1], "read"))
    settle(qtbot, window)
    assert threads and threads[0] != threading.get_ident()
    assert window.library.get(1).status.value == "read"


def test_a_key_pressed_twice_quickly_acts_twice_in_order(window, qtbot):
    paper = window.current_paper()
    qtbot.keyClick(window.table, Qt.Key.Key_S)
    qtbot.keyClick(window.table, Qt.Key.Key_S)  # before the first star has come back
    settle(qtbot, window)
    assert not window.library.get(paper.id).starred  # starred, then unstarred
    assert window.library.undo(origin="any").description == "Undid: unstarred 1 paper"


def test_an_operations_user_error_is_a_warning_not_a_traceback(window, qtbot, monkeypatch):
    warned: list[str] = []
    hooked: list = []
    monkeypatch.setattr(window, "warn", warned.append)
    monkeypatch.setattr(sys, "excepthook", lambda *exc: hooked.append(exc))
    window._act("mark", [999_999], "read")  # no such paper
    settle(qtbot, window)
    assert len(warned) == 1 and "999999" in warned[0] and not hooked


def test_an_unexpected_error_reaches_the_hook_and_the_worker_goes_on(window, qtbot, monkeypatch):
    hooked: list = []
    monkeypatch.setattr(sys, "excepthook", lambda *exc: hooked.append(exc))

    def broken(lib):
        raise ZeroDivisionError("a bug")

    window.ops.run(broken)
    window._act("mark", [2], "queued")
    settle(qtbot, window)
    assert [h[0] for h in hooked] == [ZeroDivisionError]
    assert window.library.get(2).status.value == "queued"


def test_closing_the_window_saves_the_note_just_typed(window, qtbot):
    from readinglist.core.library import Library

    paper = window.current_paper()
    window.note.setFocus()
    qtbot.keyClicks(window.note, "typed just before quitting")
    window.close()  # before the note's timer: closeEvent saves it and waits for it
    with Library.open(window.library.folder, index=False) as lib:
        assert lib.get(paper.id).note == "typed just before quitting"


def test_cancel_during_an_import_writes_nothing(window, qtbot, monkeypatch):
    from readinglist.gui import import_export

    monkeypatch.setattr(import_export, "PROGRESS_ABOVE", 0)
    gate = threading.Event()
    run_job = window.ops.run_job

    def behind_a_gate(*args, **kwargs):
        # The worker is kept busy until the user has pressed Cancel, so that the
        # import starts already cancelled, whatever the machine's speed.
        window.ops.run(lambda lib: gate.wait(30))
        return run_job(*args, **kwargs)

    monkeypatch.setattr(window.ops, "run_job", behind_a_gate)
    outcome: list = []
    window.import_failed.connect(outcome.append)
    window.import_text(generated_text(300), "generated.txt", confirm=False)

    def progress_shown():
        shown = [d for d in window.findChildren(import_export.QProgressDialog) if d.isVisible()]
        return shown[0] if shown else None

    qtbot.waitUntil(lambda: progress_shown() is not None, timeout=20000)
    from PySide6.QtWidgets import QPushButton

    progress_shown().findChild(QPushButton).click()  # Cancel
    gate.set()
    qtbot.waitUntil(lambda: bool(outcome), timeout=20000)
    settle(qtbot, window)
    assert outcome == ["cancelled"]
    assert window.library.count() == 50
    assert window.statusBar().currentMessage() == "Import cancelled; nothing was changed"
    assert progress_shown() is None


def test_triage_keys_typed_faster_than_the_worker_each_act_on_the_next_paper(window, qtbot):
    shown = list(window.model.ids[:6])
    for key in (Qt.Key.Key_D, Qt.Key.Key_R, Qt.Key.Key_Q, Qt.Key.Key_D, Qt.Key.Key_Delete):
        qtbot.keyClick(window.table, key)  # no wait: the changes are still on their way
    settle(qtbot, window)
    lib = window.library
    assert [lib.get(i).status.value for i in shown[:4]] == [
        "dismissed",
        "read",
        "queued",
        "dismissed",
    ]
    assert lib.get_many_existing([shown[4]]) == []  # deleted
    assert window.current_paper().id == shown[5]  # the next paper, in the list and the pane
    assert window.model.ids[0] == shown[5]
