"""The desktop app's entry point (readinglist-gui): the app with Python's cycle
collector paused while it starts.

Starting makes some 30,000 long-lived objects (modules, classes, Qt wrappers) and
few cycles; the collector scanned them 49 times on the way to the first paint
(13 ms of a 200 ms start) and once more at exit (15 ms). Paused until the window
is up, then frozen (gc.freeze: objects made so far are never scanned again), it
runs as usual for everything the session makes after."""

from __future__ import annotations

import gc
from collections.abc import Callable
from pathlib import Path


def main() -> None:
    gc.disable()
    from readinglist.gui.app import main as run

    run(started=_collect_from_now_on)


def app_runner() -> Callable[[Path | None], int]:
    """What opens the app on a library folder, as ``readinglist`` with no command
    does; raises ImportError (before any window) when Qt cannot be loaded."""
    gc.disable()
    try:
        from readinglist.gui.app import run_app
    except ImportError:
        gc.enable()
        raise

    def run(folder: Path | None) -> int:
        try:
            return run_app(folder, started=_collect_from_now_on)
        finally:
            gc.enable()  # had the window not come up, nothing would have

    return run


def _collect_from_now_on() -> None:
    gc.freeze()
    gc.enable()


if __name__ == "__main__":
    main()
