"""Sizes at which the library switches to its bulk paths.

One value passed to ``Library.open`` instead of module constants patched from
outside: tests and benchmarks choose the path they measure by giving their own
``Tuning``.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass


@dataclass(frozen=True)
class Tuning:
    #: Raw texts this long (characters) are stored zlib-compressed; small texts
    #: stay readable in the database.
    compress_from: int = 1 << 20
    #: Listings this long are parsed by a child process while this one stores
    #: them: starting it costs about 0.2 s, parsing 100,000 papers about 2 s.
    pieces_from: int = 16 << 20
    #: More characters than nearly any listed paper takes (about 1,500 here): the
    #: piecewise path is only for a text bigger than the library it goes into.
    piece_chars_per_paper: int = 4000
    #: Characters per piece: about 1,300 papers, so the first piece is stored early.
    piece_chars: int = 2_000_000
    #: Pieces parsed in this process while the child process starts.
    local_pieces: int = 3
    #: The command of the parsing child (a test may give one that misbehaves).
    parse_command: tuple[str, ...] = (sys.executable, "-m", "readinglist.core.parse_worker")
    #: Imports adding at least this many papers rebuild the papers indexes after
    #: inserting instead of updating them row by row.
    bulk_rows: int = 10_000
    #: Index catch-ups of at least this many papers run in a child process with
    #: the multi-process Whoosh writer (in a thread they would stall a GUI).
    bulk_index: int = 2000
    #: Whether big catch-ups go to the child process at all (the child itself
    #: indexes in process).
    index_in_child: bool = True
    #: Longest wait (seconds) for the index lock another process holds (a catch-up
    #: of 20,000 papers holds it for minutes; a stopped one forever). Searches do
    #: not wait at all: they answer from the index as it is.
    index_lock_wait: float = float(os.environ.get("READINGLIST_INDEX_LOCK_WAIT", "60"))


DEFAULT = Tuning()
