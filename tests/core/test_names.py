"""Authors keep their parts (issue 17): the family name a source gives survives to
the export, written "Family, Given", so BibTeX never re-splits it. Checked with
pybtex's own name parser on real files: the family of every author in the source
equals the family in our export (it was "de Parga" for "Vázques de Parga" in the
biblatex examples); old libraries, which kept no parts, are split by rule."""

from __future__ import annotations

import pytest
from pybtex.database import parse_string
from pylatexenc.latex2text import LatexNodes2Text

from readinglist.core.importers import parse
from readinglist.core.library import Library

from support import corpus

_TEXT = LatexNodes2Text()


def _family(person) -> str:
    raw = " ".join(person.prelast_names + person.last_names)
    return _TEXT.latex_to_text(raw).replace("{", "").replace("}", "")


def _families(bib: str) -> dict[str, list[str]]:
    data = parse_string(bib, "bibtex")
    return {k: [_family(p) for p in e.persons.get("author", [])] for k, e in data.entries.items()}


@pytest.mark.parametrize(
    "name", ["bibtex/jabref__jabref-authors.bib", "bibtex/biblatex__biblatex-examples.bib"]
)
def test_every_family_name_of_a_real_file_survives_the_export(tmp_path, name):
    source = corpus(name).read_text(encoding="utf-8")
    with Library.open(tmp_path / "lib", index=False) as lib:
        lib.import_file(corpus(name))
        exported = lib.export_bibtex(lib.select())
    before, after = _families(source), _families(exported)
    compared = 0
    for key, families in before.items():
        if key in after and len(after[key]) == len(families):
            assert after[key] == families, key
            compared += len(families)
    assert compared > 100


HARD = r"""
@article{a, title = {One}, author = {Luc Van Gool and Yann {Le Cun} and
  Della Pietra, Vincent J. and Vũ Ngọc, Minh and Ludwig van Beethoven and
  Smith, Jr., John}, year = 2001}
"""


def test_hard_names_keep_their_family_names(tmp_path):
    with Library.open(tmp_path / "lib", index=False) as lib:
        lib.import_text(HARD, format="bibtex")
        (paper,) = lib.select()
        bib = lib.export_bibtex([paper])
        csl = lib.export_csl_json([paper])
    assert _families(bib)["a"] == [
        "Gool",  # BibTeX itself reads "Luc Van Gool" as family Gool: kept as written
        "Le Cun",
        "Della Pietra",
        "Vũ Ngọc",
        "van Beethoven",
        "Smith",
    ]
    assert "author = {Gool, Luc Van and Le Cun, Yann and Della Pietra, Vincent J. and " in (
        " ".join(bib.split())
    )
    assert '"family": "Vũ Ngọc"' in csl and '"given": "Minh"' in csl
    assert '"family": "Le Cun"' in csl


def test_ris_and_medline_families_and_old_libraries_split_by_rule(tmp_path):
    ris = (
        "TY  - JOUR\nAU  - De Bruin, Marie L.\nAU  - Vũ Ngọc, Minh\nAU  - Van Gool, Luc\n"
        "TI  - Drug safety\nPY  - 2020\nER  - \n"
    )
    (draft,) = parse(ris).drafts
    assert draft.authors == ["Marie L. De Bruin", "Minh Vũ Ngọc", "Luc Van Gool"]
    assert draft.extra["families"] == {"Minh Vũ Ngọc": "Vũ Ngọc"}  # the rest by rule
    with Library.open(tmp_path / "lib", index=False) as lib:
        lib.import_text(ris, format="ris")
        # A paper from an arXiv listing keeps display names only (as old libraries do).
        lib.import_text(
            "arXiv:1706.03762\nTitle: Attention\nAuthors: Luc Van Gool, Yann Le Cun, "
            "Vincent J. Della Pietra\n\n  Abstract.\n",
            format="arxiv",
        )
        bib = lib.export_bibtex(lib.select())
    fams = _families(bib)
    assert sorted(fams.values()) == sorted(
        [["De Bruin", "Vũ Ngọc", "Van Gool"], ["Van Gool", "Le Cun", "Della Pietra"]]
    )
