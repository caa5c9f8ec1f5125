"""A long fuzzing run over every importer and the query parser, with a time bound
per input, then a scaling check on 1 MB and 10 MB pathological inputs.

Random inputs are built from each format's own syntax (tests/fuzz_cases.py) and
arbitrary characters. Any exception other than the documented user error
(BadInput for importers; none at all for search) is a failure, and so is an
input that takes longer than the bound (SIGALRM interrupts it: a hang shows).
The scaling check times each pathological input at 1 MB and at 10 MB: linear
code takes about 10 times longer, quadratic code about 100 times (best of two).

    python bench/fuzz.py [--minutes 3] [--bound 5] [--out bench/results/fuzz.json]
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import signal
import statistics
import sys
import tempfile
import time
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE.parent / "tests"))

from fuzz_cases import (  # noqa: E402
    ADVERSARIAL,
    FORMATS,
    FRAGMENTS,
    TEMPLATES,
    adversarial,
    mutate,
)

from readinglist.core.errors import BadInput  # noqa: E402
from readinglist.core.importers import parse  # noqa: E402
from readinglist.core.library import Library  # noqa: E402


class TooSlow(Exception):
    pass


def _alarm(signum: int, frame: object) -> None:
    raise TooSlow


def random_text(rng: random.Random, fmt: str) -> str:
    if fmt in TEMPLATES and rng.random() < 0.5:  # a valid document, randomly edited
        edits = [
            (rng.randint(0, 10_000), rng.randint(0, 7), rng.choice(FRAGMENTS[fmt]))
            for _ in range(rng.randint(1, 6))
        ]
        return mutate(TEMPLATES[fmt], edits)
    parts = []
    for _ in range(rng.randint(0, 200)):
        if rng.random() < 0.8:
            parts.append(rng.choice(FRAGMENTS[fmt]))
        else:
            parts.append("".join(chr(rng.randint(0, 0x2FFF)) for _ in range(rng.randint(1, 6))))
    return "".join(parts)


def bounded(fn, bound: float) -> float:
    signal.setitimer(signal.ITIMER_REAL, bound)
    start = time.perf_counter()
    try:
        fn()
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    return time.perf_counter() - start


def run(minutes: float, bound: float, seed: int) -> dict[str, object]:
    rng = random.Random(seed)
    signal.signal(signal.SIGALRM, _alarm)
    stats: dict[str, dict[str, object]] = {}
    failures: list[dict[str, str]] = []
    deadline = time.monotonic() + minutes * 60
    with tempfile.TemporaryDirectory() as tmp:
        lib = Library.open(Path(tmp) / "lib")
        lib.import_text(
            "Graph Neural Networks\n\nWe study graphs at scale.\n\n"
            "Diffusion Models\n\nDenoising diffusion again.\n"
        )
        kinds = [*FORMATS, "auto", "query"]
        n = 0
        while time.monotonic() < deadline:
            kind = kinds[n % len(kinds)]
            n += 1
            text = random_text(rng, "bibtex" if kind == "auto" else kind)
            entry = stats.setdefault(kind, {"inputs": 0, "user_errors": 0, "times": []})

            def attempt(text: str = text, kind: str = kind, entry: dict = entry) -> None:
                if kind == "query":
                    lib.search(text)
                    return
                try:
                    parse(text, format=kind)
                except BadInput:
                    entry["user_errors"] = int(entry["user_errors"]) + 1  # type: ignore[call-overload]

            try:
                elapsed = bounded(attempt, bound)
            except TooSlow:
                failures.append({"kind": kind, "error": f"over {bound} s", "input": text[:2000]})
                continue
            except Exception:
                failures.append(
                    {"kind": kind, "error": traceback.format_exc(limit=3), "input": text[:2000]}
                )
                continue
            finally:
                entry["inputs"] = int(entry["inputs"]) + 1  # type: ignore[call-overload]
            entry["times"].append(elapsed)  # type: ignore[union-attr]
        lib.close()
    summary = {}
    for kind, entry in stats.items():
        times = sorted(entry["times"]) or [0.0]  # type: ignore[type-var]
        summary[kind] = {
            "inputs": entry["inputs"],
            "user_errors": entry["user_errors"],
            "median_ms": round(statistics.median(times) * 1000, 3),
            "max_ms": round(times[-1] * 1000, 1),
        }
    return {"per_kind": summary, "failures": failures}


def scaling(bound: float) -> dict[str, object]:
    out = {}
    for name in ADVERSARIAL:
        fmt = name.split("-")[0]
        times = {}
        for size in (1_000_000, 10_000_000):
            text = adversarial(name, size)

            def attempt(text: str = text, fmt: str = fmt) -> None:
                try:
                    parse(text, format=fmt)
                except BadInput:
                    pass

            # The best of two runs: one GC pause or a busy neighbour on this shared
            # machine must not read as quadratic behaviour.
            best = float("inf")
            for _ in range(2):
                try:
                    best = min(best, bounded(attempt, bound))
                except TooSlow:
                    break
            times[size] = best
        ratio = times[10_000_000] / max(times[1_000_000], 1e-6)
        out[name] = {
            "1MB_s": round(times[1_000_000], 3),
            "10MB_s": round(times[10_000_000], 3),
            "ratio": round(ratio, 1),
            "verdict": "linear" if ratio < 25 else "SUPERLINEAR",
        }
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--minutes", type=float, default=3.0)
    parser.add_argument("--bound", type=float, default=5.0, help="seconds per random input")
    parser.add_argument("--seed", type=int, default=20261128)
    parser.add_argument("--out", type=Path, default=HERE / "results" / "fuzz.json")
    args = parser.parse_args()
    result = {
        "machine": {"python": platform.python_version(), "platform": platform.platform()},
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "minutes": args.minutes,
        "bound_s": args.bound,
        "seed": args.seed,
        **run(args.minutes, args.bound, args.seed),
        "scaling": scaling(bound=120.0),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    total = sum(int(v["inputs"]) for v in result["per_kind"].values())  # type: ignore[union-attr]
    print(f"{total:,} inputs, {len(result['failures'])} failures")  # type: ignore[arg-type]
    for name, row in result["scaling"].items():  # type: ignore[union-attr]
        print(
            f"  {name:<14} 1 MB {row['1MB_s']:>7} s  10 MB {row['10MB_s']:>7} s  "
            f"x{row['ratio']}  {row['verdict']}"
        )
    if result["failures"]:
        sys.exit(1)


if __name__ == "__main__":
    main()
