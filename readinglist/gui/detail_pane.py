"""The detail pane: the paper on screen with highlights, similar papers,
links, its note and its tags."""

from __future__ import annotations

import html
from urllib.parse import quote

from PySide6.QtCore import QStringListModel, Qt, QTimer, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QCompleter,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from readinglist.core.errors import UserError
from readinglist.core.latex import MONO_END, MONO_START
from readinglist.core.models import MARK_END, MARK_START
from readinglist.core.text import revision_label
from readinglist.gui.paper_model import readable_text, shorten

ROLE = Qt.ItemDataRole.UserRole
MAX_TITLE = 2_000  # characters shown in the detail pane
MAX_AUTHORS = 50
MAX_ABSTRACT = 50_000


class DetailPaneMixin:
    """The window's detail pane, note and tag editor (mixed into MainWindow)."""

    def _build_detail_pane(self) -> QSplitter:
        """The paper on screen above, its tags and note below."""
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
        return right

    def _marked_html(self, text: str) -> str:
        """Paper text as HTML: always escaped (a title is never markup), with LaTeX
        made readable and the search's matches highlighted."""
        # The marks stand for highlight markup below: in the paper's own text they
        # would open a highlight the data chose, so they are dropped first.
        readable = readable_text(text, mono=True).replace(MARK_START, "").replace(MARK_END, "")
        if self.search_terms:
            readable = self.library.highlight(readable, self.search_terms)
        escaped = html.escape(readable)
        for mark, tag in (
            (MARK_START, '<span style="background:#ffe58a;color:#000">'),
            (MARK_END, "</span>"),
            (MONO_START, "<code>"),  # \texttt{MemoryRewardBench}: monospace
            (MONO_END, "</code>"),
        ):
            escaped = escaped.replace(mark, tag)
        return escaped

    def empty_text(self) -> str:
        """What the detail pane says when there is no paper: what to do next."""
        if not self.library.count():
            paste = self.key_actions["file.paste"].shortcut().toString()
            open_file = self.key_actions["file.import"].shortcut().toString()
            return (
                f"Your library is empty. Paste a listing with {paste} "
                f"or import a file with {open_file}."
            )
        if self.state.search:
            return f"No matches for “{self.state.search}”."
        if self.state.kind == "view" and self.state.key == "inbox":
            return "Inbox zero: every paper has been read, queued or dismissed."
        if self.model.ids:
            return "No paper selected."
        return "No papers here."

    def _show_detail(self) -> None:
        self._save_note()
        paper = self.current_paper()
        if paper is None:
            self.detail.setHtml(f"<p style='color:gray'>{html.escape(self.empty_text())}</p>")
            self._loading_note = True
            self.note.setPlainText("")
            self.note.setEnabled(False)
            self._loading_note = False
            self._note_paper = None
            return
        # Shown, not stored, shorter: a 100,000-character title or 10,000 authors
        # would make every repaint of the pane slow.
        parts = [f"<h2>{self._marked_html(shorten(paper.title, MAX_TITLE))}</h2>"]
        if paper.authors:
            shown = ", ".join(paper.authors[:MAX_AUTHORS])
            more = len(paper.authors) - MAX_AUTHORS
            if more > 0:
                shown += f" … and {more:,} more"
            parts.append(f"<p><i>{html.escape(shown)}</i></p>")
        facts = [paper.status.value]
        if paper.year:
            facts.append(str(paper.year))
        # Links are built here, to arxiv.org and doi.org only; the id is a path in them,
        # percent-encoded, so no character of it can end the path or the attribute.
        if paper.arxiv_id:
            url = f"https://arxiv.org/abs/{quote(paper.arxiv_id, safe='/.')}"
            facts.append(f'<a href="{html.escape(url)}">arXiv:{html.escape(paper.arxiv_id)}</a>')
        if paper.doi:
            url = f"https://doi.org/{quote(paper.doi, safe='/.:;()-_')}"
            facts.append(f'<a href="{html.escape(url)}">doi:{html.escape(paper.doi)}</a>')
        if revised := revision_label(paper.extra.get("revised")):
            facts.append(html.escape(revised))
        if paper.citekey:
            facts.append(f"<code>{html.escape(paper.citekey)}</code>")
        parts.append("<p>" + " · ".join(facts) + "</p>")
        if paper.tags:
            chips = " ".join(
                f'<span style="background:palette(midlight);padding:2px">'
                f"&nbsp;{html.escape(t)}&nbsp;</span>"
                for t in paper.tags
            )
            parts.append(f"<p>{chips}</p>")
        if paper.abstract:
            parts.append(f"<p>{self._marked_html(shorten(paper.abstract, MAX_ABSTRACT))}</p>")
        links = [u for u in paper.links if u.startswith(("http://", "https://"))]
        if links:
            parts.append(
                "<p>"
                + "<br>".join(f'<a href="{html.escape(u)}">{html.escape(u)}</a>' for u in links)
                + "</p>"
            )
        if paper.comments:
            parts.append(f"<p style='color:gray'>{html.escape(paper.comments)}</p>")
        self._detail_parts = parts
        self._detail_paper = paper.id
        self.worker.ask_similar(paper.id)
        self.detail.setHtml("".join(parts))
        self._loading_note = True
        self.note.setEnabled(True)
        self.note.setPlainText(paper.note)
        self._loading_note = False
        self._note_dirty = False
        self._note_paper = paper.id

    def _similar_found(self, paper_id: int, items: list) -> None:
        if paper_id != getattr(self, "_detail_paper", None) or not items:
            return
        similar = (
            "<h4>Similar papers</h4><ul>"
            + "".join(
                f'<li><a href="paper:{pid}">'
                f"{html.escape(shorten(readable_text(title), 300))}</a></li>"
                for pid, title in items
            )
            + "</ul>"
        )
        bar = self.detail.verticalScrollBar().value()
        self.detail.setHtml("".join(self._detail_parts) + similar)
        self.detail.verticalScrollBar().setValue(bar)

    def _open_link(self, url: QUrl) -> None:
        if url.scheme() == "paper":
            pid = int(url.path() or url.toString().split(":", 1)[1])
            row = self.model.row_of(pid)
            if row < 0:
                self.sidebar.setCurrentItem(self.sidebar.topLevelItem(5))  # All
                row = self.model.row_of(pid)
            self._select_row(row)
            return
        if url.scheme() in ("http", "https"):
            QDesktopServices.openUrl(url)

    def _note_edited(self) -> None:
        if not self._loading_note:
            self._note_dirty = True
            self._note_timer.start()

    def _save_note(self) -> None:
        self._note_timer.stop()
        # Only text the user typed since the note was shown is saved: after an undo
        # or a change from the CLI the editor's old text must not be written back.
        if self._note_paper is None or self._loading_note or not self._note_dirty:
            return
        self._note_dirty = False
        text = self.note.toPlainText()
        pid = self._note_paper
        try:
            if self.library.get(pid).note == text:
                return
        except UserError as exc:  # the paper was deleted meanwhile
            self.statusBar().showMessage(str(exc), 5000)
            return
        self.ops.run(
            lambda lib: lib.set_note(pid, text),
            on_fail=lambda exc: self.statusBar().showMessage(str(exc), 5000),
            name="save the note",
        )

    def _start_untag(self) -> None:
        self.tag_editor.setText("-")
        self.tag_editor.setFocus()
        self.tag_editor.end(False)

    def _tag_entered(self) -> None:
        text = self.tag_editor.text().strip()
        papers = self.selected_papers()
        if not text or not papers:
            return
        ids = [p.id for p in papers]
        if text.startswith("-"):
            self._act("tag", ids, (), [text[1:]])
        else:
            self._act("tag", ids, [text], ())
        self.tag_editor.clear()
