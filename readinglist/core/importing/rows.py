"""Writing papers: new rows with free citation keys, merges into existing papers
(shared by the import and completion from arXiv), and the bulk-insert helpers."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from readinglist.core import citekeys
from readinglist.core.bibtex import valid_citekey
from readinglist.core.db import now_iso
from readinglist.core.importing.matching import dumps
from readinglist.core.models import PaperDraft

INSERT_TEXT = "INSERT INTO batch_texts (batch_id, raw_text) VALUES (?, ?)"
INSERT_PAPER = (
    "INSERT INTO papers (title, title_key, abstract, authors, year, arxiv_id, doi, url, links, "
    "categories, comments, journal_ref, extra, citekey, citekey_source, added_at, batch_id) "
    "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
)
# Rebuilt after a bulk insert instead of being updated row by row.
REBUILT_FOR_BULK = (
    "papers_title_key",
    "papers_status",
    "papers_citekey",
    "papers_indexed_insert",  # the trigger queueing each new paper for the index
)


def add_batch(conn: sqlite3.Connection, source: str, format: str, merged: int = 0) -> int:
    cur = conn.execute(
        "INSERT INTO batches (source, format, created_at, merged) VALUES (?, ?, ?, ?)",
        [source, format, now_iso(), merged],
    )
    return int(cur.lastrowid or 0)


def taken_keys(conn: sqlite3.Connection) -> set[str]:
    """Every citation key in the library, lower-cased."""
    sql = "SELECT citekey FROM papers WHERE citekey IS NOT NULL"
    return {key.lower() for (key,) in conn.execute(sql)}


def new_rows(
    drafts: list[PaperDraft], taken: set[str], now: str, batch_id: int
) -> list[tuple[Any, ...]]:
    """The papers table rows for new drafts, each with a citation key not yet taken."""
    rows: list[tuple[Any, ...]] = []
    for draft in drafts:
        key = draft.citekey
        source = "imported"
        if not key or not valid_citekey(key) or key.lower() in taken:
            key = citekeys.unique_key(
                citekeys.base_key(draft.title, draft.authors, draft.year), taken
            )
            source = "generated"
        taken.add(key.lower())
        rows.append(
            (
                draft.title,
                draft.title_key,
                draft.abstract,
                dumps(draft.authors),
                draft.year,
                draft.arxiv_id,
                draft.doi,
                draft.url,
                dumps(draft.links),
                dumps(draft.categories),
                draft.comments,
                draft.journal_ref,
                dumps(draft.extra),
                key,
                source,
                now,
                batch_id,
            )
        )
    return rows


def regenerate_key(
    conn: sqlite3.Connection, pid: int, change: dict[str, Any], taken: set[str]
) -> None:
    """A generated key, never exported, follows new authors or year once."""
    title, authors, year, key, source, exported = conn.execute(
        "SELECT title, authors, year, citekey, citekey_source, exported_at FROM papers "
        "WHERE id = ?",
        [pid],
    ).fetchone()
    if source != "generated" or exported:
        return
    authors = json.loads(change.get("authors", authors))
    year = change.get("year", year)
    taken.discard((key or "").lower())
    new_key = citekeys.unique_key(citekeys.base_key(title, authors, year), taken)
    taken.add(new_key.lower())
    if new_key != key:
        change["citekey"] = new_key
    change["citekey_source"] = "regenerated"


def apply_merges(
    conn: sqlite3.Connection, updates: dict[int, dict[str, Any]], taken: set[str], batch_id: int
) -> None:
    """Fill papers' empty fields (``updates``: id -> column -> value), letting
    their generated keys follow new authors, and link them to the batch."""
    for pid, change in updates.items():
        if "authors" in change or "year" in change:
            regenerate_key(conn, pid, change, taken)
        assignments = ", ".join(f"{k} = ?" for k in change)
        conn.execute(f"UPDATE papers SET {assignments} WHERE id = ?", [*change.values(), pid])
    conn.executemany(
        "INSERT OR IGNORE INTO paper_batches (paper_id, batch_id, how) VALUES (?, ?, 'merged')",
        [(pid, batch_id) for pid in updates],
    )


def drop_for_bulk(conn: sqlite3.Connection) -> list[str]:
    """Drop the papers indexes and trigger rebuilt after a bulk insert; their SQL.

    Filling a table far bigger than it was: building the secondary indexes once,
    sorted, beats updating them row by row (about 2.5 s of 8 s for 100,000
    papers), and one INSERT ... SELECT into the index queue beats its per-row
    trigger (which halved the insert rate). Same transaction, so still atomic,
    and the schema is whole again before the commit (queue_and_rebuild)."""
    rebuild: list[str] = []
    for kind, name, sql in conn.execute(
        "SELECT type, name, sql FROM sqlite_master WHERE tbl_name = 'papers' AND sql IS NOT NULL"
    ).fetchall():
        if name in REBUILT_FOR_BULK:
            rebuild.append(sql)
            conn.execute(f"DROP {kind} {name}")
    return rebuild


def queue_and_rebuild(conn: sqlite3.Connection, last_id: int, rebuild: list[str]) -> None:
    """After a bulk insert: queue the new papers for the index, restore the schema."""
    conn.execute("INSERT INTO index_queue (paper_id) SELECT id FROM papers WHERE id > ?", [last_id])
    for sql in rebuild:
        conn.execute(sql)


def last_id(conn: sqlite3.Connection) -> int:
    return int(conn.execute("SELECT coalesce(max(id), 0) FROM papers").fetchone()[0])


@contextmanager
def unchecked(conn: sqlite3.Connection) -> Iterator[None]:
    """Inserts that skip the papers table's CHECK constraints.

    They use IN lists, which SQLite builds again for every row of an
    executemany: half the insert time of 100,000 papers (1.0 of 2.0 s,
    measured). Every value the importers insert is valid by construction
    (status and starred take their defaults; citekey_source is "imported" or
    "generated"); tests run integrity_check, which verifies every CHECK, on
    imported libraries. (Inserting from a second thread while this one builds
    rows was slower: both need the GIL for every row.)"""
    conn.execute("PRAGMA ignore_check_constraints = ON")
    try:
        yield
    finally:
        conn.execute("PRAGMA ignore_check_constraints = OFF")
