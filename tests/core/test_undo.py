"""Undo and redo of every kind of change, in the core, also across a restart."""

from __future__ import annotations

import hashlib

import pytest

from readinglist.core.errors import UserError
from readinglist.core.library import Library

from support import FIXTURES, corpus


def snapshot(lib: Library) -> str:
    h = hashlib.sha256()
    # Tags by name: an undone rename may give the restored tag a new row id.
    for sql in (
        "SELECT * FROM papers ORDER BY id",
        "SELECT pt.paper_id, t.name FROM paper_tags pt JOIN tags t ON t.id = pt.tag_id "
        "ORDER BY 1, 2",
        "SELECT name FROM tags ORDER BY name",
        "SELECT * FROM paper_batches ORDER BY 1, 2",
    ):
        for row in lib.db.execute(sql):
            h.update(repr(row).encode())
    return h.hexdigest()


@pytest.fixture
def lib(tmp_path):
    with Library.open(tmp_path / "lib", index=False) as library:
        library.import_file(FIXTURES / "arxiv-new-page.txt")
        yield library


CHANGES = [
    ("mark", lambda lib: lib.mark([1, 2, 3], "read")),
    ("star", lambda lib: lib.set_starred([2], True)),
    ("tag", lambda lib: lib.tag([1, 2], add=["moe", "later"])),
    ("untag", lambda lib: (lib.tag([1], add=["x"]), lib.tag([1], remove=["x"]))[-1]),
    ("note", lambda lib: lib.set_note(1, "a note")),
    ("citekey", lambda lib: lib.set_citekey(1, "mine2024")),
    ("rename tag", lambda lib: (lib.tag([1], add=["a"]), lib.rename_tag("a", "b"))[-1]),
    ("delete tag", lambda lib: (lib.tag([1, 2], add=["a"]), lib.delete_tag("a"))[-1]),
    (
        "delete",
        lambda lib: (lib.tag([2], add=["keep"]), lib.set_note(2, "n"), lib.delete([2, 3]))[-1],
    ),
    ("import", lambda lib: lib.import_file(FIXTURES / "arxiv-digest-overlap.txt")),
]


@pytest.mark.parametrize(("name", "change"), CHANGES, ids=[c[0] for c in CHANGES])
def test_undo_and_redo_every_kind_of_change(lib, name, change):
    change(lib)
    lib.mark([4], "queued")  # something before the step under test, left alone
    lib.undo()  # undo that extra step first
    after = snapshot(lib)
    before_step = None
    # Undo the change under test (the latest step now), check, redo, check.
    result = lib.undo()
    assert result.description.startswith("Undid: ")
    before_step = snapshot(lib)
    assert before_step != after
    lib.redo()
    assert snapshot(lib) == after
    lib.undo()
    assert snapshot(lib) == before_step


def test_bulk_action_is_one_step_and_message_says_what(lib):
    lib.mark([1, 2, 3], "read")
    changes = lib.undo()
    assert changes.description == "Undid: marked 3 papers read"
    assert all(p.status.value == "unread" for p in lib.list_papers())


def test_import_is_one_step_merges_included(tmp_path):
    with Library.open(tmp_path / "lib", index=False) as lib:
        lib.import_file(corpus("listings/hf-papers-page.txt"))
        start = snapshot(lib)
        lib.import_file(FIXTURES / "arxiv-digest-overlap.txt")  # 2 merged into existing
        lib.import_file(FIXTURES / "arxiv-new-page.txt")  # 4 added
        lib.undo()
        lib.undo()
        assert snapshot(lib) == start
        lib.redo()
        lib.redo()
        assert lib.count() == 54 and lib.select(query_text=None)[0].id == 1


def test_undo_survives_a_restart(tmp_path):
    folder = tmp_path / "lib"
    with Library.open(folder, index=False) as lib:
        lib.import_file(FIXTURES / "arxiv-new-page.txt")
        lib.tag([1], add=["persist"])
    with Library.open(folder, index=False) as lib:
        assert lib.undo().description == "Undid: tagged persist on 1 paper"
        assert lib.get(1).tags == []
    with Library.open(folder, index=False) as lib:
        lib.redo()
        assert lib.get(1).tags == ["persist"]


def test_new_change_clears_redo_and_empty_stacks_say_so(lib):
    lib.mark([1], "read")
    lib.undo()
    lib.set_starred([1], True)
    with pytest.raises(UserError, match="nothing to redo"):
        lib.redo()
    lib.undo()
    lib.undo()  # the import
    with pytest.raises(UserError, match="nothing to undo"):
        lib.undo()


def test_undo_keeps_the_search_index_in_step(tmp_path):
    with Library.open(tmp_path / "lib") as lib:
        lib.import_file(FIXTURES / "arxiv-new-page.txt")
        lib.tag([1], add=["undoable"])
        assert lib.search("tag:undoable").total == 1
        lib.undo()
        assert lib.search("tag:undoable").total == 0
        lib.undo()
        assert lib.search("sparse").total == 0 and lib.check()["ok"]
        lib.redo()
        assert lib.search("sparse").total == 1 and lib.check()["ok"]
