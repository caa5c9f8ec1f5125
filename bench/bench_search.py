"""Search benchmark: index build rate and query latency at 2k, 20k and 100k papers.

Generated libraries (10-word titles, ~180-word abstracts, bench/generate.py) are
imported into a real library and indexed by the same code the app uses. For each
query form it reports p50/p95 latency of Library.search (which also loads the
papers from SQLite), and runs comparable queries through SQLite FTS5 on the same
data in the same run, reporting the ratio. Results go to bench/results/search.json.

    python bench/bench_search.py [--sizes 2000,20000,100000] [--repeat 30]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from readinglist.core.library import Library  # noqa: E402
from readinglist.core.search import SearchIndex  # noqa: E402

from generate import VOCABULARY, listing_text  # noqa: E402


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    k = max(0, min(len(values) - 1, round(p / 100 * (len(values) - 1))))
    return round(values[k] * 1000, 2)


def timed(fn, samples):
    out = []
    for s in samples:
        t = time.perf_counter()
        fn(s)
        out.append(time.perf_counter() - t)
    return {"p50_ms": pct(out, 50), "p95_ms": pct(out, 95), "max_ms": pct(out, 100), "n": len(out)}


def query_sets(rng: random.Random, repeat: int, text: str) -> dict[str, list[str]]:
    # Topical words: not the stop-word head of the Zipf curve, not the rare tail.
    w = VOCABULARY[30:3000]

    def pick():
        return rng.choice(w)

    paragraphs = text.split("\n\n")
    phrases = []
    while len(phrases) < repeat:
        words = rng.choice(paragraphs).rstrip(".").split()
        if len(words) > 20:
            i = rng.randrange(len(words) - 1)
            pair = [x.strip(".").lower() for x in words[i : i + 2]]
            if all(x.isalpha() for x in pair):
                phrases.append('"' + " ".join(pair) + '"')
    return {
        "word": [pick() for _ in range(repeat)],
        "two_words": [f"{pick()} {pick()}" for _ in range(repeat)],
        "phrase": phrases,
        "field": [f"title:{pick()}" for _ in range(repeat)],
        "prefix": [pick()[:4] + "*" for _ in range(repeat)],
        "fuzzy": [
            (lambda x: x[:-1] + ("x" if x[-1] != "x" else "y") + "~")(pick()) for _ in range(repeat)
        ],
        "filter_word": [f"is:unread {pick()}" for _ in range(repeat)],
    }


def fts5_equivalent(kind: str, q: str) -> str | None:
    if kind in ("word", "two_words", "phrase"):
        return q
    if kind == "field":
        return "title:" + q.split(":", 1)[1]
    if kind == "prefix":
        return q
    if kind == "filter_word":
        return q.split(" ", 1)[1]
    return None  # FTS5 has no fuzzy terms


def _cpu() -> float:
    """CPU seconds of this process and of its waited-for children (the indexer,
    which waits for its workers)."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def _size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def build_baselines(lib: Library, folder: Path, n: int) -> dict[str, object]:
    """Index builds from the same rows, in the same run: Whoosh's own writer on
    our schema (up to BASELINE_MAX papers: 20 minutes at 100,000), and at every
    size a plain Whoosh schema (title and abstract, default writer) and SQLite FTS5."""
    from whoosh import fields, index

    from readinglist.core.search_schema import SCHEMA, document

    conn = lib.index_sync.store.conn
    ids = [r[0] for r in conn.execute("SELECT id FROM papers ORDER BY id")]
    docs = [document(r) for r in lib.index_sync.rows(ids).values()]
    out: dict[str, object] = {}
    if n <= BASELINE_MAX:  # the plain schema below is measured at every size
        with tempfile.TemporaryDirectory() as tmp:
            ix = index.create_in(tmp, SCHEMA)
            t, cpu = time.perf_counter(), _cpu()
            # What the bulk build used before: Whoosh's multi-process writer.
            writer = ix.writer(procs=2, multisegment=True, limitmb=128)
            for doc in docs:
                writer.add_document(**doc)
            writer.commit()
            took = time.perf_counter() - t
            out["whoosh_writer_same_schema_s"] = round(took, 2)
            out["whoosh_writer_same_schema_cpu_s"] = round(_cpu() - cpu, 1)
            out["whoosh_writer_same_schema_docs_per_s"] = round(n / took)
            out["whoosh_writer_same_schema_mb"] = round(_size(Path(tmp)) / 1e6, 1)
    with tempfile.TemporaryDirectory() as tmp:
        plain = fields.Schema(
            id=fields.ID(stored=True), title=fields.TEXT(), abstract=fields.TEXT()
        )
        ix = index.create_in(tmp, plain)
        t, cpu = time.perf_counter(), _cpu()
        writer = ix.writer(procs=2, multisegment=True, limitmb=128)
        for doc in docs:
            writer.add_document(id=doc["id"], title=doc["title"], abstract=doc["abstract"])
        writer.commit()
        took = time.perf_counter() - t
        out["plain_whoosh_title_abstract_s"] = round(took, 2)
        out["plain_whoosh_cpu_s"] = round(_cpu() - cpu, 1)
        out["plain_whoosh_mb"] = round(_size(Path(tmp)) / 1e6, 1)
        out["plain_whoosh_docs_per_s"] = round(n / took)
    db = sqlite3.connect(folder / "library.sqlite")
    before_mb = (folder / "library.sqlite").stat().st_size / 1e6
    db.execute("DROP TABLE IF EXISTS fts_bench")
    t, cpu = time.perf_counter(), _cpu()
    db.execute(
        "CREATE VIRTUAL TABLE fts_bench USING fts5(title, abstract, content='papers', "
        "content_rowid='id', tokenize='porter unicode61 remove_diacritics 2')"
    )
    db.execute("INSERT INTO fts_bench(fts_bench) VALUES ('rebuild')")
    db.commit()
    took = time.perf_counter() - t
    out["fts5_cpu_s"] = round(_cpu() - cpu, 1)
    out["fts5_mb_database_growth"] = round(
        (folder / "library.sqlite").stat().st_size / 1e6 - before_mb, 1
    )
    db.execute("DROP TABLE fts_bench")
    db.commit()
    db.close()
    out["fts5_title_abstract_s"] = round(took, 2)
    out["fts5_docs_per_s"] = round(n / took)
    return out


BASELINE_MAX = 20_000
PATHOLOGICAL = {
    "4000_words": " ".join(VOCABULARY[i % len(VOCABULARY)] for i in range(4000)),
    "arxiv_100000_digits": "arxiv:" + "1" * 100_000,
    "1_mb_paste": ("learning " * 120_000)[:1_000_000],
    "lone_star": "*",
    "64_or_terms": " OR ".join(VOCABULARY[30:94]),
    "64_prefixes": " OR ".join(w[:3] + "*" for w in VOCABULARY[30:94]),
    "64_fuzzy": " OR ".join(w + "~" for w in VOCABULARY[100:164]),
}


def _took(fn) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def run_size(n: int, repeat: int, existing: Path | None = None) -> dict[str, object]:
    rng = random.Random(n)
    out: dict[str, object] = {"papers": n}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "lib"
        text = listing_text(n, abstract_words=180, seed=n)
        if existing is not None:
            # Re-measure queries on a library built earlier (index builds take long).
            shutil.copytree(existing, folder, ignore=shutil.ignore_patterns("backups"))
            lib = Library.open(folder)
        else:
            lib = Library.open(folder, index=False)
            t = time.perf_counter()
            lib.import_text(text, source="bench")
            out["import_s"] = round(time.perf_counter() - t, 2)
            t = time.perf_counter()
            cpu = _cpu()
            lib.ensure_index()  # bulk: the child indexer and its two workers
            build = time.perf_counter() - t
            out["index_build_cpu_s"] = round(_cpu() - cpu, 1)
            out["index_build_s"] = round(build, 2)
            out["index_docs_per_s"] = round(n / build)
            out["index_mb"] = round(_size(folder / "index") / 1e6, 1)
            out["build_baselines"] = build_baselines(lib, folder, n)
        assert lib.check()["ok"]
        opens = []
        for _ in range(5):
            ix = SearchIndex(folder / "index")
            t = time.perf_counter()
            ix.searcher()
            opens.append(time.perf_counter() - t)
            ix.close()
        out["searcher_open_ms_median"] = round(statistics.median(opens) * 1000, 1)
        # As the app does once its index is open (in its worker thread).
        t = time.perf_counter()
        lib.warm_search()
        out["filter_warm_up_ms"] = round((time.perf_counter() - t) * 1000, 1)
        lib.search("warm up")
        queries = query_sets(rng, repeat, text)
        latency = {}
        for kind, qs in queries.items():
            latency[kind] = timed(lambda q: lib.search(q, limit=20), qs)
        # Pathological queries (issue 16): each answers in under a second or is cut
        # with a note. Slowest of three runs.
        out["pathological_max_ms"] = {
            name: round(max(_took(lambda q=q: lib.search(q, limit=20)) for _ in range(3)) * 1000, 1)
            for name, q in PATHOLOGICAL.items()
        }
        ids = [rng.randint(1, n) for _ in range(max(5, repeat // 3))]
        latency["similar"] = timed(lambda i: lib.similar(i, limit=10), ids)
        out["whoosh"] = latency

        # SQLite FTS5 on the same titles and abstracts, in the same run.
        conn = sqlite3.connect(folder / "library.sqlite")
        conn.execute(
            "CREATE VIRTUAL TABLE fts USING fts5(title, abstract, content='papers', "
            "content_rowid='id', tokenize='porter unicode61 remove_diacritics 2')"
        )
        conn.execute("INSERT INTO fts(fts) VALUES ('rebuild')")
        conn.commit()
        fts = {}
        for kind, qs in queries.items():
            eq = [fts5_equivalent(kind, q) for q in qs]
            if eq[0] is None:
                continue

            def run(q):
                conn.execute(
                    "SELECT p.id, p.title FROM fts JOIN papers p ON p.id = fts.rowid "
                    "WHERE fts MATCH ? ORDER BY bm25(fts, 4.0, 1.0) LIMIT 20",
                    [q],
                ).fetchall()

            fts[kind] = timed(run, eq)
        conn.close()
        out["fts5"] = fts
        out["ratio_p95_whoosh_over_fts5"] = {
            k: round(latency[k]["p95_ms"] / max(fts[k]["p95_ms"], 0.01), 1) for k in fts
        }
        lib.close()
    out["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="2000,20000,100000")
    ap.add_argument("--repeat", type=int, default=30)
    ap.add_argument("--out", default=str(HERE / "results" / "search.json"))
    ap.add_argument("--existing", help="measure queries on this prepared library folder")
    args = ap.parse_args()
    results: dict[str, object] = {
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
        },
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "targets_p95_ms": {
            "100k": {"words_phrases_fields_filters": 100, "prefix_fuzzy": 250},
            "20k": {"words_phrases_fields_filters": 40, "prefix_fuzzy": 100},
        },
        "sizes": [],
    }
    if args.existing:
        # Replace the query figures of that size, keeping its build figures.
        previous = json.loads(Path(args.out).read_text())
        n = int(args.sizes)
        res = run_size(n, args.repeat, Path(args.existing))
        for i, old in enumerate(previous["sizes"]):
            if old["papers"] == n:
                for key in (
                    "import_s",
                    "index_build_s",
                    "index_build_cpu_s",
                    "index_docs_per_s",
                    "index_mb",
                    "build_baselines",
                ):
                    if key in old:
                        res[key] = old[key]
                previous["sizes"][i] = res
        previous.setdefault("remeasured", {})[str(n)] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
        Path(args.out).write_text(json.dumps(previous, indent=2) + "\n")
        print(json.dumps(res, indent=2))
        return
    for n in [int(x) for x in args.sizes.split(",")]:
        res = run_size(n, args.repeat)
        results["sizes"].append(res)  # type: ignore[union-attr]
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(json.dumps(results, indent=2) + "\n")
        print(json.dumps(res, indent=2), flush=True)


if __name__ == "__main__":
    main()
