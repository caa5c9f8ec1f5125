"""Replay benchmark of the interest ranker (issue 18) on real data.

The stream is ``../shared/corpora/ranking/arxiv-daily`` (63 days of complete arXiv
/new listings, 16,469 papers). A simulated reader has a niche defined by an arXiv
category (cs.RO, cs.HC, ...); the category is hidden from every ranker, which
sees only titles, abstracts and authors, as a user's labels would teach it. Each
day the reader keeps 60% of the day's niche papers (the rest they never got to)
and dismisses 30% of the others; everything else stays unlabelled. Every ranker,
trained on the days before, ranks the next day's listing; a niche paper is a hit.

Methods, all in the same run: ours (core/ranker.py), recency, arxiv-sanity-lite
(tf-idf 1-2-grams, LinearSVC(C=0.01, class_weight="balanced"), every paper not
kept a negative, as its serve.py does), logistic regression on WordLlama
embeddings (Scholar Inbox's method, on kept vs dismissed) and Whoosh
more-like-this of the kept papers. The real reading lists: each researcher's
earlier keeps train; their later keeps are ranked among a day's listing (and,
for the astronomer's three interest groups, among the other groups' later keeps).

Needs the bench extra: ``pip install -e ".[bench]"`` (scikit-learn, wordllama).
Writes JSON to bench/results/rank.json.

    python bench/bench_rank.py [--stride 2] [--readers cs.RO,cs.HC]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
import zlib
from pathlib import Path

import numpy as np

from readinglist.core import rank_features as rf
from readinglist.core import ranker

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "ranking"
READERS = ["cs.RO", "cs.HC", "cs.GT", "cs.IR", "cs.MA", "cs.CR", "cs.GR", "cs.CY"]
KEEP, DISMISS, WARM = 0.6, 0.3, 5


def load(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.open(encoding="utf-8")]


def chance(*parts: str) -> float:
    """A fixed pseudo-random number per (reader, paper): the same labels every run."""
    return (zlib.crc32("|".join(parts).encode()) % 10_000) / 10_000


def text_of(p: dict) -> str:
    return f"{p.get('title') or ''}. {p.get('abstract') or ''}"


def metrics(scores: np.ndarray, wanted: np.ndarray) -> tuple[float, float]:
    """precision@10 and average precision of one day's ranking."""
    order = np.argsort(-scores, kind="stable")
    hits = wanted[order]
    p10 = float(hits[:10].mean())
    ranks = np.flatnonzero(hits) + 1
    ap = float(np.mean(np.arange(1, len(ranks) + 1) / ranks)) if len(ranks) else 0.0
    return p10, ap


class Ours:
    name = "ours"

    def __init__(self, papers: list[dict]) -> None:
        t = time.perf_counter()
        items = []
        for i, p in enumerate(papers):
            words = rf.terms(
                p.get("title") or "", p.get("abstract") or "", p.get("authors") or [], []
            )
            items.append((i, 0, *rf.counts(words)))
        self.rows = rf.Rows.build(items)
        self.build_seconds = time.perf_counter() - t

    def rank(
        self,
        known: np.ndarray,
        kept: dict[int, float],
        dismissed: dict[int, float],
        today: np.ndarray,
    ) -> np.ndarray:
        library = self.rows.take(known)  # the library: every paper imported so far
        examples = [ranker.Example(i, True, age) for i, age in kept.items()]
        examples += [ranker.Example(i, False, age) for i, age in dismissed.items()]
        model = ranker.train(library, examples)
        return ranker.interest(model, self.rows.take(today))


class Recency:
    name = "recency"

    def __init__(self, papers: list[dict]) -> None:
        self.ids = [p["id"] for p in papers]

    def rank(self, known, kept, dismissed, today):
        # Newest first: the later arXiv id (ids sort by submission within a day).
        order = sorted(range(len(today)), key=lambda i: self.ids[today[i]])
        scores = np.zeros(len(today))
        scores[order] = np.arange(len(today))
        return scores


class ArxivSanity:
    """arxiv-sanity-lite: compute.py's TfidfVectorizer, serve.py's LinearSVC."""

    name = "arxiv-sanity (tf-idf + LinearSVC)"

    def __init__(self, papers: list[dict]) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer

        v = TfidfVectorizer(
            input="content", encoding="utf-8", decode_error="replace", strip_accents="unicode",
            lowercase=True, analyzer="word", stop_words="english",
            token_pattern=r"(?u)\b[a-zA-Z_][a-zA-Z0-9_]+\b", ngram_range=(1, 2),
            max_features=20000, norm="l2", use_idf=True, smooth_idf=True, sublinear_tf=True,
            max_df=0.1, min_df=5,
        )  # fmt: skip
        self.x = v.fit_transform(
            [text_of(p) + " " + ", ".join(p.get("authors") or []) for p in papers]
        )

    def rank(self, known, kept, dismissed, today):
        from sklearn import svm

        rows = np.concatenate([known, today])
        y = np.array([1 if int(i) in kept else 0 for i in rows])
        if y.sum() == 0:
            return np.zeros(len(today))
        clf = svm.LinearSVC(class_weight="balanced", max_iter=10000, tol=1e-4, C=0.01)
        clf.fit(self.x[rows], y)
        return clf.decision_function(self.x[today])


class EmbeddingLR:
    """Scholar Inbox's method: logistic regression on paper embeddings, trained
    on explicit votes (kept = up, dismissed = down)."""

    name = "embeddings + LR (WordLlama 256-d)"

    def __init__(self, papers: list[dict]) -> None:
        import os

        import wordllama
        from wordllama import WordLlama

        wl = WordLlama.load(cache_dir=os.path.dirname(wordllama.__file__), disable_download=True)
        self.e = np.asarray(wl.embed([text_of(p) for p in papers]), dtype=np.float32)

    def rank(self, known, kept, dismissed, today):
        from sklearn.linear_model import LogisticRegression

        rows = list(kept) + list(dismissed)
        y = [1] * len(kept) + [0] * len(dismissed)
        if not kept or not dismissed:
            return np.zeros(len(today))
        clf = LogisticRegression(C=1.0, class_weight="balanced", max_iter=1000)
        clf.fit(self.e[rows], y)
        return clf.decision_function(self.e[today])


class WhooshMLT:
    """Whoosh more-like-this of the kept papers: their key terms (Bo1, as
    Searcher.more_like uses) as one query over the day's papers."""

    name = "Whoosh more-like-this"

    def __init__(self, papers: list[dict]) -> None:
        from whoosh import fields, index
        from whoosh.analysis import StemmingAnalyzer

        self.folder = tempfile.mkdtemp(prefix="rank-mlt-")
        schema = fields.Schema(
            num=fields.NUMERIC(stored=True, unique=True),
            text=fields.TEXT(analyzer=StemmingAnalyzer(), vector=True),
        )
        ix = index.create_in(self.folder, schema)
        w = ix.writer(limitmb=256)
        for i, p in enumerate(papers):
            w.add_document(num=i, text=text_of(p))
        w.commit()
        self.ix = ix
        self.searcher = ix.searcher()
        self.docnum = {
            self.searcher.stored_fields(d)["num"]: d for d in self.searcher.document_numbers()
        }

    def rank(self, known, kept, dismissed, today):
        from whoosh import query

        if not kept:
            return np.zeros(len(today))
        docs = [self.docnum[i] for i in kept]
        terms = self.searcher.key_terms(docs, "text", numterms=40)
        q = query.Or([query.Term("text", t, boost=float(s)) for t, s in terms])
        wanted = {self.docnum[int(i)]: k for k, i in enumerate(today)}
        scores = np.zeros(len(today))
        for hit in self.searcher.search(q, limit=None):
            k = wanted.get(hit.docnum)
            if k is not None:
                scores[k] = hit.score
        return scores


def replay(papers, methods, readers, stride):
    days = sorted({p["date"] for p in papers})
    by_day = {d: np.array([i for i, p in enumerate(papers) if p["date"] == d]) for d in days}
    day_no = {d: k for k, d in enumerate(days)}
    out: dict = {}
    for cat in readers:
        niche = np.array([cat in p["categories"] for p in papers])
        res = {m.name: {"p10": [], "ap": []} for m in methods}
        for k in range(WARM, len(days), stride):
            today = by_day[days[k]]
            if not niche[today].any():
                continue
            known = np.concatenate([by_day[d] for d in days[:k]])
            kept, dismissed = {}, {}
            for i in known.tolist():
                age = float(k - day_no[papers[i]["date"]])
                if niche[i] and chance(cat, papers[i]["id"], "keep") < KEEP:
                    kept[i] = age
                elif not niche[i] and chance(cat, papers[i]["id"], "dismiss") < DISMISS:
                    dismissed[i] = age
            for m in methods:
                p10, ap = metrics(np.asarray(m.rank(known, kept, dismissed, today)), niche[today])
                res[m.name]["p10"].append(p10)
                res[m.name]["ap"].append(ap)
        out[cat] = {
            name: {
                "p10": statistics.mean(v["p10"]),
                "ap": statistics.mean(v["ap"]),
                "days": len(v["ap"]),
            }
            for name, v in res.items()
        }
        print(cat, {n: round(v["ap"], 3) for n, v in out[cat].items()}, flush=True)
    return out


def timing(papers):
    """Feature build per 1,000 papers; train + rank at 1k/10k/100k (the stream
    repeated to 100k, 50 keeps and 500 dismissals)."""
    t = time.perf_counter()
    items = [
        (i, 0, *rf.counts(rf.terms(p["title"], p["abstract"], p["authors"], p["categories"])))
        for i, p in enumerate(papers[:1000])
    ]
    build = time.perf_counter() - t
    base = rf.Rows.build(
        [
            (i, 0, *rf.counts(rf.terms(p["title"], p["abstract"], p["authors"], p["categories"])))
            for i, p in enumerate(papers)
        ]
    )
    out = {"features_per_1000_s": build}
    for n in (1000, 10_000, 100_000):
        reps = -(-n // len(base))
        items = []
        for _r in range(reps):
            for i in range(len(base)):
                if len(items) == n:
                    break
                items.append((len(items), 0, *base.row(i)))
        rows = rf.Rows.build(items)
        rng = np.random.default_rng(1)
        picks = rng.choice(n, 550, replace=False)
        examples = [ranker.Example(int(i), k < 50) for k, i in enumerate(picks)]
        times = []
        for _ in range(3):
            t = time.perf_counter()
            model = ranker.train(rows, examples)
            ranker.interest(model, rows)
            times.append(time.perf_counter() - t)
        out[f"train_rank_{n}_s"] = statistics.median(times)
        print(n, out[f"train_rank_{n}_s"], flush=True)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--stride", type=int, default=2)
    ap.add_argument("--readers", default=",".join(READERS))
    ap.add_argument("--methods", default="ours,recency,sanity,embed,mlt")
    ap.add_argument("--no-timing", action="store_true")
    args = ap.parse_args()
    if not CORPUS.exists():
        sys.exit(f"bench_rank: the ranking corpus is not at {CORPUS}")
    papers = load(CORPUS / "arxiv-daily" / "papers.jsonl")
    kinds = {
        "ours": Ours,
        "recency": Recency,
        "sanity": ArxivSanity,
        "embed": EmbeddingLR,
        "mlt": WhooshMLT,
    }
    methods = []
    for key in args.methods.split(","):
        t = time.perf_counter()
        methods.append(kinds[key](papers))
        print(f"{key}: prepared in {time.perf_counter() - t:.1f}s", flush=True)
    result = {"readers": replay(papers, methods, args.readers.split(","), args.stride)}
    names = [m.name for m in methods]
    result["mean"] = {
        n: {
            "p10": statistics.mean(r[n]["p10"] for r in result["readers"].values()),
            "ap": statistics.mean(r[n]["ap"] for r in result["readers"].values()),
        }
        for n in names
    }
    print(json.dumps(result["mean"], indent=1))
    if not args.no_timing:
        result["timing"] = timing(papers)
    out = Path(__file__).parent / "results" / "rank.json"
    out.write_text(json.dumps(result, indent=1))
    print("wrote", out)


if __name__ == "__main__":
    main()
