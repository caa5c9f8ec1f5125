"""Parsing a big listing in a child process:
``python -m readinglist.core.parse_worker TEXT PAPERS``.

TEXT holds a listing as UTF-8, written piece by piece (cut by listing_pieces());
a frame on stdin says where each piece is once it is written. For each piece,
this appends to PAPERS a pickle of what parse_piece() found in it, then says on
stdout where. A frame is its length (8 bytes, little-endian) and a pickle: in,
``(line, first, end, offset, size)`` (``end``: where the piece ends in the text,
in characters; ``offset`` and ``size``: where it is in TEXT, in bytes); out,
``(offset, size)`` in PAPERS of the pickled ``(papers, skipped, end)``, where a
paper is ``(title, abstract, links)`` and a skipped part ``(line, reason)``.
The importing process stores one piece while this one parses the next: parsing
is pure Python, and in the importing process it would hold the GIL that every
inserted row needs. Exits 0 at the end of its input.
"""

from __future__ import annotations

import os
import pickle
import sys
from collections.abc import Iterator
from typing import IO, Any

from readinglist.core.importers.listing import parse_piece


def read_frames(stream: IO[bytes]) -> Iterator[Any]:
    """The pickled objects of the frames on ``stream``; ValueError if it ends inside one."""
    while True:
        head = stream.read(8)
        if not head:
            return
        size = int.from_bytes(head, "little") if len(head) == 8 else -1
        data = stream.read(size) if size >= 0 else b""
        if size < 0 or len(data) != size:
            raise ValueError("the stream ends inside a frame")
        yield pickle.loads(data)


def write_frame(stream: IO[bytes], value: Any) -> None:
    data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(len(data).to_bytes(8, "little"))
    stream.write(data)
    stream.flush()


def main() -> None:
    with open(sys.argv[1], "rb") as text, open(sys.argv[2], "wb") as papers:
        for name in sys.argv[1:3]:
            # Both processes have the files open: removed now, they vanish even
            # if both are killed. (Not where open files cannot be removed: the
            # importer removes them when done.)
            try:
                os.unlink(name)
            except OSError:
                pass
        for line, first, end, offset, size in read_frames(sys.stdin.buffer):
            text.seek(offset)
            piece = text.read(size).decode("utf-8", "surrogatepass")
            data = pickle.dumps(parsed(piece, line, first, end), pickle.HIGHEST_PROTOCOL)
            where = papers.tell()
            papers.write(data)
            papers.flush()  # in the file before the importer hears of it
            write_frame(sys.stdout.buffer, (where, len(data)))


def parsed(piece: str, line: int, first: bool, end: int) -> Any:
    result = parse_piece(piece, line, first)
    # Only what the listing parser fills: a listing's drafts have no authors,
    # year or ids.
    papers = [(d.title, d.abstract, d.links) for d in result.drafts]
    skipped = [(s.line, s.reason) for s in result.skipped]
    return papers, skipped, end


if __name__ == "__main__":
    main()
