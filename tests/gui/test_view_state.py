"""The paper a key acts on is the paper on screen: the window's current paper, the
highlighted row and the detail pane agree after sorts, triage, picks, searches
and relaunches (the issue's defects 1-5)."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QPoint, QSettings, Qt

from readinglist.core.latex import readable_text
from readinglist.core.library import Library

from support import corpus, run_cli, settle

NoMod = Qt.KeyboardModifier.NoModifier


def key(qtbot, win, k, mod=NoMod):
    qtbot.keyClick(win.table, k, mod)
    settle(qtbot, win)


def on_screen(win) -> int:
    """The current paper's id, after checking the three places that show it agree."""
    paper = win.current_paper()
    assert paper is not None
    row = win.table.currentIndex().row()
    assert win.model.paper(row).id == paper.id
    highlighted = {i.row() for i in win.table.selectionModel().selectedRows()}
    assert row in highlighted, "the cursor row is not highlighted"
    shown = win.detail.toPlainText()
    assert readable_text(paper.title)[:40] in shown, (
        f"the detail pane shows another paper than {paper.title!r}"
    )
    return int(paper.id)


def click_header(qtbot, win, column: int) -> None:
    header = win.table.horizontalHeader()
    x = header.sectionViewportPosition(column) + header.sectionSize(column) // 2
    qtbot.mouseClick(
        header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, header.height() // 2)
    )


def search(qtbot, win, text: str) -> None:
    key(qtbot, win, Qt.Key.Key_Slash)
    with qtbot.waitSignal(win.worker.finished_search):
        qtbot.keyClicks(win.search_box, text)
        qtbot.keyClick(win.search_box, Qt.Key.Key_Return)
        settle(qtbot, win)
    qtbot.waitUntil(lambda: win.table.hasFocus() and win.model.rowCount() > 0)


def relaunch(qtbot, win):
    """Quit the window (saving its QSettings) and open a second on the same library."""
    from readinglist.gui.main_window import MainWindow

    win.close()
    again = MainWindow(win.library)
    qtbot.addWidget(again)
    again.resize(1280, 800)
    with qtbot.waitActive(again):
        again.show()
    qtbot.waitUntil(lambda: again.index_ready, timeout=30000)
    return again


# --- the defects, each failing before the view state ---------------------------------


def test_sorting_by_a_header_keeps_the_paper_on_screen_current(win, qtbot):
    # Defect 1: the highlight stayed on row 2 (another paper), the pane on the old one.
    key(qtbot, win, Qt.Key.Key_J)
    paper = on_screen(win)
    assert win.library.get(paper).title.startswith("Polarized")  # not the last by title
    click_header(qtbot, win, 2)  # Title
    assert on_screen(win) == paper
    order = list(win.model.ids)
    assert order == win.library.sorted_ids(order, "title COLLATE NOCASE")
    key(qtbot, win, Qt.Key.Key_R)  # read: leaves the Inbox
    assert win.library.get(paper).status.value == "read"
    assert on_screen(win) == order[order.index(paper) + 1]  # the next by title
    # The next change keeps the sort (it reloaded in the default order before).
    key(qtbot, win, Qt.Key.Key_S)
    assert list(win.model.ids) == [i for i in order if i != paper]


def test_relaunch_with_a_saved_sort_shows_the_highlighted_paper(win, qtbot):
    # Defect 2: row 1 of the sorted list highlighted, the unsorted row 1 in the pane.
    click_header(qtbot, win, 2)
    key(qtbot, win, Qt.Key.Key_J)
    key(qtbot, win, Qt.Key.Key_J)
    paper = on_screen(win)
    again = relaunch(qtbot, win)
    try:
        qtbot.waitUntil(lambda: again.current_paper() is not None)
        shown = on_screen(again)
        assert again.model.ids == win.library.sorted_ids(again.model.ids, "title COLLATE NOCASE")
        assert shown == paper
        first = again.current_paper()
        qtbot.keyClick(again.table, Qt.Key.Key_S)
        settle(qtbot, again)
        assert again.library.get(first.id).starred  # the paper the user sees
    finally:
        again.close()


def test_triage_in_search_results_keeps_the_cursor_on_the_result(win, qtbot, tmp_path):
    # Defect 3: `/query Return j r` marked result 2, then the list came back on result 1.
    search(qtbot, win, "regression")
    results = list(win.model.ids)
    assert len(results) >= 3
    key(qtbot, win, Qt.Key.Key_J)
    assert on_screen(win) == results[1]
    key(qtbot, win, Qt.Key.Key_R)
    assert win.library.get(results[1]).status.value == "read"
    # The CLI changes the library meanwhile: the window re-reads the results.
    assert run_cli(win.library.folder, "star", str(results[2])).returncode == 0
    with qtbot.waitSignal(win.worker.finished_search):
        win._check_outside_changes()
    qtbot.wait(0)
    assert on_screen(win) == results[1]
    key(qtbot, win, Qt.Key.Key_R)  # toggles the same paper back
    assert win.library.get(results[1]).status.value == "unread"
    assert win.library.get(results[0]).status.value == "unread"


def test_queueing_picked_papers_moves_to_the_next_paper_in_view(win, qtbot):
    # Defect 4: `Home x j x j x q` left the cursor two papers too far down.
    order = list(win.model.ids)
    key(qtbot, win, Qt.Key.Key_Home)
    for step in (Qt.Key.Key_X, Qt.Key.Key_J, Qt.Key.Key_X, Qt.Key.Key_J, Qt.Key.Key_X):
        key(qtbot, win, step)
    key(qtbot, win, Qt.Key.Key_Q)
    assert [win.library.get(i).status.value for i in order[:4]] == [
        "queued",
        "queued",
        "queued",
        "unread",
    ]
    assert on_screen(win) == order[3]
    assert len(win.selected_papers()) == 1  # the picks are done with


def test_sort_settings_do_not_leak_between_tests(win):
    # The fixture clears QSettings; a saved sort from another test must not apply.
    assert QSettings().value("view/sort") is None
    assert win.model.ids == win.library.ids(status="unread")


# --- sorting, relaunching, search freshness ------------------------------------------


def test_sort_keys_sort_reverse_and_keep_the_current_paper(win, qtbot):
    key(qtbot, win, Qt.Key.Key_J)
    paper = on_screen(win)
    key(qtbot, win, Qt.Key.Key_V)
    key(qtbot, win, Qt.Key.Key_T)
    ids = list(win.model.ids)
    assert ids == win.library.sorted_ids(ids, "title COLLATE NOCASE")
    assert on_screen(win) == paper
    assert win.table.horizontalHeader().sortIndicatorSection() == 2
    key(qtbot, win, Qt.Key.Key_V)
    key(qtbot, win, Qt.Key.Key_T)  # again: reversed
    assert list(win.model.ids) == win.library.sorted_ids(ids, "title COLLATE NOCASE", True)
    assert on_screen(win) == paper
    row = win.table.currentIndex().row()
    assert win.table.visualRect(win.model.index(row, 2)).intersects(win.table.viewport().rect())
    key(qtbot, win, Qt.Key.Key_V)
    key(qtbot, win, Qt.Key.Key_Y)
    years = [win.library.get(i).year or 0 for i in win.model.ids]
    assert years == sorted(years, reverse=True)  # newest first
    assert on_screen(win) == paper


def test_relaunch_reopens_the_view_search_sort_and_paper(win, qtbot):
    win.go_view("all")
    search(qtbot, win, "regression")
    key(qtbot, win, Qt.Key.Key_V)
    key(qtbot, win, Qt.Key.Key_Y)
    key(qtbot, win, Qt.Key.Key_J)
    results, paper = list(win.model.ids), on_screen(win)
    again = relaunch(qtbot, win)
    try:
        qtbot.waitUntil(lambda: again.model.ids == results)
        assert again.search_box.text() == "regression"
        assert again.sidebar.currentItem().text(0).startswith("All")
        assert on_screen(again) == paper
        qtbot.keyClick(again.table, Qt.Key.Key_S)
        settle(qtbot, again)
        assert again.library.get(paper).starred
        assert list(again.model.ids) == results  # the sort survives the change
    finally:
        again.close()


def test_search_while_the_index_catches_up_says_so_then_updates(win, qtbot):
    # Papers another process imported wait in the index queue; the window's worker
    # catches up in the background and the search says so meanwhile.
    win.worker.inline_sync = 0
    other = Library.open(win.library.folder, index=False, daily_backup=False)
    try:
        before = set(other.ids())
        other.import_file(corpus("arxiv-listing-text/arxiv-browse__q-fin-listings-new.txt"))
        new = [p for p in other.list_papers() if p.id not in before]
    finally:
        other.close()
    assert new and win.library.pending_index_changes() >= len(new)
    word = max(new[0].title.split(), key=len).strip(":,.()").lower()
    seen: list[tuple[str, list[int]]] = []
    win.statusBar().messageChanged.connect(lambda m: seen.append((m, list(win.model.ids))))
    key(qtbot, win, Qt.Key.Key_Slash)
    qtbot.keyClicks(win.search_box, word)
    qtbot.keyClick(win.search_box, Qt.Key.Key_Return)
    settle(qtbot, win)
    qtbot.waitUntil(lambda: new[0].id in win.model.ids, timeout=30000)
    notices = [(m, ids) for m, ids in seen if m.startswith("Indexing")]
    assert notices, f"no indexing notice among {[m for m, _ in seen]}"
    assert all(len(ids) < 50 for _, ids in notices)  # never the unfiltered view
    with Library.open(win.library.folder) as indexed:
        expected = {h.paper.id for h in indexed.search(word, limit=None).hits}
    assert set(win.model.ids) == expected
    assert "indexing" not in win.counts_label.text()
