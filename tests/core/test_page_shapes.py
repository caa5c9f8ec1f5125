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
