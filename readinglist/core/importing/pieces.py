"""The piecewise import of a big listing: a child process parses it a piece at
a time while this process stores the pieces (parsing holds the GIL that every
inserted row needs). And the compressor storing a big raw text."""

from __future__ import annotations

import itertools
import os
import pickle
import sqlite3
import subprocess
import threading
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from readinglist.core import citekeys
from readinglist.core.db import now_iso
from readinglist.core.importing import rows as writer
from readinglist.core.importing.matching import dumps
from readinglist.core.models import ImportReport, Skipped
from readinglist.core.text import capped_abstract, title_key
from readinglist.core.tuning import Tuning

Progress = Callable[[int, int], None]


class NotInPieces(Exception):
    """A big listing that the piecewise import does not take (see store_pieces)."""


class ParseWorker:
    """``python -m readinglist.core.parse_worker``: parses the pieces of a listing
    sent to it, while this process stores the pieces it sent back."""

    def __init__(self, text: str, tuning: Tuning) -> None:
        import tempfile

        # The pieces and the papers go through temporary files; the pipes only say
        # where each one is. Through a pipe, 150 MB would block every 64 KB: the
        # child could not parse ahead, and this process's feeding thread would
        # wait for the GIL each time.
        # Both opened here, before the child starts: the child removes the files
        # once it has them open too (where the system allows it), so that nothing
        # is left behind even if both processes are killed.
        self._paths: list[Path] = []
        handles = []
        for suffix, mode in ((".txt", "wb"), (".papers", "rb")):
            handle, name = tempfile.mkstemp(prefix="readinglist-import-", suffix=suffix)
            handles.append(os.fdopen(handle, mode))
            self._paths.append(Path(name))
        self._text_out, self._papers_in = handles
        try:
            self._proc = subprocess.Popen(
                (*tuning.parse_command, *map(str, self._paths)),
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
            )
        except OSError:
            self._remove_files()
            raise
        self._finished = False
        from readinglist.core.importers.listing import listing_pieces

        # This process parses the first pieces itself while the child starts
        # (about 0.2 s), the child all the others.
        self._text = text
        cuts = listing_pieces(text, tuning.piece_chars)  # the rest is found by the feeder
        self._local = list(itertools.islice(cuts, tuning.local_pieces))
        self._feeder = threading.Thread(target=self._feed, args=(text, cuts), daemon=True)
        self._feeder.start()

    def _feed(self, text: str, pieces: Iterator[tuple[int, int, int]]) -> None:
        from readinglist.core.parse_worker import write_frame

        stdin = self._proc.stdin
        assert stdin is not None
        try:
            with self._text_out as out:
                for start, end, line in pieces:
                    data = text[start:end].encode("utf-8", "surrogatepass")
                    offset = out.tell()
                    out.write(data)
                    out.flush()  # in the file before the child hears of it
                    write_frame(stdin, (line, start == 0, end, offset, len(data)))
            stdin.close()
        except (OSError, ValueError):
            pass  # the child is gone (or closed): pieces() sees it

    def pieces(self) -> Iterator[tuple[list[Any], list[tuple[int, str]], int]]:
        """(papers, skipped parts, where in the text the piece ends) for each piece."""
        from readinglist.core.parse_worker import parsed, read_frames

        for start, end, line in self._local:
            yield parsed(self._text[start:end], line, start == 0, end)
        assert self._proc.stdout is not None
        try:
            with self._papers_in as papers:
                for offset, size in read_frames(self._proc.stdout):
                    papers.seek(offset)
                    yield pickle.loads(papers.read(size))
        except (ValueError, TypeError, EOFError, pickle.UnpicklingError) as exc:
            raise NotInPieces from exc
        self._finished = True

    def _remove_files(self) -> None:
        for stream in (self._text_out, self._papers_in):
            stream.close()
        for path in self._paths:
            path.unlink(missing_ok=True)

    def succeeded(self) -> bool:
        return self._finished and self._proc.wait() == 0

    def close(self) -> None:
        if self._proc.poll() is None:
            self._proc.kill()
        self._proc.wait()
        self._feeder.join()
        self._remove_files()
        for stream in (self._proc.stdin, self._proc.stdout):
            if stream is not None:
                try:
                    stream.close()
                except OSError:
                    pass


def store_pieces(
    conn: sqlite3.Connection,
    worker: ParseWorker,
    report: ImportReport,
    size: int,
    progress: Progress | None,
) -> list[int]:
    """Store a big listing piece by piece as a child process parses it: this
    process inserts one piece while the child parses the next. Only for papers
    that are all new: raises NotInPieces, to be rolled back and imported the
    usual way, for a title already in the library or seen earlier in the text
    (the usual way merges those), a text with no paper, or a failing child.
    Returns the ids added."""
    now = now_iso()
    known = {tkey for (tkey,) in conn.execute("SELECT title_key FROM papers") if tkey}
    taken = writer.taken_keys(conn)
    report.batch_id = batch_id = writer.add_batch(conn, report.source, report.format)
    rebuild = writer.drop_for_bulk(conn)
    last_id = writer.last_id(conn)
    added = done = 0
    with writer.unchecked(conn):
        for papers, skipped, done in worker.pieces():
            rows = []
            for title, whole, links in papers:
                abstract, cut = capped_abstract(whole, title)
                if cut:
                    report.warnings.append(Skipped(0, cut))
                tkey = title_key(title)
                if tkey:
                    if tkey in known:
                        raise NotInPieces
                    known.add(tkey)
                key = citekeys.base_key(title, [], None)
                if key.lower() in taken:
                    key = citekeys.unique_key(key, taken)
                taken.add(key.lower())
                # The row new_rows makes of a listing's draft (title, abstract
                # and links only), built directly: PaperDrafts and new_rows cost
                # 0.4 s more per 100,000 papers (measured). The piecewise test
                # compares every column with the usual import's.
                links_json = dumps(links)
                row = (title, tkey, abstract, "[]", None, None, None, None, links_json, "[]")
                rows.append((*row, "", "", "{}", key, "generated", now, batch_id))
            conn.executemany(writer.INSERT_PAPER, rows)
            report.skipped.extend(Skipped(line, reason) for line, reason in skipped)
            added += len(rows)
            if progress:
                # The total is not known before the end: estimated from the
                # share of the text parsed so far.
                progress(added, max(added, round(added * size / max(done, 1))))
    if not added or done != size or not worker.succeeded():
        raise NotInPieces
    writer.queue_and_rebuild(conn, last_id, rebuild)
    return list(range(last_id + 1, last_id + 1 + added))


class Compressor:
    """zlib-compresses a text in a background thread (zlib releases the GIL)."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._packed: bytes | None = None
        self._thread = threading.Thread(target=self._run, name="compress", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        text, step = self._text, 1 << 20
        try:
            packer = zlib.compressobj(1)
            # Encoded a megabyte at a time: encode() holds the GIL, and 150 MB at
            # once stalled the importing thread for 0.12 s.
            parts = [
                packer.compress(text[i : i + step].encode()) for i in range(0, len(text), step)
            ]
            parts.append(packer.flush())
            self._packed = b"".join(parts)
        except (UnicodeError, MemoryError):
            self._packed = None  # stored as text instead

    def result(self) -> str | bytes:
        self._thread.join()
        return self._packed if self._packed is not None else self._text
