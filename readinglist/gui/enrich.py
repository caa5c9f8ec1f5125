"""Completing papers from arXiv in the background, with progress and Cancel.

The network part (arxiv_api.look_up) runs in a thread on snapshots of the papers
and never touches the database; the window applies the findings in one
transaction on the GUI thread when the lookup is done. Cancel or a network
failure therefore changes nothing, and the app stays usable meanwhile.
"""

from __future__ import annotations

import threading
from typing import Any

from PySide6.QtCore import Qt, QThread, Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QPlainTextEdit, QVBoxLayout

from readinglist.core import arxiv_api
from readinglist.core.errors import UserError


class EnrichWorker(QThread):
    progressed = Signal(int, int)
    looked_up = Signal(object)  # arxiv_api.Lookup
    failed = Signal(str)

    def __init__(self, wanted: list[arxiv_api.Wanted], client: arxiv_api.Client) -> None:
        super().__init__()
        self.wanted = wanted
        self._stop = threading.Event()
        # Waits (the 3-second spacing, backoff) end at once on Cancel.
        client.sleep = self._stop.wait
        client.cancelled = self._stop.is_set
        self.client = client

    def cancel(self) -> None:
        self._stop.set()

    @property
    def cancelled(self) -> bool:
        return self._stop.is_set()

    def run(self) -> None:
        try:
            lookup = arxiv_api.look_up(self.wanted, self.client, self.progressed.emit)
        except UserError as exc:
            self.failed.emit(str(exc))
            return
        except Exception as exc:  # never let a thread die silently
            self.failed.emit(f"unexpected error: {exc!r}")
            return
        if self._stop.is_set():
            self.failed.emit("cancelled; nothing was changed")
            return
        self.looked_up.emit(lookup)


class EnrichReportDialog(QDialog):
    """What was completed and what was left alone, and why (plain text, copyable)."""

    def __init__(self, parent: Any, report: Any) -> None:
        super().__init__(parent)
        self.setWindowTitle("Completed from arXiv")
        layout = QVBoxLayout(self)
        summary = QLabel(
            report.summary() + (" — Undo (Z) takes it back." if report.changed else "")
        )
        summary.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(summary)
        lines = [f"completed {', '.join(f)}: {t}" for _, t, f in report.changed]
        lines += [f"already complete: {t}" for _, t in report.unchanged]
        lines += [f"left alone: {t}\n    {r}" for _, t, r in report.left_alone]
        self.details = QPlainTextEdit("\n".join(lines) or "Nothing to report.")
        self.details.setReadOnly(True)
        layout.addWidget(self.details)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        buttons.accepted.connect(self.accept)
        layout.addWidget(buttons)
        self.resize(640, 360)
