"""The command line against a temporary library: the contract scripts rely on."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from readinglist import __version__

from support import FIXTURES, corpus


def test_version(run):
    result = run("--version")
    assert result.exit_code == 0 and __version__ in result.output


def test_no_command_opens_the_app_on_the_chosen_library(run, monkeypatch, tmp_path):
    import gc

    import readinglist.gui.app as gui_app

    opened = []
    monkeypatch.setattr(gui_app, "run_app", lambda path, started: opened.append(path) or 0)
    result = run()
    assert result.exit_code == 0
    assert opened == [tmp_path / "lib"]
    assert gc.isenabled()  # paused for the start, running again once the app ended


def test_import_list_show_json_contract(run):
    result = run("import", str(corpus("listings/hf-papers-page.txt")), "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert (report["added"], report["merged"], report["unchanged"], report["skipped"]) == (
        50,
        0,
        0,
        5,
    )
    assert isinstance(report["errors"], list) and len(report["errors"]) == 5

    papers = json.loads(run("list", "--json").output)
    assert len(papers) == 50
    assert [p["id"] for p in papers] == sorted(p["id"] for p in papers)
    required = {
        "id",
        "title",
        "abstract",
        "authors",
        "year",
        "arxiv_id",
        "doi",
        "url",
        "status",
        "starred",
        "tags",
        "note",
        "citekey",
        "added_at",
    }
    assert required <= set(papers[0])
    assert papers[0]["status"] == "unread" and papers[0]["starred"] is False
    assert isinstance(papers[0]["authors"], list) and isinstance(papers[0]["tags"], list)
    from datetime import datetime

    datetime.fromisoformat(papers[0]["added_at"])

    shown = json.loads(run("show", "1", "--json").output)
    assert shown == papers[0]


def test_reimport_says_nothing_new(run):
    path = str(corpus("listings/hf-papers-page.txt"))
    run("import", path)
    result = run("import", path)
    assert result.exit_code == 0
    assert "nothing new" in result.output
    assert json.loads(run("import", path, "--json").output)["added"] == 0


def test_import_from_stdin_and_dry_run(run):
    text = (FIXTURES / "arxiv-new-page.txt").read_text()
    result = run("import", "-", "--dry-run", "--json", input=text)
    assert json.loads(result.output)["added"] == 4
    assert json.loads(run("list", "--json").output) == []
    result = run("import", "-", input=text)
    assert "4 added" in result.output and "stdin" in result.output
    assert json.loads(run("stats", "--json").output)["total"] == 4


def test_forced_format(run):
    text = (FIXTURES / "arxiv-new-page.txt").read_text()
    result = run("import", "-", "--format", "listing", "--json", input=text)
    # Read as a plain listing the entries are still found, but without ids.
    data = json.loads(result.output)
    assert data["format"] == "listing"


def test_triage_commands(run):
    run("import", str(FIXTURES / "arxiv-new-page.txt"))
    assert run("mark", "read", "1", "2").exit_code == 0
    assert run("mark", "queued", "3").exit_code == 0
    assert run("star", "1").exit_code == 0
    assert run("tag", "1", "2", "--add", "moe", "--add", "Later").exit_code == 0
    assert run("tag", "2", "--remove", "later").exit_code == 0
    assert run("note", "1", "Read *section 3*.").exit_code == 0
    assert run("note", "2", "-", input="from stdin\n").exit_code == 0
    papers = {p["id"]: p for p in json.loads(run("list", "--json").output)}
    assert papers[1]["status"] == "read" and papers[1]["starred"] is True
    assert papers[1]["tags"] == ["Later", "moe"] and papers[2]["tags"] == ["moe"]
    assert papers[1]["note"] == "Read *section 3*." and papers[2]["note"] == "from stdin\n"
    assert papers[3]["status"] == "queued" and papers[4]["status"] == "unread"
    assert [p["id"] for p in json.loads(run("list", "--status", "read", "--json").output)] == [1, 2]
    assert [p["id"] for p in json.loads(run("list", "--tag", "MOE", "--json").output)] == [1, 2]
    assert [p["id"] for p in json.loads(run("list", "--starred", "--json").output)] == [1]
    run("unstar", "1")
    assert json.loads(run("show", "1", "--json").output)["starred"] is False
    stats = json.loads(run("stats", "--json").output)
    assert stats["by_status"] == {"unread": 1, "queued": 1, "read": 2, "dismissed": 0}
    text = run("show", "1").output
    assert "arXiv:2410.13842" in text and "Sparse Mixtures" in text


def test_errors_exit_1_and_name_the_cause(run, tmp_path):
    run("import", str(FIXTURES / "arxiv-new-page.txt"))
    result = run("show", "42")
    assert result.exit_code == 1 and "42" in result.stderr
    result = run("mark", "read", "1", "77")
    assert result.exit_code == 1 and "77" in result.stderr
    assert json.loads(run("show", "1", "--json").output)["status"] == "unread"  # nothing changed
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    result = run("import", str(empty))
    assert result.exit_code == 1 and "empty" in result.stderr
    assert result.stderr.count("\n") == 1
    png = tmp_path / "image.png"
    png.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    result = run("import", str(png))
    assert result.exit_code == 1 and "binary (PNG image)" in result.stderr
    result = run("import", str(tmp_path / "missing.txt"))
    assert result.exit_code == 1 and "no such file" in result.stderr


def test_usage_errors_exit_2(run):
    assert run("mark", "finished", "1").exit_code == 2
    assert run("mark", "read", "abc").exit_code == 2
    assert run("tag", "1").exit_code == 2
    assert run("nonsense").exit_code == 2
    assert run("import", "x", "--format", "docx").exit_code == 2


def test_several_files_report_each(run, tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_text("   ")
    result = run("import", str(FIXTURES / "arxiv-new-page.txt"), str(bad), "--json")
    assert result.exit_code == 1
    assert json.loads(result.stdout)[0]["added"] == 4
    assert "bad.txt" in result.stderr


def _subprocess(args, **kw):
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    return subprocess.run(
        [sys.executable, "-m", "readinglist", *args], capture_output=True, text=True, env=env, **kw
    )


def test_python_m_and_library_env_var(tmp_path):
    env_lib = tmp_path / "envlib"
    result = subprocess.run(
        [sys.executable, "-m", "readinglist", "import", str(FIXTURES / "arxiv-new-page.txt")],
        capture_output=True,
        text=True,
        env=dict(os.environ, READINGLIST_LIBRARY=str(env_lib)),
    )
    assert result.returncode == 0, result.stderr
    assert (env_lib / "library.sqlite").exists()


def test_cli_commands_never_import_qt(tmp_path):
    code = (
        "import sys\n"
        "from readinglist.cli import main\n"
        "try:\n"
        "    main(['--library', sys.argv[1], 'list'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "assert not any(m.startswith('PySide6') for m in sys.modules), 'Qt was imported'\n"
        "print('ok')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "lib")], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("ok")


def test_search_json_snippets_similar_and_saved(run):
    run("import", str(corpus("listings/hf-papers-page.txt")))
    result = run("search", "self-supervised", "learning", "--json", "--limit", "5")
    hits = json.loads(result.stdout)
    assert 0 < len(hits) <= 5
    assert {"id", "title", "score", "status", "tags"} <= set(hits[0])
    assert [h["score"] for h in hits] == sorted((h["score"] for h in hits), reverse=True)
    assert json.loads(run("show", str(hits[0]["id"]), "--json").stdout)["title"] == hits[0]["title"]
    result = run("search", "noise", "--snippets", "--json", "-n", "1")
    assert "«" in json.loads(result.stdout)[0]["snippets"]["abstract"]
    text = run("search", "noise", "--snippets", "-n", "1").stdout
    assert "[" in text and "]" in text
    similar = json.loads(run("similar", str(hits[0]["id"]), "--json", "-n", "3").stdout)
    assert similar and all(s["id"] != hits[0]["id"] for s in similar)
    assert run("saved", "add", "ssl", "self-supervised", "is:unread").exit_code == 0
    assert json.loads(run("saved", "list", "--json").stdout) == [
        {"name": "ssl", "query": "self-supervised is:unread"}
    ]
    assert json.loads(run("saved", "run", "ssl", "--json").stdout)
    assert run("saved", "remove", "ssl").exit_code == 0
    assert run("saved", "run", "ssl").exit_code == 1


def test_broken_query_says_so_and_succeeds(run):
    run("import", str(FIXTURES / "arxiv-new-page.txt"))
    result = run("search", "year:[2020", "TO")
    assert result.exit_code == 0
    assert "Note:" in result.stderr


def test_reindex_and_check(run, tmp_path):
    run("import", str(FIXTURES / "arxiv-new-page.txt"))
    result = run("check")
    assert result.exit_code == 0 and "agree" in result.stdout
    assert json.loads(run("check", "--json").stdout)["ok"] is True
    assert "Indexed 4 papers" in run("reindex").stdout
    # Damage the index behind the library's back: check fails, --repair fixes.
    from readinglist.core.library import Library

    with Library.open(tmp_path / "lib") as lib:
        lib.search_index.apply([], [2])
    result = run("check")
    assert result.exit_code == 1 and "--repair" in result.stdout
    result = run("check", "--repair")
    assert result.exit_code == 0 and "Repaired" in result.stdout
    assert run("check").exit_code == 0


def test_export_filters_and_file(run, tmp_path):
    run("import", str(FIXTURES / "arxiv-new-page.txt"))
    run("tag", "1", "2", "--add", "moe")
    run("mark", "read", "2", "3")
    everything = run("export").stdout
    assert everything.count("\n@") + everything.startswith("@") == 4
    assert run("export", "--tag", "moe").stdout.count("@") == 2
    assert run("export", "--ids", "1,3").stdout.count("@") == 2
    assert run("export", "--status", "read", "--tag", "moe").stdout.count("@misc") == 1
    assert "2410.13842" in run("export", "sparse", "mixtures").stdout
    assert "abstract" not in run("export", "--ids", "1", "--no-abstract").stdout
    ascii_text = run("export", "--ascii").stdout
    assert ascii_text.isascii() and "G{\\'o}mez" in ascii_text
    assert "keywords" in run("export", "--ids", "1", "--with-notes").stdout
    biblatex = run("export", "--format", "biblatex").stdout
    # Each preprint (a @misc for BibTeX) is @online; the one with a journal stays @article.
    assert biblatex.count("@online{") == everything.count("@misc{") == 3
    assert "eprinttype" in biblatex
    assert "archivePrefix" not in biblatex and "archivePrefix" in everything
    out = tmp_path / "refs.bib"
    result = run("export", "-o", str(out), "--tag", "moe")
    assert result.exit_code == 0 and out.read_text().count("@") == 2
    assert "Exported 2 entries" in result.stderr
    assert run("export", "--tag", "nope").exit_code == 1
    assert run("export", "--ids", "99").exit_code == 1


def test_citekey_command(run):
    run("import", str(FIXTURES / "arxiv-new-page.txt"))
    assert run("citekey", "1", "gomez2024sparse").exit_code == 0
    assert json.loads(run("show", "1", "--json").stdout)["citekey"] == "gomez2024sparse"
    result = run("citekey", "2", "GOMEZ2024SPARSE")
    assert result.exit_code == 1 and "already used" in result.stderr
    assert run("citekey", "2", "bad key").exit_code == 1


def test_import_bibtex_ris_atom_from_the_cli(run):
    report = json.loads(run("import", str(corpus("bibtex/pybtex__xampl.bib")), "--json").stdout)
    assert report["format"] == "bibtex" and report["added"] >= 15  # variants of one work merge
    report = json.loads(run("import", str(corpus("ris/rispy__example_full.ris")), "--json").stdout)
    assert report["format"] == "ris" and report["added"] == 2
    path = corpus("arxiv-atom-api/arxivpy__q_testing_s0_m100_cfe7536492ca.body.atom.xml")
    report = json.loads(run("import", str(path), "--json").stdout)
    assert report["format"] == "atom" and report["added"] == 100
    result = run(
        "import", str(corpus("arxiv-atom-api/arxivpy__id_abc_s0_m100_b79c8dcf6bc3.body.atom.xml"))
    )
    assert result.exit_code == 1 and "incorrect id format" in result.stderr
    result = run("import", str(corpus("ris/rispy__example_wos.ris")))
    assert result.exit_code == 1 and "Web of Science" in result.stderr


def test_undo_and_redo_from_the_cli(run):
    run("import", str(FIXTURES / "arxiv-new-page.txt"))
    run("mark", "read", "1", "2", "3")
    result = run("undo")
    assert result.exit_code == 0 and result.stdout.strip() == "Undid: marked 3 papers read"
    assert json.loads(run("show", "1", "--json").stdout)["status"] == "unread"
    assert run("redo").stdout.startswith("Redid: marked 3 papers read")
    assert json.loads(run("show", "1", "--json").stdout)["status"] == "read"
    run("undo")
    run("undo")  # the import itself
    assert json.loads(run("list", "--json").stdout) == []
    result = run("undo")
    assert result.exit_code == 1 and "nothing to undo" in result.stderr


def test_settings_command(run):
    assert json.loads(run("settings", "keymap").stdout) == {}
    assert run("settings", "keymap", '{"triage.read": ["E"]}').exit_code == 0
    assert json.loads(run("settings", "keymap").stdout) == {"triage.read": ["E"]}
    assert "triage.read" in run("settings", "--keys").stdout
    assert run("settings", "nope").exit_code == 1
    assert run("settings", "keymap", "{not json").exit_code == 1


def test_delete_and_undo_from_the_cli(run):
    run("import", str(FIXTURES / "arxiv-new-page.txt"))
    run("tag", "2", "--add", "keep")
    assert run("delete", "2").stdout.strip() == "Deleted 1 paper"
    assert run("show", "2").exit_code == 1
    run("undo")
    assert json.loads(run("show", "2", "--json").stdout)["tags"] == ["keep"]
