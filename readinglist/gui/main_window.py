"""The three-pane window: sidebar of views, paper table, detail pane; search on top."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QItemSelection,
    QItemSelectionModel,
    QSettings,
    QStringListModel,
    Qt,
    QTimer,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QCompleter,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QPlainTextEdit,
    QSplitter,
    QTableView,
    QTextBrowser,
    QTreeWidget,
    QVBoxLayout,
    QWidget,
)

from readinglist.core.errors import UserError
from readinglist.core.library import Library
from readinglist.core.models import ChangeKind, Changes
from readinglist.gui.actions import ACTIONS, Panes, bind, fill_menus
from readinglist.gui.detail_pane import DetailPaneMixin
from readinglist.gui.import_export import ImportExportMixin
from readinglist.gui.paper_model import PaperModel
from readinglist.gui.search_box import SearchBoxMixin
from readinglist.gui.search_worker import SearchWorker
from readinglist.gui.sidebar import SidebarMixin
from readinglist.gui.triage_keys import TriageMixin
from readinglist.gui.view_state import SORT_OF_COLUMN, SORTS, VIEWS, ViewState

ROLE = Qt.ItemDataRole.UserRole


class PaperTable(QTableView):
    """The paper list. Letters are triage keys here, so Qt's type-to-find (jump to
    the row starting with the letter) is off: a key that reaches the list while its
    shortcut cannot fire (seen in a window that was not yet active) must not move
    the selection to some other paper."""

    def keyboardSearch(self, search: str) -> None:
        pass


class MainWindow(
    SidebarMixin, DetailPaneMixin, ImportExportMixin, TriageMixin, SearchBoxMixin, QMainWindow
):
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
        self._rendering = False  # the window moves the cursor, not the user
        self._match_count: int | None = None
        self._catching_up = 0  # papers the index is still catching up on
        self._stats: Any = None
        self.index_ready = False

        self.search_box = QLineEdit()
        self.search_box.setPlaceholderText(
            'Search  (words, "phrase", OR, -not, prefix*, typo~, by:author, tag:x, is:unread)  /'
        )
        self.search_box.setClearButtonEnabled(True)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        # Short enough that results follow typing (target: under 150 ms at 100k papers).
        self._debounce.setInterval(60)
        self._debounce.timeout.connect(self._run_search)
        self.search_box.textChanged.connect(lambda _t: self._debounce.start())

        self.sidebar = QTreeWidget()
        self.sidebar.setHeaderHidden(True)
        self.sidebar.itemSelectionChanged.connect(self._view_chosen)
        self.sidebar.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.sidebar.customContextMenuRequested.connect(self._sidebar_menu)

        self._recent = QStringListModel(
            [str(q) for q in (QSettings().value("search/recent") or [])][:15]
        )
        recent = QCompleter(self._recent, self)
        recent.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.search_box.setCompleter(recent)
        self.search_box.returnPressed.connect(self._search_entered)
        self.setAcceptDrops(True)

        self.model = PaperModel(library)
        self.table = PaperTable()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        header = self.table.horizontalHeader()
        # Qt's own sorting is off: it reorders rows under the cursor behind the view
        # state's back. A click sorts through the state, as the sort keys do.
        header.setSectionsClickable(True)
        header.setSortIndicatorShown(True)
        header.sectionClicked.connect(self._header_clicked)
        self.table.verticalHeader().hide()
        rows = self.table.verticalHeader()
        rows.setDefaultSectionSize(self.fontMetrics().height() + 8)
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setShowGrid(False)
        header.setStretchLastSection(False)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        for col, width in ((0, 26), (1, 24), (3, 140), (4, 44), (5, 90), (6, 84)):
            self.table.setColumnWidth(col, width)
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
        self.table.selectionModel().currentRowChanged.connect(self._cursor_moved)
        self.table.selectionModel().selectionChanged.connect(self._selection_edited)

        self.detail = QTextBrowser()
        self.detail.setOpenLinks(False)
        self.detail.anchorClicked.connect(self._open_link)
        self.note = QPlainTextEdit()
        self.note.setPlaceholderText("Notes (Markdown), saved as you type")
        # The note is part of the detail pane: Tab moves on to the next pane (the
        # editor keeps Tab from the shortcut; see focusNextPrevChild).
        self.note.setTabChangesFocus(True)
        self._note_timer = QTimer(self)
        self._note_timer.setSingleShot(True)
        self._note_timer.setInterval(600)
        self._note_timer.timeout.connect(self._save_note)
        self.note.textChanged.connect(self._note_edited)
        self._note_paper: int | None = None
        self._loading_note = False
        self._note_dirty = False

        self.tag_editor = QLineEdit()
        self.tag_editor.setPlaceholderText("Add a tag (Enter; -name removes it)")
        self._tag_names = QStringListModel()
        completer = QCompleter(self._tag_names, self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.tag_editor.setCompleter(completer)
        self.tag_editor.returnPressed.connect(self._tag_entered)
        notes_box = QWidget()
        notes_layout = QVBoxLayout(notes_box)
        notes_layout.setContentsMargins(0, 0, 0, 0)
        tag_row = QHBoxLayout()
        tag_row.addWidget(QLabel("Tags:"))
        tag_row.addWidget(self.tag_editor)
        notes_layout.addLayout(tag_row)
        notes_layout.addWidget(self.note)

        right = QSplitter(Qt.Orientation.Vertical)
        right.addWidget(self.detail)
        right.addWidget(notes_box)
        right.setSizes([500, 140])

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
        self.last_warning: Any = None
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
        self._data_version = library.data_version()
        self._watch = QTimer(self)
        self._watch.setInterval(1500)
        self._watch.timeout.connect(self._check_outside_changes)
        self._watch.start()

    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
        # In a small window the title matters most: drop the added date, then tags.
        width = self.table.viewport().width()
        room = width - (26 + 24 + 140 + 44)  # for title, tags (90) and added (84)
        self.table.setColumnHidden(6, room - 90 - 84 < 300)
        self.table.setColumnHidden(5, room - 90 < 260)
        self.table.setColumnWidth(3, 140 if room - 90 >= 260 else 100)

    # --- menus ------------------------------------------------------------------

    def _build_menus(self) -> None:
        overrides = self._keymap()
        self.key_actions = bind(
            self,
            [self.table, self.detail],
            overrides=overrides,
            handlers={
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
            },
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
        if self.model.ids != self.state.ids:
            self._rendering = True
            try:
                self.model.set_ids(self.state.ids)
            finally:
                self._rendering = False
        self._place_cursor()
        self._show_detail()
        self._update_status()

    def _place_cursor(self) -> None:
        """Put the table's cursor and highlight where the state says, scrolled into sight."""
        selection = self.table.selectionModel()
        flags = QItemSelectionModel.SelectionFlag
        row = self.model.row_of(self.state.current) if self.state.current is not None else -1
        self._rendering = True
        try:
            if row < 0:
                selection.clear()
                return
            index = self.model.index(row, 2)
            if self.state.picked:
                picked = QItemSelection()
                for pid in self.state.picked:
                    r = self.model.row_of(pid)
                    picked.select(self.model.index(r, 0), self.model.index(r, 0))
                selection.select(picked, flags.ClearAndSelect | flags.Rows)
                selection.setCurrentIndex(index, flags.NoUpdate)
            else:
                # As a click does, so that the table's own selection anchor is here
                # too (a later selectRow of this row then keeps it selected).
                self.table.selectRow(row)
                selection.setCurrentIndex(index, flags.ClearAndSelect | flags.Rows)
            self.table.scrollTo(index)
        finally:
            self._rendering = False

    def _cursor_moved(self, *_: Any) -> None:
        """The user moved the cursor (mouse, Page Down): the state follows."""
        if self._rendering:
            return
        paper = self.model.paper(self.table.currentIndex().row())
        self.state.current = paper.id if paper is not None else None
        self._show_detail()

    def _selection_edited(self, *_: Any) -> None:
        """Rows the user selected with the mouse (or Shift) are picks, so that a
        re-render after a change keeps them."""
        if self._rendering:
            return
        rows = self.table.selectionModel().selectedRows()
        self.state.picked = {self.model.ids[i.row()] for i in rows} if len(rows) > 1 else set()

    def _select_row(self, row: int) -> None:
        """Make the paper at ``row`` (clamped to the list) current; picks are dropped."""
        self.state.picked = set()
        self._go_to(row)

    def _go_to(self, row: int) -> None:
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

    def _act(self, fn: Any, *args: Any) -> None:
        """Run a Library change the user asked for and show its result."""
        try:
            changes = fn(*args)
        except UserError as exc:
            self.warn(str(exc))
            return
        self.apply_changes(changes)
        if changes.description:
            self.statusBar().showMessage(
                changes.description[:1].upper() + changes.description[1:], 4000
            )

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
        try:
            version = self.library.data_version()
        except Exception:
            return
        if version == self._data_version:
            return
        self._data_version = version
        # Another process says nothing of what it changed: anything may have.
        self.apply_changes(
            Changes(ChangeKind.IMPORT, [], "", tags=True, counts=True, saved_searches=True)
        )

    # --- status, help, settings --------------------------------------------------------

    def _update_status(self, notice: str = "") -> None:
        stats = self._stats or self.library.stats()
        text = f"{stats.total:,} papers · {stats.by_status['unread']:,} unread"
        if self._match_count is not None:
            text += f" · {self._match_count:,} match"
        if self._catching_up:
            text += f" · indexing {self._catching_up:,} papers…"
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
        self.worker.stop()
        if self.enrich_worker is not None:
            self.enrich_worker.cancel()
            self.enrich_worker.wait(35000)
        super().closeEvent(event)


def app_quit() -> None:
    QApplication.quit()
