"""Formats people hand us (issue 17): PubMed MEDLINE (.nbib) and CSL-JSON are read,
CSL-JSON is written, and formats we do not read are refused by name with what to
export instead, never imported as junk papers.

The records are the import test inputs of Zotero's MEDLINE/nbib, CSL JSON, EndNote
XML, MODS, PubMed XML and Refer/BibIX translators (tests/fixtures/public/
PROVENANCE.md); Crossref's works JSON and the Hugging Face daily-papers JSON are read
from ../shared/corpora."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from readinglist.core.errors import BadInput
from readinglist.core.importers import detect_format, parse
from readinglist.core.library import Library

from support import FIXTURES, corpus

PUBLIC = FIXTURES / "public"
NBIB = PUBLIC / "zotero__medline-tests.nbib"


def _read(path):
    return path.read_bytes().decode("utf-8")


def _lib(tmp_path):
    return Library.open(tmp_path / "lib", index=False)


def test_pubmed_medline_records_come_in_with_their_fields(tmp_path):
    result = parse(_read(NBIB))
    assert result.format == "medline"
    # 15 records with a title (PubMed's and ERIC's); one ERIC record has none.
    assert len(result.drafts) == 15
    by_title = {d.title: d for d in result.drafts}
    f1 = by_title[
        "The structure of bovine F1-ATPase complexed with the antibiotic inhibitor aurovertin B"
    ]
    assert f1.authors == ["M J van Raaij", "J P Abrahams", "A G Leslie", "J E Walker"]
    assert f1.year == 1996
    assert f1.url == "https://pubmed.ncbi.nlm.nih.gov/8692918/"
    bib = f1.extra["bibtex"]
    assert bib["journal"] == (
        "Proceedings of the National Academy of Sciences of the United States of America"
    )
    assert (bib["volume"], bib["number"], bib["pages"]) == ("93", "14", "6913--6917")
    assert f1.abstract.startswith("In the structure of bovine mitochondrial F1-ATPase")
    assert "  " not in f1.abstract  # continuation lines joined with one space
    chapter = by_title["Peutz-Jeghers Syndrome"]
    assert chapter.extra["bibtex"]["entrytype"] == "incollection"
    assert chapter.extra["bibtex"]["booktitle"] == "Cancer Syndromes"
    assert len(chapter.authors) == 7  # FAU only: the four editors (FED) are not authors
    assert chapter.year == 2009
    shaken = next(d for d in result.drafts if d.title.startswith("Effectiveness of public"))
    assert shaken.doi == "10.1016/j.puhe.2015.01.018"
    # Continuation lines of a wrapped title, no trailing period.
    assert by_title["Mickey Mouse had an O-some day!"].authors == ["Mickey Mouse"]
    eric = by_title["Tests of Robustness in Peer Review"]
    assert eric.authors == ["Jeremy Leipzig"] and eric.year == 2021
    assert not any(d.title.startswith(("PMID", "OWN")) for d in result.drafts)


def test_a_medline_file_with_windows_line_ends_and_its_import(tmp_path):
    crlf = PUBLIC / "zotero__medline-crlf.nbib"
    assert b"\r\n" in crlf.read_bytes()
    with _lib(tmp_path) as lib:
        report = lib.import_file(crlf)
        assert (report.format, report.added) == ("medline", 1)
        paper = lib.select()[0]
        assert paper.title.startswith("Lichtenberg Figures: How a Cutaneous Sign")
        assert paper.doi == "10.1016/j.wem.2022.07.008"
        assert paper.year == 2022
        first = lib.import_file(NBIB)
        assert first.added == 15
        again = lib.import_file(NBIB)
        assert (again.added, again.merged) == (0, 0)  # re-import changes nothing


def test_csl_json_from_zotero_and_crossref_comes_in():
    zotero = parse(_read(PUBLIC / "zotero__csl-json.json"))
    assert zotero.format == "csl-json"
    (book,) = zotero.drafts
    assert book.title == (
        "Stochastic biomathematical models: With applications to neuronal modeling"
    )
    assert book.authors == ["Mostafa Bachar"] and book.year == 2013
    assert book.extra["bibtex"]["entrytype"] == "book"
    assert book.extra["bibtex"]["isbn"] == "978-3-642-32156-6"
    work = parse(corpus("api-json/commonmeta__crossref.json").read_text(encoding="utf-8"))
    (paper,) = work.drafts
    raw = json.loads(corpus("api-json/commonmeta__crossref.json").read_text(encoding="utf-8"))
    assert paper.title == raw["title"][0]
    assert paper.doi == raw["DOI"].lower() or paper.doi == raw["DOI"]
    assert paper.year == 2014
    assert paper.authors[0] == f"{raw['author'][0]['given']} {raw['author'][0]['family']}"
    assert "<jats:" not in paper.abstract and paper.abstract
    listing = parse(corpus("api-json/commonmeta__crossref-list.json").read_text(encoding="utf-8"))
    items = json.loads(
        corpus("api-json/commonmeta__crossref-list.json").read_text(encoding="utf-8")
    )["items"]
    assert len(listing.drafts) + len(listing.skipped) == len(items) == 20


def test_csl_json_goes_out_and_comes_back_the_same(tmp_path):
    with _lib(tmp_path) as lib:
        lib.import_file(NBIB)
        lib.import_file(corpus("bibtex/pybtex__xampl.bib"))
        lib.import_text(
            "arXiv:1706.03762\nTitle: Attention Is All You Need\nAuthors: Ashish Vaswani, "
            "Noam Shazeer\nCategories: cs.CL\n\n  The dominant sequence transduction models.\n",
            format="arxiv",
        )
        papers = lib.select()
        text = lib.export_csl_json(papers)
        assert text == lib.export_csl_json(lib.select())  # byte-stable
    items = json.loads(text)
    assert len(items) == len(papers)
    _check_csl_schema(items)
    attention = next(i for i in items if i["title"] == "Attention Is All You Need")
    assert attention["type"] == "article" and attention["number"] == "arXiv:1706.03762"
    assert attention["author"][0] == {"family": "Vaswani", "given": "Ashish"}
    raaij = next(i for i in items if i["title"].startswith("The structure of bovine"))
    assert raaij["author"][0] == {"family": "van Raaij", "given": "M J"}
    assert raaij["page"] == "6913-6917" and raaij["type"] == "article-journal"
    # Back in: a fresh library gets the same papers; the same library nothing new.
    out = tmp_path / "out.json"
    out.write_text(text, encoding="utf-8")
    with Library.open(tmp_path / "other", index=False) as other:
        report = other.import_file(out)
        assert report.added == len(papers)
        # By key: xampl holds two works titled "The Programming of Computer Art".
        back = {p.citekey: p for p in other.select()}
        for p in papers:
            q = back[p.citekey]
            assert (q.authors, q.year, q.arxiv_id, q.doi) == (
                p.authors,
                p.year,
                p.arxiv_id,
                p.doi,
            ), p.title
    with Library.open(tmp_path / "lib", index=False) as lib:
        again = lib.import_file(out)
        assert again.added == 0


_CSL_TYPES = set(
    "article article-journal article-magazine article-newspaper bill book broadcast "
    "chapter classic collection dataset document entry entry-dictionary "
    "entry-encyclopedia event figure graphic hearing interview legal_case legislation "
    "manuscript map motion_picture musical_score pamphlet paper-conference patent "
    "performance periodical personal_communication post post-weblog regulation report "
    "review review-book software song speech standard thesis treaty webpage".split()
)


def _check_csl_schema(items):
    """csl-data.json's required fields and types (its licence lets us cite, not copy)."""
    assert isinstance(items, list)
    for it in items:
        assert isinstance(it["id"], (str, int)) and it["id"] != ""
        assert it["type"] in _CSL_TYPES
        for key, value in it.items():
            if key in ("author", "editor"):
                for name in value:
                    assert set(name) <= {
                        "family",
                        "given",
                        "literal",
                        "suffix",
                        "dropping-particle",
                        "non-dropping-particle",
                    }
                    assert all(isinstance(v, str) and v for v in name.values())
            elif key == "issued":
                parts = value["date-parts"]
                assert all(isinstance(x, int) for row in parts for x in row)
            else:
                assert isinstance(value, (str, int, float)), key


def test_export_csl_json_from_the_command_line(tmp_path):
    folder = tmp_path / "lib"
    with Library.open(folder, index=False) as lib:
        lib.import_file(NBIB)
    out = tmp_path / "refs.json"
    run = subprocess.run(
        [sys.executable, "-m", "readinglist", "--library", str(folder), "export",
         "--format", "csl-json", "-o", str(out)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert len(json.loads(out.read_text(encoding="utf-8"))) == 15
    bad = subprocess.run(
        [sys.executable, "-m", "readinglist", "--library", str(folder), "export",
         "--format", "csl-json", "--ascii"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert bad.returncode == 1 and "CSL-JSON is UTF-8" in bad.stderr
    assert "Traceback" not in bad.stderr


@pytest.mark.parametrize(
    ("name", "what"),
    [
        ("zotero__endnote.xml", "EndNote XML"),
        ("zotero__mods.xml", "MODS XML"),
        ("zotero__pubmed.xml", "PubMed XML"),
        ("zotero__refer.txt", "EndNote tagged text or refer (.enw)"),
    ],
)
def test_formats_we_do_not_read_are_refused_by_name(tmp_path, name, what):
    with _lib(tmp_path) as lib, pytest.raises(BadInput) as err:
        lib.import_file(PUBLIC / name)
    message = str(err.value)
    assert f"this is {what} data, which Readinglist does not read" in message
    assert "instead" in message and "listing" not in message
    with _lib(tmp_path) as lib:
        assert lib.select() == []


@pytest.mark.parametrize(
    ("text", "what"),
    [
        ("cff-version: 1.2.0\nmessage: cite me\ntitle: My Tool\nauthors:\n"
         "  - family-names: Doe\n    given-names: Jane\n", "CITATION.cff"),
        ("---\nreferences:\n- id: doe2020\n  type: article-journal\n  title: A Study\n",
         "CSL-YAML"),
        ('<?xml version="1.0"?>\n<b:Sources xmlns:b="http://schemas.openxmlformats.org/'
         'officeDocument/2006/bibliography"><b:Source/></b:Sources>',
         "Word bibliography XML (MsBib)"),
        ('<?xml version="1.0"?>\n<rss version="2.0"><channel><title>cs.LG updates'
         "</title></channel></rss>", "an RSS feed"),
        ('{"version": "https://jsonfeed.org/version/1.1", "title": "x", "items": []}',
         "a JSON Feed"),
    ],
)  # fmt: skip
def test_more_formats_are_refused_by_name(text, what):
    with pytest.raises(BadInput) as err:
        parse(text)
    assert f"this is {what}" in str(err.value)


def test_the_hugging_face_daily_papers_json_is_named():
    text = corpus("feeds/lucas-m-lopes-sotawhat__hf_daily_papers.json").read_text(encoding="utf-8")
    with pytest.raises(BadInput) as err:
        parse(text)
    assert "Hugging Face daily-papers JSON" in str(err.value)
    assert detect_format(text) == "csl-json"  # refused there, by name


def test_ris_keeps_a1_and_au_reads_embase_names_one_space_tags_and_prefers_da():
    text = (
        "TY - JOUR\n"  # one space before the dash (some Ovid exports)
        "A1 - Smith, John\n"
        "AU - Liu R.\n"  # Embase: family, then initials
        "AU  - Wang Y.-L.\n"
        "AU  - Smith, John\n"  # the same person under both tags: once
        "TI - Drug safety in pregnancy\n"
        "Y1  - 2019\n"
        "DA  - 2021/03/04\n"
        "ER  - \n"
    )
    (draft,) = parse(text).drafts
    assert draft.title == "Drug safety in pregnancy"
    assert draft.authors == ["John Smith", "R. Liu", "Y.-L. Wang"]
    assert draft.year == 2021  # DA wins over Y1


def test_a_listing_starting_with_a_bracket_is_not_json():
    text = (
        "[1]  arXiv:2410.13842 [pdf, html, other]\nTitle: A Paper About Things\n"
        "Authors: Ada Lovelace\nSubjects: Machine Learning (cs.LG)\n"
    )
    assert detect_format(text) != "csl-json"
    assert parse(text).drafts[0].title == "A Paper About Things"
