"""What the user is looking at: the view, the search, the sort, the current paper
and the picked papers. Plain Python (no Qt), so the rules are unit-tested alone.

The window renders its list, detail pane, status bar and sidebar from one
ViewState; the rule that matters is ``follow``: after any change the current
paper stays current, and if it left the view the next paper in view order (at
the end, the previous one) takes its place, so a key never acts on a paper the
user has not seen.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

#: Sortable columns: name -> (table column, key for Library.sorted_ids, first direction).
#: Titles and authors start A to Z; years and dates newest first, as a person expects.
SORTS: dict[str, tuple[int, str, bool]] = {
    "status": (0, "status", False),
    "starred": (1, "starred", True),
    "title": (2, "title COLLATE NOCASE", False),
    "authors": (3, "authors", False),
    "year": (4, "year", True),
    "added": (6, "added_at", True),
}
SORT_OF_COLUMN = {column: name for name, (column, _, _) in SORTS.items()}

#: The built-in views of the sidebar: key, label, Library.ids filters.
VIEWS: tuple[tuple[str, str, dict[str, Any]], ...] = (
    ("inbox", "Inbox", {"status": "unread"}),
    ("queue", "Queue", {"status": "queued"}),
    ("read", "Read", {"status": "read"}),
    ("starred", "Starred", {"starred": True}),
    ("dismissed", "Dismissed", {"status": "dismissed"}),
    ("all", "All", {}),
)


@dataclass(frozen=True)
class Sort:
    column: str  # a key of SORTS
    descending: bool = False

    @property
    def key(self) -> str:
        return SORTS[self.column][1]

    def to_text(self) -> str:
        return ("-" if self.descending else "") + self.column

    @classmethod
    def from_text(cls, text: str) -> Sort | None:
        name = text.lstrip("-")
        return cls(name, text.startswith("-")) if name in SORTS else None


def follow(old: Sequence[int], new: Sequence[int], current: int | None) -> int | None:
    """The paper current once the list changes from ``old`` to ``new``: the same one
    while it is shown; else the next paper of ``old`` still shown; else the previous."""
    if current in new:
        return current
    if not new:
        return None
    if current is None or current not in old:
        return new[0]
    shown = set(new)
    at = list(old).index(current)
    for pid in old[at + 1 :]:
        if pid in shown:
            return pid
    for pid in reversed(old[:at]):
        if pid in shown:
            return pid
    return new[0]


@dataclass
class ViewState:
    """The one record of what is on screen; the window's panes render from it."""

    kind: str = "view"  # "view", "tag", "saved" (a saved search) or "batch" (an import)
    key: str = "inbox"  # the sidebar item: a VIEWS key, tag name, search name, batch id
    filters: dict[str, Any] = field(default_factory=lambda: {"status": "unread"})
    search: str = ""
    sort: Sort | None = None
    current: int | None = None
    picked: set[int] = field(default_factory=set)
    ids: list[int] = field(default_factory=list)  # the list as shown, in view order

    def choose_view(self, kind: str, key: str, filters: Mapping[str, Any]) -> None:
        """Another view: its first paper becomes current, picks are dropped."""
        self.kind, self.key, self.filters = kind, key, dict(filters)
        self.current = None
        self.picked = set()

    def show(self, ids: Sequence[int], keep: bool = True) -> None:
        """The view's papers now are ``ids`` (already ordered). With ``keep`` the
        current paper follows the rule of ``follow``; without, the first is current."""
        self.current = follow(self.ids, ids, self.current) if keep else (ids[0] if ids else None)
        self.ids = list(ids)
        self.picked &= set(self.ids)

    def leaving(self, ids: set[int]) -> None:
        """These papers are about to leave the view (marked out of it, deleted):
        the current paper moves on now, as it will once the list follows, so a key
        pressed before the change comes back acts on the paper then on screen."""
        if self.current in ids:
            self.current = follow(self.ids, [i for i in self.ids if i not in ids], self.current)

    def sort_by(self, column: str) -> Sort:
        """Sort by a column; choosing the sorted column again reverses it."""
        if self.sort is not None and self.sort.column == column:
            self.sort = Sort(column, not self.sort.descending)
        else:
            self.sort = Sort(column, SORTS[column][2])
        return self.sort

    def toggle_pick(self, paper_id: int) -> None:
        self.picked ^= {paper_id}

    def to_settings(self) -> dict[str, Any]:
        """Plain values to keep across launches (QSettings)."""
        return {
            "kind": self.kind,
            "key": self.key,
            "search": self.search,
            "sort": self.sort.to_text() if self.sort else "",
            "current": self.current if self.current is not None else -1,
        }

    @classmethod
    def from_settings(cls, values: Mapping[str, Any]) -> ViewState:
        """The state saved by ``to_settings``; anything missing or odd is the default.
        The filters of a tag, saved search or import are filled in by the window,
        which finds the sidebar item (and falls back to the Inbox if it is gone)."""
        state = cls()
        kind, key = str(values.get("kind") or "view"), str(values.get("key") or "inbox")
        builtin = {k: f for k, _, f in VIEWS}
        if kind == "view" and key in builtin:
            state.filters = dict(builtin[key])
        state.kind, state.key = kind, key
        state.search = str(values.get("search") or "")
        state.sort = Sort.from_text(str(values.get("sort") or ""))
        try:
            current = int(values.get("current", -1))
        except (TypeError, ValueError):
            current = -1
        state.current = current if current >= 0 else None
        return state
