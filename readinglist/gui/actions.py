"""Every keyboard action in one table: id, default keys, label, scope.

Scope "list" keys (single letters) fire only while the paper list or the detail
pane has focus, never while typing in the search box, tag editor or note.
Handlers are bound by id; binding fails loudly on a missing or extra id.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Action:
    id: str
    keys: tuple[str, ...]
    label: str
    scope: str  # "list" (paper list and detail pane) or "window"


ACTIONS: tuple[Action, ...] = (
    Action("nav.next", ("J", "Down"), "Next paper", "list"),
    Action("nav.previous", ("K", "Up"), "Previous paper", "list"),
    Action("nav.first", ("G, G", "Home"), "First paper", "list"),
    Action("nav.last", ("Shift+G", "End"), "Last paper", "list"),
    Action("nav.next_unread", ("N",), "Next unread paper", "list"),
    Action("nav.previous_unread", ("P",), "Previous unread paper", "list"),
    Action("triage.read", ("R",), "Toggle read / unread", "list"),
    Action("triage.queue", ("Q",), "Queue (to read)", "list"),
    Action("triage.dismiss", ("D",), "Dismiss (not interested)", "list"),
    Action("triage.unread", ("U",), "Mark unread", "list"),
    Action("triage.star", ("S",), "Star / unstar", "list"),
    Action("edit.tag", ("T",), "Add a tag", "list"),
    Action("edit.note", ("A",), "Edit the note", "list"),
    Action("paper.open", ("O",), "Open the paper's page", "list"),
    Action(
        "paper.delete", ("Delete",), "Delete the selected papers (undo brings them back)", "list"
    ),
    Action("paper.enrich", ("E",), "Complete from arXiv (authors, year, ids)", "list"),
    Action("copy.bibtex", ("Y",), "Copy BibTeX of the selection", "list"),
    Action("copy.cite", ("Shift+Y",), "Copy \\cite{} of the selection", "list"),
    Action("undo.undo", ("Z",), "Undo", "list"),
    Action("undo.redo", ("Shift+Z",), "Redo", "list"),
    Action("search.focus", ("/",), "Search", "list"),
    Action("help.keys", ("?",), "Show keys", "list"),
    Action(
        "view.focus", ("Return", "Enter"), "Focus mode: one paper, large text (Esc returns)", "list"
    ),
    Action("scroll.down", ("Space",), "Scroll the abstract down", "list"),
    Action("scroll.up", ("Shift+Space",), "Scroll the abstract up", "list"),
    Action("select.toggle", ("X",), "Add / remove the paper from the selection", "list"),
    Action("select.all", ("Ctrl+A",), "Select all papers in the view", "list"),
    Action("edit.untag", ("Shift+T",), "Remove a tag", "list"),
    Action("go.inbox", ("G, I",), "Go to Inbox", "list"),
    Action("go.queue", ("G, Q",), "Go to Queue", "list"),
    Action("go.read", ("G, R",), "Go to Read", "list"),
    Action("go.starred", ("G, S",), "Go to Starred", "list"),
    Action("go.all", ("G, A",), "Go to All", "list"),
    # V for view order: no single-letter key is free for four sorts, and no other
    # key starts with V, so the two-key sequences never wait on a shorter one.
    Action("sort.title", ("V, T",), "Sort by title (again: reversed)", "list"),
    Action("sort.authors", ("V, A",), "Sort by authors (again: reversed)", "list"),
    Action("sort.year", ("V, Y",), "Sort by year (again: reversed)", "list"),
    Action("sort.added", ("V, D",), "Sort by date added (again: reversed)", "list"),
)


def effective_keys(overrides: dict[str, list[str]] | None = None) -> dict[str, list[str]]:
    """Each action's keys: the user's override, else the defaults minus any key the
    user gave to another action (their choice wins; one key never does two things)."""
    overrides = {k: v for k, v in (overrides or {}).items() if k in {a.id for a in ACTIONS}}
    claimed = {k.lower() for keys in overrides.values() for k in keys}
    return {
        a.id: list(overrides[a.id])
        if a.id in overrides
        else [k for k in a.keys if k.lower() not in claimed]
        for a in ACTIONS
    }


def bind(
    owner: Any,
    targets: list[Any],
    handlers: dict[str, Callable[[], None]],
    overrides: dict[str, list[str]] | None = None,
) -> dict[str, Any]:
    """Create a QAction per table row on the target widgets; returns them by id."""
    # Qt is imported here, not at the top: the CLI reads ACTIONS without loading Qt.
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QAction, QKeySequence

    ids = {a.id for a in ACTIONS}
    missing, extra = ids - handlers.keys(), handlers.keys() - ids
    if missing or extra:
        raise ValueError(
            f"actions without handlers: {sorted(missing)}; "
            f"handlers without actions: {sorted(extra)}"
        )
    made: dict[str, Any] = {}
    chosen = effective_keys(overrides)
    for action in ACTIONS:
        keys = chosen[action.id]
        # One QAction per target widget, parented to it: one shared action parented
        # to the window made Return fire while typing in the tag editor.
        for target in targets if action.scope == "list" else [owner]:
            qaction = QAction(action.label, target)
            qaction.setShortcuts([QKeySequence(k) for k in keys])
            qaction.setShortcutContext(
                Qt.ShortcutContext.WidgetWithChildrenShortcut
                if action.scope == "list"
                else Qt.ShortcutContext.WindowShortcut
            )
            qaction.triggered.connect(handlers[action.id])
            target.addAction(qaction)
            made.setdefault(action.id, qaction)
    return made


def key_table() -> str:
    """The README's key table, generated from ACTIONS."""
    lines = ["| keys | action |", "|---|---|"]
    for action in ACTIONS:
        lines.append(f"| {' / '.join(f'`{k}`' for k in action.keys)} | {action.label} |")
    return "\n".join(lines)
