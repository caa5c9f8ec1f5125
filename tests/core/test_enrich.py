"""Completing papers from arXiv against a real local HTTP server replaying the
recorded API responses: real HTTP, real parsing, real SQLite, no outside network."""

from __future__ import annotations

import itertools

import pytest
from arxiv_server import free_port_url

from readinglist.core import arxiv_api
from readinglist.core.arxiv_api import ArxivUnreachable, Client
from readinglist.core.library import Library

from support import corpus

HEAT_BATH = "Heat-bath random walks with Markov bases"


def fast(lib: Library) -> Client:
    # The 3-second spacing is tested on its own below with a virtual clock.
    return lib.arxiv_client(min_interval=0)


def _bib(entries: str) -> str:
    return entries.strip() + "\n"


def test_papers_with_ids_are_fetched_by_id_in_one_request(library, server):
    library.import_text(
        _bib(
            f"@article{{a, title={{{HEAT_BATH}}}, eprint={{1605.08386}}, archivePrefix={{arXiv}}}}\n"
            "@misc{b, title={Frequency of Hot Jupiters and Very Hot Jupiters from the "
            "OGLE-III Transit Surveys Toward the Galactic Bulge and Carina}, "
            "eprint={astro-ph/0601001}, archivePrefix={arXiv}}"
        ),
        source="mine.bib",
    )
    papers = library.enrich_targets()
    assert len(papers) == 2
    report = library.enrich(papers, client=fast(library))
    assert len(server.requests) == 1
    assert server.requests[0]["id_list"] == "1605.08386,astro-ph/0601001"
    assert "Readinglist/" in server.requests[0]["user-agent"]
    heat = library.get(papers[0].id)
    assert heat.authors == ["Caprice Stanley", "Tobias Windisch"]
    assert heat.year == 2016
    assert heat.categories[0] == "math.CO"
    assert heat.url == "https://arxiv.org/abs/1605.08386"
    assert heat.to_json()["published"] == "2016-05-26"
    old = library.get(papers[1].id)
    assert old.year == 2006 and old.authors
    assert {pid for pid, _, _ in report.changed} == {papers[0].id, papers[1].id}
    # The run is recorded like an import: source, time, and the feeds as raw text.
    batch = library.batches()[0]
    assert batch["format"] == "arxiv-api" and server.url in batch["source"]
    assert "Heat-bath" in library.batch_raw_text(batch["id"])


def test_one_of_two_ids_missing_is_reported_not_guessed(library, server):
    library.import_text(
        _bib(
            "@misc{a, title={Some paper}, eprint={0808.05394}, archivePrefix={arXiv}}\n"
            "@misc{b, title={Weak convergence of the empirical process}, "
            "eprint={1707.08567}, archivePrefix={arXiv}}"
        ),
        source="two.bib",
    )
    before = {p.id: p for p in library.list_papers()}
    report = library.enrich(library.enrich_targets(), client=fast(library))
    reasons = {pid: reason for pid, _, reason in report.left_alone}
    missing = next(p for p in before.values() if p.arxiv_id == "0808.05394")
    assert "not found on arXiv" in reasons[missing.id]
    assert library.get(missing.id).authors == []


def test_an_id_whose_arxiv_title_is_different_is_left_alone(library, server):
    library.import_text(
        _bib(
            "@misc{a, title={Deep learning for cats}, eprint={1605.08386}, archivePrefix={arXiv}}"
        ),
        source="typo.bib",
    )
    report = library.enrich(library.enrich_targets(), client=fast(library))
    assert report.changed == []
    assert "check the id" in report.left_alone[0][2]
    assert library.list_papers()[0].authors == []


@pytest.fixture
def hf_library(library, server):
    """The reference listing (titles and abstracts only) and a server that knows
    some of its papers, one by a near-miss title and one by an unrelated abstract."""
    path = corpus("listings/hf-papers-page.txt")
    library.import_file(path)
    papers = library.list_papers()
    assert len(papers) == 50 and all(not p.authors and p.year is None for p in papers)
    for n in range(3):
        server.add_entry(
            f"2501.0000{n}",
            papers[n].title,
            papers[n].abstract,
            [f"Author{n} One", "Ada Lovelace"],
            f"2025-01-0{n + 1}",
        )
    server.add_entry(  # a near miss: a different (longer) title, same abstract
        "2501.00003", papers[3].title + " Revisited", papers[3].abstract, ["X Y"], "2025-01-04"
    )
    server.add_entry(  # the same title, but an unrelated abstract
        "2501.00004", papers[4].title, papers[10].abstract, ["Z W"], "2025-01-05"
    )
    return library, papers


def test_title_only_papers_get_authors_and_year_when_the_server_has_them(hf_library, server):
    library, papers = hf_library
    library.mark([papers[0].id], "read")
    library.tag([papers[0].id], add=["keep"])
    report = library.enrich(library.enrich_targets(), client=fast(library))
    assert len(server.requests) == 50  # one exact-title search per paper
    assert all(r["search_query"].startswith('ti:"') for r in server.requests)
    for n in range(3):
        paper = library.get(papers[n].id)
        assert paper.authors == [f"Author{n} One", "Ada Lovelace"]
        assert paper.year == 2025
        assert paper.arxiv_id == f"2501.0000{n}"
        assert paper.categories == ["cs.CL"]
        # The import merge rules: the listing's own text and the user's work stay.
        assert paper.title == papers[n].title and paper.abstract == papers[n].abstract
    first = library.get(papers[0].id)
    assert first.status.value == "read" and first.tags == ["keep"]
    assert {pid for pid, _, _ in report.changed} == {p.id for p in papers[:3]}

    reasons = {pid: reason for pid, _, reason in report.left_alone}
    assert "closest" in reasons[papers[3].id] and "Revisited" in reasons[papers[3].id]
    assert "different abstract" in reasons[papers[4].id]
    assert "not found" in reasons[papers[20].id]
    for p in papers[3:]:
        untouched = library.get(p.id)
        assert untouched.authors == [] and untouched.arxiv_id is None and untouched.year is None


def test_ambiguous_matches_are_reported_never_applied(hf_library, server):
    library, papers = hf_library
    for arxiv_id in ("2502.00001", "2502.00002"):
        server.add_entry(arxiv_id, papers[7].title, papers[7].abstract, ["Twin"], "2025-02-01")
    report = library.enrich([papers[7]], client=fast(library))
    assert report.changed == []
    assert "several arXiv papers match" in report.left_alone[0][2]


def test_a_run_is_one_undo_step_and_cached(hf_library, server):
    library, papers = hf_library
    three = papers[:3]
    library.enrich(three, client=fast(library))
    assert library.get(three[0].id).authors
    assert len(server.requests) == 3
    library.undo()
    assert all(library.get(p.id).authors == [] for p in three)
    # The answers are cached in the library folder: no second round of requests.
    again = library.enrich(three, client=fast(library))
    assert len(server.requests) == 3
    assert again.requests == 0 and len(again.changed) == 3


def test_nothing_the_user_set_is_overwritten(hf_library, server):
    library, papers = hf_library
    paper = papers[1]
    library.set_citekey(paper.id, "myOwnKey")
    library.db.execute("UPDATE papers SET year = 1999 WHERE id = ?", [paper.id])
    library.enrich([library.get(paper.id)], client=fast(library))
    after = library.get(paper.id)
    assert after.year == 1999  # filled only when empty
    assert after.citekey == "myOwnKey"
    assert after.authors == ["Author1 One", "Ada Lovelace"]


def test_generated_citekeys_follow_the_new_authors(hf_library, server):
    library, papers = hf_library
    library.enrich([papers[2]], client=fast(library))
    assert library.get(papers[2].id).citekey == "oneUnderstandingAugmentationBased2025"


def test_unreachable_api_changes_nothing(library, monkeypatch):
    monkeypatch.setenv("READINGLIST_ARXIV_API", free_port_url())
    library.import_text("A Title Only Paper\n\nWith an abstract of some words here.\n")
    before = library.list_papers()
    with pytest.raises(ArxivUnreachable, match="cannot reach the arXiv API"):
        library.enrich(library.enrich_targets(), client=fast(library))
    assert library.list_papers() == before
    assert library.batches()[0]["format"] == "listing"


def test_failure_after_some_answers_changes_nothing(hf_library, server):
    library, papers = hf_library
    # The first title search succeeds, then the server fails for good.
    server.fail_with(500, times=10, after=1)
    client = fast(library)
    client.sleep = lambda s: None
    with pytest.raises(ArxivUnreachable, match="HTTP 500"):
        library.enrich(papers[:3], client=client)
    assert len(server.requests) == 1 + 1 + arxiv_api.RETRIES
    assert all(library.get(p.id).authors == [] for p in papers[:3])


def test_backoff_on_503_and_429_honours_retry_after(server, tmp_path):
    slept: list[float] = []
    server.fail_with(503, retry_after="7")
    server.fail_with(429)
    client = Client(server.url, min_interval=0, sleep=slept.append)
    body = client.get({"id_list": "1605.08386"})
    assert HEAT_BATH in body
    assert len(server.requests) == 3
    assert slept[0] == 7.0  # Retry-After
    assert slept[1] == 0.0  # no header: the (here zero) interval, doubled each time


def test_error_feed_and_empty_feed(server):
    client = Client(server.url, min_interval=0)
    wanted = [arxiv_api.Wanted(1, "Whatever", arxiv_id="0000.0000")]
    finding = arxiv_api.look_up(wanted, client).findings[0]
    assert finding.draft is None and "not found" in finding.reason
    # The recorded HTTP 400 error feed: its message is reported, nothing imported.
    body = client.get({"id_list": "abc"})
    drafts, error = arxiv_api._entries(body)
    assert drafts == [] and "incorrect id format for abc" in error


def test_requests_are_three_seconds_apart(server):
    now = [1000.0]
    sent: list[float] = []
    server_requests = server.requests

    def clock() -> float:
        return now[0]

    def sleep(seconds: float) -> None:
        now[0] += seconds

    client = Client(server.url, sleep=sleep, clock=clock)
    for arxiv_id in ("1605.08386", "astro-ph/0601001", "1605.08386,astro-ph/0601001"):
        client.get({"id_list": arxiv_id})
        sent.append(now[0])
        now[0] += 0.5  # the caller does a little work between requests
    assert len(server_requests) == 3
    gaps = [b - a for a, b in itertools.pairwise(sent)]
    assert all(g >= arxiv_api.MIN_INTERVAL for g in gaps), gaps


def test_api_address_comes_from_the_environment_or_the_setting(library, monkeypatch):
    monkeypatch.delenv("READINGLIST_ARXIV_API", raising=False)
    assert library.arxiv_client().base_url == arxiv_api.DEFAULT_API
    library.set_setting("arxiv_api", "http://127.0.0.1:9/api/query")
    assert library.arxiv_client().base_url == "http://127.0.0.1:9/api/query"
    monkeypatch.setenv("READINGLIST_ARXIV_API", "http://localhost:1/x")
    assert library.arxiv_client().base_url == "http://localhost:1/x"
    library.set_setting("arxiv_api", "file:///etc/passwd")
    monkeypatch.delenv("READINGLIST_ARXIV_API")
    with pytest.raises(Exception, match="http"):
        library.arxiv_client()
