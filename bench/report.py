"""Print Markdown tables of the benchmark JSON in bench/results (pasted into the README)."""

from __future__ import annotations

import json
from pathlib import Path

HERE = Path(__file__).resolve().parent / "results"


def search() -> None:
    data = json.loads((HERE / "search.json").read_text())
    kinds = ["word", "two_words", "phrase", "field", "prefix", "fuzzy", "filter_word", "similar"]
    print("| papers | index build | searcher open | " + " | ".join(kinds) + " |")
    print("|---" * (len(kinds) + 3) + "|")
    for size in data["sizes"]:
        cells = []
        for k in kinds:
            w = size["whoosh"][k]
            f = size["fts5"].get(k)
            cell = f"{w['p50_ms']:.0f} / **{w['p95_ms']:.0f}**"
            if f:
                cell += f" (FTS5 {f['p95_ms']:.0f})"
            cells.append(cell)
        print(
            f"| {size['papers']:,} | {size['index_docs_per_s']} docs/s | "
            f"{size['searcher_open_ms_median']:.0f} ms | " + " | ".join(cells) + " |"
        )


def gui() -> None:
    path = HERE / "gui.json"
    if not path.exists():
        return
    data = json.loads(path.read_text())
    print(
        "\n| papers | cold start to window (median) | memory at window / after searching "
        "| keystroke → results p50 / p95 |"
    )
    print("|---|---|---|---|")
    for lib in data["libraries"]:
        start = lib["cold_start_to_window_s_median"]
        memory = f"{lib['peak_rss_mb_at_window_median']} / {lib['peak_rss_mb_after_searching']} MB"
        p50, p95 = lib["keystroke_to_results_ms_p50"], lib["keystroke_to_results_ms_p95"]
        print(f"| {lib['papers']:,} | {start:.2f} s | {memory} | {p50:.0f} / {p95:.0f} ms |")


def imports() -> None:
    data = json.loads((HERE / "import.json").read_text())
    names = {
        "arxiv_mailing_1141": "real arXiv mailing, 1,141 entries",
        "generated_listing_100000": "generated listing, 100,000 papers, 180-word abstracts",
        "generated_listing_100000_short_abstracts": (
            "generated listing, 100,000 papers, 40-word abstracts"
        ),
    }
    print("| input | size | parse | write | total | papers/s | baseline (plain sqlite3 insert) |")
    print("|---|---|---|---|---|---|---|")
    for key, label in names.items():
        r = data[key]
        print(
            f"| {label} | {r['megabytes']} MB | {r['parse_s_median']:.2f} s | "
            f"{r['write_s_median']:.2f} s | **{r['total_s_median']:.2f} s** | "
            f"{r['papers_per_s']:,} | {r['baseline_plain_sqlite_insert_s_median']:.2f} s |"
        )


def fuzz() -> None:
    path = HERE / "fuzz.json"
    if not path.exists():
        return
    data = json.loads(path.read_text())
    print(f"\n{data['minutes']} minutes, bound {data['bound_s']} s per input:\n")
    print("| input kind | inputs | refused (user error) | median | slowest |")
    print("|---|---|---|---|---|")
    for kind, row in data["per_kind"].items():
        print(
            f"| {kind} | {row['inputs']:,} | {row['user_errors']:,} | "
            f"{row['median_ms']} ms | {row['max_ms']} ms |"
        )
    print(f"\nFailures: {len(data['failures'])}.\n")
    print("| pathological input | 1 MB | 10 MB | ratio |")
    print("|---|---|---|---|")
    for name, row in data["scaling"].items():
        print(f"| {name} | {row['1MB_s']} s | {row['10MB_s']} s | ×{row['ratio']} |")


if __name__ == "__main__":
    imports()
    search()
    gui()
    fuzz()
