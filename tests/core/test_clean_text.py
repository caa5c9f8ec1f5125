"""Titles and abstracts arrive clean (issue 17): words wrapped at their hyphen join
without a space (but a suspended hyphen keeps its own), terminal control sequences
are removed, and a UTF-8 file with one bad byte stays UTF-8, with a warning."""

from __future__ import annotations

from readinglist.core.importers import parse
from readinglist.core.library import Library
from readinglist.core.text import join_lines

from support import FIXTURES, corpus

MENDELEY = FIXTURES / "public" / "bbt__mendeley-export.bib"

MAILING = "arxiv-listing-text/arxiv-subscription-viewer__arxiv-mailing-cs-2026-01-20-full.txt"

ENTRY = """\\\\
arXiv:2601.00001
Date: Mon, 19 Jan 2026 10:00:00 GMT   (10kb)

Title: Pixel-
  wise Losses for Self-
  supervised Depth
Authors: Ada Lovelace
Categories: cs.CV
\\\\
  We propose a pixel-
wise loss and scaffold-
and fragment-level edits, with a well-
known trick.
\\\\ ( https://arxiv.org/abs/2601.00001 ,  10kb)
"""


def test_words_wrapped_at_their_hyphen_join_without_a_space():
    (draft,) = parse(ENTRY).drafts
    assert draft.title == "Pixel-wise Losses for Self-supervised Depth"
    assert draft.abstract == (
        "We propose a pixel-wise loss and scaffold- and fragment-level edits, "
        "with a well-known trick."
    )
    assert join_lines(["high-", "to low-resolution", "a 3-", "d scan"]) == (
        "high- to low-resolution a 3- d scan"
    )


def test_the_real_mailing_keeps_its_suspended_hyphen():
    drafts = parse(corpus(MAILING).read_text(encoding="utf-8")).drafts
    (paper,) = [d for d in drafts if "scaffold-" in d.abstract]
    # The mailing wraps "scaffold-" / "and fragment-level": a suspended hyphen.
    assert "multi-objective scaffold- and fragment-level molecular" in paper.abstract


def test_terminal_control_sequences_are_removed(tmp_path):
    text = (
        ENTRY.replace("Pixel-\n  wise", "\x1b[1;31mPixel-wise\x1b[0m")
        .replace("Self-\n  supervised", "\x1b]8;;https://x.org\x1b\\Self-supervised\x1b]8;;\x1b\\")
        .replace("We propose", "\x07We \x1b[Kpropose")
    )
    text = "\x1b]0;terminal title\x07" + text
    with Library.open(tmp_path / "lib", index=False) as lib:
        lib.import_text(text, format="arxiv")
        (paper,) = lib.select()
    assert paper.title == "Pixel-wise Losses for Self-supervised Depth"
    assert paper.abstract.startswith("We propose a pixel-wise loss")
    assert paper.arxiv_id == "2601.00001"
    assert not any(ch < " " for ch in paper.title + paper.abstract)


def test_utf8_with_one_bad_byte_stays_utf8_with_a_warning(tmp_path):
    good = MENDELEY.read_bytes()  # UTF-8 with curly quotes, accents, dashes
    assert len(good.translate(None, bytes(range(128)))) > 100
    cut = good.index(b"Sweet Without")
    path = tmp_path / "mendeley.bib"
    path.write_bytes(good[:cut] + b"\xff" + good[cut:])
    with Library.open(tmp_path / "lib", index=False) as lib:
        report = lib.import_file(path)
        titles = {p.title for p in lib.select()}
    (note,) = [w for w in report.warnings if "bad byte" in w.reason]
    assert note.reason.startswith("mendeley.bib is UTF-8 but for 1 bad byte (first at line ")
    assert "You Don’t Show the \ufffdSweet Without the Bitter" in titles
    with Library.open(tmp_path / "clean", index=False) as lib:
        lib.import_file(MENDELEY)
        expected = {p.title for p in lib.select()}
    # Only the title with the bad byte differs: nothing was read as Windows-1252.
    assert expected - titles == {"You Don’t Show the Sweet Without the Bitter"}
    # A Windows-1252 file is still read as such, without the warning.
    latin = tmp_path / "latin.txt"
    latin.write_bytes("Caf\u00e9 r\u00e9sum\u00e9 of na\u00efve methods\n".encode("cp1252"))
    with Library.open(tmp_path / "lib2", index=False) as lib:
        report = lib.import_file(latin, format="listing")
        assert [p.title for p in lib.select()] == ["Café résumé of naïve methods"]
    assert not any("bad byte" in w.reason for w in report.warnings)
