"""Hostile content in the window: markup and script in every field shows as text,
loads nothing and links nowhere; a 100,000-character title and 10,000 authors are
shown shortened, so the window stays responsive."""

from __future__ import annotations

from PySide6.QtCore import Qt

from support import import_now

EVIL_TITLE = '<img src="file:///etc/passwd"><script>alert(1)</script> Evil Title Here'
EVIL_ABSTRACT = (
    'See <a href="javascript:alert(1)">this link</a> and <style>body{display:none}</style> '
    "<iframe src=http://example.com></iframe> in an abstract long enough to be one."
)


def _bib(title: str, authors: str, abstract: str) -> str:
    return (
        f"@article{{evil,\n  title = {{{title}}},\n  author = {{{authors}}},\n"
        f"  abstract = {{{abstract}}},\n  year = {{2024}}\n}}\n"
    )


def _show(window, title_part: str) -> int:
    window.go_view("all")
    row = next(
        r for r in range(window.model.rowCount()) if title_part in window.model.paper(r).title
    )
    window._select_row(row)
    return row


def test_markup_in_every_field_is_text(window, qtbot, monkeypatch):
    text = _bib(EVIL_TITLE, "<b>Evil</b> Person and Ada <i>Lovelace</i>", EVIL_ABSTRACT)
    report = import_now(qtbot, window, text, "<b>evil</b>.bib")
    assert report.added == 1
    row = _show(window, "Evil Title")
    paper = window.current_paper()
    window.library.set_note(paper.id, "<script>note()</script>")
    window.library.tag([paper.id], add=["<u>tag</u>"])
    window.refresh_sidebar()
    window.model.refresh_rows([paper.id])
    window._show_detail()
    shown = window.detail.toPlainText()
    assert EVIL_TITLE in shown
    assert "<b>Evil</b> Person" in shown
    assert '<a href="javascript:alert(1)">this link</a>' in shown
    assert "<u>tag</u>" in shown
    rendered = window.detail.toHtml()
    for markup in ("<img", "<script", "<iframe", "<style>body", 'href="javascript', "<u>"):
        assert markup not in rendered, markup
    assert window.model.index(row, 2).data() == EVIL_TITLE  # the table: plain text
    assert window.note.toPlainText() == "<script>note()</script>"  # a plain-text editor
    tags = [window.sidebar.topLevelItem(i) for i in range(window.sidebar.topLevelItemCount())]
    labels = [t.child(j).text(0) for t in tags for j in range(t.childCount())]
    assert any(label.startswith("<u>tag</u>") for label in labels)
    # Dialogs never read paper text or file names as HTML.
    from PySide6.QtWidgets import QMessageBox

    monkeypatch.setattr(QMessageBox, "exec", lambda self: 0)
    window.warn(f"Cannot import {EVIL_TITLE}")
    assert window.last_warning.textFormat() == Qt.TextFormat.PlainText


def test_huge_title_and_ten_thousand_authors_are_shortened(window, qtbot):
    title = " ".join(f"word{i}" for i in range(16_000))  # about 110,000 characters
    assert len(title) > 100_000
    authors = " and ".join(f"Author{i} Person{i}" for i in range(10_000))
    report = import_now(
        qtbot,
        window,
        _bib(title, authors, "A normal abstract for a paper with a huge title and author list."),
        "huge.bib",
    )
    assert report.added == 1
    paper = window.library.get(report.paper_ids[0])
    assert len(paper.title) == len(title) and len(paper.authors) == 10_000  # stored whole
    row = _show(window, "word0 word1")
    shown = window.detail.toPlainText()
    assert "… and 9,950 more" in shown
    assert "shortened for display" in shown
    assert len(shown) < 10_000
    cell = window.model.index(row, 2).data()
    assert len(cell) <= 301 and cell.endswith("…")
    assert not window.grab().isNull()  # paints the whole window with it selected
