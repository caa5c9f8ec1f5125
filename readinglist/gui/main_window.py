"""The three-pane window: sidebar of views, paper table, detail pane; search on top."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QSettings,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtWidgets import (
    QApplication,
    QLabel,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from readinglist.core.library import Library
from readinglist.core.models import ChangeKind, Changes
from readinglist.core.triage import n_papers
from readinglist.gui.actions import ACTIONS, Panes, bind, fill_menus
from readinglist.gui.detail_pane import DetailPaneMixin
from readinglist.gui.import_export import ImportExportMixin
from readinglist.gui.ops import Ops, changes_of
from readinglist.gui.paper_list import PaperList
from readinglist.gui.paper_model import PaperModel
from readinglist.gui.search_box import SearchBoxMixin
from readinglist.gui.search_worker import SearchWorker
from readinglist.gui.sidebar import SidebarMixin
from readinglist.gui.triage_keys import TriageMixin
from readinglist.gui.view_state import SORT_OF_COLUMN, SORTS, VIEWS, ViewState

ROLE = Qt.ItemDataRole.UserRole


class MainWindow(
    SidebarMixin, DetailPaneMixin, ImportExportMixin, TriageMixin, SearchBoxMixin, QMainWindow
):
    # Told when an operation the user started ends (tests and scripts wait on these).
    imported = Signal(object)  # the ImportReport
    import_failed = Signal(str)  # why nothing was imported ("cancelled", the error)
    exported = Signal(str)  # the file written

    def __init__(self, library: Library) -> None:
        super().__init__()
        self.library = library
        self.setWindowTitle("Readinglist")
        # What the user is looking at, as it was at the last quit; every pane
        # renders from it (see view_state.py).
        settings = QSettings()
        self.state = ViewState.from_settings(
            {k: settings.value(f"view/{k}") for k in ViewState().to_settings()}
        )
        self.search_terms: set[str] = set()
        self._search_serial = 0
        # Whether the next search answer keeps the current paper (a re-run after a
        # change) or starts on the first result (a new query).
        self._keep_current = True
        self._match_count: int | None = None
        self._catching_up = 0  # papers the index is still catching up on
        self._stats: Any = None
        self.index_ready = False

        self._build_search_box()
        self._build_sidebar()
        self.model = PaperModel(library)
        self.table = PaperList(self.model)
        # A click on a header sorts through the view state, as the sort keys do.
        self.table.horizontalHeader().sectionClicked.connect(self._header_clicked)
        self.table.selectionModel().currentRowChanged.connect(self._cursor_moved)
        self.table.selectionModel().selectionChanged.connect(self._selection_edited)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._paper_menu_requested)
        right = self._build_detail_pane()
        self.setAcceptDrops(True)

        self.splitter = QSplitter()
        self.splitter.addWidget(self.sidebar)
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(right)
        self.splitter.setSizes([170, 660, 450])
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 3)
        self.splitter.setStretchFactor(2, 2)
        self.sidebar.setMinimumWidth(140)
        self.detail.setMinimumWidth(280)

        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(6, 6, 6, 0)
        layout.addWidget(self.search_box)
        layout.addWidget(self.splitter)
        self.setCentralWidget(central)
        # Tab moves between these; the tag editor and note belong to the detail pane.
        self.panes = Panes(
            self,
            [
                (self.sidebar, ()),
                (self.table, ()),
                (self.detail, (self.tag_editor, self.note)),
            ],
        )
        self.help_overlay: Any = None
        self._build_menus()

        # Counts stay visible on the right; passing messages use the left of the bar.
        self.counts_label = QLabel()
        self.statusBar().addPermanentWidget(self.counts_label)

        self.enrich_worker: Any = None
        self.enrich_progress: Any = None
        self.enrich_dialog: Any = None
        self.enrich_message: Any = None
        self.export_choice: Any = None
        self.last_warning: Any = None
        # Every change runs in this worker, which owns the writable library; the
        # window's own `library` only reads.
        self.ops = Ops(library.folder, library.origin)
        self.ops.changed.connect(self.apply_changes)
        self.ops.failed.connect(self.warn)
        self.worker = SearchWorker(library.folder)
        self.worker.finished_search.connect(self._search_done)
        self.worker.found_similar.connect(self._similar_found)
        self.worker.index_status.connect(self._index_status)
        # Started once the window is on screen: checking a large index holds the
        # interpreter for a while and would delay the first paint (4.6 s -> ~1 s
        # measured at 100,000 papers). The index check itself then holds the
        # interpreter ~2.5 s at that size (see bench/results/gui.json).
        self._start_worker = QTimer(self)
        self._start_worker.setSingleShot(True)
        self._start_worker.setInterval(400)
        self._start_worker.timeout.connect(self.worker.start)
        self._start_worker.start()

        self._restore_settings()
        if not self.refresh_sidebar():
            self.state.choose_view("view", "inbox", VIEWS[0][2])  # the saved view is gone
            self.refresh_sidebar()
        self.search_box.blockSignals(True)
        self.search_box.setText(self.state.search)
        self.search_box.blockSignals(False)
        self._show_sort()
        self._load_view()
        self.table.setFocus()

        # The CLI (or another program) may change the library while the window is
        # open: notice within a couple of seconds and show it.
        _, self._outside_mark = library.changed_outside(None)
        self._watch = QTimer(self)
        self._watch.setInterval(1500)
        self._watch.timeout.connect(self._check_outside_changes)
        self._watch.start()

    # --- menus ------------------------------------------------------------------

    def _build_menus(self) -> None:
        overrides = self._keymap()
        self.key_actions = bind(
            self,
            [self.table, self.detail],
            overrides=overrides,
            handlers=self.action_handlers(),
        )
        self.menus = fill_menus(self.menuBar(), self.key_actions, overrides)

    # --- sidebar and views ------------------------------------------------------------

    def reload(self) -> None:
        """Re-read the view (or search); the current paper stays current."""
        self._load_view()

    def _load_view(self, keep: bool = True) -> None:
        if self.state.search:
            self._search_serial += 1
            self._keep_current = keep
            self.worker.ask(self._search_serial, self.state.search)
            return
        self.search_terms = set()
        self._match_count = None
        self._catching_up = 0
        self._render(self.library.ids(**self.state.filters), keep)

    def _render(self, ids: list[int], keep: bool = True) -> None:
        """Show these papers (in view order, then the state's sort) with the cursor,
        the highlight and the detail pane on the state's current paper."""
        sort = self.state.sort
        ordered = self.library.sorted_ids(ids, sort.key, sort.descending) if sort else ids
        self.state.show(ordered, keep)
        self.table.show_ids(self.state.ids)
        self._place_cursor()
        self._show_detail()
        self._update_status()

    def _place_cursor(self) -> None:
        self.table.place_cursor(self.state.current, self.state.picked)

    def _cursor_moved(self, *_: Any) -> None:
        """The user moved the cursor (mouse, Page Down): the state follows."""
        if self.table.rendering:
            return
        paper = self.model.paper(self.table.currentIndex().row())
        self.state.current = paper.id if paper is not None else None
        self._show_detail()

    def _selection_edited(self, *_: Any) -> None:
        """Rows the user selected with the mouse (or Shift) are picks, so that a
        re-render after a change keeps them."""
        if self.table.rendering:
            return
        rows = self.table.selectionModel().selectedRows()
        self.state.picked = {self.model.ids[i.row()] for i in rows} if len(rows) > 1 else set()

    def _select_row(self, row: int) -> None:
        """Make the paper at ``row`` (clamped to the list) current; picks are dropped."""
        self.state.picked = set()
        self._go_to(row)

    def _go_to(self, row: int) -> None:
        self._keep_current = True  # the user chose this paper: answers keep it
        if self.model.ids:
            self.state.current = self.model.ids[min(max(0, row), len(self.model.ids) - 1)]
        self._place_cursor()
        self._show_detail()

    # --- sorting ------------------------------------------------------------------------

    def sort_by(self, column: str) -> None:
        """Sort the list by a column (again: reversed); the current paper stays current."""
        sort = self.state.sort_by(column)
        QSettings().setValue("view/sort", sort.to_text())
        self._show_sort()
        self._render(self.state.ids)

    def _header_clicked(self, column: int) -> None:
        if column in SORT_OF_COLUMN:
            self.sort_by(SORT_OF_COLUMN[column])
        else:
            self._show_sort()  # Qt moved the arrow to a column that does not sort

    def _show_sort(self) -> None:
        header = self.table.horizontalHeader()
        sort = self.state.sort
        if sort is None:
            header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        else:
            order = Qt.SortOrder.DescendingOrder if sort.descending else Qt.SortOrder.AscendingOrder
            header.setSortIndicator(SORTS[sort.column][0], order)

    # --- changes --------------------------------------------------------------------------

    def apply_changes(self, changes: Changes) -> None:
        """The one place the window reacts to a change of the library (its own, an
        undo, an import, another process's): each pane refreshes what it concerns."""
        self.model.refresh_rows(changes.paper_ids or None)
        if changes.tags:
            self.table.find_empty_columns()  # the Tags column shows once a paper has one
        if changes.tags or changes.counts or changes.saved_searches:
            if not self.refresh_sidebar():
                self.go_view("all")  # the tag or saved search shown is gone
                return
        if changes.counts:
            self._load_view()  # which papers the view holds may have changed
        # A search's new answer comes later, from the worker: the pane shows the
        # change now. Not after a note: the user is typing it there.
        if (
            (not changes.counts or self.state.search)
            and changes.kind is not ChangeKind.NOTE
            and (not changes.paper_ids or self.state.current in changes.paper_ids)
        ):
            self._show_detail()
        self._update_status()

    # --- detail pane ---------------------------------------------------------------------

    def selected_papers(self) -> list[Any]:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        if not rows and self.table.currentIndex().isValid():
            rows = [self.table.currentIndex().row()]
        return [p for p in (self.model.paper(r) for r in rows) if p is not None]

    def current_paper(self) -> Any:
        """The paper the view state holds current (the highlighted one)."""
        if self.state.current is None:
            return None
        return self.model.paper(self.model.row_of(self.state.current))

    # --- actions ----------------------------------------------------------------------------

    def warn(self, text: str) -> None:
        """A warning dialog whose text is never read as HTML: file names, titles and
        error messages can contain markup (QMessageBox guesses rich text otherwise)."""
        box = QMessageBox(QMessageBox.Icon.Warning, "Readinglist", text, parent=self)
        box.setTextFormat(Qt.TextFormat.PlainText)
        self.last_warning = box
        box.exec()

    def run_op(self, op: Any, name: str = "", on_done: Any = None) -> None:
        """Run a change in the operations worker. The panes follow its Changes
        (ops.changed -> apply_changes); the status bar says what it did."""

        def done(result: Any) -> None:
            changes = changes_of(result)
            if changes is not None and changes.description:
                text = changes.description
                self.statusBar().showMessage(text[:1].upper() + text[1:], 4000)
            if on_done is not None:
                on_done(result)

        self.ops.run(op, done, lambda exc: self.warn(str(exc)), name)

    def _act(self, method: str, *args: Any) -> None:
        """Run the Library method ``method(*args)`` as an operation."""
        self.run_op(lambda lib: getattr(lib, method)(*args), method)

    def _keymap(self) -> dict[str, list[str]]:
        """The user's key overrides (setting "keymap"); unknown ids are ignored."""
        try:
            keymap = self.library.setting("keymap")
        except Exception:
            return {}
        known = {a.id for a in ACTIONS}
        if not isinstance(keymap, dict):
            return {}
        return {
            k: [str(x) for x in v] for k, v in keymap.items() if k in known and isinstance(v, list)
        }

    def focusNextPrevChild(self, next: bool) -> bool:
        # Tab that a child did not take as a shortcut (the note keeps it from
        # shortcuts, as editors do) moves between the panes too, not along Qt's chain.
        self.panes.move(1 if next else -1)
        return True

    def keyPressEvent(self, event: Any) -> None:
        # Esc leaves focus mode, the search box, tag editor or note: back to the list.
        if event.key() == Qt.Key.Key_Escape and self.focus_mode:
            self.toggle_focus_mode()
            return
        if event.key() == Qt.Key.Key_Escape:
            if self.search_box.hasFocus() and self.search_box.text():
                self.search_box.clear()
            self._save_note()
            self.table.setFocus()
            return
        super().keyPressEvent(event)

    # --- tags, outside changes, drag and drop ------------------------------------------

    def _check_outside_changes(self) -> None:
        """Another process (the CLI, a script) wrote: show it. The app's own
        commits (the operations worker's, the search thread's) never count."""
        try:
            changed, self._outside_mark = self.library.changed_outside(self._outside_mark)
        except Exception:
            return  # a busy or vanished file: the next poll sees it
        if changed:
            self.apply_changes(Changes.outside())

    # --- status, help, settings --------------------------------------------------------

    def _update_status(self, notice: str = "") -> None:
        stats = self._stats or self.library.stats()
        text = f"{n_papers(stats.total)} · {stats.by_status['unread']:,} unread"
        if self._match_count is not None:
            n = self._match_count
            # A search looks through the whole library, whichever view is shown.
            text += f" · {n:,} {'match' if n == 1 else 'matches'} in all papers"
        if self._catching_up:
            text += f" · indexing {n_papers(self._catching_up)}…"
        self.counts_label.setText(text)
        if notice:
            self.statusBar().showMessage(notice, 10000)

    def _restore_settings(self) -> None:
        settings = QSettings()
        geometry = settings.value("window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            self.resize(1280, 800)
        state = settings.value("window/splitter")
        if state is not None:
            self.splitter.restoreState(state)
        header = settings.value("window/table_header")
        if header is not None:
            # Column widths; the sort arrow is the view state's (set after this).
            self.table.horizontalHeader().restoreState(header)

    def closeEvent(self, event: Any) -> None:
        self._save_note()
        for timer in (self._watch, self._debounce, self._note_timer, self._start_worker):
            timer.stop()
        settings = QSettings()
        settings.setValue("window/geometry", self.saveGeometry())
        settings.setValue("window/splitter", self.splitter.saveState())
        settings.setValue("window/table_header", self.table.horizontalHeader().saveState())
        for name, value in self.state.to_settings().items():
            settings.setValue(f"view/{name}", value)
        self.ops.stop()
        self.worker.stop()
        if self.enrich_worker is not None:
            self.enrich_worker.cancel()
            self.enrich_worker.wait(35000)
        super().closeEvent(event)


def app_quit() -> None:
    QApplication.quit()
