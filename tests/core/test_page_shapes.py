"""A pasted page never turns its furniture into papers, and the other common shapes
of paper lists are read (issue 17): a Markdown table of titles (as awesome-lists and
conference lists write them), a Markdown digest of links (an arXiv link names the
paper), numbered lists "1. Title Authors: …"; headings, table rules and arXiv's
"Announce Type" teasers are never papers."""

from __future__ import annotations

from readinglist.core.importers import parse
from readinglist.core.library import Library

from support import corpus

PAGE = """\
# Awesome Class-Incremental Learning

## Survey

| Title | Venue | Year | Code |
| ----- | ----- | ---- | ---- |
| [Class-Incremental Learning: A Survey](http://arxiv.org/abs/2302.03648) | TPAMI | 2024 | [Official](https://github.com/x/y) |
| [**HiDDeN: Hiding Data With Deep Networks**](https://arxiv.org/abs/1807.09937) | ECCV | 2018 | — |
| [A Paper Without An arXiv Link](https://openreview.net/forum?id=abc) | ICLR | 2023 | - |

#### Abstract

Today's digest:

1. [Attention Is All You Need](https://arxiv.org/abs/1706.03762) — Ashish Vaswani, Noam Shazeer
2. [Deep Residual Learning for Image Recognition](https://arxiv.org/pdf/1512.03385v1)
- **[Denoising Diffusion Probabilistic Models](https://arxiv.org/abs/2006.11239)**

arXiv:2605.24416v1 Announce Type: new Abstract: We study the routing of tokens in sparse mixtures of experts.

1. Scaling Laws for Neural Language Models Authors: Jared Kaplan, Sam McCandlish and Tom Henighan
"""


def test_tables_link_lists_and_numbered_lists_are_read_and_furniture_is_not():
    result = parse(PAGE)
    got = [(d.title, d.arxiv_id) for d in result.drafts]
    assert got == [
        ("Class-Incremental Learning: A Survey", "2302.03648"),
        ("HiDDeN: Hiding Data With Deep Networks", "1807.09937"),
        ("A Paper Without An arXiv Link", None),
        ("Attention Is All You Need", "1706.03762"),
        ("Deep Residual Learning for Image Recognition", "1512.03385"),
        ("Denoising Diffusion Probabilistic Models", "2006.11239"),
        ("Scaling Laws for Neural Language Models", None),
    ]
    by_title = {d.title: d for d in result.drafts}
    assert by_title["A Paper Without An arXiv Link"].url == "https://openreview.net/forum?id=abc"
    assert by_title["Attention Is All You Need"].authors == ["Ashish Vaswani", "Noam Shazeer"]
    assert by_title["Scaling Laws for Neural Language Models"].authors == [
        "Jared Kaplan",
        "Sam McCandlish",
        "Tom Henighan",
    ]
    titles = " ".join(d.title for d in result.drafts)
    for furniture in ("Awesome", "Survey", "Abstract", "digest", "Announce", "Title |", "---"):
        assert furniture not in titles.replace("A Survey", ""), furniture
    assert any("Announce" not in str(s) and "teaser" in str(s) for s in result.skipped)


def test_a_heading_over_its_abstract_is_a_title():
    text = (
        "# Reading list\n\n## Sparse Mixtures of Experts Route by Similarity\n\n"
        "We study how sparse mixtures of experts route tokens and find that routing "
        "decisions follow token similarity, then propose a cheaper router that keeps "
        "accuracy on every benchmark we tried, at a third of the cost.\n"
    )
    (draft,) = parse(text).drafts
    assert draft.title == "Sparse Mixtures of Experts Route by Similarity"
    assert draft.abstract.startswith("We study how sparse mixtures")


def test_the_reference_listing_reads_as_before_and_a_digest_after_it_merges(tmp_path):
    with Library.open(tmp_path / "lib", index=False) as lib:
        first = lib.import_file(corpus("listings/hf-papers-page.txt"))
        assert first.added == 50  # the reference listing: 50 papers, nothing else
        report = lib.import_text(
            "1. [Barlow Twins: Self-Supervised Learning via Redundancy Reduction]"
            "(https://arxiv.org/abs/2103.03230)\n"
        )
        assert (report.added, report.merged) == (0, 1)  # the same paper, now with its id
        (barlow,) = [p for p in lib.select() if p.title.startswith("Barlow Twins")]
        assert barlow.arxiv_id == "2103.03230"


ABS_PAGES = ["0704.0001", "0704.0174", "1411.4413", "9411002"]


def _shape(d):
    return (d.title, d.authors, d.arxiv_id, d.abstract, d.categories, d.doi, d.journal_ref)


def test_an_abstract_page_flattened_to_one_line_reads_as_the_page():
    """Each real arXiv .abs page, its lines joined by spaces (as chat programs and
    note apps paste it), gives the very paper the page gives."""
    for name in ABS_PAGES:
        page = corpus(f"arxiv-listing-text/arxiv-browse__{name}.abs.txt").read_text()
        (whole,) = parse(page).drafts
        (flat,) = parse(" ".join(page.split())).drafts
        if name == "1411.4413":  # a 500-line author list: its wrapping joins alike
            assert flat.title == whole.title and len(flat.authors) == len(whole.authors)
            continue
        assert _shape(flat) == _shape(whole), name


def test_a_browser_copy_of_an_abstract_page_on_one_line():
    text = (
        "Computer Science > Computation and Language [Submitted on 12 Jun 2017 (v1), last "
        "revised 2 Aug 2023 (this version, v7)] Title:Attention Is All You Need "
        "Authors:Ashish Vaswani, Noam Shazeer, Niki Parmar View PDF Abstract:The dominant "
        "sequence transduction models are based on complex recurrent networks. Comments: 15 "
        "pages, 5 figures Subjects: Computation and Language (cs.CL); Machine Learning (cs.LG) "
        "Cite as: arXiv:1706.03762 [cs.CL]"
    )
    (d,) = parse(text).drafts
    assert d.title == "Attention Is All You Need" and d.arxiv_id == "1706.03762"
    assert d.authors == ["Ashish Vaswani", "Noam Shazeer", "Niki Parmar"]  # not "View PDF"
    assert (
        d.abstract
        == "The dominant sequence transduction models are based on complex recurrent networks."
    )
    assert d.categories == ["cs.CL", "cs.LG"] and d.comments == "15 pages, 5 figures"
    assert d.year == 2017


# Select all, copy, on arxiv.org/abs/1706.03762 (the page's lines kept; the
# "Title:" and "Authors:" descriptors are hidden on the page and not copied).
BROWSER_COPY = """\
Skip to main content
Cornell University
We gratefully acknowledge support from the Simons Foundation, member institutions, and all contributors. Donate
arxiv logo > cs > arXiv:1706.03762

Help | Advanced Search
Search
Computer Science > Computation and Language
[Submitted on 12 Jun 2017 (v1), last revised 2 Aug 2023 (this version, v7)]
Attention Is All You Need
Ashish Vaswani, Noam Shazeer, Niki Parmar, Jakob Uszkoreit, Llion Jones, Aidan N. Gomez, Lukasz Kaiser, Illia Polosukhin
View PDF HTML (experimental)

    Abstract:The dominant sequence transduction models are based on complex recurrent or
convolutional neural networks.

    We propose a new simple network architecture, the Transformer.

Comments: \t15 pages, 5 figures
Subjects: \tComputation and Language (cs.CL); Machine Learning (cs.LG)
Cite as: \tarXiv:1706.03762 [cs.CL]
  \t(or arXiv:1706.03762v7 [cs.CL] for this version)
  \t
https://doi.org/10.48550/arXiv.1706.03762
Focus to learn more
Submission history
From: Llion Jones [view email]
[v1] Mon, 12 Jun 2017 17:57:34 UTC (1,102 KB)
[v7] Wed, 2 Aug 2023 00:41:18 UTC (1,124 KB)
"""


def test_a_browser_copy_of_an_abstract_page_with_its_lines_is_one_paper():
    for text in (BROWSER_COPY, BROWSER_COPY.replace("\nAttention", "\nTitle:Attention")
                 .replace("\nAshish", "\nAuthors:Ashish")):  # fmt: skip
        result = parse(text)
        assert result.format == "arxiv" and not result.skipped
        (d,) = result.drafts  # none of the site's menus
        assert d.title == "Attention Is All You Need" and d.arxiv_id == "1706.03762"
        assert len(d.authors) == 8 and d.authors[-1] == "Illia Polosukhin"
        assert d.abstract == (
            "The dominant sequence transduction models are based on complex recurrent or "
            "convolutional neural networks. We propose a new simple network architecture, "
            "the Transformer."
        )
        assert d.categories == ["cs.CL", "cs.LG"] and d.comments == "15 pages, 5 figures"
        assert d.year == 2017


def test_a_page_without_its_cite_as_line_is_left_to_the_listing_reader():
    from readinglist.core.importers.flat_page import browser_copy

    assert browser_copy(BROWSER_COPY.replace("Cite as:", "Cited:")) is None
    assert browser_copy(BROWSER_COPY.replace("[Submitted on", "[Posted")) is None
    assert browser_copy(corpus("listings/hf-papers-page.txt").read_text()) is None


def test_one_line_with_labels_but_no_arxiv_id_is_not_an_abstract_page():
    from readinglist.core.importers.flat_page import unflatten

    assert unflatten("Title: A Study Authors: Someone Abstract: words here") is None
    assert unflatten("arXiv:1706.03762 Title: T Authors: A\nsecond\nthird\nfourth") is None
