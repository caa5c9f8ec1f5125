"""The plain-text listing parser, against the reference listing and its variants."""

from __future__ import annotations

import textwrap

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from readinglist.core.errors import BadInput
from readinglist.core.importers import detect_format, parse
from readinglist.core.importers.listing import listing_pieces, parse_listing, parse_piece
from readinglist.core.text import decode

from support import corpus

CHROME = [
    "new",
    "Get trending papers in your email inbox!",
    "Subscribe",
    "byAK and the research community",
    "Mar 20",
]


@pytest.fixture(scope="module")
def reference():
    """(title, abstract) pairs read straight from the file's layout, not by our parser."""
    text = corpus("listings/hf-papers-page.txt").read_text(encoding="utf-8")
    lines = [ln for ln in text.split("\n") if ln.strip()]
    assert lines[:5] == CHROME
    body = lines[5:]
    return text, list(zip(body[0::2], body[1::2], strict=True))


def test_reference_listing_gives_exactly_the_50_papers(reference):
    text, pairs = reference
    result = parse(text)
    assert result.format == "listing"
    assert len(pairs) == 50
    assert [(d.title, d.abstract) for d in result.drafts] == pairs
    skipped_text = " ".join(s.reason for s in result.skipped)
    for chrome in CHROME:
        assert chrome in skipped_text
        assert all(chrome != d.title for d in result.drafts)
    assert [s.line for s in result.skipped] == [1, 3, 5, 7, 9]


def test_crlf_and_bom(reference):
    text, pairs = reference
    data = b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode()
    result = parse(decode(data))
    assert [(d.title, d.abstract) for d in result.drafts] == pairs


def _rebuild(pairs, width=None, blank_after_title=True, junk=False):
    out = ["Trending Papers", ""]
    for i, (title, abstract) in enumerate(pairs):
        out.append(title)
        if blank_after_title:
            out.append("")
        if width:
            out.extend(
                textwrap.wrap(abstract, width, break_on_hyphens=False, break_long_words=False)
            )
        else:
            out.append(abstract)
        out.append("")
        if junk and i % 3 == 0:
            out += ["Upvote", "42", "", "· Submitted by akhaliq", ""]
    out += ["Load more", ""]
    return "\n".join(out)


def _same(drafts, pairs):
    assert len(drafts) == len(pairs)
    for d, (title, abstract) in zip(drafts, pairs, strict=True):
        assert d.title == title
        assert " ".join(d.abstract.split()) == " ".join(abstract.split())


@pytest.mark.parametrize("width", [60, 72, 80, 100])
@pytest.mark.parametrize("blank", [True, False])
def test_hard_wrapped_abstracts_with_and_without_blank_line(reference, width, blank):
    _, pairs = reference
    result = parse_listing(_rebuild(pairs, width=width, blank_after_title=blank, junk=True))
    _same(result.drafts, pairs)


def test_no_blank_line_between_title_and_unwrapped_abstract(reference):
    _, pairs = reference
    _same(parse_listing(_rebuild(pairs, blank_after_title=False)).drafts, pairs)


def test_junk_between_entries_is_skipped_and_reported(reference):
    _, pairs = reference
    result = parse_listing(_rebuild(pairs, junk=True))
    _same(result.drafts, pairs)
    reasons = [s.reason for s in result.skipped]
    assert any("Upvote" in r for r in reasons)
    assert any("Submitted by" in r for r in reasons)
    assert any("Load more" in r for r in reasons)


def test_cp1252_listing_decodes_punctuation(reference):
    _, pairs = reference
    pairs = [(t.replace("Self-", "Self–"), a.replace("'", "’")) for t, a in pairs[:5]]
    pairs[0] = (pairs[0][0], pairs[0][1] + " It’s “quoted” – naïve.")
    text = _rebuild(pairs).replace("\n", "\r\n")
    result = parse(decode(text.encode("cp1252")))
    _same(result.drafts, pairs)
    joined = " ".join(d.abstract + d.title for d in result.drafts)
    assert "’" in joined and "–" in joined and "\u0092" not in joined and "â€" not in joined


def test_wrapped_title_over_two_lines():
    text = (
        "A Very Long Title About Sparse Mixtures of Experts\n"
        "and Their Routing Behaviour\n\n"
        "We study routing in sparse mixtures of experts and find that tokens are routed "
        "by similarity, which we exploit to build a cheaper router with equal quality.\n"
    )
    (draft,) = parse_listing(text).drafts
    assert draft.title == (
        "A Very Long Title About Sparse Mixtures of Experts and Their Routing Behaviour"
    )


def test_title_only_listing():
    text = "Accepted papers\n\nAttention Is All You Need\nDeep Residual Learning for Image Recognition\n"
    result = parse_listing(text)
    assert [d.title for d in result.drafts] == [
        "Attention Is All You Need",
        "Deep Residual Learning for Image Recognition",
    ]
    assert result.skipped and result.skipped[0].line == 1


@pytest.mark.parametrize("text", ["", "   \n\n\t  \n"])
def test_empty_input_is_an_error(text):
    with pytest.raises(BadInput, match="empty"):
        parse(text)


def test_text_without_papers_is_an_error():
    with pytest.raises(BadInput, match="no paper recognised"):
        parse("ok\n\n12\n\nSubscribe\n")


def test_detect_format():
    assert detect_format("Title\n\nAbstract text.") == "listing"
    assert detect_format("@article{x,\n title={A}}\n") == "bibtex"
    assert detect_format("TY  - JOUR\nTI  - A\nER  - \n") == "ris"
    assert (
        detect_format('<?xml version="1.0"?>\n<feed xmlns="http://www.w3.org/2005/Atom">') == "atom"
    )
    assert detect_format("\\\\\narXiv:2401.00001\nTitle: A\n") == "arxiv"


# --- properties -----------------------------------------------------------------


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=3000))
def test_arbitrary_text_raises_only_the_documented_error(text):
    try:
        result = parse(text)
    except BadInput:
        return
    for d in result.drafts:
        assert d.title.strip()


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "\n",
                "\n\n",
                " ",
                "Upvote",
                "12",
                "Title Words Here",
                "An abstract sentence goes here and it ends.",
                "x" * 50,
                "\r\n",
                "\t",
                "arXiv:2401.00001",
                "Title: x",
            ]
        ),
        max_size=80,
    ).map("".join)
)
def test_every_line_is_a_paper_or_reported(text):
    try:
        result = parse(text, format="listing")
    except BadInput:
        return
    # The parser reads any run of spaces and tabs as one space.
    used = " ".join(" ".join(d.title + " " + d.abstract for d in result.drafts).split())
    skipped_lines = {s.line for s in result.skipped}
    para_start = 0
    for number, line in enumerate(text.replace("\r\n", "\n").split("\n"), start=1):
        if not line.strip():
            para_start = 0
            continue
        para_start = para_start or number
        assert (
            " ".join(line.split()) in used or number in skipped_lines or para_start in skipped_lines
        ), f"line {number} {line!r} was neither imported nor reported"


_sentence = st.lists(
    st.sampled_from(
        "we propose method model data results show that the learning neural network "
        "training performance improves baseline approach novel task".split()
    ),
    min_size=10,
    max_size=40,
).map(lambda ws: " ".join(ws).capitalize() + ".")
_title = st.lists(
    st.sampled_from(
        "Learning Deep Sparse Models Attention Graph Neural Scaling Laws Vision Language "
        "Diffusion Robust Efficient Transformers".split()
    ),
    min_size=2,
    max_size=10,
).map(" ".join)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(_title, st.lists(_sentence, min_size=1, max_size=5).map(" ".join)),
        min_size=1,
        max_size=8,
    ),
    st.sampled_from([None, 60, 79]),
    st.booleans(),
)
def test_never_loses_an_abstract(pairs, width, blank):
    pairs = [(t, a) for t, a in pairs if len(a.split()) >= 12]
    if not pairs:
        return
    text = _rebuild(pairs, width=width, blank_after_title=blank)
    result = parse_listing(text)
    abstracts = {" ".join(d.abstract.split()) for d in result.drafts}
    for _, abstract in pairs:
        assert " ".join(abstract.split()) in abstracts


def listing_chunks(text, size):
    """parse_listing(text) a piece at a time, as the piecewise import does it
    (each piece with the offset where it ends)."""
    for start, end, line in listing_pieces(text, size):
        yield parse_piece(text[start:end], line, start == 0), end


_LISTING_LINE = st.sampled_from(
    [
        "",
        " ",
        "new",
        "12 upvotes",
        "A Short Title",
        "Deep Learning for Graphs: A Survey",
        "Does this long title really work for all of us?",
        "Title ending with et al.",
        "this is a lower case line that goes on for a while without stopping at all",
        "We propose a method. It works well on many tasks and beats baselines.",
        "An abstract that is long enough to count. " * 8,
        ("Word " * 90).strip(),
        "x" * 350,
        "A long line without a full stop " * 11,
    ]
)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.tuples(_LISTING_LINE, st.sampled_from(["\n", "\n\n", "\n\n", "\n\n\n", "\n \n"]))),
    st.sampled_from([1, 40, 400, 4000]),
)
def test_listing_in_pieces_parses_as_the_whole(lines, size):
    # The big-import path parses a listing in pieces (in another process); the
    # pieces together must give exactly the drafts and skipped parts of the whole.
    text = "".join(line + sep for line, sep in lines)
    whole = parse_listing(text)
    drafts, skipped = [], []
    end = 0
    for piece, piece_end in listing_chunks(text, size):
        assert piece_end > end or piece_end == len(text) == 0
        end = piece_end
        drafts += piece.drafts
        skipped += piece.skipped
    assert end == len(text)
    assert drafts == whole.drafts
    assert skipped == whole.skipped


def test_a_big_listing_is_cut_into_pieces(reference):
    text = corpus("listings/hf-papers-page.txt").read_text(encoding="utf-8")
    pieces = list(listing_chunks(text, 2000))
    assert len(pieces) > 10
    assert [d for p, _ in pieces for d in p.drafts] == parse_listing(text).drafts
