"""Import benchmark: the real 1,141-entry arXiv mailing and a generated 100,000-paper listing.

For each input it reports parse time, write time (everything after parsing:
dedup, keys, SQLite transaction and commit) and total, as medians of several
runs into a fresh library each time, and "settled" (until the background
checkpoint after a big import has copied the WAL into the database file). A
baseline measured in the same run shows what the machine can do: plain sqlite3
writing the same titles and abstracts (no parsing, no dedup, no indexes) in one
transaction.

    python bench/bench_import.py [--runs N] [--papers N] [--out bench/results/import.json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from readinglist.core.importers import parse  # noqa: E402
from readinglist.core.library import Library  # noqa: E402

from generate import listing_text  # noqa: E402

MAILING = (
    HERE.parent.parent / "shared/corpora/arxiv-listing-text/"
    "arxiv-subscription-viewer__arxiv-mailing-cs-2026-01-20-full.txt"
)


def _median(values: list[float]) -> float:
    return round(statistics.median(values), 4)


def measure(text: str, runs: int) -> dict[str, object]:
    parse_times, write_times, totals, settled, baseline = [], [], [], [], []
    added = 0
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as tmp:
            t0 = time.perf_counter()
            result = parse(text)
            t1 = time.perf_counter()
            parse_times.append(t1 - t0)
            # The import alone (issue 2); indexing is measured by bench_search.py.
            lib = Library.open(Path(tmp) / "lib", index=False)
            t2 = time.perf_counter()
            report = lib.import_text(text, source="bench")
            t3 = time.perf_counter()
            # The papers are committed (durable, visible to every reader) when
            # import_text returns; a big import's WAL is copied into the database
            # file by a background checkpoint, which close() waits for.
            lib.close()
            settled.append(time.perf_counter() - t2)
            # import_text parses again; its write part is total minus parse.
            totals.append(t3 - t2)
            write_times.append((t3 - t2) - (t1 - t0))
            added = report.added

            rows = [(d.title, d.abstract) for d in result.drafts]
            conn = sqlite3.connect(Path(tmp) / "baseline.sqlite")
            conn.isolation_level = None
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, title TEXT, abstract TEXT)")
            t4 = time.perf_counter()
            conn.execute("BEGIN")
            conn.executemany("INSERT INTO t (title, abstract) VALUES (?, ?)", rows)
            conn.execute("COMMIT")
            baseline.append(time.perf_counter() - t4)
            conn.close()
    return {
        "papers": added,
        "megabytes": round(len(text.encode()) / 1e6, 1),
        "runs": runs,
        "parse_s_median": _median(parse_times),
        "write_s_median": _median(write_times),
        "total_s_median": _median(totals),
        "total_s_all": [round(t, 3) for t in totals],
        "settled_s_median": _median(settled),
        "baseline_plain_sqlite_insert_s_median": _median(baseline),
        "papers_per_s": round(added / statistics.median(totals)),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--papers", type=int, default=100_000)
    ap.add_argument("--abstract-words", type=int, default=180)
    ap.add_argument("--out", default=str(HERE / "results" / "import.json"))
    args = ap.parse_args()
    results: dict[str, object] = {
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
        },
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    if MAILING.exists():
        results["arxiv_mailing_1141"] = measure(MAILING.read_text(encoding="utf-8"), args.runs * 3)
    text = listing_text(args.papers, abstract_words=args.abstract_words)
    results[f"generated_listing_{args.papers}"] = measure(text, args.runs)
    short = listing_text(args.papers, abstract_words=40)
    results[f"generated_listing_{args.papers}_short_abstracts"] = measure(short, args.runs)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
