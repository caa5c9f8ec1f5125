"""Starting the desktop app: QApplication, one instance per library, exception hook."""

from __future__ import annotations

import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QLockFile, QSize, Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from readinglist import __version__
from readinglist.core.errors import UserError
from readinglist.core.library import Library, default_library_dir
from readinglist.gui.handoff import HandoffListener, hand_off


def _excepthook(
    kind: type[BaseException], value: BaseException, tb: Any, folder: Path | None = None
) -> None:
    """Unexpected errors show a copyable report; the library is in SQLite transactions,
    so nothing half-written is left behind. Damage SQLite meets in the database is
    no bug: it gets the message a failed open gives, naming the backup to restore."""
    from readinglist.core import backups

    damage = backups.damage_in(folder, value) if folder is not None else None
    if damage is not None:
        sys.stderr.write(f"Readinglist: {damage}\n")
        if QApplication.instance() is None:
            return
        box = QMessageBox(QMessageBox.Icon.Critical, "Readinglist: damaged library", str(damage))
        box.setTextFormat(Qt.TextFormat.PlainText)  # paths may contain anything
        box.exec()
        return
    report = "".join(traceback.format_exception(kind, value, tb))
    sys.stderr.write(report)
    if QApplication.instance() is None:
        return
    box = QMessageBox(
        QMessageBox.Icon.Critical,
        "Readinglist: unexpected error",
        f"{kind.__name__}: {value}\n\nYour library is intact. "
        "Details below can be copied into a bug report.",
    )
    box.setDetailedText(report)
    box.exec()


def install_excepthook(folder: Path) -> None:
    """Route uncaught errors to the app's hook, which knows the library ``folder``
    (to name its newest backup when the database turns out damaged)."""

    def hook(kind: type[BaseException], value: BaseException, tb: Any) -> None:
        _excepthook(kind, value, tb, folder)

    sys.excepthook = hook


def library_folder(library_path: Path | None) -> Path:
    """The library folder the app opens: the one given, or the default."""
    return Path(library_path) if library_path else default_library_dir()


def make_app() -> QApplication:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    QCoreApplication.setOrganizationName("Readinglist")
    QCoreApplication.setApplicationName("Readinglist")
    QCoreApplication.setApplicationVersion(__version__)
    from PySide6.QtGui import QIcon

    from readinglist.desktop import ICON_SIZES, resources_dir

    icon = QIcon()
    try:
        icons = resources_dir() / "icons"
        for size in ICON_SIZES:
            # With its size given, Qt reads a file only when that size is drawn
            # (without, it opened all eight to learn their sizes: 3 ms of a start).
            icon.addFile(str(icons / f"readinglist-{size}.png"), QSize(size, size))
    except UserError:
        pass  # a window without an icon is better than no window
    app.setWindowIcon(icon)  # type: ignore[attr-defined]
    app.setDesktopFileName(desktop_id())  # type: ignore[attr-defined]
    return app  # type: ignore[return-value]


def desktop_id() -> str:
    from readinglist.desktop import APP_ID

    return APP_ID


def _received(window: Any, files: list[str]) -> None:
    """A later launch handed over ``files``: bring the window forward, import them."""
    window.showNormal()
    window.raise_()
    window.activateWindow()
    for name in files:
        window.import_path(Path(name))


def _open_library(folder: Path) -> Library | None:
    """The library, offering the newest backup when the database is damaged.
    None when the user declines; the damaged file is never overwritten silently."""
    from readinglist.core.errors import DamagedLibrary

    try:
        # The daily backup runs in the search worker's thread, not before the window.
        return Library.open(folder, index=False, daily_backup=False, origin="app")
    except DamagedLibrary as exc:
        if exc.backup is None:
            raise
        box = QMessageBox(QMessageBox.Icon.Critical, "Readinglist: damaged library", str(exc))
        box.setTextFormat(Qt.TextFormat.PlainText)  # paths may contain anything
        restore = box.addButton("Restore the backup", QMessageBox.ButtonRole.AcceptRole)
        box.addButton("Quit", QMessageBox.ButtonRole.RejectRole)
        box.exec()
        if box.clickedButton() is not restore:
            return None
        from readinglist.core import backups  # only now: 7 ms of every start otherwise

        kept = backups.restore(folder, exc.backup)  # type: ignore[arg-type]
        library = Library.open(folder, index=False, daily_backup=False, origin="app")
        library.index_notice = (
            f"Restored {exc.backup.name}; the damaged file is kept as {kept.name}"  # type: ignore[attr-defined]
        )
        return library


def open_window(library_path: Path | None, files: list[str] | None = None) -> Any:
    """Open the main window (importing ``files`` after the preview), or hand the
    files to the window already open on this library. Returns (window, cleanup),
    or the exit status when no window was opened here (0: handed over)."""
    make_app()
    folder = library_folder(library_path)
    folder.mkdir(parents=True, exist_ok=True)
    lock = QLockFile(str(folder / "app.lock"))
    lock.setStaleLockTime(0)
    if not lock.tryLock(100):
        if hand_off(folder, files or []):
            return 0
        QMessageBox.information(
            None,
            "Readinglist",
            f"The library in {folder} is already open in another "
            "Readinglist window. The command line keeps working meanwhile.",
        )
        return 1
    try:
        # The window opens at once on SQLite; the search worker checks, catches up
        # or rebuilds the index in the background (a 100,000-paper index takes
        # about a second just to open).
        library = _open_library(folder)
    except UserError as exc:
        lock.unlock()
        QMessageBox.critical(None, "Readinglist", str(exc))
        return 1
    if library is None:
        lock.unlock()
        return 1
    from readinglist.gui.main_window import MainWindow

    window = MainWindow(library)
    listener = HandoffListener(folder, lambda names: _received(window, names))
    window.show()
    if library.index_notice:
        window.statusBar().showMessage(library.index_notice, 8000)
    for name in files or []:
        window.import_path(Path(name))

    def cleanup() -> None:
        listener.watcher.removePaths(listener.watcher.directories())
        library.close()
        lock.unlock()

    return window, cleanup


def run_app(
    library_path: Path | None,
    files: list[str] | None = None,
    smoke_test: bool = False,
    started: Callable[[], None] | None = None,
) -> int:
    """Open the main window on a library; returns the exit status. ``started`` is
    called once the event loop runs with the window up."""
    app = make_app()
    install_excepthook(library_folder(library_path))
    opened = open_window(library_path, files)
    if isinstance(opened, int):
        return opened
    window, cleanup = opened
    if started is not None:
        QTimer.singleShot(0, started)
    if smoke_test:
        # For packaging checks: prove the window came up, then leave.
        def report() -> None:
            size = window.size()
            print(
                f"window shown: {window.isVisible()} {size.width()}x{size.height()} "
                f"{window.windowTitle()!r} {window.model.rowCount()} papers",
                flush=True,
            )
            window.close()

        # As soon as the event loop runs, the window is up (a fixed 1.5 s wait
        # here was most of what a cold start measured by it took).
        QTimer.singleShot(0, report)
    try:
        return int(app.exec())
    finally:
        cleanup()


def main(started: Callable[[], None] | None = None) -> None:
    """readinglist-gui [--library DIR] [FILE...] (the entry point is start.py)."""
    import argparse

    parser = argparse.ArgumentParser(prog="readinglist-gui")
    parser.add_argument("--library", type=Path, default=None)
    parser.add_argument(
        "--smoke-test", action="store_true", help="open the window, report, and exit"
    )
    parser.add_argument("files", nargs="*", help="files to import (after the preview)")
    args = parser.parse_args()
    sys.exit(run_app(args.library, args.files, smoke_test=args.smoke_test, started=started))


if __name__ == "__main__":
    main()
