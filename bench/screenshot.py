"""Render the window with the reference listing to docs/screenshot.png (offscreen)."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from PySide6.QtCore import QSettings  # noqa: E402

from readinglist.core.library import Library  # noqa: E402
from readinglist.gui.app import make_app  # noqa: E402
from readinglist.gui.main_window import MainWindow  # noqa: E402


def main(
    out: str = str(HERE.parent / "docs" / "screenshot.png"), query: str = "", size: str = "1280x800"
) -> None:
    app = make_app()
    tmp = tempfile.mkdtemp()
    QSettings.setPath(QSettings.Format.NativeFormat, QSettings.Scope.UserScope, tmp)
    lib = Library.open(Path(tmp) / "lib")
    corpora = HERE.parent.parent / "shared" / "corpora"
    lib.import_file(corpora / "listings" / "hf-papers-page.txt")
    lib.import_file(HERE.parent / "tests" / "fixtures" / "arxiv-digest-overlap.txt")
    lib.tag([1, 5, 8], add=["low-light"])
    lib.tag([2, 8], add=["to cite"])
    lib.set_starred([2], True)
    lib.mark([3, 4], "read")
    window = MainWindow(lib)
    w, h = (int(x) for x in size.split("x"))
    window.resize(w, h)
    window.show()
    import time

    def pump(until, seconds: float = 15.0) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and not until():
            app.processEvents()
            time.sleep(0.01)

    pump(lambda: window.index_ready)  # the search worker checks the index first
    if query:
        window.search_box.setText(query)
        pump(lambda: "match" in window.counts_label.text())
    window._show_detail()
    pump(lambda: "Similar papers" in window.detail.toPlainText(), 5.0)
    for _ in range(20):
        app.processEvents()
    window.grab().save(out)
    window.close()
    lib.close()
    print(out)


if __name__ == "__main__":
    main(*sys.argv[1:])
