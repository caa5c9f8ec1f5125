"""Case protection and math survive to the export, accents written as combining
marks are exported as LaTeX, and --ascii output is ASCII only (issue 17)."""

from __future__ import annotations

from readinglist.core.library import Library
from readinglist.core.text import title_key

ENTRY = r"""@article{hard,
  title = {{{Bayesian}} inference for {BERT} with \mbox{$\mu$} and $^{31}$P spectra
           of caf\=2 and \d o},
  author = {Nguy\~{\^e}n, V\d{o} and Schr{\"o}dinger, Erwin},
  year = 2020
}
"""


def test_math_case_and_accents_survive_and_ascii_is_ascii(tmp_path):
    with Library.open(tmp_path / "lib", index=False) as lib:
        lib.import_text(ENTRY, format="bibtex")
        (paper,) = lib.select()
        utf8 = lib.export_bibtex([paper])
        ascii_only = lib.export_bibtex([paper], ascii_only=True)
    assert paper.title == (
        "Bayesian inference for BERT with $\\mu$ and $^{31}$P spectra of caf2\u0304 and \u1ecd"
    )
    assert paper.authors == ["V\u1ecd Nguy\u1ec5n", "Erwin Schrödinger"]
    assert "{BERT}" in utf8 and "{$\\mu$}" in utf8 and "{$^{31}$P}" in utf8
    assert ascii_only.isascii(), [c for c in ascii_only if ord(c) > 127]
    assert "caf{\\={2}}" in ascii_only and "{\\d{o}}" in ascii_only
    assert "Nguy{\\~{\\^{e}}}n" in ascii_only
    # Both exports read back as the same paper.
    for n, text in enumerate((utf8, ascii_only)):
        with Library.open(tmp_path / f"again{n}", index=False) as again:
            assert again.import_text(text, format="bibtex").added == 1
            (back,) = again.select()
        assert title_key(back.title) == title_key(paper.title)
        assert back.title == paper.title and back.authors == paper.authors
