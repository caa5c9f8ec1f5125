"""The paper list: a table over the view's paper ids, its columns, and the cursor
placed where the view state says."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QItemSelection, QItemSelectionModel
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from readinglist.gui.paper_model import PaperModel

#: Column widths: status, star, (title stretches), authors, year, tags, added.
WIDTHS = {0: 26, 1: 24, 3: 140, 4: 44, 5: 90, 6: 84}
#: Columns shown only when a paper of the view has something in them.
OPTIONAL = (3, 4, 5)
TITLE_ROOM = 300  # the title column's least width before the tags and dates give way


class PaperList(QTableView):
    """The list of the view's papers.

    Letters are triage keys here, so Qt's type-to-find (jump to the row starting
    with the letter) is off: a key that reaches the list while its shortcut
    cannot fire (seen in a window that was not yet active) must not move the
    selection to some other paper. Qt's own sorting is off too: it reorders rows
    under the cursor behind the view state's back (the window sorts through it).
    """

    def __init__(self, model: PaperModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setModel(model)
        self.papers = model
        #: True while the window moves the cursor, not the user.
        self.rendering = False
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        header = self.horizontalHeader()
        header.setSectionsClickable(True)
        header.setSortIndicatorShown(True)
        header.setStretchLastSection(False)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        for col, width in WIDTHS.items():
            self.setColumnWidth(col, width)
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
        rows = self.verticalHeader()
        rows.hide()
        rows.setDefaultSectionSize(self.fontMetrics().height() + 8)
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.setShowGrid(False)
        self._empty: set[int] = set()
        model.modelReset.connect(self.find_empty_columns)

    def keyboardSearch(self, search: str) -> None:
        pass

    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
        self.fit_columns()

    def find_empty_columns(self) -> None:
        """Look again at which columns no paper here fills (a pasted page often has
        no authors or years): after the rows change, not on every resize."""
        self._empty = set(OPTIONAL) - self.papers.filled_columns()
        for col in OPTIONAL:
            self.setColumnHidden(col, col in self._empty)
        self.fit_columns()

    def fit_columns(self) -> None:
        """Give the title the room of the empty columns, then, in a small window,
        of the added date and the tags."""
        # The width without scroll bars (a scroll bar's 15 pixels never decide
        # this): asking for viewport() instead makes PySide6 wrap that widget, which
        # the first time builds 70 enum types, 10 ms of the window's start.
        room = self.maximumViewportSize().width() - WIDTHS[0] - WIDTHS[1]
        room -= sum(WIDTHS[c] for c in (3, 4) if c not in self._empty)
        tags = 0 if 5 in self._empty else WIDTHS[5]
        self.setColumnHidden(6, room - tags - WIDTHS[6] < TITLE_ROOM)
        if 5 not in self._empty:
            self.setColumnHidden(5, room - WIDTHS[5] < TITLE_ROOM - 40)

    def place_cursor(self, current: int | None, picked: set[int]) -> None:
        """Put the cursor and highlight on ``current`` (and the picks), in sight."""
        selection = self.selectionModel()
        flags = QItemSelectionModel.SelectionFlag
        row = self.papers.row_of(current) if current is not None else -1
        self.rendering = True
        try:
            if row < 0:
                selection.clear()
                return
            index = self.papers.index(row, 2)
            if picked:
                chosen = QItemSelection()
                for pid in picked:
                    r = self.papers.row_of(pid)
                    chosen.select(self.papers.index(r, 0), self.papers.index(r, 0))
                selection.select(chosen, flags.ClearAndSelect | flags.Rows)
                selection.setCurrentIndex(index, flags.NoUpdate)
            else:
                # As a click does, so that the table's own selection anchor is here
                # too (a later selectRow of this row then keeps it selected).
                self.selectRow(row)
                selection.setCurrentIndex(index, flags.ClearAndSelect | flags.Rows)
            self.scrollTo(index)
        finally:
            self.rendering = False

    def show_ids(self, ids: list[int]) -> None:
        """Show these papers (the cursor is placed separately)."""
        if self.papers.ids != ids:
            self.rendering = True
            try:
                self.papers.set_ids(ids)
            finally:
                self.rendering = False
