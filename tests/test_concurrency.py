"""Several programs on one library at once: two CLI imports, writers hammering
small changes, the CLI while the app is open. No "database is locked" reaches
the user, no update is lost, and the index never doubles a paper. (The app
open meanwhile: tests/gui/test_concurrent_app.py.)"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from readinglist.core.library import Library

from support import generated_listing
from support import start_cli as cli

pytestmark = pytest.mark.slow


def finish(proc):
    out, err = proc.communicate(timeout=900)
    assert proc.returncode == 0, err
    assert "locked" not in err and "busy" not in err, err
    return out


@pytest.fixture(scope="module")
def listings(tmp_path_factory):
    folder = tmp_path_factory.mktemp("listings")
    # Above the bulk threshold: each import indexes in a child process.
    return [generated_listing(folder / f"l{seed}.txt", 2500, seed=seed) for seed in (1, 2)]


def test_two_cli_imports_at_once(tmp_path, listings):
    folder = tmp_path / "lib"
    Library.open(folder, index=False).close()
    procs = [cli(folder, "import", str(path)) for path in listings]
    outs = [finish(p) for p in procs]
    assert all("2500 added" in out for out in outs)
    with Library.open(folder) as lib:
        assert lib.count() == 5000
        report = lib.check()
        assert report["ok"] and not report["problem"], report  # no paper indexed twice
        assert lib.search("is:unread", limit=None).total == 5000


WRITER = textwrap.dedent(
    """
    import sys
    from readinglist.core.library import Library
    folder, kind = sys.argv[1], sys.argv[2]
    with Library.open(folder, index=False) as lib:
        for pid in range(1, 201):
            if kind == "mark" and pid % 2:
                lib.mark([pid], "read")
            elif kind == "tag" and not pid % 2:
                lib.tag([pid], add=["even"])
    """
)


def test_writers_at_once_lose_no_update(tmp_path, listings):
    folder = tmp_path / "lib"
    with Library.open(folder, index=False) as lib:
        lib.import_text("\n\n".join(f"Paper number {i}\n\nAbstract {i} words." for i in range(200)))
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(folder), kind],
            stderr=subprocess.PIPE,
            text=True,
        )
        for kind in ("mark", "tag")
    ]
    importer = cli(folder, "import", str(listings[0]))  # a big write in the middle
    finish(importer)
    for w in writers:
        _, err = w.communicate(timeout=600)
        assert w.returncode == 0, err
    with Library.open(folder) as lib:
        papers = {p.id: p for p in lib.list_papers() if p.id <= 200}
        assert all(papers[i].status.value == "read" for i in range(1, 201, 2))
        assert all(papers[i].tags == ["even"] for i in range(2, 201, 2))
        assert lib.count() == 2700
        assert lib.check()["ok"]


TAGGER = textwrap.dedent(
    """
    import sys
    from readinglist.core.library import Library
    folder, name = sys.argv[1], sys.argv[2]
    with Library.open(folder, index=False, origin=name) as lib:
        for i in range(40):
            lib.tag([1 + i % 20], add=[f"{name}-{i}"])
            if name.startswith("tagger"):
                print(f"{name}-{i}", flush=True)  # acknowledged
            else:
                lib.mark([1 + i % 20], "read")
                lib.undo()  # the mark
                lib.undo()  # the tag
    """
)


def test_taggers_and_an_undoer_at_once_lose_no_acknowledged_change(tmp_path):
    # Undo takes back only its own steps, and only the fields they changed: four
    # processes tagging while a fifth undoes its own tags and marks.
    folder = tmp_path / "lib"
    with Library.open(folder, index=False) as lib:
        lib.import_text("\n\n".join(f"Paper number {i}\n\nAbstract {i} words." for i in range(20)))
    names = ["tagger1", "tagger2", "tagger3", "tagger4", "undoer"]
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", TAGGER, str(folder), name],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in names
    ]
    acknowledged = set()
    for proc in procs:
        out, err = proc.communicate(timeout=600)
        assert proc.returncode == 0, err
        acknowledged.update(out.split())
    assert len(acknowledged) == 160
    with Library.open(folder, index=False) as lib:
        tags = {t for p in lib.list_papers() for t in p.tags}
        assert tags == acknowledged  # every tagger's tag, none of the undoer's
        assert all(p.status.value == "unread" for p in lib.list_papers())


OPENER = textwrap.dedent(
    """
    import sys
    from readinglist.core.library import Library
    folder, n = sys.argv[1], int(sys.argv[2])
    with Library.open(folder, index=False) as lib:
        text = "\\n\\n".join(f"Paper {n} number {i}\\n\\nAbstract {i} words." for i in range(5))
        print(lib.import_text(text).added)
    """
)


def test_six_processes_creating_one_library_all_succeed(tmp_path):
    # First use by several programs at once: the folder does not exist yet.
    folder = tmp_path / "new" / "lib"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", OPENER, str(folder), str(n)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(6)
    ]
    for proc in procs:
        out, err = proc.communicate(timeout=600)
        assert proc.returncode == 0, err
        assert out.strip() == "5"
    with Library.open(folder, index=False) as lib:
        assert lib.count() == 30
        assert lib.quick_check() == "ok"
    assert not list((folder / "backups").glob("*before-migration*"))  # nothing to back up
