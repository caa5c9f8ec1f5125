"""Word pairs beside the Whoosh segments: what answers a phrase.

A phrase ("masked autoencoders") is answered by adjacent word pairs instead of
positions (672 ms p95 by positions at 20,000 papers). Kept as Whoosh terms, the
pairs were 65-77% of the index and most of its build time: 1.7 million terms at
20,000 papers with about two postings each, every one its own pickled and
compressed block. A segment written in bulk (segment_writer) keeps them here
instead, in flat arrays read through memory maps:

- ``words``: the segment's distinct (stemmed) words, sorted, one per line;
- ``keys``: sorted 64-bit pair keys, the first word's number << 32 | the second's;
- ``starts``: where each key's documents begin in ``docs`` (one more than keys);
- ``docs`` / ``tfs``: segment document numbers and how often the pair occurs;
- ``lengths``: each document's number of pairs (BM25's length normalisation).

A phrase is then one binary search per pair; a pair whose second word is being
typed ("self supervis*") is one contiguous range of keys, since words are numbered
in sorted order. Segments written by Whoosh's own writer (small commits) still hold
a ``pairs`` field, and :class:`PairsQuery` asks them the old way. A segment with
pairs here is never merged by Whoosh (see :func:`merge_policy`), which would lose
them; its folder goes when the segment does.
"""

from __future__ import annotations

import math
import os
import shutil
from array import array
from bisect import bisect_left
from collections.abc import Iterable
from itertools import repeat
from pathlib import Path
from typing import Any

import numpy as np
from whoosh import matching, query
from whoosh.writing import MERGE_SMALL

PAIRS_FIELD = "pairs"
FOLDER = "pairs"
_ARRAYS = ("keys", "starts", "docs", "tfs", "lengths")
# BM25 as Whoosh's BM25F defaults.
_K1, _B = 1.2, 0.75
_MAX_TF = 65535


class PairsBuilder:
    """Collects one segment's pairs as its documents are added."""

    def __init__(self) -> None:
        self.words: dict[str, int] = {}
        self.first = array("I")
        self.second = array("I")
        self.docs = array("I")
        self.lengths = array("I")

    def add(self, doc: int, stems: list[str]) -> None:
        """The pairs of one document's stemmed words (title, abstract, note)."""
        if len(self.lengths) < doc:
            self.lengths.extend(repeat(0, doc - len(self.lengths)))
        n = len(stems) - 1
        self.lengths.append(max(n, 0))
        if n < 1:
            return  # a lone word makes no pair (a phrase has two words)
        words = self.words
        sd = words.setdefault
        ids = [sd(w, len(words)) for w in stems]
        self.first.extend(ids[:-1])
        self.second.extend(ids[1:])
        self.docs.extend(repeat(doc, n))

    def write(self, folder: Path, segment_id: str, doc_count: int) -> None:
        """Write the arrays to ``folder/segment_id`` (whole or not at all)."""
        vocab = sorted(self.words)
        number = np.empty(len(vocab), dtype=np.uint64)
        number[[self.words[w] for w in vocab]] = np.arange(len(vocab), dtype=np.uint64)
        keys = (number[np.frombuffer(self.first, dtype=np.uint32)] << np.uint64(32)) | number[
            np.frombuffer(self.second, dtype=np.uint32)
        ]
        docs = np.frombuffer(self.docs, dtype=np.uint32)
        order = np.lexsort((docs, keys))
        keys, docs = keys[order], docs[order]
        # One row per (pair, document), with how often the pair occurs there.
        new = np.ones(len(keys), dtype=bool)
        new[1:] = (keys[1:] != keys[:-1]) | (docs[1:] != docs[:-1])
        at = np.flatnonzero(new)
        tfs = np.diff(np.append(at, len(keys)))
        keys, docs = keys[at], docs[at]
        first = np.ones(len(keys), dtype=bool)
        first[1:] = keys[1:] != keys[:-1]
        # The narrowest types that hold them: a third less disk than int64 starts and
        # uint32 documents (a segment holds at most SEGMENT_DOCS papers).
        starts = np.append(np.flatnonzero(first), len(keys)).astype(np.uint32)
        lengths = np.zeros(doc_count, dtype=np.uint32)
        got = np.frombuffer(self.lengths, dtype=np.uint32)[:doc_count]
        lengths[: len(got)] = got
        arrays = {
            "keys": keys[first],
            "starts": starts,
            "docs": docs.astype(np.uint16 if doc_count <= 1 << 16 else np.uint32),
            "tfs": np.minimum(tfs, _MAX_TF).astype(np.uint16),
            "lengths": lengths,
        }
        target = folder / segment_id
        draft = folder / (segment_id + ".tmp")
        shutil.rmtree(draft, ignore_errors=True)
        draft.mkdir(parents=True)
        (draft / "words").write_text("\n".join(vocab), encoding="utf-8")
        for name, values in arrays.items():
            np.save(draft / f"{name}.npy", values)
        for part in draft.iterdir():
            with open(part, "rb") as f:
                os.fsync(f.fileno())
        os.replace(draft, target)
        _KNOWN[segment_id] = target


class SegmentPairs:
    """One segment's pairs, memory-mapped (see the module's doc)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        arrays = {name: np.load(folder / f"{name}.npy", mmap_mode="r") for name in _ARRAYS}
        self.keys = arrays["keys"]
        self.starts = arrays["starts"]
        self.docs = arrays["docs"]
        self.tfs = arrays["tfs"]
        self.lengths = arrays["lengths"]
        if len(self.starts) != len(self.keys) + 1 or len(self.docs) != len(self.tfs):
            raise ValueError(f"the word pairs in {folder} are inconsistent")
        # Read now, with the arrays mapped: a folder removed later (its segment
        # merged away by another process) stays readable through the maps.
        text = (folder / "words").read_text(encoding="utf-8")
        self.words = text.split("\n") if text else []
        self._avg: float | None = None
        self._recent: dict[Any, tuple[np.ndarray, np.ndarray]] = {}

    def _number(self, word: str) -> int | None:
        words = self.words
        i = bisect_left(words, word)
        return i if i < len(words) and words[i] == word else None

    def _key_range(self, first: int, lo: int, hi: int) -> tuple[int, int]:
        """Positions in ``keys`` of the pairs (first, lo..hi-1)."""
        base = first << 32
        keys = self.keys
        return (
            int(np.searchsorted(keys, np.uint64(base | lo))),
            int(np.searchsorted(keys, np.uint64(base | hi))),
        )

    def postings(self, a: str, b: str) -> tuple[np.ndarray, np.ndarray]:
        """Documents holding the pair (a, b), and how often."""
        na, nb = self._number(a), self._number(b)
        if na is None or nb is None:
            return _EMPTY_DOCS, _EMPTY_TFS
        i, j = self._key_range(na, nb, nb + 1)
        if i == j:
            return _EMPTY_DOCS, _EMPTY_TFS
        lo, hi = int(self.starts[i]), int(self.starts[i + 1])
        # uint32 whatever is stored: uint16 numbers would wrap when offset.
        return (
            np.asarray(self.docs[lo:hi], dtype=np.uint32),
            np.asarray(self.tfs[lo:hi], dtype=np.float64),
        )

    def prefix_postings(self, a: str, prefix: str) -> tuple[np.ndarray, np.ndarray]:
        """Documents holding a followed by a word starting with ``prefix``."""
        na = self._number(a)
        if na is None:
            return _EMPTY_DOCS, _EMPTY_TFS
        words = self.words
        lo_w, hi_w = bisect_left(words, prefix), bisect_left(words, prefix + "\U0010ffff")
        i, j = self._key_range(na, lo_w, hi_w)
        if i == j:
            return _EMPTY_DOCS, _EMPTY_TFS
        lo, hi = int(self.starts[i]), int(self.starts[j])
        docs, where = np.unique(np.asarray(self.docs[lo:hi], dtype=np.uint32), return_inverse=True)
        tfs = np.bincount(where, weights=np.asarray(self.tfs[lo:hi], dtype=np.float64))
        return docs, tfs

    def matched(
        self, pairs: list[tuple[str, str]], last: tuple[str, str] | None
    ) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`match`, remembered for the last few questions: a search asks for
        the count and for the ranked hits, and typing asks the same again."""
        key = (tuple(pairs), last)
        found = self._recent.get(key)
        if found is None:
            found = self.match(pairs, last)
            if len(self._recent) >= 16:
                self._recent.pop(next(iter(self._recent)))
            self._recent[key] = found
        return found

    def avg_length(self) -> float:
        if self._avg is None:
            self._avg = float(np.mean(self.lengths)) if len(self.lengths) else 1.0
        return max(self._avg, 1.0)

    def match(
        self, pairs: list[tuple[str, str]], last: tuple[str, str] | None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Documents holding every pair (and the begun last pair), with BM25 scores."""
        lists = [self.postings(a, b) for a, b in pairs]
        if last is not None:
            lists.append(self.prefix_postings(*last))
        if not lists:
            return _EMPTY_DOCS, _EMPTY_TFS
        docs = lists[0][0]
        for other, _ in lists[1:]:
            docs = np.intersect1d(docs, other, assume_unique=True)
            if not len(docs):
                return _EMPTY_DOCS, _EMPTY_TFS
        n = len(self.lengths)
        norm = _K1 * (1 - _B + _B * self.lengths[docs].astype(np.float64) / self.avg_length())
        scores = np.zeros(len(docs))
        for pdocs, tfs in lists:
            df = len(pdocs)
            idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
            tf = tfs[np.searchsorted(pdocs, docs)]
            scores += idf * tf * (_K1 + 1) / (tf + norm)
        return docs, scores


_EMPTY_DOCS = np.zeros(0, dtype=np.uint32)
_EMPTY_TFS = np.zeros(0, dtype=np.float64)
# Segment id -> its pairs, for the open indexes (see register). A segment never
# changes once written, so what is loaded stays right while the segment lives.
_KNOWN: dict[str, Path] = {}
_OPEN: dict[str, SegmentPairs] = {}


def register(folder: Path) -> None:
    """Make the pairs kept in ``folder`` (an index's pairs folder) known."""
    if not folder.is_dir():
        return
    for entry in folder.iterdir():
        if entry.is_dir() and not entry.name.endswith(".tmp"):
            _KNOWN[entry.name] = entry


def segment_pairs(reader: Any) -> SegmentPairs | None:
    """The pairs kept beside this segment reader's segment, if any."""
    segment = reader.segment() if hasattr(reader, "segment") else None
    if segment is None:
        return None
    key = segment.segment_id()
    found = _OPEN.get(key)
    if found is None and key in _KNOWN:
        try:
            found = _OPEN[key] = SegmentPairs(_KNOWN[key])
        except FileNotFoundError:
            # Removed by another process since: the segment is gone from the
            # index too, and this searcher is about to be replaced.
            _KNOWN.pop(key, None)
    return found


def has_pairs(segment: Any) -> bool:
    return bool(segment.segment_id() in _KNOWN)


def merge_policy(writer: Any, segments: list[Any]) -> list[Any]:
    """Whoosh's MERGE_SMALL over the segments Whoosh wrote. A segment with pairs
    here is kept as it is (merging would drop its pairs), or dropped once every
    paper in it has been replaced."""
    ours = [s for s in segments if has_pairs(s)]
    theirs = [s for s in segments if not has_pairs(s)]
    return [s for s in ours if s.doc_count() > 0] + list(MERGE_SMALL(writer, theirs))


def remove_unused(folder: Path, ix: Any) -> None:
    """Remove the pairs of segments no longer in the index ``ix`` (and drafts)."""
    if not folder.is_dir():
        return
    reader = ix.reader()
    try:
        keep = {r.segment().segment_id() for r, _ in reader.leaf_readers() if r.segment()}
    finally:
        reader.close()
    for entry in folder.iterdir():
        if entry.name not in keep:
            _KNOWN.pop(entry.name, None)
            _OPEN.pop(entry.name, None)
            shutil.rmtree(entry, ignore_errors=True)


class PairsQuery(query.Query):  # type: ignore[misc]
    """Documents holding each pair of adjacent words, and optionally a last pair
    whose second word is a prefix (a word being typed)."""

    def __init__(
        self,
        pairs: list[tuple[str, str]],
        last: tuple[str, str] | None = None,
        boost: float = 1.0,
        fallback: query.Query | None = None,
    ) -> None:
        self.pairs = list(pairs)
        self.last = last
        self.boost = boost
        self.fieldname = PAIRS_FIELD
        # The same question for segments Whoosh wrote (their pairs field).
        self.fallback = fallback if fallback is not None else query.NullQuery

    def __repr__(self) -> str:
        return f"PairsQuery({self.pairs!r}, {self.last!r}, boost={self.boost})"

    def __unicode__(self) -> str:
        words = [f'"{a} {b}"' for a, b in self.pairs]
        if self.last:
            words.append(f'"{self.last[0]} {self.last[1]}*"')
        return " AND ".join(words)

    __str__ = __unicode__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PairsQuery) and (self.pairs, self.last, self.boost) == (
            other.pairs,
            other.last,
            other.boost,
        )

    def __hash__(self) -> int:
        return hash((tuple(self.pairs), self.last, self.boost))

    def is_leaf(self) -> bool:
        return True

    def highlight_words(self) -> list[str]:
        """The whole words the query looks for (not the begun last one)."""
        out = [w for pair in self.pairs for w in pair]
        if self.last:
            out.append(self.last[0])
        return out

    def terms(self, phrases: bool = True) -> Iterable[tuple[str, str]]:
        for a, b in self.pairs:
            yield PAIRS_FIELD, f"{a} {b}"

    def estimate_size(self, ixreader: Any) -> int:
        return int(ixreader.doc_count_all())

    def docset(self, searcher: Any) -> set[int]:
        """Global document numbers (deleted ones may be included)."""
        from readinglist.core.search_sets import docset

        found: set[int] = set()
        for sub, offset in searcher.leaf_searchers():
            pairs = segment_pairs(sub.reader())
            if pairs is None:
                got: Iterable[int] = docset(sub, self.fallback)
            else:
                got = pairs.matched(self.pairs, self.last)[0].tolist()
            found.update(got if offset == 0 else (offset + d for d in got))
        return found

    def docs(self, searcher: Any) -> Iterable[int]:
        return sorted(self.docset(searcher))

    def matcher(self, searcher: Any, context: Any = None) -> Any:
        if not searcher.is_atomic():
            subs = searcher.leaf_searchers()
            return matching.MultiMatcher(
                [self.matcher(s, context) for s, _ in subs], [off for _, off in subs]
            )
        reader = searcher.reader()
        pairs = segment_pairs(reader)
        if pairs is None:
            return self.fallback.matcher(searcher, context)
        docs, scores = pairs.matched(self.pairs, self.last)
        if reader.has_deletions():
            gone = np.fromiter(reader.deleted_docs_set, dtype=np.int64)
            keep = ~np.isin(docs, gone)
            docs, scores = docs[keep], scores[keep]
        if not len(docs):
            return matching.NullMatcher()
        return _RankedList(docs, scores * self.boost)


class _RankedList(matching.Matcher):  # type: ignore[misc]
    """Precomputed documents and scores, with each block's best score: a search
    for the top hits skips the blocks that cannot beat the ones it has (a common
    pair, "of the", matches most papers; scored one by one in Python, it took
    200 ms at 100,000 papers)."""

    BLOCK = 64

    def __init__(self, docs: np.ndarray, scores: np.ndarray, at: int = 0) -> None:
        self._docs_array, self._scores_array = docs, scores
        self._docs: list[int] = docs.tolist()
        self._scores: list[float] = scores.tolist()
        padded = np.full(-(-len(scores) // self.BLOCK) * self.BLOCK, -np.inf)
        padded[: len(scores)] = scores
        self._block_max: list[float] = padded.reshape(-1, self.BLOCK).max(axis=1).tolist()
        self._best = float(max(self._block_max))
        self._at = at

    def is_active(self) -> bool:
        return self._at < len(self._docs)

    def id(self) -> int:
        return self._docs[self._at]

    def next(self) -> None:
        self._at += 1

    def reset(self) -> None:
        self._at = 0

    def skip_to(self, target: int) -> None:
        self._at = bisect_left(self._docs, target, self._at)

    def copy(self) -> _RankedList:
        return _RankedList(self._docs_array, self._scores_array, self._at)

    def replace(self, minquality: float = 0) -> Any:
        if not self.is_active() or (minquality and self._best <= minquality):
            return matching.NullMatcher()
        return self

    def all_ids(self) -> Iterable[int]:
        return iter(self._docs[self._at :])

    def supports(self, astype: str) -> bool:
        return astype == "weight"

    def value(self) -> bytes:
        return b""

    def weight(self) -> float:
        return self._scores[self._at]

    def score(self) -> float:
        return self._scores[self._at]

    def supports_block_quality(self) -> bool:
        return True

    def max_quality(self) -> float:
        return self._best

    def block_quality(self) -> float:
        return self._block_max[self._at // self.BLOCK]

    def skip_to_quality(self, minquality: float) -> int:
        skipped = 0
        n = len(self._docs)
        while self._at < n and self._block_max[self._at // self.BLOCK] <= minquality:
            self._at = (self._at // self.BLOCK + 1) * self.BLOCK
            skipped += 1
        return skipped
