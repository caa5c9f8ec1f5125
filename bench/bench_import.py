"""Import benchmark: the real 1,141-entry arXiv mailing and a generated 100,000-paper listing.

For each input it reports, as medians of several runs into a fresh library
each time: the import's total (until import_text returns: the papers are
committed, durable and visible) and "settled" (until the background checkpoint
after a big import has copied the WAL into the database file). A listing of 16 M
characters or more is parsed by a child process while the library stores it
(Library._store_pieces); for those, the same import with everything in one
process is measured too, in the same runs, with its parse and write parts (parse
alone, then the rest). A baseline measured in the same run shows what the
machine can do: plain sqlite3 writing the same titles and abstracts (no
parsing, no dedup, no indexes) in one transaction.

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
from readinglist.core.tuning import DEFAULT, Tuning  # noqa: E402

from generate import listing_text  # noqa: E402

MAILING = (
    HERE.parent.parent / "shared/corpora/arxiv-listing-text/"
    "arxiv-subscription-viewer__arxiv-mailing-cs-2026-01-20-full.txt"
)


def _median(values: list[float]) -> float:
    return round(statistics.median(values), 4)


def _import(text: str, tmp: str, name: str, one_process: bool) -> tuple[float, float, int]:
    """(seconds until import_text returns, until settled, papers added)."""
    tuning = Tuning(pieces_from=1 << 62) if one_process else DEFAULT
    # The import alone (issue 2); indexing is measured by bench_search.py.
    lib = Library.open(Path(tmp) / name, index=False, tuning=tuning)
    t0 = time.perf_counter()
    report = lib.import_text(text, source="bench", with_revisions=True)  # every entry
    t1 = time.perf_counter()
    # A big import's WAL is copied into the database file by a background
    # checkpoint, which close() waits for.
    lib.close()
    return t1 - t0, time.perf_counter() - t0, report.added


def measure(text: str, runs: int) -> dict[str, object]:
    in_pieces = len(text) >= DEFAULT.pieces_from
    parse_times, totals, settled, baseline = [], [], [], []
    one_totals, one_writes = [], []
    added = 0
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as tmp:
            t0 = time.perf_counter()
            result = parse(text)
            parse_times.append(time.perf_counter() - t0)
            total, settle, added = _import(text, tmp, "lib", one_process=False)
            totals.append(total)
            settled.append(settle)
            if in_pieces:
                one, _, _ = _import(text, tmp, "lib-one-process", one_process=True)
                one_totals.append(one)
                one_writes.append(one - parse_times[-1])

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
    out: dict[str, object] = {
        "papers": added,
        "megabytes": round(len(text.encode()) / 1e6, 1),
        "runs": runs,
        "parsed_in_a_child_process": in_pieces,
        "total_s_median": _median(totals),
        "total_s_all": [round(t, 3) for t in totals],
        "settled_s_median": _median(settled),
        "parse_alone_in_one_process_s_median": _median(parse_times),
    }
    if in_pieces:
        out["one_process_total_s_median"] = _median(one_totals)
        out["one_process_total_s_all"] = [round(t, 3) for t in one_totals]
        out["one_process_write_s_median"] = _median(one_writes)
    else:
        out["write_s_median"] = _median([t - p for t, p in zip(totals, parse_times, strict=True)])
    out["baseline_plain_sqlite_insert_s_median"] = _median(baseline)
    out["papers_per_s"] = round(added / statistics.median(totals))
    return out


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
