"""Reading the library: rows -> Paper, lists, counts, stats, imports, tags.

The tag join and the chunked ``IN (?,?,…)`` lists are written once, here.
"""

from __future__ import annotations

import json
import sqlite3
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from readinglist.core.errors import UnknownPaper, UserError
from readinglist.core.models import Paper, Status

PAPER_COLUMNS = (
    "id, title, abstract, authors, year, arxiv_id, doi, url, links, categories, comments, "
    "journal_ref, citekey, status, starred, added_at, status_changed_at, note, extra"
)
#: Paper id and tag name, for every tag carried.
TAG_JOIN = "SELECT pt.paper_id, t.name FROM paper_tags pt JOIN tags t ON t.id = pt.tag_id"
#: SQLite allows 999 parameters in old builds; 500 leaves room for others.
CHUNK = 500
SORT_KEYS = frozenset(
    {"status", "starred", "title COLLATE NOCASE", "authors", "year", "id", "added_at"}
)
# Titles sort as they read: the LaTeX a title starts with ("$i$REPO", "{BERT}",
# "\\emph{...}") does not send it to the top of the list, ahead of "A Study...".
_ORDER_BY = {"title COLLATE NOCASE": "ltrim(title, '$\\{}\"''(*[') COLLATE NOCASE"}


def chunks(ids: Sequence[int], size: int = CHUNK) -> Iterator[list[int]]:
    """``ids`` in lists short enough for one ``IN`` list."""
    for start in range(0, len(ids), size):
        yield list(ids[start : start + size])


def marks(values: Sequence[Any]) -> str:
    """``?,?,?`` for an ``IN`` list of these values."""
    return ",".join("?" * len(values))


@dataclass
class Stats:
    total: int
    by_status: dict[str, int]
    starred: int
    tags: int
    batches: int

    def to_json(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "by_status": dict(self.by_status),
            "starred": self.starred,
            "tags": self.tags,
            "imports": self.batches,
        }


def row_to_paper(row: Sequence[Any], tags: list[str]) -> Paper:
    """A Paper from a row of PAPER_COLUMNS."""
    (
        pid,
        title,
        abstract,
        authors,
        year,
        arxiv_id,
        doi,
        url,
        links,
        categories,
        comments,
        journal_ref,
        citekey,
        status,
        starred,
        added_at,
        status_changed_at,
        note,
        extra,
    ) = row
    return Paper(
        id=pid,
        title=title,
        abstract=abstract,
        authors=json.loads(authors),
        year=year,
        arxiv_id=arxiv_id,
        doi=doi,
        url=url,
        links=json.loads(links),
        categories=json.loads(categories),
        comments=comments,
        journal_ref=journal_ref,
        citekey=citekey,
        status=Status(status),
        starred=bool(starred),
        added_at=added_at,
        status_changed_at=status_changed_at,
        note=note,
        tags=tags,
        extra=json.loads(extra),
    )


def tags_of(conn: sqlite3.Connection, ids: Sequence[int]) -> dict[int, list[str]]:
    """The tags of these papers (any number of ids), by name."""
    out: dict[int, list[str]] = {}
    for chunk in chunks(ids):
        sql = f"{TAG_JOIN} WHERE pt.paper_id IN ({marks(chunk)}) ORDER BY t.name COLLATE NOCASE"
        for pid, name in conn.execute(sql, chunk):
            out.setdefault(pid, []).append(name)
    return out


def quoted_title(title: str, limit: int = 40) -> str:
    """A paper named for people, not by id: “its title…”, shortened."""
    title = " ".join(title.split())
    return f"“{title[: limit - 1].rstrip()}…”" if len(title) > limit else f"“{title}”"


def status_value(status: Status | str) -> str:
    return Status.parse(status).value if isinstance(status, str) else status.value


class Papers:
    """Read-only questions about the papers of one connection."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def _all_tags(self) -> dict[int, list[str]]:
        out: dict[int, list[str]] = {}
        for pid, name in self.conn.execute(TAG_JOIN + " ORDER BY t.name COLLATE NOCASE"):
            out.setdefault(pid, []).append(name)
        return out

    def get(self, paper_id: int) -> Paper:
        row = self.conn.execute(
            f"SELECT {PAPER_COLUMNS} FROM papers WHERE id = ?", [paper_id]
        ).fetchone()
        if row is None:
            raise UnknownPaper(paper_id)
        return row_to_paper(row, tags_of(self.conn, [paper_id]).get(paper_id, []))

    def get_many(self, ids: Iterable[int]) -> list[Paper]:
        """Papers in the order of ``ids``; raises UnknownPaper naming the first missing id."""
        ids = list(ids)
        papers = self.get_many_existing(ids)
        if len(papers) != len(ids):
            found = {p.id for p in papers}
            raise UnknownPaper(next(pid for pid in ids if pid not in found))
        return papers

    def get_many_existing(self, ids: Iterable[int]) -> list[Paper]:
        """Like get_many, silently leaving out ids that no longer exist."""
        ids = list(ids)
        found: dict[int, Paper] = {}
        for chunk in chunks(ids):
            rows = self.conn.execute(
                f"SELECT {PAPER_COLUMNS} FROM papers WHERE id IN ({marks(chunk)})", chunk
            ).fetchall()
            tags = tags_of(self.conn, chunk)
            for row in rows:
                found[row[0]] = row_to_paper(row, tags.get(row[0], []))
        return [found[i] for i in ids if i in found]

    def existing(self, ids: Sequence[int]) -> list[int]:
        """``ids`` without repeats, checked: UnknownPaper names the first missing one."""
        ids = list(dict.fromkeys(int(i) for i in ids))
        if not ids:
            raise UserError("no paper ids given")
        found: set[int] = set()
        for chunk in chunks(ids):
            sql = f"SELECT id FROM papers WHERE id IN ({marks(chunk)})"
            found.update(r[0] for r in self.conn.execute(sql, chunk))
        for pid in ids:
            if pid not in found:
                raise UnknownPaper(pid)
        return ids

    def list_papers(
        self,
        status: Status | str | None = None,
        tag: str | None = None,
        starred: bool | None = None,
        batch_id: int | None = None,
    ) -> list[Paper]:
        """Papers matching every filter given, ordered by id."""
        where, params = self.filters(status, tag, starred, batch_id)
        rows = self.conn.execute(
            f"SELECT {PAPER_COLUMNS} FROM papers {where} ORDER BY id", params
        ).fetchall()
        ids = [r[0] for r in rows]
        tags = self._all_tags() if len(rows) > CHUNK else tags_of(self.conn, ids)
        return [row_to_paper(r, tags.get(r[0], [])) for r in rows]

    @staticmethod
    def filters(
        status: Status | str | None = None,
        tag: str | None = None,
        starred: bool | None = None,
        batch_id: int | None = None,
        tags_any: Sequence[str] = (),
    ) -> tuple[str, list[Any]]:
        """A WHERE clause (or "") and its parameters for these filters."""
        clauses: list[str] = []
        params: list[Any] = []
        if status is not None:
            clauses.append("status = ?")
            params.append(status_value(status))
        if starred is not None:
            clauses.append("starred = ?")
            params.append(1 if starred else 0)
        names = [tag.strip()] if tag is not None else list(tags_any)
        if names:
            clauses.append(
                f"id IN ({TAG_JOIN.replace('pt.paper_id, t.name', 'pt.paper_id')} "
                f"WHERE t.name COLLATE NOCASE IN ({marks(names)}))"
            )
            params.extend(names)
        if batch_id is not None:
            clauses.append(
                "(batch_id = ? OR id IN (SELECT paper_id FROM paper_batches WHERE batch_id = ?))"
            )
            params.extend([batch_id, batch_id])
        where = ("WHERE " + " AND ".join(clauses)) if clauses else ""
        return where, params

    def ids(
        self,
        status: Status | str | None = None,
        tag: str | None = None,
        starred: bool | None = None,
        batch_id: int | None = None,
        tags_any: Sequence[str] = (),
        newest_first: bool = True,
    ) -> list[int]:
        """Ids of the papers matching every filter (cheap: no rows).

        In view order: the newest import first and each import in its own order,
        so a pasted listing reads as the page did, its first paper first. Papers
        whose import was deleted come last. ``newest_first=False``: oldest first.
        """
        where, params = self.filters(status, tag, starred, batch_id, tags_any)
        order = "batch_id DESC, id" if newest_first else "id"
        sql = f"SELECT id FROM papers {where} ORDER BY {order}"
        return [r[0] for r in self.conn.execute(sql, params)]

    def sorted_ids(self, ids: list[int], key: str, descending: bool = False) -> list[int]:
        """``ids`` ordered by a column (sorted by SQLite, so no rows are loaded)."""
        if key not in SORT_KEYS:
            raise ValueError(key)
        if not ids:
            # The window turns sorting on before it loads a view: sorting nothing
            # must not sort the whole table (0.4 s of a 100,000-paper cold start).
            return []
        wanted = set(ids)
        order = "DESC" if descending else "ASC"
        column = _ORDER_BY.get(key, key)
        return [
            r[0]
            for r in self.conn.execute(
                f"SELECT id FROM papers ORDER BY {column} {order}, id {order}"
            )
            if r[0] in wanted
        ]

    def fact_ids(self, filters: tuple[tuple[str, str], ...]) -> set[int]:
        """Ids of the papers passing every status and star filter (``("status",
        "read")``, ``("starred", "yes")``): what the search's is: filters ask."""
        clauses: list[str] = []
        params: list[str | int] = []
        for name, value in filters:
            if name == "status":
                clauses.append("status = ?")
                params.append(value)
            elif name == "starred":
                clauses.append("starred = ?")
                params.append(1 if value == "yes" else 0)
            else:
                raise ValueError(f"not a status or star filter: {name}")
        where = " AND ".join(clauses) or "1"
        return {r[0] for r in self.conn.execute(f"SELECT id FROM papers WHERE {where}", params)}

    def count(self) -> int:
        return int(self.conn.execute("SELECT count(*) FROM papers").fetchone()[0])

    def incomplete_ids(self) -> list[int]:
        """Papers missing authors or a year (to complete from arXiv)."""
        sql = "SELECT id FROM papers WHERE authors = '[]' OR year IS NULL ORDER BY id"
        return [r[0] for r in self.conn.execute(sql)]

    def stats(self) -> Stats:
        by_status = {s.value: 0 for s in Status}
        for status, n in self.conn.execute("SELECT status, count(*) FROM papers GROUP BY status"):
            by_status[status] = n

        def one(sql: str) -> int:
            return int(self.conn.execute(sql).fetchone()[0])

        return Stats(
            total=sum(by_status.values()),
            by_status=by_status,
            starred=one("SELECT count(*) FROM papers WHERE starred"),
            tags=one("SELECT count(*) FROM tags"),
            batches=one("SELECT count(*) FROM batches"),
        )

    def batches(self) -> list[dict[str, Any]]:
        """Import batches, newest first, without their raw text."""
        keys = ("id", "source", "format", "created_at", "added", "merged", "unchanged", "skipped")
        rows = self.conn.execute(f"SELECT {', '.join(keys)} FROM batches ORDER BY id DESC")
        return [dict(zip(keys, r, strict=True)) for r in rows]

    def batch_raw_text(self, batch_id: int) -> str:
        row = self.conn.execute(
            "SELECT raw_text FROM batch_texts WHERE batch_id = ?", [batch_id]
        ).fetchone()
        if row is None:
            raise UserError(f"no import with id {batch_id}")
        raw = row[0]
        if isinstance(raw, bytes):  # large imports are stored zlib-compressed
            return zlib.decompress(raw).decode("utf-8")
        return str(raw)

    def tags(self) -> list[tuple[str, int]]:
        """Every tag with the number of papers carrying it, by name."""
        return [
            (name, n)
            for name, n in self.conn.execute(
                "SELECT t.name, count(pt.paper_id) FROM tags t "
                "LEFT JOIN paper_tags pt ON pt.tag_id = t.id GROUP BY t.id "
                "ORDER BY t.name COLLATE NOCASE"
            )
        ]

    def tagged(self, name: str) -> tuple[int, list[int]]:
        """A tag's id and the papers carrying it; UserError when there is no such tag."""
        found = tag_id(self.conn, name.strip())
        if found is None:
            raise UserError(f"no tag named {name.strip()!r}")
        sql = "SELECT paper_id FROM paper_tags WHERE tag_id = ?"
        return found, [r[0] for r in self.conn.execute(sql, [found])]

    def citekey_owner(self, key: str, other_than: int) -> int | None:
        row = self.conn.execute(
            "SELECT id FROM papers WHERE citekey = ? COLLATE NOCASE AND id != ?", [key, other_than]
        ).fetchone()
        return None if row is None else int(row[0])

    def data_version(self) -> int:
        """Changes whenever another connection (the CLI, another process) commits."""
        return int(self.conn.execute("PRAGMA data_version").fetchone()[0])

    def quick_check(self) -> str:
        """SQLite's ``PRAGMA quick_check`` of the database: "ok" or what is wrong."""
        return str(self.conn.execute("PRAGMA quick_check").fetchone()[0])


def tag_id(conn: sqlite3.Connection, name: str, create: bool = False) -> int | None:
    """The id of a tag, ignoring case; created when missing if asked."""
    row = conn.execute("SELECT id FROM tags WHERE name = ? COLLATE NOCASE", [name]).fetchone()
    if row is not None:
        return int(row[0])
    if not create:
        return None
    return int(conn.execute("INSERT INTO tags (name) VALUES (?)", [name]).lastrowid or 0)


def drop_orphan_tags(conn: sqlite3.Connection) -> None:
    """A tag nobody carries any more disappears (from the sidebar too)."""
    conn.execute(
        "DELETE FROM tags WHERE NOT EXISTS (SELECT 1 FROM paper_tags WHERE tag_id = tags.id)"
    )
