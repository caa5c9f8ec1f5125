"""Whole result sets by set operations on posting lists, for counts and filters.

Counting a common word's matches through Whoosh's matchers walks every posting
in Python (35 ms for 19,000 of 100,000 papers, on top of ranking them); posting
lists read block by block into Python sets, combined with set operations in C,
take a few milliseconds. Query shapes not listed in docset go through Whoosh.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from whoosh import query
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.matching.wrappers import FilterMatcher

from readinglist.core.search_pairs import PairsQuery


def _posting_docnums(reader: Any, fieldname: str, text: Any) -> Iterable[int]:
    """The segment's document numbers for one term, deleted documents included."""
    if (fieldname, text) not in reader:
        return ()
    m = reader.postings(fieldname, text)
    if isinstance(m, FilterMatcher):  # wraps the postings to hide deletions
        m = m.child
    if not isinstance(m, W3LeafMatcher):
        return list(m.all_ids())
    # The leaf matcher's own block attributes: whoosh-reloaded is pinned (==2.7.5).
    out: list[int] = []
    while m.is_active():  # a block at a time (the generic all_ids() steps per posting)
        if m._ids is None:
            m._read_ids()
        out.extend(m._ids[m._i :])
        m._next_block()
    return out


def docset(searcher: Any, q: query.Query) -> set[int]:
    """Global document numbers matching ``q`` (deleted ones may be included:
    callers intersect with live documents)."""
    kind = type(q)
    if kind is query.Term:
        found: set[int] = set()
        try:
            for sub, offset in searcher.leaf_searchers():
                docnums = _posting_docnums(sub.reader(), q.fieldname, q.text)
                found.update(docnums if offset == 0 else (offset + d for d in docnums))
        except (ValueError, TypeError):
            # A text the field cannot encode (year:"" on a number field): as Whoosh does.
            return set(q.docs(searcher))
        return found
    if kind is query.Or and not getattr(q, "minmatch", 0):
        found = set()
        for child in q.subqueries:
            found |= docset(searcher, child)
        return found
    if kind is query.And and q.subqueries:
        parts = sorted((docset(searcher, c) for c in q.subqueries), key=len)
        return parts[0].intersection(*parts[1:])
    if kind is query.AndNot:
        return docset(searcher, q.a) - docset(searcher, q.b)
    if kind is query.AndMaybe:
        return docset(searcher, q.a)
    if kind is query.Require:
        return docset(searcher, q.a) & docset(searcher, q.b)
    if kind is query.Not:
        return set(range(searcher.doc_count_all())) - docset(searcher, q.query)
    if kind is query.Every:
        return set(range(searcher.doc_count_all()))
    if q is query.NullQuery:
        return set()
    if isinstance(q, PairsQuery):
        return q.docset(searcher)
    return set(q.docs(searcher))


def deleted_docnums(searcher: Any) -> set[int]:
    """Global document numbers of the deleted (replaced) documents."""
    out: set[int] = set()
    for sub, offset in searcher.leaf_searchers():
        reader = sub.reader()
        if reader.has_deletions():
            out.update(offset + d for d in reader.deleted_docs_set)
    return out
