"""The one-folder bundle (PyInstaller) builds, and the built programs start: the
window comes up offscreen, and the command line imports and indexes through the
bundle's own child indexer. Slow (a minute or two); .ci/run runs it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from support import ROOT

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def bundle():
    if sys.platform != "linux":
        pytest.skip("the bundle test builds the Linux bundle")
    if not shutil.which("objdump"):
        pytest.skip("PyInstaller needs objdump (apt-get install binutils)")
    result = subprocess.run(
        ["bash", str(ROOT / "packaging" / "build.sh")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=1800,
        env={**os.environ, "PYTHON": sys.executable},
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    folder = ROOT / "dist" / "readinglist"
    assert (folder / "readinglist").exists() and (folder / "readinglist-gui").exists()
    return folder


def test_bundled_window_starts_offscreen(bundle, tmp_path):
    result = subprocess.run(
        [str(bundle / "readinglist-gui"), "--library", str(tmp_path / "lib"), "--smoke-test"],
        capture_output=True,
        text=True,
        timeout=120,
        # Its own settings folder: a saved window size must not leak in or out.
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_CONFIG_HOME": str(tmp_path)},
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "window shown: True 1280x800 'Readinglist'" in result.stdout


def test_bundled_command_line_imports_and_indexes_in_a_child(bundle, tmp_path):
    sys.path.insert(0, str(ROOT / "bench"))
    from generate import write_listing

    listing = write_listing(tmp_path / "big.txt", 2500, abstract_words=30)
    cli = str(bundle / "readinglist")
    lib = str(tmp_path / "lib")
    imported = subprocess.run(
        [cli, "--library", lib, "import", str(listing)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert imported.returncode == 0, imported.stderr[-2000:]
    assert "2500 added" in imported.stdout
    # 2,500 changes go to the bulk indexer, a child process: the bundle runs it.
    check = subprocess.run([cli, "--library", lib, "check"], capture_output=True, text=True)
    assert check.returncode == 0 and "agree" in check.stdout, check.stdout + check.stderr
    version = subprocess.run([cli, "--version"], capture_output=True, text=True)
    assert "readinglist, version" in version.stdout
