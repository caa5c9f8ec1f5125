"""Bulk indexing in a child process: ``python -m readinglist.core.indexer LIBRARY``.

Whoosh indexing holds the GIL; run in a thread it made a 10 ms GUI timer up to
a second late. In a process of its own it leaves the app responsive. Progress
goes to stdout as ``progress DONE TOTAL`` lines.
"""

from __future__ import annotations

import sys


def main(argv: list[str]) -> int:
    import os

    from readinglist.core.library import Library
    from readinglist.core.search import SearchIndex

    lib = Library.open(argv[0], index=False, daily_backup=False)
    if os.environ.get("READINGLIST_INDEX_LOCK_HELD") == "1":
        # The parent holds the index lock for us (we inherited its descriptor);
        # taking it again here would wait for ourselves.
        lib.index_sync.lock_held_by_parent()
    try:
        index = lib.index_sync.search_index = SearchIndex(lib.folder / "index")
        if not index.exists():
            index.create()

        def progress(done: int, total: int) -> None:
            print(f"progress {done} {total}", flush=True)

        lib.sync_index(progress, in_process=True)
    finally:
        lib.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
