"""The sidebar of views: Inbox, Queue, tags, saved searches, imports."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import (
    Qt,
)
from PySide6.QtWidgets import (
    QDialog,
    QInputDialog,
    QLabel,
    QMenu,
    QTreeWidget,
    QTreeWidgetItem,
)

from readinglist.gui.paper_model import plain_tooltip, shorten
from readinglist.gui.view_state import VIEWS

ROLE = Qt.ItemDataRole.UserRole
SOURCE_SHOWN = 80  # characters of an import's source name in the sidebar (the tooltip has all)


def _local_time(stamp: str) -> str:
    """An import's ISO time stamp (stored in UTC) as the user's local date and minute."""
    try:
        return dt.datetime.fromisoformat(stamp).astimezone().strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return stamp[:16].replace("T", " ")


def _batch_entry(batch: dict[str, Any]) -> tuple[str, str]:
    """The sidebar text of an import (date, source, papers added) and its tooltip
    (where it came from, when, and what it did), both plain text."""
    when = _local_time(str(batch["created_at"]))
    # One line in the tree: a source name is a file name, "clipboard" or "drop",
    # but nothing stops it holding line breaks or running long.
    source = " ".join(str(batch["source"]).split())
    text = f"{when[:10]} {shorten(source, SOURCE_SHOWN, note=False)} ({batch['added']:,})"
    tip = (
        f"{batch['source']}\nImported {when} ({batch['format']}): {batch['added']:,} added, "
        f"{batch['merged']:,} merged, {batch['unchanged']:,} already here, "
        f"{batch['skipped']:,} skipped"
    )
    return text, tip


def ask_text(parent: Any, title: str, label: str, value: str) -> str | None:
    """A line of text from the user, or None on Cancel. Not QInputDialog.getText:
    its label reads the text as HTML when it looks like it, and names are text."""
    dialog = QInputDialog(parent)
    dialog.setWindowTitle(title)
    dialog.setLabelText(label)
    for shown in dialog.findChildren(QLabel):
        shown.setTextFormat(Qt.TextFormat.PlainText)
    dialog.setTextValue(value)
    try:
        return dialog.textValue() if dialog.exec() == QDialog.DialogCode.Accepted else None
    finally:
        dialog.deleteLater()


class SidebarMixin:
    """The window's sidebar of views (mixed into MainWindow)."""

    def _build_sidebar(self) -> None:
        self.sidebar = QTreeWidget()
        self.sidebar.setHeaderHidden(True)
        self.sidebar.itemSelectionChanged.connect(self._view_chosen)
        self.sidebar.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.sidebar.customContextMenuRequested.connect(self._sidebar_menu)

    def refresh_sidebar(self, select: str | None = None) -> bool:
        """Rebuild the sidebar with its counts, the state's view selected (without
        reloading the list). ``select`` chooses another view. Returns whether the
        state's view is still there (a tag or saved search may be gone)."""
        self._tag_names.setStringList([n for n, _ in self.library.tags()])
        stats = self._stats = self.library.stats()
        counts = {
            "inbox": stats.by_status["unread"],
            "queue": stats.by_status["queued"],
            "read": stats.by_status["read"],
            "starred": stats.starred,
            "dismissed": stats.by_status["dismissed"],
            "all": stats.total,
        }
        self.sidebar.blockSignals(True)
        self.sidebar.clear()
        to_select = None
        for key, label, filters in VIEWS:
            item = QTreeWidgetItem([f"{label}  ({counts[key]:,})"])
            item.setData(0, ROLE, ("view", key, filters))
            self.sidebar.addTopLevelItem(item)
            if ("view", key) == (self.state.kind, self.state.key):
                to_select = item
        # Item texts are plain text already (the tree draws them as such); the
        # tooltips, which Qt would read as HTML, go through plain_tooltip.
        groups = (
            (
                "Tags",
                [
                    (f"{n}  ({c:,})", f"Tag {n}: {c:,} papers", ("tag", n, {"tag": n}))
                    for n, c in self.library.tags()
                ],
            ),
            (
                "Saved searches",
                [
                    (n, f"{n}\nSearch: {q}", ("saved", n, {"query": q}))
                    for n, q in self.library.saved_searches()
                ],
            ),
            (
                "Imports",
                [
                    (*_batch_entry(b), ("batch", str(b["id"]), {"batch_id": b["id"]}))
                    for b in self.library.batches()[:30]
                ],
            ),
        )
        for title, children in groups:
            parent = QTreeWidgetItem([title])
            parent.setFlags(Qt.ItemFlag.ItemIsEnabled)
            self.sidebar.addTopLevelItem(parent)
            for text, tip, data in children:
                child = QTreeWidgetItem([text])
                child.setToolTip(0, plain_tooltip(tip))
                child.setData(0, ROLE, data)
                parent.addChild(child)
                if data[:2] == (self.state.kind, self.state.key):
                    to_select = child
            parent.setExpanded(True)
        if to_select is not None:
            self.sidebar.setCurrentItem(to_select)
            # A view restored from the settings learns its filters here.
            self.state.filters = dict(to_select.data(0, ROLE)[2])
        self.sidebar.blockSignals(False)
        if select is not None:
            self.go_view(select)
        return to_select is not None

    def _view_chosen(self) -> None:
        item = self.sidebar.currentItem()
        data = item.data(0, ROLE) if item else None
        if not data:
            return
        kind, key, filters = data
        self.state.choose_view(kind, key, filters)
        # A saved search is its query; any other view drops the search.
        self.state.search = str(filters.get("query", ""))
        self.search_box.blockSignals(True)
        self.search_box.setText(self.state.search)
        self.search_box.blockSignals(False)
        self._load_view(keep=False)

    def go_view(self, key: str) -> None:
        for i in range(self.sidebar.topLevelItemCount()):
            item = self.sidebar.topLevelItem(i)
            data = item.data(0, ROLE)
            if data and data[1] == key:
                self.sidebar.setCurrentItem(item)
                break
        self.table.setFocus()

    def _sidebar_menu(self, pos: Any) -> None:
        item = self.sidebar.itemAt(pos)
        data = item.data(0, ROLE) if item else None
        if not data or data[0] != "tag":
            return
        name = data[1]
        menu = QMenu(self)
        rename = menu.addAction("Rename or merge…")
        delete = menu.addAction("Delete tag")
        chosen = menu.exec(self.sidebar.viewport().mapToGlobal(pos))
        if chosen is rename:
            new = self._ask_tag_name(name)
            if new is not None and new.strip():
                self._act("rename_tag", name, new)
        elif chosen is delete:
            self._act("delete_tag", name)

    def _ask_tag_name(self, name: str) -> str | None:
        """The new name for tag ``name``, or None on Cancel."""
        return ask_text(self, "Rename tag", f"New name for {name} (an existing tag merges):", name)
