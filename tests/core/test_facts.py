"""Status and star filters come from SQLite: a triage change needs no reindexing,
and a search never answers them from a stale index (issue 16)."""

from __future__ import annotations

import shutil

import pytest

from readinglist.core.library import Library

from support import corpus

MAILING = "arxiv-listing-text/arxiv-subscription-viewer__arxiv-mailing-cs-2026-01-20-full.txt"


def _index_files(folder):
    return sorted((p.name, p.stat().st_size) for p in (folder / "index").iterdir())


@pytest.fixture(scope="module")
def _big_built(tmp_path_factory):
    folder = tmp_path_factory.mktemp("facts") / "lib"
    with Library.open(folder, index=False) as lib:
        lib.import_file(corpus(MAILING), with_revisions=True)
        lib.ensure_index()
    return folder


@pytest.fixture
def big(_big_built, tmp_path):
    """The real 1,141-entry arXiv mailing, imported and indexed (built once; each
    test gets its own copy, as the tests change it)."""
    folder = tmp_path / "lib"
    shutil.copytree(_big_built, folder, ignore=shutil.ignore_patterns("backups"))
    return folder


def test_marking_every_paper_read_queues_nothing_and_is_searchable_at_once(big):
    with Library.open(big) as lib:
        n = lib.count()
        assert n > 1000
        before = _index_files(big)
        ids = lib.ids()
        lib.mark(ids, "read")  # Ctrl+A r on the whole mailing
        lib.set_starred(ids[:10], True)
        assert lib.pending_index_changes() == 0
        assert _index_files(big) == before  # the index was not touched
        assert lib.search("is:read", limit=None).total == n
        assert lib.search("is:unread", limit=None).total == 0
        assert lib.search("is:starred", limit=None).total == 10
        # A word and a fact: the text from the index, the fact from SQLite.
        word = lib.search("learning", limit=None)
        both = lib.search("learning is:read", limit=None)
        assert word.total > 50 and both.total == word.total
        assert lib.search("learning is:unread").total == 0
        starred = {h.paper.id for h in lib.search("learning is:starred", limit=None).hits}
        assert starred == {h.paper.id for h in word.hits} & set(ids[:10])
        lib.undo()  # the star
        lib.undo()  # the marks
        assert lib.search("learning is:unread", limit=None).total == word.total
        assert lib.search("is:starred").total == 0
        assert lib.pending_index_changes() == 0


def test_another_process_change_is_seen_by_the_next_search(big):
    with Library.open(big) as reader:
        assert reader.search("is:queued").total == 0  # cached now
        with Library.open(big, index=False) as writer:  # another connection (the CLI)
            writer.mark([1, 2, 3], "queued")
        assert sorted(h.paper.id for h in reader.search("is:queued").hits) == [1, 2, 3]


def test_filters_alone_list_papers_the_index_has_not_caught_up_with(tmp_path):
    folder = tmp_path / "lib"
    with Library.open(folder) as lib:
        with Library.open(folder, index=False) as other:
            other.import_text("A Paper Nobody Indexed Yet\n\nIts abstract, long enough.\n")
        assert lib.pending_index_changes() == 1
        assert [h.paper.title for h in lib.search("is:unread").hits] == [
            "A Paper Nobody Indexed Yet"
        ]
        assert lib.search("nobody").total == 0  # words wait for the index


def test_status_as_a_field_is_the_is_filter(tmp_path):
    with Library.open(tmp_path / "lib") as lib:
        lib.import_text("Some Paper About Graphs\n\nAn abstract about graphs.\n")
        assert lib.search("status:read graphs").total == 0
        assert lib.search("status:unread graphs").total == 1
        outcome = lib.search('starred:"yes" graphs')  # not a field the index answers
        assert "is searched with is:" in outcome.notice
