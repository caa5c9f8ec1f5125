"""Every query answers quickly or is cut with a note; hyphenated prefixes work
(issue 16). Timings are not asserted here: bench/bench_search.py measures them."""

from __future__ import annotations

import re

import pytest

from readinglist.core.library import Library
from readinglist.core.search_highlight import MARK_START

from support import corpus


@pytest.fixture(scope="module")
def lib(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bounded") / "lib"
    with Library.open(folder, index=False) as setup:
        setup.import_file(corpus("listings/hf-papers-page.txt"))
        setup.import_file(corpus("arxiv-listing-text/arxiv-subscription-viewer__2026-01-23.txt"))
    library = Library.open(folder)
    yield library
    library.close()


def _text_of(paper):
    return "\n".join((paper.title, paper.abstract, paper.note))


@pytest.mark.parametrize("typed", ["self-supervis*", "self-distil*", "Self-Superv*"])
def test_a_hyphenated_prefix_finds_the_hyphenated_words(lib, typed):
    first, rest = typed.rstrip("*").lower().split("-", 1)
    # What the words are, in any paper's title, abstract or note: "self-supervised",
    # "Self-Supervision", "self supervised".
    pattern = re.compile(rf"\b{first}[\s-]+{rest}", re.IGNORECASE)
    expected = {p.id for p in lib.list_papers() if pattern.search(_text_of(p))}
    found = lib.search(typed, limit=None)
    assert len(expected) >= 2
    assert {h.paper.id for h in found.hits} == expected
    assert not found.notice


def test_a_lone_star_is_not_a_search(lib):
    for typed in ("*", "tag:*", "**"):
        outcome = lib.search(typed)
        assert outcome.total == 0, typed
        assert "* alone is not a search" in outcome.notice or "too short" in outcome.notice


def test_long_queries_are_cut_with_a_note(lib):
    many = " ".join(f"word{i}" for i in range(4000))
    outcome = lib.search(many)
    assert "shortened to its first 1,000 characters" in outcome.notice
    assert "shortened to its first 64 terms" in outcome.notice
    digits = lib.search("arxiv:" + "1" * 100_000)
    assert digits.total == 0 and "1,000 characters" in digits.notice
    huge = lib.search("learning " * 200_000)  # a 1.8 MB paste into the search box
    plain = lib.search("learning")
    assert huge.total == plain.total > 0 and "shortened" in huge.notice
    # 64 terms are still searched: the first 64 words of a long query.
    words = "learning model " * 40
    assert lib.search(words).total == lib.search("learning model").total


def test_a_query_under_the_limits_is_not_touched(lib):
    outcome = lib.search("self-supervised learning is:unread")
    assert "shortened" not in outcome.notice


def _title_and_authors(paper):
    return "\n".join((paper.title, *paper.authors))


@pytest.mark.parametrize("word", ["representation", "distillation", "transformers", "generalizing"])
def test_a_prefix_of_any_length_finds_the_title_and_author_words_it_begins(lib, word):
    # Up to 7 letters a prefix is one indexed piece; beyond, it expands over the long
    # words kept whole. Over the stemmed title, "representati*" once found nothing.
    for k in range(3, len(word) + 1):
        typed = word[:k]
        pattern = re.compile(rf"\b{typed}", re.IGNORECASE)
        expected = {p.id for p in lib.list_papers() if pattern.search(_title_and_authors(p))}
        found = lib.search(typed + "*", limit=None, snippets=True)
        assert {h.paper.id for h in found.hits} == expected, typed
        if k == len(word):
            assert expected, word
        for hit in found.hits:
            if pattern.search(hit.paper.title):
                assert MARK_START in hit.snippets["title"], typed
