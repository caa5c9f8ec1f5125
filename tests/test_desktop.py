"""Desktop integration files: valid for the freedesktop tools, installed into
XDG_DATA_HOME by `readinglist install-desktop`, removed by --uninstall."""

from __future__ import annotations

import configparser
import shutil
import subprocess

import pytest

from readinglist import desktop
from readinglist.cli import main

from support import ROOT

RESOURCES = ROOT / "resources"


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.skip(
            f"{name} is not installed (.ci/run installs it: apt-get install "
            "desktop-file-utils appstream)"
        )
    return path


def test_desktop_file_passes_desktop_file_validate():
    result = subprocess.run(
        [_tool("desktop-file-validate"), str(RESOURCES / desktop.DESKTOP_FILE)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0 and "error" not in result.stdout, result.stdout


def test_metainfo_passes_appstreamcli_validate():
    result = subprocess.run(
        [_tool("appstreamcli"), "validate", "--no-net", str(RESOURCES / desktop.METAINFO_FILE)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_desktop_entry_has_the_keys_a_launcher_needs():
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str
    entry.read(RESOURCES / desktop.DESKTOP_FILE, encoding="utf-8")
    fields = entry["Desktop Entry"]
    for key in ("Name", "GenericName", "Comment", "Exec", "Icon", "Categories", "Keywords"):
        assert fields.get(key), key
    assert fields["Icon"] == desktop.APP_ID
    assert {"text/x-bibtex", "application/x-research-info-systems"} <= set(
        fields["MimeType"].strip(";").split(";")
    )
    assert fields["Exec"].endswith("%F")  # files are handed to the app


def test_metainfo_has_description_screenshot_and_release_notes():
    text = (RESOURCES / desktop.METAINFO_FILE).read_text(encoding="utf-8")
    for tag in ("<description>", "<screenshot", "<release ", "<launchable"):
        assert tag in text
    assert (ROOT / "docs" / "screenshot.png").exists()  # the screenshot the metainfo names


def test_install_desktop_honours_xdg_data_home_and_uninstalls(tmp_path, monkeypatch):
    from click.testing import CliRunner

    home = tmp_path / "xdg"
    monkeypatch.setenv("XDG_DATA_HOME", str(home))
    result = CliRunner().invoke(main, ["install-desktop"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    installed = home / "applications" / desktop.DESKTOP_FILE
    assert installed.exists()
    assert (home / "metainfo" / desktop.METAINFO_FILE).exists()
    for size in desktop.ICON_SIZES:
        assert (home / f"icons/hicolor/{size}x{size}/apps/{desktop.APP_ID}.png").exists()
    assert (home / f"icons/hicolor/scalable/apps/{desktop.APP_ID}.svg").exists()
    # Exec points at this installation's readinglist-gui, absolute, so a launcher
    # without ~/.local/bin on PATH still starts it.
    exec_line = next(ln for ln in installed.read_text().splitlines() if ln.startswith("Exec="))
    assert exec_line.endswith(" %F") and exec_line.startswith("Exec=/")
    if shutil.which("desktop-file-validate"):
        check = subprocess.run(["desktop-file-validate", str(installed)], capture_output=True)
        assert check.returncode == 0, check.stdout

    result = CliRunner().invoke(main, ["install-desktop", "--uninstall"], catch_exceptions=False)
    assert result.exit_code == 0
    assert not installed.exists()
    assert not list(home.rglob(f"{desktop.APP_ID}*"))


def test_relative_xdg_data_home_is_ignored(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_DATA_HOME", "relative/path")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert desktop.data_home() == tmp_path / ".local/share"


def test_exec_arguments_with_spaces_are_quoted():
    text = "[Desktop Entry]\nExec=readinglist-gui %F\nTryExec=readinglist-gui\n"
    out = desktop._desktop_entry(text, ["/opt/my apps/bin/python", "-m", "readinglist.gui.start"])
    assert 'Exec="/opt/my apps/bin/python" -m readinglist.gui.start %F' in out


@pytest.mark.slow
def test_the_wheel_carries_the_desktop_files(tmp_path):
    # `pipx install .` installs the wheel: install-desktop must find its files there.
    import sys
    import zipfile

    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(tmp_path), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    names = zipfile.ZipFile(next(tmp_path.glob("*.whl"))).namelist()
    assert f"readinglist/resources/{desktop.DESKTOP_FILE}" in names
    assert f"readinglist/resources/{desktop.METAINFO_FILE}" in names
    assert "readinglist/resources/icons/readinglist-512.png" in names
