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


if __name__ == "__main__":
    search()
    gui()
