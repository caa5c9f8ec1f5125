"""Predicted interest: logistic regression on tf-idf, learned from triage.

Qt-free and numpy-only. What the user kept (queued, read, starred, tagged) is a
positive; what they dismissed is a negative whose weight halves every
``DISMISS_HALF_LIFE`` days (tastes move on); every other paper is an unlabelled,
weak negative (``UNLABELLED_WEIGHT`` of a dismissal), as arxiv-sanity-lite treats
it, but weak, because a paper nobody looked at is not a paper nobody wants. The
two sides weigh the same in the loss, so 10 keeps against 2,000 dismissals still
teach something.

Trained by accelerated gradient descent on the L2-regularised loss: the rows are
unit length, so the loss's curvature is at most 1/4 and a fixed step converges
without tuning; 120 steps on the training rows take well under a second at
100,000 papers (bench/bench_rank.py measures it).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from readinglist.core import rank_features as rf

DISMISS_HALF_LIFE = 180.0  # days
UNLABELLED_WEIGHT = 0.5
L2 = 1e-6
STEPS = 150
#: The fixed step is 4x the worst-case bound: unit rows of a sparse space are near
#: orthogonal, so the real curvature is far below 1/4 (measured: same ranking
#: quality as 500 steps at the bound, in 150).
STEP_SCALE = 4.0
#: Most unlabelled papers trained on (a random sample, the same each time for
#: the same library): enough to say what the stream looks like.
UNLABELLED_SAMPLE = 3000


@dataclass
class Example:
    """One labelled paper: +1 kept, 0 dismissed, with its age in days."""

    paper_id: int
    kept: bool
    age_days: float = 0.0


@dataclass
class Model:
    weights: np.ndarray  # float32, rf.DIM
    bias: float
    idf: np.ndarray
    kept: int
    dismissed: int
    #: Sorted logits of a random sample of the library: interest is the share of
    #: it a paper scores above ("0.97": above 97% of your papers), a number a
    #: reader can read, where the balanced loss leaves probabilities uncalibrated.
    reference: np.ndarray = field(default_factory=lambda: np.zeros(0))
    #: Labelled rows (unit tf-idf), for "nearest papers you kept or dismissed".
    labelled: rf.Rows = field(default_factory=rf.Rows.empty)
    labelled_vals: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float32))
    labelled_kept: np.ndarray = field(default_factory=lambda: np.zeros(0, bool))


def example_weights(examples: list[Example], unlabelled: int) -> tuple[np.ndarray, np.ndarray]:
    """Targets and weights: the kept side and the not-kept side weigh the same."""
    y = np.array([1.0 if e.kept else 0.0 for e in examples] + [0.0] * unlabelled)
    w = np.array(
        [1.0 if e.kept else 0.5 ** (e.age_days / DISMISS_HALF_LIFE) for e in examples]
        + [UNLABELLED_WEIGHT] * unlabelled
    )
    pos, neg = w[y == 1].sum(), w[y == 0].sum()
    if pos > 0 and neg > 0:
        w[y == 1] *= 0.5 / pos
        w[y == 0] *= 0.5 / neg
    return y, w


def fit(rows: rf.Rows, vals: np.ndarray, y: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, float]:
    """Weights (dense, rf.DIM) and bias minimising the weighted logistic loss."""
    used, local = np.unique(rows.cols, return_inverse=True)
    owner = rows.row_of_nnz()
    n = len(rows)

    def scores(theta: np.ndarray, b: float) -> np.ndarray:
        return np.bincount(owner, weights=theta[local] * vals, minlength=n) + b

    theta = np.zeros(len(used))
    bias = 0.0
    ahead, ahead_b = theta.copy(), bias
    step = STEP_SCALE / (0.5 + L2)  # curvature of the loss is at most 1/4 per unit row, plus bias
    t = 1.0
    for _ in range(STEPS):
        z = scores(ahead, ahead_b)
        g = w * (1.0 / (1.0 + np.exp(-z)) - y)
        grad = np.bincount(local, weights=vals * g[owner], minlength=len(used)) + L2 * ahead
        new = ahead - step * grad
        new_b = ahead_b - step * g.sum()
        t_next = (1.0 + math.sqrt(1.0 + 4.0 * t * t)) / 2.0
        momentum = (t - 1.0) / t_next
        ahead = new + momentum * (new - theta)
        ahead_b = new_b + momentum * (new_b - bias)
        theta, bias, t = new, new_b, t_next
    weights = np.zeros(rf.DIM, np.float32)
    weights[used] = theta
    return weights, float(bias)


def train(all_rows: rf.Rows, examples: list[Example], seed: int = 0) -> Model:
    """A model from the library's rows and its labelled papers."""
    idf_ = rf.idf(all_rows)
    position = {int(pid): i for i, pid in enumerate(all_rows.ids)}
    examples = [e for e in examples if e.paper_id in position]
    labelled_at = np.array(sorted(position[e.paper_id] for e in examples), dtype=np.int64)
    examples.sort(key=lambda e: position[e.paper_id])
    rest = np.setdiff1d(np.arange(len(all_rows)), labelled_at)
    rng = np.random.default_rng(seed)
    if len(rest) > UNLABELLED_SAMPLE:
        rest = np.sort(rng.choice(rest, UNLABELLED_SAMPLE, replace=False))
    rows = all_rows.take(np.concatenate([labelled_at, rest]))
    vals = rf.weighted(rows, idf_)
    y, w = example_weights(examples, len(rest))
    weights, bias = fit(rows, vals, y, w)
    sample = rows.take(np.arange(len(labelled_at), len(rows)))
    if not len(sample):
        sample = rows
    reference = np.sort(rf.dot(sample, rf.weighted(sample, idf_), weights) + bias)
    labelled = all_rows.take(labelled_at)
    return Model(
        weights,
        bias,
        idf_,
        kept=sum(e.kept for e in examples),
        dismissed=sum(not e.kept for e in examples),
        reference=reference,
        labelled=labelled,
        labelled_vals=rf.weighted(labelled, idf_),
        labelled_kept=np.array([e.kept for e in examples], dtype=bool),
    )


def logits(model: Model, rows: rf.Rows) -> np.ndarray:
    return rf.dot(rows, rf.weighted(rows, model.idf), model.weights) + model.bias


def interest(model: Model, rows: rf.Rows) -> np.ndarray:
    """Predicted interest of each row, 0–1: the share of the library it outscores.
    (Order by ``logits``: papers between two reference points share a value.)"""
    return share_below(model, logits(model, rows))


def share_below(model: Model, z: np.ndarray) -> np.ndarray:
    if not len(model.reference):
        out: np.ndarray = 1.0 / (1.0 + np.exp(-z))
        return out
    below = np.searchsorted(model.reference, z, side="left")
    ties = np.searchsorted(model.reference, z, side="right") - below
    return (below + 0.5 * ties) / len(model.reference)


def with_serendipity(
    order: list[int], every: int = 10, seed: int = 0
) -> tuple[list[int], set[int]]:
    """``order`` with one slot in ``every`` given to a paper from outside the top
    (the lower half), so the ranking does not close in on what it already knows;
    the papers so placed are returned too, to be marked."""
    n = len(order)
    if n < 2 * every:
        return order, set()
    top, pool = list(order), order[n // 2 :]
    rng = np.random.default_rng(seed)
    picks = [pool[i] for i in rng.permutation(len(pool))[: n // every]]
    chosen = set(picks)
    out: list[int] = []
    rest = [pid for pid in top if pid not in chosen]
    for pid in rest:
        if picks and len(out) % every == every - 1:
            out.append(picks.pop(0))
        out.append(pid)
    return out + picks, chosen


def top_terms(model: Model, words: list[str], limit: int = 5) -> list[tuple[str, float]]:
    """The paper's terms that raise its score most, with their contribution."""
    tally: dict[str, int] = {}
    for term in words:
        tally[term] = tally.get(term, 0) + 1
    cols = {term: rf.column(term) for term in tally}
    raw = {t: rf.sublinear(c) * float(model.idf[cols[t]]) for t, c in tally.items()}
    norm = math.sqrt(sum(v * v for v in raw.values())) or 1.0
    scored = [(t, float(model.weights[cols[t]]) * raw[t] / norm) for t in raw]
    scored = [(t, s) for t, s in scored if s > 0]
    scored.sort(key=lambda item: -item[1])
    # A word pair and its words say one thing: keep the pair, drop words in it.
    out: list[tuple[str, float]] = []
    for term, score in scored:
        if any(term in kept.split(" ") or kept in term.split(" ") for kept, _ in out):
            continue
        out.append((term, score))
        if len(out) == limit:
            break
    return out


def nearest(
    model: Model, cols: np.ndarray, vals: np.ndarray, limit: int = 3
) -> list[tuple[int, bool, float]]:
    """The labelled papers most like one paper: (id, kept, cosine)."""
    if not len(model.labelled):
        return []
    dense = np.zeros(rf.DIM, np.float32)
    dense[cols] = vals
    sims = rf.dot(model.labelled, model.labelled_vals, dense)
    best = np.argsort(-sims, kind="stable")[:limit]
    return [
        (int(model.labelled.ids[i]), bool(model.labelled_kept[i]), float(sims[i]))
        for i in best
        if sims[i] > 0
    ]
