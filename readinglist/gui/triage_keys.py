"""What the keys do to papers: triage, moving, picking, copying, undo, focus
mode, and the help and about windows (mixed into MainWindow)."""

from __future__ import annotations

from PySide6.QtCore import (
    Qt,
    QUrl,
)
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import (
    QMessageBox,
)

from readinglist.core.errors import UserError
from readinglist.gui.actions import help_overlay
from readinglist.gui.sidebar import ask_text

ROLE = Qt.ItemDataRole.UserRole


class TriageMixin:
    """The window's paper actions and navigation (mixed into MainWindow)."""

    def save_current_search(self) -> None:
        """Keep the search in the box under a name (it appears under Saved searches)."""
        query = self.search_box.text().strip()
        if not query:
            self.warn("Type a search first; then it can be saved under a name.")
            return
        name = ask_text(self, "Save search", f"Name for the search {query}:", query)
        if name:
            self._act(self.library.save_search, name, query)

    def about_text(self) -> str:
        from readinglist import __version__

        return (
            f"Readinglist {__version__}\n\nA reading-list manager for researchers.\n"
            f"Library: {self.library.folder}"
        )

    def show_about(self) -> None:
        box = QMessageBox(QMessageBox.Icon.Information, "About Readinglist", self.about_text())
        box.setTextFormat(Qt.TextFormat.PlainText)  # the folder's name may be anything
        box.exec()

    def mark_selected(self, status: str) -> None:
        papers = self.selected_papers()
        if papers:
            # Triaged picks are done with (tags and stars keep them: add, then fix).
            self.state.picked = set()
            self._act(self.library.mark, [p.id for p in papers], status)

    def delete_selected(self) -> None:
        papers = self.selected_papers()
        if papers:
            self.state.picked = set()
            self._act(self.library.delete, [p.id for p in papers])

    def toggle_star(self) -> None:
        papers = self.selected_papers()
        if papers:
            self._act(self.library.set_starred, [p.id for p in papers], not papers[0].starred)

    def open_selected(self) -> None:
        paper = self.current_paper()
        if paper is None:
            return
        url = paper.url or (f"https://arxiv.org/abs/{paper.arxiv_id}" if paper.arxiv_id else "")
        if url:
            QDesktopServices.openUrl(QUrl(url))

    def copy_bibtex(self) -> None:
        papers = self.selected_papers()
        if papers:
            QGuiApplication.clipboard().setText(self.library.export_bibtex(papers))
            self.statusBar().showMessage(f"Copied BibTeX of {len(papers)} papers", 4000)

    def copy_cite(self) -> None:
        papers = self.selected_papers()
        if papers:
            command = self.library.cite([p.id for p in papers])
            QGuiApplication.clipboard().setText(command)
            self.statusBar().showMessage(command, 4000)

    def _current_row(self) -> int:
        return self.model.row_of(self.state.current) if self.state.current is not None else -1

    def _move(self, step: int) -> None:
        row = self._current_row() + step
        if self.state.picked:
            # Papers picked with x stay picked while the cursor moves.
            if 0 <= row < len(self.model.ids):
                self._go_to(row)
            return
        self._select_row(row)

    def _move_unread(self, step: int) -> None:
        row = self._current_row() + step
        while 0 <= row < len(self.model.ids):
            paper = self.model.paper(row)
            if paper is not None and paper.status.value == "unread":
                self._select_row(row)
                return
            row += step

    def _toggle_read(self) -> None:
        paper = self.current_paper()
        if paper is not None:
            self.mark_selected("unread" if paper.status.value == "read" else "read")

    def _scroll_detail(self, direction: int) -> None:
        bar = self.detail.verticalScrollBar()
        bar.setValue(bar.value() + direction * bar.pageStep())

    def _toggle_in_selection(self) -> None:
        if self.state.current is not None:
            self.state.toggle_pick(self.state.current)
            self._place_cursor()

    def _select_all(self) -> None:
        self.state.picked = set(self.state.ids)
        self._place_cursor()

    @property
    def focus_mode(self) -> bool:
        return bool(self.sidebar.isHidden())

    def toggle_focus_mode(self) -> None:
        """One paper at a time with a large abstract; the same keys work; Esc returns."""
        entering = not self.focus_mode
        self.sidebar.setVisible(not entering)
        self.table.setVisible(not entering)
        self.search_box.setVisible(not entering)
        if entering:
            self.detail.zoomIn(3)
            self.detail.setFocus()
        else:
            self.detail.zoomOut(3)
            self.table.setFocus()

    def _escape_in_list(self) -> None:
        """Esc in the list or detail pane: leave focus mode, else drop the search and
        go back to the view (the current paper stays current if the view holds it)."""
        if self.focus_mode:
            self.toggle_focus_mode()
            return
        if self.search_box.text():
            self.search_box.clear()
            self._debounce.stop()
            self._run_search()
        self.table.setFocus()

    def _undo(self, redo: bool) -> None:
        self._save_note()
        try:
            changes = self.library.redo() if redo else self.library.undo()
        except UserError as exc:
            self.statusBar().showMessage(str(exc).capitalize(), 4000)
            return
        self.apply_changes(changes)
        self.statusBar().showMessage(changes.description, 6000)

    def show_help(self) -> None:
        """The help overlay (made once): search syntax, then the key table."""
        if self.help_overlay is None:
            self.help_overlay = help_overlay(
                self,
                'Search: words (all must match), "exact phrase", OR, NOT or -word, (groups),\n'
                "prefix*, typo~, title: abstract: author:/by: tag: note: arxiv: year:2023,\n"
                "year:[2020 TO 2024], is:unread is:queued is:read is:dismissed is:starred.",
                self._keymap(),
            )
        self.help_overlay.show()
        self.help_overlay.raise_()
        self.help_overlay.activateWindow()
