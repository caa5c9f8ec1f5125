"""Text is never markup: every place a paper's text reaches a widget (tooltips,
dialogs, the status bar, the sidebar, the detail pane, similar-paper links) shows
it as the characters stored, and nothing in it loads, links or formats."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from support import import_now, settle

pytest.importorskip("PySide6")

from PySide6.QtCore import QEvent, QTimer

# QtGui's Qt namespace: QtCore's plus mightBeRichText, the guess tooltips and labels use.
from PySide6.QtGui import QHelpEvent, Qt, QTextDocument
from PySide6.QtWidgets import QApplication, QLabel, QPlainTextEdit, QProgressDialog, QToolTip

IMG = '<img src="file:///etc/passwd">'
TITLE = f'{IMG} <b>bold</b> &amp; <a href="file:///x">x</a> Markup Title'
AUTHORS = ["<b>Bold</b> Person", f"Ada {IMG} Lovelace"]
ABSTRACT = f"An abstract with <b>bold</b>, {IMG}, &amp; and <a href='file:///x'>x</a> inside."
NOTE = "<b>bold</b> note"
TAG = "<b>bold</b>tag"
SOURCE = f"<b>src</b> {IMG}.bib"
# What the data must never become in a rendered document (Qt writes a bold <b> out
# as a styled span, so the literal "<b>bold</b>" in the plain text is the check there).
FORBIDDEN = re.compile(r"<img|<b>bold|href=\"file:", re.IGNORECASE)


def _bib(title: str = TITLE, key: str = "markup", extra: str = "") -> str:
    return (
        f"@article{{{key},\n  title = {{{title}}},\n  author = {{{' and '.join(AUTHORS)}}},\n"
        f"  abstract = {{{ABSTRACT}}},\n  year = {{2024}},\n{extra}}}\n"
    )


def shown(text: str) -> QTextDocument:
    """The document Qt draws for ``text`` in a tooltip or an AutoText QLabel: rich
    text whenever the text looks like it (Qt.mightBeRichText)."""
    doc = QTextDocument()
    if Qt.mightBeRichText(text):
        doc.setHtml(text)
    else:
        doc.setPlainText(text)
    return doc


def label_shows(label: QLabel) -> str:
    """The text a QLabel puts on screen, as the user reads it."""
    fmt = label.textFormat()
    if fmt == Qt.TextFormat.PlainText or (
        fmt == Qt.TextFormat.AutoText and not Qt.mightBeRichText(label.text())
    ):
        return label.text()
    doc = QTextDocument()
    if fmt == Qt.TextFormat.MarkdownText:
        doc.setMarkdown(label.text())
    else:
        doc.setHtml(label.text())
    return doc.toPlainText()


def assert_text(rendered: QTextDocument, literal: str) -> None:
    assert literal in rendered.toPlainText()
    assert not FORBIDDEN.search(rendered.toHtml()), rendered.toHtml()


def _import(window, qtbot, text: str = "", source: str = SOURCE):
    report = import_now(qtbot, window, text or _bib(), source)
    assert report.added == 1
    return report.paper_ids[0]


def _show(window, paper_id: int) -> int:
    window.go_view("all")
    row = window.model.row_of(paper_id)
    window._select_row(row)
    assert window.current_paper().id == paper_id
    return row


def _tooltip_of_cell(window, qtbot, row: int, col: int) -> str:
    """The tooltip the table itself shows over a cell (the real help event)."""
    view = window.table
    view.scrollTo(window.model.index(row, col))
    pos = view.visualRect(window.model.index(row, col)).center()
    event = QHelpEvent(QEvent.Type.ToolTip, pos, view.viewport().mapToGlobal(pos))
    QApplication.sendEvent(view.viewport(), event)
    qtbot.waitUntil(QToolTip.isVisible, timeout=3000)
    text = QToolTip.text()
    QToolTip.hideText()
    return text


def test_table_tooltips_show_title_and_authors_as_text(window, qtbot):
    pid = _import(window, qtbot)
    row = _show(window, pid)
    paper = window.library.get(pid)
    assert paper.title == TITLE and paper.authors == AUTHORS  # stored as given
    for col, literal in ((2, TITLE), (3, ", ".join(AUTHORS))):
        tip = window.model.index(row, col).data(Qt.ItemDataRole.ToolTipRole)
        assert_text(shown(tip), literal)
        assert_text(shown(_tooltip_of_cell(window, qtbot, row, col)), literal)


def test_table_tooltip_of_a_huge_title_is_shortened(window, qtbot):
    pid = _import(window, qtbot, _bib(" ".join(f"word{i}" for i in range(16_000))), "huge.bib")
    row = _show(window, pid)
    tip = window.model.index(row, 2).data(Qt.ItemDataRole.ToolTipRole)
    assert len(shown(tip).toPlainText()) < 5_000


def test_table_cells_are_plain_text(window, qtbot):
    title = "Cats & Dogs < Birds &amp; <b>more</b> of them"
    pid = _import(window, qtbot, _bib(title), "cats.bib")
    row = _show(window, pid)
    assert window.model.index(row, 2).data() == title
    assert window.model.index(row, 3).data() == ", ".join(AUTHORS)


def test_detail_pane_shows_every_field_as_text_and_links_only_to_the_web(window, qtbot):
    extra = (
        "  url = {file:///etc/passwd},\n"
        '  doi = {10.1000/<b>bold</b>"x},\n'
        "  note = {<b>bold</b> comment},\n"
    )
    pid = _import(window, qtbot, _bib(extra=extra))
    window.library.set_note(pid, NOTE)
    window.library.tag([pid], add=[TAG])
    window.model.refresh_rows([pid])
    _show(window, pid)
    window._show_detail()
    text = window.detail.toPlainText()
    # The abstract as stored (the BibTeX reader cleans some of it; that is not the GUI's).
    for literal in (TITLE, AUTHORS[0], AUTHORS[1], window.library.get(pid).abstract, TAG):
        assert literal in text, literal
    rendered = window.detail.toHtml()
    assert not re.search(r"<img[^>]*file:", rendered)
    assert not FORBIDDEN.search(rendered), rendered
    for href in re.findall(r'href="([^"]*)"', rendered):
        assert href.startswith(("https://", "http://", "paper:")), href
    # The DOI is a path of the doi.org link, percent-encoded (the file: url was dropped).
    assert 'href="https://doi.org/10.1000/%3Cb%3Ebold%3C/b%3E%22x"' in rendered
    assert window.note.toPlainText() == NOTE  # the note editor is plain text


def test_highlight_marks_in_paper_text_highlight_nothing(window, qtbot):
    # The private-use characters the search uses to mark matches, here in the data.
    title = "Marked \ue000 title \ue001 of a paper"
    pid = _import(window, qtbot, _bib(title, key="marks"), "marks.bib")
    _show(window, pid)
    assert "Marked title of a paper" in window.detail.toPlainText()
    assert "#ffe58a" not in window.detail.toHtml()  # no search, so no highlight


def test_similar_paper_links_show_titles_as_text(window, qtbot):
    first = _import(window, qtbot)
    second = _import(window, qtbot, _bib(TITLE + " again", key="again"), "again.bib")
    _show(window, first)
    # The first answer may predate the second import's indexing; a later one lists it.
    qtbot.waitUntil(lambda: TITLE + " again" in window.detail.toPlainText(), timeout=10000)
    rendered = window.detail.toHtml()
    assert f'href="paper:{second}"' in rendered
    assert not FORBIDDEN.search(rendered), rendered
    for href in re.findall(r'href="([^"]*)"', rendered):
        assert href.startswith(("https://", "http://", "paper:")), href


def test_latex_in_the_detail_pane_and_its_similar_papers_reads_as_text(window, qtbot):
    """Issue 17: $\\texttt{MemoryRewardBench}$ in monospace, ε for $\\varepsilon$,
    and the similar papers' titles through the same LaTeX reading."""
    title = r"$\texttt{MemoryRewardBench}$ at $O(\varepsilon^{-3/4})$ cost"
    first = _import(window, qtbot, _bib(title, key="mono"), "mono.bib")
    _import(window, qtbot, _bib(title + " again", key="mono2"), "mono2.bib")
    _show(window, first)
    qtbot.waitUntil(lambda: "cost again" in window.detail.toPlainText(), timeout=10000)
    text = window.detail.toPlainText()
    assert "MemoryRewardBench at O(ε⁻³ᐟ⁴) cost" in text
    assert "MemoryRewardBench at O(ε⁻³ᐟ⁴) cost again" in text  # the similar paper's link
    assert "texttt" not in text and "varepsilon" not in text
    rendered = window.detail.toHtml()
    assert re.search(r"font-family:[^>]*monospace[^>]*>MemoryRewardBench<", rendered), rendered


def _sidebar_children(window) -> dict[str, list]:
    groups = {}
    for i in range(window.sidebar.topLevelItemCount()):
        top = window.sidebar.topLevelItem(i)
        groups[top.text(0)] = [top.child(j) for j in range(top.childCount())]
    return groups


def test_sidebar_shows_tag_saved_search_and_import_names_as_text(window, qtbot):
    pid = _import(window, qtbot)
    window.library.tag([pid], add=[TAG])
    window.library.save_search("<b>bold</b> search", "bold")
    window.refresh_sidebar()
    groups = _sidebar_children(window)
    (tag,) = [c for c in groups["Tags"] if c.text(0).startswith(TAG)]
    (saved,) = groups["Saved searches"]
    (batch,) = [c for c in groups["Imports"] if SOURCE in c.text(0)]
    assert saved.text(0) == "<b>bold</b> search"
    for item, literal in ((tag, TAG), (saved, "<b>bold</b> search"), (batch, SOURCE)):
        assert_text(shown(item.toolTip(0)), literal)
    # An import's tooltip says where it came from and when, with what it did.
    created = dt.datetime.fromisoformat(window.library.batches()[0]["created_at"])
    tip = shown(batch.toolTip(0)).toPlainText()
    assert tip.startswith(SOURCE + "\n")
    assert f"Imported {created.astimezone():%Y-%m-%d %H:%M} (bibtex): 1 added" in tip


# The offscreen platform cannot grab the keyboard for the context menu's popup.
@pytest.mark.qt_log_ignore("^This plugin does not support grabbing the keyboard", extend=True)
def test_rename_tag_dialog_shows_the_name_as_text(window, qtbot):
    from PySide6.QtWidgets import QInputDialog, QMenu

    pid = _import(window, qtbot)
    window.library.tag([pid], add=[TAG])
    window.refresh_sidebar()
    (item,) = [c for c in _sidebar_children(window)["Tags"] if c.text(0).startswith(TAG)]
    window.sidebar.scrollToItem(item)
    pos = window.sidebar.visualItemRect(item).center()
    seen = []

    def look(new_name: str | None) -> None:
        # The context menu first (choose "Rename or merge…"), then the dialog it opens.
        popup = QApplication.activePopupWidget()
        dialog = QApplication.activeModalWidget()
        if isinstance(popup, QMenu):
            popup.setActiveAction(popup.actions()[0])
            qtbot.keyClick(popup, Qt.Key.Key_Return)
        elif isinstance(dialog, QInputDialog):
            seen.extend(label_shows(label) for label in dialog.findChildren(QLabel))
            if new_name is None:
                dialog.reject()
            else:
                dialog.setTextValue(new_name)
                dialog.accept()
            return
        QTimer.singleShot(20, lambda: look(new_name))

    QTimer.singleShot(0, lambda: look(None))
    window._sidebar_menu(pos)
    settle(qtbot, window)
    assert any(TAG in text for text in seen), seen
    assert TAG in dict(window.library.tags())  # cancelled: the tag is as it was
    QTimer.singleShot(0, lambda: look("<i>renamed</i>"))
    window._sidebar_menu(pos)
    settle(qtbot, window)
    assert "<i>renamed</i>" in dict(window.library.tags())


def test_import_preview_shows_the_source_name_as_text(window, qtbot):
    from readinglist.gui.import_export import ImportPreview

    seen = []

    def look() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, ImportPreview):
            QTimer.singleShot(20, look)
            return
        seen.extend(label_shows(label) for label in dialog.findChildren(QLabel))
        seen.extend(edit.toPlainText() for edit in dialog.findChildren(QPlainTextEdit))
        dialog.reject()

    QTimer.singleShot(0, look)
    with qtbot.waitSignal(window.import_failed, timeout=20000) as failed:
        window.import_text(_bib(), SOURCE)
    assert failed.args == ["cancelled in the preview"]
    settle(qtbot, window)
    assert window.library.count() == 50  # nothing was written
    assert any(text.startswith(f"{SOURCE}: 1 new") for text in seen), seen
    qtbot.waitUntil(lambda: not window.findChildren(ImportPreview))  # not kept hidden


def test_import_progress_shows_the_source_name_as_text(window, qtbot, monkeypatch):
    from readinglist.gui import import_export

    monkeypatch.setattr(import_export, "PROGRESS_ABOVE", 0)  # a progress dialog for one paper
    before = len(window.findChildren(QProgressDialog))
    seen = []

    def look(job, done: int, total: int) -> None:
        # The worker's progress reaches the dialog through ops.progressed.
        for dialog in window.findChildren(QProgressDialog):
            if dialog.isVisible():
                seen.extend(label_shows(label) for label in dialog.findChildren(QLabel))

    window.ops.progressed.connect(look)
    _import(window, qtbot)
    window.ops.progressed.disconnect(look)
    assert f"Importing {SOURCE}…" in seen, seen
    # The dialog is gone once the import is done (not kept as a hidden child).
    qtbot.waitUntil(lambda: len(window.findChildren(QProgressDialog)) == before)


def test_status_bar_shows_import_and_tag_messages_as_text(window, qtbot):
    pid = _import(window, qtbot)
    assert window.statusBar().currentMessage().startswith(f"Imported {SOURCE}: 1 added")
    _show(window, pid)
    window.tag_editor.setText(TAG)
    window._tag_entered()
    settle(qtbot, window)
    assert TAG in window.statusBar().currentMessage()
    assert TAG in dict(window.library.tags())


def test_enrichment_report_and_failure_show_titles_and_reasons_as_text(window, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    from readinglist.core.models import EnrichReport
    from readinglist.gui.enrich import EnrichReportDialog

    report = EnrichReport(
        changed=[(1, TITLE, ["authors"])],
        unchanged=[(2, TITLE)],
        left_alone=[(3, TITLE, "<b>bold</b> reason")],
    )
    dialog = EnrichReportDialog(window, report)
    texts = [label_shows(label) for label in dialog.findChildren(QLabel)]
    assert any(report.summary() in t for t in texts)
    assert TITLE in dialog.details.toPlainText()
    assert "<b>bold</b> reason" in dialog.details.toPlainText()
    dialog.close()
    monkeypatch.setattr(QMessageBox, "show", lambda self: None)
    window._enrich_failed(f"no answer for {TITLE}")
    assert TITLE in label_shows(window.enrich_message.findChild(QLabel, "qt_msgbox_label"))
    assert TITLE in window.statusBar().currentMessage()


def test_tooltip_helper_round_trips_any_text():
    from readinglist.gui.paper_model import plain_tooltip

    for text in (TITLE, "a\nb  c", "&amp;", "<", "", "plain words"):
        assert shown(plain_tooltip(text)).toPlainText() == text
