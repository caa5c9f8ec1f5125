"""The sidebar of views: Inbox, Queue, tags, saved searches, imports."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    Qt,
)
from PySide6.QtWidgets import (
    QInputDialog,
    QMenu,
    QTreeWidgetItem,
)

from readinglist.gui.view_state import VIEWS

ROLE = Qt.ItemDataRole.UserRole


class SidebarMixin:
    """The window's sidebar of views (mixed into MainWindow)."""

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
        groups = (
            ("Tags", [(f"{n}  ({c:,})", ("tag", n, {"tag": n})) for n, c in self.library.tags()]),
            (
                "Saved searches",
                [(n, ("saved", n, {"query": q})) for n, q in self.library.saved_searches()],
            ),
            (
                "Imports",
                [
                    (
                        f"{b['created_at'][:10]} {b['source']} ({b['added']})",
                        ("batch", str(b["id"]), {"batch_id": b["id"]}),
                    )
                    for b in self.library.batches()[:30]
                ],
            ),
        )
        for title, children in groups:
            parent = QTreeWidgetItem([title])
            parent.setFlags(Qt.ItemFlag.ItemIsEnabled)
            self.sidebar.addTopLevelItem(parent)
            for text, data in children:
                child = QTreeWidgetItem([text])
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
            new, ok = QInputDialog.getText(
                self, "Rename tag", f"New name for {name} (an existing tag merges):", text=name
            )
            if ok and new.strip():
                self._act(self.library.rename_tag, name, new)
        elif chosen is delete:
            self._act(self.library.delete_tag, name)
