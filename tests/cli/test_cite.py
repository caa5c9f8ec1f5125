"""`readinglist cite`: the \\cite command for papers, whose keys it pins."""

from __future__ import annotations

import json

UNTITLED = (
    "Sparse mixtures of experts: route tokens by similarity\n\n"
    "We study how sparse mixtures of experts route tokens and propose a cheaper router.\n\n"
    "Dense retrieval with learned sparse codes\n\n"
    "We show that learned sparse codes make dense retrieval cheaper at equal recall.\n"
)
ENTRY = (
    "\\\\\narXiv:{aid}\nDate: x\n\nTitle: {title}\nAuthors: Ana Gómez\nCategories: cs.LG\n"
    "\\\\\n  {abstract}\n\\\\ ( https://arxiv.org/abs/{aid} ,  1kb)\n"
)


def _key(run, paper_id):
    return json.loads(run("show", str(paper_id), "--json").output)["citekey"]


def test_cite_prints_the_command_and_pins_the_keys(run, tmp_path):
    listing = tmp_path / "listing.txt"
    listing.write_text(UNTITLED, encoding="utf-8")
    run("import", str(listing))
    first, second = _key(run, 1), _key(run, 2)
    assert first == "SparseMixturesExperts"

    result = run("cite", "1")
    assert result.exit_code == 0
    assert result.output == "\\cite{SparseMixturesExperts}\n"

    # An import that adds authors and a year to both papers: the cited key stays,
    # the other (never cited nor exported) follows the new authors, as it always did.
    paragraphs = UNTITLED.strip().split("\n\n")
    digest = tmp_path / "digest.txt"
    digest.write_text(
        ENTRY.format(aid="2410.13842", title=paragraphs[0], abstract=paragraphs[1])
        + ENTRY.format(aid="2410.13843", title=paragraphs[2], abstract=paragraphs[3]),
        encoding="utf-8",
    )
    assert "2 merged" in run("import", str(digest)).output
    assert _key(run, 1) == first
    assert _key(run, 2) != second and _key(run, 2).startswith("gomez")


def test_cite_several_papers_and_unknown_ids(run, tmp_path):
    listing = tmp_path / "listing.txt"
    listing.write_text(UNTITLED, encoding="utf-8")
    run("import", str(listing))
    keys = f"{_key(run, 1)},{_key(run, 2)}"
    assert run("cite", "1", "2").output == f"\\cite{{{keys}}}\n"
    assert run("cite", "1,2").output == f"\\cite{{{keys}}}\n"
    missing = run("cite", "1", "99")
    assert missing.exit_code == 1
    assert missing.output.strip() == "Error: no paper with id 99"
