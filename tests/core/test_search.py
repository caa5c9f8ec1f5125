"""Search on a real Whoosh index: query forms, filters, ranking, highlights, repair."""

from __future__ import annotations

import shutil

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from readinglist.core import search as search_module
from readinglist.core import search_views
from readinglist.core.errors import UserError
from readinglist.core.index_sync import IndexSync
from readinglist.core.library import Library
from readinglist.core.search import MARK_END, MARK_START, parse_query
from readinglist.core.tuning import Tuning

from support import FIXTURES, corpus

PAPERS = """Listing

Attention Is All You Need

The dominant sequence transduction models are based on complex recurrent networks. We propose a new simple network architecture based solely on attention mechanisms, dispensing with recurrence entirely.

Deep Residual Learning for Image Recognition

Deeper neural networks are more difficult to train. We present a residual learning framework to ease the training of networks that are substantially deeper than those used previously, and we use attention nowhere.

Denoising Diffusion Probabilistic Models

We present high quality image synthesis results using diffusion probabilistic models, a class of latent variable models inspired by considerations from nonequilibrium thermodynamics.

Scaling Laws for Neural Language Models

We study empirical scaling laws for language model performance on the cross-entropy loss. The loss scales as a power-law with model size, dataset size, and the amount of compute used for training; transformers dominate.
"""


def titles(outcome):
    return [h.paper.title for h in outcome.hits]


@pytest.fixture
def lib(indexed):
    indexed.import_text(PAPERS)
    indexed.import_file(FIXTURES / "arxiv-digest-overlap.txt")  # adds Barlow Twins, von Oswald
    return indexed


def test_plain_words_must_all_match(lib):
    assert titles(lib.search("residual learning")) == [
        "Deep Residual Learning for Image Recognition"
    ]
    assert lib.search("residual diffusion").total == 0


def test_phrase_or_not_minus_and_parentheses(lib):
    assert titles(lib.search('"simple network architecture"')) == ["Attention Is All You Need"]
    assert lib.search('"network simple architecture"').total == 0
    assert set(titles(lib.search("diffusion OR residual"))) == {
        "Deep Residual Learning for Image Recognition",
        "Denoising Diffusion Probabilistic Models",
    }
    with_attention = set(titles(lib.search("attention")))
    assert "Deep Residual Learning for Image Recognition" in with_attention
    assert "Deep Residual Learning for Image Recognition" not in titles(
        lib.search("attention NOT residual")
    )
    assert titles(lib.search("attention -residual")) == titles(lib.search("attention NOT residual"))
    assert titles(lib.search("(attention -residual)")) == titles(lib.search("attention -residual"))
    # A hyphen inside pasted text is not NOT: "(DDPM)-style" names the paper's
    # own words (it excluded the paper a user pasted the abstract of).
    assert "Denoising Diffusion Probabilistic Models" in titles(
        lib.search("(diffusion)-probabilistic models")
    )
    assert set(titles(lib.search("(diffusion OR scaling) models"))) == {
        "Denoising Diffusion Probabilistic Models",
        "Scaling Laws for Neural Language Models",
    }


def test_prefix_and_fuzzy(lib):
    assert "Denoising Diffusion Probabilistic Models" in titles(lib.search("probab*"))
    assert "Barlow Twins: Self-Supervised Learning via Redundancy Reduction" in titles(
        lib.search("zbon*")
    )  # author prefix
    short = lib.search("di*")
    assert short.total == 0 and "too short" in short.notice
    assert "Attention Is All You Need" in titles(lib.search("atention~"))
    assert "Denoising Diffusion Probabilistic Models" in titles(lib.search("difusion~"))


def test_fields(lib):
    assert titles(lib.search("title:attention")) == ["Attention Is All You Need"]
    assert "Attention Is All You Need" in titles(lib.search("abstract:recurrence"))
    assert titles(lib.search("author:lecun")) == [
        "Barlow Twins: Self-Supervised Learning via Redundancy Reduction"
    ]
    assert titles(lib.search("by:LeCun")) == titles(lib.search("author:lecun"))
    assert titles(lib.search('by:"von oswald"')) == [
        "Transformers learn in-context by gradient descent"
    ]
    assert titles(lib.search("arxiv:2103.03230")) == [
        "Barlow Twins: Self-Supervised Learning via Redundancy Reduction"
    ]
    assert titles(lib.search("year:2022")) == ["Transformers learn in-context by gradient descent"]
    assert len(titles(lib.search("year:[2020 TO 2024]"))) == 2
    paper = lib.search("title:diffusion").hits[0].paper
    lib.tag([paper.id], add=["Generative Models"])
    lib.set_note(paper.id, "Compare with score matching.")
    assert titles(lib.search('tag:"generative models"')) == [paper.title]
    assert titles(lib.search("note:matching")) == [paper.title]
    assert titles(lib.search("score matching")) == [paper.title]  # notes are in plain search too


def test_status_and_star_filters(lib):
    ids = {h.paper.title: h.paper.id for h in lib.search("models").hits}
    ddpm = ids["Denoising Diffusion Probabilistic Models"]
    scaling = ids["Scaling Laws for Neural Language Models"]
    lib.mark([ddpm], "read")
    lib.mark([scaling], "queued")
    lib.set_starred([scaling], True)
    assert titles(lib.search("is:read")) == ["Denoising Diffusion Probabilistic Models"]
    assert titles(lib.search("is:queued models")) == ["Scaling Laws for Neural Language Models"]
    assert titles(lib.search("is:starred")) == ["Scaling Laws for Neural Language Models"]
    assert "Denoising Diffusion Probabilistic Models" not in titles(lib.search("is:unread models"))
    assert lib.search("is:dismissed").total == 0
    lib.mark([ddpm], "dismissed")
    assert titles(lib.search("is:dismissed diffusion")) == [
        "Denoising Diffusion Probabilistic Models"
    ]
    assert "unknown filter" in lib.search("is:finished models").notice


def test_title_hit_outranks_abstract_only_hit(lib):
    # "attention" is in one title and in the abstract of the ResNet paper.
    ranked = titles(lib.search("attention"))
    assert ranked[0] == "Attention Is All You Need"
    assert ranked.index("Deep Residual Learning for Image Recognition") > 0
    scores = [h.score for h in lib.search("attention").hits]
    assert scores == sorted(scores, reverse=True)


def test_stemming_and_accent_folding(lib):
    assert "Transformers learn in-context by gradient descent" in titles(lib.search("transformer"))
    assert "Scaling Laws for Neural Language Models" in titles(lib.search("transformers"))
    assert titles(lib.search("stephane")) == [
        "Barlow Twins: Self-Supervised Learning via Redundancy Reduction"
    ]
    assert titles(lib.search("stéphane")) == titles(lib.search("stephane"))
    assert titles(lib.search("joao")) == ["Transformers learn in-context by gradient descent"]


def test_latex_accents_in_abstracts_are_searchable(indexed):
    indexed.import_file(corpus("listings/hf-papers-page.txt"))
    hits = indexed.search("akyurek")  # written Aky\"urek in the listing
    assert hits.total == 1 and "capacity" in hits.hits[0].paper.abstract


def test_highlighted_snippets(lib):
    outcome = lib.search("residual networks", snippets=True)
    snip = outcome.hits[0].snippets
    assert f"{MARK_START}Residual{MARK_END}" in snip["title"]
    assert f"{MARK_START}networks{MARK_END}" in snip["abstract"]
    assert f"{MARK_START}residual{MARK_END}" in snip["abstract"]
    assert outcome.terms >= {"residu", "network"}
    marked = lib.highlight("Attention over networks", outcome.terms)
    assert marked == f"Attention over {MARK_START}networks{MARK_END}"


def test_similar_papers(indexed):
    indexed.import_file(corpus("listings/hf-papers-page.txt"))
    source = indexed.search('title:"Barlow Twins"').hits[0].paper
    similar = indexed.similar(source.id, limit=5)
    assert similar and all(h.paper.id != source.id for h in similar)
    assert any(
        "Self-Supervised" in h.paper.title or "self-supervised" in h.paper.title.lower()
        for h in similar[:3]
    )
    scores = [h.score for h in similar]
    assert scores == sorted(scores, reverse=True)


def test_saved_searches(lib):
    lib.save_search("Diffusion", "diffusion is:unread")
    lib.save_search("scaling", "scaling")
    assert lib.saved_searches() == [("Diffusion", "diffusion is:unread"), ("scaling", "scaling")]
    lib.save_search("diffusion", "diffusion")  # same name ignoring case: replaced
    assert lib.saved_search("DIFFUSION") == "diffusion"
    assert titles(lib.search(lib.saved_search("scaling"))) == [
        "Scaling Laws for Neural Language Models"
    ]
    lib.remove_saved_search("Scaling")
    assert [n for n, _ in lib.saved_searches()] == ["Diffusion"]
    with pytest.raises(UserError):
        lib.saved_search("scaling")


def test_every_change_reaches_the_index(lib):
    pid = lib.search("title:diffusion").hits[0].paper.id
    lib.mark([pid], "read")
    assert pid in [h.paper.id for h in lib.search("is:read").hits]
    lib.tag([pid], add=["gen"])
    assert [h.paper.id for h in lib.search("tag:gen").hits] == [pid]
    lib.tag([pid], remove=["gen"])
    assert lib.search("tag:gen").total == 0
    lib.delete([pid])
    assert lib.search("diffusion").total == 0
    assert lib.check()["ok"]


def test_rebuild_after_deleting_the_index_folder(tmp_path):
    folder = tmp_path / "lib"
    with Library.open(folder) as lib:
        lib.import_text(PAPERS)
    shutil.rmtree(folder / "index")
    with Library.open(folder) as lib:
        assert "missing" in lib.index_notice
        assert lib.search("diffusion").total == 1
        assert lib.check()["ok"]


def test_corrupt_index_is_moved_aside_and_rebuilt(tmp_path):
    folder = tmp_path / "lib"
    with Library.open(folder) as lib:
        lib.import_text(PAPERS)
    for f in (folder / "index").iterdir():
        if f.suffix in (".seg", ".toc", ".trm", ".pst") or f.name.startswith("_MAIN"):
            f.write_bytes(b"\x00garbage" * 10)
    with Library.open(folder) as lib:
        assert "damaged" in lib.index_notice
        assert lib.search("diffusion").total == 1
        assert lib.check()["ok"]
    assert list(tmp_path.glob("lib/index.broken-*"))


def test_crash_between_database_and_index_is_caught_up(tmp_path):
    folder = tmp_path / "lib"
    with Library.open(folder) as lib:
        lib.import_text(PAPERS)
        pid = lib.search("title:diffusion").hits[0].paper.id
    # The database changes, the index does not (as if the process died between).
    with Library.open(folder, index=False) as lib:
        lib.mark([pid], "read")
        lib.tag([pid], add=["crash"])
        lib.import_file(FIXTURES / "arxiv-new-page.txt")
        assert lib.pending_index_changes() == 5  # the marked paper and 4 new ones
    with Library.open(folder) as lib:
        assert lib.pending_index_changes() == 0
        assert [h.paper.id for h in lib.search("tag:crash is:read").hits] == [pid]
        assert lib.search("sparse mixtures").total == 1
        assert lib.check()["ok"]


def test_check_reports_and_repairs_disagreement(tmp_path):
    folder = tmp_path / "lib"
    with Library.open(folder) as lib:
        lib.import_text(PAPERS)
        # Remove a document from Whoosh behind the library's back.
        lib.search_index.apply([], [1])
        report = lib.check()
        assert not report["ok"] and report["missing"] == [1]
        fixed = lib.check(repair=True)
        assert fixed["repaired"] is True
        assert lib.check()["ok"] and lib.search("attention").total >= 1


def test_bulk_catch_up_runs_in_a_child_process(tmp_path, monkeypatch):
    tuning = Tuning(bulk_index=3)
    folder = tmp_path / "lib"
    with Library.open(folder, index=False, tuning=tuning) as lib:
        lib.import_text(PAPERS)
    calls = []
    original = IndexSync.sync_in_child

    def spy(self, progress, lock_fd):
        calls.append(self.pending())
        return original(self, progress, lock_fd)

    monkeypatch.setattr(IndexSync, "sync_in_child", spy)
    with Library.open(folder, tuning=tuning) as lib:
        assert calls and calls[0] >= 3
        assert lib.pending_index_changes() == 0
        assert lib.search("diffusion").total == 1 and lib.check()["ok"]


def test_bulk_writer_path(tmp_path, monkeypatch):
    tuning = Tuning(bulk_index=2)
    folder = tmp_path / "lib"
    with Library.open(folder, index=False, tuning=tuning) as lib:
        lib.import_text(PAPERS)
        lib.ensure_index()  # below: in-process sync with the multi-process writer
    with Library.open(folder, tuning=tuning) as lib:
        assert lib.check()["ok"] and lib.search("residual").total == 1
        lib.import_text(PAPERS.replace("Listing", "Again"))  # nothing new
        assert lib.check()["ok"]


@pytest.mark.parametrize(
    "text",
    [
        '"unclosed phrase',
        "a AND (b",
        "((((",
        ")",
        "year:[2020 TO",
        "year:abc",
        'year:""',  # a Term the number field cannot encode: once crashed the count
        "title:",
        "***",
        "NOT",
        "OR OR",
        "~",
        "foo~9",
        "-",
        "is:",
        "is:starred",
        "tag:",
        ":",
        "\\",
        "a^2",
        "'",
        "arxiv:",
        "\x00",
        "  ",
    ],
)
def test_broken_queries_never_crash(lib, text):
    outcome = lib.search(text)
    assert outcome.total >= 0


def test_unparseable_query_falls_back_to_words_and_says_so():
    parsed = parse_query("year:[2020 TO")
    assert parsed.fallback and "searched for the words" in parsed.notice


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.sampled_from(
            [
                *"abc \"()*~:-[]^\\'",
                " AND ",
                " OR ",
                " NOT ",
                " TO ",
                "is:",
                "year:",
                "by:",
                "2020",
                "model",
                "tag:",
                "title:",
            ]
        ),
        max_size=20,
    ).map("".join)
)
def test_any_query_text_is_answered(lib, text):
    lib.search(text)


def test_prefix_matches_are_highlighted(lib):
    outcome = lib.search("probab*", snippets=True)
    assert f"{MARK_START}Probabilistic{MARK_END}" in outcome.hits[0].snippets["title"]


def test_old_index_format_is_rebuilt(tmp_path):
    folder = tmp_path / "lib"
    with Library.open(folder) as lib:
        lib.import_text(PAPERS)
    (folder / "index" / "readinglist-schema-version").write_text("1")
    with Library.open(folder) as lib:
        # Made by another version: rebuilt, not called damage, no copy kept aside.
        assert lib.index_notice == "the search index was rebuilt for this version of Readinglist"
        assert lib.search("residual").total == 1
        assert lib.check()["ok"]
    assert not list(folder.glob("index.broken-*"))


def test_warming_prepares_the_view_filters_and_changes_no_result(lib):
    lib.mark([1], "queued")
    cold = [h.paper.id for h in lib.search("is:unread model", limit=None).hits]
    lib.search_index._filter_cache.clear()
    lib.warm_search()
    filters = [k for k in lib.search_index._filter_cache if k[0] == "facts"]
    assert len(filters) == len(search_module.WARM_FILTERS)
    assert [h.paper.id for h in lib.search("is:unread model", limit=None).hits] == cold
    assert 1 not in cold and [h.paper.id for h in lib.search("is:queued").hits] == [1]


def test_a_filter_nothing_passes_finds_nothing(lib):
    # Whoosh reads an empty filter set as no filter at all.
    assert lib.search("model").total > 0
    assert lib.search("is:starred model").total == 0
    assert lib.search("is:dismissed").total == 0
    lib.set_starred([1], True)
    assert [h.paper.id for h in lib.search("is:starred").hits] == [1]


COUNTED_QUERIES = [
    "model",
    "models",
    "attention",
    "neural networks",
    "diffusion OR residual",
    "attention NOT residual",
    "attention -residual",
    "-attention",
    "(diffusion OR scaling) models",
    '"simple network architecture"',
    '"language models"',
    "probab*",
    "netwrks~",
    "title:models",
    "author:zbontar",
    "year:[2020 TO 2030]",
    "is:unread",
    "is:read",
    "is:starred",
    "is:unread model",
    "is:read networks",
    "is:starred -attention",
    "is:queued OR",
    "learning",
]


def test_counts_and_the_rest_agree_with_whoosh_on_a_multi_segment_index(tmp_path, monkeypatch):
    # The match count comes from posting-list set operations, not from Whoosh's
    # second walk over the matches; checked here on an index with several
    # segments and deleted (replaced) documents, where offsets and deletions matter.
    tuning = Tuning(bulk_index=2)
    folder = tmp_path / "lib"
    with Library.open(folder, index=False, tuning=tuning) as lib:
        lib.import_text(PAPERS)
        lib.import_file(FIXTURES / "arxiv-digest-overlap.txt")
        lib.import_file(FIXTURES / "arxiv-new-page.txt")
        lib.ensure_index()  # the multi-process writer: one segment per process
    with Library.open(folder, tuning=tuning) as lib:
        # Replaced documents (notes are text): deletions in the old segments.
        lib.set_note(1, "a note")
        lib.set_note(3, "another note")
        # Facts SQLite answers: they touch no segment.
        lib.mark([1, 3], "read")
        lib.set_starred([2, 4], True)
        lib.mark([5], "queued")
        ix = lib.search_index
        s = ix.searcher()
        assert len(s.leaf_searchers()) >= 2
        assert any(sub.reader().has_deletions() for sub, _ in s.leaf_searchers())
        statuses = dict(lib.db.execute("SELECT status, count(*) FROM papers GROUP BY status"))
        for text in COUNTED_QUERIES:
            everything = ix.search(text, limit=None)
            ranked = ix.search(text, limit=2, rest=True)
            assert ranked.total == everything.total, text
            all_ids = [h.paper_id for h in everything.hits]
            assert len(set(all_ids)) == len(all_ids), text  # no paper twice
            shown = [h.paper_id for h in ranked.hits]
            assert shown == all_ids[:2], text  # the same best two
            assert sorted(shown + ranked.rest) == sorted(all_ids), text
            assert ranked.rest == sorted(ranked.rest, reverse=True), text
        assert ix.search("is:read", limit=1).total == statuses["read"] == 2
        assert ix.search("is:unread", limit=1).total == statuses["unread"]
        assert ix.search("is:starred", limit=1).total == 2
        assert (
            ix.search("-attention", limit=1).total
            == lib.count() - ix.search("attention", limit=1).total
        )


@settings(max_examples=200, deadline=None)
@given(
    data=st.binary(max_size=600),
    ops=st.lists(
        st.tuples(
            st.sampled_from(["read", "readline", "seek0", "seek1", "seek2", "tell"]),
            st.integers(-3, 700),
        ),
        max_size=20,
    ),
)
def test_view_stream_reads_like_bytesio(data, ops):
    import io

    view, real = search_views.ViewStream(memoryview(data)), io.BytesIO(data)
    for op, n in ops:
        if op == "read":
            assert view.read(n) == real.read(n)
        elif op == "readline":
            assert view.readline(n) == real.readline(n)
        elif op.startswith("seek"):
            whence = int(op[-1])
            target = abs(n) if whence == 0 else (n if whence == 1 else -min(abs(n), len(data)))
            if whence == 1 and real.tell() + target < 0:
                continue
            assert view.seek(target, whence) == real.seek(target, whence)
        else:
            assert view.tell() == real.tell()


def test_segments_are_read_in_place_not_copied(lib):
    # whoosh-reloaded copies each part of a compound segment into a BytesIO;
    # search_views.py swaps in a stream over the mapped file (2.8 GB -> 50 MB at 100k).
    from whoosh.filedb import compound

    assert compound.BufferFile is search_views.ViewBufferFile
    s = lib.search_index.searcher()
    streams = [type(sub.reader()._terms._postfile.file) for sub, _ in s.leaf_searchers()]
    assert streams and all(t is search_views.ViewStream for t in streams)
    assert titles(lib.search('"simple network architecture"')) == ["Attention Is All You Need"]


def test_a_small_filter_view_reads_few_stored_ids(lib):
    # `readinglist search is:starred` must not build the id of every document.
    lib.set_starred([2], True)
    ix = lib.search_index
    ix._filter_cache.clear()
    assert [h.paper.id for h in lib.search("is:starred").hits] == [2]
    assert ("paper ids",) not in ix._filter_cache
    ix.warm()  # the app's worker builds the map once; the answer is the same
    assert [h.paper.id for h in lib.search("is:starred").hits] == [2]
