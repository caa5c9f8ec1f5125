"""Real bibliographies come in whole (issue 17): every entry of a Mendeley export and
of a hand-kept 988-entry file, @string macros evaluated with # concatenation, arXiv
ids wherever BibTeX writers put them, and exports in BibTeX's own vocabulary that
bibtex (plainnat) and biber compile without errors.

The public files are Better BibTeX's import fixtures (MIT; tests/fixtures/public/
PROVENANCE.md); the corpus files are read from ../shared/corpora."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from readinglist.core.biblatex import BIBLATEX_TYPES
from readinglist.core.importers.bibtex_in import parse_bibtex
from readinglist.core.library import Library

from support import FIXTURES, MAILING, corpus

PUBLIC = FIXTURES / "public"
MENDELEY = PUBLIC / "bbt__mendeley-export.bib"  # 512 items, 37 without a key
HAND_KEPT = PUBLIC / "bbt__hand-kept-988.bib"  # 988 entries, 14 keys used twice
BIBTEX_TYPES = set(
    "article book booklet conference inbook incollection inproceedings manual "
    "mastersthesis misc phdthesis proceedings techreport unpublished".split()
)


def _parse(path: Path):
    return parse_bibtex(path.read_text(encoding="utf-8"))


def _entries_in(path: Path) -> int:
    """Entries as BibTeX counts them: every @type{ or @type( but @string, @comment, @preamble."""
    heads = re.findall(r"(?m)^\s*@(\w+)\s*[({]", path.read_text(encoding="utf-8"))
    return sum(1 for h in heads if h.lower() not in ("string", "comment", "preamble"))


def test_a_mendeley_export_comes_in_whole():
    result = _parse(MENDELEY)
    assert _entries_in(MENDELEY) == 512
    assert len(result.drafts) == 512  # was 451: every keyless item after the first was lost
    no_key = [w for w in result.warnings if "has no key" in w.reason]
    reused = [w for w in result.warnings if "reuses the key" in w.reason]
    assert len(no_key) == 37 and len(reused) == 25
    assert str(reused[0]) == (
        "line 500: BibTeX entry 'Milazzo2017' reuses the key of an earlier entry; a key was made"
    )
    # The two Milazzo2017 are different works; both are here, the second without the key.
    milazzo = [d for d in result.drafts if d.line in (w.line for w in reused[:1])]
    assert milazzo and milazzo[0].citekey is None
    assert {d.citekey for d in result.drafts if d.citekey}.isdisjoint({""})
    titles = {d.title for d in result.drafts}
    assert "You Don’t Show the Sweet Without the Bitter" in titles
    for text in (str(w) for w in result.warnings):
        assert "block" not in text.lower() and "failed" not in text.lower(), text


def test_the_mendeley_library_keeps_every_work_and_reimports_as_nothing(tmp_path):
    with Library.open(tmp_path / "lib") as lib:
        first = lib.import_file(MENDELEY)
        papers = lib.select()
        keys = [p.citekey for p in papers]
        assert all(keys) and len({k.lower() for k in keys}) == len(keys)
        # Every entry is a paper, or is reported as merged into one: the file holds
        # works twice under one DOI (Mendeley's own "From Duplicate" merges).
        merged = {s.line for s in first.skipped if "merged into it" in s.reason}
        assert first.added == lib.count() == len(papers) == 507
        assert first.added + len(merged) == 512
        titles = {p.title for p in papers}
        for draft in _parse(MENDELEY).drafts:
            assert draft.title in titles or draft.line in merged, draft.title
        again = lib.import_file(MENDELEY)
        assert again.added == 0 and lib.count() == len(papers)


def test_a_hand_kept_bibliography_keeps_reused_keys_and_concatenations():
    result = _parse(HAND_KEPT)
    assert _entries_in(HAND_KEPT) == 988
    assert len(result.drafts) == 988 and not result.skipped  # was 972 and 12 lost
    reused = [w for w in result.warnings if "reuses the key" in w.reason]
    assert len(reused) == 14
    by_key = {}
    for d in result.drafts:
        by_key.setdefault(d.citekey, d)
    # author = MCDERMOTT # " and Gerald J. Sussman" (the macro is not in the file).
    assert by_key["McDermott:72"].authors == ["MCDERMOTT", "Gerald J. Sussman"]
    # A crossref child without a title takes its parent's, as BibTeX does.
    child = by_key["NguyenETAL:DiversityAIJ"]
    assert child.title.startswith("Generating diverse plans to handle unknown")
    (undefined,) = [w for w in result.warnings if "@string" in w.reason]
    assert undefined.reason.startswith("@string 87 macros are not defined in the file (AAAI-91, ")


def test_string_macros_and_concatenation_are_evaluated():
    (draft,) = parse_bibtex(
        corpus("bibtex/bibtexparser__features2-string-concat.bib").read_text()
    ).drafts
    assert draft.title == "Cool Stuff"  # myTitle = cool # " " # stuff
    assert draft.authors == ["John Doe"]  # "John " # mynamE (case-insensitive)
    bib = draft.extra["bibtex"]
    assert bib["booktitle"] == "My International Conference"
    assert bib["pages"] == "1–10"  # pages = baR, BaR = FOO, foo = "1--10"
    assert bib["note"] == "Email: John.Doe@example.com"
    (spaces,) = _parse(PUBLIC / "bbt__string-spaces.bib").drafts
    assert spaces.extra["bibtex"]["journal"] == "a space between this and this"
    (book,) = _parse(PUBLIC / "bbt__string-substitution.bib").drafts
    assert book.extra["bibtex"]["publisher"] == "Freds Publishing"
    assert book.extra["bibtex"]["address"] == "London, UK"


def test_xampl_cross_referenced_proceedings_read_their_macros():
    drafts = {
        d.citekey: d for d in parse_bibtex(corpus("bibtex/pybtex__xampl.bib").read_text()).drafts
    }
    assert drafts["whole-proceedings"].title == (
        "Proc. Fifteenth Annual Symposium on the Theory of Computing"
    )
    assert drafts["inproceedings-full"].extra["bibtex"]["booktitle"] == (
        "Proc. Fifteenth Annual ACM Symposium on the Theory of Computing"
    )


def test_a_repeated_field_keeps_the_first_value_and_the_entry():
    # As Scopus writes funding_details once per funder.
    text = (
        "@ARTICLE{Chen2021,\nauthor={Chen, L. and Wu, Q.},\ntitle={Graph pooling},\n"
        "year={2021},\nnote={Cited By 3},\nfunding_details={NSFC, 61976},\n"
        "funding_details={MOST, 2018AAA},\nnote={second note},\n}\n"
    )
    result = parse_bibtex(text)
    (draft,) = result.drafts
    assert draft.citekey == "Chen2021" and draft.extra["bibtex"]["note"] == "Cited By 3"
    (warning,) = result.warnings
    assert str(warning) == (
        "line 1: BibTeX entry 'Chen2021' has a repeated field funding_details, note; "
        "its first value was kept"
    )


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ("journal={arXiv preprint arXiv:1810.04805}", "1810.04805"),  # Google Scholar
        ("journal={Ar{X}iv:1607.06450}", "1607.06450"),
        ("journal={ArXiv}, volume={abs/1607.06450}", "1607.06450"),
        ("journal={CoRR}, volume={abs/1706.03762}", "1706.03762"),  # DBLP
        ("note={arXiv:2106.09685v2}", "2106.09685"),
        ("howpublished={arXiv e-prints, arXiv:1312.6114}", "1312.6114"),
        ("url={https://arxiv.org/abs/2010.11929}", "2010.11929"),
        ("doi={10.48550/arXiv.2303.08774}", "2303.08774"),
        ("eprint={1412.6980}", "1412.6980"),
        ("eprint={hep-th/9711200}, archiveprefix={arXiv}", "hep-th/9711200"),
        ("eprint={10.1000/182}, eprinttype={doi}", None),
        ("journal={Nature}, volume={521}", None),
    ],
)
def test_arxiv_ids_are_found_wherever_bibtex_puts_them(fields, expected):
    (draft,) = parse_bibtex(f"@article{{k, title={{A paper}}, {fields}}}").drafts
    assert draft.arxiv_id == expected


def test_two_different_arxiv_ids_in_one_entry_are_reported():
    result = parse_bibtex(
        "@article{k, title={A paper}, journal={arXiv preprint arXiv:1810.04805},"
        " url={https://arxiv.org/abs/1907.11692}}"
    )
    assert result.drafts[0].arxiv_id == "1907.11692"  # the URL is read before the journal
    assert [str(w) for w in result.warnings] == [
        "line 1: BibTeX entry 'k' names 2 arXiv ids (1907.11692, 1810.04805); 1907.11692 was kept"
    ]


def test_exported_types_are_bibtex_types(tmp_path):
    with Library.open(tmp_path / "lib") as lib:
        lib.import_file(MENDELEY)
        text = lib.export_bibtex(lib.select())
    kinds = {k.lower() for k in re.findall(r"(?m)^@(\w+)\{", text)}
    assert kinds <= BIBTEX_TYPES, kinds - BIBTEX_TYPES
    assert "web_page" not in text and "book_section" not in text


def test_the_biblatex_export_speaks_biblatex(tmp_path):
    """Mendeley's @web_page becomes @online, its @thesis a @thesis with a type, an
    arXiv preprint @online with eprinttype arxiv; fields take biblatex's names."""
    with Library.open(tmp_path / "lib") as lib:
        lib.import_file(MENDELEY)
        text = lib.export_bibtex(lib.select(), biblatex=True)
        bibtex_text = lib.export_bibtex(lib.select())
        lib.import_file(corpus(MAILING))
        preprint = next(p for p in lib.select() if p.arxiv_id and p.categories)
        paper = lib.export_bibtex([preprint], biblatex=True)
    entries = re.findall(r"(?ms)^@(\w+)\{([^,]*),\n(.*?)^\}", text)
    assert len(entries) == 507  # 512 items, five of them one work twice
    kinds = {k for k, _, _ in entries}
    assert kinds <= BIBLATEX_TYPES, kinds - BIBLATEX_TYPES
    source_kinds = dict(
        (key, kind.lower())
        for kind, key in re.findall(r"(?m)^@(\w+)\{([^,]+),", MENDELEY.read_text())
    )
    by_key = {key: (kind, body) for kind, key, body in entries}
    web = [k for k, v in source_kinds.items() if v == "web_page" and k in by_key]
    assert len(web) >= 15 and all(by_key[k][0] == "online" for k in web)
    theses = [k for k, v in source_kinds.items() if v == "thesis" and k in by_key]
    # Two of Mendeley's theses name a journal (Dissertation Abstracts): articles.
    assert sorted(by_key[k][0] for k in theses) == ["article"] * 2 + ["thesis"] * 6
    assert all(re.search(r"type\s*= \{phdthesis\}", b) for k, b in by_key.values() if k == "thesis")
    assert paper.startswith("@online{")
    assert re.search(r"eprinttype\s*= \{arxiv\}", paper)
    assert f"{{{preprint.arxiv_id}}}" in paper and f"{{{preprint.categories[0]}}}" in paper
    assert re.search(r"(?m)^  eprint\s*= ", paper) and re.search(r"(?m)^  eprintclass ", paper)
    assert not re.search(r"(?m)^  (journal|year|address|school|archivePrefix)\b", text)
    assert re.search(r"(?m)^  journaltitle", text) and re.search(r"(?m)^  date ", text)
    # The BibTeX export of the same papers is unchanged: @misc, journal, year.
    assert re.search(r"(?m)^  journal ", bibtex_text) and "@online" not in bibtex_text
    parsed = _parse_text(text)
    assert len(parsed.entries) == 507 and not parsed.failed_blocks


def _parse_text(text: str):
    import bibtexparser

    return bibtexparser.parse_string(text)


def _compile(tmp_path: Path, bib: str, biblatex: bool) -> tuple[str, str]:
    (tmp_path / "refs.bib").write_text(bib, encoding="utf-8")
    if biblatex:
        head = "\\usepackage[backend=biber]{biblatex}\\addbibresource{refs.bib}"
        body, tool = "\\nocite{*}\\printbibliography", ["biber", "doc"]
    else:
        head = "\\usepackage{natbib}"
        body, tool = (
            "\\nocite{*}\\bibliographystyle{plainnat}\\bibliography{refs}",
            ["bibtex", "doc"],
        )
    (tmp_path / "doc.tex").write_text(
        "\\documentclass{article}\\usepackage[T1]{fontenc}\\usepackage[utf8]{inputenc}"
        f"\\usepackage{{textcomp}}{head}\n\\begin{{document}}\n{body}\n\\end{{document}}\n"
    )
    run = {"cwd": tmp_path, "capture_output": True, "text": True, "timeout": 600}
    first = subprocess.run(["pdflatex", "-interaction=nonstopmode", "doc.tex"], **run)
    assert first.returncode == 0, first.stdout[-2000:]
    out = subprocess.run(tool, **run)
    return out.stdout, out.stderr


@pytest.mark.parametrize("source", ["mendeley", "hand-kept", "biblatex-examples", "xampl"])
@pytest.mark.parametrize("tool", ["bibtex", "biber", "biber-biblatex"])
def test_the_export_of_each_real_file_compiles(tmp_path, source, tool):
    """Each file's export (BibTeX's vocabulary for bibtex and biber, biblatex's for
    biber as biblatex-biber) compiles with no error and lists every paper."""
    if not shutil.which("pdflatex") or not shutil.which(tool.split("-")[0]):
        pytest.skip(
            f"{tool}/pdflatex not installed (apt-get install texlive-latex-base "
            "texlive-latex-recommended texlive-bibtex-extra biber)"
        )
    path = {
        "mendeley": MENDELEY,
        "hand-kept": HAND_KEPT,
        "biblatex-examples": corpus("bibtex/biblatex__biblatex-examples.bib"),
        "xampl": corpus("bibtex/pybtex__xampl.bib"),
    }[source]
    with Library.open(tmp_path / "lib") as lib:
        lib.import_file(path)
        bib = lib.export_bibtex(lib.select(), ascii_only=True, biblatex=tool == "biber-biblatex")
        n = lib.count()
    stdout, stderr = _compile(tmp_path, bib, biblatex=tool != "bibtex")
    if tool == "bibtex":
        assert "error message" not in stdout, stdout[-3000:]
        assert (tmp_path / "doc.bbl").read_text(errors="replace").count("\\bibitem") == n
    else:
        assert "ERROR" not in stdout + stderr, (stdout + stderr)[-3000:]
        assert (tmp_path / "doc.bbl").read_text(errors="replace").count("\\entry{") == n


def test_two_entries_with_one_title_under_two_keys_stay_two_works(tmp_path):
    """Ginsberg's "Counterfactuals" is an IJCAI-85 paper and an AIJ 1986 article in
    the hand-kept file: they were merged by title, and \\cite{Ginsberg-86-AIJ} broke."""
    with Library.open(tmp_path / "lib", index=False) as lib:
        report = lib.import_file(HAND_KEPT)
        keys = {p.citekey for p in lib.select()}
        assert {"Ginsberg-85-IJCAI", "Ginsberg-86-AIJ"} <= keys
        merged = [s for s in report.skipped if "merged into it" in s.reason]
        assert len(merged) == 2 and report.added == 986  # a reused key and an alias entry
        again = lib.import_file(HAND_KEPT)
        assert (again.added, again.merged) == (0, 0)
        (journal,) = [p for p in lib.select() if p.citekey == "Ginsberg-86-AIJ"]
        (conference,) = [p for p in lib.select() if p.citekey == "Ginsberg-85-IJCAI"]
        assert journal.year == 1986 and conference.year is None
