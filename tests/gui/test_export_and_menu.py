"""Export says what it writes; the papers' context menu; the title gets the room
of columns no paper fills."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication

from support import FIXTURES, corpus, import_now, settle


@pytest.fixture
def save_to(monkeypatch, tmp_path):
    """The file dialog answers with this path (it is the platform's dialog, not ours)
    and the first file type it offers (BibTeX)."""
    from readinglist.gui import import_export

    out = tmp_path / "out.bib"
    asked: list[str] = []

    def answer(parent, caption, start, filters, *rest):
        asked.append(caption)
        return str(out), filters.split(";;")[0]

    monkeypatch.setattr(import_export.QFileDialog, "getSaveFileName", answer)
    return out, asked


def _export_with_ctrl_e(window, qtbot, click: str | None) -> list[str]:
    """Ctrl+E; when the scope question comes, read it and press ``click``."""
    seen: list[str] = []

    def answer() -> None:
        box = window.export_choice
        if box is None:  # not asked (picks) — nothing to press
            return
        seen.extend(b.text() for b in box.buttons())
        seen.append(box.text())
        {"paper": box.paper_button, "view": box.view_button}.get(
            click or "", box.button(box.StandardButton.Cancel)
        ).click()

    QTimer.singleShot(0, answer)
    qtbot.keyClick(window.table, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    settle(qtbot, window)
    return seen


def test_ctrl_e_asks_this_paper_or_the_n_papers_in_the_view(window, qtbot, save_to):
    out, asked = save_to
    current = window.current_paper()
    seen = _export_with_ctrl_e(window, qtbot, "view")
    assert "The 50 papers in this view" in seen and "This paper" in seen
    assert any(current.title[:40] in s for s in seen)  # it names the paper on screen
    assert asked == ["Export 50 papers"]
    assert out.read_text().count("@misc{") == 50
    assert "Exported 50 entries" in window.statusBar().currentMessage()

    seen = _export_with_ctrl_e(window, qtbot, "paper")
    text = out.read_text()
    # BibTeX braces the title's capitals ({NoiSER}: Noise is...).
    assert text.count("@misc{") == 1 and current.title in text.replace("{", "").replace("}", "")
    assert asked[-1] == "Export 1 paper"
    assert window.statusBar().currentMessage().startswith("Exported 1 entry")


@pytest.mark.parametrize("kind", ["BibLaTeX", "CSL-JSON"])
def test_the_export_dialog_offers_biblatex_and_csl_json(window, qtbot, monkeypatch, tmp_path, kind):
    import json
    import re

    from readinglist.gui import import_export

    offered: list[str] = []

    def answer(parent, caption, start, filters, *rest):
        offered.extend(filters.split(";;"))
        return str(tmp_path / "refs.bib"), next(f for f in offered if f.startswith(kind))

    monkeypatch.setattr(import_export.QFileDialog, "getSaveFileName", answer)
    with qtbot.waitSignal(window.imported, timeout=30000):  # four arXiv preprints
        window.import_text((FIXTURES / "arxiv-new-page.txt").read_text(), "new", confirm=False)
    settle(qtbot, window)
    n = len(window.state.ids)
    qtbot.keyClick(window.table, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(window.table, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    settle(qtbot, window)
    assert [f.split(" ")[0] for f in offered] == ["BibTeX", "BibLaTeX", "CSL-JSON"]
    if kind == "BibLaTeX":
        text = (tmp_path / "refs.bib").read_text()
        # The preprints; the fourth paper names a journal: @article.
        assert text.count("@online{") == 3 and text.count("eprinttype") == 4
        assert re.search(r"(?m)^  date ", text) and not re.search(r"(?m)^  year ", text)
        assert len(re.findall(r"(?m)^@", text)) == n
    else:  # written as refs.json: the name the dialog proposed was for BibTeX
        assert not (tmp_path / "refs.bib").exists()
        items = json.loads((tmp_path / "refs.json").read_text())
        assert len(items) == n and sum("arXiv" in str(i) for i in items) >= 4


def test_ctrl_e_cancelled_in_the_question_writes_nothing(window, qtbot, save_to):
    out, asked = save_to
    _export_with_ctrl_e(window, qtbot, None)
    assert not out.exists() and asked == []


def test_ctrl_e_with_picks_exports_them_without_asking(window, qtbot, save_to):
    out, asked = save_to
    picked = []
    for _ in range(3):
        picked.append(window.current_paper().id)
        qtbot.keyClick(window.table, Qt.Key.Key_X)
        qtbot.keyClick(window.table, Qt.Key.Key_J)
    seen = _export_with_ctrl_e(window, qtbot, "view")
    assert seen == []  # no question: the picks are what is exported
    assert asked == ["Export 3 papers"]
    keys = {window.library.get(pid).citekey for pid in picked}
    text = out.read_text()
    assert text.count("@misc{") == 3 and all(f"{{{k}," in text for k in keys)


def test_the_context_menu_lists_the_paper_actions_with_their_keys(window, qtbot):
    menu = window.paper_menu()
    entries = {a.text(): a.shortcut().toString() for a in menu.actions() if a.text()}
    assert entries["Queue (to read)"] == "Q"
    assert entries["Star / unstar"] == "S"
    assert entries["Copy BibTeX of the selection"] == "Y"
    assert entries["Delete the selected papers (undo brings them back)"] == "Del"
    paper = window.current_paper()
    next(a for a in menu.actions() if a.text() == "Queue (to read)").trigger()
    settle(qtbot, window)
    assert window.library.get(paper.id).status.value == "queued"
    assert window.current_paper().id != paper.id  # it left the Inbox: the next is current


@pytest.mark.qt_log_ignore("does not support raise", "does not support grabbing")
def test_a_right_click_makes_the_paper_pointed_at_current_for_the_menu(window, qtbot):

    third = window.model.paper(2)
    pos = window.table.visualRect(window.model.index(2, 2)).center()
    shown: list[list[str]] = []

    def close_menu() -> None:
        popup = QApplication.activePopupWidget()
        shown.append([a.text() for a in popup.actions() if a.text()])
        popup.close()

    QTimer.singleShot(50, close_menu)
    window.table.customContextMenuRequested.emit(pos)
    assert window.current_paper().id == third.id
    assert "Dismiss (not interested)" in shown[0]


def test_the_title_gets_the_room_of_columns_no_paper_fills(window, qtbot):
    table = window.table
    # The Hugging Face page gives no authors, years or tags.
    assert all(table.isColumnHidden(c) for c in (3, 4, 5))
    title_alone = table.columnWidth(2)
    window.tag_editor.setFocus()
    qtbot.keyClicks(window.tag_editor, "vision")
    qtbot.keyClick(window.tag_editor, Qt.Key.Key_Return)
    settle(qtbot, window)
    assert not table.isColumnHidden(5)  # a paper has a tag now
    assert table.isColumnHidden(3) and table.isColumnHidden(4)
    assert table.columnWidth(2) < title_alone
    bib = corpus("bibtex/pybtex__xampl.bib")
    report = import_now(qtbot, window, bib.read_text(), bib.name)
    assert report is not None and report.added
    window.go_view("all")
    settle(qtbot, window)
    assert not table.isColumnHidden(3) and not table.isColumnHidden(4)
