"""A paper's abstract is bounded at import, with a warning naming it (issue 16):
a listing whose papers run together must not become one huge document that
stalls every index command afterwards."""

from __future__ import annotations

import pytest

from readinglist.core.library import Library
from readinglist.core.text import MAX_ABSTRACT_CHARS
from readinglist.core.tuning import Tuning

PIECES = Tuning(pieces_from=100_000, compress_from=100_000, piece_chars=50_000)
USUAL = Tuning(pieces_from=1 << 40, compress_from=100_000)

NORMAL = (
    "We study how sparse mixtures of experts route tokens. We find that routing "
    "decisions follow token similarity and propose a cheaper router that keeps accuracy."
)
# A short paper, then a "paper" whose abstract is 100,000 lines with no blank line
# between them (a pasted log, papers run together): about 5 MB.
RUN_TOGETHER = (
    f"A Short Paper With A Normal Abstract\n\n{NORMAL}\n\n"
    "The Paper Whose Abstract Never Ends\n\n"
    + "\n".join(f"line {i} of text that runs on and on without a break" for i in range(100_000))
    + "\n"
)


@pytest.mark.parametrize("tuning", [USUAL, PIECES], ids=["usual", "in-pieces"])
def test_a_huge_abstract_is_cut_with_a_warning(tmp_path, tuning):
    with Library.open(tmp_path / "lib", tuning=tuning) as lib:
        report = lib.import_text(RUN_TOGETHER, source="paste")
        assert report.added == 2
        stored = {p.title: p.abstract for p in lib.list_papers()}
        assert stored["A Short Paper With A Normal Abstract"] == NORMAL
        long = stored["The Paper Whose Abstract Never Ends"]
        assert len(long) == MAX_ABSTRACT_CHARS
        assert long.startswith("line 0 of text")
        cut = [str(w) for w in report.warnings if "was cut" in str(w)]
        assert len(cut) == 1 and "The Paper Whose Abstract Never Ends" in cut[0]
        assert "to its first 65,536 characters" in cut[0]
        # The index holds the bounded text; search works on it.
        assert lib.search("never ends").total == 1
        # Importing the same text again changes nothing.
        again = lib.import_text(RUN_TOGETHER, source="paste")
        assert again.added == 0 and again.merged == 0
