"""A table model over paper ids; rows are fetched from the library lazily, in pages."""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

# main_window.py imports readable_text from this module too; keep the name here.
from readinglist.core.latex import readable_text
from readinglist.core.library import Library
from readinglist.core.models import Paper

COLUMNS = ("", "★", "Title", "Authors", "Year", "Tags", "Added")
STATUS_MARK = {"unread": "●", "queued": "◷", "read": "✓", "dismissed": "✕"}
# Papers read from SQLite at a time: a screenful or two of rows. 200 made the first
# paint read (and decode the JSON of) three times what it shows, 5 ms of a start.
PAGE = 64
TOOLTIP_LIMIT = 2_000  # characters of paper text in a tooltip (a title may be 100,000)

_Index = QModelIndex | QPersistentModelIndex


def shorten(text: str, limit: int, note: bool = True) -> str:
    """``text`` cut at ``limit`` characters for display (stored text is never cut)."""
    if len(text) <= limit:
        return text
    if not note:
        return text[:limit] + "…"
    return f"{text[:limit]}… ({len(text):,} characters; shortened for display)"


def plain_tooltip(text: str, limit: int = TOOLTIP_LIMIT) -> str:
    """``text`` as a tooltip that shows it as the characters it is.

    Qt draws a tooltip as rich text whenever the text looks like HTML
    (Qt.mightBeRichText), so a title holding ``<img src="file:…">`` would load a
    local image on hover. Escaped inside a paragraph that keeps spaces and line
    breaks, any text shows literally; rich text also lets a long tooltip wrap.
    Empty text stays empty: Qt shows no tooltip for it.
    """
    if not text:
        return ""
    return "<p style='white-space:pre-wrap'>" + html.escape(shorten(text, limit)) + "</p>"


class PaperModel(QAbstractTableModel):
    """Holds only ids; a 100,000-paper view costs a list of ints until rows are shown."""

    def __init__(self, library: Library) -> None:
        super().__init__()
        self.library = library
        self.ids: list[int] = []
        self._cache: dict[int, Paper] = {}
        self._bold: Any = None  # the unread title's font, made at the first paint

    def set_ids(self, ids: list[int]) -> None:
        self.beginResetModel()
        self.ids = list(ids)
        self._cache.clear()
        self.endResetModel()

    def refresh_rows(self, paper_ids: list[int] | None = None) -> None:
        """Forget cached rows (all, or these papers) and repaint."""
        if paper_ids is None:
            self._cache.clear()
        else:
            for pid in paper_ids:
                self._cache.pop(pid, None)
        if self.ids:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self.ids) - 1, len(COLUMNS) - 1))

    def paper(self, row: int) -> Paper | None:
        if not 0 <= row < len(self.ids):
            return None
        pid = self.ids[row]
        if pid not in self._cache:
            start = (row // PAGE) * PAGE
            page = [i for i in self.ids[start : start + PAGE] if i not in self._cache]
            for p in self.library.get_many_existing(page):
                self._cache[p.id] = p
            if len(self._cache) > 20 * PAGE:  # keep memory bounded while scrolling far
                self._cache = {k: v for k, v in self._cache.items() if k in set(page)}
                for p in self.library.get_many_existing(page):
                    self._cache[p.id] = p
        return self._cache.get(pid)

    def filled_columns(self) -> set[int]:
        """Which of the authors, year and tags columns (3, 4, 5) a paper of the
        first page (the rows on screen first) has something in."""
        filled: set[int] = set()
        for row in range(min(len(self.ids), PAGE)):
            paper = self.paper(row)
            if paper is not None:
                filled |= {
                    c for c, v in ((3, paper.authors), (4, paper.year), (5, paper.tags)) if v
                }
                if len(filled) == 3:
                    break
        return filled

    def row_of(self, paper_id: int) -> int:
        try:
            return self.ids.index(paper_id)
        except ValueError:
            return -1

    # Qt overrides

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.ids)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section]
        return None

    def data(self, index: _Index, role: int = 0) -> Any:
        # Called for every role of every cell on each paint (1,300 calls for the
        # first one): roles are compared as plain ints, and unasked ones leave first.
        role = int(role)
        if role not in _ROLES or not index.isValid():
            return None
        paper = self.paper(index.row())
        if paper is None:
            return None
        col = index.column()
        if role == _DISPLAY:
            if col == 0:
                return STATUS_MARK[paper.status.value]
            if col == 1:
                return "★" if paper.starred else ""
            if col == 2:
                # A cell shows one line: laying out a 100,000-character title on
                # every repaint would stall scrolling.
                return shorten(readable_text(paper.title), 300, note=False)
            if col == 3:
                a = paper.authors
                return ", ".join(a[:3]) + (" et al." if len(a) > 3 else "")
            if col == 4:
                return str(paper.year or "")
            if col == 5:
                return ", ".join(paper.tags)
            if col == 6:
                return paper.added_at[:10]
        if role == _TOOLTIP and col in (0, 2, 3):
            if col == 0:
                return plain_tooltip(paper.status.value)
            # Authors are cut before joining: 10,000 of them would make a long string
            # on every hover only to be shortened.
            text = paper.title if col == 2 else ", ".join(paper.authors[:TOOLTIP_LIMIT])
            return plain_tooltip(text)
        if role == _FONT and col == 2 and paper.status.value == "unread":
            if self._bold is None:
                from PySide6.QtGui import QFont

                self._bold = QFont()
                self._bold.setBold(True)
            return self._bold
        if role == _ALIGN and col in (0, 1, 4):
            return _CENTER
        return None


_DISPLAY = int(Qt.ItemDataRole.DisplayRole)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole)
_FONT = int(Qt.ItemDataRole.FontRole)
_ALIGN = int(Qt.ItemDataRole.TextAlignmentRole)
_ROLES = frozenset((_DISPLAY, _TOOLTIP, _FONT, _ALIGN))
_CENTER = int(Qt.AlignmentFlag.AlignCenter)
