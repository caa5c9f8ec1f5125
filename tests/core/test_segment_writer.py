"""The bulk segment writer (core/segment_writer.py) against Whoosh's own writer,
and the word pairs kept beside its segments (core/search_pairs.py) against the
pairs field Whoosh would have written (issue 16).

Both writers index the same papers, read from real files and the library's own
rows; every term, posting, weight, value, term statistic, field length and stored
field must be equal, and the segment's files byte for byte."""

from __future__ import annotations

from pathlib import Path

import pytest
from whoosh import index

from support import FIXTURES, corpus, generated_listing

# Hard cases written here: accents and LaTeX, CJK, dotted and starred tokens,
# a title of one word, empty fields, a long repeated word (many blocks).
HARD = (
    """\
1. **Ünïcode Café: Élan in naïve ∂-Models**
   Authors: José Núñez, Zoë O'Brien-Smith, 李 小龙
   Abstract: We study 3.5 and v1.2.3 with foo*bar terms; æther straße Ǆ.
   arXiv:2401.00001

2. **Attention**
   Authors: A. Vaswani
   Abstract:
   arXiv:2401.00002

3. **Repeated words**
   Authors: R. Peat
   Abstract: """
    + " ".join(["model"] * 300)
    + """
   arXiv:2401.00003
"""
)


def _docs(tmp_path: Path, *listings: Path) -> list[dict]:
    from readinglist.core.library import Library
    from readinglist.core.search_schema import document

    lib = Library.open(tmp_path / "lib", index=False)
    for path in listings:
        lib.import_file(path, with_revisions=True)
    conn = lib.index_sync.store.conn
    ids = [r[0] for r in conn.execute("SELECT id FROM papers ORDER BY id")]
    rows = lib.index_sync.rows(ids)
    lib.close()
    return [document(r) for r in rows.values()]


def _standard(folder: Path, docs: list[dict]) -> index.Index:
    from readinglist.core.search_schema import SCHEMA

    folder.mkdir()
    ix = index.create_in(folder, SCHEMA)
    writer = ix.writer()
    for doc in docs:
        writer.add_document(**doc)
    writer.commit()
    return ix


def _grouped(folder: Path, docs: list[dict], per_segment: int = 10**9) -> index.Index:
    from readinglist.core import segment_writer
    from readinglist.core.search_schema import SCHEMA

    folder.mkdir()
    ix = index.create_in(folder, SCHEMA)
    segment_writer.write_segments(ix, docs, folder / "pairs", per_segment=per_segment)
    return ix


def _contents(ix: index.Index) -> tuple:
    from readinglist.core.search_schema import SCHEMA

    r = ix.reader()
    terms = {}
    for fieldname, text in r.all_terms():
        info = r.term_info(fieldname, text)
        m = r.postings(fieldname, text)
        posts = []
        while m.is_active():
            posts.append((m.id(), m.weight(), m.value()))
            m.next()
        terms[fieldname, text] = (
            info.weight(),
            info.doc_frequency(),
            info.min_length(),
            info.max_length(),
            info.max_weight(),
            info.min_id(),
            info.max_id(),
            posts,
        )
    names = SCHEMA.names()
    lengths = {f: [r.doc_field_length(d, f) for d in range(r.doc_count_all())] for f in names}
    totals = {f: r.field_length(f) for f in names}
    stored = list(r.all_stored_fields())
    r.close()
    return terms, lengths, totals, stored


def _segment_files(ix: index.Index) -> dict[str, bytes]:
    (segment,) = ix._segments()
    files = segment.open_compound_file(ix.storage)
    sid = segment.segment_id()
    return {name.replace(sid, "S"): files.open_file(name).read() for name in files.list()}


def _without_pairs(docs: list[dict]) -> list[dict]:
    return [{k: v for k, v in d.items() if k != "pairs"} for d in docs]


@pytest.fixture(scope="module")
def real_docs(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("docs")
    hard = tmp_path / "hard.md"
    hard.write_text(HARD, encoding="utf-8")
    return _docs(
        tmp_path,
        corpus(
            "arxiv-listing-text/arxiv-subscription-viewer__arxiv-mailing-cs-2026-01-20-full.txt"
        ),
        corpus("bibtex/pybtex__xampl.bib"),
        FIXTURES / "arxiv-new-page.txt",
        hard,
    )


def test_the_grouping_writer_writes_the_standard_segment(real_docs, tmp_path):
    from readinglist.core import segment_writer
    from readinglist.core.search_schema import SCHEMA

    assert segment_writer.supported(SCHEMA)
    assert len(real_docs) > 1100
    # Whoosh's writer without the pairs field: ours keeps pairs beside the segment.
    standard = _standard(tmp_path / "standard", _without_pairs(real_docs))
    grouped = _grouped(tmp_path / "grouped", real_docs)
    ours, theirs = _contents(grouped), _contents(standard)
    assert len(ours[0]) == len(theirs[0]) > 50_000
    assert ours[0] == theirs[0]  # every term, posting, weight, value and statistic
    assert ours[1:] == theirs[1:]  # field lengths, totals, stored fields
    assert _segment_files(grouped) == _segment_files(standard)  # byte for byte
    # A term with more than one block of postings was among them.
    assert max(len(v[7]) for v in ours[0].values()) > 128


def test_the_pairs_beside_the_segment_are_the_pairs_field(real_docs, tmp_path):
    from readinglist.core import search_pairs

    standard = _standard(tmp_path / "standard", real_docs)
    grouped = _grouped(tmp_path / "grouped", real_docs)
    search_pairs.register(tmp_path / "grouped" / "pairs")
    (reader,) = [r for r, _ in grouped.reader().leaf_readers()]
    pairs = search_pairs.segment_pairs(reader)
    assert pairs is not None
    r = standard.reader()
    checked = 0
    for text in r.field_terms("pairs"):
        if " " not in text:
            continue  # a lone word (a one-word text): no pair, no phrase
        a, b = text.split(" ")
        docs, tfs = pairs.postings(a, b)
        m = r.postings("pairs", text)
        expected = []
        while m.is_active():
            expected.append((m.id(), m.weight()))
            m.next()
        assert list(zip(docs.tolist(), tfs.tolist(), strict=True)) == expected, text
        checked += 1
    assert checked == len(pairs.keys) > 50_000  # and no pair more
    # A begun last word: the pairs "self supervis*" are one range of keys.
    docs, _ = pairs.prefix_postings("self", "supervis")
    want = set()
    for text in r.field_terms("pairs"):
        if text.startswith("self supervis"):
            want |= set(r.postings("pairs", text).all_ids())
    assert set(docs.tolist()) == want and want


@pytest.fixture(scope="module")
def bulk_and_one_by_one(tmp_path_factory):
    """The real mailing indexed in bulk (pairs beside the segment) and one paper at
    a time (pairs in Whoosh's field), built once for the phrase comparisons."""
    from readinglist.core.library import Library
    from readinglist.core.tuning import Tuning

    listing = corpus(
        "arxiv-listing-text/arxiv-subscription-viewer__arxiv-mailing-cs-2026-01-20-full.txt"
    )
    folder = tmp_path_factory.mktemp("phrases")
    libs = []
    for name, bulk in (("bulk", 10), ("one-by-one", 10**9)):
        lib = Library.open(folder / name, tuning=Tuning(bulk_index=bulk, index_in_child=False))
        lib.import_file(listing)
        lib.ensure_index()
        has_pairs = any((folder / name / "index" / "pairs").glob("*"))
        assert has_pairs == (name == "bulk")
        libs.append(lib)
    yield libs
    for lib in libs:
        lib.close()


@pytest.mark.parametrize(
    "query_text", ['"large language models"', '"graph neural"', "self-supervis*"]
)
def test_phrases_find_the_same_papers_built_in_bulk_or_one_by_one(bulk_and_one_by_one, query_text):
    found = [
        {h.paper.id for h in lib.search(query_text, limit=None).hits} for lib in bulk_and_one_by_one
    ]
    assert found[0] == found[1] and found[0]


def test_pairs_follow_their_segment_through_changes(tmp_path):
    """Small commits after a bulk build: phrases still found (Whoosh's merges
    leave our segment alone), a replaced paper is found once, and when every
    paper of a bulk segment has been replaced the segment and its pairs go."""
    from readinglist.core.library import Library
    from readinglist.core.tuning import Tuning

    lib = Library.open(tmp_path / "lib", tuning=Tuning(bulk_index=50, index_in_child=False))
    lib.import_file(generated_listing(tmp_path / "a.txt", 200, abstract_words=40))
    lib.ensure_index()
    pairs = tmp_path / "lib" / "index" / "pairs"
    first = {p.name for p in pairs.iterdir()}
    assert len(first) == 1
    words = lib.get(lib.ids()[0]).title.split()
    phrase = f'"{words[0]} {words[1]}"'
    hits = lib.search(phrase, limit=None).hits
    assert hits
    target = hits[0].paper.id
    for n in range(12):  # small commits: Whoosh merges its own small segments
        lib.set_note(target, f"note {n}")
        lib.ensure_index()
        assert lib.search(f'"note {n}"', limit=None).hits[0].paper.id == target
    assert first <= {p.name for p in pairs.iterdir()}  # still there, not merged away
    result = lib.search(phrase, limit=None)
    assert [h.paper.id for h in result.hits].count(target) == 1
    assert {h.paper.id for h in result.hits} == {h.paper.id for h in hits}
    assert lib.check()["ok"]
    lib.reindex()  # every paper written again in bulk: the old segment is emptied
    assert {p.name for p in pairs.iterdir()}.isdisjoint(first)
    assert len(list(pairs.iterdir())) == 1
    assert {h.paper.id for h in lib.search(phrase, limit=None).hits} == {h.paper.id for h in hits}
    lib.close()


def test_the_best_phrase_hits_skipping_blocks_are_the_best_of_all(tmp_path):
    """A common pair matches most papers: the top hits come from skipping the
    blocks that cannot beat them, and must be those of ranking every match."""
    from readinglist.core.library import Library
    from readinglist.core.tuning import Tuning

    lib = Library.open(tmp_path / "lib", tuning=Tuning(bulk_index=10, index_in_child=False))
    lib.import_file(generated_listing(tmp_path / "a.txt", 3000, abstract_words=80))
    lib.ensure_index()
    for phrase in ('"we propose"', '"of the"', '"show that"'):
        everything = lib.search(phrase, limit=None)
        assert everything.total > 200, phrase  # several blocks of 64
        best = sorted(everything.hits, key=lambda h: (-h.score, h.paper.id))[:10]
        top = lib.search(phrase, limit=10)
        assert [round(h.score, 6) for h in top.hits] == [round(h.score, 6) for h in best]
        assert top.total == everything.total
    lib.close()
