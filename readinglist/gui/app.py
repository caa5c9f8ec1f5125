"""Starting the desktop app: QApplication, one instance per library, exception hook."""

from __future__ import annotations

import json
import sys
import traceback
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QLockFile, Qt
from PySide6.QtWidgets import QApplication, QMessageBox

from readinglist import __version__
from readinglist.core.errors import UserError
from readinglist.core.library import Library, default_library_dir


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
            icon.addFile(str(icons / f"readinglist-{size}.png"))
    except UserError:
        pass  # a window without an icon is better than no window
    app.setWindowIcon(icon)  # type: ignore[attr-defined]
    app.setDesktopFileName(desktop_id())  # type: ignore[attr-defined]
    return app  # type: ignore[return-value]


def desktop_id() -> str:
    from readinglist.desktop import APP_ID

    return APP_ID


def _server_name(folder: Path) -> str:
    """One local socket name per library folder (and user)."""
    import hashlib

    digest = hashlib.sha256(str(folder.resolve()).encode()).hexdigest()[:16]
    return f"readinglist-{digest}"


def forward_to_running(folder: Path, files: list[str], timeout_ms: int = 2000) -> bool:
    """Hand the files to the app already open on this library and bring its window
    forward; False when no app answers."""
    from PySide6.QtNetwork import QLocalSocket

    socket = QLocalSocket()
    socket.connectToServer(_server_name(folder))
    if not socket.waitForConnected(timeout_ms):
        return False
    message = json.dumps({"files": [str(Path(f).resolve()) for f in files]}).encode() + b"\n"
    socket.write(message)
    ok = socket.waitForBytesWritten(timeout_ms)
    socket.disconnectFromServer()
    return bool(ok)


class _Instance:
    """Listens for later launches on the same library (double-clicking a .bib file
    while the app is open): they send their files here and exit."""

    def __init__(self, folder: Path, window: Any) -> None:
        from PySide6.QtNetwork import QLocalServer

        self.window = window
        self.server = QLocalServer()
        name = _server_name(folder)
        QLocalServer.removeServer(name)  # a stale socket left by a crash; we hold the lock
        self.server.listen(name)
        self.server.newConnection.connect(self._connected)

    def _connected(self) -> None:
        while self.server.hasPendingConnections():
            socket = self.server.nextPendingConnection()
            socket.readyRead.connect(lambda s=socket: self._read(s))

    def _read(self, socket: Any) -> None:
        if not socket.canReadLine():
            return
        try:
            files = json.loads(bytes(socket.readLine().data()).decode()).get("files", [])
        except (ValueError, AttributeError):
            files = []
        socket.disconnectFromServer()
        self.window.showNormal()
        self.window.raise_()
        self.window.activateWindow()
        for name in files:
            self.window.import_path(Path(name))

    def close(self) -> None:
        self.server.close()


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
        if forward_to_running(folder, files or []):
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
    instance = _Instance(folder, window)
    window.show()
    if library.index_notice:
        window.statusBar().showMessage(library.index_notice, 8000)
    for name in files or []:
        window.import_path(Path(name))

    def cleanup() -> None:
        instance.close()
        library.close()
        lock.unlock()

    return window, cleanup


def run_app(
    library_path: Path | None, files: list[str] | None = None, smoke_test: bool = False
) -> int:
    """Open the main window on a library; returns the exit status."""
    app = make_app()
    install_excepthook(library_folder(library_path))
    opened = open_window(library_path, files)
    if isinstance(opened, int):
        return opened
    window, cleanup = opened
    if smoke_test:
        # For packaging checks: prove the window came up, then leave.
        from PySide6.QtCore import QTimer

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


def main() -> None:
    """The readinglist-gui entry point: readinglist-gui [--library DIR] [FILE...]"""
    import argparse

    parser = argparse.ArgumentParser(prog="readinglist-gui")
    parser.add_argument("--library", type=Path, default=None)
    parser.add_argument(
        "--smoke-test", action="store_true", help="open the window, report, and exit"
    )
    parser.add_argument("files", nargs="*", help="files to import (after the preview)")
    args = parser.parse_args()
    sys.exit(run_app(args.library, args.files, smoke_test=args.smoke_test))


if __name__ == "__main__":
    main()
