"""Whole result sets by set operations on posting lists, for counts and filters.

Counting a common word's matches through Whoosh's matchers walks every posting
in Python (35 ms for 19,000 of 100,000 papers, on top of ranking them); posting
lists read block by block into Python sets, combined with set operations in C,
take a few milliseconds. Query shapes not listed in docset go through Whoosh.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from whoosh import query
from whoosh.codec.whoosh3 import W3LeafMatcher

from readinglist.core.search_bm25 import leaf_matcher, rank_words, read_blocks, word_terms
from readinglist.core.search_pairs import PairsQuery


def _posting_docnums(reader: Any, fieldname: str, text: Any) -> Iterable[int]:
    """The segment's document numbers for one term, deleted documents included."""
    if (fieldname, text) not in reader:
        return ()
    m = leaf_matcher(reader, fieldname, text)
    if not isinstance(m, W3LeafMatcher):
        return list(m.all_ids())
    return read_blocks(m)[0]


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
        return _intersection(searcher, q.subqueries)
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


def top_hits(searcher: Any, q: query.Query, limit: int, allowed: set[int] | None) -> list[Any]:
    """Whoosh's ``limit`` best hits of ``q`` among ``allowed`` (None: all).

    With a filter Whoosh scores every match it cannot skip by quality (130 ms for
    is:unread and a word in 29,000 of 100,000 papers). A filter that lets most
    papers through is applied to twice ``limit`` unfiltered hits instead; they
    hold the ``limit`` best allowed ones whenever at least that many pass."""
    if allowed is not None and len(allowed) * 2 >= searcher.doc_count_all():
        wider = searcher.search(q, limit=2 * limit)
        passed = [h for h in wider if h.docnum in allowed]
        if len(passed) >= limit or wider.scored_length() < 2 * limit:
            return passed[:limit]
    return list(searcher.search(q, limit=limit, filter=allowed))


# Queries of more terms than this (a pasted paragraph: the parser keeps 64 words, a
# title and a content term each) are ranked by rank_few when their matches are few
# enough that skipping to them costs less than reading the terms' postings.
LONG_QUERY_TERMS = 16


def rank_directly(
    searcher: Any,
    q: query.Query,
    allowed: set[int] | None,
    limit: int,
    live: Callable[[set[int]], set[int]],
) -> tuple[list[tuple[float, int]], set[int]] | None:
    """The ``limit`` best (score, docnum) of ``q`` among ``allowed`` and every
    live match, for the shapes Whoosh's collector ranks slowly; None for others.

    One word is scored over its whole posting lists at once (search_bm25); a
    long query (a pasted paragraph) whose matches are few is ranked without
    intersecting all its words (rank_few). ``live`` drops deleted documents
    and those ``allowed`` leaves out."""
    words = word_terms(q)
    if words is not None:
        found = rank_words(searcher, words, allowed, limit)
        if found is None:
            return None
        ranked, every = found
        return ranked, set(every.tolist())
    terms = leaf_terms(q)
    if terms is None or len(terms) <= LONG_QUERY_TERMS:
        return None
    matched = live(docset(searcher, q))
    if not cheaper_to_skip(searcher, terms, len(matched)):
        return None
    return rank_few(searcher, q, terms, matched, limit), matched


def leaf_terms(q: query.Query) -> list[query.Term] | None:
    """The terms of a tree of And and Or over terms; None for any other shape."""
    if type(q) is query.Term:
        return [q]
    if type(q) in (query.And, query.Or) and not getattr(q, "minmatch", 0) and q.subqueries:
        out: list[query.Term] = []
        for child in q.subqueries:
            terms = leaf_terms(child)
            if terms is None:
                return None
            out.extend(terms)
        return out
    return None


def rank_few(
    searcher: Any, q: query.Query, terms: list[query.Term], docnums: set[int], limit: int
) -> list[tuple[float, int]]:
    """The ``limit`` best of ``docnums`` (all matching ``q``, an And/Or tree of
    ``terms``), as (score, docnum), scored as Whoosh scores them: a term scores
    what its own matcher gives, an Or the sum of its parts that match, an And the
    sum of its parts where all of them match.

    Whoosh finds a long query's few matches by intersecting its 64 words' posting
    lists (5.2 s for a pasted paragraph at 100,000 papers); here each term's
    matcher skips straight to the documents already known to match."""
    held: list[dict[int, float]] = [{} for _ in terms]
    for i, m, offset, local in _term_matchers(searcher, terms, docnums):
        for doc in _skipping(m, local):
            held[i][doc + offset] = m.score()
    index = {id(t): i for i, t in enumerate(terms)}
    scored = []
    for doc in docnums:
        score = _tree_score(q, doc, held, index)
        scored.append((score or 0.0, doc))
    scored.sort(key=lambda x: (-x[0], x[1]))
    return scored[:limit]


def _tree_score(
    q: query.Query, doc: int, held: list[dict[int, float]], index: dict[int, int]
) -> float | None:
    """``q``'s score at ``doc``, None where it does not match."""
    if type(q) is query.Term:
        return held[index[id(q)]].get(doc)
    scores = [_tree_score(c, doc, held, index) for c in q.subqueries]
    found = [x for x in scores if x is not None]
    if (type(q) is query.And and len(found) < len(scores)) or not found:
        return None
    return float(sum(found) * q.boost)


def cheaper_to_skip(searcher: Any, terms: list[query.Term], docs: int) -> bool:
    """Whether checking ``docs`` documents against each of ``terms`` by skipping
    costs less than reading the terms' posting lists whole."""
    reader = searcher.reader()
    return docs * len(terms) * SKIP_COST < sum(_estimate(t, reader) for t in terms)


def _term_matchers(
    searcher: Any, terms: list[query.Term], docnums: set[int]
) -> Iterable[tuple[int, Any, int, list[int]]]:
    """Each term's matcher in each segment holding some of ``docnums``, with the
    segment's offset and those documents (segment numbers, in order), after the
    term's place in ``terms``."""
    context = searcher.context()
    for sub, offset in searcher.leaf_searchers():
        end = offset + sub.doc_count_all()
        local = sorted(d - offset for d in docnums if offset <= d < end)
        if local:
            for i, term in enumerate(terms):
                yield i, term.matcher(sub, context), offset, local


def _skipping(m: Any, docs: list[int]) -> Iterable[int]:
    """The documents of ``docs`` (in order) that matcher ``m`` holds, found by
    skipping its posting list (a block at a time) instead of reading it."""
    for doc in docs:
        if not m.is_active():
            return
        if m.id() < doc:
            m.skip_to(doc)
            if not m.is_active():
                return
        if m.id() == doc:
            yield doc


def _estimate(q: query.Query, reader: Any) -> int:
    try:
        return int(q.estimate_size(reader))
    except Exception:  # a query Whoosh cannot estimate: take it last
        return 1 << 40


def _intersection(searcher: Any, parts: list[query.Query]) -> set[int]:
    """Documents matching every part. The rarest part first; then a part that is
    a term (or an Or of terms) is checked only at the documents still in, by
    skipping its posting lists, where that costs less than reading them whole
    (a check by skipping costs about SKIP_COST postings read). Reading every list
    whole cost 1.1 s for 64 common words at 100,000 papers, none matching them all."""
    reader = searcher.reader()
    ordered = sorted((_estimate(c, reader), i, c) for i, c in enumerate(parts))
    found = docset(searcher, ordered[0][2])
    for size, _, part in ordered[1:]:
        if not found:
            break
        terms = _flat_terms(part)
        if terms is not None and len(found) * len(terms) * SKIP_COST < size:
            held: set[int] = set()
            for _, m, offset, local in _term_matchers(searcher, terms, found):
                held.update(doc + offset for doc in _skipping(m, local))
            found &= held
        else:
            found &= docset(searcher, part)
    return found


#: A check by skipping (a block decoded per check) costs about this many postings
#: read in a row: measured 16-35 us against 0.4-0.75 us at 100,000 papers.
SKIP_COST = 50


def _flat_terms(q: query.Query) -> list[query.Term] | None:
    """A term, or an Or of terms, as its terms; None for any other query."""
    if type(q) is query.Term:
        return [q]
    if type(q) is query.Or and not getattr(q, "minmatch", 0):
        if all(type(c) is query.Term for c in q.subqueries):
            return list(q.subqueries)
    return None
