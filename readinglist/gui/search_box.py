"""The search box: queries off the interface thread, their answers, and the
index's state as the worker reports it (mixed into MainWindow)."""

from __future__ import annotations

from PySide6.QtCore import QSettings, QStringListModel, Qt, QTimer
from PySide6.QtWidgets import QCompleter, QLineEdit

ROLE = Qt.ItemDataRole.UserRole


class SearchBoxMixin:
    """The window's search box and its results (mixed into MainWindow)."""

    def _build_search_box(self) -> None:
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

        self._recent = QStringListModel(
            [str(q) for q in (QSettings().value("search/recent") or [])][:15]
        )
        recent = QCompleter(self._recent, self)
        recent.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.search_box.setCompleter(recent)
        self.search_box.returnPressed.connect(self._search_entered)

    def focus_search(self) -> None:
        self.search_box.setFocus()
        self.search_box.selectAll()

    def _run_search(self) -> None:
        text = self.search_box.text().strip()
        # The same query again (the index got ready) keeps the paper; a new one
        # starts on its best match; clearing the query goes back to the view.
        # A re-run while a new query's first answer is awaited starts on its best
        # match too.
        keep = (text == self.state.search and self._keep_current) or not text
        self.state.search = text
        self._load_view(keep)

    def _search_done(
        self, serial: int, ids: list, total: int, notice: str, terms: set, behind: int
    ) -> None:
        if serial != self._search_serial:
            return  # a newer query was typed: this answer is stale
        self.search_terms = terms
        self._match_count = total
        self._catching_up = behind
        self._render(ids, keep=self._keep_current)
        # The answer once the index has caught up keeps the paper the user moved
        # to; until they move, a new query's best match stays first and current.
        self._keep_current = not behind or self._keep_current
        if behind:
            notice = f"Indexing {behind:,} papers… showing the matches found so far"
        if notice:
            self.statusBar().showMessage(notice, 10000)

    def _index_status(self, text: str) -> None:
        self.index_ready = text == "ready" or not text.startswith(("Building", "Search is"))
        if text != "ready":
            self.statusBar().showMessage(text, 8000)
        if self.search_box.text().strip():
            self._run_search()

    def _search_entered(self) -> None:
        """Return in the search box: search now (no debounce wait) and move to the
        results, so the triage keys act on them at once; the query stays."""
        if self._debounce.isActive():
            self._debounce.stop()
            self._run_search()
        self._remember_query()
        self.table.setFocus()

    def _remember_query(self) -> None:
        text = self.search_box.text().strip()
        if not text:
            return
        queries = [q for q in self._recent.stringList() if q != text]
        queries.insert(0, text)
        self._recent.setStringList(queries[:15])
        QSettings().setValue("search/recent", queries[:15])
