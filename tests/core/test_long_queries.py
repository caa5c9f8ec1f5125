"""Long queries (a pasted paragraph) rank their few matches without Whoosh's
intersection of every word, and AND counts check the later words only where the
rarest left candidates (issue 16: a 4,000-word paste took 5.2 s at 100,000 papers).

The oracle is Whoosh itself: ``search(limit=None)`` ranks and counts through
Whoosh's own matchers, on a multi-segment index with replaced documents."""

from __future__ import annotations

import pytest
from whoosh import query as whoosh_query

from readinglist.core import search as search_module
from readinglist.core import search_sets
from readinglist.core.search_query import parse_query, walk

from support import segmented_library


@pytest.fixture(scope="module")
def lib(tmp_path_factory):
    library = segmented_library(tmp_path_factory.mktemp("long") / "lib", noted=(3, 10, 40))
    yield library
    library.close()


def _pastes(lib, n=12):
    """The first 40 words of some abstracts, as a user pastes them."""
    papers = [p for p in lib.select() if len(p.abstract.split()) > 60][::97][:n]
    return [(p.id, " ".join(p.abstract.split()[:40])) for p in papers]


def test_a_pasted_paragraph_finds_its_paper_ranked_as_whoosh_ranks(lib):
    ix = lib.search_index
    s = ix.searcher()
    assert len(s.leaf_searchers()) >= 2
    assert any(sub.reader().has_deletions() for sub, _ in s.leaf_searchers())
    fast_path = 0
    for paper_id, text in _pastes(lib):
        whoosh = ix.search(text, limit=None)  # Whoosh's own matchers
        terms = search_sets.leaf_terms(search_module.parse_query(text).query)
        fast_path += terms is not None and search_sets.cheaper_to_skip(s, terms, whoosh.total)
        fast = ix.search(text, limit=5, rest=True)
        assert fast.total == whoosh.total >= 1, text
        assert paper_id in [h.paper_id for h in fast.hits]
        assert [h.paper_id for h in fast.hits] == [h.paper_id for h in whoosh.hits[:5]]
        for mine, theirs in zip(fast.hits, whoosh.hits, strict=False):
            assert mine.score == pytest.approx(theirs.score, rel=1e-5)
        assert sorted([h.paper_id for h in fast.hits] + fast.rest) == sorted(
            h.paper_id for h in whoosh.hits
        )
    assert fast_path >= 6  # most pastes take rank_few's way (others Whoosh's)


@pytest.mark.parametrize(
    "text",
    [
        "learning model",
        "graph neural networks",
        "language models reasoning benchmark evaluation",
        "diffusion is:unread",
        "agent -learning",
        "the of and to in a is for that with on we this",
        "quantum OR photonic lattice",
    ],
)
def test_and_counts_agree_with_whoosh(lib, text):
    ix = lib.search_index
    assert ix.search(text, limit=1).total == ix.search(text, limit=None).total


def test_a_paste_matching_nothing_answers_nothing(lib):
    text = " ".join(["transformer", "quantum", "sheaf", "biology", "zebrafish"] * 20)
    outcome = lib.search(text)
    assert outcome.total == 0 and not outcome.hits


def test_fuzzy_words_expand_as_whoosh_expands_them_and_only_the_first_eight(lib):
    ix = lib.search_index
    reader = ix.searcher().reader()
    for word in ("langauge", "modles", "reinforcment", "netwrk", "difusion"):
        for dist in (1, 2):
            mine = search_module.expand_fuzzy(
                whoosh_query.FuzzyTerm("content", word, maxdist=dist, prefixlength=2), reader
            )
            theirs = set(reader.terms_within("content", word, dist, prefix=2))
            got = {t.text for t in getattr(mine, "subqueries", [])}
            assert got == theirs, word
    eight = [
        "langauge",
        "modles",
        "netwrk",
        "difusion",
        "reasonning",
        "benchmrk",
        "agnet",
        "visoin",
    ]
    text = " OR ".join(w + "~" for w in eight)
    nine = lib.search(text + " OR learnig~2")
    assert "only the first 8 words with ~ are searched loosely" in nine.notice
    assert "only the first" not in lib.search(text).notice
    kinds = [type(q).__name__ for q in walk(parse_query(text + " OR learnig~2").query)]
    assert kinds.count("FuzzyTerm") == 8
    # The ninth is searched exactly: the typo alone finds papers, as ninth it adds none.
    assert lib.search("learnig~2").total > 0
    assert nine.total == lib.search(text).total


@pytest.mark.parametrize("word", ["learning", "model", "graph", "quantum", "agent"])
def test_a_filter_passing_most_papers_ranks_as_whoosh_filtered(lib, word):
    """is:unread passes most papers: its best hits come from unfiltered ones."""
    ids = [p.id for p in lib.select()]
    lib.mark(ids[::4], "read")  # a quarter read, the rest unread
    try:
        ix = lib.search_index
        for text in (f"is:unread {word}", f"is:read {word}"):
            whoosh = ix.search(text, limit=None)  # Whoosh's own filtered search
            for limit in (1, 5, 20):
                fast = ix.search(text, limit=limit)
                assert [h.paper_id for h in fast.hits] == [
                    h.paper_id for h in whoosh.hits[:limit]
                ], (text, limit)
                assert fast.total == whoosh.total
    finally:
        lib.mark(ids[::4], "unread")
