"""`readinglist enrich` and completing after import, against the local replay server.

The CLI keeps arXiv's 3-second spacing, so these tests make one or two requests."""

from __future__ import annotations

import json

from arxiv_server import free_port_url

HEAT = (
    "@article{a, title={Heat-bath random walks with Markov bases}, eprint={1605.08386}, "
    "archivePrefix={arXiv}}\n"
)
UNKNOWN = "A Paper Nobody Has Heard Of\n\nIts abstract, which is long enough to be one.\n"


def test_enrich_prints_what_changed_and_what_was_left_alone(run, server):
    assert run("import", "--format", "bibtex", "-", input=HEAT).exit_code == 0
    assert run("import", "-", input=UNKNOWN).exit_code == 0
    result = run("enrich")
    assert result.exit_code == 0, result.output
    assert "1 completed abstract, authors, year, categories" in result.output
    assert "left alone: A Paper Nobody Has Heard Of" in result.output
    assert "not found on arXiv by title" in result.output
    paper = json.loads(run("show", "1", "--json").output)
    assert paper["authors"] == ["Caprice Stanley", "Tobias Windisch"] and paper["year"] == 2016
    # Nothing left to complete for that paper; --ids picks papers explicitly.
    again = run("enrich", "--ids", "1", "--json")
    assert json.loads(again.output)["unchanged"] == [{"id": 1, "title": paper["title"]}]
    assert "Undid: completed 1 paper from arXiv" in run("undo").output


def test_enrich_exits_1_when_the_api_cannot_be_reached(run, monkeypatch):
    monkeypatch.setenv("READINGLIST_ARXIV_API", free_port_url())
    run("import", "-", input=UNKNOWN)
    before = run("list", "--json").output
    result = run("enrich")
    assert result.exit_code == 1
    assert "cannot reach the arXiv API" in result.output and "Nothing was changed" in result.output
    assert run("list", "--json").output == before


def test_completing_after_import_is_a_setting_off_by_default(run, server):
    run("import", "--format", "bibtex", "-", input=HEAT)
    assert server.requests == []
    run("settings", "enrich_after_import", "true")
    result = run("import", "-", input=UNKNOWN)
    assert result.exit_code == 0
    assert len(server.requests) == 1 and "left alone" in result.output
