"""Launching like a desktop program: files given on the command line (a
double-clicked .bib) are imported after the preview, and a second launch on the
same library hands its files to the open window instead of starting another."""

from __future__ import annotations

import pytest

from support import corpus, settle


@pytest.fixture
def previews(monkeypatch):
    from readinglist.gui import import_export as main_window

    shown = []

    def accept(dialog):
        shown.append(dialog)
        return main_window.QDialog.DialogCode.Accepted

    monkeypatch.setattr(main_window.ImportPreview, "exec", accept)
    return shown


@pytest.fixture
def launched(qtbot, tmp_path):
    from PySide6.QtCore import QSettings

    from readinglist.gui.app import make_app, open_window

    make_app()
    QSettings.setPath(QSettings.Format.NativeFormat, QSettings.Scope.UserScope, str(tmp_path))
    opened = []

    def launch(files):
        result = open_window(tmp_path / "lib", files)
        if not isinstance(result, int):
            qtbot.addWidget(result[0])
            opened.append(result)
        return result

    yield launch
    for window, cleanup in opened:
        window.close()
        cleanup()


def test_a_file_on_the_command_line_is_imported_after_the_preview(launched, previews, qtbot):
    window, _ = launched([str(corpus("bibtex/pybtex__xampl.bib"))])
    qtbot.waitUntil(lambda: window.library.count() > 0, timeout=20000)
    settle(qtbot, window)
    assert len(previews) == 1  # the user saw what would be imported first
    assert window.library.count() > 0
    assert window.library.batches()[0]["source"] == "pybtex__xampl.bib"


def test_a_second_launch_hands_its_file_to_the_open_window(launched, qtbot, tmp_path):
    """Double-clicking a listing while the app is open: a real second process
    finds the library locked, leaves the file for this window, and exits 0; the
    window shows the import preview for it, once."""
    import os
    import subprocess
    import sys

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    window, _ = launched([])
    folder = window.library.folder
    previews: list[str] = []

    def accept_preview() -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is not None:
            previews.append(dialog.findChild(type(window.counts_label)).text())
            dialog.accept()

    poll = QTimer()
    poll.timeout.connect(accept_preview)
    poll.start(50)
    listing = corpus("arxiv-listing-text/arxiv-subscription-viewer__2026-01-23.txt")
    second = subprocess.Popen(
        [sys.executable, "-m", "readinglist.gui.start", "--library", str(folder), str(listing)],
        env=dict(os.environ, QT_QPA_PLATFORM="offscreen"),
    )
    try:
        qtbot.waitUntil(lambda: second.poll() is not None, timeout=30000)
    finally:
        second.kill()  # not handed over, it would wait on its "already open" box
    assert second.returncode == 0  # handed over: no second window, no refusal
    qtbot.waitUntil(lambda: window.library.count() > 0, timeout=30000)
    settle(qtbot, window)
    poll.stop()
    assert len(previews) == 1 and listing.name in previews[0]
    assert window.library.batches()[0]["source"] == listing.name
    assert not list((folder / "handoff").iterdir())  # the note is gone


def test_a_handoff_nobody_takes_is_withdrawn(tmp_path):
    from readinglist.gui.handoff import hand_off

    assert not hand_off(tmp_path, ["paper.bib"], timeout_s=0.2)
    assert not list((tmp_path / "handoff").iterdir())  # nothing left to import later


def test_a_note_left_by_a_dead_launch_is_not_imported(tmp_path, qtbot):
    import os
    import time

    from readinglist.gui.handoff import HandoffListener

    box = tmp_path / "handoff"
    box.mkdir()
    (box / "1-1.json").write_text('{"files": ["/old.bib"]}')
    old = time.time() - 3600
    os.utime(box / "1-1.json", (old, old))
    (box / "2-2.json").write_text('{"files": ["/new.bib"]}')
    got: list[list[str]] = []
    listener = HandoffListener(tmp_path, got.append)
    assert got == [["/new.bib"]]
    assert not list(box.iterdir())
    listener.watcher.removePaths(listener.watcher.directories())


def test_a_damaged_library_offers_the_newest_backup(launched, tmp_path, monkeypatch):
    from readinglist.core.library import Library
    from readinglist.gui import app as gui_app

    from support import FIXTURES

    lib = Library.open(tmp_path / "lib", index=False)
    lib.import_file(FIXTURES / "arxiv-new-page.txt")
    lib.backup()
    lib.close()
    (tmp_path / "lib" / "library.sqlite").write_bytes(b"garbage" * 1000)
    for suffix in ("-wal", "-shm"):
        (tmp_path / "lib" / f"library.sqlite{suffix}").unlink(missing_ok=True)
    offered = []

    def choose_restore(box):
        offered.append(box.text())
        next(b for b in box.buttons() if b.text().startswith("Restore")).click()

    monkeypatch.setattr(gui_app.QMessageBox, "exec", choose_restore)
    window, _ = launched([])
    assert "newest backup" in offered[0]
    assert window.library.count() == 4
    assert list((tmp_path / "lib" / "backups").glob("damaged-*"))


def test_the_app_makes_the_daily_backup_in_the_background(launched, tmp_path, qtbot):
    from readinglist.core import backups
    from readinglist.core.library import Library

    from support import FIXTURES

    with Library.open(tmp_path / "lib", index=False) as lib:
        lib.import_file(FIXTURES / "arxiv-new-page.txt")
    assert backups.list_backups(tmp_path / "lib") == []
    launched([])
    assert backups.list_backups(tmp_path / "lib") == []  # not before the window
    qtbot.waitUntil(lambda: bool(backups.list_backups(tmp_path / "lib")), timeout=20000)
    assert backups.list_backups(tmp_path / "lib")[0].reason == "daily"


def test_damage_met_while_the_app_runs_shows_the_way_back_not_a_bug_report(
    qtbot, tmp_path, monkeypatch
):
    import sqlite3
    import sys

    from readinglist.core.library import Library
    from readinglist.gui import app as gui_app

    from support import damage_the_middle, generated_listing

    gui_app.make_app()
    folder = tmp_path / "lib"
    with Library.open(folder, index=False) as lib:
        lib.import_file(generated_listing(tmp_path / "listing.txt", 1000))
        backup = lib.backup()
    damage_the_middle(folder / "library.sqlite")
    shown = []

    def capture(box):
        shown.append((box.windowTitle(), box.text(), box.detailedText()))

    monkeypatch.setattr(gui_app.QMessageBox, "exec", capture)
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # put back afterwards
    gui_app.install_excepthook(folder)
    with Library.open(folder, index=False) as lib:  # opens: the damage is further in
        try:
            lib.mark(range(1, 1001), "read")
        except sqlite3.DatabaseError:
            sys.excepthook(*sys.exc_info())
        try:
            raise ValueError("a bug")
        except ValueError:
            sys.excepthook(*sys.exc_info())
    title, text, details = shown[0]
    assert "damaged" in title
    assert f"The newest backup is {backup.name}" in text and "readinglist restore" in text
    assert details == "" and "Traceback" not in text
    # Anything else is still a bug report with the details to copy.
    assert "unexpected error" in shown[1][0] and "Traceback" in shown[1][2]
