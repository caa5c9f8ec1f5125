"""One-word queries are ranked over whole posting lists in numpy (issue 16: a word
in 29% of 100,000 papers took Whoosh 136-200 ms to rank, filtered or not), and
rank exactly as Whoosh ranks: the same papers in the same order with the same
scores, to the last bit.

The oracle is Whoosh itself: ``search(limit=None)`` ranks through Whoosh's own
collector, on a multi-segment index with replaced (deleted) documents."""

from __future__ import annotations

import pytest
from whoosh import query as whoosh_query

from readinglist.core import search_bm25
from readinglist.core.search_query import parse_query

from support import segmented_library


@pytest.fixture(scope="module")
def lib(tmp_path_factory):
    library = segmented_library(tmp_path_factory.mktemp("bm25") / "lib", noted=(3, 10, 40, 41, 42))
    for paper_id in range(1, 400, 3):
        library.mark([paper_id], "read")
    library.set_starred([5, 7, 11, 13], True)
    yield library
    library.close()


def _words(ix):
    """Words of every frequency: the commonest content words, middling, rare."""
    reader = ix.searcher().reader()
    freq = sorted(
        ((reader.doc_frequency("content", t), t.decode()) for t in reader.lexicon("content")),
        reverse=True,
    )
    return [w for _, w in freq[:6] + freq[200:204] + freq[2000:2003] + freq[-3:]]


def _same(fast, whoosh, n):
    assert fast.total == whoosh.total
    assert [(h.paper_id, h.score) for h in fast.hits] == [
        (h.paper_id, h.score) for h in whoosh.hits[:n]
    ]


@pytest.mark.parametrize("filters", ["", "is:unread ", "is:read ", "is:starred ", "-is:read "])
def test_one_word_ranks_bit_for_bit_as_whoosh(lib, filters):
    ix = lib.search_index
    s = ix.searcher()
    assert len(s.leaf_searchers()) >= 2
    assert any(sub.reader().has_deletions() for sub, _ in s.leaf_searchers())
    for word in _words(ix):
        text = filters + word
        whoosh = ix.search(text, limit=None)  # Whoosh's own collector
        for n in (1, 10, 50):
            _same(ix.search(text, limit=n), whoosh, n)


def test_the_fast_path_is_the_one_taken(lib):
    s = lib.search_index.searcher()
    q = parse_query("learning").query
    terms = search_bm25.word_terms(q)
    assert terms is not None and {t.fieldname for t in terms} == {"title", "content"}
    found = search_bm25.rank_words(s, terms, None, 10)
    assert found is not None
    ranked, matched = found
    assert len(ranked) == 10 and len(matched) > 100
    # Three terms could be summed in another order than Whoosh's: not this path.
    assert search_bm25.word_terms(whoosh_query.Or([*terms, whoosh_query.Term("note", "x")])) is None
    assert search_bm25.word_terms(whoosh_query.And(terms)) is None


def test_ties_at_the_limit_keep_whoosh_order(lib):
    """A rare word's matches often score alike; the cut at the limit must take
    the lower document numbers, as Whoosh does, whatever argpartition does."""
    ix = lib.search_index
    reader = ix.searcher().reader()
    rare = [
        t.decode() for t in reader.lexicon("content") if reader.doc_frequency("content", t) == 3
    ]
    for word in rare[:40]:
        whoosh = ix.search(word, limit=None)
        _same(ix.search(word, limit=2), whoosh, 2)


def test_rest_holds_every_other_match(lib):
    ix = lib.search_index
    whoosh = ix.search("learning", limit=None)
    fast = ix.search("learning", limit=10, rest=True)
    assert sorted([h.paper_id for h in fast.hits] + fast.rest) == sorted(
        h.paper_id for h in whoosh.hits
    )
    assert fast.rest == sorted(fast.rest, reverse=True)


def test_a_word_nothing_holds(lib):
    result = lib.search_index.search("zzqxjnonexistent", limit=10)
    assert result.total == 0 and result.hits == []
