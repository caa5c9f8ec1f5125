"""Starting the desktop app: QApplication, one instance per library, exception hook."""

from __future__ import annotations

import sys
import traceback
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QLockFile
from PySide6.QtWidgets import QApplication, QMessageBox

from readinglist import __version__
from readinglist.core.errors import UserError
from readinglist.core.library import Library, default_library_dir


def _excepthook(kind: type[BaseException], value: BaseException, tb: Any) -> None:
    """Unexpected errors show a copyable report; the library is in SQLite transactions,
    so nothing half-written is left behind."""
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


def make_app() -> QApplication:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    QCoreApplication.setOrganizationName("Readinglist")
    QCoreApplication.setApplicationName("Readinglist")
    QCoreApplication.setApplicationVersion(__version__)
    from PySide6.QtGui import QIcon

    app.setWindowIcon(QIcon(str(Path(__file__).with_name("readinglist.png"))))  # type: ignore[attr-defined]
    return app  # type: ignore[return-value]


def run_app(library_path: Path | None, files: list[str] | None = None) -> int:
    """Open the main window on a library; returns the exit status."""
    app = make_app()
    folder = Path(library_path) if library_path else default_library_dir()
    folder.mkdir(parents=True, exist_ok=True)
    lock = QLockFile(str(folder / "app.lock"))
    lock.setStaleLockTime(0)
    if not lock.tryLock(100):
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
        library = Library.open(folder, index=False)
    except UserError as exc:
        QMessageBox.critical(None, "Readinglist", str(exc))
        return 1
    from readinglist.gui.main_window import MainWindow

    sys.excepthook = _excepthook
    window = MainWindow(library)
    window.show()
    if library.index_notice:
        window.statusBar().showMessage(library.index_notice, 8000)
    for name in files or []:
        window.import_path(Path(name))
    try:
        return int(app.exec())
    finally:
        library.close()
        lock.unlock()


def main() -> None:
    """The readinglist-gui entry point."""
    import argparse

    parser = argparse.ArgumentParser(prog="readinglist-gui")
    parser.add_argument("--library", type=Path, default=None)
    parser.add_argument("files", nargs="*")
    args = parser.parse_args()
    sys.exit(run_app(args.library, args.files))
