"""Bringing papers in and out of the window: paste, open, drop, the import
preview and its progress, export, and completion from arXiv."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QSettings,
    Qt,
)
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QProgressDialog,
    QVBoxLayout,
    QWidget,
)

from readinglist.core.errors import UserError
from readinglist.gui.ops import OpCancelled
from readinglist.gui.paper_model import shorten

ROLE = Qt.ItemDataRole.UserRole
PROGRESS_ABOVE = 2000  # papers an import writes before it shows a progress dialog


def plain_progress(parent: QWidget, text: str, maximum: int) -> QProgressDialog:
    """A progress dialog with Cancel whose label is plain text: it names a file, and
    QProgressDialog's own label reads text that looks like HTML as HTML."""
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    dialog = QProgressDialog("", "Cancel", 0, maximum, parent)
    dialog.setLabel(label)  # the dialog owns the label from here
    dialog.setMinimumDuration(0)
    return dialog


def close_progress(dialog: QProgressDialog) -> None:
    # Closing only hides it: a child of the window, it would stay for the session.
    dialog.close()
    dialog.deleteLater()


class ImportPreview(QDialog):
    """What an import would do, before anything is written."""

    def __init__(self, parent: QWidget, summary: str, details: str) -> None:
        super().__init__(parent)
        self.setWindowTitle("Import preview")
        layout = QVBoxLayout(self)
        label = QLabel(summary)
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setWordWrap(True)
        layout.addWidget(label)
        text = QPlainTextEdit(details)
        text.setReadOnly(True)
        layout.addWidget(text)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Import")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(560, 360)


# The export dialog's file types: (filter shown, export format).
EXPORT_FORMATS = (
    ("BibTeX for bibtex and natbib (*.bib)", "bibtex"),
    ("BibLaTeX for biber (*.bib)", "biblatex"),
    ("CSL-JSON for Pandoc and Zotero (*.json)", "csl-json"),
)


class ExportChoice(QMessageBox):
    """Export this paper or the N papers of the view? (Plain text: a title.)"""

    def __init__(self, parent: QWidget, title: str, count: int) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export BibTeX")
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setText(f"Export which papers?\n\nThis paper: {shorten(title, 200)}")
        self.paper_button = self.addButton("This paper", QMessageBox.ButtonRole.AcceptRole)
        self.view_button = self.addButton(
            f"The {count:,} papers in this view", QMessageBox.ButtonRole.AcceptRole
        )
        self.addButton(QMessageBox.StandardButton.Cancel)
        self.setDefaultButton(self.view_button)

    def ask(self) -> str | None:
        """ "paper", "view", or None (Cancel)."""
        self.exec()
        clicked = self.clickedButton()
        if clicked is self.paper_button:
            return "paper"
        if clicked is self.view_button:
            return "view"
        return None


class ImportExportMixin:
    """The window's import, export and completion handlers (mixed into MainWindow)."""

    def paste_listing(self) -> None:
        text = QGuiApplication.clipboard().text()
        if not text.strip():
            self.statusBar().showMessage("The clipboard holds no text to import", 5000)
            return
        self.import_text(text, "clipboard")

    def import_file_dialog(self) -> None:
        settings = QSettings()
        start = str(settings.value("last_import_folder", str(Path.home())))
        name, _ = QFileDialog.getOpenFileName(
            self,
            "Import a listing",
            start,
            "Listings and bibliographies (*.txt *.bib *.ris *.nbib *.json *.xml *.atom)"
            ";;All files (*)",
        )
        if name:
            settings.setValue("last_import_folder", str(Path(name).parent))
            self.import_path(Path(name))

    def import_path(self, path: Path) -> None:
        notes: list[str] = []  # what decoding had to repair (a bad byte in UTF-8)
        try:
            from readinglist.core.text import decode

            text = decode(path.read_bytes(), path.name, notes)
        except (OSError, UserError) as exc:
            self.warn(f"Cannot import {path.name}: {exc}")
            return
        self.import_text(text, path.name, notes=notes)

    def import_text(
        self, text: str, source: str, confirm: bool = True, notes: list[str] | None = None
    ) -> None:
        """Preview (a dry run in the worker), ask, then import in one transaction
        in the worker; ``imported(report)`` is emitted when it is in. ``notes``:
        warnings from reading the file, shown in the preview with the import's."""
        self.ops.run(
            lambda lib: lib.import_text(text, source=source, dry_run=True),
            lambda preview: self._previewed(text, source, preview, confirm, notes or []),
            lambda exc: self._import_failed(f"Nothing imported: {exc}"),
            f"read {source}",
        )

    def _import_failed(self, text: str) -> None:
        self.warn(text)
        self.import_failed.emit(text)

    def _previewed(
        self, text: str, source: str, preview: Any, confirm: bool, notes: list[str]
    ) -> None:
        summary = (
            f"{source}: {preview.added} new, {preview.merged} merged, "
            f"{preview.unchanged} already here, {len(preview.skipped)} skipped "
            f"(format: {preview.format})."
        )
        if preview.revisions_left_out:
            n = preview.revisions_left_out
            summary += (
                f" {n:,} revised version{'s' if n > 1 else ''} of papers not in your "
                "library will be left out (readinglist import --with-revisions takes them)."
            )
        warnings = [*notes, *(str(w) for w in preview.warnings)]
        if warnings:
            n = len(warnings)
            summary += f" {n:,} warning{'s' * (n != 1)}, listed below."
        details = "\n".join(
            [f"warning: {w}" for w in warnings[:500]]
            + [f"skipped {s}" for s in preview.skipped[:500]]
        )
        if confirm:
            dialog = ImportPreview(self, summary, details or "Nothing was skipped.")
            accepted = dialog.exec() == QDialog.DialogCode.Accepted
            dialog.deleteLater()  # a child of the window: it would stay for the session
            # The keys go back to the window (without a window manager, as under
            # Xvfb, nothing else gives it its focus back).
            self.activateWindow()
            if not accepted:
                self.import_failed.emit("cancelled in the preview")
                return
        progress = None
        if preview.added + preview.merged > PROGRESS_ABOVE:
            progress = plain_progress(self, f"Importing {source}…", 100)
            progress.setWindowModality(Qt.WindowModality.WindowModal)

        def finished() -> None:
            if progress is not None:
                self.ops.progressed.disconnect(shown)
                close_progress(progress)

        def shown(job_shown: Any, done: int, total: int) -> None:
            if progress is not None and job_shown is job:
                progress.setMaximum(max(total, 1))
                progress.setValue(done)

        def done(report: Any) -> None:
            finished()
            self.statusBar().showMessage(f"Imported {source}: {report.summary()}", 8000)
            self.imported.emit(report)
            self.start_enrichment(self.library.to_complete_after_import(report))

        def failed(exc: BaseException) -> None:
            finished()
            if isinstance(exc, OpCancelled):
                self.statusBar().showMessage("Import cancelled; nothing was changed", 6000)
                self.import_failed.emit("cancelled")
            else:
                self._import_failed(f"Nothing imported: {exc}")

        job = self.ops.run_job(
            lambda lib, job: lib.import_text(text, source=source, progress=job.progress),
            done,
            failed,
            f"import {source}",
        )
        if progress is not None:
            self.ops.progressed.connect(shown)
            progress.canceled.connect(job.cancel)
            progress.show()

    def enrich_selected(self) -> None:
        self.start_enrichment(self.selected_papers())

    def enrich_missing(self) -> None:
        papers = self.library.enrich_targets()
        if not papers:
            self.statusBar().showMessage("Every paper has authors and a year", 5000)
            return
        self.start_enrichment(papers)

    def start_enrichment(self, papers: list[Any]) -> None:
        """Look the papers up on arXiv in a thread; apply on return (one undo step)."""
        from readinglist.core import arxiv_api
        from readinglist.gui.enrich import EnrichWorker

        if not papers:
            return
        if self.enrich_worker is not None and self.enrich_worker.isRunning():
            self.statusBar().showMessage("Already completing papers from arXiv", 5000)
            return
        try:
            client = self.library.arxiv_client()
        except UserError as exc:
            self.warn(str(exc))
            return
        wanted = [arxiv_api.Wanted.of(p) for p in papers]
        worker = EnrichWorker(wanted, client)
        n = len(wanted)
        self.enrich_progress = plain_progress(
            self,
            f"Completing {n} paper{'s' if n != 1 else ''} from arXiv "
            "(one request every 3 seconds)…",
            max(n, 1),
        )
        self.enrich_progress.setWindowModality(Qt.WindowModality.NonModal)  # app stays usable
        self.enrich_progress.setAutoClose(False)
        self.enrich_progress.setAutoReset(False)
        self.enrich_progress.canceled.connect(worker.cancel)
        worker.progressed.connect(self._enrich_progressed)
        worker.looked_up.connect(self._enrich_looked_up)
        worker.failed.connect(self._enrich_failed)
        self.enrich_worker = worker
        worker.start()
        self.statusBar().showMessage("Completing papers from arXiv…")

    def _enrich_progressed(self, done: int, total: int) -> None:
        if self.enrich_progress is not None:
            self.enrich_progress.setMaximum(max(total, 1))
            self.enrich_progress.setValue(done)

    def _enrich_finished(self) -> None:
        if self.enrich_progress is not None:
            close_progress(self.enrich_progress)
            self.enrich_progress = None

    def _enrich_failed(self, message: str) -> None:
        self._enrich_finished()
        text = message[:1].upper() + message[1:]
        self.statusBar().showMessage(f"arXiv: {text}", 10000)
        if "cancelled" not in message:
            self.enrich_message = QMessageBox(
                QMessageBox.Icon.Warning, "Readinglist", f"Not completed from arXiv: {message}"
            )
            self.enrich_message.setTextFormat(Qt.TextFormat.PlainText)
            self.enrich_message.setParent(self, self.enrich_message.windowFlags())
            self.enrich_message.setWindowModality(Qt.WindowModality.NonModal)
            self.enrich_message.show()

    def _enrich_looked_up(self, lookup: Any) -> None:
        from readinglist.gui.enrich import EnrichReportDialog

        self._enrich_finished()

        def applied(report: Any) -> None:
            self.statusBar().showMessage(f"arXiv: {report.summary()}", 10000)
            self.enrich_dialog = EnrichReportDialog(self, report)
            self.enrich_dialog.show()  # not modal: triage goes on while it is open

        self.ops.run(
            lambda lib: lib.apply_enrichment(lookup),
            applied,
            lambda exc: self._enrich_failed(str(exc)),
            "apply what arXiv found",
        )

    def export_dialog(self) -> None:
        """Ctrl+E: the picked papers; else ask "this paper / the N papers in this
        view" (the dialog shows the count); then where to write them."""
        ids = [pid for pid in self.state.ids if pid in self.state.picked]
        if not ids:
            ids = self.export_scope()
            if not ids:
                return
        settings = QSettings()
        start = str(settings.value("last_export_folder", str(Path.home())))
        n = len(ids)
        chosen = str(settings.value("last_export_format", EXPORT_FORMATS[0][0]))
        name, picked = QFileDialog.getSaveFileName(
            self,
            f"Export {n:,} paper{'s' * (n != 1)}",
            str(Path(start) / "refs.bib"),
            ";;".join(label for label, _ in EXPORT_FORMATS),
            chosen,
        )
        if not name:
            return
        format_ = dict(EXPORT_FORMATS).get(picked, "bibtex")
        path = Path(name)
        if format_ == "csl-json" and path.suffix == ".bib":
            path = path.with_suffix(".json")  # the dialog proposed refs.bib
        settings.setValue("last_export_folder", str(path.parent))
        settings.setValue("last_export_format", picked)
        self.export_to(path, ids, format_)

    def export_scope(self) -> list[int]:
        """The papers to export when none are picked: asked when the view holds
        more than the paper on screen ([] when there is nothing, or on Cancel)."""
        view = list(self.state.ids)
        paper = self.current_paper()
        if not view:
            self.statusBar().showMessage("No papers here to export", 5000)
            return []
        if paper is None or len(view) == 1:
            return view
        choice = ExportChoice(self, paper.title, len(view))
        self.export_choice = choice  # for tests and scripts: the dialog on screen
        try:
            chosen = choice.ask()
        finally:
            choice.deleteLater()
            self.export_choice = None
            # Back to the window's keys (without a window manager, as under
            # Xvfb, nothing else gives the window its focus back).
            self.activateWindow()
        return {"paper": [paper.id], "view": view}.get(chosen or "", [])

    def export_to(self, path: Path, papers: list[Any], format_: str = "bibtex") -> None:
        """Write the papers' (or ids') BibTeX (``format_`` "biblatex", "csl-json":
        those) to ``path`` (whole or not at all), in the worker: exporting pins
        their citation keys."""
        ids = [p if isinstance(p, int) else p.id for p in papers]

        def write(lib: Any) -> int:
            chosen = lib.get_many_existing(ids)
            if format_ == "csl-json":
                text = lib.export_csl_json(chosen)
            else:
                text = lib.export_bibtex(chosen, biblatex=format_ == "biblatex")
            tmp = path.with_suffix(path.suffix + ".tmp")
            try:
                tmp.write_text(text, encoding="utf-8")
                tmp.replace(path)
            except OSError as exc:
                raise UserError(f"cannot write {path}: {exc.strerror}") from exc
            return len(ids)

        def done(n: int) -> None:
            self.statusBar().showMessage(
                f"Exported {n:,} entr{'ies' if n != 1 else 'y'} to {path}", 6000
            )
            self.exported.emit(str(path))

        self.ops.run(write, done, lambda exc: self.warn(str(exc).capitalize()), "export")

    def dragEnterEvent(self, event: Any) -> None:
        if event.mimeData().hasUrls() or event.mimeData().hasText():
            event.acceptProposedAction()

    def dropEvent(self, event: Any) -> None:
        mime = event.mimeData()
        if mime.hasUrls() and any(u.isLocalFile() for u in mime.urls()):
            for url in mime.urls():
                if url.isLocalFile():
                    self.import_path(Path(url.toLocalFile()))
        elif mime.hasText():
            self.import_text(mime.text(), "drop")
        event.acceptProposedAction()
