"""What the keys do to papers: triage, moving, picking, copying, undo, focus
mode, and the help and about windows (mixed into MainWindow)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    Qt,
    QUrl,
)
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import (
    QMessageBox,
)

from readinglist.gui.actions import context_menu, help_overlay
from readinglist.gui.sidebar import ask_text

ROLE = Qt.ItemDataRole.UserRole


class TriageMixin:
    """The window's paper actions and navigation (mixed into MainWindow)."""

    def action_handlers(self) -> dict[str, Any]:
        """What each action of the ACTIONS table does, by id (bind checks both ways)."""
        return {
            "nav.next": lambda: self._move(1),
            "nav.previous": lambda: self._move(-1),
            "nav.first": lambda: self._select_row(0),
            "nav.last": lambda: self._select_row(len(self.model.ids) - 1),
            "nav.next_unread": lambda: self._move_unread(1),
            "nav.previous_unread": lambda: self._move_unread(-1),
            "triage.read": self._toggle_read,
            "triage.queue": lambda: self.mark_selected("queued"),
            "triage.dismiss": lambda: self.mark_selected("dismissed"),
            "triage.unread": lambda: self.mark_selected("unread"),
            "triage.star": self.toggle_star,
            "edit.tag": self.tag_editor.setFocus,
            "edit.note": self.note.setFocus,
            "paper.open": self.open_selected,
            "paper.delete": self.delete_selected,
            "paper.enrich": self.enrich_selected,
            "copy.bibtex": self.copy_bibtex,
            "copy.cite": self.copy_cite,
            "undo.undo": lambda: self._undo(redo=False),
            "undo.redo": lambda: self._undo(redo=True),
            "search.focus": self.focus_search,
            "help.keys": self.show_help,
            "view.focus": self.toggle_focus_mode,
            "scroll.down": lambda: self._scroll_detail(1),
            "scroll.up": lambda: self._scroll_detail(-1),
            "select.toggle": self._toggle_in_selection,
            "select.all": self._select_all,
            "edit.untag": self._start_untag,
            "go.inbox": lambda: self.go_view("inbox"),
            "go.queue": lambda: self.go_view("queue"),
            "go.read": lambda: self.go_view("read"),
            "go.starred": lambda: self.go_view("starred"),
            "go.dismissed": lambda: self.go_view("dismissed"),
            "go.all": lambda: self.go_view("all"),
            "sort.title": lambda: self.sort_by("title"),
            "sort.authors": lambda: self.sort_by("authors"),
            "sort.year": lambda: self.sort_by("year"),
            "sort.added": lambda: self.sort_by("added"),
            "search.clear": self._escape_in_list,
            "file.import": self.import_file_dialog,
            # Text fields keep Ctrl+V for pasting text (see actions.py).
            "file.paste": self.paste_listing,
            "file.export": self.export_dialog,
            "file.copy_bibtex": self.copy_bibtex,
            "file.enrich_missing": self.enrich_missing,
            "file.quit": self.close,
            "edit.undo": lambda: self._undo(redo=False),
            "edit.redo": lambda: self._undo(redo=True),
            "search.find": self.focus_search,
            "pane.next": lambda: self.panes.move(1),
            "pane.previous": lambda: self.panes.move(-1),
            "help.show": self.show_help,
            "search.save": self.save_current_search,
            "help.about": self.show_about,
        }

    def paper_menu(self) -> Any:
        """The context menu of the papers under the cursor (made for each use)."""
        return context_menu(self, self.key_actions, self._keymap())

    def _paper_menu_requested(self, pos: Any) -> None:
        # A right-click on a paper outside the picks makes it the current paper,
        # so that the menu acts on the paper the user pointed at.
        row = self.table.rowAt(pos.y())
        if row < 0:
            return
        pid = self.model.ids[row]
        if pid not in self.state.picked:
            self._select_row(row)
        menu = self.paper_menu()
        menu.exec(self.table.viewport().mapToGlobal(pos))
        menu.deleteLater()

    def save_current_search(self) -> None:
        """Keep the search in the box under a name (it appears under Saved searches)."""
        query = self.search_box.text().strip()
        if not query:
            self.warn("Type a search first; then it can be saved under a name.")
            return
        name = ask_text(self, "Save search", f"Name for the search {query}:", query)
        if name:
            self._act("save_search", name, query)

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
            self._act("mark", [p.id for p in papers], status)
            self._moving_on({p.id for p in papers}, status)

    def _moving_on(self, ids: set[int], status: str | None) -> None:
        """Papers marked out of a status view (or deleted: ``status`` None) leave
        it: the cursor moves on at once, not when the change is back, so keys
        typed fast each act on the next paper."""
        shown = self.state.filters.get("status")
        if self.state.search or (status is not None and shown in (None, status)):
            return
        self.state.leaving(ids)
        self._place_cursor()
        self._show_detail()

    def delete_selected(self) -> None:
        papers = self.selected_papers()
        if papers:
            self.state.picked = set()
            self._act("delete", [p.id for p in papers])
            self._moving_on({p.id for p in papers}, None)

    def toggle_star(self) -> None:
        ids = [p.id for p in self.selected_papers()]
        if ids:
            # Decided in the worker, on the library as it is by then: a key pressed
            # twice quickly toggles twice.
            self.run_op(lambda lib: lib.set_starred(ids, not lib.get(ids[0]).starred), "star")

    def open_selected(self) -> None:
        paper = self.current_paper()
        if paper is None:
            return
        url = paper.url or (f"https://arxiv.org/abs/{paper.arxiv_id}" if paper.arxiv_id else "")
        if url:
            QDesktopServices.openUrl(QUrl(url))

    def copy_bibtex(self) -> None:
        ids = [p.id for p in self.selected_papers()]
        n = len(ids)
        # A write, so in the worker: exporting pins the papers' citation keys.
        self._copy(
            ids,
            lambda lib: lib.export_bibtex(lib.get_many_existing(ids)),
            f"Copied BibTeX of {n} paper{'s' * (n != 1)}",
        )

    def copy_cite(self) -> None:
        ids = [p.id for p in self.selected_papers()]
        self._copy(ids, lambda lib: lib.cite(ids), None)

    def _copy(self, ids: list[int], op: Any, said: str | None) -> None:
        """Put what ``op`` makes of the papers on the clipboard; the status bar
        says ``said`` (None: the text itself)."""
        if not ids:
            return

        def copied(text: str) -> None:
            QGuiApplication.clipboard().setText(text)
            self.statusBar().showMessage(said or text, 4000)

        self.run_op(op, "copy", copied)

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
        ids = [p.id for p in self.selected_papers()]
        if ids:
            self.state.picked = set()

            # As the paper on screen is: read becomes unread, anything else read.
            first = self.state.current if self.state.current in ids else ids[0]

            def toggle(lib: Any) -> Any:
                read = lib.get(first).status.value == "read"
                return lib.mark(ids, "unread" if read else "read")

            self.run_op(toggle, "read")
            shown = self.current_paper()
            if shown is not None:
                self._moving_on(set(ids), "unread" if shown.status.value == "read" else "read")

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

        def done(changes: Any) -> None:
            self.statusBar().showMessage(changes.description, 6000)
            # The paper an undo brings back into the view becomes current: the
            # next key acts on the paper the user just restored, not its neighbour.
            back = [i for i in changes.paper_ids if i in self.state.ids]
            if back and self.state.current not in changes.paper_ids:
                self._go_to(self.model.row_of(back[0]))

        def failed(exc: BaseException) -> None:
            self.statusBar().showMessage(str(exc).capitalize(), 4000)

        self.ops.run(
            lambda lib: lib.redo() if redo else lib.undo(), done, failed, "redo" if redo else "undo"
        )

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
