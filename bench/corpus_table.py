"""Every real file we have, imported: what came in, what was skipped or refused, and
whether re-importing changes nothing and BibTeX export -> import -> export is
byte-identical. Writes bench/results/corpus_import.json and prints the README table.

    python bench/corpus_table.py
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from readinglist.core.errors import UserError  # noqa: E402
from readinglist.core.library import Library  # noqa: E402

CORPORA = HERE.parent.parent / "shared" / "corpora"
FOLDERS = ("bibtex", "ris", "api-json", "arxiv-listing-text", "listings", "arxiv-atom-api", "feeds")
PUBLIC = HERE.parent / "tests" / "fixtures" / "public"


def files() -> list[Path]:
    out = []
    for folder in FOLDERS:
        out += sorted(p for p in (CORPORA / folder).glob("*") if p.name != "PROVENANCE.md")
    out += sorted(p for p in PUBLIC.glob("*") if p.name != "PROVENANCE.md")
    return [p for p in out if p.is_file() and not p.name.endswith(".expected.bib")]


def measure(path: Path) -> dict[str, object]:
    row: dict[str, object] = {"file": f"{path.parent.name}/{path.name}"}
    with tempfile.TemporaryDirectory() as tmp:
        with Library.open(Path(tmp) / "lib", index=False) as lib:
            try:
                report = lib.import_file(path)
            except UserError as exc:
                row["refused"] = str(exc)
                return row
            row.update(
                format=report.format,
                added=report.added,
                merged=report.merged,
                skipped=len(report.skipped),
                warnings=len(report.warnings),
            )
            again = lib.import_file(path)
            row["reimport_changes"] = again.added + again.merged
            first = lib.export_bibtex(lib.select())
        with Library.open(Path(tmp) / "back", index=False) as back:
            if first.strip():
                back.import_text(first, format="bibtex")
            second = back.export_bibtex(back.select())
        row["export_roundtrip_identical"] = first == second
    return row


def main() -> None:
    rows = [measure(p) for p in files()]
    out = HERE / "results" / "corpus_import.json"
    out.write_text(json.dumps(rows, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print("| file | format | papers | skipped | warnings | re-import | export round trip |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        if "refused" in r:
            print(f"| `{r['file']}` | refused: {str(r['refused'])[:90]} | | | | | |")
            continue
        trip = "identical" if r["export_roundtrip_identical"] else "**differs**"
        again = "no change" if r["reimport_changes"] == 0 else f"**{r['reimport_changes']}**"
        print(
            f"| `{r['file']}` | {r['format']} | {r['added']} | {r['skipped']} | "
            f"{r['warnings']} | {again} | {trip} |"
        )


if __name__ == "__main__":
    main()
