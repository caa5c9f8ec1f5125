"""The changes a user makes to papers: status, star, tags, note, citation key,
deletion, and the pin an export puts on keys. Each is one undo step."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence

from readinglist.core.db import now_iso
from readinglist.core.errors import UserError
from readinglist.core.models import ChangeKind, Changes, Status
from readinglist.core.papers import Papers, drop_orphan_tags, quoted_title, status_value, tag_id
from readinglist.core.undo import Journal


def n_papers(n: int) -> str:
    return f"{n} paper" if n == 1 else f"{n:,} papers"


def clean_tag(name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise UserError("a tag name cannot be empty")
    if len(name) > 100:
        raise UserError("a tag name can be at most 100 characters")
    return name


class Triage:
    def __init__(self, journal: Journal, papers: Papers) -> None:
        self.journal = journal
        self.papers = papers

    def mark(self, ids: Sequence[int], status: Status | str) -> Changes:
        value = status_value(status)
        ids = self.papers.existing(ids)
        now = now_iso()

        def write(conn: sqlite3.Connection) -> None:
            conn.executemany(
                "UPDATE papers SET status = ?, status_changed_at = ? WHERE id = ? AND status != ?",
                [(value, now, pid, value) for pid in ids],
            )

        text = f"marked {n_papers(len(ids))} {value}"
        return self.journal.change(ChangeKind.STATUS, text, ids, write)

    def set_starred(self, ids: Sequence[int], starred: bool) -> Changes:
        ids = self.papers.existing(ids)
        verb = "starred" if starred else "unstarred"

        def write(conn: sqlite3.Connection) -> None:
            conn.executemany(
                "UPDATE papers SET starred = ? WHERE id = ?", [(int(starred), pid) for pid in ids]
            )

        return self.journal.change(ChangeKind.STARRED, f"{verb} {n_papers(len(ids))}", ids, write)

    def tag(
        self, ids: Sequence[int], add: Iterable[str] = (), remove: Iterable[str] = ()
    ) -> Changes:
        """Add and remove tags on papers. Tag names are unique ignoring case."""
        ids = self.papers.existing(ids)
        added = [clean_tag(t) for t in add]
        removed = [clean_tag(t) for t in remove]
        parts = []
        if added:
            parts.append("tagged " + ", ".join(added))
        if removed:
            parts.append("untagged " + ", ".join(removed))
        text = f"{' and '.join(parts) or 'tags unchanged'} on {n_papers(len(ids))}"

        def write(conn: sqlite3.Connection) -> None:
            for name in added:
                found = tag_id(conn, name, create=True)
                conn.executemany(
                    "INSERT OR IGNORE INTO paper_tags (paper_id, tag_id) VALUES (?, ?)",
                    [(pid, found) for pid in ids],
                )
            for name in removed:
                gone = tag_id(conn, name)
                if gone is not None:
                    conn.executemany(
                        "DELETE FROM paper_tags WHERE paper_id = ? AND tag_id = ?",
                        [(pid, gone) for pid in ids],
                    )
            if removed:
                drop_orphan_tags(conn)

        return self.journal.change(ChangeKind.TAGS, text, ids, write)

    def rename_tag(self, old: str, new: str) -> Changes:
        """Rename a tag; renaming onto an existing tag merges the two."""
        new = clean_tag(new)
        old_id, ids = self.papers.tagged(old)
        target_id = tag_id(self.papers.conn, new)
        merging = target_id is not None and target_id != old_id
        verb = "merged tag {} into {}" if merging else "renamed tag {} to {}"
        text = verb.format(old.strip(), new)

        def write(conn: sqlite3.Connection) -> None:
            if not merging:
                conn.execute("UPDATE tags SET name = ? WHERE id = ?", [new, old_id])
                return
            conn.execute(
                "INSERT OR IGNORE INTO paper_tags (paper_id, tag_id) "
                "SELECT paper_id, ? FROM paper_tags WHERE tag_id = ?",
                [target_id, old_id],
            )
            conn.execute("DELETE FROM tags WHERE id = ?", [old_id])

        return self.journal.change(ChangeKind.TAGS, text, ids, write)

    def delete_tag(self, name: str) -> Changes:
        found, ids = self.papers.tagged(name)
        text = f"deleted tag {name.strip()} from {n_papers(len(ids))}"

        def write(conn: sqlite3.Connection) -> None:
            conn.execute("DELETE FROM paper_tags WHERE tag_id = ?", [found])
            conn.execute("DELETE FROM tags WHERE id = ?", [found])

        return self.journal.change(ChangeKind.TAGS, text, ids, write)

    def set_note(self, paper_id: int, note: str) -> Changes:
        ids = self.papers.existing([paper_id])

        def write(conn: sqlite3.Connection) -> None:
            conn.execute("UPDATE papers SET note = ? WHERE id = ?", [note, paper_id])

        text = f"edited the note of {quoted_title(self.papers.get(paper_id).title)}"
        return self.journal.change(ChangeKind.NOTE, text, ids, write)

    def delete(self, ids: Sequence[int]) -> Changes:
        ids = self.papers.existing(ids)

        def write(conn: sqlite3.Connection) -> None:
            conn.executemany("DELETE FROM papers WHERE id = ?", [(pid,) for pid in ids])
            drop_orphan_tags(conn)

        return self.journal.change(ChangeKind.DELETE, f"deleted {n_papers(len(ids))}", ids, write)

    def set_citekey(self, paper_id: int, key: str) -> Changes:
        """Give a paper a citation key of the user's choosing (pinned from then on)."""
        key = key.strip()
        from readinglist.core.bibtex import valid_citekey

        if not valid_citekey(key):
            raise UserError(
                f"{key!r} is not a usable citation key: use ASCII letters, digits and _ : . / + -"
            )
        title = quoted_title(self.papers.get(paper_id).title)
        owner = self.papers.citekey_owner(key, paper_id)
        if owner is not None:
            raise UserError(f"the citation key {key!r} is already used by paper {owner}")

        def write(conn: sqlite3.Connection) -> None:
            conn.execute(
                "UPDATE papers SET citekey = ?, citekey_source = 'user' WHERE id = ?",
                [key, paper_id],
            )

        text = f"set the citation key of {title} to {key}"
        return self.journal.change(ChangeKind.CITEKEY, text, [paper_id], write)

    def pin_keys(self, ids: Sequence[int]) -> Changes:
        """Mark the papers' keys as exported: never regenerated from now on. Not an
        undo step (a key that left the library stays pinned)."""
        now = now_iso()
        ids = list(ids)

        def write(conn: sqlite3.Connection) -> None:
            conn.executemany(
                "UPDATE papers SET exported_at = ? WHERE id = ? AND exported_at IS NULL",
                [(now, pid) for pid in ids],
            )

        changes = self.journal.change(
            ChangeKind.EXPORT, f"pinned the keys of {n_papers(len(ids))}", ids, write, record=False
        )
        changes.counts = False
        return changes
