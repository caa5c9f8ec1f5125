"""A faster Whoosh segment writer for bulk indexing (thousands of papers at once).

Whoosh's own writer spends most of a bulk build moving postings around: every
posting becomes a Python tuple in a sorting pool, is marshalled to run files, read
back and heap-merged into term order, then handed one by one to the postings
writer, which checks its types and reads the document's field length back from
disk; and each paper's text is analysed token by token through a chain of Python
generators (profiled over the child indexer, 20,000 papers; see issue 16).

Here each word is analysed once per distinct spelling (a dictionary remembers what
the analyzers make of it), a paper's postings go into flat arrays per field
(documents arrive in docnum order, so only the terms need sorting, once, with
numpy, at the end), field lengths are kept in memory, and each term's postings go
to the codec's own postings writer a block at a time. The segment is the standard
one: the same terms, postings, weights, values, block statistics, field lengths and
stored fields as Whoosh's writer writes for the same documents
(tests/core/test_segment_writer.py compares them on real listings). The word-pair
field is not written here: :mod:`readinglist.core.search_pairs` keeps it beside
the segment.

This leans on internals of whoosh-reloaded 2.7.5 (the pinned version):
``SegmentWriter``'s commit steps and the block buffers of ``W3PostingsWriter``.
:func:`supported` refuses any other version or analyzer, and the caller then uses
Whoosh's own writer.
"""

from __future__ import annotations

import re
import zlib
from array import array
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from itertools import pairwise, repeat
from pickle import dumps
from typing import Any

import numpy as np
import whoosh
from whoosh.analysis import BiWordFilter, CharsetFilter, LowercaseFilter, StemFilter
from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC as _MAGIC
from whoosh.codec.whoosh3 import W3TermInfo
from whoosh.formats import Frequency, Positions
from whoosh.system import pack_int, pack_long, pack_ushort
from whoosh.util.numeric import _length_byte_cache, byte_to_length, length_to_byte
from whoosh.writing import NO_MERGE, SegmentWriter

from readinglist.core.search_pairs import PAIRS_FIELD, PairsBuilder
from readinglist.core.search_schema import EdgeGramFilter

WHOOSH_VERSION = (2, 7, 5)
#: Papers per segment: bounds the memory the grouped postings take and keeps a
#: 100,000-paper index at four segments.
SEGMENT_DOCS = 25_000
# Whoosh's RegexTokenizer default, without the capture group (findall then
# returns whole matches); supported() checks the analyzers still use it.
_TOKEN_PATTERN = r"[\w\*]+(\.?[\w\*]+)*"
_TOKENS = re.compile(r"[\w\*]+(?:\.?[\w\*]+)*", re.UNICODE)
_LENGTH_BYTES = np.array(_length_byte_cache, dtype=np.int64)
_BIG_LENGTH = 106374  # from here on Whoosh stores every length as byte 255
_TERMINFO = W3TermInfo._struct  # the term table's row, as W3TermInfo.to_bytes packs it


def _analysis(field: Any) -> tuple[str, Any] | None:
    """What a field's analyzer does, as ("stem" | "fold" | "edge", detail), when it
    is one this module reproduces exactly; None otherwise."""
    items = getattr(field.analyzer, "items", None)
    if not items or getattr(items[0], "expression", None) is None:
        return None
    if items[0].expression.pattern != _TOKEN_PATTERN or items[0].gaps:
        return None
    kinds = [type(i) for i in items[1:]]
    if kinds[:2] != [LowercaseFilter, CharsetFilter]:
        return None
    charmap = items[2].charmap
    if kinds[2:] == [StemFilter] and not items[3].ignore:
        return "stem", (charmap, items[3].stemfn)
    if kinds[2:] == []:
        return "fold", (charmap, None)
    if kinds[2:] == [EdgeGramFilter]:
        return "edge", (charmap, (items[3].low, items[3].high))
    return None


def supported(schema: Any) -> bool:
    """True when this writer reproduces Whoosh's for ``schema`` exactly."""
    if tuple(whoosh.__version__) != WHOOSH_VERSION:
        return False
    for name in schema.names():
        field = schema[name]
        if field.column_type or field.vector or field.separate_spelling():
            return False
        if field.format is not None and field.format.field_boost != 1.0:
            return False
    # The pairs are made from the stemmed words: the pairs field's analyzer must
    # be a stemming field's analyzer followed by word pairs joined by a space.
    items = list(getattr(schema[PAIRS_FIELD].analyzer, "items", ()))
    stemming = [n for n in _fast_fields(schema) if _analysis(schema[n])[0] == "stem"]  # type: ignore[index]
    return (
        len(items) == 5
        and type(items[4]) is BiWordFilter
        and items[4].sep == " "
        and bool(stemming)
        and items[:4] == list(schema[stemming[0]].analyzer.items)
    )


def _fast_fields(schema: Any) -> list[str]:
    """The fields analysed here (the others go through Whoosh's analysis)."""
    return [
        n
        for n in schema.names()
        if n != PAIRS_FIELD
        and type(schema[n].format) in (Frequency, Positions)
        and _analysis(schema[n]) is not None
    ]


class _Words:
    """What the analyzers make of each spelling met: analysed once, then looked up."""

    def __init__(self, charmap: Any, stemfn: Callable[[str], str]) -> None:
        self.charmap = charmap
        self.stemfn = stemfn
        self.folded: dict[str, str] = {}
        self.stemmed: dict[str, str] = {}

    def fold(self, raw: list[str]) -> list[str]:
        return _looked_up(raw, self.folded, lambda w: w.lower().translate(self.charmap))

    def stem(self, raw: list[str]) -> list[str]:
        return _looked_up(
            raw, self.stemmed, lambda w: self.stemfn(w.lower().translate(self.charmap))
        )


def _looked_up(raw: list[str], known: dict[str, str], make: Callable[[str], str]) -> list[str]:
    """``make(w)`` of each word, from ``known`` where it was made before."""
    out = [known.get(w) for w in raw]
    if None in out:
        for i, w in enumerate(raw):
            if out[i] is None:
                out[i] = known[w] = make(w)
    return out  # type: ignore[return-value]


class _FieldPostings:
    """One field's postings in the segment being written, in flat arrays."""

    def __init__(self, positional: bool, scorable: bool) -> None:
        self.ids: dict[str, int] = {}
        self.termids = array("I")
        self.docs = array("I")
        self.freqs = array("I")
        self.values: list[bytes] | None = [] if positional else None
        self.lengths: array[int] | None = array("I") if scorable else None

    def add(self, doc: int, terms: list[str]) -> int:
        """Add one document's analysed terms; returns the field length."""
        ids = self.ids
        sd = ids.setdefault
        if self.values is None:
            counts = Counter(terms)
            keys = list(counts)
            self.freqs.extend(counts.values())
        else:
            poses: dict[str, list[int]] = defaultdict(list)
            for pos, t in enumerate(terms):
                poses[t].append(pos)
            keys = list(poses)
            lists = list(poses.values())
            self.freqs.extend([len(p) for p in lists])
            self.values.extend([Positions.encode(None, p) for p in lists])
        self.termids.extend([sd(k, len(ids)) for k in keys])
        self.docs.extend(repeat(doc, len(keys)))
        length = len(terms)
        if self.lengths is not None:
            if len(self.lengths) < doc:
                self.lengths.extend(repeat(0, doc - len(self.lengths)))
            self.lengths.append(length)
        return length


class GroupingSegmentWriter(SegmentWriter):  # type: ignore[misc]
    """Writes one segment for :func:`write_segments` (see the module's doc)."""

    def __init__(self, ix: Any, **kwargs: Any) -> None:
        super().__init__(ix, **kwargs)
        schema = self.schema
        self.fast: dict[str, tuple[str, Any]] = {}
        self.postings: dict[str, _FieldPostings] = {}
        words: dict[tuple[int, int], _Words] = {}
        for name in _fast_fields(schema):
            kind, (charmap, detail) = _analysis(schema[name])  # type: ignore[misc]
            stemfn = detail if kind == "stem" else str
            key = (id(charmap), id(stemfn))
            if key not in words:
                words[key] = _Words(charmap, stemfn)
            self.fast[name] = (kind, (words[key], detail))
            positional = type(schema[name].format) is Positions
            self.postings[name] = _FieldPostings(positional, bool(schema[name].scorable))
        # The other fields (ids, keywords, years) have a few postings a paper:
        # Whoosh's own analysis, grouped per term here.
        self.other: dict[tuple[str, bytes], list[tuple[int, float, bytes, int]]] = {}
        self.pairs = PairsBuilder()
        # The pairs are of stemmed words, as a stemming field makes them.
        self._stemming: _Words = next(w for kind, (w, _) in self.fast.values() if kind == "stem")

    def add_document(self, **fields: Any) -> None:
        self._check_state()
        perdoc = self.perdocwriter
        schema = self.schema
        docnum = self.docnum
        local = docnum - self.docbase
        names = sorted(n for n in fields if not n.startswith("_"))
        self._check_fields(schema, names)
        perdoc.start_doc(docnum)
        for name in names:
            value = fields[name]
            if value is None:
                continue
            field = schema[name]
            if name == PAIRS_FIELD:
                # Kept beside the segment (see search_pairs), not in it.
                self.pairs.add(local, self._stems(value))
                continue
            length = 0
            if name in self.fast:
                length = self.postings[name].add(local, self._terms(name, value))
                if not field.scorable:
                    length = 0
            elif field.indexed:
                items = list(field.index(value))
                if field.scorable:
                    length = sum(item[1] for item in items)
                kept = _quantized(length)
                other = self.other
                for tbytes, _freq, weight, vbytes in items:
                    other.setdefault((name, tbytes), []).append((docnum, weight, vbytes, kept))
            perdoc.add_field(name, field, value if field.stored else None, length)
        perdoc.finish_doc()
        self._added = True
        self.docnum += 1

    def _terms(self, name: str, value: str) -> list[str]:
        kind, (words, detail) = self.fast[name]
        assert isinstance(words, _Words)
        raw: list[str] = _TOKENS.findall(value)
        if kind == "stem":
            return words.stem(raw)
        folded = words.fold(raw)
        if kind == "fold":
            return folded
        low, high = detail
        out = [w[:k] for w in folded if len(w) >= low for k in range(low, min(high, len(w)) + 1)]
        out.extend(w for w in folded if len(w) > high)  # EdgeGramFilter keeps long words whole
        return out

    def _stems(self, value: str) -> list[str]:
        return self._stemming.stem(_TOKENS.findall(value))

    def _flush_segment(self) -> None:
        self.perdocwriter.close()
        fw = self.fieldwriter
        names = sorted(set(self.postings) | {name for name, _ in self.other})
        by_field: dict[str, list[bytes]] = defaultdict(list)
        for name, tbytes in self.other:
            by_field[name].append(tbytes)
        for name in names:
            fast = self.postings.get(name)
            if fast is not None and not fast.ids and not by_field.get(name):
                continue
            fw.start_field(name, self.schema[name])
            pw = fw._postwriter
            if fast is not None and fast.ids:
                _write_field(fw, pw, fast, self.schema[name].format)
            for tbytes in sorted(by_field.get(name, ())):
                posts = self.other.pop((name, tbytes))
                _write_term(fw, pw, tbytes, self.schema[name].format, posts)
            fw.finish_field()
        fw.close()
        self.postings.clear()


def _quantized(length: int) -> int:
    # The length a reader gets back for a document: stored as one byte.
    return byte_to_length(length_to_byte(length)) if length else 0


def _quantize(lengths: np.ndarray) -> np.ndarray:
    """:func:`_quantized` over an array."""
    codes = np.searchsorted(_LENGTH_BYTES, lengths)
    codes[lengths >= _BIG_LENGTH] = 255
    return np.where(lengths > 0, _LENGTH_BYTES[codes], 0)


def _write_field(fw: Any, pw: Any, fp: _FieldPostings, fmt: Any) -> None:
    """Every term of one fast field, in term order."""
    termids = np.frombuffer(fp.termids, dtype=np.uint32)
    order = np.argsort(termids, kind="stable")  # keeps each term's docs in order
    docs = np.frombuffer(fp.docs, dtype=np.uint32)[order]
    freqs = np.frombuffer(fp.freqs, dtype=np.uint32)[order]
    starts = np.searchsorted(termids[order], np.arange(len(fp.ids) + 1))
    values = [fp.values[i] for i in order.tolist()] if fp.values is not None else None
    if fp.lengths is not None:
        lengths = np.frombuffer(fp.lengths, dtype=np.uint32).astype(np.int64)
        kept = _quantize(np.append(lengths, np.zeros(1, np.int64)))
        doc_lengths = kept[np.minimum(docs, len(lengths))]
    else:
        doc_lengths = np.zeros(len(docs), np.int64)
    texts = [t.encode("utf-8") for t in fp.ids]
    fixed = fmt.fixed_value_size()
    # Weights as Whoosh computes them: frequency times the field's boost (1.0), floats.
    docs_l, weights_l, lens_l, starts_l = (
        docs.tolist(),
        freqs.astype(np.float64).tolist(),
        doc_lengths.tolist(),
        starts.tolist(),
    )
    for tid in sorted(range(len(texts)), key=texts.__getitem__):
        lo, hi = starts_l[tid], starts_l[tid + 1]
        vals: Any
        if values is None:
            # Frequency: the value is the frequency, packed as Whoosh packs it.
            vals = freqs[lo:hi].astype(">u4").tobytes() if fixed else None
        else:
            vals = values[lo:hi]
        _term(fw, pw, texts[tid], docs_l[lo:hi], weights_l[lo:hi], vals, lens_l[lo:hi], fixed)


def _write_term(fw: Any, pw: Any, tbytes: bytes, fmt: Any, posts: list[Any]) -> None:
    fixed = fmt.fixed_value_size()
    docs = [p[0] for p in posts]
    weights = [p[1] for p in posts]
    vals: Any = [p[2] for p in posts if p[2]]
    if fixed == 0:
        vals = None
    elif fixed is not None and fixed > 0:
        vals = b"".join(vals)
    _term(fw, pw, tbytes, docs, weights, vals, [p[3] for p in posts], fixed)


def _term(
    fw: Any,
    pw: Any,
    tbytes: bytes,
    docs: list[int],
    weights: list[Any],
    values: Any,
    lengths: list[int],
    fixed: int | None,
) -> None:
    """One term's postings, written as W3PostingsWriter writes them (its
    ``_write_block`` and ``finish_postings``, fused: a term is written with one
    call instead of a dozen per block), and its row in the term table.

    ``values`` is a bytes string of fixed-size values, a list of variable ones,
    or None when the format has none."""
    limit = pw._blocklimit
    comp = pw._compression
    n = len(docs)
    size = fixed if fixed and fixed > 0 else 0
    out = [_MAGIC]
    total = 0.0
    minlength: int | None = None
    maxlength = 0
    maxweight: Any = 0
    for start in range(0, n, limit):
        end = min(start + limit, n)
        ids = docs[start:end]
        block = weights[start:end]
        stored = array("f", block)  # the block holds float32 weights
        bmaxweight = max(0, max(block))
        if all(w == 1.0 for w in stored):
            mini_weights: Any = None
        elif all(w == stored[0] for w in stored):
            mini_weights = stored[0]
        else:
            mini_weights = tuple(stored)
        if values is None:
            mini_values: Any = None if fixed == 0 or size else ()
        elif size:
            mini_values = values[start * size : end * size]
        else:
            mini_values = tuple(v for v in values[start:end] if v)
        deltas = [ids[0]]
        deltas.extend([b - a for a, b in pairwise(ids)])
        data = dumps((tuple(deltas), mini_weights, mini_values), 2)
        if comp:
            data = zlib.compress(data, comp)
        nonzero = [x for x in lengths[start:end] if x]
        bmin = min(nonzero) if nonzero else None
        bmax = max(nonzero) if nonzero else 0
        info = dumps(
            (len(ids), ids[-1], bmaxweight, comp, length_to_byte(bmin), length_to_byte(bmax)), 2
        )
        blocklength = len(info) + len(data)
        out += (pack_int(-blocklength if end == n else blocklength), info, data)
        total += sum(stored)
        minlength = bmin if minlength is None else min(minlength, bmin)  # type: ignore[type-var]
        maxlength = max(maxlength, bmax)
        maxweight = max(maxweight, bmaxweight)
    written = b"".join(out)
    offset = fw._postfile.tell()
    fw._postfile.write(written)
    row = _TERMINFO.pack(
        0,
        total,
        n,
        0 if minlength is None else length_to_byte(minlength),
        length_to_byte(maxlength),
        maxweight,
        docs[0],
        docs[-1],
    )
    fw._tindex.add(
        pack_ushort(fw._fieldid) + tbytes, row + pack_long(offset) + pack_int(len(written))
    )


def write_segments(
    ix: Any,
    docs: Iterable[dict[str, Any]],
    pairs_folder: Any,
    per_segment: int = SEGMENT_DOCS,
    timeout: float = 30.0,
    progress: Callable[[int, int], None] | None = None,
    total: int = 0,
    workers: int = 1,
) -> int:
    """Add ``docs`` to the index ``ix`` as new segments, in one commit (no
    replacing: delete old versions first), each segment's word pairs beside it in
    ``pairs_folder``; with ``workers`` > 1, in that many forked processes (see
    segment_workers). Returns how many were added."""
    parent = ix.writer(timeout=timeout, delay=0.05)
    try:
        if workers > 1:
            from readinglist.core.segment_workers import build_in_workers

            written, n = build_in_workers(
                ix, list(docs), pairs_folder, workers, per_segment, progress
            )
        else:
            written, n = build_segments(ix, docs, pairs_folder, per_segment, progress, total)
        segments = parent._merge_segments(NO_MERGE, False, False)
        parent._close_segment()
        parent._commit_toc(segments + written)
        parent._finish()
    except BaseException:
        parent.cancel()
        raise
    return n


def build_segments(
    ix: Any,
    docs: Iterable[dict[str, Any]],
    pairs_folder: Any,
    per_segment: int = SEGMENT_DOCS,
    progress: Callable[[int, int], None] | None = None,
    total: int = 0,
) -> tuple[list[Any], int]:
    """Write ``docs`` as segments not yet in the index (a writer holding the
    index's lock commits them); returns the segments and how many documents."""
    written = []
    n = 0
    child = None
    try:
        for doc in docs:
            if child is None:
                child = GroupingSegmentWriter(ix, _lk=False)
            child.add_document(**doc)
            n += 1
            if progress and n % 500 == 0:
                progress(n, total)
            if child.doc_count() >= per_segment:
                written.append(_finish(child, pairs_folder))
                child = None
        if child is not None:
            written.append(_finish(child, pairs_folder))
            child = None
    except BaseException:
        if child is not None:
            child.cancel()
        raise
    return written, n


def _finish(writer: GroupingSegmentWriter, pairs_folder: Any) -> Any:
    segment = writer._finalize_segment()
    # Written before the commit that lists the segment: a reader never finds a
    # segment of ours without its pairs.
    writer.pairs.write(pairs_folder, segment.segment_id(), writer.doc_count())
    # Not _finish(): the temporary folder is the index's, shared with the parent
    # writer, which removes it when it commits.
    writer.is_closed = True
    return segment
