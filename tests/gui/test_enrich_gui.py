"""Completing from arXiv in the window: key E on the list, the File menu entry,
progress with Cancel, a report, undo; offline leaves everything as it was."""

from __future__ import annotations

from arxiv_server import ArxivServer, free_port_url
from PySide6.QtCore import Qt

from support import import_now, settle


def test_key_e_completes_the_selected_paper_in_the_background(window, qtbot, monkeypatch):
    lib = window.library
    paper = window.current_paper()
    with ArxivServer() as server:
        monkeypatch.setenv("READINGLIST_ARXIV_API", server.url)
        server.add_entry(
            "2501.01234", paper.title, paper.abstract, ["Grace Hopper", "Alan Turing"], "2025-03-04"
        )
        qtbot.keyClick(window.table, Qt.Key.Key_E)
        assert window.enrich_progress is not None  # progress with Cancel while it runs
        window.table.setFocus()
        qtbot.keyClick(window.table, Qt.Key.Key_J)  # the window stays usable meanwhile
        qtbot.waitUntil(lambda: window.enrich_dialog is not None, timeout=20000)
    completed = lib.get(paper.id)
    assert completed.authors == ["Grace Hopper", "Alan Turing"] and completed.year == 2025
    assert completed.arxiv_id == "2501.01234"
    assert "1 completed" in window.enrich_dialog.findChild(type(window.counts_label)).text()
    assert "completed abstract" not in window.enrich_dialog.details.toPlainText()
    assert "completed authors, year, arxiv_id" in window.enrich_dialog.details.toPlainText()
    window.enrich_dialog.close()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    window.table.setFocus()
    qtbot.keyClick(window.table, Qt.Key.Key_Z)
    settle(qtbot, window)
    assert lib.get(paper.id).authors == []


def test_offline_says_so_and_changes_nothing(window, qtbot, monkeypatch):
    monkeypatch.setenv("READINGLIST_ARXIV_API", free_port_url())
    before = window.library.list_papers()
    window.enrich_missing()  # File > Complete missing metadata from arXiv…
    qtbot.waitUntil(lambda: window.enrich_message is not None, timeout=20000)
    assert "cannot reach the arXiv API" in window.enrich_message.text()
    settle(qtbot, window)
    assert window.library.list_papers() == before
    assert window.enrich_progress is None


def test_cancel_changes_nothing(window, qtbot, monkeypatch):
    with ArxivServer() as server:
        monkeypatch.setenv("READINGLIST_ARXIV_API", server.url)
        before = window.library.list_papers()
        window.enrich_missing()  # 50 papers: 50 requests, 3 seconds apart
        qtbot.waitUntil(lambda: len(server.requests) >= 1, timeout=10000)
        from PySide6.QtWidgets import QPushButton

        window.enrich_progress.findChild(QPushButton).click()
        qtbot.waitUntil(lambda: not window.enrich_worker.isRunning(), timeout=10000)
        assert len(server.requests) < 5
    settle(qtbot, window)
    assert window.library.list_papers() == before
    assert "nothing was changed" in window.statusBar().currentMessage()


def test_after_import_setting_completes_the_new_papers(window, qtbot, server):
    window.library.set_setting("enrich_after_import", True)
    title, abstract = "Sparse Widgets for Dense Gadgets", "We widget the gadgets sparsely. " * 5
    server.add_entry("2503.00042", title, abstract, ["Ada Lovelace"], "2025-03-01")
    report = import_now(qtbot, window, f"{title}\n\n{abstract}\n", "clipboard")
    assert report.added == 1
    qtbot.waitUntil(lambda: window.enrich_dialog is not None, timeout=20000)
    new = window.library.get(report.paper_ids[0])
    assert new.authors == ["Ada Lovelace"] and new.arxiv_id == "2503.00042"
    assert len(server.requests) == 1  # only the new paper, not the 50 already there
