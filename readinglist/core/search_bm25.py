"""BM25F for a one-word query over whole posting lists at once, with numpy.

A word in a third of 100,000 papers took Whoosh 136-200 ms to rank: its top-k
collector cannot skip much of a common word by block quality and scores about
30 us per posting in Python. Reading the two posting lists (title and content)
and the field-length columns as arrays and scoring them all in numpy takes a few
milliseconds and gives the very numbers Whoosh gives: the same formula, the same
statistics (taken from Whoosh's own scorer) and the same float operations in the
same order (tests/core/test_search_bm25.py compares them hit by hit).

Only the shapes whose sum is exact take this path: one term, or an Or of two
(a + b is b + a in floating point; three terms could be added in another order).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from whoosh import query
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3LeafMatcher, _lenfield
from whoosh.matching.wrappers import FilterMatcher
from whoosh.scoring import BM25FScorer
from whoosh.util.numeric import byte_to_length

# Whoosh stores a field's length per document as one byte; this decodes them all.
_BYTE_LENGTHS = np.array([byte_to_length(b) for b in range(256)], dtype=np.float64)
# Decoded field lengths per (segment id, field): segments never change once written.
_LENGTHS: dict[tuple[str, str], np.ndarray] = {}
_LENGTHS_KEPT = 64


def word_terms(q: query.Query) -> list[query.Term] | None:
    """The terms of a one-word query (a term, or an Or of two); None otherwise."""
    if type(q) is query.Term:
        return [q]
    if (
        type(q) is query.Or
        and not q.minmatch
        and q.boost == 1.0
        and len(q.subqueries) == 2
        and all(type(c) is query.Term for c in q.subqueries)
    ):
        return list(q.subqueries)
    return None


def rank_words(
    searcher: Any, terms: list[query.Term], allowed: set[int] | None, limit: int
) -> tuple[list[tuple[float, int]], np.ndarray] | None:
    """The ``limit`` best (score, docnum) among the live documents matching any
    of ``terms`` (and in ``allowed``, when given), best first and, at equal
    scores, lower document numbers first as Whoosh orders them; with every such
    document number. None where the index is not one this can score exactly."""
    total = searcher.doc_count_all()
    scores = np.zeros(total, dtype=np.float64)
    hit = np.zeros(total, dtype=bool)
    for sub, offset in searcher.leaf_searchers():
        reader = sub.reader()
        for term in terms:
            found = _term_scores(sub, reader, term)
            if found is None:
                return None
            docs, values = found
            if len(docs):
                scores[docs + offset] += values
                hit[docs + offset] = True
        if reader.has_deletions():
            dead = np.fromiter(reader.deleted_docs_set, dtype=np.int64)
            hit[dead + offset] = False
    if allowed is not None:
        keep = np.zeros(total, dtype=bool)
        keep[np.fromiter(allowed, dtype=np.int64, count=len(allowed))] = True
        hit &= keep
    matched = np.flatnonzero(hit)
    best = matched
    if len(matched) > limit:
        best = matched[np.argpartition(-scores[matched], limit - 1)[:limit]]
        # argpartition splits ties at the limit arbitrarily: take every document
        # scoring as the last kept one, then order them all as Whoosh does.
        edge = scores[best].min()
        best = matched[scores[matched] >= edge]
    order = np.lexsort((best, -scores[best]))[:limit]
    return [(float(scores[d]), int(d)) for d in best[order]], matched


def _term_scores(sub: Any, reader: Any, term: query.Term) -> tuple[np.ndarray, np.ndarray] | None:
    """Segment document numbers holding ``term`` and their BM25F scores (times
    the term's boost), deleted documents included; None for a field or codec
    this module does not know how to score as Whoosh does."""
    field = sub.schema[term.fieldname] if term.fieldname in sub.schema else None
    if field is None or not field.scorable:
        return None
    try:
        text = field.to_bytes(term.text)
    except ValueError:
        return np.zeros(0, np.int64), np.zeros(0)
    if (term.fieldname, text) not in reader:
        return np.zeros(0, np.int64), np.zeros(0)
    scorer = sub.weighting.scorer(sub, term.fieldname, text)
    if type(scorer) is not BM25FScorer:
        return None
    m = leaf_matcher(reader, term.fieldname, text)
    if not isinstance(m, W3LeafMatcher):
        return None
    ids, weights = read_blocks(m, with_weights=True)
    docs = np.array(ids, dtype=np.int64)
    lengths = _field_lengths(reader, term.fieldname)
    if lengths is None:
        return None
    fl = lengths[docs]
    tf = np.array(weights, dtype=np.float64)
    # bm25() of whoosh.scoring, written out term by term in its order of operations.
    b, k1 = scorer.B, scorer.K1
    values = scorer.idf * ((tf * (k1 + 1)) / (tf + k1 * ((1 - b) + b * fl / scorer.avgfl)))
    if term.boost != 1.0:
        values = values * term.boost
    return docs, values


def leaf_matcher(reader: Any, fieldname: str, text: bytes) -> Any:
    """The segment's matcher of a term with deleted documents included: the leaf
    matcher itself, out of the filter Whoosh wraps around it to hide deletions."""
    m = reader.postings(fieldname, text)
    return m.child if isinstance(m, FilterMatcher) else m


def read_blocks(m: W3LeafMatcher, with_weights: bool = False) -> tuple[list[int], list[float]]:
    """A leaf matcher's document numbers (and weights) read a block at a time, not
    posting by posting as all_ids() does (the block attributes of whoosh-reloaded,
    pinned at 2.7.5)."""
    ids: list[int] = []
    weights: list[float] = []
    while m.is_active():
        if m._ids is None:
            m._read_ids()
        ids.extend(m._ids[m._i :])
        if with_weights:
            if m._weights is None:
                m._read_weights()
            weights.extend(m._weights[m._i :])
        m._next_block()
    return ids, weights


def _field_lengths(reader: Any, fieldname: str) -> np.ndarray | None:
    """Every document's length of ``fieldname`` in this segment, as Whoosh's
    doc_field_length(docnum, fieldname, 1) gives it."""
    segment = reader.segment() if hasattr(reader, "segment") else None
    perdoc = getattr(reader, "_perdoc", None)
    if segment is None or perdoc is None:
        return None
    key = (segment.segment_id(), fieldname)
    kept = _LENGTHS.get(key)
    if kept is not None:
        return kept
    count = reader.doc_count_all()
    column = _lenfield(fieldname)  # the codec's name for the lengths column
    if not perdoc.has_column(column):
        lengths = np.ones(count, dtype=np.float64)  # no lengths written: Whoosh's default 1
    else:
        col = perdoc.column_reader(column, LENGTHS_COLUMN)
        raw = np.zeros(count, dtype=np.uint8)  # documents past the column: byte 0
        stored = min(col._count, count)
        raw[:stored] = np.frombuffer(col._dbfile.get(col._basepos, stored), dtype=np.uint8)
        lengths = _BYTE_LENGTHS[raw]
    if len(_LENGTHS) >= _LENGTHS_KEPT:
        _LENGTHS.pop(next(iter(_LENGTHS)))
    _LENGTHS[key] = lengths
    return lengths
