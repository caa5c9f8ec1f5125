"""BibTeX export that every tool accepts, and BibTeX / RIS / Atom import."""

from __future__ import annotations

import glob
import re
import shutil
import subprocess

import pytest

from readinglist.core import bibtex, latex
from readinglist.core.errors import BadInput, UserError
from readinglist.core.importers.bibliographic import bibtex_name
from readinglist.core.latex import latex_to_text
from readinglist.core.library import Library
from readinglist.core.text import decode

from support import CORPORA, FIXTURES, corpus


def parse_back(text: str, papers) -> None:
    """Both bibtexparser and pybtex read the export without errors, find every entry,
    and decode titles and author lists to the papers' own text."""
    import bibtexparser
    from pybtex.database import parse_string as pybtex_parse

    lib = bibtexparser.parse_string(text)
    assert lib.failed_blocks == [], [b.raw[:200] for b in lib.failed_blocks]
    assert len(lib.entries) == len(papers)
    pyb = pybtex_parse(text, "bibtex")
    assert len(pyb.entries) == len(papers)
    by_key = {e.key: e for e in lib.entries}
    for paper in papers:
        entry = by_key[paper.citekey]
        assert latex_to_text(entry.fields_dict["title"].value) == latex.display_text(paper.title)
        expected_authors = [latex.display_text(a) for a in paper.authors]
        if paper.authors:
            raw = entry.fields_dict["author"].value
            from readinglist.core.importers.bibliographic import split_bibtex_authors

            assert split_bibtex_authors(raw) == expected_authors
            persons = pyb.entries[paper.citekey].persons["author"]
            assert [bibtex_name(str(p)) for p in persons] == expected_authors
        else:
            assert "author" not in entry.fields_dict
        pyb_title = pyb.entries[paper.citekey].fields["title"]
        assert latex_to_text(pyb_title) == latex.display_text(paper.title)


@pytest.fixture
def lib(tmp_path):
    with Library.open(tmp_path / "lib", index=False) as library:
        yield library


def test_reference_listing_export(lib):
    lib.import_file(corpus("listings/hf-papers-page.txt"))
    papers = lib.select()
    text = lib.export_bibtex(papers)
    parse_back(text, papers)
    assert text.count("@misc{") == 50
    # No authors or year in that listing: left out, never invented.
    assert not re.search(r"(?m)^\s*(author|year)\s*=", text)
    assert "{YOLOv8}" in text and "{JEPA}" in text and "{$i$REPO}" in text


def test_full_mailing_export(lib):
    lib.import_file(
        corpus("arxiv-listing-text/arxiv-subscription-viewer__arxiv-mailing-cs-2026-01-20-full.txt")
    )
    papers = lib.select()
    text = lib.export_bibtex(papers)
    parse_back(text, papers)
    entry = text.split("@")[1]
    assert "eprint        = {2601.11559}" in entry and "archivePrefix = {arXiv}" in entry
    assert (
        "primaryClass  = {cs.AI}" in entry
        and "url           = {https://arxiv.org/abs/2601.11559}" in entry
    )
    assert "arXiv:" not in re.findall(r"eprint\s*=\s*\{([^}]*)\}", text)[0]


BIB_FILES = sorted(glob.glob(str(CORPORA / "bibtex" / "*.bib")))


@pytest.mark.parametrize("path", BIB_FILES or ["missing"], ids=lambda p: p.split("/")[-1])
def test_every_bibtex_corpus_file_exports_cleanly(lib, path):
    if path == "missing":
        pytest.skip("../shared/corpora/bibtex is absent")
    try:
        lib.import_file(path)
    except BadInput as exc:
        assert "no paper recognised" in str(exc)  # biber's names.bib has no titles
        return
    papers = lib.select()
    for ascii_only in (False, True):
        text = lib.export_bibtex(papers, ascii_only=ascii_only, with_notes=True)
        if ascii_only:
            # Only characters LaTeX has no escape for (CJK, marks) may remain.
            assert all(ord(c) < 128 or latex.to_ascii(c) == c for c in text)
        parse_back(text, papers)


HOSTILE = [
    "Unbalanced {braces in a title",
    "Closing } first { then",
    "A title with @misc{evil, title={x}} inside",
    "<script>alert('x')</script> <b>bold</b> &amp; entities",
    "100% of 5$ & #1 under_score ~tilde ^caret \\backslash",
    "Math $\\alpha + \\beta$ and broken $x{$ and $$",
    "Quotes \" and 'single' and `back`",
    "}}}}{{{{ braces only",
    "Comment % in the middle %and more",
]


def test_hostile_titles_stay_inside_their_field(lib):
    listing = "\n\n".join(
        f"{title}\n\nAn abstract for hostile title number {i} that is long enough to count as one."
        for i, title in enumerate(HOSTILE)
    )
    report = lib.import_text(listing)
    assert report.added == len(HOSTILE)
    lib.tag([1, 2], add=["a}b", "x%y"])
    lib.set_note(1, "note with } and % and \\ and @misc{")
    papers = lib.select()
    for kwargs in ({}, {"with_notes": True}, {"ascii_only": True}):
        text = lib.export_bibtex(papers, **kwargs)
        parse_back(text, papers)


def test_escaping_rules():
    assert bibtex.escape("a & b % c $ d # e _ f") == r"a \& b \% c \$ d \# e \_ f"
    assert bibtex.escape("{x} ~ ^ \\") == (
        r"\textbraceleft{}x\textbraceright{} \textasciitilde{} \textasciicircum{} \textbackslash{}"
    )
    assert bibtex.escape(r"mass $m_\alpha$ of 50%") == r"mass {$m_\alpha$} of 50\%"
    assert bibtex.title_field("BERT: Pre-training of Deep Bidirectional Transformers") == (
        "{BERT}: Pre-training of Deep Bidirectional Transformers"
    )
    assert bibtex.title_field("Self-supervised learning with JEPA in Europe") == (
        "Self-supervised learning with {JEPA} in {Europe}"
    )
    assert "{YOLOv8}" in bibtex.title_field(
        "From Density to Geometry: YOLOv8 Instance Segmentation"
    )
    assert bibtex.title_field("$i$REPO: $i$mplicit Reward") == "{$i$REPO}: {$i$mplicit} Reward"


def test_names():
    assert bibtex.format_name("Johannes von Oswald") == "von Oswald, Johannes"
    assert bibtex.format_name("John Smith, Jr.") == "Smith, Jr., John"
    assert bibtex.format_name("Ashish Vaswani") == "Vaswani, Ashish"
    # Family first, so BibTeX never re-splits (issue 17): natbib printed "Cun (1988)".
    assert bibtex.format_name("Luc Van Gool") == "Van Gool, Luc"
    assert bibtex.format_name("Yann Le Cun") == "Le Cun, Yann"
    assert bibtex.format_name("Vincent J. Della Pietra") == "Della Pietra, Vincent J."
    assert bibtex.format_name("Van Jacobson") == "Jacobson, Van"  # a given name "Van"
    assert bibtex.format_name("Minh Vũ Ngọc", family="Vũ Ngọc") == "Vũ Ngọc, Minh"
    assert bibtex.format_name("OpenAI") == "OpenAI"
    assert (
        bibtex.format_name("The CMS and LHCb Collaborations") == "{The CMS and LHCb Collaborations}"
    )
    assert bibtex_name("von Oswald, Johannes") == "Johannes von Oswald"
    assert bibtex_name("Smith, Jr., John") == "John Smith, Jr."
    assert bibtex_name("given=Ann, family=Lee, prefix=de") == "Ann de Lee"


def test_entry_types(lib):
    lib.import_file(corpus("arxiv-listing-text/arxiv-browse__0704.0001.abs.txt"))
    lib.import_file(FIXTURES / "arxiv-new-page.txt")
    by_arxiv = {p.arxiv_id: p for p in lib.select()}
    article = bibtex.entry(by_arxiv["0704.0001"])
    assert (
        article.startswith("@article{") and "journal       = {Phys.Rev.D76:013009,2007}" in article
    )
    assert "doi           = {10.1103/PhysRevD.76.013009}" in article
    proceedings = bibtex.entry(by_arxiv["2410.12001"])
    assert proceedings.startswith("@inproceedings{") and "booktitle" in proceedings
    assert bibtex.entry(by_arxiv["2410.13842"]).startswith("@misc{")
    assert "abstract" not in bibtex.entry(by_arxiv["2410.13842"], abstract=False)


def test_with_notes_in_jabref_form(lib):
    lib.import_file(FIXTURES / "arxiv-new-page.txt")
    lib.tag([1], add=["moe", "to cite"])
    lib.mark([1], "read")
    lib.set_note(1, "Check *section 3*.")
    text = bibtex.entry(lib.get(1), with_notes=True)
    assert "keywords      = {moe, to cite}" in text
    assert "readstatus    = {read}" in text
    assert "annote        = {Check *section 3*.}" in text


def test_clipboard_formats(lib):
    lib.import_file(FIXTURES / "arxiv-new-page.txt")
    papers = lib.select(ids=[1, 2])
    assert bibtex.cite_command(papers) == f"\\cite{{{papers[0].citekey},{papers[1].citekey}}}"
    md = bibtex.markdown_list(papers)
    assert md.startswith(
        "- [Sparse Mixtures of Experts Route Tokens by Similarity]"
        "(https://arxiv.org/abs/2410.13842) — Ana Gómez, Bo Li — 2024"
    )


def test_citekeys_stable_unique_and_user_settable(lib):
    lib.import_file(corpus("listings/hf-papers-page.txt"))
    barlow = lib.select(ids=[p.id for p in lib.select() if p.title.startswith("Barlow")])[0]
    assert barlow.citekey == "BarlowTwinsSelf"
    # Never exported: the key follows authors and year when they arrive, once.
    lib.import_file(FIXTURES / "arxiv-digest-overlap.txt")
    assert lib.get(barlow.id).citekey == "zbontarBarlowTwinsSelf2021"
    first = lib.export_bibtex(lib.select())
    assert lib.export_bibtex(lib.select()) == first  # stable across exports
    lib.tag([barlow.id], add=["x"])
    lib.set_note(barlow.id, "edited")
    assert lib.get(barlow.id).citekey == "zbontarBarlowTwinsSelf2021"
    with pytest.raises(UserError, match="already used"):
        lib.set_citekey(barlow.id, lib.get(1).citekey.upper())
    with pytest.raises(UserError, match="not a usable"):
        lib.set_citekey(barlow.id, "has space")
    lib.set_citekey(barlow.id, "zbontar2021barlow")
    assert lib.get(barlow.id).citekey == "zbontar2021barlow"


def test_exported_key_never_changes_silently(lib):
    lib.import_text(
        "Barlow Twins: Self-Supervised Learning via Redundancy Reduction\n\n"
        "Self-supervised learning (SSL) is rapidly closing the gap with supervised methods "
        "on large computer vision benchmarks.\n"
    )
    lib.export_bibtex(lib.select())
    lib.import_file(FIXTURES / "arxiv-digest-overlap.txt")
    assert lib.get(1).citekey == "BarlowTwinsSelf" and lib.get(1).authors


def test_collision_suffixes_in_order():
    from readinglist.core.citekeys import unique_key

    taken: set[str] = set()
    keys = []
    for _ in range(4):
        k = unique_key("smithDeepLearning2020", taken)
        taken.add(k.lower())
        keys.append(k)
    assert keys == [
        "smithDeepLearning2020",
        "smithDeepLearning2020a",
        "smithDeepLearning2020b",
        "smithDeepLearning2020c",
    ]


@pytest.mark.parametrize(
    "name",
    [
        "biblatex__biblatex-examples.bib",
        "jabref__jabref-authors.bib",
        "typst-biblatex__polaritons-zotero.bib",
        "pybtex__xampl.bib",
    ],
)
def test_round_trip(tmp_path, name):
    path = corpus(f"bibtex/{name}")
    with Library.open(tmp_path / "a", index=False) as a:
        a.import_file(path)
        exported = a.export_bibtex(a.select())
        first = a.select()
    out = tmp_path / "export.bib"
    out.write_text(exported, encoding="utf-8")
    with Library.open(tmp_path / "b", index=False) as b:
        report = b.import_file(out)
        assert report.skipped == []
        second = b.select()
    assert len(first) == len(second)

    def shape(p):
        # biblatex-only types (@online, @thesis...) are written as the BibTeX type
        # every tool knows; compare the type as exported.
        bib = dict(p.extra.get("bibtex", {}))
        bib["entrytype"] = bibtex.entry_type_and_venue(p)[0]
        return (p.citekey, p.title, p.authors, p.year, p.doi, p.arxiv_id, p.abstract, bib)

    assert [shape(p) for p in first] == [shape(p) for p in second]


def test_biblatex_examples_and_jabref_authors_import_every_entry(lib):
    import bibtexparser

    for name in ("biblatex__biblatex-examples.bib", "jabref__jabref-authors.bib"):
        path = corpus(f"bibtex/{name}")
        entries = bibtexparser.parse_string(decode(path.read_bytes())).entries
        papers = [e for e in entries if e.entry_type.lower() not in ("set", "xdata")]
        report = lib.import_file(path)
        folded = [s for s in report.skipped if "same paper as" in s.reason]
        assert report.added + report.merged + report.unchanged + len(folded) == len(papers)
        assert [s for s in report.skipped if "same paper as" not in s.reason] == []
    assert lib.count() > 280


def test_broken_bibtex_imports_what_is_valid_with_line_numbers(lib):
    report = lib.import_file(corpus("bibtex/typst-biblatex__incorrect_syntax.bib"))
    assert report.added == 1
    assert report.skipped[0].line == 11 and "Expected a `=`" in report.skipped[0].reason
    report = lib.import_file(corpus("bibtex/bibtexparser__article_missing_coma.bib"))
    assert report.added == 4
    report = lib.import_file(corpus("bibtex/typst-biblatex__comments.bib"))
    assert report.added >= 2 and report.skipped[0].line == 5


def test_encodings(lib):
    lib.import_file(corpus("bibtex/bibtexparser__gbk_test.bib"))
    lib.import_file(corpus("bibtex/jabref__tiny-utf16le-bom.bib"))
    lib.import_file(corpus("bibtex/pybtex__cyrillic.bib"))
    papers = lib.select()
    assert any(p.authors == ["凯撒"] and p.extra["bibtex"]["journal"] == "测试期刊" for p in papers)
    assert all(p.citekey.isascii() for p in papers)  # the GBK key is not usable: generated
    assert any("Christmas turkey" in p.title for p in papers)
    assert any(re.search("[а-я]", p.title) for p in papers)


def test_string_macros_crossref_and_accents(lib):
    lib.import_file(corpus("bibtex/bibtexparser__features2-string-concat.bib"))
    lib.import_file(corpus("bibtex/pybtex__xampl.bib"))
    lib.import_file(corpus("bibtex/biblatex__biblatex-examples.bib"))
    papers = {p.citekey: p for p in lib.select()}
    crossref = next(p for p in papers.values() if p.title == "Semigroups of Recurrences")
    # booktitle inherited from the crossref'd collection's title
    assert crossref.extra["bibtex"]["booktitle"]
    assert crossref.extra["bibtex"]["publisher"]
    assert any("Özge" in a for p in papers.values() for a in p.authors)
    assert any("Aksın" in a for p in papers.values() for a in p.authors)
    assert not any("\\" in a or "{" in a for p in papers.values() for a in p.authors)


RIS_EXPECTED = [
    (
        "jabref__RisImporterTest5a",
        "Release profile of ibuprofen",
        2012,
        "10.1016/j.powtec.2012.01.008",
    ),
    ("jabref__RisImporterTest6", "Chelation: Harnessing", 2013, "10.1155/2013/219840"),
    (
        "jabref__RisImporterTestScience",
        "Phase separation and",
        2016,
        "10.1016/j.actamat.2016.09.028",
    ),
    (
        "jabref__RisImporterTestScopus",
        "A transversely isotropic",
        2004,
        "10.1016/j.jmps.2004.03.010",
    ),
    ("jabref__RisImporterTest8_date", "Hydration forces", 2005, "10.1063/1.1954747"),
]


@pytest.mark.parametrize(("stem", "title", "year", "doi"), RIS_EXPECTED)
def test_ris_against_jabref_expected_bib(lib, stem, title, year, doi):
    import bibtexparser

    lib.import_file(corpus(f"ris/{stem}.ris"))
    (paper,) = lib.select()
    expected = bibtexparser.parse_string(corpus(f"ris/{stem}.expected.bib").read_text()).entries[0]
    assert paper.title.startswith(title) and paper.year == year and paper.doi == doi
    exp_title = latex_to_text(expected.fields_dict["title"].value)

    def norm(t):  # JabRef writes an em dash as "--"
        return re.sub("[—–]", "-", t).replace(" ", "")

    assert norm(paper.title) == norm(exp_title)
    exp_authors = [bibtex_name(a) for a in expected.fields_dict["author"].value.split(" and ")]
    assert [a.replace(" ", "").replace(".", "") for a in paper.authors] == [
        a.replace(" ", "").replace(".", "") for a in exp_authors
    ]


def test_ris_corpus_and_web_of_science(lib):
    for name in (
        "rispy__example_full.ris",
        "rispy__example_extraneous_data.ris",
        "rispy__example_utf_chars.ris",
        "jabref__RisImporterCorrupted.ris",
        "jabref__RisImporterTest1.ris",
        "commonmeta__ris_bug.ris",
        "rispy__example_starting_newlines.ris",
    ):
        report = lib.import_file(corpus(f"ris/{name}"))
        assert report.added + report.merged + report.unchanged >= 1, name
    assert any("Состояние" in p.abstract for p in lib.select())
    with pytest.raises(BadInput, match="Web of Science"):
        lib.import_file(corpus("ris/rispy__example_wos.ris"))


def test_arxiv_api_feeds(lib):
    report = lib.import_file(
        corpus("arxiv-atom-api/arxivpy__q_testing_s0_m100_cfe7536492ca.body.atom.xml")
    )
    assert report.added == 100 and report.format == "atom"
    papers = lib.select()
    assert all(p.arxiv_id and p.title and p.authors and p.year for p in papers)
    assert not any(re.search(r"v\d+$", p.arxiv_id) for p in papers)
    assert any(p.journal_ref for p in papers) and any(p.doi for p in papers)
    assert any("$" in p.abstract for p in papers)
    with pytest.raises(BadInput, match="error: incorrect id format for abc"):
        lib.import_file(corpus("arxiv-atom-api/arxivpy__id_abc_s0_m100_b79c8dcf6bc3.body.atom.xml"))
    with pytest.raises(BadInput, match=r"empty.*totalResults 0"):
        lib.import_file(
            corpus("arxiv-atom-api/arxivpy__id_0000.0000_s0_m100_8b51d9633a68.body.atom.xml")
        )
    report = lib.import_file(
        corpus("arxiv-atom-api/arxivpy__id_astro-ph_0601001_s0_m100_3150dca9dc76.body.atom.xml")
    )
    assert lib.get(report.paper_ids[0]).arxiv_id == "astro-ph/0601001"
    # Dedup across formats: the same papers again as BibTeX merge, never double.
    n = lib.count()
    exported = lib.export_bibtex(lib.select())
    assert lib.import_text(exported, source="again.bib").added == 0
    assert lib.count() == n


def test_latex_compiles_every_exported_entry(lib, tmp_path):
    if not shutil.which("bibtex") or not shutil.which("pdflatex"):
        pytest.skip("bibtex/pdflatex not installed (apt-get install texlive-latex-base)")
    lib.import_file(corpus("listings/hf-papers-page.txt"))
    lib.import_file(FIXTURES / "arxiv-new-page.txt")
    lib.import_file(corpus("arxiv-listing-text/arxiv-browse__1411.4413.abs.txt"))
    lib.import_file(corpus("bibtex/jabref__jabref-authors.bib"))
    lib.import_text(
        "\n\n".join(
            f"{t}\n\nAbstract of hostile title {i}, long enough to be one abstract."
            for i, t in enumerate(HOSTILE)
        )
    )
    papers = lib.select()
    (tmp_path / "refs.bib").write_text(lib.export_bibtex(papers, ascii_only=True), encoding="utf-8")
    (tmp_path / "doc.tex").write_text(
        "\\documentclass{article}\\usepackage[T1]{fontenc}\\usepackage{textcomp}\n"
        "\\begin{document}\n\\nocite{*}\n\\bibliographystyle{plain}\n\\bibliography{refs}\n"
        "\\end{document}\n"
    )
    run = {"cwd": tmp_path, "capture_output": True, "text": True, "timeout": 600}
    first = subprocess.run(["pdflatex", "-interaction=nonstopmode", "doc.tex"], **run)
    assert first.returncode == 0, first.stdout[-2000:]
    bib = subprocess.run(["bibtex", "doc"], **run)
    assert bib.returncode == 0, bib.stdout[-3000:]
    assert "error message" not in bib.stdout
    bbl = (tmp_path / "doc.bbl").read_text(errors="replace")
    assert bbl.count("\\bibitem") == len(papers)
    final = subprocess.run(["pdflatex", "-interaction=nonstopmode", "doc.tex"], **run)
    assert final.returncode == 0, final.stdout[-3000:]


def test_injection_through_authors_and_abstracts_stays_in_its_field(lib):
    # Fields break out of their braces only if escaping fails: then bibtexparser
    # would see extra fields (a title, a note) or extra entries.
    lib.import_text(
        "Harmless Title For Injection Checks\n\n"
        "An abstract }, note = {injected}, title = {Pwned} @misc{evil, title={x}} "
        "\\input{/etc/passwd} \\write18{rm -rf ~} long enough to be one.\n"
    )
    lib.db.execute(
        "UPDATE papers SET authors = ? WHERE id = 1",
        ['["Evil} title={Pwned", "Ada \\\\input{/etc/passwd} Lovelace", "@misc{x"]'],
    )
    papers = lib.select()
    text = lib.export_bibtex(papers)
    parse_back(text, papers)
    import bibtexparser

    entry = bibtexparser.parse_string(text).entries[0]
    assert "note" not in entry.fields_dict  # the abstract's "note = {...}" stayed inside it
    abstract = latex_to_text(entry.fields_dict["abstract"].value)
    assert "}, note = {injected}, title = {Pwned} @misc{evil" in abstract
    assert "Pwned" not in entry.fields_dict["title"].value
    assert "\\input" not in text and "\\write18" not in text  # backslashes are escaped
