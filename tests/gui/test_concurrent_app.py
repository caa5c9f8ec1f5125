"""The command line importing and marking while the app is open on the same
library: no "database is locked" anywhere, nothing lost, and the window shows the
CLI's changes within a couple of seconds."""

from __future__ import annotations

import pytest
from test_concurrency import finish

from support import generated_listing
from support import start_cli as cli

pytestmark = pytest.mark.slow


def test_cli_imports_and_marks_while_the_app_is_open(window, qtbot, tmp_path):
    listing = generated_listing(tmp_path / "listing.txt", 2500, seed=2)
    folder = window.library.folder
    first = window.current_paper()
    importer = cli(folder, "import", str(listing))
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
