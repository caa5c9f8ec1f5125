"""The command line importing and marking while the app is open on the same
library: no "database is locked" anywhere, nothing lost, and the window shows the
CLI's changes within a couple of seconds."""

from __future__ import annotations

import sys

import pytest
from test_concurrency import cli, finish

from support import ROOT

pytestmark = pytest.mark.slow


@pytest.fixture
def listings(tmp_path):
    sys.path.insert(0, str(ROOT / "bench"))
    from generate import write_listing

    return [None, write_listing(tmp_path / "l2.txt", 2500, abstract_words=30, seed=2)]


def test_cli_imports_and_marks_while_the_app_is_open(window, qtbot, listings):
    folder = window.library.folder
    first = window.current_paper()
    importer = cli(folder, "import", str(listings[1]))
    # The window keeps changing the library meanwhile.
    window.toggle_star()
    window.mark_selected("queued")  # it leaves the Inbox view
    finish(importer)
    finish(cli(folder, "mark", "read", "2", "3"))
    # The window notices within a couple of seconds (it polls SQLite's data_version).
    qtbot.waitUntil(lambda: "2,550 papers" in window.counts_label.text(), timeout=4000)
    lib = window.library
    assert lib.get(first.id).status.value == "queued" and lib.get(first.id).starred
    assert lib.get(2).status.value == "read"
    window.go_view("all")
    assert window.model.rowCount() == 2550
