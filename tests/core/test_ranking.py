"""The Inbox by predicted interest (issue 18): learned from what the user kept and
dismissed in a real arXiv mailing, explained, kept beside the library and
rebuilt when it is missing or damaged."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from readinglist.core import ranking as ranking_mod
from readinglist.core.library import Library
from readinglist.core.ranker import with_serendipity

from support import MAILING, corpus


def _primary(paper) -> str:
    return paper.categories[0] if paper.categories else ""


@pytest.fixture
def triaged(tmp_path):
    """The real mailing's 707 new papers; 12 software-engineering papers kept
    (queued), 12 computer-vision papers dismissed; the rest unread."""
    lib = Library.open(tmp_path / "lib", index=False)
    lib.import_file(corpus(MAILING))
    papers = lib.select()
    se = [p.id for p in papers if _primary(p) == "cs.SE"]
    cv = [p.id for p in papers if _primary(p) == "cs.CV"]
    lib.mark(se[:12], "queued")
    lib.mark(cv[:12], "dismissed")
    # Wanted: every other paper listed in software engineering (cross-lists too).
    wanted = {p.id for p in papers if "cs.SE" in p.categories} - set(se[:12]) - set(cv[:12])
    yield lib, wanted, set(cv[12:])
    lib.close()


def test_what_was_kept_ranks_above_what_was_dismissed(triaged):
    lib, se, cv = triaged
    unread = lib.ids(status="unread")
    ranked = lib.ranking.rank(unread, serendipity=False)
    assert ranked.ranked and not ranked.message
    assert sorted(ranked.order) == sorted(unread)
    position = {pid: k for k, pid in enumerate(ranked.order)}
    # 61 software-engineering papers among 683 (9%): the top ten is mostly them.
    assert len(se) == 61 and sum(pid in se for pid in ranked.order[:10]) >= 8
    assert sum(position[p] for p in se) / len(se) < sum(position[p] for p in cv) / len(cv)
    assert all(0.0 <= ranked.interest[p] <= 1.0 for p in unread)
    best, worst = ranked.order[0], ranked.order[-1]
    assert ranked.interest[best] > ranked.interest[worst]


def test_why_names_the_papers_own_terms_and_the_labelled_papers_like_it(triaged):
    lib, _se, _cv = triaged
    ranked = lib.ranking.rank(lib.ids(status="unread"), serendipity=False)
    top = lib.get(ranked.order[0])
    why = lib.ranking.why(top.id)
    assert why["terms"], why
    text = " ".join([top.title, top.abstract]).lower()
    for term in why["terms"]:
        if term.startswith("author "):
            assert any(term[7:].lower() in a.lower() for a in top.authors), term
        elif term.startswith("category "):
            assert term[9:] in [c.lower() for c in top.categories], term
        else:
            for word in term.split(" "):
                assert word in text, term
    kept = {p.id for p in lib.list_papers(status="queued")}
    dismissed = {p.id for p in lib.list_papers(status="dismissed")}
    assert why["like"] and len(why["like"]) <= 3
    for near in why["like"]:
        assert near["id"] in (kept if near["kept"] else dismissed)
        assert near["title"] == lib.get(near["id"]).title and 0 < near["similarity"] <= 1


def test_too_few_labels_keep_the_order_and_say_how_many_more(tmp_path):
    with Library.open(tmp_path / "lib", index=False) as lib:
        lib.import_file(corpus(MAILING))
        ids = lib.ids(status="unread")
        lib.mark(ids[:3], "queued")
        lib.set_starred(ids[3:4], True)
        rest = lib.ids(status="unread")
        ranked = lib.ranking.rank(rest)
        assert not ranked.ranked and ranked.order == rest and not ranked.interest
        assert ranked.message == (
            "ranking by interest needs 6 more kept (queued, read, starred or tagged) "
            "and 10 more dismissed"
        )
        assert lib.ranking.why(rest[0]) == {"terms": [], "like": []}


def test_a_tag_ranks_the_papers_most_like_it(triaged):
    lib, se, _cv = triaged
    some = sorted(se)[:6]
    lib.tag(some, add=["software"])
    others = [pid for pid in lib.ids(status="unread") if pid not in some]
    ranked = lib.ranking.rank(others, tag="software", serendipity=False)
    assert ranked.ranked
    assert sum(pid in se for pid in ranked.order[:10]) >= 5
    assert lib.ranking.readiness("nothing-tagged").message == (
        "ranking by the tag nothing-tagged needs 5 more papers tagged nothing-tagged"
    )


def test_features_are_kept_beside_the_library_and_rebuilt_when_damaged(triaged):
    lib, _se, _cv = triaged
    first = lib.ranking.rank(lib.ids(status="unread"), serendipity=False).order
    path = lib.folder / "ranking" / ranking_mod.FEATURES_FILE
    assert path.is_file()
    path.write_bytes(b"not a numpy file")
    again = Library.open(lib.folder, index=False)
    try:
        assert again.ranking.rank(again.ids(status="unread"), serendipity=False).order == first
        assert path.read_bytes()[:2] == b"PK"  # written again, whole
    finally:
        again.close()


def test_a_paper_whose_text_changes_gets_its_features_again(triaged):
    lib, _se, _cv = triaged
    rows = lib.ranking.features()
    (pid,) = lib.ids(status="unread")[:1]
    before = rows.row(int(list(rows.ids).index(pid)))[0].copy()
    with lib.store.write() as conn:  # as a completion from arXiv would fill it
        conn.execute(
            "UPDATE papers SET abstract = abstract || ' quantum chromodynamics' WHERE id = ?", [pid]
        )
    after_rows = lib.ranking.features()
    after = after_rows.row(int(list(after_rows.ids).index(pid)))[0]
    assert len(after_rows) == len(rows) and len(after) > len(before)


def test_one_slot_in_ten_is_a_serendipity_pick_from_outside_the_top():
    order = list(range(100))
    mixed, picks = with_serendipity(order, seed=3)
    assert sorted(mixed) == order and len(picks) == 10
    assert all(p >= 50 for p in picks)
    assert all(mixed[k] in picks for k in range(9, 100, 10))
    assert with_serendipity(order[:15]) == (order[:15], set())


def test_the_command_line_lists_by_interest_and_retrains(triaged):
    lib, se, _cv = triaged
    folder = str(lib.folder)

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "readinglist", "--library", folder, *args],
            capture_output=True, text=True, timeout=300,
        )  # fmt: skip

    out = run("list", "--status", "unread", "--sort", "interest", "--json")
    assert out.returncode == 0, out.stderr
    rows = json.loads(out.stdout)
    assert len(rows) == len(lib.ids(status="unread"))
    assert rows[0]["id"] in se and rows[0]["why"]["terms"]
    assert [r["interest"] for r in rows if not r["serendipity"]] == sorted(
        (r["interest"] for r in rows if not r["serendipity"]), reverse=True
    )
    assert sum(r["serendipity"] for r in rows) == len(rows) // 10
    text = run("list", "--status", "unread", "--sort", "interest")
    assert text.returncode == 0 and re.match(r"[01]\.\d\d  ", text.stdout)
    retrain = run("rank", "--retrain")
    assert retrain.returncode == 0, retrain.stderr
    assert retrain.stdout.strip() == (
        "Trained the Inbox on 12 kept and 12 dismissed papers (707 papers in the library)."
    )
    lib.mark(lib.ids(status="dismissed"), "unread")
    plain = run("list", "--status", "unread", "--sort", "interest")
    assert plain.returncode == 0
    assert "Not ranked: ranking by interest needs 10 more dismissed; listed by id." in plain.stderr
