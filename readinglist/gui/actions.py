"""Every keyboard action in one table: id, default keys, label, scope.

Scope "list" keys (single letters) fire only while the paper list or the detail
pane has focus, never while typing in the search box, tag editor or note.
Scope "window" keys (Ctrl shortcuts, F1, Tab) work from any widget of the window;
a text field still keeps the keys it edits with (Ctrl+V, Ctrl+Z): Qt offers a key
to the focused editor before any shortcut.
Handlers are bound by id; binding fails loudly on a missing or extra id. The menus,
the help overlay and the README's key table are made from the same table.
Panes (below) is the Tab order between the window's panes and the focused pane's border.
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


WHERE = {"list": "List, detail pane", "window": "Anywhere"}


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
    Action("go.dismissed", ("G, D",), "Go to Dismissed", "list"),
    Action("go.all", ("G, A",), "Go to All", "list"),
    # V for view order: no single-letter key is free for four sorts, and no other
    # key starts with V, so the two-key sequences never wait on a shorter one.
    Action("sort.title", ("V, T",), "Sort by title (again: reversed)", "list"),
    Action("sort.authors", ("V, A",), "Sort by authors (again: reversed)", "list"),
    Action("sort.year", ("V, Y",), "Sort by year (again: reversed)", "list"),
    Action("sort.added", ("V, D",), "Sort by date added (again: reversed)", "list"),
    Action("search.clear", ("Escape",), "Clear the search (in focus mode: leave it)", "list"),
    Action("file.import", ("Ctrl+O",), "Import a file…", "window"),
    Action("file.paste", ("Ctrl+V",), "Import the listing on the clipboard", "window"),
    Action("file.export", ("Ctrl+E",), "Export BibTeX…", "window"),
    Action("file.copy_bibtex", ("Ctrl+Shift+C",), "Copy BibTeX of the selection", "window"),
    Action(
        "file.enrich_missing", ("Ctrl+Shift+E",), "Complete missing metadata from arXiv…", "window"
    ),
    Action("file.quit", ("Ctrl+Q",), "Quit", "window"),
    Action("edit.undo", ("Ctrl+Z",), "Undo", "window"),
    Action("edit.redo", ("Ctrl+Shift+Z", "Ctrl+Y"), "Redo", "window"),
    Action("search.find", ("Ctrl+F",), "Search", "window"),
    Action("pane.next", ("Tab",), "Next pane: sidebar, list, detail", "window"),
    Action("pane.previous", ("Shift+Tab",), "Previous pane", "window"),
    Action("help.show", ("F1",), "Search syntax and keys", "window"),
    Action("search.save", (), "Save this search…", "window"),
    Action("help.about", (), "About Readinglist", "window"),
)

# The menu bar, in order: (key, title).
MENUS = (
    ("file", "&File"),
    ("paper", "&Paper"),
    ("go", "&Go"),
    ("view", "&View"),
    ("edit", "&Edit"),
    ("search", "&Search"),
    ("help", "&Help"),
)


def menu_of(action: Action) -> str | None:
    """The menu (a MENUS key) listing an action, by the first part of its id; None
    for the list's own ways to the search box and help (the window's are listed)."""
    group = action.id.split(".")[0]
    if action.scope == "window":
        return "go" if group == "pane" else group
    if group in ("help", "search"):
        return None
    if group == "sort":
        return "view"
    return "go" if group in ("nav", "go", "view", "scroll") else "paper"


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


def fill_menus(
    bar: Any, made: dict[str, Any], overrides: dict[str, list[str]] | None = None
) -> dict[str, Any]:
    """The menu bar's menus (by MENUS key), listing the actions with their keys.

    A window-wide action is itself the menu entry. A list action's entry shows its
    key but does not own it (WidgetShortcut on the menu): the list's own bindings
    act, so a letter typed in the search box never does.
    """
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QAction, QKeySequence

    menus = {key: bar.addMenu(title) for key, title in MENUS}
    chosen = effective_keys(overrides)
    for action in ACTIONS:
        menu_key = menu_of(action)
        if menu_key is None:
            continue
        menu = menus[menu_key]
        if action.scope == "window":
            menu.addAction(made[action.id])
            continue
        entry = QAction(action.label, menu)
        entry.setShortcuts([QKeySequence(k) for k in chosen[action.id]])
        entry.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        entry.triggered.connect(made[action.id].trigger)
        menu.addAction(entry)
    return menus


#: The context menu of a paper in the list (None: a separator), in ACTIONS' ids.
PAPER_MENU: tuple[str | None, ...] = (
    "triage.read",
    "triage.queue",
    "triage.dismiss",
    "triage.unread",
    "triage.star",
    None,
    "edit.tag",
    "edit.note",
    None,
    "paper.open",
    "paper.enrich",
    "copy.bibtex",
    "copy.cite",
    None,
    "paper.delete",
)


def context_menu(
    parent: Any, made: dict[str, Any], overrides: dict[str, list[str]] | None = None
) -> Any:
    """The paper context menu: PAPER_MENU's actions with their keys shown; an
    entry triggers the list's own action (as the menu bar's entries do)."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QAction, QKeySequence
    from PySide6.QtWidgets import QMenu

    menu = QMenu(parent)
    chosen = effective_keys(overrides)
    labels = {a.id: a.label for a in ACTIONS}
    for action_id in PAPER_MENU:
        if action_id is None:
            menu.addSeparator()
            continue
        entry = QAction(labels[action_id], menu)
        entry.setShortcuts([QKeySequence(k) for k in chosen[action_id]])
        entry.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        entry.triggered.connect(made[action_id].trigger)
        menu.addAction(entry)
    return menu


def help_overlay(parent: Any, intro: str, overrides: dict[str, list[str]] | None = None) -> Any:
    """The help window: ``intro`` (plain text), then every action's keys in a table."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import (
        QAbstractItemView,
        QDialog,
        QDialogButtonBox,
        QHeaderView,
        QLabel,
        QTableWidget,
        QTableWidgetItem,
        QVBoxLayout,
    )

    dialog = QDialog(parent)
    dialog.setWindowTitle("Readinglist help")
    layout = QVBoxLayout(dialog)
    label = QLabel(intro)
    label.setTextFormat(Qt.TextFormat.PlainText)
    layout.addWidget(label)
    # Items hold plain text: a key or label can never be read as markup.
    table = QTableWidget(len(ACTIONS), 3)
    table.setHorizontalHeaderLabels(["Key", "Action", "Where"])
    table.verticalHeader().hide()
    table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 6)
    table.setShowGrid(False)
    table.setAlternatingRowColors(True)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    chosen = effective_keys(overrides)
    for row, action in enumerate(ACTIONS):
        cells = (" / ".join(chosen[action.id]) or "(none)", action.label, WHERE[action.scope])
        for column, text in enumerate(cells):
            table.setItem(row, column, QTableWidgetItem(text))
    table.resizeColumnsToContents()
    table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
    layout.addWidget(table)
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
    buttons.rejected.connect(dialog.reject)
    layout.addWidget(buttons)
    dialog.resize(720, 640)
    return dialog


class Panes:
    """The window's panes in Tab order, each a widget that takes the focus and the
    widgets counted as part of it; the pane holding the focus shows a border."""

    def __init__(self, owner: Any, panes: list[tuple[Any, tuple[Any, ...]]]) -> None:
        from PySide6.QtWidgets import QApplication, QFrame

        self.panes = panes
        # Each pane (a QFrame) draws its own 2-pixel plain frame in the palette's
        # WindowText colour: the highlight when it has the focus, the window's
        # background otherwise. A style sheet did the same but cost 10 ms of the
        # window's start (and restyled the pane on every focus change).
        for widget, _ in panes:
            widget.setFrameShape(QFrame.Shape.Box)
            widget.setFrameShadow(QFrame.Shadow.Plain)
            widget.setLineWidth(2)
        app = QApplication.instance()
        app.focusChanged.connect(self.show_focus)
        # The application outlives the window: stop listening when it goes.
        owner.destroyed.connect(lambda: app.focusChanged.disconnect(self.show_focus))
        self.show_focus()

    def _index(self, focus: Any) -> int | None:
        for i, (widget, members) in enumerate(self.panes):
            if focus is widget or focus in members:
                return i
        return None

    def move(self, step: int) -> None:
        """Focus the next (step 1) or previous (-1) visible pane; from outside the
        panes (the search box, above them) Tab goes to the first."""
        from PySide6.QtCore import Qt
        from PySide6.QtWidgets import QApplication

        current = self._index(QApplication.focusWidget())
        if current is None:
            current = -1 if step > 0 else len(self.panes)
        reason = Qt.FocusReason.TabFocusReason if step > 0 else Qt.FocusReason.BacktabFocusReason
        for k in range(1, len(self.panes) + 1):
            widget = self.panes[(current + k * step) % len(self.panes)][0]
            if widget.isVisible():  # focus mode hides the sidebar and the list
                widget.setFocus(reason)
                return

    def show_focus(self, *_: Any) -> None:
        from PySide6.QtGui import QPalette
        from PySide6.QtWidgets import QApplication
        from shiboken6 import isValid

        if not all(isValid(widget) for widget, _ in self.panes):
            return  # the window is being torn down
        focused = self._index(QApplication.focusWidget())
        for i, (widget, _) in enumerate(self.panes):
            if widget.property("paneFocus") != (i == focused):
                widget.setProperty("paneFocus", i == focused)
                palette = widget.palette()
                role = QPalette.ColorRole
                shown = palette.color(role.Highlight if i == focused else role.Window)
                palette.setColor(role.WindowText, shown)
                widget.setPalette(palette)


def key_table() -> str:
    """The README's key table, generated from ACTIONS."""
    lines = ["| keys | action | where |", "|---|---|---|"]
    for action in ACTIONS:
        keys = " / ".join(f"`{k}`" for k in action.keys)
        lines.append(f"| {keys} | {action.label} | {WHERE[action.scope].lower()} |")
    return "\n".join(lines)
