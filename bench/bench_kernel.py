"""Triage and undo through the mutation kernel: one-paper marks and tags, a bulk
mark of 5,000 papers, two undos, on a 20,000-paper library. Writes
bench/results/kernel.json.

    python bench/bench_kernel.py [--code ROOT] [--runs 3]

``--code`` measures another checkout of the code (say, a worktree of an older
commit) with this same script, so that two versions can be compared in one run.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def run_once(text: str) -> float:
    from readinglist.core.library import Library

    with tempfile.TemporaryDirectory() as tmp:
        lib = Library.open(Path(tmp) / "lib", index=False)
        lib.import_text(text, source="bench")
        ids = lib.ids()
        t0 = time.perf_counter()
        for pid in ids[:200]:
            lib.mark([pid], "read")
            lib.tag([pid], add=["t"])
        lib.mark(ids[:5000], "queued")
        lib.undo()
        lib.undo()
        seconds = time.perf_counter() - t0
        lib.close()
    return seconds


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--code", default=str(HERE.parent))
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--out", default=str(HERE / "results" / "kernel.json"))
    args = ap.parse_args()
    sys.path.insert(0, args.code)
    sys.path.insert(1, str(HERE))
    from generate import listing_text

    text = listing_text(20_000, abstract_words=60, seed=2)
    times = [run_once(text) for _ in range(args.runs)]
    result = {
        "code": args.code,
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "what": "400 one-paper changes, a 5,000-paper mark and two undos at 20,000 papers",
        "seconds_median": round(statistics.median(times), 3),
        "seconds": [round(t, 3) for t in times],
    }
    Path(args.out).write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
