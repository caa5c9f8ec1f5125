"""The mutation kernel and the store (issue 14): a write never nests, undo takes
back only what its step changed and only its own front end's steps, pins are
never undone, and every change reports its kind."""

from __future__ import annotations

import json

import pytest

from readinglist.core.errors import UserError
from readinglist.core.library import Library
from readinglist.core.models import ChangeKind
from readinglist.core.store import NestedWrite

from support import FIXTURES, corpus, generated_text


@pytest.fixture
def folder(tmp_path):
    path = tmp_path / "lib"
    with Library.open(path, index=False) as lib:
        lib.import_file(FIXTURES / "arxiv-new-page.txt")
    return path


def test_a_write_inside_an_import_is_refused_and_the_import_is_untouched(tmp_path):
    refused = []
    with Library.open(tmp_path / "lib", index=False) as lib:
        lib.import_text("A First Paper Title\n\nAn abstract of the first paper, in words.")

        def progress(done, total):
            # What the app's import did when it pumped events: a note saved while
            # the import's transaction is open (the first call comes before it).
            if not done:
                return
            try:
                lib.set_note(1, "typed during the import")
            except NestedWrite as exc:
                refused.append(str(exc))

        report = lib.import_text(generated_text(40), source="big.txt", progress=progress)
        assert report.added == 40 and lib.count() == 41
        assert refused and "still being written" in refused[0]
        assert lib.get(1).note == ""  # refused, not half-written
        assert lib.db.execute("PRAGMA foreign_key_check").fetchall() == []
        # The library takes writes again at once.
        lib.set_note(1, "after")
        assert lib.get(1).note == "after"


def test_a_nested_write_left_uncaught_rolls_back_only_cleanly(tmp_path):
    with Library.open(tmp_path / "lib", index=False) as lib:
        lib.import_text("A First Paper Title\n\nAn abstract of the first paper, in words.")

        def progress(done, total):
            if done:
                lib.mark([1], "read")

        with pytest.raises(NestedWrite):
            lib.import_text(generated_text(40), source="big.txt", progress=progress)
        assert lib.count() == 1 and lib.get(1).status.value == "unread"
        assert not lib.db.conn.in_transaction
        assert lib.import_text(generated_text(40), source="big.txt").added == 40


def test_each_front_end_undoes_its_own_changes(folder):
    with (
        Library.open(folder, index=False, origin="app") as app,
        Library.open(folder, index=False, origin="cli") as script,
    ):
        app.tag([1], add=["mine"])
        script.tag([2], add=["scripted"])
        assert app.undo().description == "Undid: tagged mine on 1 paper"
        assert app.get(1).tags == [] and app.get(2).tags == ["scripted"]
        script.set_starred([3], True)  # the script commits again: the app's redo stays
        assert app.redo().description == "Redid: tagged mine on 1 paper"
        assert app.get(1).tags == ["mine"]
        assert script.undo().description == "Undid: starred 1 paper"
        assert script.undo().description == "Undid: tagged scripted on 1 paper"
        assert app.get(1).tags == ["mine"] and app.get(3).starred is False
        assert script.undo(origin="any").kind is ChangeKind.UNDO  # the app's tag, asked for
        assert app.get(1).tags == []


def test_a_field_changed_since_is_left_alone_and_the_undo_says_so(folder):
    with (
        Library.open(folder, index=False, origin="app") as app,
        Library.open(folder, index=False, origin="cli") as script,
    ):
        app.mark([1, 2], "read")
        app.tag([1], add=["keep"])
        script.mark([1], "queued")  # paper 1's status, changed again since
        # As when that came a second later: the time of the change differs too
        # (it is left alone with the status, and not named on its own).
        with script.store.write() as conn:
            conn.execute("UPDATE papers SET status_changed_at = '2000-01-01' WHERE id = 1")
        app.undo()  # the tag
        changes = app.undo()  # the status of 1 and 2
        assert app.get(2).status.value == "unread"
        assert app.get(1).status.value == "queued"
        title = app.get(1).title
        assert changes.left_alone == [f"the status of “{title[:39].rstrip()}…”"]
        assert "(left alone, changed since: the status of “" in changes.description
        assert "paper 1" not in changes.description  # the app never shows ids
        script.undo()
        assert app.get(1).status.value == "read"  # the script's own step, back to its "before"


def test_undo_never_takes_back_a_pin(tmp_path):
    # The example: an undo cleared the "exported" pin, and the next
    # import renamed an exported key (FourthPaperUndo -> newmanFourthPaperUndo2022).
    with Library.open(tmp_path / "lib", index=False) as lib:
        lib.import_text("The Fourth Paper of Undo\n\nAn abstract that says what it does.")
        key = lib.get(1).citekey
        lib.tag([1], add=["x"])
        lib.export_bibtex(lib.get_many([1]))
        lib.undo()  # the tag
        assert lib.db.execute("SELECT exported_at FROM papers").fetchone()[0] is not None
        more = "@article{x,\n  title = {The Fourth Paper of Undo},\n  author = {Newman, Ada},\n}\n"
        lib.import_text(more)
        assert lib.get(1).authors == ["Ada Newman"]
        assert lib.get(1).citekey == key


def test_a_step_from_before_the_upgrade_is_undone_too(folder):
    # Steps written before migration 0005 hold whole states (format 1).
    with Library.open(folder, index=False) as lib:
        lib.mark([1], "read")
        row = dict(
            zip(
                [d[0] for d in lib.db.execute("SELECT * FROM papers WHERE id = 1").description],
                lib.db.execute("SELECT * FROM papers WHERE id = 1").fetchone(),
                strict=True,
            )
        )
        before = {"1": {"row": {**row, "status": "unread"}, "tags": [], "batches": []}}
        after = {"1": {"row": row, "tags": [], "batches": []}}
        with lib.store.write() as conn:
            conn.execute("DELETE FROM undo_steps")
            conn.execute(
                "INSERT INTO undo_steps (kind, description, created_at, ids, before, after, "
                "origin, format) VALUES ('status', 'marked 1 paper read', '', '[1]', ?, ?, "
                "'cli', 1)",
                [json.dumps(before), json.dumps(after)],
            )
        assert lib.undo().description == "Undid: marked 1 paper read"
        assert lib.get(1).status.value == "unread"
        lib.redo()
        assert lib.get(1).status.value == "read"


def test_every_change_says_its_kind_and_what_else_changed(folder):
    with Library.open(folder, index=False) as lib:
        assert lib.mark([1], "read").kind is ChangeKind.STATUS
        assert lib.mark([1], "read").counts
        tagged = lib.tag([1], add=["t"])
        assert tagged.kind is ChangeKind.TAGS and tagged.tags and tagged.paper_ids == [1]
        assert lib.set_note(1, "n").kind is ChangeKind.NOTE
        assert not lib.set_note(1, "n2").counts
        assert lib.set_citekey(1, "mykey").kind is ChangeKind.CITEKEY
        assert lib.save_search("s", "attention").saved_searches
        assert lib.set_setting("backups_keep", 3).settings
        assert lib.delete([2]).kind is ChangeKind.DELETE
        assert lib.undo().kind is ChangeKind.UNDO
        imported = lib.import_text("A Brand New Paper Title\n\nIts abstract, in a few words.")
        assert imported.changes is not None and imported.changes.kind is ChangeKind.IMPORT
        assert imported.changes.paper_ids == imported.paper_ids and imported.changes.counts
        assert lib.import_text("A Brand New Paper Title\n\nIts abstract.").changes is None
        with pytest.raises(UserError, match="nothing to redo"):
            lib.redo(origin="app")


def test_undo_of_an_import_keeps_what_was_merged_exactly(tmp_path):
    with Library.open(tmp_path / "lib", index=False) as lib:
        lib.import_file(corpus("listings/hf-papers-page.txt"))
        lib.tag([1], add=["before"])
        report = lib.import_file(FIXTURES / "arxiv-digest-overlap.txt")
        assert report.merged
        lib.tag([1], add=["after"])  # a later step on a merged paper
        lib.undo()  # that tag
        lib.undo()  # the import
        assert lib.get(1).tags == ["before"]
        step = lib.db.execute("SELECT before FROM undo_steps WHERE kind = 'import'").fetchall()
        assert all("created" in json.loads(s) for (s,) in step)


def test_the_schema_stamp_counts_every_migration(tmp_path):
    # An up-to-date library opens without sqlite-utils' migration machinery,
    # trusting PRAGMA user_version: it is the number of migrations.
    import sqlite_utils

    from readinglist.core import migrations

    steps = migrations.migration_set()
    assert migrations.version() == len(steps.pending(sqlite_utils.Database(memory=True))) == 8
    with Library.open(tmp_path / "lib", index=False) as lib:
        assert lib.db.execute("PRAGMA user_version").fetchone()[0] == migrations.version()
        assert not steps.pending(lib.db)
