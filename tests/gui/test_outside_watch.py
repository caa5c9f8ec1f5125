"""The window notices other processes' changes, and never its own."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt

from support import run_cli, settle


def test_the_watcher_ignores_the_apps_own_commits_and_sees_the_clis(window, qtbot, monkeypatch):
    from readinglist.core.models import ChangeKind

    seen: list = []
    apply = window.apply_changes
    # Every change reaches apply_changes; the watcher's say OUTSIDE.
    monkeypatch.setattr(window, "apply_changes", lambda c: (seen.append(c.kind), apply(c)))
    first = window.current_paper()
    qtbot.keyClick(window.table, Qt.Key.Key_S)  # the worker writes
    qtbot.keyClick(window.table, Qt.Key.Key_Q)
    settle(qtbot, window)
    qtbot.waitUntil(lambda: window.library.pending_index_changes() == 0, timeout=20000)
    window._check_outside_changes()  # the search thread's index writes too
    assert ChangeKind.OUTSIDE not in seen and ChangeKind.STARRED in seen
    assert window.library.get(first.id).status.value == "queued"

    other = window.current_paper()
    result = run_cli(window.library.folder, "mark", "read", str(other.id))
    assert result.returncode == 0, result.stderr
    window._check_outside_changes()
    assert seen.count(ChangeKind.OUTSIDE) == 1
    assert window.current_paper().id != other.id  # it left the Inbox on screen too
    window._check_outside_changes()
    assert seen.count(ChangeKind.OUTSIDE) == 1  # told once
