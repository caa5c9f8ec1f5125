"""arXiv mailings, abs pages and the copied "new submissions" page."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from readinglist.core.errors import BadInput
from readinglist.core.importers import parse
from readinglist.core.importers.arxiv import split_authors
from readinglist.core.text import decode

from support import FIXTURES, corpus

FULL = "arxiv-listing-text/arxiv-subscription-viewer__arxiv-mailing-cs-2026-01-20-full.txt"


def _parse(path):
    return parse(decode(path.read_bytes(), path.name))


@pytest.fixture(scope="module")
def full_mailing():
    path = corpus(FULL)
    return path.read_text(encoding="utf-8"), _parse(path)


def test_full_mailing_gives_one_paper_per_entry(full_mailing):
    text, result = full_mailing
    # Count the entries by the mailing's own structure: every entry has one
    # "Title:" field and one closing "\\ ( https://arxiv.org/abs/ID , size)" line.
    # (grep -c '^arXiv:' says 1,142, but one of those is a line of an abstract
    # that starts with "arXiv:2601.00638],"; the mailing has 1,141 entries.)
    closing_ids = re.findall(r"(?m)^\\\\ \( https://arxiv\.org/abs/(\S+) ,", text)
    titles = re.findall(r"(?m)^Title:", text)
    assert len(closing_ids) == len(titles) == len(set(closing_ids)) == 1141
    assert result.format == "arxiv"
    assert len(result.drafts) == 1141
    assert sorted(d.arxiv_id for d in result.drafts) == sorted(closing_ids)
    assert result.skipped == []


def test_full_mailing_fields(full_mailing):
    _, result = full_mailing
    by_id = {d.arxiv_id: d for d in result.drafts}
    first = by_id["2601.11559"]
    assert first.title == (
        "MIMIC-RD: Can LLMs differentially diagnose rare diseases in real-world clinical settings?"
    )
    assert first.authors[-1] == "Jimeng Sun" and len(first.authors) == 8
    assert first.authors[5] == "Lauren ONeill"
    assert first.categories == ["cs.AI", "cs.CL", "cs.LG"]
    assert first.comments == "5 pages"
    assert first.abstract.startswith("Despite rare diseases affecting 1 in 10 Americans")
    assert first.abstract.endswith("improving differential diagnosis of rare diseases.")
    assert first.year == 2026 and first.url == "https://arxiv.org/abs/2601.11559"
    # Replacements carry no abstract; cross-lists are ordinary entries.
    replaced = by_id["2401.13770"]
    assert replaced.abstract == "" and replaced.title.startswith("AlphaMapleSAT")
    assert replaced.title.endswith("for Hard Combinatorial Problems")
    assert replaced.year == 2024
    assert sum(1 for d in result.drafts if not d.abstract) == 434
    # An abstract line that happens to start with "arXiv:" stays in its abstract.
    assert "[Hou, arXiv:2601.00638]" in by_id["2601.11594"].abstract
    assert "2601.00638" not in by_id
    # The withdrawn paper (0kb,I) is still an entry.
    assert by_id["2601.10999"].comments.startswith("The authors are withdrawing")
    assert all(d.title and d.authors for d in result.drafts)
    with_doi = [d for d in result.drafts if d.doi]
    assert with_doi and all(d.doi.startswith("10.") for d in with_doi)
    assert any(d.journal_ref for d in result.drafts)


def test_abs_page_with_journal_ref_doi_and_accents():
    (d,) = _parse(corpus("arxiv-listing-text/arxiv-browse__0704.0001.abs.txt")).drafts
    assert d.arxiv_id == "0704.0001" and d.year == 2007
    assert d.authors == ["C. Balázs", "E. L. Berger", "P. M. Nadolsky", "C.-P. Yuan"]
    assert d.doi == "10.1103/PhysRevD.76.013009"
    assert d.journal_ref == "Phys.Rev.D76:013009,2007"
    assert d.extra["report-no"] == "ANL-HEP-PR-07-12"
    assert d.title == (
        "Calculation of prompt diphoton production cross sections at Tevatron and LHC energies"
    )
    assert d.abstract.endswith("judicious selection of events.")


def test_old_style_id_and_affiliation():
    (d,) = _parse(corpus("arxiv-listing-text/arxiv-browse__9411002.abs.txt")).drafts
    assert d.arxiv_id == "acc-phys/9411002" and d.year == 1994
    assert d.authors == ["Patrick L. Nash"]
    assert d.title.startswith(r"Order $\hbar$ Corrections")  # math kept for display
    assert d.categories == ["acc-phys", "physics.acc-ph"]


def test_collaboration_with_thousands_of_authors():
    (d,) = _parse(corpus("arxiv-listing-text/arxiv-browse__1411.4413.abs.txt")).drafts
    assert d.authors[0] == "The CMS and LHCb Collaborations"
    assert len(d.authors) > 2000
    assert "J. Erö" in d.authors and "M. Heß" in d.authors and "A. Léonard" in d.authors
    assert not any("\\" in a or "{" in a for a in d.authors)
    assert d.doi == "10.1038/nature14474"


def test_q_fin_listing_with_and_separated_authors_and_mail_headers():
    result = _parse(corpus("arxiv-listing-text/arxiv-browse__q-fin-listings-new.txt"))
    assert len(result.drafts) == 16
    d = result.drafts[1]
    assert d.authors == ["Pieter M. van Staden", "Peter A. Forsyth", "Yuying Li"]
    assert not any(x.title.startswith("q-fin daily") for x in result.drafts)


def test_malformed_mailing_imports_what_it_can_and_reports_the_rest():
    result = _parse(corpus("arxiv-listing-text/arxiv-subscription-viewer__malformed.txt"))
    ids = [d.arxiv_id for d in result.drafts]
    assert ids == ["2601.99001", "2601.99002", "2601.99001", "2601.99003"]
    assert any("without an arXiv id" in s.reason for s in result.skipped)
    assert result.skipped[0].line == 25
    truncated = result.drafts[1]
    assert truncated.abstract == "This paper's abstract is intentionally cut short without"
    assert any("ends abruptly" in w.reason for w in result.warnings)
    assert result.drafts[3].authors == ["Charlie Brown", "Lucy Van Pelt"]


def test_cross_listing_and_replacement_in_math_listing():
    result = _parse(corpus("arxiv-listing-text/arxiv-browse__math-listings-new.AG.txt"))
    assert [d.arxiv_id for d in result.drafts] == ["2306.77777", "2204.88888"]
    assert result.drafts[0].authors == ["Ben Hayes", "Srivatsav Kunnawalkam Elayavalli"]
    assert result.drafts[1].abstract == ""


@pytest.mark.parametrize(
    "name",
    [
        "arxiv-subscription-viewer__2026-01-23.txt",
        "arxiv-subscription-viewer__2026-01-26.txt",
        "arxiv-subscribedmail-to-risbib__arxiv.txt",
        "arxiv-browse__0704.0174.abs.txt",
    ],
)
def test_other_mailings_parse_every_entry(name):
    path = corpus(f"arxiv-listing-text/{name}")
    text = path.read_text(encoding="utf-8")
    result = _parse(path)
    assert len(result.drafts) == len(re.findall(r"(?m)^Title:", text))
    assert all(d.arxiv_id and d.title and d.authors for d in result.drafts)


def test_new_submissions_page_copied_from_browser():
    result = _parse(FIXTURES / "arxiv-new-page.txt")
    assert [d.arxiv_id for d in result.drafts] == [
        "2410.13842",
        "2410.13850",
        "2410.12001",
        "2301.00001",
    ]
    a, b, c, r = result.drafts
    assert a.title == "Sparse Mixtures of Experts Route Tokens by Similarity"
    assert a.authors == ["Ana Gómez", "Bo Li"]
    assert a.comments == "12 pages, 4 figures"
    assert a.categories == ["cs.LG", "cs.AI"]
    assert a.links == ["https://github.com/example/smoe-router"]
    assert b.title == "A Note on Calibrated Uncertainty for Regression"
    assert b.authors == ["Chen Wu", "Dana Ruiz", "Eve Adams"]
    assert b.abstract.startswith("Calibration of predictive") and b.abstract.endswith(
        "assumptions."
    )
    assert c.journal_ref == "Proceedings of CVPR 2025"
    assert "Replacement submissions" not in c.abstract
    assert r.abstract == ""


def test_split_authors():
    assert split_authors("A. One, B. Two, and C. Three") == ["A. One", "B. Two", "C. Three"]
    assert split_authors("Botella (Valencia U. & Valencia U., IFIC), X. Y") == ["Botella", "X. Y"]
    assert split_authors("John Smith, Jr., Ann Lee") == ["John Smith, Jr.", "Ann Lee"]
    assert split_authors(r"St\'ephane Deny") == ["Stéphane Deny"]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "\\\\\n",
                "arXiv:2401.00001\n",
                "arXiv:2401.0000",
                "Title: A title\n",
                "  continued\n",
                "Authors: A, B and C\n",
                "Categories: cs.LG\n",
                "\\\\ ( https://arxiv.org/abs/2401.00001 , 1kb)\n",
                "-" * 78 + "\n",
                "Abstract text line\n",
                "\n",
                "Date: x\n",
                "[1]  arXiv:2410.00001 [pdf]\n",
                "Subjects: Machine Learning (cs.LG)\n",
                "%%--%%--\n",
                "Comments: (unclosed\n",
            ]
        ),
        max_size=60,
    ).map("".join)
)
def test_arbitrary_arxiv_like_text_raises_only_the_documented_error(text):
    try:
        result = parse(text, format="arxiv")
    except BadInput:
        return
    assert all(d.title and d.arxiv_id for d in result.drafts)
