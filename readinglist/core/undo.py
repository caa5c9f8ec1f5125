"""The mutation kernel: snapshot what a change touches, write, record the undo
step, commit, report ``Changes``; and undo and redo of those steps.

A step keeps only what it changed: per paper the fields (old and new value),
the tags and import links added and removed, whole rows only for papers it
deleted, and the range of ids of papers it created. Undo puts a field back
only while it still holds the step's value; a field changed again since (by
another program, or a later step) is left alone, and the undo says so. Pins
(``exported_at``: a key that left the library) are never undone. Steps carry
their origin ("app", "cli"): each front end undoes its own latest change.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from readinglist.core.db import now_iso
from readinglist.core.errors import UserError
from readinglist.core.models import ChangeKind, Changes
from readinglist.core.papers import chunks, drop_orphan_tags, marks, quoted_title, tag_id
from readinglist.core.store import Store

#: Columns an undo never takes back (see the module docstring).
PINNED = frozenset({"exported_at"})
#: Columns that change with another one and are not named on their own when
#: an undo leaves them alone.
COMPANIONS = frozenset({"status_changed_at"})
#: The step format written now (1: whole states, from before migration 0005).
FORMAT = 2
ANY_ORIGIN = "any"

State = dict[str, Any]  # {"row": {column: value}, "tags": [...], "batches": [[id, how]]}


def snapshot(conn: sqlite3.Connection, ids: Iterable[int]) -> dict[int, State | None]:
    """Everything about these papers a step may change (None: no such paper)."""
    ids = list(dict.fromkeys(ids))
    state: dict[int, State | None] = dict.fromkeys(ids)
    for chunk in chunks(ids):
        cur = conn.execute(f"SELECT * FROM papers WHERE id IN ({marks(chunk)})", chunk)
        cols = [d[0] for d in cur.description]
        for row in cur:
            state[row[0]] = {"row": dict(zip(cols, row, strict=True)), "tags": [], "batches": []}
        for pid, name in conn.execute(
            "SELECT pt.paper_id, t.name FROM paper_tags pt JOIN tags t ON t.id = pt.tag_id "
            f"WHERE pt.paper_id IN ({marks(chunk)})",
            chunk,
        ):
            state[pid]["tags"].append(name)  # type: ignore[index]
        for pid, bid, how in conn.execute(
            f"SELECT paper_id, batch_id, how FROM paper_batches WHERE paper_id IN ({marks(chunk)})",
            chunk,
        ):
            state[pid]["batches"].append([bid, how])  # type: ignore[index]
    return state


def delta(before: dict[int, State | None], after: dict[int, State | None]) -> dict[str, Any]:
    """What changed between two snapshots of the same papers, as a step stores it."""
    papers: dict[str, Any] = {}
    created: list[int] = []
    for pid, old in before.items():
        new = after.get(pid)
        if old is None and new is None:
            continue
        if old is None:
            created.append(pid)
            continue
        if new is None:
            papers[str(pid)] = {"deleted": old}
            continue
        entry: dict[str, Any] = {}
        fields = {
            col: [value, new["row"].get(col)]
            for col, value in old["row"].items()
            if col not in PINNED and new["row"].get(col) != value
        }
        if fields:
            entry["fields"] = fields
        for name, key in (("tags", "tags"), ("batches", "batches")):
            was = {json.dumps(x) for x in old[key]}
            now = {json.dumps(x) for x in new[key]}
            if now - was:
                entry[name + "+"] = [json.loads(x) for x in sorted(now - was)]
            if was - now:
                entry[name + "-"] = [json.loads(x) for x in sorted(was - now)]
        if entry:
            papers[str(pid)] = entry
    return {"papers": papers, "created": id_ranges(created)}


def id_ranges(ids: Sequence[int]) -> list[list[int]]:
    """Sorted ids as [first, last] runs (an import's new ids are one run)."""
    runs: list[list[int]] = []
    for pid in sorted(ids):
        if runs and runs[-1][1] == pid - 1:
            runs[-1][1] = pid
        else:
            runs.append([pid, pid])
    return runs


def created_ids(step: dict[str, Any]) -> list[int]:
    return [pid for first, last in step.get("created", []) for pid in range(first, last + 1)]


class Journal:
    """The undo journal of one store, writing steps as ``origin``."""

    def __init__(self, store: Store, origin: str = "cli") -> None:
        self.store = store
        self.origin = origin

    def change(
        self,
        kind: ChangeKind,
        description: str,
        ids: list[int],
        write: Callable[[sqlite3.Connection], None],
        record: bool = True,
    ) -> Changes:
        """Run ``write`` in one transaction with the undo step of its effect on
        ``ids``; tell the store's listeners; return what changed."""
        with self.store.write() as conn:
            before = snapshot(conn, ids) if record else {}
            write(conn)
            if record:
                self.record(conn, kind, description, ids, delta(before, snapshot(conn, ids)))
        return self.committed(Changes.of(kind, ids, description))

    def committed(self, changes: Changes) -> Changes:
        self.store.committed(changes)
        return changes

    def record(
        self,
        conn: sqlite3.Connection,
        kind: ChangeKind,
        description: str,
        ids: list[int],
        step: dict[str, Any],
    ) -> None:
        """Store an undo step inside the caller's transaction."""
        # A new change after undoing makes this origin's undone steps unreachable.
        conn.execute("DELETE FROM undo_steps WHERE state = 'undone' AND origin = ?", [self.origin])
        conn.execute(
            "INSERT INTO undo_steps (kind, description, created_at, ids, before, after, origin, "
            "format) VALUES (?, ?, ?, ?, ?, NULL, ?, ?)",
            [
                kind.value,
                description,
                now_iso(),
                json.dumps(ids),
                json.dumps(step, ensure_ascii=False),
                self.origin,
                FORMAT,
            ],
        )

    def undo(self, origin: str | None = None) -> Changes:
        """Undo the latest change made by ``origin`` (default: this journal's; "any":
        anyone's), also one made in an earlier session."""
        return self._step(origin, redo=False)

    def redo(self, origin: str | None = None) -> Changes:
        """Redo the change of ``origin`` undone last."""
        return self._step(origin, redo=True)

    def _step(self, origin: str | None, redo: bool) -> Changes:
        origin = origin or self.origin
        state, order, verb = ("undone", "ASC", "Redid") if redo else ("done", "DESC", "Undid")
        where = "" if origin == ANY_ORIGIN else "AND origin = ?"
        params = [] if origin == ANY_ORIGIN else [origin]
        left_alone: list[str] = []
        with self.store.write() as conn:
            row = conn.execute(
                "SELECT id, description, ids, before, after, format FROM undo_steps "
                f"WHERE state = ? {where} ORDER BY id {order} LIMIT 1",
                [state, *params],
            ).fetchone()
            if row is None:
                raise UserError("nothing to redo" if redo else "nothing to undo")
            number, description, ids, before, after, fmt = row
            step = json.loads(before)
            if fmt == 1:
                step = legacy_step(conn, step, after)
            rows = json.loads(after) if after and fmt != 1 else {}
            if fmt == 1 and redo and after:
                # An import undone before migration 0005: its "after" holds the
                # papers it had created, whole.
                old = json.loads(before)
                rows = {k: v for k, v in json.loads(after).items() if old.get(k) is None and v}
            if redo:
                left_alone = reapply(conn, step, rows)
            else:
                rows = take_back(conn, step, left_alone)
                conn.execute(
                    "UPDATE undo_steps SET after = ?, format = ?, before = ? WHERE id = ?",
                    [json.dumps(rows, ensure_ascii=False), FORMAT, json.dumps(step), number],
                )
            conn.execute(
                "UPDATE undo_steps SET state = ? WHERE id = ?",
                ["done" if redo else "undone", number],
            )
        text = f"{verb}: {description}"
        if left_alone:
            shown = "; ".join(left_alone[:3]) + ("; …" if len(left_alone) > 3 else "")
            text += f" (left alone, changed since: {shown})"
        changes = Changes.of(ChangeKind.REDO if redo else ChangeKind.UNDO, json.loads(ids), text)
        changes.left_alone = left_alone
        return self.committed(changes)


def legacy_step(
    conn: sqlite3.Connection, before: dict[str, Any], after: str | None
) -> dict[str, Any]:
    """A step stored as whole states (before migration 0005) as a delta. An
    import's "after" was not stored: the papers as they are now stand in."""
    old = {int(k): v for k, v in before.items()}
    new = (
        {int(k): v for k, v in json.loads(after).items()}
        if after is not None
        else snapshot(conn, old)
    )
    return delta(old, new)


def _named(conn: sqlite3.Connection, pid: int) -> str:
    """A paper as people know it: its title, shortened (ids mean nothing to them)."""
    row = conn.execute("SELECT title FROM papers WHERE id = ?", [pid]).fetchone()
    return quoted_title(row[0]) if row else f"paper {pid}"


def _exists(conn: sqlite3.Connection, pid: int) -> bool:
    return conn.execute("SELECT 1 FROM papers WHERE id = ?", [pid]).fetchone() is not None


def _set_fields(
    conn: sqlite3.Connection, pid: int, fields: dict[str, list[Any]], back: bool, left: list[str]
) -> None:
    """Each field to its other value, if it still holds the value it should."""
    expect, put = (1, 0) if back else (0, 1)
    for col, values in fields.items():
        current = conn.execute(f"SELECT {col} FROM papers WHERE id = ?", [pid]).fetchone()[0]
        if current == values[put]:
            continue
        if current != values[expect]:
            # The time a status changed goes with the status: one message for both.
            if col not in COMPANIONS:
                left.append(f"the {col.replace('_', ' ')} of {_named(conn, pid)}")
            continue
        conn.execute(f"UPDATE papers SET {col} = ? WHERE id = ?", [values[put], pid])


def _tag(conn: sqlite3.Connection, pid: int, names: list[str], on: bool) -> None:
    for name in names:
        if on:
            found = tag_id(conn, name, create=True)
            conn.execute(
                "INSERT OR IGNORE INTO paper_tags (paper_id, tag_id) VALUES (?, ?)", [pid, found]
            )
        else:
            found = tag_id(conn, name)
            if found is not None:
                conn.execute(
                    "DELETE FROM paper_tags WHERE paper_id = ? AND tag_id = ?", [pid, found]
                )


def _link(conn: sqlite3.Connection, pid: int, links: list[list[Any]], on: bool) -> None:
    for bid, how in links:
        if on:
            conn.execute(
                "INSERT OR IGNORE INTO paper_batches (paper_id, batch_id, how) "
                "SELECT ?, ?, ? WHERE EXISTS (SELECT 1 FROM batches WHERE id = ?)",
                [pid, bid, how, bid],
            )
        else:
            conn.execute(
                "DELETE FROM paper_batches WHERE paper_id = ? AND batch_id = ?", [pid, bid]
            )


def insert_state(conn: sqlite3.Connection, pid: int, item: State) -> None:
    """Put a deleted paper back as it was (its import, if since removed, is dropped)."""
    row = dict(item["row"])
    bid = row.get("batch_id")
    if bid is not None and not conn.execute("SELECT 1 FROM batches WHERE id = ?", [bid]).fetchone():
        row["batch_id"] = None
    conn.execute(
        f"INSERT INTO papers ({', '.join(row)}) VALUES ({marks(list(row))})", list(row.values())
    )
    _tag(conn, pid, item["tags"], on=True)
    _link(conn, pid, item["batches"], on=True)


def _delete(conn: sqlite3.Connection, ids: list[int]) -> None:
    conn.executemany("DELETE FROM papers WHERE id = ?", [(pid,) for pid in ids])


def _change_back(
    conn: sqlite3.Connection, pid: int, entry: dict[str, Any], back: bool, left: list[str]
) -> None:
    """One paper's fields, tags and import links to before the step (``back``)
    or to after it."""
    if not _exists(conn, pid):
        left.append("a paper deleted since")
        return
    gained, lost = ("+", "-") if back else ("-", "+")
    _set_fields(conn, pid, entry.get("fields", {}), back=back, left=left)
    _tag(conn, pid, entry.get("tags" + gained, []), on=False)
    drop_orphan_tags(conn)  # before adding: a renamed tag may differ only in case
    _tag(conn, pid, entry.get("tags" + lost, []), on=True)
    _link(conn, pid, entry.get("batches" + gained, []), on=False)
    _link(conn, pid, entry.get("batches" + lost, []), on=True)


def _put_back(conn: sqlite3.Connection, pid: int, state: State, left: list[str]) -> None:
    if _exists(conn, pid):
        left.append(f"{_named(conn, pid)}, there again")
    else:
        insert_state(conn, pid, state)


def take_back(conn: sqlite3.Connection, step: dict[str, Any], left: list[str]) -> dict[str, Any]:
    """Undo a step; returns the papers it had created, as they were, for redo."""
    for key, entry in step["papers"].items():
        if "deleted" in entry:
            _put_back(conn, int(key), entry["deleted"], left)
        else:
            _change_back(conn, int(key), entry, back=True, left=left)
    created = created_ids(step)
    rows = {str(pid): state for pid, state in snapshot(conn, created).items() if state}
    _delete(conn, created)
    drop_orphan_tags(conn)
    return rows


def reapply(conn: sqlite3.Connection, step: dict[str, Any], rows: dict[str, Any]) -> list[str]:
    """Redo an undone step (``rows``: the papers it created, kept by the undo)."""
    left: list[str] = []
    for key, state in rows.items():
        _put_back(conn, int(key), state, left)
    for key, entry in step["papers"].items():
        if "deleted" in entry:
            _delete(conn, [int(key)])
        else:
            _change_back(conn, int(key), entry, back=False, left=left)
    drop_orphan_tags(conn)
    return left
