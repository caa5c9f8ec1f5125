"""The real window, offscreen, on a temporary library."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

from support import FIXTURES, import_now, run_cli, settle


def test_opens_on_inbox_with_first_paper_selected_and_list_focused(window, qtbot):
    assert window.sidebar.currentItem().text(0).startswith("Inbox  (50)")
    assert window.model.rowCount() == 50
    assert window.table.currentIndex().row() == 0
    qtbot.waitUntil(lambda: window.table.hasFocus())
    assert window.counts_label.text() == "50 papers · 50 unread"
    assert window.current_paper().title in window.detail.toPlainText()


def test_search_as_you_type_runs_off_thread_and_highlights(window, qtbot):
    qtbot.keyClicks(window.search_box, "barlow")
    qtbot.waitUntil(lambda: window.model.rowCount() == 1, timeout=5000)
    assert window.current_paper().title.startswith("Barlow Twins")
    assert window.counts_label.text().endswith("· 1 match in all papers")
    assert "#ffe58a" in window.detail.toHtml()
    window.search_box.clear()
    qtbot.waitUntil(lambda: window.model.rowCount() == 50, timeout=5000)


def test_return_in_the_search_box_moves_to_the_results_for_triage(window, qtbot):
    from PySide6.QtCore import Qt

    qtbot.keyClick(window.table, Qt.Key.Key_Slash)
    settle(qtbot, window)
    assert window.search_box.hasFocus()
    qtbot.keyClicks(window.search_box, "barlow")
    qtbot.keyClick(window.search_box, Qt.Key.Key_Return)
    settle(qtbot, window)
    assert window.table.hasFocus() and window.search_box.text() == "barlow"
    qtbot.waitUntil(lambda: window.model.rowCount() == 1, timeout=5000)
    paper = window.current_paper()
    assert paper.title.startswith("Barlow Twins")
    qtbot.keyClick(window.table, Qt.Key.Key_R)  # a triage key, not a letter typed
    settle(qtbot, window)
    assert window.library.get(paper.id).status.value == "read"
    shown = window.detail.toPlainText()
    assert "unread ·" not in shown and "read ·" in shown  # the pane follows (it said unread)
    assert window.search_box.text() == "barlow"


def test_search_lists_the_best_matches_ranked_then_the_rest_newest_first(
    window, qtbot, monkeypatch
):
    from readinglist.core.library import Library
    from readinglist.gui import search_worker

    monkeypatch.setattr(search_worker, "RANKED_RESULTS", 3)
    qtbot.keyClicks(window.search_box, "model")
    with Library.open(window.library.folder) as other:  # the index the worker built
        expected = other.search("model", limit=None)
    total = expected.total
    assert total > 10
    qtbot.waitUntil(lambda: window.model.rowCount() == total, timeout=5000)
    ids = [window.model.paper(r).id for r in range(total)]
    assert ids[:3] == [h.paper.id for h in expected.hits[:3]]  # ranked
    assert ids[3:] == sorted(ids[3:], reverse=True)  # then newest first
    assert sorted(ids) == sorted(h.paper.id for h in expected.hits)  # every match, once
    assert window.counts_label.text().endswith(f"· {total} matches in all papers")


def test_filter_by_status_and_tag_edit_note_and_mark(window, qtbot):
    lib = window.library
    first = window.current_paper()
    window.mark_selected("read")
    settle(qtbot, window)
    assert lib.get(first.id).status.value == "read"
    assert window.model.rowCount() == 49  # it left the Inbox
    assert window.current_paper().id != first.id
    lib.tag([first.id], add=["vision"])
    window.refresh_sidebar()
    tags = [window.sidebar.topLevelItem(i) for i in range(window.sidebar.topLevelItemCount())]
    tag_group = next(t for t in tags if t.text(0) == "Tags")
    window.sidebar.setCurrentItem(tag_group.child(0))
    assert [p.id for p in (window.model.paper(r) for r in range(window.model.rowCount()))] == [
        first.id
    ]
    window.note.setPlainText("Great *ablation*.")
    qtbot.waitUntil(lambda: lib.get(first.id).note == "Great *ablation*.", timeout=3000)


def test_paste_import_with_preview(window, qtbot, monkeypatch):
    from readinglist.gui import import_export as main_window

    monkeypatch.setattr(
        main_window.ImportPreview, "exec", lambda self: main_window.QDialog.DialogCode.Accepted
    )
    QGuiApplication.clipboard().setText((FIXTURES / "arxiv-new-page.txt").read_text())
    window.table.setFocus()
    qtbot.keyClick(window.table, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    settle(qtbot, window)
    assert window.library.count() == 54
    assert "4 added" in window.statusBar().currentMessage()


def test_preview_cancel_writes_nothing(window, qtbot, monkeypatch):
    from readinglist.gui import import_export as main_window

    monkeypatch.setattr(
        main_window.ImportPreview, "exec", lambda self: main_window.QDialog.DialogCode.Rejected
    )
    window.import_text((FIXTURES / "arxiv-new-page.txt").read_text(), "clipboard")
    settle(qtbot, window)
    assert window.library.count() == 50


def test_html_in_titles_is_shown_as_text(window, qtbot):
    import_now(
        qtbot,
        window,
        "<b>Bold</b> <img src=x> Injection Title\n\nAn abstract with <script>alert(1)</script> inside it, long enough to be one.",
        "clipboard",
    )
    window.sidebar.setCurrentItem(window.sidebar.topLevelItem(5))  # All
    row = next(
        r for r in range(window.model.rowCount()) if "Injection" in window.model.paper(r).title
    )
    window._select_row(row)
    shown = window.detail.toPlainText()
    assert "<b>Bold</b> <img src=x> Injection Title" in shown
    assert "<script>alert(1)</script>" in shown


def test_export_selection(window, qtbot, tmp_path):
    window.table.selectAll()
    out = tmp_path / "refs.bib"
    window.export_to(out, window.selected_papers())
    settle(qtbot, window)
    assert out.read_text().count("@misc{") == 50


def test_screenshot_is_not_blank(window, qtbot, tmp_path):
    window.search_box.setText("self-supervised")
    qtbot.waitUntil(lambda: "match" in window.counts_label.text(), timeout=5000)
    image = window.grab().toImage()
    path = tmp_path / "window.png"
    image.save(str(path))
    colors = {
        image.pixel(x, y) for x in range(0, image.width(), 23) for y in range(0, image.height(), 17)
    }
    assert image.width() >= 1024 and len(colors) > 20


def test_tag_editor_with_completion_tags_every_selected_paper(window, qtbot):
    # Not table.selectRow: it reads the keyboard modifiers, and offscreen Qt keeps
    # the Ctrl of an earlier test's Ctrl+V, which made it toggle row 0 off.
    window.table.selectionModel().select(
        window.model.index(0, 0),
        window.table.selectionModel().SelectionFlag.ClearAndSelect
        | window.table.selectionModel().SelectionFlag.Rows,
    )
    window.table.selectionModel().select(
        window.model.index(1, 0),
        window.table.selectionModel().SelectionFlag.Select
        | window.table.selectionModel().SelectionFlag.Rows,
    )
    ids = [p.id for p in window.selected_papers()]
    assert len(ids) == 2
    window.tag_editor.setFocus()  # as "t" does; keys go to the focused widget
    qtbot.waitUntil(window.tag_editor.hasFocus)
    qtbot.keyClicks(window.tag_editor, "diffusion")
    qtbot.keyClick(window.tag_editor, Qt.Key.Key_Return)
    settle(qtbot, window)
    assert all(window.library.get(i).tags == ["diffusion"] for i in ids)
    assert "diffusion" in window._tag_names.stringList()
    window.tag_editor.setFocus()
    qtbot.waitUntil(window.tag_editor.hasFocus)
    qtbot.keyClicks(window.tag_editor, "-diffusion")
    qtbot.keyClick(window.tag_editor, Qt.Key.Key_Return)
    settle(qtbot, window)
    assert all(window.library.get(i).tags == [] for i in ids)


def test_changes_made_by_the_cli_show_within_seconds(window, qtbot, tmp_path):
    # A real other process: the app's own threads' commits do not count as outside.
    result = run_cli(window.library.folder, "import", str(FIXTURES / "arxiv-new-page.txt"))
    assert result.returncode == 0, result.stderr
    qtbot.waitUntil(lambda: window.model.rowCount() == 54, timeout=5000)
    assert window.sidebar.topLevelItem(0).text(0).startswith("Inbox  (54)")


def test_drop_a_file_imports_it(window, qtbot, monkeypatch):
    from PySide6.QtCore import QMimeData, QPointF, QUrl
    from PySide6.QtGui import QDropEvent

    from readinglist.gui import import_export as main_window

    monkeypatch.setattr(
        main_window.ImportPreview, "exec", lambda self: main_window.QDialog.DialogCode.Accepted
    )
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(FIXTURES / "arxiv-new-page.txt"))])
    event = QDropEvent(
        QPointF(10, 10),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
    )
    window.dropEvent(event)
    settle(qtbot, window)
    assert window.library.count() == 54


def test_second_window_on_the_same_library_is_refused(tmp_path, qtbot, monkeypatch):
    from PySide6.QtCore import QLockFile

    from readinglist.gui import app as gui_app

    folder = tmp_path / "locked"
    folder.mkdir()
    lock = QLockFile(str(folder / "app.lock"))
    assert lock.tryLock(100)
    said = []
    monkeypatch.setattr(gui_app.QMessageBox, "information", lambda *a: said.append(a[2]))
    assert gui_app.run_app(folder) == 1
    assert "already open" in said[0]
    lock.unlock()


def test_app_icon_is_present_at_the_usual_sizes(window):
    from PySide6.QtWidgets import QApplication

    from support import ROOT

    assert not QApplication.instance().windowIcon().isNull()
    for size in (16, 24, 32, 48, 64, 128, 256, 512):
        assert (ROOT / "resources" / "icons" / f"readinglist-{size}.png").exists()
    assert (ROOT / "resources" / "icons" / "readinglist.svg").exists()


def test_ctrl_z_undoes_and_says_what(window, qtbot):
    first = window.current_paper()
    window.mark_selected("read")
    settle(qtbot, window)
    qtbot.keyClick(window.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    settle(qtbot, window)
    assert window.library.get(first.id).status.value == "unread"
    assert window.statusBar().currentMessage() == "Undid: marked 1 paper read"
    assert window.model.rowCount() == 50


def test_the_list_shows_latex_in_titles_readably(window, qtbot):
    lib = window.library
    lib.import_text(
        '$\\alpha$-Nets for {\\"O}ptimal Transport with $\\beta$ Priors\n\n'
        + "We study a new family of networks for optimal transport and show results. " * 3
    )
    window.reload()
    titles = [window.model.data(window.model.index(r, 2)) for r in range(window.model.rowCount())]
    assert "α-Nets for Öptimal Transport with β Priors" in titles
    stored = [p.title for p in lib.list_papers() if "Nets" in p.title]
    assert stored == [
        '$\\alpha$-Nets for {\\"O}ptimal Transport with $\\beta$ Priors'
    ]  # kept as given


def test_readable_text_keeps_tex_dashes_and_quotes():
    from readinglist.gui.paper_model import readable_text

    assert readable_text("Pre-training -- a ``survey''") == "Pre-training – a “survey”"
    assert readable_text("plain  title") == "plain title"


def test_copy_cite_pins_the_key_as_an_export_does(window, qtbot):
    # Shift+Y copies \cite{key}; a later import adding authors must not rename
    # the key the user has pasted into a paper (it did: the window called
    # bibtex.cite_command directly, which pins nothing).
    paper = window.current_paper()
    qtbot.keyClick(window.table, Qt.Key.Key_Y, Qt.KeyboardModifier.ShiftModifier)
    settle(qtbot, window)
    assert QGuiApplication.clipboard().text() == f"\\cite{{{paper.citekey}}}"
    title = paper.title.replace("{", "").replace("}", "")
    window.library.import_text(
        f"@article{{x,\n  title = {{{title}}},\n  author = {{Newman, Ada}},\n  year = {{2021}}\n}}\n"
    )
    after = window.library.get(paper.id)
    assert after.authors == ["Ada Newman"]
    assert after.citekey == paper.citekey


def test_empty_states_say_what_to_do(qtbot, tmp_path):
    from PySide6.QtCore import QSettings

    from readinglist.core.library import Library
    from readinglist.gui.app import make_app
    from readinglist.gui.main_window import MainWindow

    make_app()
    QSettings.setPath(QSettings.Format.NativeFormat, QSettings.Scope.UserScope, str(tmp_path))
    QSettings().clear()
    lib = Library.open(tmp_path / "lib", index=False)
    win = MainWindow(lib)
    qtbot.addWidget(win)
    with qtbot.waitActive(win):
        win.show()
    text = win.detail.toPlainText()
    assert "library is empty" in text and "Ctrl+V" in text and "Ctrl+O" in text
    lib.import_text("A Lonely Paper Title\n\nIts abstract, in words.")
    changes = lib.mark([1], "read")
    win.apply_changes(changes)
    qtbot.waitUntil(lambda: "Inbox zero" in win.detail.toPlainText())
    win.close()
    lib.close()


def test_saving_the_search_in_the_box_puts_it_under_saved_searches(window, qtbot, monkeypatch):
    from readinglist.gui import triage_keys

    monkeypatch.setattr(triage_keys, "ask_text", lambda *a: "Barlow <b>papers</b>")
    qtbot.keyClicks(window.search_box, "barlow")
    qtbot.waitUntil(lambda: window.model.rowCount() == 1, timeout=5000)
    window.key_actions["search.save"].trigger()
    settle(qtbot, window)
    assert window.library.saved_searches() == [("Barlow <b>papers</b>", "barlow")]
    items = window.sidebar.findItems(
        "Barlow", Qt.MatchFlag.MatchContains | Qt.MatchFlag.MatchRecursive
    )
    assert items and items[0].text(0).startswith("Barlow <b>papers</b>")


def test_about_names_the_version_as_plain_text(window):
    from readinglist import __version__

    assert f"Readinglist {__version__}" in window.about_text()
    assert "About Readinglist" in [a.text() for a in window.menus["help"].actions()]


def test_a_pasted_listing_reads_in_page_order(window, qtbot):
    # The reference listing's first paper is the first row and the current paper.
    titles = [window.model.paper(r).title for r in range(window.model.rowCount())]
    assert titles[0].startswith("NoiSER: Noise is All You Need")
    assert titles[1].startswith("Polarized Self-Attention")
    assert window.current_paper().title == titles[0]
    # A second paste goes on top, again in its own page order.
    report = import_now(qtbot, window, (FIXTURES / "arxiv-new-page.txt").read_text(), "paste")
    assert report is not None and report.added == 4
    window.sidebar.setCurrentItem(window.sidebar.topLevelItem(0))  # Inbox
    settle(qtbot, window)
    titles = [window.model.paper(r).title for r in range(window.model.rowCount())]
    assert titles[0] == "Sparse Mixtures of Experts Route Tokens by Similarity"
    assert titles[1] == "A Note on Calibrated Uncertainty for Regression"
    assert titles[2] == "Seeing Is Believing: Visual Grounding at Scale"
    assert titles[4].startswith("NoiSER")
