"""Every schema change, in order. Never edit a migration that has shipped; add one.

The steps are a plain list, so that their number (stamped as PRAGMA user_version
once all are applied) is known without importing sqlite-utils; ``migration_set()``
hands them to sqlite-utils' Migrations when there is something to apply.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from readinglist.core.db import run_script

if TYPE_CHECKING:
    from sqlite_utils import Database
    from sqlite_utils.migrations import Migrations

Step = Callable[["Database"], None]
#: (name, function) for every migration, in order.
STEPS: list[tuple[str, Step]] = []
SET_NAME = "readinglist"


def migration(name: str) -> Callable[[Step], Step]:
    """Register a migration step (in the order of the module)."""

    def register(fn: Step) -> Step:
        STEPS.append((name, fn))
        return fn

    return register


def version() -> int:
    """The schema version of a library with every migration applied."""
    return len(STEPS)


def migration_set() -> Migrations:
    """The steps as sqlite-utils Migrations, which records what was applied."""
    from sqlite_utils.migrations import Migrations

    found = Migrations(SET_NAME)
    for name, fn in STEPS:
        found(name=name)(fn)
    return found


@migration("0001_initial")
def m0001_initial(db: Database) -> None:
    run_script(
        db,
        """
        CREATE TABLE batches (
            id INTEGER PRIMARY KEY,
            source TEXT NOT NULL,
            format TEXT NOT NULL,
            created_at TEXT NOT NULL,
            added INTEGER NOT NULL DEFAULT 0,
            merged INTEGER NOT NULL DEFAULT 0,
            unchanged INTEGER NOT NULL DEFAULT 0,
            skipped INTEGER NOT NULL DEFAULT 0,
            report TEXT NOT NULL DEFAULT '{}'
        );
        -- The text exactly as the user gave it, apart from the batch row so that
        -- updating a batch's counts never rewrites megabytes of text.
        CREATE TABLE batch_texts (
            batch_id INTEGER PRIMARY KEY REFERENCES batches(id) ON DELETE CASCADE,
            raw_text TEXT NOT NULL
        );
        CREATE TABLE papers (
            id INTEGER PRIMARY KEY,
            title TEXT NOT NULL,
            title_key TEXT NOT NULL,
            abstract TEXT NOT NULL DEFAULT '',
            authors TEXT NOT NULL DEFAULT '[]',
            year INTEGER,
            arxiv_id TEXT,
            doi TEXT,
            url TEXT,
            links TEXT NOT NULL DEFAULT '[]',
            categories TEXT NOT NULL DEFAULT '[]',
            comments TEXT NOT NULL DEFAULT '',
            journal_ref TEXT NOT NULL DEFAULT '',
            extra TEXT NOT NULL DEFAULT '{}',
            citekey TEXT,
            status TEXT NOT NULL DEFAULT 'unread'
                CHECK (status IN ('unread', 'queued', 'read', 'dismissed')),
            starred INTEGER NOT NULL DEFAULT 0 CHECK (starred IN (0, 1)),
            added_at TEXT NOT NULL,
            status_changed_at TEXT,
            note TEXT NOT NULL DEFAULT '',
            batch_id INTEGER REFERENCES batches(id) ON DELETE SET NULL
        );
        CREATE UNIQUE INDEX papers_arxiv_id ON papers(arxiv_id) WHERE arxiv_id IS NOT NULL;
        CREATE UNIQUE INDEX papers_doi ON papers(lower(doi)) WHERE doi IS NOT NULL;
        CREATE INDEX papers_title_key ON papers(title_key);
        CREATE INDEX papers_status ON papers(status);
        CREATE UNIQUE INDEX papers_citekey ON papers(citekey COLLATE NOCASE)
            WHERE citekey IS NOT NULL;
        CREATE TABLE tags (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE COLLATE NOCASE
        );
        CREATE TABLE paper_tags (
            paper_id INTEGER NOT NULL REFERENCES papers(id) ON DELETE CASCADE,
            tag_id INTEGER NOT NULL REFERENCES tags(id) ON DELETE CASCADE,
            PRIMARY KEY (paper_id, tag_id)
        ) WITHOUT ROWID;
        CREATE INDEX paper_tags_tag ON paper_tags(tag_id);
        -- Which imports merged into or re-listed each paper; the import that
        -- added a paper is papers.batch_id.
        CREATE TABLE paper_batches (
            paper_id INTEGER NOT NULL REFERENCES papers(id) ON DELETE CASCADE,
            batch_id INTEGER NOT NULL REFERENCES batches(id) ON DELETE CASCADE,
            how TEXT NOT NULL CHECK (how IN ('merged', 'unchanged')),
            PRIMARY KEY (paper_id, batch_id)
        ) WITHOUT ROWID;
        CREATE INDEX paper_batches_batch ON paper_batches(batch_id);
        CREATE TABLE settings (
            name TEXT PRIMARY KEY,
            value TEXT NOT NULL
        );
        """,
    )


@migration("0002_search_index_queue")
def m0002_search(db: Database) -> None:
    # Papers changed since they were last indexed. Triggers write it in the
    # same transaction as the change, so a crash between SQLite and Whoosh is
    # caught up from here on the next start instead of a full rebuild.
    run_script(
        db,
        """
        CREATE TABLE index_queue (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            paper_id INTEGER NOT NULL
        );
        CREATE TRIGGER papers_indexed_insert AFTER INSERT ON papers BEGIN
            INSERT INTO index_queue (paper_id) VALUES (NEW.id);
        END;
        CREATE TRIGGER papers_indexed_update AFTER UPDATE OF
            title, abstract, authors, year, arxiv_id, categories, status, starred, note,
            added_at, batch_id ON papers BEGIN
            INSERT INTO index_queue (paper_id) VALUES (NEW.id);
        END;
        CREATE TRIGGER papers_indexed_delete AFTER DELETE ON papers BEGIN
            INSERT INTO index_queue (paper_id) VALUES (OLD.id);
        END;
        CREATE TRIGGER paper_tags_indexed_insert AFTER INSERT ON paper_tags BEGIN
            INSERT INTO index_queue (paper_id) VALUES (NEW.paper_id);
        END;
        CREATE TRIGGER paper_tags_indexed_delete AFTER DELETE ON paper_tags BEGIN
            INSERT INTO index_queue (paper_id) VALUES (OLD.paper_id);
        END;
        CREATE TRIGGER paper_batches_indexed AFTER INSERT ON paper_batches BEGIN
            INSERT INTO index_queue (paper_id) VALUES (NEW.paper_id);
        END;
        -- Renaming a tag changes every paper carrying it.
        CREATE TRIGGER tags_indexed_rename AFTER UPDATE OF name ON tags BEGIN
            INSERT INTO index_queue (paper_id)
                SELECT paper_id FROM paper_tags WHERE tag_id = NEW.id;
        END;
        CREATE TABLE saved_searches (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE COLLATE NOCASE,
            query TEXT NOT NULL,
            created_at TEXT NOT NULL
        );
        -- Every existing paper needs indexing once.
        INSERT INTO index_queue (paper_id) SELECT id FROM papers;
        """,
    )


@migration("0003_citekey_pinning")
def m0003_citekeys(db: Database) -> None:
    # Where each key came from, and when it first left the library in an export:
    # a generated key may be regenerated once when better metadata arrives,
    # but never after it was exported (someone may be citing it).
    run_script(
        db,
        """
        ALTER TABLE papers ADD COLUMN citekey_source TEXT NOT NULL DEFAULT 'generated'
            CHECK (citekey_source IN ('generated', 'regenerated', 'imported', 'user'));
        ALTER TABLE papers ADD COLUMN exported_at TEXT;
        """,
    )


@migration("0004_undo")
def m0004_undo(db: Database) -> None:
    # One row per undoable step. "before" and "after" hold the complete state of
    # the papers a step touched (row, tags, imports), so undo and redo restore it
    # exactly and survive a restart. An import's "after" is taken when it is
    # undone (storing every new abstract twice up front would double the import).
    run_script(
        db,
        """
        CREATE TABLE undo_steps (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL,
            description TEXT NOT NULL,
            created_at TEXT NOT NULL,
            state TEXT NOT NULL DEFAULT 'done' CHECK (state IN ('done', 'undone')),
            ids TEXT NOT NULL,
            before TEXT NOT NULL,
            after TEXT
        );
        """,
    )


@migration("0005_undo_by_origin")
def m0005_undo_origin(db: Database) -> None:
    # Each step says where it was made ("app", "cli"), so each front end undoes
    # its own changes, and how it is stored: format 1 (the steps above) holds
    # whole states, format 2 only what the step changed (fields, tags, imports),
    # so an undo never takes back what someone else changed since.
    run_script(
        db,
        """
        ALTER TABLE undo_steps ADD COLUMN origin TEXT NOT NULL DEFAULT 'cli';
        ALTER TABLE undo_steps ADD COLUMN format INTEGER NOT NULL DEFAULT 1;
        CREATE INDEX undo_steps_origin ON undo_steps(origin, state, id);
        """,
    )


@migration("0006_writers")
def m0006_writers(db: Database) -> None:
    # Each process that writes counts its commits here, in the same transaction,
    # so a window can tell another process's changes (the CLI's) from those of
    # its own threads: SQLite's data_version moves for any other connection.
    run_script(
        db,
        """
        CREATE TABLE writers (
            pid INTEGER PRIMARY KEY,
            serial INTEGER NOT NULL,
            at TEXT NOT NULL
        );
        """,
    )


@migration("0007_import_order")
def m0007_import_order(db: Database) -> None:
    # Views list the newest import first and each import in its page order
    # (batch_id DESC, id ASC). Index entries end in the rowid, ascending, so this
    # indexes give that order with no sort (the Inbox at 100,000 papers would
    # otherwise sort on every reload); the first serves the import views too, the
    # second replaces the status index it starts with.
    run_script(
        db,
        """
        CREATE INDEX papers_batch_order ON papers(batch_id DESC);
        CREATE INDEX papers_status_order ON papers(status, batch_id DESC);
        DROP INDEX papers_status;
        """,
    )


@migration("0008_facts_from_sqlite")
def m0008_facts_from_sqlite(db: Database) -> None:
    # is:read, is:starred and the other status filters are answered from SQLite
    # (search.SearchIndex.facts), so a status or star change no longer queues the
    # paper for indexing: marking 1,141 papers read left searches stale for 20-35 s.
    run_script(
        db,
        """
        DROP TRIGGER papers_indexed_update;
        CREATE TRIGGER papers_indexed_update AFTER UPDATE OF
            title, abstract, authors, year, arxiv_id, categories, note,
            added_at, batch_id ON papers BEGIN
            INSERT INTO index_queue (paper_id) VALUES (NEW.id);
        END;
        """,
    )
