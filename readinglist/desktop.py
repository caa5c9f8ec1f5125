"""Desktop integration on Linux and other freedesktop systems: the launcher entry,
icons and AppStream metainfo in the user's XDG data folder. Qt-free.

`readinglist install-desktop` copies them from the installed package; the .desktop
file's Exec line is rewritten to the absolute path of this installation's
`readinglist-gui`, because launchers often do not have ~/.local/bin (pipx) on PATH.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from readinglist.core.errors import UserError

APP_ID = "io.github.readinglist.Readinglist"
DESKTOP_FILE = f"{APP_ID}.desktop"
METAINFO_FILE = f"{APP_ID}.metainfo.xml"
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


def resources_dir() -> Path:
    """Icons and desktop files: inside the installed package (wheel, bundle), or
    resources/ beside it in a source checkout or editable install."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "resources", here.parent / "resources"):
        if (candidate / DESKTOP_FILE).is_file():
            return candidate
    raise UserError(f"this installation lacks its resources ({DESKTOP_FILE}); reinstall it")


def data_home() -> Path:
    value = os.environ.get("XDG_DATA_HOME", "")
    # The spec: a relative or empty XDG_DATA_HOME is invalid and must be ignored.
    return Path(value) if value and Path(value).is_absolute() else Path.home() / ".local/share"


def gui_command() -> list[str]:
    """How to start this installation's window, as an argument list."""
    scripts = Path(sys.executable).parent
    for name in ("readinglist-gui", "readinglist-gui.exe"):
        if (scripts / name).exists():
            return [str(scripts / name)]
    found = shutil.which("readinglist-gui")
    if found:
        return [found]
    return [sys.executable, "-m", "readinglist.gui.start"]


def _targets(home: Path) -> dict[str, Path]:
    targets = {
        "desktop": home / "applications" / DESKTOP_FILE,
        "metainfo": home / "metainfo" / METAINFO_FILE,
        "svg": home / "icons/hicolor/scalable/apps" / f"{APP_ID}.svg",
    }
    for size in ICON_SIZES:
        targets[f"png{size}"] = home / f"icons/hicolor/{size}x{size}/apps/{APP_ID}.png"
    return targets


def _desktop_entry(text: str, command: list[str]) -> str:
    """The .desktop file with Exec and TryExec pointing at this installation."""
    quoted = " ".join(_quote_exec(part) for part in command)
    out = []
    for line in text.splitlines():
        if line.startswith("Exec="):
            line = f"Exec={quoted} %F"
        elif line.startswith("TryExec="):
            line = f"TryExec={command[0]}"
        out.append(line)
    return "\n".join(out) + "\n"


def _quote_exec(arg: str) -> str:
    # Desktop Entry spec: arguments with reserved characters are double-quoted,
    # with " ` $ \ escaped by a backslash; plain ones stay bare.
    if arg and all(c.isalnum() or c in "/._-+:=@," for c in arg):
        return arg
    escaped = "".join("\\" + c if c in '"`$\\' else c for c in arg)
    return f'"{escaped}"'


def install(home: Path | None = None, command: list[str] | None = None) -> list[Path]:
    """Install the launcher entry, icons and metainfo; returns the files written."""
    home = home or data_home()
    source = resources_dir()
    targets = _targets(home)
    written: list[Path] = []
    for key, target in targets.items():
        target.parent.mkdir(parents=True, exist_ok=True)
        if key == "desktop":
            text = (source / DESKTOP_FILE).read_text(encoding="utf-8")
            _write(target, _desktop_entry(text, command or gui_command()))
        elif key == "metainfo":
            shutil.copyfile(source / METAINFO_FILE, target)
        elif key == "svg":
            shutil.copyfile(source / "icons/readinglist.svg", target)
        else:
            shutil.copyfile(source / f"icons/readinglist-{key[3:]}.png", target)
        written.append(target)
    _refresh_caches(home)
    return written


def uninstall(home: Path | None = None) -> list[Path]:
    """Remove what install() wrote; returns the files removed."""
    home = home or data_home()
    removed = []
    for target in _targets(home).values():
        if target.exists():
            target.unlink()
            removed.append(target)
    _refresh_caches(home)
    return removed


def _write(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def _refresh_caches(home: Path) -> None:
    """Launchers and file managers pick the change up sooner with fresh caches;
    the tools are optional, so a missing one is fine."""
    import subprocess  # here: the window imports this module at every start

    for args in (
        ["update-desktop-database", "-q", str(home / "applications")],
        ["gtk-update-icon-cache", "-q", "-t", "-f", str(home / "icons/hicolor")],
    ):
        if shutil.which(args[0]):
            try:
                subprocess.run(args, check=False, capture_output=True, timeout=30)
            except (OSError, subprocess.SubprocessError):
                pass
