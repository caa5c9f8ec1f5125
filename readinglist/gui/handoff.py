"""Handing files from a later launch to the window already open on the library
(double-clicking a .bib file while the app is open).

The later launch leaves a note in the library folder and waits for the open
window to take it. A file watcher in QtCore does what a local socket did
before, without loading QtNetwork and hashlib into every start (about 8 ms of
a 200 ms start). A note is taken by renaming it, so a note is imported once or
not at all: the launch that gave up removes it, and whichever of the two
moves first wins."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QFileSystemWatcher, QObject

FOLDER = "handoff"
NOTE = ".json"
# A note older than this at the window's start was left by a launch that died
# before it could remove it: the user has long stopped waiting for it.
STALE_S = 10.0


def hand_off(folder: Path, files: list[str], timeout_s: float = 2.0) -> bool:
    """Leave ``files`` for the window open on the library in ``folder``; True once
    it took them, False when nothing took them within ``timeout_s`` (then the
    note is gone and nothing will import them)."""
    box = folder / FOLDER
    box.mkdir(exist_ok=True)
    name = f"{os.getpid()}-{time.time_ns()}"
    draft, note = box / (name + ".tmp"), box / (name + NOTE)
    # Written aside and renamed: the window never reads half a note.
    draft.write_text(json.dumps({"files": [str(Path(f).resolve()) for f in files]}))
    os.replace(draft, note)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if not note.exists():
            return True
        time.sleep(0.02)
    try:
        note.unlink()
    except FileNotFoundError:
        return True  # taken at the last moment
    return False


class HandoffListener(QObject):
    """Takes the notes later launches leave and gives their files to ``received``."""

    def __init__(self, folder: Path, received: Callable[[list[str]], None]) -> None:
        super().__init__()
        self.box = folder / FOLDER
        self.box.mkdir(exist_ok=True)
        self.received = received
        self.watcher = QFileSystemWatcher([str(self.box)], self)
        self.watcher.directoryChanged.connect(lambda _path: self.take())
        self.take(drop_older_than=STALE_S)

    def take(self, drop_older_than: float | None = None) -> None:
        """Take every note there is (the watcher may fold several into one call)."""
        try:
            notes = sorted(self.box.glob("*" + NOTE))
        except OSError:
            return
        for note in notes:
            taken = note.with_suffix(".taken")
            try:
                old = drop_older_than is not None and (
                    time.time() - note.stat().st_mtime > drop_older_than
                )
                os.replace(note, taken)
            except OSError:
                continue  # the launch gave up and removed it first
            try:
                files = [str(f) for f in json.loads(taken.read_text()).get("files", [])]
            except (OSError, ValueError, AttributeError):
                files = []  # not a note of ours; nothing to import
            finally:
                taken.unlink(missing_ok=True)
            if not old:
                self.received(files)
