#!/usr/bin/env bash
# Build the one-folder bundle for this system: dist/readinglist/ holding
# `readinglist` (command line) and `readinglist-gui` (the window). Run it on each
# target system: Linux here, macOS (also makes Readinglist.app, see README) and
# Windows (under Git Bash; the programs are .exe).
#
#   packaging/build.sh            # uses python3; PYTHON=... to choose another
set -euo pipefail
cd "$(dirname "$0")/.."

python="${PYTHON:-python3}"
venv="build/bundle-venv"
"$python" -m venv "$venv"
bin="$venv/bin"; [ -d "$bin" ] || bin="$venv/Scripts"  # Windows venvs
extra=""; [ "$(uname)" = Darwin ] && extra="pillow"  # PNG -> .icns for the .app
# shellcheck disable=SC2086
"$bin/python" -m pip install -q --disable-pip-version-check . "pyinstaller==6.*" $extra
"$bin/pyinstaller" --noconfirm --clean --log-level WARN \
  --distpath dist --workpath build/pyinstaller packaging/readinglist.spec
echo "Built dist/readinglist/ ($(du -sh dist/readinglist | cut -f1))"
