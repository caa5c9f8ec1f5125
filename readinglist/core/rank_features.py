"""What the interest ranker sees of a paper: hashed word and word-pair counts.

A paper's title (counted twice: a title word says more than an abstract word),
abstract, authors ("au:family") and arXiv categories ("cat:cs.RO") become terms;
each term is hashed (CRC-32, stable across runs and machines, unlike ``hash()``)
into one of ``DIM`` columns. Hashing needs no vocabulary to keep in step with the
library, and the terms behind a column are found again by hashing one paper's
text when the app explains a score.

The rows are kept as one compressed sparse matrix (numpy arrays, no scipy) with
each paper's id and a fingerprint of its text, so a refresh computes only the
papers that are new or whose text changed. tf-idf weighting is done when the
model is trained, from these counts, because idf moves as the library grows.
"""

from __future__ import annotations

import itertools
import math
import re
import zlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from readinglist.core import citekeys

#: Columns of the hashed feature space: 2^20 keeps collisions rare for a
#: 100,000-paper vocabulary of words and word pairs (a weight vector is 8 MB).
DIM = 1 << 20

_WORD = re.compile(r"[a-z][a-z0-9]+(?:-[a-z0-9]+)*")
# Words that say nothing about a paper's subject; pairs are not formed across them.
STOP_WORDS = frozenset(
    """a about above across after again against all also among an and any are as at
    be because been before being below between both but by can could did do does
    doing done due during each either et etc few for from further had has have having
    here how however i if in into is it its itself just may might more most much must
    no nor not novel of off on once only or other our ours out over own paper per
    propose proposed present show shows shown so some such than that the their them
    then there these they this those through thus to too under until up upon us use
    used using very via was we well were what when where whether which while who whom
    why will with within without would yet you your approach method methods results
    new based""".split()
)


def terms(
    title: str, abstract: str, authors: Iterable[str], categories: Iterable[str]
) -> list[str]:
    """The terms of one paper, repeated as often as they count."""
    out: list[str] = []
    for text, times in ((title, 2), (abstract, 1)):
        words = _WORD.findall(text.lower())
        grams = [w for w in words if w not in STOP_WORDS]
        pairs = [
            f"{a} {b}"
            for a, b in itertools.pairwise(words)
            if a not in STOP_WORDS and b not in STOP_WORDS
        ]
        out.extend((grams + pairs) * times)
    for name in list(authors)[:30]:
        family = citekeys.ascii_fold(citekeys.family_name(name)).lower()
        if family:
            out.append("au:" + family)
    out.extend("cat:" + c.lower() for c in categories)
    return out


def column(term: str) -> int:
    return zlib.crc32(term.encode("utf-8")) & (DIM - 1)


def counts(words: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Hashed columns (sorted) and their term counts."""
    tally: Counter[int] = Counter(column(t) for t in words)
    cols = np.fromiter(sorted(tally), dtype=np.int32, count=len(tally))
    return cols, np.array([tally[int(c)] for c in cols], dtype=np.float32)


def fingerprint(title: str, abstract: str, authors: str, categories: str) -> int:
    """Changes when the text the features come from changes (CRC-32 of it)."""
    return zlib.crc32("\x00".join((title, abstract, authors, categories)).encode("utf-8"))


@dataclass
class Rows:
    """Papers' hashed term counts, one CSR row per paper (ids ascending)."""

    ids: np.ndarray  # int64
    prints: np.ndarray  # int64 text fingerprints
    indptr: np.ndarray  # int64, len(ids) + 1
    cols: np.ndarray  # int32
    vals: np.ndarray  # float32 counts

    @classmethod
    def empty(cls) -> Rows:
        return cls(
            np.zeros(0, np.int64),
            np.zeros(0, np.int64),
            np.zeros(1, np.int64),
            np.zeros(0, np.int32),
            np.zeros(0, np.float32),
        )

    @classmethod
    def build(cls, items: list[tuple[int, int, np.ndarray, np.ndarray]]) -> Rows:
        """From (id, fingerprint, cols, counts), in their order."""
        lengths = np.fromiter((len(c) for _, _, c, _ in items), np.int64, len(items))
        indptr = np.zeros(len(items) + 1, np.int64)
        np.cumsum(lengths, out=indptr[1:])
        return cls(
            np.fromiter((i for i, _, _, _ in items), np.int64, len(items)),
            np.fromiter((p for _, p, _, _ in items), np.int64, len(items)),
            indptr,
            np.concatenate([c for _, _, c, _ in items]) if items else np.zeros(0, np.int32),
            np.concatenate([v for _, _, _, v in items]) if items else np.zeros(0, np.float32),
        )

    def __len__(self) -> int:
        return len(self.ids)

    def row(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        a, b = self.indptr[i], self.indptr[i + 1]
        return self.cols[a:b], self.vals[a:b]

    def items(self, positions: Iterable[int]) -> list[tuple[int, int, np.ndarray, np.ndarray]]:
        return [(int(self.ids[i]), int(self.prints[i]), *self.row(i)) for i in positions]

    def take(self, positions: np.ndarray) -> Rows:
        """The rows at ``positions``, in that order, as their own matrix."""
        return Rows.build(self.items(positions.tolist()))

    def row_of_nnz(self) -> np.ndarray:
        return np.repeat(np.arange(len(self.ids)), np.diff(self.indptr))


#: A term in fewer papers says nothing the model can learn from (and most are
#: typos and one-off word pairs); a term in more than this share is the stream's
#: common ground, not anyone's interest. Measured in bench/bench_rank.py: average
#: precision 0.20 with every term, 0.25 with these bounds.
MIN_DF = 5
MAX_DF_SHARE = 0.1


def idf(rows: Rows) -> np.ndarray:
    """Smoothed inverse document frequency of every column (float32, DIM long);
    0 for the columns left out (too rare or too common)."""
    df = np.bincount(rows.cols, minlength=DIM).astype(np.float32)
    n = float(len(rows))
    out: np.ndarray = (np.log((1.0 + n) / (1.0 + df)) + 1.0).astype(np.float32)
    # Small libraries keep every term a second paper shares.
    low = MIN_DF if n >= 1000 else 2
    out[(df < low) | (df > max(MAX_DF_SHARE * n, 50))] = 0.0
    return out


def weighted(rows: Rows, idf_: np.ndarray) -> np.ndarray:
    """Each nonzero's tf-idf value (sublinear tf), rows scaled to unit length."""
    vals = (1.0 + np.log(rows.vals)) * idf_[rows.cols]
    owner = rows.row_of_nnz()
    norms = np.sqrt(np.bincount(owner, weights=vals * vals, minlength=len(rows)))
    norms[norms == 0] = 1.0
    out: np.ndarray = (vals / norms[owner]).astype(np.float32)
    return out


def dot(rows: Rows, vals: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Each row's dot product with a dense weight vector."""
    return np.bincount(
        rows.row_of_nnz(), weights=weights[rows.cols] * vals, minlength=len(rows)
    ).astype(np.float64)


def sublinear(count: float) -> float:
    return 1.0 + math.log(count)
